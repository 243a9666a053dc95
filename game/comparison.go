package game

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Winner is the outcome of one pairwise judgement.
type Winner int8

// Outcomes of a judgement of response A against response B.
const (
	WinnerA Winner = iota + 1
	WinnerB
	WinnerTie
)

func (w Winner) String() string {
	switch w {
	case WinnerA:
		return "a"
	case WinnerB:
		return "b"
	case WinnerTie:
		return "tie"
	}
	return fmt.Sprintf("Winner(%d)", int(w))
}

// Comparison is one pairwise judgement: in Context, an annotator compared
// responses A and B and preferred Winner. Weight (1 when 0) counts the
// judgement that many times. Line is the 1-based source line, 0 when the
// record was not read from a file.
type Comparison struct {
	Context   string
	A, B      string
	Winner    Winner
	Annotator string
	Weight    float64
	Line      int
}

// ComparisonError locates a problem in a comparison file.
type ComparisonError struct {
	File      string
	Line, Col int // 1-based; Col 0 when unknown
	Msg       string
}

func (e *ComparisonError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// maxComparisonLine bounds one JSONL line (1 MiB).
const maxComparisonLine = 1 << 20

// ReadComparisons parses JSON Lines of pairwise judgements, one object per
// non-blank line:
//
//	{"context": "p1", "a": "resp-x", "b": "resp-y", "winner": "a", "annotator": "ann-3", "weight": 1}
//
// "a", "b" and "winner" are required; "winner" is "a", "b" or "tie".
// "context" (default ""), "annotator" (default "") and "weight" (a positive
// number, default 1) are optional. Strings may also be given as JSON numbers
// (their literal text is used). Other fields are ignored, so exported
// judgement logs with extra metadata load unchanged. name labels errors,
// which are *ComparisonError values naming the line (and column for JSON
// syntax errors).
func ReadComparisons(r io.Reader, name string) ([]Comparison, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []Comparison
	for line := 1; ; line++ {
		raw, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, errLineTooLong) {
				return nil, &ComparisonError{File: name, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", maxComparisonLine)}
			}
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			c, perr := parseComparison(raw)
			if perr != nil {
				perr.File, perr.Line = name, line
				return nil, perr
			}
			c.Line = line
			out = append(out, c)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its terminator; io.EOF with the
// last (possibly empty) line.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxComparisonLine {
			return nil, errLineTooLong
		}
		switch {
		case err == nil:
			return bytes.TrimRight(buf, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return bytes.TrimRight(buf, "\r\n"), err
		}
	}
}

func parseComparison(raw []byte) (Comparison, *ComparisonError) {
	var c Comparison
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return c, &ComparisonError{Col: column(raw, se.Offset), Msg: "invalid JSON: " + se.Error()}
		case errors.As(err, &te):
			return c, &ComparisonError{Msg: "expected a JSON object, got " + te.Value}
		case errors.Is(err, io.ErrUnexpectedEOF):
			return c, &ComparisonError{Col: len(raw) + 1, Msg: "invalid JSON: unexpected end of line"}
		default:
			return c, &ComparisonError{Msg: "invalid JSON: " + err.Error()}
		}
	}
	if fields == nil {
		return c, &ComparisonError{Msg: "expected a JSON object, got null"}
	}
	if rest := bytes.TrimLeft(raw[dec.InputOffset():], " \t"); len(rest) > 0 {
		return c, &ComparisonError{Col: len(raw) - len(rest) + 1, Msg: "unexpected text after the JSON object (one object per line)"}
	}
	var perr *ComparisonError
	str := func(key string, required bool) string {
		v, ok := fields[key]
		if !ok {
			if required && perr == nil {
				perr = &ComparisonError{Msg: fmt.Sprintf("missing field %q", key)}
			}
			return ""
		}
		s, err := stringOrNumber(v)
		if err != nil && perr == nil {
			perr = &ComparisonError{Msg: fmt.Sprintf("field %q: %v", key, err)}
		}
		return s
	}
	c.Context = str("context", false)
	c.A = str("a", true)
	c.B = str("b", true)
	win := str("winner", true)
	c.Annotator = str("annotator", false)
	if perr != nil {
		return c, perr
	}
	switch win {
	case "a":
		c.Winner = WinnerA
	case "b":
		c.Winner = WinnerB
	case "tie":
		c.Winner = WinnerTie
	default:
		return c, &ComparisonError{Msg: fmt.Sprintf(`field "winner": expected "a", "b" or "tie", got %q`, win)}
	}
	if c.A == c.B {
		return c, &ComparisonError{Msg: fmt.Sprintf(`fields "a" and "b" are both %q: a response is not compared with itself`, c.A)}
	}
	c.Weight = 1
	if v, ok := fields["weight"]; ok {
		var num json.Number
		if err := json.Unmarshal(v, &num); err != nil || describeJSON(v) != "a number" {
			return c, &ComparisonError{Msg: fmt.Sprintf(`field "weight": expected a positive number, got %s`, describeJSON(v))}
		}
		w, err := num.Float64()
		if err != nil || !(w > 0) || math.IsInf(w, 0) {
			return c, &ComparisonError{Msg: fmt.Sprintf(`field "weight": expected a finite positive number, got %s`, num)}
		}
		c.Weight = w
	}
	return c, nil
}

// stringOrNumber returns a JSON string's value or a JSON number's literal.
func stringOrNumber(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var num json.Number
	if err := json.Unmarshal(v, &num); err == nil {
		return num.String(), nil
	}
	return "", fmt.Errorf("expected a string, got %s", describeJSON(v))
}

func describeJSON(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// column converts a byte offset into a line to a 1-based column counted in
// bytes, clamped to the line.
func column(raw []byte, off int64) int {
	switch {
	case off < 1:
		return 1
	case off > int64(len(raw)):
		return len(raw) + 1
	}
	return int(off)
}

// WriteComparisons writes cs as JSON Lines in the format ReadComparisons
// reads (weight omitted when 1, annotator and context when empty).
func WriteComparisons(w io.Writer, cs []Comparison) error {
	bw := bufio.NewWriter(w)
	type rec struct {
		Context   string   `json:"context,omitempty"`
		A         string   `json:"a"`
		B         string   `json:"b"`
		Winner    string   `json:"winner"`
		Annotator string   `json:"annotator,omitempty"`
		Weight    *float64 `json:"weight,omitempty"`
	}
	enc := json.NewEncoder(bw)
	for i, c := range cs {
		if c.Winner < WinnerA || c.Winner > WinnerTie {
			return fmt.Errorf("game: comparison %d has no winner", i+1)
		}
		r := rec{Context: c.Context, A: c.A, B: c.B, Winner: c.Winner.String(), Annotator: c.Annotator}
		if c.Weight != 0 && c.Weight != 1 {
			wt := c.Weight
			r.Weight = &wt
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// EstimateOptions controls how judgements become preference matrices.
//
// For each context and unordered pair {a, b}, let n be the total weight of
// judgements of that pair and s the weight of those a won, a tie counting
// one half. The smoothed estimate is the posterior mean under a Beta prior of
// strength Alpha centred on p0:
//
//	P[a][b] = (s + Alpha·p0) / (n + Alpha),   P[b][a] = 1 − P[a][b],
//
// so a pair without data gets p0, and Alpha = 0 is the raw frequency (pairs
// without data still get p0). p0 is 1/2 (Prior "half", the default) or the
// pooled estimate of the pair over all contexts, itself smoothed toward 1/2
// (Prior "pooled": contexts with little data borrow strength from the rest).
type EstimateOptions struct {
	// Alpha is the prior strength in pseudo-judgements; 0 means the
	// default, 1. NoSmoothing sets it to 0 (raw frequencies).
	Alpha       float64
	NoSmoothing bool
	// Prior is "half" (default) or "pooled".
	Prior string
	// Annotators is "pooled" (default: every judgement counts by its weight,
	// whoever made it) or "equal" (each annotator's smoothed estimate of a
	// pair is averaged with equal weight over the annotators who judged
	// that pair in that context). AnnotatorWeights, when set, replaces the
	// equal weights and must name every annotator in the data.
	Annotators       string
	AnnotatorWeights map[string]float64
	// Responses fixes the response set and order; when nil, responses are
	// every name appearing in the data, in order of first appearance, and
	// every context has all of them (pairs never judged in a context get p0).
	Responses []string
}

func (o *EstimateOptions) alpha() float64 {
	if o.NoSmoothing {
		return 0
	}
	if o.Alpha == 0 {
		return 1
	}
	return o.Alpha
}

// EstimatePreference turns judgements into a preference game with one
// context per distinct context label (in order of first appearance), as
// described at EstimateOptions. Errors name the offending record's line.
func EstimatePreference(cs []Comparison, opt EstimateOptions, name string) (*Preference, error) {
	alpha := opt.alpha()
	if !(alpha >= 0) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("game: smoothing alpha %v: want a finite number ≥ 0", alpha)
	}
	prior := opt.Prior
	if prior == "" {
		prior = "half"
	}
	if prior != "half" && prior != "pooled" {
		return nil, fmt.Errorf("game: prior %q: want half or pooled", opt.Prior)
	}
	mode := opt.Annotators
	if mode == "" {
		mode = "pooled"
		if opt.AnnotatorWeights != nil {
			mode = "equal"
		}
	}
	if mode != "pooled" && mode != "equal" {
		return nil, fmt.Errorf("game: annotators %q: want pooled or equal", opt.Annotators)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("game: %s: no judgements", name)
	}
	loc := func(c Comparison, format string, args ...any) error {
		return &ComparisonError{File: name, Line: c.Line, Msg: fmt.Sprintf(format, args...)}
	}

	respIdx := map[string]int{}
	var responses []string
	fixed := opt.Responses != nil
	for i, r := range opt.Responses {
		if _, dup := respIdx[r]; dup {
			return nil, fmt.Errorf("game: response %q listed twice", r)
		}
		respIdx[r] = i
		responses = append(responses, r)
	}
	ctxIdx := map[string]int{}
	var contexts []string
	annIdx := map[string]int{}
	var annotators []string
	for _, c := range cs {
		for _, r := range []string{c.A, c.B} {
			if _, ok := respIdx[r]; !ok {
				if fixed {
					return nil, loc(c, "response %q is not in the configured response list", r)
				}
				respIdx[r] = len(responses)
				responses = append(responses, r)
			}
		}
		if _, ok := ctxIdx[c.Context]; !ok {
			ctxIdx[c.Context] = len(contexts)
			contexts = append(contexts, c.Context)
		}
		if _, ok := annIdx[c.Annotator]; !ok {
			if opt.AnnotatorWeights != nil {
				w, ok := opt.AnnotatorWeights[c.Annotator]
				if !ok {
					return nil, loc(c, "annotator %q has no configured weight", c.Annotator)
				}
				if !(w >= 0) || math.IsInf(w, 0) {
					return nil, fmt.Errorf("game: annotator %q weight %v: want a finite number ≥ 0", c.Annotator, w)
				}
			}
			annIdx[c.Annotator] = len(annotators)
			annotators = append(annotators, c.Annotator)
		}
		if c.A == c.B {
			return nil, loc(c, "response %q compared with itself", c.A)
		}
		if c.Weight < 0 || math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) {
			return nil, loc(c, "weight %v: want a finite positive number", c.Weight)
		}
	}
	k, n := len(responses), len(contexts)
	if k < 2 {
		return nil, fmt.Errorf("game: %s: %d distinct response(s), want at least 2", name, k)
	}
	if mode == "pooled" {
		annotators = []string{""}
	}
	na := len(annotators)
	// won[((a·n + c)·k + i)·k + j]: weight of i beating j (ties split), i ≠ j.
	won := make([]float64, na*n*k*k)
	for _, c := range cs {
		a := 0
		if mode == "equal" {
			a = annIdx[c.Annotator]
		}
		ci, i, j := ctxIdx[c.Context], respIdx[c.A], respIdx[c.B]
		w := c.Weight
		if w == 0 {
			w = 1
		}
		base := (a*n + ci) * k * k
		switch c.Winner {
		case WinnerA:
			won[base+i*k+j] += w
		case WinnerB:
			won[base+j*k+i] += w
		case WinnerTie:
			won[base+i*k+j] += w / 2
			won[base+j*k+i] += w / 2
		default:
			return nil, loc(c, "judgement has no winner")
		}
	}
	// Pooled prior over contexts (and annotators), smoothed toward 1/2.
	p0 := make([]float64, k*k)
	for i := range p0 {
		p0[i] = 0.5
	}
	if prior == "pooled" {
		for i := range k {
			for j := i + 1; j < k; j++ {
				s, tot := 0.0, 0.0
				for b := range na * n {
					wij, wji := won[b*k*k+i*k+j], won[b*k*k+j*k+i]
					s += wij
					tot += wij + wji
				}
				if tot+alpha > 0 {
					p0[i*k+j] = (s + alpha*0.5) / (tot + alpha)
				}
				p0[j*k+i] = 1 - p0[i*k+j]
			}
		}
	}
	g := newPreference(n, k, false)
	copy(g.Contexts, contexts)
	copy(g.Responses, responses)
	for ci := range n {
		m := g.p[ci*k*k : (ci+1)*k*k]
		for i := range k {
			m[i*k+i] = 0.5
			for j := i + 1; j < k; j++ {
				est, wsum := 0.0, 0.0
				for a := range na {
					base := (a*n + ci) * k * k
					wij, wji := won[base+i*k+j], won[base+j*k+i]
					tot := wij + wji
					if tot == 0 && na > 1 {
						continue // this annotator did not judge the pair here
					}
					v := p0[i*k+j]
					if tot+alpha > 0 {
						v = (wij + alpha*p0[i*k+j]) / (tot + alpha)
					}
					aw := 1.0
					if opt.AnnotatorWeights != nil {
						aw = opt.AnnotatorWeights[annotators[a]]
					}
					est += aw * v
					wsum += aw
				}
				v := p0[i*k+j]
				if wsum > 0 {
					v = est / wsum
				}
				m[i*k+j], m[j*k+i] = v, 1-v
			}
		}
	}
	return g, nil
}

// LoadComparisons reads a JSONL comparison file and estimates its
// preference game (see ReadComparisons and EstimatePreference).
func LoadComparisons(path string, opt EstimateOptions) (*Preference, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cs, err := ReadComparisons(f, path)
	if err != nil {
		return nil, err
	}
	return EstimatePreference(cs, opt, path)
}
