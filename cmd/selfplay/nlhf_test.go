package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/internal/results"
)

const nlhfTestExp = `name: tiny
seeds: 2
iterations: 40
tau: 0.2
log_every: 10
game: {kind: three_annotators, epsilon: 0.1}
ref: {kind: normal, sigma: 0.5}
algorithms:
  - name: mmd
    eta: 1.0
  - name: rlhf
  - name: nash_md
    mode: sampled
    samples: 30
`

func writeExp(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "exp.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNLHFRunWritesOutputs(t *testing.T) {
	exp := writeExp(t, nlhfTestExp)
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCLI(t, "", "nlhf", "run", exp, "--out", out, "--device", "cpu")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := results.Read(filepath.Join(out, results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3*2*5 {
		t.Errorf("%d metrics rows, want 30 (3 algorithms × 2 seeds × 5 logged iterations)", len(rows))
	}
	for _, f := range []string{"config.yaml", "summary.csv", "summary.txt", "winrate.csv", "gap.svg", "gap.png", "avg_gap.svg", "winrate.svg", "winrate.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	for _, want := range []string{"mmd", "rlhf", "nash_md", "iters_gap_le_0.001", "pi_star"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	// The resolved config runs again to the same numbers, and --device auto
	// gives the same numbers as cpu (it falls back to the CPU here).
	out2 := filepath.Join(t.TempDir(), "again")
	if code, _, stderr := runCLI(t, "", "nlhf", "run", filepath.Join(out, "config.yaml"), "--out", out2, "--device", "auto"); code != 0 {
		t.Fatalf("rerun of the resolved config: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(filepath.Join(out, results.MetricsFile))
	b, _ := os.ReadFile(filepath.Join(out2, results.MetricsFile))
	if !bytes.Equal(a, b) {
		t.Error("re-running the resolved config with --device auto changed metrics.jsonl")
	}
	// An existing run directory is not overwritten without --overwrite.
	if code, _, _ := runCLI(t, "", "nlhf", "run", exp, "--out", out, "--device", "cpu"); code != 2 {
		t.Errorf("rerun into a used directory: exit %d, want 2", code)
	}
}

func TestNLHFRunBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		args       []string
		code       int
		want       string
	}{
		{"unknown field", "iterations: 3\ntaus: 1\n" + "game: {kind: cyclic, responses: 3}\nalgorithms: [{name: spo}]\n", nil, 2, "exp.yaml:2:1: taus"},
		{"bad param", "game: {kind: cyclic, responses: 3}\nalgorithms:\n  - name: egpo\n    eta: [1]\n", nil, 2, "exp.yaml:4:10: algorithms[0].eta"},
		{"no gpu", "game: {kind: cyclic, responses: 3}\nalgorithms: [{name: spo}]\n", []string{"--device", "gpu"}, 1, "gpu"},
		{"bad device", "game: {kind: cyclic, responses: 3}\nalgorithms: [{name: spo}]\n", []string{"--device", "tpu"}, 2, "tpu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp := writeExp(t, tc.yaml)
			args := append([]string{"nlhf", "run", exp, "--out", filepath.Join(t.TempDir(), "o")}, tc.args...)
			code, _, stderr := runCLI(t, "", args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tc.code, tc.want)
			}
		})
	}
	if code, _, _ := runCLI(t, "", "nlhf", "run"); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "", "nlhf", "fly"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}

// A cancelled run (Ctrl-C) stops cleanly, says so, and keeps what it wrote.
func TestNLHFRunInterrupted(t *testing.T) {
	exp := writeExp(t, nlhfTestExp)
	out := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var so, se bytes.Buffer
	code := run(ctx, []string{"nlhf", "run", exp, "--out", out, "--device", "cpu"}, strings.NewReader(""), &so, &se, false)
	if code != 1 || !strings.Contains(se.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 1 and an interruption note", code, se.String())
	}
	rows, err := results.Read(filepath.Join(out, results.MetricsFile))
	if err != nil || len(rows) != 1 || rows[0].Step != 0 {
		t.Errorf("kept rows %v (err %v); want the initial row", rows, err)
	}
	if _, err := os.Stat(filepath.Join(out, "config.yaml")); err != nil {
		t.Error("config.yaml missing after interruption")
	}
}

func TestNLHFList(t *testing.T) {
	code, out, stderr := runCLI(t, "", "nlhf", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, a := range agents.Algorithms() {
		if !strings.Contains(out, a.Name+" — ") {
			t.Errorf("list lacks %s", a.Name)
		}
		for _, p := range a.Params {
			if !strings.Contains(out, "  "+p.Name+" ") {
				t.Errorf("list lacks %s.%s", a.Name, p.Name)
			}
		}
	}
	if !strings.Contains(out, "[unverified]") || !strings.Contains(out, "game kinds: bradley_terry") {
		t.Errorf("list lacks unverified markers or game kinds:\n%s", out)
	}
	code, one, _ := runCLI(t, "", "nlhf", "list", "--algorithm", "mnpo")
	if code != 0 || strings.Contains(one, "rlhf —") || !strings.Contains(one, "variant") {
		t.Errorf("list --algorithm mnpo: exit %d\n%s", code, one)
	}
}

func TestBenchNLHFSmall(t *testing.T) {
	code, out, stderr := runCLI(t, "", "bench", "nlhf", "--contexts", "50", "--responses", "4", "--iters", "5", "--algorithms", "omd,egpo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"omd", "egpo", "of triad", "P passes", "total", "running average per step (MixLog)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Each algorithm row ends with its step in units of one win-rate pass.
	for _, name := range []string{"omd", "egpo"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 8 && f[0] == name {
				found = true
				if v, err := strconv.ParseFloat(f[7], 64); err != nil || !(v > 0) {
					t.Errorf("%s: P passes %q, want a positive number", name, f[7])
				}
			}
		}
		if !found {
			t.Errorf("no row for %s:\n%s", name, out)
		}
	}
	if code, _, _ := runCLI(t, "", "bench", "nlhf", "--algorithms", "ppo"); code != 2 {
		t.Errorf("unknown algorithm: exit %d, want 2", code)
	}
}

// Every algorithm runs through the CLI in both modes, with the numbers the
// library gives for the same experiment (metrics.jsonl byte for byte), the
// same numbers with --device cpu and --device auto, and a sampled run that
// is not its exact twin.
func TestNLHFRunEveryAlgorithmBothModes(t *testing.T) {
	var y strings.Builder
	y.WriteString("name: all\nseeds: 1\niterations: 6\nlog_every: 3\ntau: 0.2\n" +
		"game: {kind: random_antisymmetric, contexts: 2, responses: 3}\nref: {kind: normal, sigma: 0.5}\nalgorithms:\n")
	algs := agents.Algorithms()
	for _, a := range algs {
		for _, mode := range []string{"exact", "sampled"} {
			fmt.Fprintf(&y, "  - {name: %s, label: %s-%s, mode: %s}\n", a.Name, a.Name, mode, mode)
		}
	}
	exp := writeExp(t, y.String())
	dir := t.TempDir()
	metrics := map[string][]byte{}
	for _, device := range []string{"cpu", "auto"} {
		out := filepath.Join(dir, device)
		code, _, stderr := runCLI(t, "", "nlhf", "run", exp, "--out", out, "--device", device)
		if code != 0 {
			t.Fatalf("--device %s: exit %d: %s", device, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, results.MetricsFile))
		if err != nil {
			t.Fatal(err)
		}
		metrics[device] = b
	}
	if !bytes.Equal(metrics["cpu"], metrics["auto"]) {
		t.Error("--device cpu and --device auto wrote different metrics.jsonl")
	}

	// The library on the same experiment, written through the same rows.
	data, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	e, err := agents.LoadExperiment(exp, data)
	if err != nil {
		t.Fatal(err)
	}
	be := cuda.NewCPU(1)
	defer be.Close()
	res, err := agents.RunExperiment(context.Background(), e, agents.RunOptions{Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	w, err := results.Create(filepath.Join(dir, "lib"), results.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if err := w.Append(nlhfRow(e.Name, r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lib, err := os.ReadFile(w.Path(results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lib, metrics["cpu"]) {
		t.Error("the CLI's metrics.jsonl differs from the library's rows for the same experiment")
	}

	rows, err := results.Read(filepath.Join(dir, "cpu", results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(algs)*2*3 {
		t.Fatalf("%d rows, want %d (2 modes × 3 logged iterations per algorithm)", len(rows), len(algs)*2*3)
	}
	final := map[string]map[string]float64{}
	steps := map[string][]int{}
	for _, r := range rows {
		steps[r.Algorithm] = append(steps[r.Algorithm], r.Step)
		if r.Step == 6 {
			final[r.Algorithm] = r.Metrics
		}
	}
	for _, a := range algs {
		ex, sa := final[a.Name+"-exact"], final[a.Name+"-sampled"]
		for _, label := range []string{a.Name + "-exact", a.Name + "-sampled"} {
			if got := steps[label]; fmt.Sprint(got) != "[0 3 6]" {
				t.Errorf("%s: logged steps %v, want [0 3 6]", label, got)
			}
		}
		if ex == nil || sa == nil {
			continue
		}
		if g := ex["gap"]; math.IsNaN(g) || g < 0 {
			t.Errorf("%s exact: final gap %v", a.Name, g)
		}
		if ex["gap"] == sa["gap"] && ex["kl_ref"] == sa["kl_ref"] {
			t.Errorf("%s: the sampled run ended exactly where the exact run did (gap %v): was it sampled?", a.Name, ex["gap"])
		}
	}
}

// A bad judgement file behind a comparisons game fails the run as bad
// input (exit 2), naming the experiment's game field and the data file's
// line and column.
func TestNLHFRunBadComparisons(t *testing.T) {
	dir := t.TempDir()
	jsonl := `{"context":"q","a":"x","b":"y","winner":"a"}` + "\n" + `{"context":"q","a":"x","b":"y",winner:"b"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "judgements.jsonl"), []byte(jsonl), 0o644); err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(dir, "exp.yaml")
	y := "iterations: 3\ngame: {kind: comparisons, file: judgements.jsonl}\nalgorithms:\n  - name: mmd\n"
	if err := os.WriteFile(exp, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "", "nlhf", "run", exp, "--out", filepath.Join(dir, "o"), "--device", "cpu")
	for _, want := range []string{"exp.yaml:2:7: game", "judgements.jsonl:2:32: invalid JSON"} {
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want exit 2 mentioning %q", code, stderr, want)
		}
	}
}
