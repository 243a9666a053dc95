package results

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/config"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

func TestRowJSON(t *testing.T) {
	r := Row{Run: "rps \"3\"", Algorithm: "mmd\tτ", Seed: 1<<64 - 1, Step: 10, Metrics: map[string]float64{
		"z": 1e-7, "a": 0.5, "nan": math.NaN(), "inf": math.Inf(1), "ninf": math.Inf(-1), "ctl\x01": 3,
	}}
	got := string(r.AppendJSON(nil))
	want := `{"run":"rps \"3\"","algorithm":"mmd\tτ","seed":18446744073709551615,"step":10,"a":0.5,"ctl\u0001":3,"inf":1e999,"nan":null,"ninf":-1e999,"z":1e-07}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	rows, err := Decode("x", strings.NewReader(got+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !sameRow(rows[0], r) {
		t.Errorf("read back %+v, want %+v", rows[0], r)
	}
}

// sameRow compares rows treating NaN as equal to NaN.
func sameRow(a, b Row) bool {
	if a.Run != b.Run || a.Algorithm != b.Algorithm || a.Seed != b.Seed || a.Step != b.Step || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, x := range a.Metrics {
		y, ok := b.Metrics[k]
		if !ok || !(x == y || math.IsNaN(x) && math.IsNaN(y)) {
			return false
		}
	}
	return true
}

func TestWriterRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "run1")
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type cfg struct {
		Name  string  `yaml:"name"`
		Eta   float64 `yaml:"eta"`
		Seeds int     `yaml:"seeds"`
	}
	in := cfg{Name: "cyclic", Eta: 0.25, Seeds: 3}
	if err := w.WriteConfig(in); err != nil {
		t.Fatal(err)
	}
	var want []Row
	for seed := range uint64(3) {
		for step := 0; step <= 20; step += 10 {
			r := Row{Run: "cyclic", Algorithm: "mmd", Seed: seed, Step: step,
				Metrics: map[string]float64{"gap": 1 / float64(step+1+int(seed)), "kl": float64(seed)}}
			want = append(want, r)
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Rows are on disk before Close: an interrupted run keeps them.
	early, err := ReadDir(dir)
	if err != nil || len(early) != len(want) {
		t.Fatalf("before Close: %d rows, err %v; want %d", len(early), err, len(want))
	}
	if w.Rows() != len(want) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(want))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(want[0]); err == nil {
		t.Error("Append after Close must fail")
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !sameRow(got[i], want[i]) {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var back cfg
	if _, err := config.Load(filepath.Join(dir, ConfigFile), &back); err != nil || back != in {
		t.Errorf("config.yaml read back as %+v (err %v), want %+v", back, err, in)
	}
}

func TestAppendRejectsBadRows(t *testing.T) {
	w, err := Create(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	good := Row{Run: "r", Algorithm: "a", Metrics: map[string]float64{"x": 1}}
	for _, bad := range []Row{
		{Run: "r", Algorithm: "a", Metrics: map[string]float64{"seed": 1}},
		{Run: "r", Algorithm: "a", Metrics: map[string]float64{"": 1}},
		{Run: "r", Algorithm: "a", Step: -1},
	} {
		if err := w.Append(good, bad); err == nil {
			t.Errorf("Append(%+v) succeeded", bad)
		}
	}
	if w.Rows() != 0 {
		t.Errorf("a rejected batch wrote %d rows; want none", w.Rows())
	}
}

func TestAppendConcurrent(t *testing.T) {
	dir := t.TempDir()
	w, err := Create(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for step := range 200 {
				r := Row{Run: "r", Algorithm: fmt.Sprint("alg", g), Seed: uint64(g), Step: step,
					Metrics: map[string]float64{"x": float64(step), "long_metric_name_to_make_lines_longer": 1}}
				if err := w.Append(r); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	w.Close()
	rows, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err) // an interleaved line would not parse
	}
	if len(rows) != 800 {
		t.Errorf("%d rows, want 800", len(rows))
	}
}

func TestCreateRefusesNonEmpty(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("mine"), 0o644)
	if _, err := Create(dir, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("non-empty dir: err = %v, want ErrNotEmpty", err)
	}
	if _, err := Create(dir, Options{Overwrite: true}); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "not an earlier run") {
		t.Errorf("overwrite of a non-run dir: err = %v, want a refusal", err)
	}

	run := t.TempDir()
	w, err := Create(run, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.Append(Row{Run: "r", Algorithm: "a", Metrics: map[string]float64{"x": 1}})
	w.WriteFile("gap.svg", []byte("<svg/>"))
	w.Close()
	os.WriteFile(filepath.Join(run, "keep.go"), []byte("package x"), 0o644)
	os.Mkdir(filepath.Join(run, "sub"), 0o755)
	if _, err := Create(run, Options{}); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("earlier run without Overwrite: err = %v", err)
	}
	w, err = Create(run, Options{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for name, want := range map[string]bool{"gap.svg": false, "keep.go": true, "sub": true, MetricsFile: true} {
		_, err := os.Stat(filepath.Join(run, name))
		if (err == nil) != want {
			t.Errorf("after overwrite, %s exists = %v, want %v", name, err == nil, want)
		}
	}
	if rows, _ := ReadDir(run); len(rows) != 0 {
		t.Errorf("overwritten metrics.jsonl still has %d rows", len(rows))
	}
}

func TestDecodeErrors(t *testing.T) {
	head := `{"run":"r","algorithm":"a","seed":1,"step":0,"x":1}` + "\n"
	for _, tc := range []struct{ src, want string }{
		{head + `{"run":"r","algorithm":"a","seed":-1,"step":0}` + "\n",
			`m.jsonl:2:35: seed: expected a non-negative integer, found -1`},
		{head + `{"run":"r","algorithm":"a","seed":1.5,"step":0}` + "\n",
			`m.jsonl:2:35: seed: expected a non-negative integer, found 1.5`},
		{`{"run":"r","algorithm":"a","seed":1,"step":"3"}` + "\n",
			`m.jsonl:1:44: step: expected a non-negative integer, found "3"`},
		{`{"run":1,"algorithm":"a","seed":1,"step":0}` + "\n",
			`m.jsonl:1:8: run: expected a string, found 1`},
		{`{"run":"r","algorithm":"a","seed":1,"step":0,"x":"abc"}` + "\n",
			`m.jsonl:1:50: x: expected a number or null, found "abc"`},
		{`{"run":"r","algorithm":"a","seed":1,"step":0,"x":[1]}` + "\n",
			`m.jsonl:1:50: x: expected a number or null, found an array`},
		{`{"run":"r","algorithm":"a","seed":1,"step":0,"x":1,"x":2}` + "\n",
			`m.jsonl:1:52: x: duplicate field`},
		{`{"run":"r","algorithm":"a","step":0}` + "\n",
			`m.jsonl:1:36: missing field "seed"`},
		{`[1]` + "\n", `m.jsonl:1:1: expected a JSON object, found an array`},
		{"\n\n" + `{"run":"r",` + "\n", `m.jsonl:3:12: invalid JSON: unexpected end of line`},
		{`{"run":"r" "a"}` + "\n", `m.jsonl:1:12: invalid JSON: invalid character '"' after object key:value pair`},
		{`{"run":"r","algorithm":"a","seed":1,"step":0} {}` + "\n",
			`m.jsonl:1:47: extra data after the object (one object per line)`},
		{head + `{"run":"r","algorithm":"a","se`,
			`m.jsonl:2:31: invalid JSON: unexpected end of line (the last line is incomplete: the run was probably killed while writing it; delete it to read the rest)`},
	} {
		_, err := Decode("m.jsonl", strings.NewReader(tc.src))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.src, err, tc.want)
		}
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Line == 0 {
			t.Errorf("%q: error %T does not carry a line", tc.src, err)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	src := "\r\n" + `{"step":5,"seed":2,"x":null,"algorithm":"a","run":"r","big":1e400}` + "\r\n\n" +
		`{"run":"r","algorithm":"a","seed":2,"step":6}`
	rows, err := Decode("m", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Step != 5 || rows[0].Seed != 2 || !math.IsNaN(rows[0].Metrics["x"]) ||
		!math.IsInf(rows[0].Metrics["big"], 1) || rows[1].Step != 6 || len(rows[1].Metrics) != 0 {
		t.Errorf("rows = %+v", rows)
	}
}

func TestDecodeLongLine(t *testing.T) {
	src := `{"run":"` + strings.Repeat("x", MaxLineBytes) + `"}` + "\n"
	_, err := Decode("m", strings.NewReader(src))
	if err == nil || !strings.Contains(err.Error(), "m:1: line longer than") {
		t.Errorf("err = %v", err)
	}
}

func TestSummaryText(t *testing.T) {
	s := &Summary{
		Title:   "cyclic game, 3 seeds",
		Keys:    []string{"algorithm"},
		Columns: []string{"gap", "iters_1e-6"},
		Rows: []SummaryRow{
			{Keys: []string{"mmd"}, Cells: []stats.Estimate{{Point: 1.234567e-7, Lo: 1e-7, Hi: 1.5e-7, N: 3}, {Point: 412, Lo: 400, Hi: 430, N: 2}}},
			{Keys: []string{"nash-md-pg"}, Cells: []stats.Estimate{{Point: 0.5, Lo: 0.25, Hi: 0.75, N: 3}, stats.NoData()}},
		},
		Note: "mean [95% CI]",
	}
	var b strings.Builder
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `cyclic game, 3 seeds
algorithm   seeds  gap                         iters_1e-6
mmd             3  1.235e-07 [1e-07, 1.5e-07]  412 [400, 430] (n=2)
nash-md-pg      3  0.5 [0.25, 0.75]            -
mean [95% CI]
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := s.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	wantCSV := `algorithm,seeds,gap,gap_lo,gap_hi,gap_n,iters_1e-6,iters_1e-6_lo,iters_1e-6_hi,iters_1e-6_n
mmd,3,1.234567e-07,1e-07,1.5e-07,3,412,400,430,2
nash-md-pg,3,0.5,0.25,0.75,3,,,,0
`
	if b.String() != wantCSV {
		t.Errorf("got\n%s\nwant\n%s", b.String(), wantCSV)
	}
}

func TestSummarize(t *testing.T) {
	var rows []Row
	add := func(alg string, seed uint64, step int, gap float64) {
		rows = append(rows, Row{Run: "g", Algorithm: alg, Seed: seed, Step: step, Metrics: map[string]float64{"gap": gap}})
	}
	// Final gaps: spo 0.3, 0.1, 0.2 (mean 0.2); mmd 1, NaN (mean 1 over one seed).
	add("spo", 0, 0, 9)
	add("spo", 0, 10, 0.3)
	add("mmd", 0, 10, 1)
	add("spo", 1, 10, 0.1)
	add("spo", 2, 10, 0.2)
	add("spo", 2, 5, 7) // an earlier step logged late does not replace the final one
	add("mmd", 1, 10, math.NaN())
	s := Summarize(rows, nil, stats.Bootstrap{Seed: 1, Resamples: 2000})
	if len(s.Rows) != 2 || s.Rows[0].Keys[0] != "spo" || s.Rows[1].Keys[0] != "mmd" || len(s.Keys) != 1 {
		t.Fatalf("rows %+v keys %v", s.Rows, s.Keys)
	}
	spo := s.Rows[0].Cells[0]
	if math.Abs(spo.Point-0.2) > 1e-15 || spo.N != 3 || !(spo.Lo >= 0.1 && spo.Lo < 0.2 && spo.Hi > 0.2 && spo.Hi <= 0.3) {
		t.Errorf("spo gap = %+v; want mean 0.2 over 3 seeds with a CI inside [0.1, 0.3]", spo)
	}
	if mmd := s.Rows[1].Cells[0]; mmd.Point != 1 || mmd.N != 1 || mmd.Lo != 1 || mmd.Hi != 1 {
		t.Errorf("mmd gap = %+v; want 1 over one seed", mmd)
	}
	rows = append(rows, Row{Run: "h", Algorithm: "spo", Metrics: map[string]float64{"gap": 1}})
	if s := Summarize(rows, []string{"gap"}, stats.Bootstrap{}); len(s.Keys) != 2 || len(s.Rows) != 3 || s.Rows[2].Keys[0] != "h" {
		t.Errorf("two runs: keys %v rows %+v", s.Keys, s.Rows)
	}
}
