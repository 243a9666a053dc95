package agents

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/internal/config"
)

const smallExperiment = `
name: small
seeds: 2
iterations: 30
tau: 0.2
log_every: 10
game: {kind: random_antisymmetric, contexts: 3, responses: 4}
ref: {kind: normal}
algorithms:
  - name: mmd
    eta: 1.0
  - name: nash_md
    label: nash-md-sampled
    mode: sampled
    samples: 50
  - name: mnpo
    players: 3
`

func TestRunExperimentDeterministic(t *testing.T) {
	e, err := LoadExperiment("small.yaml", []byte(smallExperiment))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.LoggedIterations(0); !reflect.DeepEqual(got, []int{0, 10, 20, 30}) {
		t.Errorf("logged iterations %v", got)
	}
	run := func() *Results {
		be := cuda.NewCPU(2)
		defer be.Close()
		res, err := RunExperiment(context.Background(), e, RunOptions{Backend: be})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(), run()
	if len(a.Rows) != 2*3*4 {
		t.Fatalf("%d rows, want 24", len(a.Rows))
	}
	if !reflect.DeepEqual(rowsNoNaN(a.Rows), rowsNoNaN(b.Rows)) {
		t.Error("two runs of the same experiment differ")
	}
	// The two seeds are different games.
	if a.Final["mmd"][0].Last.Gap == a.Final["mmd"][1].Last.Gap {
		t.Error("seeds 1 and 2 gave the same game")
	}
	// The experiment's τ reached the algorithms without their own τ.
	if got := e.vals[0]["tau"]; got != 0.2 {
		t.Errorf("mmd tau = %v, want the experiment's 0.2", got)
	}
	if got := a.Final["mnpo"][0].NPlayerGap; math.IsNaN(got) || got < 0 {
		t.Errorf("mnpo n-player gap %v", got)
	}
	if len(a.WinLabels) != 6 || a.WinLabels[3] != "ref" || a.WinLabels[4] != "pi_star" || a.WinLabels[5] != "max_lottery" {
		t.Errorf("win labels %v", a.WinLabels)
	}
	res, err := e.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadExperiment("resolved.yaml", res)
	if err != nil {
		t.Fatalf("resolved config does not load: %v\n%s", err, res)
	}
	if !reflect.DeepEqual(again.vals, e.vals) {
		t.Errorf("resolved config changed the parameters:\n%v\n%v", again.vals, e.vals)
	}
	if !strings.Contains(string(res), "magnet_rate: 0.05") {
		t.Errorf("resolved config lacks defaults:\n%s", res)
	}
}

// rowsNoNaN maps NaN to a sentinel so DeepEqual can compare rows.
func rowsNoNaN(rows []Row) []Row {
	out := append([]Row(nil), rows...)
	fix := func(m *Metrics) {
		v := reflect.ValueOf(m).Elem()
		for i := range v.NumField() {
			if f := v.Field(i); math.IsNaN(f.Float()) {
				f.SetFloat(-12345)
			}
		}
	}
	for i := range out {
		fix(&out[i].Last)
		fix(&out[i].Avg)
		if math.IsNaN(out[i].NPlayerGap) {
			out[i].NPlayerGap = -12345
		}
	}
	return out
}

func TestExperimentErrorsAreLocated(t *testing.T) {
	base := "game: {kind: cyclic, responses: 3}\nalgorithms:\n  - name: spo\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown field", "iterationz: 3\n" + base, "x.yaml:1:1: iterationz"},
		{"unknown param", base + "    etaa: 1\n", "x.yaml:4:11: algorithms[0].etaa: unknown parameter"},
		{"param type", base + "    eta: fast\n", "x.yaml:4:10: algorithms[0].eta: fast: want a number"},
		{"param range", base + "    eta: -1\n", "x.yaml:4:10: algorithms[0].eta: -1: want a finite number > 0"},
		{"unknown algorithm", "game: {kind: cyclic, responses: 3}\nalgorithms:\n  - name: ppo\n", `x.yaml:3:11: algorithms[0].name: unknown algorithm "ppo"`},
		{"game kind", "game: {kind: chess}\nalgorithms:\n  - name: spo\n", "x.yaml:1:14: game.kind: expected one of"},
		{"field not for kind", "game: {kind: cyclic, responses: 3, variant: tie}\nalgorithms:\n  - name: spo\n", `x.yaml:1:45: game.variant: not used by game kind "cyclic"`},
		{"constructor check", "game: {kind: cyclic, responses: 3}\nalgorithms:\n  - name: omd\n    eta: 10\n    tau: 0.5\n", "x.yaml:5:10: algorithms[0].tau: 0.5: the step must satisfy ητ ≤ 1"},
		{"duplicate label", base + "  - name: spo\n", `x.yaml:4:5: algorithms[1].label: label "spo" is already used`},
		{"sampled aggregator", "game: {kind: cyclic, responses: 3}\nmode: sampled\nalgorithms:\n  - name: mnpo\n    aggregator: beats_all\n", "x.yaml:5:17: algorithms[0].aggregator: beats_all: the sampled mode"},
		{"oracles elsewhere", base + "    oracles: [{kind: cyclic, responses: 3}]\n", "x.yaml:4:14: algorithms[0].oracles: only mnpo with variant ht takes oracles"},
		{"no algorithms", "game: {kind: cyclic, responses: 3}\n", "algorithms: expected a list of at least one algorithm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadExperiment("x.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestComparisonsGameRelativeToExperiment(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "game", "testdata", "pref", "three_annotators.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "judgements.jsonl"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	y := "game: {kind: comparisons, file: judgements.jsonl, prior: pooled}\niterations: 5\nalgorithms:\n  - name: mmd\n    eta: 1\n"
	e, err := LoadExperiment(filepath.Join(dir, "exp.yaml"), []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	be := cuda.NewCPU(1)
	defer be.Close()
	res, err := RunExperiment(context.Background(), e, RunOptions{Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) == 0 {
		t.Fatal("no rows")
	}
	bad := strings.Replace(y, "judgements.jsonl", "missing.jsonl", 1)
	e, err = LoadExperiment(filepath.Join(dir, "exp.yaml"), []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	_, err = RunExperiment(context.Background(), e, RunOptions{Backend: be})
	if err == nil || !strings.Contains(err.Error(), "exp.yaml:1:7: game:") || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing data file: %v", err)
	}
}

func TestRunExperimentCancel(t *testing.T) {
	e, err := LoadExperiment("small.yaml", []byte(smallExperiment))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	be := cuda.NewCPU(1)
	defer be.Close()
	steps := 0
	res, err := RunExperiment(ctx, e, RunOptions{Backend: be, Progress: func(done, total int) {
		if steps = done; done == 15 {
			cancel()
		}
	}})
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if steps != 15 || len(res.Rows) != 2 {
		t.Errorf("stopped after %d steps with %d rows; want 15 steps and the rows at 0 and 10", steps, len(res.Rows))
	}
}

func TestResolvedLogLinearRoundTrip(t *testing.T) {
	y := "game: {kind: cyclic, responses: 3}\npolicy: {kind: loglinear, dim: 0, include_ref: true}\nref: {kind: normal, sigma: 0.5}\nalgorithms:\n  - name: spo\n"
	e, err := LoadExperiment("x.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadExperiment("r.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if again.Policy != e.Policy || again.Ref.Sigma != 0.5 {
		t.Errorf("policy %+v → %+v, ref %+v", e.Policy, again.Policy, again.Ref)
	}
}

// FuzzLoadExperiment: any input loads or fails with a located error
// (a *config.Error naming file:line:col or the field), never panics, and a
// loaded experiment's resolved config loads back to the same resolved
// config.
func FuzzLoadExperiment(f *testing.F) {
	f.Add([]byte(smallExperiment))
	f.Add([]byte("game: {kind: cyclic, responses: 3}\nalgorithms:\n  - name: egpo\n    eta: [1]\n"))
	f.Add([]byte("game: {kind: mixture, weights: [0.5, 0.5], components: [{kind: cyclic, responses: 3}, {kind: bradley_terry, scores: [1, 2, 3]}]}\nalgorithms: [{name: mnpo, variant: td}]\n"))
	f.Add([]byte("policy: {kind: loglinear, dim: 2}\ngame: {kind: comparisons, file: x.jsonl}\nalgorithms: [{name: dpo, lr: 0.1, mode: sampled}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := LoadExperiment("fuzz.yaml", data)
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
		e2, err := LoadExperiment("resolved.yaml", out)
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
