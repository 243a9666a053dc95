package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/selfplay-lab/selfplay/internal/config"
)

// MaxLineBytes bounds one metrics.jsonl line.
const MaxLineBytes = 1 << 20

// ReadDir reads DIR/metrics.jsonl.
func ReadDir(dir string) ([]Row, error) {
	return Read(filepath.Join(dir, MetricsFile))
}

// Read reads a metrics.jsonl file. See Decode.
func Read(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Decode(path, f)
}

// Decode reads metrics rows, one JSON object per line, from r; name is the
// file name for error messages. Every line must have "run" and "algorithm"
// (strings), "seed" and "step" (non-negative integers); every other field is
// a metric whose value is a number or null (NaN). Blank lines are skipped.
// The first problem is returned as a *config.Error naming the line, the
// column when known, and the field.
func Decode(name string, r io.Reader) ([]Row, error) {
	br := bufio.NewReader(r)
	var rows []Row
	for lineNo := 1; ; lineNo++ {
		line, complete, err := readLine(br)
		if err != nil {
			var tooLong *lineTooLong
			if errors.As(err, &tooLong) {
				return nil, &config.Error{File: name, Line: lineNo, Msg: err.Error()}
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if line == nil {
			return rows, nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		row, perr := parseRow(line)
		if perr != nil {
			perr.File, perr.Line = name, lineNo
			if !complete {
				perr.Msg += " (the last line is incomplete: the run was probably killed while writing it; delete it to read the rest)"
			}
			return nil, perr
		}
		rows = append(rows, row)
	}
}

type lineTooLong struct{}

func (*lineTooLong) Error() string {
	return fmt.Sprintf("line longer than %d bytes", MaxLineBytes)
}

// readLine returns the next line without its end of line; complete is false
// for a last line without a newline. It returns a nil line at the end.
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxLineBytes {
			return nil, false, &lineTooLong{}
		}
		switch {
		case err == nil:
			line = bytes.TrimSuffix(line[:len(line)-1], []byte{'\r'})
			if line == nil {
				line = []byte{}
			}
			return line, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, false, nil
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}

// parseRow parses one line. Errors come back without file and line.
func parseRow(line []byte) (Row, *config.Error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	// at is the 1-based column of the token that starts after offset off,
	// skipping the separators the decoder consumed before it.
	at := func(off int64) int {
		i := int(off)
		for i < len(line) && strings.IndexByte(" \t\r\n,:", line[i]) >= 0 {
			i++
		}
		return i + 1
	}
	failAt := func(col int, field, format string, args ...any) (Row, *config.Error) {
		return Row{}, &config.Error{Column: col, Path: field, Msg: fmt.Sprintf(format, args...)}
	}
	syntax := func(err error) (Row, *config.Error) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Row{}, &config.Error{Column: int(se.Offset) + 1, Msg: "invalid JSON: " + se.Error()}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Row{}, &config.Error{Column: len(line) + 1, Msg: "invalid JSON: unexpected end of line"}
		}
		return Row{}, &config.Error{Msg: "invalid JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return failAt(at(0), "", "expected a JSON object, found %s", describeToken(tok))
	}
	row := Row{Metrics: map[string]float64{}}
	seen := map[string]bool{}
	for dec.More() {
		keyCol := at(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key := tok.(string) // object keys are always strings
		if key == "" {
			return failAt(keyCol, "", "empty field name")
		}
		if seen[key] {
			return failAt(keyCol, key, "duplicate field")
		}
		seen[key] = true
		valCol := at(dec.InputOffset())
		fail := func(format string, args ...any) (Row, *config.Error) {
			return failAt(valCol, key, format, args...)
		}
		val, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		switch key {
		case FieldRun, FieldAlgorithm:
			s, ok := val.(string)
			if !ok {
				return fail("expected a string, found %s", describeToken(val))
			}
			if key == FieldRun {
				row.Run = s
			} else {
				row.Algorithm = s
			}
		case FieldSeed:
			n, ok := val.(json.Number)
			u, err := strconv.ParseUint(string(n), 10, 64)
			if !ok || err != nil {
				return fail("expected a non-negative integer, found %s", describeToken(val))
			}
			row.Seed = u
		case FieldStep:
			n, ok := val.(json.Number)
			i, err := strconv.ParseInt(string(n), 10, 0)
			if !ok || err != nil || i < 0 {
				return fail("expected a non-negative integer, found %s", describeToken(val))
			}
			row.Step = int(i)
		default:
			switch v := val.(type) {
			case nil:
				row.Metrics[key] = math.NaN()
			case json.Number:
				x, err := strconv.ParseFloat(string(v), 64)
				if err != nil && !errors.Is(err, strconv.ErrRange) {
					return fail("expected a number or null, found %s", describeToken(val))
				}
				row.Metrics[key] = x // ±Inf on overflow, as written for infinities
			default:
				return fail("expected a number or null, found %s", describeToken(val))
			}
		}
	}
	closeCol := at(dec.InputOffset())
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err)
	}
	for _, k := range []string{FieldRun, FieldAlgorithm, FieldSeed, FieldStep} {
		if !seen[k] {
			return failAt(closeCol, "", "missing field %q", k)
		}
	}
	extraCol := at(dec.InputOffset())
	if _, err := dec.Token(); err == nil {
		return failAt(extraCol, "", "extra data after the object (one object per line)")
	} else if !errors.Is(err, io.EOF) {
		return syntax(err)
	}
	return row, nil
}

func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return string(t)
	case string:
		if len(t) > 40 {
			t = t[:37] + "..."
		}
		return strconv.Quote(t)
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return string(t)
	}
	return fmt.Sprint(tok)
}
