package league

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// BattleFormat names an input format for battles.
type BattleFormat string

// Battle input formats.
const (
	// FormatJSONL is one JSON object per line:
	// {"a": "name", "b": "name", "winner": "a" | "b" | "tie"}.
	FormatJSONL BattleFormat = "jsonl"
	// FormatArena is Chatbot Arena battle data: objects with model_a,
	// model_b and winner ∈ model_a, model_b, tie, "tie (bothbad)", either
	// as one JSON array or one object per line. Other fields are ignored.
	FormatArena BattleFormat = "arena"
	// FormatCSV is a CSV file with a header row; CSVColumns names the
	// columns to read.
	FormatCSV BattleFormat = "csv"
)

// ErrMalformed marks a malformed battle record. Errors wrapping it are
// *LineError values that name the file and line.
var ErrMalformed = errors.New("malformed battle")

// LineError is a problem with one input record.
type LineError struct {
	File string
	Line int // 1-based line where the record starts
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *LineError) Unwrap() error { return ErrMalformed }

// CSVColumns names the CSV columns holding the two players and the result:
// either Winner, or ScoreA and ScoreB (the higher score wins, equal scores
// tie). Empty fields are guessed from the header: a/b/winner,
// model_a/model_b/winner, or home_team/away_team/home_score/away_score.
//
// A winner cell may hold a, b, model_a, model_b, the winning player's name,
// or tie, draw or "tie (bothbad)" (case-insensitive), or a chess-style
// result: 1-0, 0-1, 1/2-1/2 or ½-½.
type CSVColumns struct {
	A, B, Winner, ScoreA, ScoreB string
}

// ReadOptions controls ReadBattles.
type ReadOptions struct {
	// Format is the input format; empty means detect it from the content.
	Format BattleFormat
	// Strict makes the first malformed record an error. Otherwise
	// malformed records are skipped and counted in ReadStats.
	Strict bool
	// Columns selects CSV columns.
	Columns CSVColumns
}

// maxReportedErrors bounds ReadStats.Errors; the count stays exact.
const maxReportedErrors = 10

// ReadStats describes what ReadBattles read.
type ReadStats struct {
	Format    BattleFormat
	Records   int          // records seen, malformed ones included
	Added     int          // battles added
	Malformed int          // malformed records skipped
	Errors    []*LineError // the first few malformed records
	SelfPlay  int          // records whose two players are the same (skipped)
}

// skip records a malformed record, or returns it as an error in strict mode.
func (st *ReadStats) skip(strict bool, e *LineError) error {
	if strict {
		return e
	}
	st.Malformed++
	if len(st.Errors) < maxReportedErrors {
		st.Errors = append(st.Errors, e)
	}
	return nil
}

// ReadBattleFile reads the battles in the file at path into bs.
func ReadBattleFile(path string, bs *Battles, opt ReadOptions) (ReadStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return ReadStats{}, err
	}
	defer f.Close()
	return ReadBattles(f, path, bs, opt)
}

// ReadBattles streams battles from r, named name in messages, appending
// them to bs. Players are interned in first-seen order.
//
// A record that cannot be read (bad JSON on a line, a missing field, an
// unknown winner) is malformed: it is skipped and counted, or returned as a
// *LineError when opt.Strict is set. Errors that make the rest of the input
// unreadable (a syntax error inside a JSON array, a missing CSV column, an
// I/O error) are returned regardless. A record whose two players are the
// same carries no information about either; it is skipped and counted in
// SelfPlay.
func ReadBattles(r io.Reader, name string, bs *Battles, opt ReadOptions) (ReadStats, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	format := opt.Format
	if format == "" {
		var err error
		if format, err = detectFormat(br); err != nil {
			return ReadStats{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	st := ReadStats{Format: format}
	var err error
	switch format {
	case FormatJSONL:
		err = readJSONLines(br, name, bs, opt.Strict, &st, jsonlSchema)
	case FormatArena:
		if c, _ := firstByte(br); c == '[' {
			err = readArenaArray(br, name, bs, opt.Strict, &st)
		} else {
			err = readJSONLines(br, name, bs, opt.Strict, &st, arenaSchema)
		}
	case FormatCSV:
		err = readCSV(br, name, bs, opt, &st)
	default:
		return st, fmt.Errorf("%s: unknown format %q: expected jsonl, arena or csv", name, format)
	}
	return st, err
}

// firstByte returns the first byte of br that is not white space or a
// UTF-8 byte order mark, without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for n := 1; ; n++ {
		buf, err := br.Peek(n)
		if len(buf) < n {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		c := buf[n-1]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case n <= 3 && bytes.HasPrefix([]byte("\xef\xbb\xbf"), buf):
		default:
			return c, nil
		}
		if n == br.Size() {
			return 0, errors.New("no data in the first 64 KiB")
		}
	}
}

// detectFormat looks at the start of the input: a JSON array is Arena data,
// JSON lines are Arena data when the first object has model_a and jsonl
// otherwise, and anything else is CSV.
func detectFormat(br *bufio.Reader) (BattleFormat, error) {
	c, err := firstByte(br)
	if err == io.EOF {
		return "", errors.New("empty input")
	}
	if err != nil {
		return "", err
	}
	switch c {
	case '[':
		return FormatArena, nil
	case '{':
		buf, _ := br.Peek(br.Size())
		line := bytes.TrimLeft(buf, " \t\r\n\xef\xbb\xbf")
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(line, &probe) == nil {
			if _, ok := probe["model_a"]; ok {
				return FormatArena, nil
			}
		}
		return FormatJSONL, nil
	}
	return FormatCSV, nil
}

// maxLine bounds one JSON line, so a file without newlines fails clearly
// instead of exhausting memory.
const maxLine = 16 << 20

// readJSONLines reads one JSON object per line, skipping blank lines.
func readJSONLines(br *bufio.Reader, name string, bs *Battles, strict bool, st *ReadStats, schema *jsonSchema) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 1<<16), maxLine)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		st.Records++
		b, msg := schema.parse(line)
		if msg != "" {
			if err := st.skip(strict, &LineError{File: name, Line: lineNo, Msg: msg}); err != nil {
				return err
			}
			continue
		}
		st.addBytes(bs, b)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, lineNo+1, maxLine)
		}
		return fmt.Errorf("%s:%d: %w", name, lineNo+1, err)
	}
	return nil
}

// namedBattle is a CSV battle read but not yet interned.
type namedBattle struct {
	a, b    string
	outcome BattleOutcome
}

// add appends b to bs unless it is a self-play battle, which is counted
// without interning its player.
func (st *ReadStats) add(bs *Battles, b namedBattle) {
	if b.a == b.b {
		st.SelfPlay++
		return
	}
	bs.List = append(bs.List, Battle{A: bs.Intern(b.a), B: bs.Intern(b.b), Outcome: b.outcome})
	st.Added++
}

// addBytes is add for names still in the input buffer: a name seen
// before costs no allocation.
func (st *ReadStats) addBytes(bs *Battles, b rawBattle) {
	if bytes.Equal(b.a, b.b) {
		st.SelfPlay++
		return
	}
	bs.List = append(bs.List, Battle{A: bs.internBytes(b.a), B: bs.internBytes(b.b), Outcome: b.outcome})
	st.Added++
}

// unmarshalObject decodes one JSON object into v and describes what went
// wrong, if anything.
func unmarshalObject(data []byte, v any) string {
	return decodeMessage(json.Unmarshal(data, v))
}

// decodeMessage describes a JSON decoding error for a LineError.
func decodeMessage(err error) string {
	if err == nil {
		return ""
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return fmt.Sprintf("expected a JSON object, found %s", te.Value)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: expected a string, found %s", te.Field, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return "invalid JSON: " + err.Error()
}

// csvLayout is the resolved column indices of a CSV file.
type csvLayout struct {
	a, b, winner, scoreA, scoreB int // -1 when unused
	need                         int // record length needed
	byScore                      bool
}

// readCSV reads a CSV file with a header row.
func readCSV(br *bufio.Reader, name string, bs *Battles, opt ReadOptions, st *ReadStats) error {
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return fmt.Errorf("%s: empty CSV file: expected a header row", name)
	}
	if err != nil {
		return fmt.Errorf("%s: header: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\xef\xbb\xbf")
	}
	lay, err := resolveColumns(header, opt.Columns)
	if err != nil {
		return fmt.Errorf("%s:1: %w", name, err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			st.Records++
			if err := st.skip(opt.Strict, &LineError{File: name, Line: pe.StartLine, Msg: pe.Err.Error()}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue // a blank line inside quotes-free data
		}
		st.Records++
		b, msg := lay.battle(rec)
		if msg != "" {
			if err := st.skip(opt.Strict, &LineError{File: name, Line: line, Msg: msg}); err != nil {
				return err
			}
			continue
		}
		st.add(bs, b)
	}
}

// resolveColumns finds the columns named in cols, or guesses them.
func resolveColumns(header []string, cols CSVColumns) (csvLayout, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	if cols == (CSVColumns{}) {
		for _, guess := range []CSVColumns{
			{A: "a", B: "b", Winner: "winner"},
			{A: "model_a", B: "model_b", Winner: "winner"},
			{A: "home_team", B: "away_team", ScoreA: "home_score", ScoreB: "away_score"},
		} {
			if hasAll(pos, guess) {
				cols = guess
				break
			}
		}
		if cols == (CSVColumns{}) {
			return csvLayout{}, fmt.Errorf("cannot guess the columns from header %q: name them with the CSV column options (a, b and winner, or a, b, score-a and score-b)", strings.Join(header, ","))
		}
	}
	if cols.A == "" || cols.B == "" {
		return csvLayout{}, errors.New("CSV columns: both player columns (a and b) are needed")
	}
	byScore := cols.Winner == ""
	switch {
	case byScore && (cols.ScoreA == "" || cols.ScoreB == ""):
		return csvLayout{}, errors.New("CSV columns: give either a winner column or both score columns")
	case !byScore && (cols.ScoreA != "" || cols.ScoreB != ""):
		return csvLayout{}, errors.New("CSV columns: give either a winner column or score columns, not both")
	}
	lay := csvLayout{a: -1, b: -1, winner: -1, scoreA: -1, scoreB: -1, byScore: byScore}
	for _, c := range []struct {
		name string
		dst  *int
	}{{cols.A, &lay.a}, {cols.B, &lay.b}, {cols.Winner, &lay.winner}, {cols.ScoreA, &lay.scoreA}, {cols.ScoreB, &lay.scoreB}} {
		if c.name == "" {
			continue
		}
		i, ok := pos[c.name]
		if !ok {
			return csvLayout{}, fmt.Errorf("column %q not in header %q", c.name, strings.Join(header, ","))
		}
		*c.dst = i
		lay.need = max(lay.need, i+1)
	}
	return lay, nil
}

func hasAll(pos map[string]int, c CSVColumns) bool {
	for _, n := range []string{c.A, c.B, c.Winner, c.ScoreA, c.ScoreB} {
		if _, ok := pos[n]; n != "" && !ok {
			return false
		}
	}
	return true
}

// battle reads one record.
func (l *csvLayout) battle(rec []string) (namedBattle, string) {
	if len(rec) < l.need {
		return namedBattle{}, fmt.Sprintf("%d fields, expected at least %d", len(rec), l.need)
	}
	a, b := rec[l.a], rec[l.b]
	if a == "" || b == "" {
		return namedBattle{}, "empty player name"
	}
	var o BattleOutcome
	if l.byScore {
		sa, err := strconv.ParseFloat(strings.TrimSpace(rec[l.scoreA]), 64)
		if err != nil || sa != sa {
			return namedBattle{}, fmt.Sprintf("score %q: expected a number", rec[l.scoreA])
		}
		sb, err := strconv.ParseFloat(strings.TrimSpace(rec[l.scoreB]), 64)
		if err != nil || sb != sb {
			return namedBattle{}, fmt.Sprintf("score %q: expected a number", rec[l.scoreB])
		}
		switch {
		case sa > sb:
			o = AWins
		case sa < sb:
			o = BWins
		default:
			o = Tie
		}
	} else {
		w := strings.TrimSpace(rec[l.winner])
		switch {
		case strings.EqualFold(w, "a"), strings.EqualFold(w, "model_a"), w == "1-0", w == a:
			o = AWins
		case strings.EqualFold(w, "b"), strings.EqualFold(w, "model_b"), w == "0-1", w == b:
			o = BWins
		case strings.EqualFold(w, "tie"), strings.EqualFold(w, "draw"), strings.EqualFold(w, "tie (bothbad)"),
			w == "1/2-1/2", w == "½-½":
			o = Tie
		default:
			return namedBattle{}, fmt.Sprintf("winner %q: expected a, b, model_a, model_b, a player's name, tie, draw, 1-0, 0-1 or 1/2-1/2", w)
		}
	}
	return namedBattle{a: a, b: b, outcome: o}, ""
}
