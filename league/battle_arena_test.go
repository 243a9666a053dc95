package league

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// referenceArenaArray is the straightforward json.Decoder reading of an
// Arena array, kept as the reference the fast reader is fuzzed against.
func referenceArenaArray(br *bufio.Reader, name string, bs *Battles, strict bool, st *ReadStats) error {
	lt := &lineTracker{r: br, line: 1}
	dec := json.NewDecoder(lt)
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("%s:%d: invalid JSON: %v", name, lt.lineAt(se.Offset), err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: unexpected end of input inside the JSON array", name, lt.lineAt(dec.InputOffset()))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, err := dec.Token(); err != nil { // the opening '['
		return syntax(err)
	}
	for dec.More() {
		line := lt.elementLine(dec.InputOffset())
		st.Records++
		// The decoder reads a whole element before filling rec, so a type
		// error leaves it at the next element.
		var rec arenaRecord
		err := dec.Decode(&rec)
		var te *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &te) {
			return syntax(err)
		}
		msg := decodeMessage(err)
		var b rawBattle
		if msg == "" {
			b, msg = arenaSchema.check(rec.fields())
		}
		if msg != "" {
			if err := st.skip(strict, &LineError{File: name, Line: line, Msg: msg}); err != nil {
				return err
			}
			continue
		}
		st.addBytes(bs, b)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s:%d: unexpected data after the JSON array", name, lt.lineAt(dec.InputOffset()))
	}
	return nil
}

// lineTracker passes reads through while remembering the bytes a JSON
// decoder has read but not yet consumed, so that decoder offsets, which
// only grow, can be turned into line numbers.
type lineTracker struct {
	r    io.Reader
	buf  []byte // input from offset base on
	base int64
	line int // line number at offset base
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// advance moves base to off (not past the data read), counting newlines.
func (t *lineTracker) advance(off int64) {
	k := min(int(off-t.base), len(t.buf))
	if k <= 0 {
		return
	}
	t.line += bytes.Count(t.buf[:k], []byte{'\n'})
	t.base += int64(k)
	t.buf = append(t.buf[:0], t.buf[k:]...)
}

// lineAt returns the line of byte offset off.
func (t *lineTracker) lineAt(off int64) int {
	t.advance(off)
	return t.line
}

// elementLine returns the line where the next array element starts, given
// the decoder's offset just before it (at a separating comma or blank).
func (t *lineTracker) elementLine(off int64) int {
	t.advance(off)
	line := t.line
	for _, c := range t.buf {
		switch c {
		case '\n':
			line++
		case ' ', '\t', '\r', ',':
		default:
			return line
		}
	}
	return line
}

// FuzzReadArenaArray checks the fast Arena array reader against the
// json.Decoder reference: same battles, same malformed records at the same
// lines, and a fatal error exactly when the reference has one.
func FuzzReadArenaArray(f *testing.F) {
	f.Add([]byte(`[{"model_a":"m1","model_b":"m2","winner":"model_a","meta":{"x":[1,"]}",{"y":null}]}},
 {"model_a": "m2", "model_b": "m1", "winner": "tie (bothbad)"}]`))
	f.Add([]byte("[\n {\"model_a\": \"a\", \"model_b\": 7, \"winner\": \"model_a\"},\n 1, \"s\", [], null\n]"))
	f.Add([]byte(`[{"MODEL_A":"a","model_b":"b","winner":"model_b"},{"model_a":"\u0061","model_b":"b","winner":"tie"}]`))
	f.Add([]byte(`[{"model_a":"a",,}]`))
	f.Add([]byte(`[1,]`))
	f.Add([]byte(`[] x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '[' {
			return // the reader is only called on input starting with '['
		}
		for _, strict := range []bool{false, true} {
			fast, ref := NewBattles(), NewBattles()
			var stFast, stRef ReadStats
			errFast := readArenaArray(bufio.NewReader(bytes.NewReader(data)), "f", fast, strict, &stFast)
			errRef := referenceArenaArray(bufio.NewReader(bytes.NewReader(data)), "f", ref, strict, &stRef)
			if (errFast == nil) != (errRef == nil) {
				t.Fatalf("strict %v: fast error %v, reference error %v", strict, errFast, errRef)
			}
			if errFast != nil && !strict {
				return // broken input: both stop, possibly after different records
			}
			if strict {
				var leF, leR *LineError
				if errors.As(errFast, &leF) != errors.As(errRef, &leR) || (leF != nil && *leF != *leR) {
					t.Fatalf("strict: fast %v, reference %v", errFast, errRef)
				}
				continue
			}
			if !reflect.DeepEqual(fast, ref) {
				t.Fatalf("battles differ:\nfast %v %v\nref  %v %v", fast.Names, fast.List, ref.Names, ref.List)
			}
			if stFast.Records != stRef.Records || stFast.Malformed != stRef.Malformed || !reflect.DeepEqual(stFast.Errors, stRef.Errors) {
				t.Fatalf("stats differ:\nfast %+v\nref  %+v", stFast, stRef)
			}
		}
	})
}

// TestArenaArraySmallReads feeds the reader one byte at a time, so every
// element straddles buffer refills.
func TestArenaArraySmallReads(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[\n")
	for i := range 300 {
		if i > 0 {
			sb.WriteString(",\n")
		}
		fmt.Fprintf(&sb, `  {"model_a": "m%d", "conv": {"text": "%s \" ] }"}, "model_b": "m%d",
    "winner": "model_b"}`, i%7, strings.Repeat("x", i*37), (i+1)%7)
	}
	sb.WriteString("\n]\n")
	bs := NewBattles()
	var st ReadStats
	if err := readArenaArray(bufio.NewReader(iotestOneByte{strings.NewReader(sb.String())}), "in", bs, true, &st); err != nil {
		t.Fatal(err)
	}
	if len(bs.List) != 300 || bs.Names[bs.List[299].A] != "m5" || bs.List[299].Outcome != BWins {
		t.Fatalf("%d battles, last %+v", len(bs.List), bs.List[len(bs.List)-1])
	}
}

// iotestOneByte returns one byte per Read.
type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

var _ = json.Valid

// BenchmarkReadArenaArrayReference is the json.Decoder baseline for
// BenchmarkReadArenaArray.
func BenchmarkReadArenaArrayReference(b *testing.B) {
	data := arenaArray(100000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var st ReadStats
		if err := referenceArenaArray(bufio.NewReader(bytes.NewReader(data)), "bench", NewBattles(), false, &st); err != nil {
			b.Fatal(err)
		}
	}
}
