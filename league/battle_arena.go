package league

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readArenaArray streams the elements of one top-level JSON array, the
// layout of Chatbot Arena's public battle files (each element a battle
// with many fields besides model_a, model_b and winner). An element that is
// valid JSON but not a battle is malformed and skipped; invalid JSON
// leaves the rest of the array unreadable and is returned.
//
// The array is cut into elements by bracket matching, each element is
// checked by json.Valid, and the three fields are picked out by a scanner
// that skips the others without decoding them; an element the scanner
// does not handle goes through encoding/json. This reads the public files
// several times faster than json.Decoder.
func readArenaArray(br *bufio.Reader, name string, bs *Battles, strict bool, st *ReadStats) error {
	sp := &arraySplitter{r: br, line: 1, keep: -1}
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	sp.skipBOM()
	if c, ok := sp.skipSpace(); !ok || c != '[' {
		return fail(sp.line, "expected a JSON array")
	}
	sp.i++
	c, ok := sp.skipSpace()
	for ok && c != ']' {
		line := sp.line
		elem, err := sp.value()
		if err != nil {
			return fail(sp.line, "%v", err)
		}
		st.Records++
		if !json.Valid(elem) {
			var v any
			err := json.Unmarshal(elem, &v)
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line += bytes.Count(elem[:min(int(se.Offset), len(elem))], []byte{'\n'})
			}
			return fail(line, "invalid JSON: %v", err)
		}
		f, flat := arenaSchema.scanObject(elem)
		msg := ""
		if !flat {
			f, msg = arenaSchema.decode(elem)
		}
		var b rawBattle
		if msg == "" {
			b, msg = arenaSchema.check(f)
		}
		if msg != "" {
			if err := st.skip(strict, &LineError{File: name, Line: line, Msg: msg}); err != nil {
				return err
			}
		} else {
			st.addBytes(bs, b)
		}
		if c, ok = sp.skipSpace(); ok && c != ']' {
			if c != ',' {
				return fail(sp.line, "invalid JSON: expected ',' or ']' after an array element, found %q", c)
			}
			sp.i++
			c, ok = sp.skipSpace()
			if c == ']' {
				return fail(sp.line, "invalid JSON: ']' after ','")
			}
		}
	}
	if !ok {
		if err := sp.err(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return fail(sp.line, "unexpected end of input inside the JSON array")
	}
	sp.i++ // the closing ']'
	if _, ok := sp.skipSpace(); ok {
		return fail(sp.line, "unexpected data after the JSON array")
	}
	if err := sp.err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// arraySplitter reads JSON values from a stream without decoding them,
// counting lines.
type arraySplitter struct {
	r       io.Reader
	buf     []byte
	i, n    int // scan position and end of data in buf
	keep    int // start of the value being cut, or −1
	line    int // line of buf[i]
	readErr error
}

// ensure makes buf[i] available, reading more input (and keeping
// buf[keep:] when a value is being cut); false at the end of input or on
// a read error.
func (s *arraySplitter) ensure() bool {
	if s.i < s.n {
		return true
	}
	if s.readErr != nil {
		return false
	}
	from := s.i
	if s.keep >= 0 {
		from = s.keep
		s.keep = 0
	}
	copy(s.buf, s.buf[from:s.n])
	s.n -= from
	s.i -= from
	if s.n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, max(len(s.buf), 1<<16))...)
	}
	for s.i >= s.n && s.readErr == nil {
		k, err := s.r.Read(s.buf[s.n:])
		s.n += k
		s.readErr = err
	}
	return s.i < s.n
}

// err is the read error that stopped the splitter, if not the end of input.
func (s *arraySplitter) err() error {
	if errors.Is(s.readErr, io.EOF) {
		return nil
	}
	return s.readErr
}

func (s *arraySplitter) skipBOM() {
	for _, c := range []byte("\xef\xbb\xbf") {
		if !s.ensure() || s.buf[s.i] != c {
			return
		}
		s.i++
	}
}

// skipSpace skips JSON white space and returns the next byte.
func (s *arraySplitter) skipSpace() (byte, bool) {
	for s.ensure() {
		switch c := s.buf[s.i]; c {
		case '\n':
			s.line++
			fallthrough
		case ' ', '\t', '\r':
			s.i++
		default:
			return c, true
		}
	}
	return 0, false
}

// value cuts the JSON value starting at buf[i] (see scanValueEnd); whether
// it is valid JSON is for the caller to check.
func (s *arraySplitter) value() ([]byte, error) {
	s.keep = s.i
	defer func() { s.keep = -1 }()
	for {
		end, lines, ok := scanValueEnd(s.buf[s.keep:s.n])
		if ok {
			s.i = s.keep + end
			s.line += lines
			return s.buf[s.keep:s.i], nil
		}
		if s.readErr != nil {
			if err := s.err(); err != nil {
				return nil, err
			}
			return nil, errors.New("unexpected end of input inside the JSON array")
		}
		if s.n-s.keep > maxLine {
			return nil, fmt.Errorf("array element longer than %d bytes", maxLine)
		}
		// Read at least as much again before rescanning, so a long
		// element costs a few scans, not one per read.
		for want := 2*(s.n-s.keep) + 4096; s.n-s.keep < want && s.readErr == nil; {
			s.i = s.n
			s.ensure()
		}
	}
}

// scanValueEnd finds the end of the JSON value at the start of data: an
// object or array by bracket matching outside strings, a string at its
// closing quote, anything else at the next delimiter. It counts the line
// breaks outside strings (inside, they would be invalid JSON anyway), and
// reports false when data ends first. Strings are skipped with
// bytes.IndexByte, checking that a quote is not escaped by an odd run of
// backslashes.
func scanValueEnd(data []byte) (end, lines int, ok bool) {
	depth := 0
	for k := 0; k < len(data); k++ {
		switch data[k] {
		case '"':
			start := k
			for j := k + 1; ; {
				q := bytes.IndexByte(data[j:], '"')
				if q < 0 {
					return 0, 0, false
				}
				q += j
				slashes := 0
				for p := q - 1; p > start && data[p] == '\\'; p-- {
					slashes++
				}
				if slashes%2 == 0 {
					k = q
					break
				}
				j = q + 1
			}
			if depth == 0 {
				return k + 1, lines, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of a scalar, not part of it
				return k, lines, true
			}
			depth--
			if depth == 0 {
				return k + 1, lines, true
			}
		case '\n':
			if depth == 0 {
				return k, lines, true
			}
			lines++
		case ',', ' ', '\t', '\r':
			if depth == 0 {
				return k, lines, true
			}
		}
	}
	return 0, 0, false
}

// scanObject picks the schema's fields out of elem, which must be valid
// JSON, skipping every other member's value whatever its type. It
// reports false, leaving the decision to encoding/json, unless elem is an
// object whose keys are plain and whose schema fields are plain strings.
func (s *jsonSchema) scanObject(elem []byte) (f jsonFields, ok bool) {
	i := skipSpace(elem, 0)
	if i >= len(elem) || elem[i] != '{' {
		return f, false
	}
	i = skipSpace(elem, i+1)
	if i < len(elem) && elem[i] == '}' {
		return f, true
	}
	for {
		key, next, ok := plainString(elem, i)
		if !ok {
			return f, false
		}
		i = skipSpace(elem, next) + 1 // past ':'
		i = skipSpace(elem, i)
		field := -1
		for k, name := range s.keys {
			if string(key) == name {
				field = k
				break
			}
		}
		if field < 0 {
			for _, name := range s.keys {
				if strings.EqualFold(string(key), name) {
					return f, false
				}
			}
			i = skipJSONValue(elem, i)
		} else {
			val, next, ok := plainString(elem, i)
			if !ok {
				return f, false
			}
			f.val[field], f.has[field] = val, true
			i = next
		}
		i = skipSpace(elem, i)
		if i >= len(elem) {
			return f, false
		}
		if elem[i] == '}' {
			return f, true
		}
		i = skipSpace(elem, i+1) // past ','
	}
}

// skipJSONValue returns the index just after the valid JSON value at
// data[i].
func skipJSONValue(data []byte, i int) int {
	end, _, ok := scanValueEnd(data[i:])
	if !ok {
		return len(data) // a scalar that ends the data
	}
	return i + end
}
