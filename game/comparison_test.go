package game

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadComparisonsValid(t *testing.T) {
	in := "{\"context\":\"q1\",\"a\":\"x\",\"b\":\"y\",\"winner\":\"a\"}\r\n" +
		"\n" +
		`{"context": 7, "a": 1, "b": 2, "winner": "tie", "annotator": "ann", "weight": 2.5, "meta": {"k": [1]}}` + "\n" +
		`   {"a":"y","b":"x","winner":"b"}`
	cs, err := ReadComparisons(strings.NewReader(in), "in.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Comparison{
		{Context: "q1", A: "x", B: "y", Winner: WinnerA, Weight: 1, Line: 1},
		{Context: "7", A: "1", B: "2", Winner: WinnerTie, Annotator: "ann", Weight: 2.5, Line: 3},
		{A: "y", B: "x", Winner: WinnerB, Weight: 1, Line: 4},
	}
	if !reflect.DeepEqual(cs, want) {
		t.Errorf("got %+v\nwant %+v", cs, want)
	}
}

func TestReadComparisonsErrors(t *testing.T) {
	good := `{"a":"x","b":"y","winner":"a"}` + "\n"
	for _, tc := range []struct {
		name, line, want string
	}{
		{"syntax", `{"a":"x","b":"y",winner:"a"}`, "f.jsonl:2:18: invalid JSON"},
		{"truncated", `{"a":"x","b":"y"`, "f.jsonl:2:17: invalid JSON: unexpected end of line"},
		{"not object", `["a","b"]`, "f.jsonl:2: expected a JSON object, got array"},
		{"null", `null`, "f.jsonl:2: expected a JSON object, got null"},
		{"missing winner", `{"a":"x","b":"y"}`, `f.jsonl:2: missing field "winner"`},
		{"missing a", `{"b":"y","winner":"a"}`, `f.jsonl:2: missing field "a"`},
		{"bad winner", `{"a":"x","b":"y","winner":"x"}`, `f.jsonl:2: field "winner": expected "a", "b" or "tie", got "x"`},
		{"a is array", `{"a":["x"],"b":"y","winner":"a"}`, `f.jsonl:2: field "a": expected a string, got an array`},
		{"self", `{"a":"x","b":"x","winner":"tie"}`, `f.jsonl:2: fields "a" and "b" are both "x"`},
		{"weight", `{"a":"x","b":"y","winner":"a","weight":-1}`, `f.jsonl:2: field "weight": expected a finite positive number, got -1`},
		{"weight string", `{"a":"x","b":"y","winner":"a","weight":"2"}`, `f.jsonl:2: field "weight": expected a positive number, got a string`},
		{"trailing", `{"a":"x","b":"y","winner":"a"} {"a":1}`, "f.jsonl:2:32: unexpected text after the JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadComparisons(strings.NewReader(good+tc.line+"\n"+good), "f.jsonl")
			var ce *ComparisonError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *ComparisonError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %q, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestEstimateSmoothing(t *testing.T) {
	var cs []Comparison
	add := func(ctx, a, b string, w Winner, n int, ann string) {
		for range n {
			cs = append(cs, Comparison{Context: ctx, A: a, B: b, Winner: w, Annotator: ann})
		}
	}
	add("c1", "A", "B", WinnerA, 3, "u")
	add("c1", "B", "A", WinnerA, 1, "v")
	add("c1", "A", "B", WinnerTie, 1, "v")
	add("c2", "A", "C", WinnerB, 4, "u")

	g, err := EstimatePreference(cs, EstimateOptions{}, "mem")
	if err != nil {
		t.Fatal(err)
	}
	if g.NumContexts() != 2 || g.NumResponses() != 3 || g.Responses[2] != "C" || g.Contexts[1] != "c2" {
		t.Fatalf("shape %d×%d, responses %v, contexts %v", g.NumContexts(), g.NumResponses(), g.Responses, g.Contexts)
	}
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-15 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// A beat B 3 times, lost once, tied once: s = 3.5, n = 5, α = 1, p0 = 1/2.
	check("c1 P[A][B]", g.At(0, 0, 1), 4.0/6)
	check("c1 P[A][C] (no data)", g.At(0, 0, 2), 0.5)
	check("c2 P[A][C]", g.At(1, 0, 2), 0.5/5)
	if err := g.Validate(1e-15); err != nil {
		t.Fatal(err)
	}

	raw, _ := EstimatePreference(cs, EstimateOptions{NoSmoothing: true}, "mem")
	check("raw c1 P[A][B]", raw.At(0, 0, 1), 3.5/5)
	check("raw c2 P[C][A]", raw.At(1, 2, 0), 1)

	// Pooled prior: c2 has no A–B data, so it gets the pooled A–B estimate
	// (3.5 + 0.5)/(5 + 1) = 2/3 (α = 1).
	pooled, _ := EstimatePreference(cs, EstimateOptions{Prior: "pooled"}, "mem")
	check("pooled c2 P[A][B]", pooled.At(1, 0, 1), 4.0/6)
	check("pooled c1 P[A][B]", pooled.At(0, 0, 1), (3.5+4.0/6)/6)

	// Equal annotator weights in c1: u says (3 + 0.5)/(3 + 1), v says
	// (0.5 + 0.5)/(2 + 1); average 0.7708…
	eq, _ := EstimatePreference(cs, EstimateOptions{Annotators: "equal"}, "mem")
	check("equal c1 P[A][B]", eq.At(0, 0, 1), (3.5/4+1.0/3)/2)
	wt, _ := EstimatePreference(cs, EstimateOptions{AnnotatorWeights: map[string]float64{"u": 3, "v": 1}}, "mem")
	check("weighted c1 P[A][B]", wt.At(0, 0, 1), (3*3.5/4+1.0/3)/4)

	cs[3].Line = 9
	_, err = EstimatePreference(cs, EstimateOptions{AnnotatorWeights: map[string]float64{"u": 1}}, "f")
	if err == nil || !strings.Contains(err.Error(), `f:9: annotator "v" has no configured weight`) {
		t.Errorf("missing annotator weight: err = %v", err)
	}
	_, err = EstimatePreference(cs, EstimateOptions{Responses: []string{"A", "B"}}, "f")
	if err == nil || !strings.Contains(err.Error(), `response "C" is not in the configured response list`) {
		t.Errorf("unlisted response: err = %v", err)
	}
	if _, err := EstimatePreference(cs, EstimateOptions{Prior: "flat"}, "f"); err == nil {
		t.Error("unknown prior accepted")
	}
}

// Judgements simulated from a known game estimate it back within sampling
// error, and survive a write/read round trip.
func TestEstimateRecoversGame(t *testing.T) {
	truth := RandomAntisymmetric(rand.New(rand.NewPCG(11, 12)), 2, 4, LowerRandom)
	truth.Contexts = []string{"p", "q"}
	truth.Responses = []string{"r1", "r2", "r3", "r4"}
	const per = 4000
	cs := truth.SampleComparisons(rand.New(rand.NewPCG(13, 14)), per, 0.2, "sim")
	var buf bytes.Buffer
	if err := WriteComparisons(&buf, cs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadComparisons(&buf, "sim.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		cs[i].Weight, cs[i].Line = 1, i+1
	}
	if !reflect.DeepEqual(back, cs) {
		t.Fatal("write/read round trip changed the judgements")
	}
	g, err := EstimatePreference(back, EstimateOptions{}, "sim.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for c := range 2 {
		for i := range 4 {
			for j := range 4 {
				p := truth.At(c, i, j)
				if sd := math.Sqrt(p*(1-p)/per) + 1e-3; math.Abs(g.At(c, i, j)-p) > 5*sd {
					t.Errorf("context %d P[%d][%d] = %v, truth %v", c, i, j, g.At(c, i, j), p)
				}
			}
		}
	}
}

func TestLoadShippedComparisons(t *testing.T) {
	path := filepath.Join("testdata", "pref", "three_annotators.jsonl")
	g, err := LoadComparisons(path, EstimateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.NumResponses() != 3 || g.NumContexts() != 2 {
		t.Fatalf("shipped file gives %d contexts × %d responses", g.NumContexts(), g.NumResponses())
	}
	if err := g.Validate(1e-12); err != nil {
		t.Fatal(err)
	}
	// The file was simulated from a cycle: no response is a Condorcet winner.
	for c := range 2 {
		if w, ok := g.CondorcetWinner(c, false); ok {
			t.Errorf("context %d: Condorcet winner %d in a cyclic data set", c, w)
		}
	}
	if _, err := LoadComparisons(filepath.Join("testdata", "pref", "missing.jsonl"), EstimateOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzReadComparisons(f *testing.F) {
	f.Add([]byte(`{"context":"q","a":"x","b":"y","winner":"a"}` + "\n"))
	f.Add([]byte(`{"a":1,"b":2,"winner":"tie","weight":3}`))
	f.Add([]byte("{\"a\":\"x\",\"b\":\"y\",\"winner\":\"b\"}\r\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ReadComparisons(bytes.NewReader(data), "fuzz")
		if err != nil {
			var ce *ComparisonError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error without a location: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteComparisons(&buf, cs); err != nil {
			t.Fatal(err)
		}
		back, err := ReadComparisons(&buf, "again")
		if err != nil {
			t.Fatalf("re-reading written judgements: %v", err)
		}
		if len(back) != len(cs) {
			t.Fatalf("round trip: %d records, want %d", len(back), len(cs))
		}
		for i := range cs {
			a, b := cs[i], back[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("record %d: %+v became %+v", i, a, b)
			}
		}
		if len(cs) > 0 {
			if g, err := EstimatePreference(cs, EstimateOptions{Prior: "pooled", Annotators: "equal"}, "fuzz"); err == nil {
				if err := g.Validate(1e-9); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
