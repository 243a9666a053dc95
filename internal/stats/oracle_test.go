package stats

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// scipy runs a Python snippet with /usr/bin/python3 and scipy, feeding it
// input as JSON on stdin and decoding its JSON output into out. The test is
// skipped when scipy is missing, unless SELFPLAY_REQUIRE_ORACLES=1.
func scipy(t *testing.T, script string, input, out any) {
	t.Helper()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import scipy").Run(); err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("oracle scipy (%s) required by SELFPLAY_REQUIRE_ORACLES=1: %v", python, err)
		}
		t.Skipf("scipy oracle not available: %v", err)
	}
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", "import json, sys\ndata = json.load(sys.stdin)\n"+script)
	cmd.Stdin = strings.NewReader(string(in))
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	if err := json.Unmarshal(got, out); err != nil {
		t.Fatalf("python output %q: %v", got, err)
	}
}

func TestIQMAgainstScipy(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var samples [][]float64
	for n := 1; n <= 23; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(rng.NormFloat64()*100) / 10 // ties appear
		}
		samples = append(samples, xs)
	}
	var want []float64
	scipy(t, "from scipy.stats import trim_mean\nprint(json.dumps([trim_mean(x, 0.25) for x in data]))", samples, &want)
	for i, xs := range samples {
		if got := IQM(xs); math.Abs(got-want[i]) > 1e-12 {
			t.Errorf("IQM(%v) = %v, scipy trim_mean %v", xs, got, want[i])
		}
	}
}

func TestProbImprovementAgainstScipy(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	type pair struct{ X, Y []float64 }
	var pairs []pair
	for range 20 {
		var p pair
		for range 2 + rng.IntN(10) {
			p.X = append(p.X, float64(rng.IntN(6)))
		}
		for range 2 + rng.IntN(10) {
			p.Y = append(p.Y, float64(rng.IntN(6)))
		}
		pairs = append(pairs, p)
	}
	var want []float64
	scipy(t, `from scipy.stats import mannwhitneyu
print(json.dumps([mannwhitneyu(p["X"], p["Y"]).statistic / (len(p["X"]) * len(p["Y"])) for p in data]))`, pairs, &want)
	for i, p := range pairs {
		got, err := ProbImprovement(Scores{p.X}, Scores{p.Y})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want[i]) > 1e-12 {
			t.Errorf("P(%v > %v) = %v, scipy U/mn %v", p.X, p.Y, got, want[i])
		}
	}
}
