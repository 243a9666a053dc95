package league

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

// checkRead reads data in format f, leniently and strictly, and checks the
// invariants every reader must keep on any input.
func checkRead(t *testing.T, data []byte, f BattleFormat) *Battles {
	t.Helper()
	bs := NewBattles()
	st, err := ReadBattles(bytes.NewReader(data), "fuzz", bs, ReadOptions{Format: f})
	again := NewBattles()
	st2, err2 := ReadBattles(bytes.NewReader(data), "fuzz", again, ReadOptions{Format: f})
	if !reflect.DeepEqual(bs, again) || !reflect.DeepEqual(st, st2) || (err == nil) != (err2 == nil) {
		t.Fatalf("two reads of the same input differ")
	}
	if err != nil {
		return nil
	}
	if st.Records != st.Added+st.Malformed+st.SelfPlay || st.Added != len(bs.List) {
		t.Fatalf("stats %+v do not add up (%d battles)", st, len(bs.List))
	}
	if len(st.Errors) != min(st.Malformed, maxReportedErrors) {
		t.Fatalf("%d errors kept for %d malformed", len(st.Errors), st.Malformed)
	}
	seen := map[string]bool{}
	for _, n := range bs.Names {
		if n == "" || seen[n] {
			t.Fatalf("bad or duplicate name %q", n)
		}
		seen[n] = true
	}
	for _, b := range bs.List {
		if b.A == b.B || int(b.A) >= len(bs.Names) || int(b.B) >= len(bs.Names) || b.A < 0 || b.B < 0 || b.Outcome > Tie {
			t.Fatalf("bad battle %+v with %d players", b, len(bs.Names))
		}
	}
	strict := NewBattles()
	_, err = ReadBattles(bytes.NewReader(data), "fuzz", strict, ReadOptions{Format: f, Strict: true})
	if st.Malformed == 0 {
		if err != nil || !reflect.DeepEqual(strict.List, bs.List) {
			t.Fatalf("strict read failed on clean input: %v", err)
		}
	} else {
		var le *LineError
		if !errors.As(err, &le) || le.Line != st.Errors[0].Line {
			t.Fatalf("strict error %v, want one at line %d", err, st.Errors[0].Line)
		}
	}
	return bs
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte(`{"a":"x","b":"y","winner":"a"}` + "\n" + `{"a":"y","b":"x","winner":"tie"}`))
	f.Add([]byte("{\"a\":\"x\",\"b\":\"y\",\"winner\":\"q\"}\n\nnot json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs := checkRead(t, data, FormatJSONL)
		if bs == nil {
			return
		}
		// Writing the battles back as jsonl and reading them gives them again.
		var out bytes.Buffer
		for _, b := range bs.List {
			a, bn := bs.Names[b.A], bs.Names[b.B]
			if !utf8.ValidString(a) || !utf8.ValidString(bn) {
				return // JSON cannot carry invalid UTF-8 unchanged
			}
			line, _ := json.Marshal(map[string]string{"a": a, "b": bn, "winner": b.Outcome.String()})
			out.Write(append(line, '\n'))
		}
		back := NewBattles()
		if _, err := ReadBattles(&out, "back", back, ReadOptions{Format: FormatJSONL, Strict: true}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(battleStrings(back), battleStrings(bs)) {
			t.Fatalf("round trip changed the battles")
		}
	})
}

func FuzzReadArena(f *testing.F) {
	f.Add([]byte(`[{"model_a":"m1","model_b":"m2","winner":"model_a"},{"model_a":"m2","model_b":"m1","winner":"tie (bothbad)"}]`))
	f.Add([]byte(`{"model_a":"m1","model_b":"m2","winner":"model_b"}` + "\n" + `{"model_a":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, FormatArena)
		checkRead(t, data, "") // detection must not break anything either
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("home_team,away_team,home_score,away_score\nx,y,1,0\nx,y,NA,1\n"))
	f.Add([]byte("a,b,winner\nx,y,a\ny,x,\"tie\"\nx,\"y\"z,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, FormatCSV)
	})
}

// FuzzJSONFastPath checks that the flat-object scanner, when it accepts a
// line, reads exactly what encoding/json reads.
func FuzzJSONFastPath(f *testing.F) {
	f.Add([]byte(`{"a":"x","b":"y","winner":"a"}`))
	f.Add([]byte(` { "model_a" : "m1" , "model_b":"m2","winner":"tie (bothbad)","x":"" } `))
	f.Add([]byte(`{"a":"x","A":"y","b":"z","winner":"b"}`))
	f.Add([]byte(`{"a":"x","a":"y","b":"z","winner":"tie"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, s := range []*jsonSchema{jsonlSchema, arenaSchema} {
			fast, ok := s.scanFlat(line)
			if !ok {
				continue
			}
			ref, msg := s.decode(line)
			if msg != "" {
				t.Fatalf("%s: fast path accepted a line encoding/json rejects (%s)", s.keys[0], msg)
			}
			if ref.has != fast.has {
				t.Fatalf("%s: fields present %v, encoding/json %v", s.keys[0], fast.has, ref.has)
			}
			for i := range ref.val {
				if !bytes.Equal(ref.val[i], fast.val[i]) {
					t.Fatalf("%s: field %d = %q, encoding/json %q", s.keys[0], i, fast.val[i], ref.val[i])
				}
			}
		}
	})
}
