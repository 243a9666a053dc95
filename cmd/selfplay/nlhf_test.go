package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
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
