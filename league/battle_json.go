package league

import (
	"bytes"
	"fmt"
	"strings"
)

// rawBattle is a battle whose names may still point into the input buffer.
type rawBattle struct {
	a, b    []byte
	outcome BattleOutcome
}

// jsonFields are the three values a JSON battle record carries: player A,
// player B and the winner; has[i] is false when field i is missing.
type jsonFields struct {
	val [3][]byte
	has [3]bool
}

// jsonSchema describes one JSON battle format: its three field names and
// the winner values it accepts.
type jsonSchema struct {
	keys     [3]string
	winners  []jsonWinner
	expected string // the winner values, for messages
	// decode is the encoding/json path, the reference for every line.
	decode func(line []byte) (jsonFields, string)
}

type jsonWinner struct {
	text    string
	outcome BattleOutcome
}

var jsonlSchema = &jsonSchema{
	keys:     [3]string{"a", "b", "winner"},
	winners:  []jsonWinner{{"a", AWins}, {"b", BWins}, {"tie", Tie}},
	expected: `"a", "b" or "tie"`,
	decode: func(line []byte) (jsonFields, string) {
		var rec jsonlRecord
		if msg := unmarshalObject(line, &rec); msg != "" {
			return jsonFields{}, msg
		}
		return fieldsOf(rec.A, rec.B, rec.Winner), ""
	},
}

var arenaSchema = &jsonSchema{
	keys:     [3]string{"model_a", "model_b", "winner"},
	winners:  []jsonWinner{{"model_a", AWins}, {"model_b", BWins}, {"tie", Tie}, {"tie (bothbad)", Tie}},
	expected: `"model_a", "model_b", "tie" or "tie (bothbad)"`,
	decode: func(line []byte) (jsonFields, string) {
		var rec arenaRecord
		if msg := unmarshalObject(line, &rec); msg != "" {
			return jsonFields{}, msg
		}
		return rec.fields(), ""
	},
}

// jsonlRecord is one jsonl battle. Pointers tell a missing field from an
// empty one.
type jsonlRecord struct {
	A      *string `json:"a"`
	B      *string `json:"b"`
	Winner *string `json:"winner"`
}

// arenaRecord is one Chatbot Arena battle; the many other fields of the
// public files are skipped by the decoder.
type arenaRecord struct {
	ModelA *string `json:"model_a"`
	ModelB *string `json:"model_b"`
	Winner *string `json:"winner"`
}

func (r *arenaRecord) fields() jsonFields { return fieldsOf(r.ModelA, r.ModelB, r.Winner) }

func fieldsOf(a, b, w *string) jsonFields {
	var f jsonFields
	for i, p := range []*string{a, b, w} {
		if p != nil {
			f.val[i], f.has[i] = []byte(*p), true
		}
	}
	return f
}

// parse reads one line: by the fast scanner when the line is a flat object
// of plain strings, by encoding/json otherwise. Both give the same result
// (FuzzJSONFastPath checks it).
func (s *jsonSchema) parse(line []byte) (rawBattle, string) {
	if f, ok := s.scanFlat(line); ok {
		return s.check(f)
	}
	f, msg := s.decode(line)
	if msg != "" {
		return rawBattle{}, msg
	}
	return s.check(f)
}

// check validates the fields of one record.
func (s *jsonSchema) check(f jsonFields) (rawBattle, string) {
	for i := range 2 {
		switch {
		case !f.has[i]:
			return rawBattle{}, fmt.Sprintf("missing field %q", s.keys[i])
		case len(f.val[i]) == 0:
			return rawBattle{}, fmt.Sprintf("field %q: empty player name", s.keys[i])
		}
	}
	if !f.has[2] {
		return rawBattle{}, fmt.Sprintf("missing field %q", s.keys[2])
	}
	for _, w := range s.winners {
		if string(f.val[2]) == w.text {
			return rawBattle{a: f.val[0], b: f.val[1], outcome: w.outcome}, ""
		}
	}
	return rawBattle{}, fmt.Sprintf("%s %q: expected %s", s.keys[2], f.val[2], s.expected)
}

// scanFlat parses line when it is a JSON object whose values are all
// strings of printable ASCII without escapes, the shape of nearly every
// battle line, and reports the schema's fields. For anything else, valid
// or not, ok is false and encoding/json decides: the scanner never judges
// validity, so it cannot disagree with the reference path. A key that
// matches one of the schema's case-insensitively but not exactly also
// falls back, as encoding/json would accept it.
func (s *jsonSchema) scanFlat(line []byte) (f jsonFields, ok bool) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return f, false
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return f, skipSpace(line, i+1) == len(line)
	}
	for {
		key, next, ok := plainString(line, i)
		if !ok {
			return f, false
		}
		i = skipSpace(line, next)
		if i >= len(line) || line[i] != ':' {
			return f, false
		}
		val, next, ok := plainString(line, skipSpace(line, i+1))
		if !ok {
			return f, false
		}
		matched := false
		for k, name := range s.keys {
			if string(key) == name {
				f.val[k], f.has[k], matched = val, true, true
				break
			}
		}
		if !matched {
			for _, name := range s.keys {
				if strings.EqualFold(string(key), name) {
					return f, false
				}
			}
		}
		i = skipSpace(line, next)
		if i >= len(line) {
			return f, false
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return f, skipSpace(line, i+1) == len(line)
		default:
			return f, false
		}
	}
}

// plainString reads a JSON string at line[i] made only of printable ASCII
// without backslashes, returning its contents and the index after it.
func plainString(line []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(line) || line[i] != '"' {
		return nil, 0, false
	}
	end := bytes.IndexByte(line[i+1:], '"')
	if end < 0 {
		return nil, 0, false
	}
	s = line[i+1 : i+1+end]
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return nil, 0, false
		}
	}
	return s, i + 2 + end, true
}

// skipSpace returns the index of the first non-blank byte at or after i.
func skipSpace(line []byte, i int) int {
	for i < len(line) {
		switch line[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}
