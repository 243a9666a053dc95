package agents

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/config"
)

// tinyDual is a small, fast experiment: 2 runs × 2 seeds × 12 steps.
const tinyDual = `name: tiny
seeds: 2
seed: 7
steps: 12
log_every: 4
summary_tail: 0.5
base:
  batch: 16
  attempts: 4
  eval: {per_cell: 1}
runs:
  - label: naive
  - label: paso
    proposer_reward: pasodoble
    solver_reward: pasodoble
    leak_check: true
    schedule: {kind: alternating, proposer_steps: 2, solver_steps: 2}
`

func loadDual(t *testing.T, src string) *DualPlayExperiment {
	t.Helper()
	e, err := LoadDualPlayExperiment("exp.yaml", []byte(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return e
}

func TestDualPlayExperimentErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // "line:col: path: fragment" after "exp.yaml:"
		not       string // must not appear (optional)
	}{
		{"unknown run field", "runs:\n  - label: a\n    proposer_rewrd: naive\n", "3:5: runs[0].proposer_rewrd", ""},
		{"unknown nested field", "runs:\n  - label: a\n    schedule:\n      kind: joint\n      every: 3\n", "5:7: runs[0].schedule.every", ""},
		{"wrong type", "runs:\n  - label: a\n    batch: many\n", "3:12: runs[0].batch", ""},
		{"bad reward name", "runs:\n  - label: a\n    proposer_reward: naïve\n", `3:22: runs[0].proposer_reward: unknown proposer reward "naïve"`, ""},
		{"bad reward param", "runs:\n  - label: a\n    proposer_reward: ssp\n    proposer_reward_params: {invalid_reward: .inf}\n", "4:46: runs[0].proposer_reward_params.invalid_reward", ""},
		{"unknown reward param", "runs:\n  - label: a\n    proposer_reward: ssp\n    proposer_reward_params:\n      penalty: 1\n", "5:16: runs[0].proposer_reward_params.penalty", ""},
		{"bad teacher", "runs:\n  - label: a\n    teacher: sec2\n", "3:14: runs[0].teacher", ""},
		{"inherited from base", "base:\n  solver: {lr: -1}\nruns:\n  - label: a\n  - label: b\n", `2:16: base.solver.lr: -1: want a finite number ≥ 0 (inherited by run "a")`, `"b"`},
		{"bad task field", "runs:\n  - label: a\n    task: {categories: 0}\n", "3:24: runs[0].task.categories", ""},
		{"duplicate label", "runs:\n  - label: a\n  - label: a\n", `3:12: runs[1].label: label "a" is already used by runs[0]`, ""},
		{"missing label", "runs:\n  - batch: 8\n", "2:5: runs[0].label", ""},
		{"no runs", "name: x\n", "1:1: runs: expected a list", ""},
		{"runs and methods", "runs:\n  - label: a\nmethods:\n  - label: b\n", "4:3: methods: give the methods either", ""},
		{"bad summary metric", "summary: [pass_at_2]\nruns:\n  - label: a\n", `1:11: summary[0]: unknown metric "pass_at_2"`, ""},
		{"bad steps", "steps: 0\nruns:\n  - label: a\n", "1:8: steps", ""},
		{"bad run steps", "runs:\n  - label: a\n    steps: -3\n", "3:12: runs[0].steps", ""},
		{"bad tail", "summary_tail: 1.5\nruns:\n  - label: a\n", "1:15: summary_tail", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadDualPlayExperiment("exp.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%v: not a *config.Error", err)
			}
			if !strings.Contains(err.Error(), "exp.yaml:"+tc.want) {
				t.Errorf("error\n%v\nwant it to contain exp.yaml:%s", err, tc.want)
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("error\n%v\nshould not mention %s", err, tc.not)
			}
		})
	}
}

func TestDualPlayExperimentMerge(t *testing.T) {
	e := loadDual(t, `seed: 3
base:
  proposer_reward: ssp
  proposer_reward_params: {invalid_reward: -0.1}
  schedule: {kind: alternating, solver_steps: 7}
runs:
  - label: inherit
  - label: override_param
    proposer_reward_params: {invalid_reward: 0}
  - label: other_scheme
    proposer_reward: naive
    schedule: {proposer_steps: 4}
  - label: own_seed
    seed: 100
`)
	r := e.Runs
	if got := r[0].Config.ProposerRewardParams["invalid_reward"]; got != -0.1 {
		t.Errorf("inherited invalid_reward %v, want -0.1", got)
	}
	if got := r[1].Config.ProposerRewardParams["invalid_reward"]; fmt.Sprint(got) != "0" {
		t.Errorf("overridden invalid_reward %v, want 0", got)
	}
	if r[2].Config.ProposerReward != RewardNaive || len(r[2].Config.ProposerRewardParams) != 0 {
		t.Errorf("naming a new scheme kept base's params: %v", r[2].Config.ProposerRewardParams)
	}
	if s := r[2].Config.Schedule; s.Kind != ScheduleAlternating || s.ProposerSteps != 4 || s.SolverSteps != 7 {
		t.Errorf("schedule %+v: want base's kind and solver_steps with the run's proposer_steps", s)
	}
	if r[0].Config.Seed != 3 || r[3].Config.Seed != 100 {
		t.Errorf("seeds %d, %d: want the experiment's 3 and the run's own 100", r[0].Config.Seed, r[3].Config.Seed)
	}
	// Base itself is not changed by the runs decoded on top of it.
	if got := r[3].Config.ProposerRewardParams["invalid_reward"]; got != -0.1 {
		t.Errorf("run after an override sees invalid_reward %v, want base's -0.1", got)
	}
}

func TestDualPlayExperimentResolvedRoundTrip(t *testing.T) {
	e := loadDual(t, tinyDual)
	out, err := e.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	// Defaults of the schemes are written out.
	for _, want := range []string{"tau_low: 0.2", "div_weight: 0.2", "seed: 7", "log_every: 4", "kind: alternating"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("resolved config lacks %q:\n%s", want, out)
		}
	}
	e2, err := LoadDualPlayExperiment("resolved.yaml", out)
	if err != nil {
		t.Fatalf("resolved config does not load: %v\n%s", err, out)
	}
	out2, err := e2.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(out2) {
		t.Errorf("resolving twice differs:\n%s\n---\n%s", out, out2)
	}
}

// rowsKey renders rows bit-exactly (NaN included) for comparison.
func rowsKey(rows []DualPlayRow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %d %d", r.Label, r.Seed, r.Step)
		for _, n := range DualMetricNames(4)[1:] {
			fmt.Fprintf(&b, " %x", math.Float64bits(r.Metrics[n]))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestRunDualPlayExperiment(t *testing.T) {
	e := loadDual(t, tinyDual)
	res, err := RunDualPlayExperiment(context.Background(), e, DualPlayRunOptions{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 2 seeds × 2 runs × steps 4, 8, 12.
	if len(res.Rows) != 12 || res.Seeds != 2 {
		t.Fatalf("%d rows, %d seeds: want 12 and 2", len(res.Rows), res.Seeds)
	}
	// Order: seed, run, step.
	for k, r := range res.Rows {
		wantSeed := uint64(7 + k/6)
		wantLabel := []string{"naive", "paso"}[(k/3)%2]
		if r.Seed != wantSeed || r.Label != wantLabel || r.Step != 4*(k%3+1) {
			t.Errorf("row %d is %s seed %d step %d", k, r.Label, r.Seed, r.Step)
		}
	}
	// The rows are those of the simulation run by hand.
	cfg := e.Runs[1].Config
	cfg.Seed = 8
	sim, err := NewDualPlaySim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := DualMetricNames(cfg.Task.Categories)
	var tail [][]float64
	for st := 1; st <= 12; st++ {
		v := sim.Step().AppendValues(nil)
		if st > 6 {
			tail = append(tail, v)
		}
		if st%4 != 0 {
			continue
		}
		row := res.Rows[6+3+st/4-1]
		for k, n := range names[1:] {
			if got, want := row.Metrics[n], v[k+1]; math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("step %d %s = %v, by hand %v", st, n, got, want)
			}
		}
	}
	// Final: pass@1 after the last step, valid_rate the mean over the
	// last half (summary_tail 0.5) of the steps.
	fin := res.Final["paso"][1]
	if fin.Metrics["pass_at_1"] != tail[len(tail)-1][3] {
		t.Errorf("final pass@1 %v, want the last step's %v", fin.Metrics["pass_at_1"], tail[len(tail)-1][3])
	}
	vi := 11 // valid_rate
	if names[vi] != "valid_rate" {
		t.Fatalf("metric %d is %s", vi, names[vi])
	}
	mean := 0.0
	for _, v := range tail {
		mean += v[vi] / float64(len(tail))
	}
	if math.Abs(fin.Metrics["valid_rate"]-mean) > 1e-12 {
		t.Errorf("final valid_rate %v, want the tail mean %v", fin.Metrics["valid_rate"], mean)
	}

	// Parallel runs give the same rows in the same order.
	res4, err := RunDualPlayExperiment(context.Background(), e, DualPlayRunOptions{Parallel: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rowsKey(res.Rows) != rowsKey(res4.Rows) {
		t.Error("rows differ between Parallel 1 and 4")
	}
	// --seeds overrides the file.
	res1, err := RunDualPlayExperiment(context.Background(), e, DualPlayRunOptions{Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rowsKey(res1.Rows) != rowsKey(res.Rows[:6]) {
		t.Error("one seed does not give the first seed's rows")
	}
}

func TestRunDualPlayExperimentCancel(t *testing.T) {
	e := loadDual(t, tinyDual)
	ctx, cancel := context.WithCancel(context.Background())
	var delivered int
	res, err := RunDualPlayExperiment(ctx, e, DualPlayRunOptions{
		Parallel: 1,
		Progress: func(done, _ int) {
			if done == 30 { // second seed, first run, step 6
				cancel()
			}
		},
		OnRow: func(DualPlayRow) error { delivered++; return nil },
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if res.Seeds != 1 || len(res.Final["naive"]) != 1 {
		t.Errorf("%d seeds finished, want 1", res.Seeds)
	}
	// Seed 1 complete (6 rows) plus the interrupted run's step 4.
	if len(res.Rows) != 7 || delivered != 7 {
		t.Errorf("%d rows kept, %d delivered: want 7", len(res.Rows), delivered)
	}
}

func ExampleLoadDualPlayExperiment() {
	src := `name: gated
seeds: 3
steps: 50
base: {batch: 64}
runs:
  - label: naive
  - label: azr
    proposer_reward: absolute_zero
    validity_check: exact
`
	e, err := LoadDualPlayExperiment("gated.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Labels(), e.TotalSteps(), e.Runs[1].Config.ProposerRewardParams["zero_reward"])
	// Output: [naive azr] 100 -0.5
}

// FuzzLoadDualPlayExperiment: any input loads or fails with a located
// error, never panics, and a loaded experiment's resolved config loads
// back to the same resolved config.
func FuzzLoadDualPlayExperiment(f *testing.F) {
	f.Add([]byte(tinyDual))
	f.Add([]byte("runs:\n  - label: a\n    teacher: alp_gmm\n    teacher_params: {max_k: 3}\n"))
	f.Add([]byte("base: &b {batch: 8}\nmethods:\n  - label: x\n    <<: *b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := LoadDualPlayExperiment("fuzz.yaml", data)
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *config.Error", err)
			}
			return
		}
		out, err := e.Resolved()
		if err != nil {
			t.Fatal(err)
		}
		e2, err := LoadDualPlayExperiment("resolved.yaml", out)
		if err != nil {
			t.Fatalf("resolved config does not load: %v\n%s", err, out)
		}
		out2, err := e2.Resolved()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(out2) {
			t.Fatalf("resolving twice differs:\n%s\n---\n%s", out, out2)
		}
	})
}
