package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/internal/results"
)

const dualTestExp = `name: tiny-dual
seeds: 3
steps: 10
log_every: 5
base:
  batch: 16
  attempts: 4
  eval: {per_cell: 1}
runs:
  - label: naive
  - label: azr
    proposer_reward: absolute_zero
    validity_check: exact
`

func TestDualPlayRunWritesOutputs(t *testing.T) {
	exp := writeExp(t, dualTestExp)
	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := runCLI(t, "", "dualplay", "run", exp, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := results.Read(filepath.Join(out, results.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2*3*2 {
		t.Fatalf("%d metrics rows, want 12 (2 runs × 3 seeds × steps 5 and 10)", len(rows))
	}
	for _, r := range rows {
		if r.Run != "tiny-dual" || (r.Algorithm != "naive" && r.Algorithm != "azr") || r.Seed < 1 || r.Seed > 3 {
			t.Errorf("row %+v: unexpected identity", r)
		}
		for _, m := range []string{"pass_at_1", "pass_at_k", "valid_rate", "label_accuracy", "ability_3", "phase"} {
			if _, ok := r.Metrics[m]; !ok {
				t.Errorf("row lacks %s", m)
			}
		}
		if v := r.Metrics["pass_at_1"]; !(v > 0 && v < 1) {
			t.Errorf("pass_at_1 %v outside (0, 1)", v)
		}
	}
	for _, f := range []string{"config.yaml", "summary.csv", "summary.txt", "pass_at_1.svg", "pass_at_1.png", "valid_rate.svg", "valid_rate.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	for _, want := range []string{"naive", "azr", "pass_at_1", "valid_rate", "3 seeds", "results in"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// The summary CSV has one row per run with a CI on each metric.
	csv, _ := os.ReadFile(filepath.Join(out, results.SummaryCSV))
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "pass_at_1_lo") || !strings.HasPrefix(lines[2], "azr,3,") {
		t.Errorf("summary.csv:\n%s", csv)
	}
	// The resolved config loads back to an experiment with the same runs.
	data, err := os.ReadFile(filepath.Join(out, results.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	back, err := agents.LoadDualPlayExperiment("config.yaml", data)
	if err != nil {
		t.Fatalf("config.yaml does not load: %v", err)
	}
	if got := back.Labels(); len(got) != 2 || got[1] != "azr" || back.Runs[1].Config.ValidityCheck != agents.CheckExact || back.Runs[0].Config.Batch != 16 {
		t.Errorf("config.yaml runs: %+v", back.Runs)
	}
}

// The same experiment gives the same metrics.jsonl bytes, whatever the
// parallelism.
func TestDualPlayRunDeterministic(t *testing.T) {
	exp := writeExp(t, dualTestExp)
	var files []string
	for _, par := range []string{"1", "3", "0"} {
		out := filepath.Join(t.TempDir(), "run")
		if code, _, stderr := runCLI(t, "", "dualplay", "run", exp, "--out", out, "--parallel", par); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, results.MetricsFile))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, string(b))
	}
	if files[0] != files[1] || files[0] != files[2] {
		t.Error("metrics.jsonl differs between runs of the same experiment")
	}
	// A different seed gives different rows (the check above can fail).
	other := writeExp(t, strings.Replace(dualTestExp, "steps: 10", "seed: 5\nsteps: 10", 1))
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "", "dualplay", "run", other, "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, results.MetricsFile)); string(b) == files[0] {
		t.Error("seed 5 gives the same rows as seed 1")
	}
}

func TestDualPlayCompareOnOutput(t *testing.T) {
	exp := writeExp(t, dualTestExp)
	out := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCLI(t, "", "dualplay", "run", exp, "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, metric := range []string{"pass_at_1", "valid_rate"} {
		code, stdout, stderr := runCLI(t, "", "compare", "--metric", metric, "--higher-better", "--resamples", "200", "--permutations", "200", out)
		if code != 0 {
			t.Fatalf("compare --metric %s: exit %d: %s", metric, code, stderr)
		}
		for _, want := range []string{"naive", "azr", "IQM"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("compare --metric %s output lacks %q:\n%s", metric, want, stdout)
			}
		}
	}
}

func TestDualPlayUsageErrors(t *testing.T) {
	exp := writeExp(t, dualTestExp)
	badField := writeExp(t, strings.Replace(dualTestExp, "validity_check: exact", "validity_check: exact\n    proposer_rewards: x", 1))
	badReward := writeExp(t, strings.Replace(dualTestExp, "proposer_reward: absolute_zero", "proposer_reward: azr", 1))
	badType := writeExp(t, strings.Replace(dualTestExp, "batch: 16", "batch: [16]", 1))
	used := filepath.Join(t.TempDir(), "used")
	if err := os.MkdirAll(used, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(used, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no subcommand", []string{"dualplay"}, "no subcommand"},
		{"unknown subcommand", []string{"dualplay", "fly"}, "unknown subcommand"},
		{"no file", []string{"dualplay", "run"}, "exactly one experiment file"},
		{"two files", []string{"dualplay", "run", exp, exp}, "exactly one experiment file"},
		{"bad flag", []string{"dualplay", "run", exp, "--sedes", "3"}, "sedes"},
		{"negative seeds", []string{"dualplay", "run", exp, "--seeds", "-1"}, "--seeds -1"},
		{"negative parallel", []string{"dualplay", "run", exp, "--parallel", "-2"}, "--parallel -2"},
		{"missing file", []string{"dualplay", "run", filepath.Join(t.TempDir(), "none.yaml")}, "none.yaml"},
		{"unknown field", []string{"dualplay", "run", badField}, ":14:5: runs[1].proposer_rewards"},
		{"bad reward", []string{"dualplay", "run", badReward}, `:12:22: runs[1].proposer_reward: unknown proposer reward "azr"`},
		{"wrong type", []string{"dualplay", "run", badType}, ":6:10: base.batch"},
		{"foreign out dir", []string{"dualplay", "run", exp, "--out", used}, "not empty"},
		{"list args", []string{"dualplay", "list", "extra"}, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", stderr, tc.want)
			}
		})
	}
}

// A cancelled run (Ctrl-C) stops cleanly, says so, and keeps its config.
func TestDualPlayRunInterrupted(t *testing.T) {
	exp := writeExp(t, dualTestExp)
	out := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var so, se bytes.Buffer
	code := run(ctx, []string{"dualplay", "run", exp, "--out", out}, strings.NewReader(""), &so, &se, false)
	if code != 1 || !strings.Contains(se.String(), "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 1 and an interruption note", code, se.String())
	}
	if _, err := os.Stat(filepath.Join(out, "config.yaml")); err != nil {
		t.Error("config.yaml missing after interruption")
	}
	rows, err := results.Read(filepath.Join(out, results.MetricsFile))
	if err != nil || len(rows) != 0 {
		t.Errorf("rows %v (err %v) after a stop before the first step; want none", rows, err)
	}
	// --overwrite reuses the interrupted run's directory.
	if code, _, stderr := runCLI(t, "", "dualplay", "run", exp, "--out", out, "--overwrite", "--seeds", "1"); code != 0 {
		t.Errorf("rerun with --overwrite: exit %d: %s", code, stderr)
	}
}

func TestDualPlayList(t *testing.T) {
	code, out, stderr := runCLI(t, "", "dualplay", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, group := range [][]agents.Scheme{agents.ProposerRewardSchemes(), agents.SolverRewardSchemes(), agents.TeacherSchemes()} {
		for _, s := range group {
			if !strings.Contains(out, "  "+s.Name+" — ") {
				t.Errorf("list lacks %s", s.Name)
			}
			for _, p := range s.Params {
				if !strings.Contains(out, "    "+p.Name+" ") {
					t.Errorf("list lacks %s.%s", s.Name, p.Name)
				}
			}
		}
	}
	for _, want := range []string{agents.ScheduleAlternating, agents.ScheduleFrozen, agents.VerifierMajority, agents.CheckRetrieval, agents.AdvantageTRR, "pass_at_k"} {
		if !strings.Contains(out, "  "+want) && !strings.Contains(out, want+",") {
			t.Errorf("list lacks %s", want)
		}
	}
}
