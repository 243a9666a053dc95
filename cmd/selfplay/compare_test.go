package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/results"
)

// compareCLI runs "selfplay compare ARGS" and returns the exit code, stdout
// and stderr.
func compareCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"compare"}, args...), strings.NewReader(""), &out, &errb, false)
	return code, out.String(), errb.String()
}

// runDir writes a run directory whose metrics.jsonl holds rows.
func runDir(t *testing.T, rows []results.Row) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	w, err := results.Create(dir, results.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(rows...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// finalRows gives one algorithm's seeds on one task the values vs at step,
// after a step-0 row of junk that "last" must skip.
func finalRows(run, alg, metric string, step int, vs ...float64) []results.Row {
	var rows []results.Row
	for seed, v := range vs {
		rows = append(rows,
			results.Row{Run: run, Algorithm: alg, Seed: uint64(seed), Step: 0, Metrics: map[string]float64{metric: 1e9}},
			results.Row{Run: run, Algorithm: alg, Seed: uint64(seed), Step: step, Metrics: map[string]float64{metric: v}})
	}
	return rows
}

// line returns the first line of out that starts with prefix.
func line(t *testing.T, out, prefix string) string {
	t.Helper()
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starting with %q in\n%s", prefix, out)
	return ""
}

// after returns the part of out after the first line containing header.
func after(t *testing.T, out, header string) string {
	t.Helper()
	i := strings.Index(out, header)
	if i < 0 {
		t.Fatalf("no %q in\n%s", header, out)
	}
	return out[i+strings.IndexByte(out[i:], '\n')+1:]
}

// TestCompareHandExample reproduces the worked example of internal/stats,
// computed by hand there: algorithm x scores [0, 0, 3] on task A and
// [1, 1, 1] on task B. Its IQM is 0.75 with 95% stratified bootstrap CI
// [0.5, 2]. Its mean is 1: a resample of A holds k threes, k ~ Bin(3, 1/3),
// so the pooled mean is (3k + 3)/6 ∈ {0.5, 1, 1.5, 2} with probabilities
// 8/27, 12/27, 6/27, 1/27, and the 95% CI is [0.5, 2]. Algorithm y scores 5
// everywhere, so x never beats it.
func TestCompareHandExample(t *testing.T) {
	a := runDir(t, append(finalRows("A", "x", "score", 10, 0, 0, 3), finalRows("A", "y", "score", 10, 5, 5, 5)...))
	b := runDir(t, append(finalRows("B", "x", "score", 10, 1, 1, 1), finalRows("B", "y", "score", 10, 5, 5, 5)...))
	code, out, errs := compareCLI(t, "--metric", "score", "--higher-better", "--resamples", "20000", a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "metric score at the last step (higher is better); 2 task(s): A, B") {
		t.Errorf("header missing:\n%s", out)
	}
	fields := regexp.MustCompile(`\s{2,}`).Split(line(t, out, "x "), -1)
	if want := []string{"x", "6", "0.75 [0.5, 2]", "1 [0.5, 2]"}; strings.Join(fields, "|") != strings.Join(want, "|") {
		t.Errorf("x row = %q, want %q", fields, want)
	}
	fields = regexp.MustCompile(`\s{2,}`).Split(line(t, out, "y "), -1)
	if want := []string{"y", "6", "5 [5, 5]", "5 [5, 5]"}; strings.Join(fields, "|") != strings.Join(want, "|") {
		t.Errorf("y row = %q, want %q", fields, want)
	}
	poi := after(t, out, "probability of improvement")
	if !strings.Contains(line(t, poi, "x  "), "0.00 [0.00, 0.00]") || !strings.Contains(line(t, poi, "y  "), "1.00 [1.00, 1.00]") {
		t.Errorf("probability of improvement rows:\n%s", out)
	}
	if !strings.Contains(out, "x vs y: undecided: fewer than 5 seeds per task; run 5 per method and task for the first interim") {
		t.Errorf("with 3 seeds the sequential test must ask for more:\n%s", out)
	}
	// Same inputs and seed: the same report.
	if _, again, _ := compareCLI(t, "--metric", "score", "--higher-better", "--resamples", "20000", a, b); again != out {
		t.Error("a second run printed something else")
	}
}

func TestCompareLowerBetterStepAndSeparation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var rows []results.Row
	for seed := range uint64(10) {
		for _, alg := range []string{"fast", "slow"} {
			level := 1e-6
			if alg == "slow" {
				level = 1e-2
			}
			for _, step := range []int{50, 100} {
				if alg == "slow" && seed == 9 && step == 100 {
					continue // interrupted before step 100
				}
				g := level * (1 + rng.Float64()) * float64(200-step)
				rows = append(rows, results.Row{Run: "cyclic", Algorithm: alg, Seed: seed, Step: step, Metrics: map[string]float64{"gap": g}})
			}
		}
	}
	dir := runDir(t, rows)
	code, out, errs := compareCLI(t, "--metric", "gap", "--log", "--resamples", "2000", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "1 of 10 seeds have no gap at step 100") {
		t.Errorf("the interrupted seed was not reported:\n%s", errs)
	}
	if !regexp.MustCompile(`(?m)^slow\s+9\s`).MatchString(out) {
		t.Errorf("slow must count 9 runs at the last step:\n%s", out)
	}
	if !strings.Contains(out, "metric log10(gap) at the last step (lower is better)") {
		t.Errorf("header:\n%s", out)
	}
	if !strings.Contains(out, "fast vs slow: separated at interim 1 (5 seeds per task): fast is better") {
		t.Errorf("verdict:\n%s", out)
	}
	if !strings.Contains(line(t, after(t, out, "probability of improvement"), "fast  "), "1.00 [1.00, 1.00]") {
		t.Errorf("P(fast better than slow) must be 1:\n%s", out)
	}
	// At step 50 every seed has a value.
	code, out, _ = compareCLI(t, "--metric", "gap", "--step", "50", "--resamples", "500", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^slow\s+10\s`).MatchString(out) {
		t.Errorf("step 50: exit %d\n%s", code, out)
	}
}

func TestCompareNotSeparatedAndUndecided(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var rows []results.Row
	for _, alg := range []string{"a", "b"} {
		for seed := range uint64(30) {
			rows = append(rows, results.Row{Run: "t", Algorithm: alg, Seed: seed, Step: 1,
				Metrics: map[string]float64{"win": 0.5 + 0.05*rng.NormFloat64()}})
		}
	}
	dir := runDir(t, rows)
	code, out, errs := compareCLI(t, "--metric", "win", "--higher-better", "--permutations", "2000", "--resamples", "500", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "a vs b: not separated after all 6 interims (30 seeds per task)") {
		t.Errorf("same distribution, full budget:\n%s", out)
	}
	code, out, _ = compareCLI(t, "--metric", "win", "--higher-better", "--max-interims", "8", "--permutations", "2000", "--resamples", "500", dir)
	if code != 0 || !strings.Contains(out, "a vs b: undecided after interim 6 (30 seeds per task); run 35 seeds per method and task for the next interim") {
		t.Errorf("budget of 40 with 30 seeds:\n%s", out)
	}
}

func TestCompareProfilePlot(t *testing.T) {
	rows := append(finalRows("A", "mmd", "gap", 5, 1e-7, 3e-7, 2e-6, 1e-6, 5e-7), finalRows("A", "spo", "gap", 5, 1e-2, 3e-2, 2e-2, 5e-3, 1e-3)...)
	dir := runDir(t, rows)
	base := filepath.Join(t.TempDir(), "plots", "profile")
	code, out, errs := compareCLI(t, "--metric", "gap", "--out", base, "--resamples", "500", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "performance profiles: "+base+".svg, "+base+".png") {
		t.Errorf("output does not name the plot:\n%s", out)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"mmd", "spo", "fraction of runs with gap &lt; τ"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("profile SVG lacks %q", s)
		}
	}
	if png, err := os.ReadFile(base + ".png"); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("profile PNG missing or not a PNG: %v", err)
	}
}

func TestCompareTaskLeftOut(t *testing.T) {
	a := runDir(t, append(finalRows("A", "x", "m", 1, 1, 2), finalRows("A", "y", "m", 1, 3, 4)...))
	b := runDir(t, finalRows("B", "x", "m", 1, 5, 6)) // y never ran on B
	code, out, errs := compareCLI(t, "--metric", "m", "--resamples", "500", "--permutations", "500", a, b)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "1 task(s): A") || !strings.Contains(errs, "task left out: no m at the last step for y") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
}

func TestCompareBadInput(t *testing.T) {
	good := runDir(t, finalRows("A", "x", "gap", 1, 1, 2))
	zero := runDir(t, finalRows("A", "x", "gap", 1, 0, 2))
	bad := filepath.Join(t.TempDir(), "metrics.jsonl")
	os.WriteFile(bad, []byte(`{"run":"A","algorithm":"x","seed":0,"step":0,"gap":1}`+"\n"+`{"run":"A","algorithm":"x","seed":"one"}`+"\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no dirs", []string{"--metric", "gap"}, "no run directories given"},
		{"no metric", []string{good}, "-metric is required"},
		{"bad step", []string{"--metric", "gap", "--step", "end", good}, `-step "end": expected "last" or a non-negative step number`},
		{"bad alpha", []string{"--metric", "gap", "--alpha", "2", good}, "-alpha 2: expected a number in (0, 1)"},
		{"missing dir", []string{"--metric", "gap", filepath.Join(good, "nope")}, "no such file"},
		{"bad line", []string{"--metric", "gap", bad}, bad + `:2:35: seed: expected a non-negative integer, found "one"`},
		{"unknown metric", []string{"--metric", "kl", good}, `no row has metric "kl"; the inputs have: gap`},
		{"duplicate rows", []string{"--metric", "gap", good, good}, `run "A" algorithm "x" seed 0 step 0 appears twice`},
		{"bad log floor", []string{"--metric", "gap", "--log", "--log-floor", "0", zero}, `-log-floor 0: expected a positive number`},
		{"no step", []string{"--metric", "gap", "--step", "7", good}, `no task has a gap at step 7 for every algorithm (x)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := compareCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errs, exitUsage, tc.want)
			}
		})
	}
}

func TestCompareLogFloor(t *testing.T) {
	// Gaps 0, 1e-20, 1e-12, 1e-8 with the floor 1e-16: log10 scores
	// -16, -16, -12, -8; the IQM drops one at each end: mean(-16, -12) = -14.
	dir := runDir(t, finalRows("A", "mmd", "gap", 9, 0, 1e-20, 1e-12, 1e-8))
	code, out, errs := compareCLI(t, "--metric", "gap", "--log", "--resamples", "500", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(regexp.MustCompile(`\s{2,}`).Split(line(t, out, "mmd "), -1)[2], "-14 [") {
		t.Errorf("IQM of the floored logs:\n%s", out)
	}
	if !strings.Contains(errs, "2 of 4 seeds have gap below the log floor 1e-16") {
		t.Errorf("clipping not reported:\n%s", errs)
	}
}

func TestCompareSingleAlgorithm(t *testing.T) {
	dir := runDir(t, finalRows("A", "only", "m", 3, 1, 2, 3, 4))
	code, out, errs := compareCLI(t, "--metric", "m", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// IQM of [1 2 3 4] drops one value at each end: 2.5.
	if !strings.Contains(line(t, out, "only "), "2.5 [") || strings.Contains(out, "probability of improvement") {
		t.Errorf("single algorithm:\n%s", out)
	}
}
