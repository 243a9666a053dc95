package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The worked example of the package tests, computed by hand.
//
// One task of three runs, x = [0, 0, 3]: a bootstrap resample holds k
// copies of 3 with k ~ Binomial(3, 1/3), so its mean is k with
// P(k) = 8/27, 12/27, 6/27, 1/27 for k = 0..3, CDF 0.296, 0.741, 0.963, 1.
// The mean is 1; the 2.5% quantile of the resampled means is 0 and the
// 97.5% quantile is 3 (the CDF reaches 0.975 only at k = 3), so the 95%
// interval is [0, 3]; the 5% and 95% quantiles give the 90% interval [0, 2].
//
// Add a second task B = [1, 1, 1]. The six pooled runs sorted are
// [0, 0, 1, 1, 1, 3]; the IQM drops ⌊6/4⌋ = 1 run at each end and averages
// [0, 1, 1, 1]: 0.75. A stratified resample leaves B as it is and gives A k
// threes, so the pooled middle four and their means are
//
//	k = 0: [0 0 0 1 1 1] → 0, 0, 1, 1 → 0.5   (P = 8/27)
//	k = 1: [0 0 1 1 1 3] → 0, 1, 1, 1 → 0.75  (P = 12/27)
//	k = 2: [0 1 1 1 3 3] → 1, 1, 1, 3 → 1.5   (P = 6/27)
//	k = 3: [1 1 1 3 3 3] → 1, 1, 3, 3 → 2     (P = 1/27)
//
// so the 95% interval is [0.5, 2] and the 90% interval is [0.5, 1.5].
var (
	handA = []float64{0, 0, 3}
	handB = []float64{1, 1, 1}
)

func TestMeanCIHandExample(t *testing.T) {
	for _, tc := range []struct{ level, lo, hi float64 }{{0.95, 0, 3}, {0.90, 0, 2}} {
		e := MeanCI(handA, Bootstrap{Level: tc.level, Seed: 7, Resamples: 20000})
		if e.Point != 1 || e.Lo != tc.lo || e.Hi != tc.hi || e.N != 3 {
			t.Errorf("level %v: %+v, want 1 [%v, %v] over 3", tc.level, e, tc.lo, tc.hi)
		}
	}
}

func TestIQMCIHandExample(t *testing.T) {
	s := Scores{handA, handB}
	for _, tc := range []struct{ level, lo, hi float64 }{{0.95, 0.5, 2}, {0.90, 0.5, 1.5}} {
		e, err := IQMCI(s, Bootstrap{Level: tc.level, Seed: 7, Resamples: 20000})
		if err != nil {
			t.Fatal(err)
		}
		if e.Point != 0.75 || e.Lo != tc.lo || e.Hi != tc.hi || e.N != 6 {
			t.Errorf("level %v: %+v, want 0.75 [%v, %v] over 6 runs", tc.level, e, tc.lo, tc.hi)
		}
	}
}

func TestIQM(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{1, 9, 2}, 4},                             // n < 4: plain mean
		{[]float64{4, 1, 3, 2}, 2.5},                        // drop 1 and 4
		{[]float64{10, 1, 2, 3, 4}, 3},                      // drop 1 and 10
		{[]float64{5, 1, 4, 2, 3, 10, 0, 100}, 3.5},         // drop 0, 1 and 10, 100
		{[]float64{-1, -1, -1, 7, 7, 7, 7, 7, 7}, 27.0 / 5}, // drop two of each end: [-1, 7, 7, 7, 7]
	} {
		if got := IQM(tc.xs); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("IQM(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
	if !math.IsNaN(IQM(nil)) {
		t.Error("IQM of nothing must be NaN")
	}
}

func TestOptimalityGap(t *testing.T) {
	s := Scores{{0.5, 1.2}, {0.9, 0.0}}
	// Shortfalls below 1: 0.5, 0, 0.1, 1 → mean 0.4.
	if got := OptimalityGap(s, 1); math.Abs(got-0.4) > 1e-15 {
		t.Errorf("OptimalityGap = %v, want 0.4", got)
	}
}

// exactBootstrapQuantiles enumerates every stratified resample of s (all
// n^n index tuples per task) and returns the inverse CDF of stat at each p.
func exactBootstrapQuantiles(s Scores, stat func(Scores) float64, ps []float64) []float64 {
	var values []float64
	rep := make(Scores, len(s))
	var rec func(task, i int)
	rec = func(task, i int) {
		if task == len(s) {
			values = append(values, stat(rep))
			return
		}
		if i == len(s[task]) {
			rec(task+1, 0)
			return
		}
		for _, v := range s[task] {
			rep[task][i] = v
			rec(task, i+1)
		}
	}
	for i, t := range s {
		rep[i] = make([]float64, len(t))
	}
	rec(0, 0)
	slices.Sort(values)
	out := make([]float64, len(ps))
	for i, p := range ps {
		k := int(math.Ceil(p*float64(len(values)))) - 1
		out[i] = values[max(k, 0)]
	}
	return out
}

func TestStratifiedCIAgainstEnumeration(t *testing.T) {
	// 2 tasks × 3 runs: 27 × 27 equally likely resamples, enumerated.
	s := Scores{{0.1, 0.5, 0.9}, {0.2, 0.4, 1.0}}
	if got := IQMOf(s); math.Abs(got-0.5) > 1e-15 {
		t.Fatalf("IQM = %v; by hand mean(0.2, 0.4, 0.5, 0.9) = 0.5", got)
	}
	for name, stat := range map[string]func(Scores) float64{"iqm": IQMOf, "mean": MeanOf} {
		q := exactBootstrapQuantiles(s, stat, []float64{0.015, 0.035, 0.965, 0.985})
		e, err := StratifiedCI(s, stat, Bootstrap{Seed: 3, Resamples: 40000})
		if err != nil {
			t.Fatal(err)
		}
		if e.Lo < q[0] || e.Lo > q[1] || e.Hi < q[2] || e.Hi > q[3] {
			t.Errorf("%s: CI [%v, %v]; the exact 2.5%% quantile lies in [%v, %v] and the 97.5%% in [%v, %v]",
				name, e.Lo, e.Hi, q[0], q[1], q[2], q[3])
		}
	}
}

func TestStratifiedCIDeterministic(t *testing.T) {
	s := Scores{{1, 2, 3, 4, 5}, {2, 3, 9}}
	a, _ := IQMCI(s, Bootstrap{Seed: 11, Resamples: 500})
	b, _ := IQMCI(s, Bootstrap{Seed: 11, Resamples: 500})
	c, _ := IQMCI(s, Bootstrap{Seed: 12, Resamples: 500})
	if a != b {
		t.Errorf("same seed, different intervals: %+v %+v", a, b)
	}
	if a == c {
		t.Errorf("different seeds gave identical intervals %+v; the seed is not used", a)
	}
	if _, err := IQMCI(Scores{{1}, {}}, Bootstrap{}); err == nil {
		t.Error("an empty task must be an error")
	}
	if _, err := IQMCI(Scores{{1, math.NaN()}}, Bootstrap{}); err == nil {
		t.Error("a NaN score must be an error")
	}
}

// bruteProbImprovement counts every pair.
func bruteProbImprovement(x, y Scores) float64 {
	total := 0.0
	for t := range x {
		c := 0.0
		for _, a := range x[t] {
			for _, b := range y[t] {
				switch {
				case a > b:
					c++
				case a == b:
					c += 0.5
				}
			}
		}
		total += c / float64(len(x[t])*len(y[t]))
	}
	return total / float64(len(x))
}

func TestProbImprovementBruteForce(t *testing.T) {
	p, _ := ProbImprovement(Scores{{1, 2}}, Scores{{1, 0}})
	if p != 0.875 { // (½ + 1 + 1 + 1) / 4
		t.Errorf("P = %v, want 0.875", p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		tasks := 1 + rng.IntN(4)
		x, y := make(Scores, tasks), make(Scores, tasks)
		for i := range tasks {
			for range 1 + rng.IntN(9) {
				x[i] = append(x[i], float64(rng.IntN(5))) // small integers: many ties
			}
			for range 1 + rng.IntN(9) {
				y[i] = append(y[i], float64(rng.IntN(5)))
			}
		}
		got, err := ProbImprovement(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteProbImprovement(x, y); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: P = %v, brute force %v (x %v y %v)", trial, got, want, x, y)
		}
		back, _ := ProbImprovement(y, x)
		if math.Abs(got+back-1) > 1e-12 {
			t.Fatalf("P(X>Y) + P(Y>X) = %v, want 1", got+back)
		}
	}
	if _, err := ProbImprovement(Scores{{1}}, Scores{{1}, {2}}); err == nil {
		t.Error("different task counts must be an error")
	}
}

func TestProbImprovementCI(t *testing.T) {
	x := Scores{{5, 6, 7}, {8, 9}}
	y := Scores{{1, 2, 3}, {4, 4, 4, 4}}
	e, err := ProbImprovementCI(x, y, Bootstrap{Seed: 1, Resamples: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if e.Point != 1 || e.Lo != 1 || e.Hi != 1 {
		t.Errorf("fully separated: %+v, want 1 [1, 1]", e)
	}
	// Overlapping methods: the interval contains the point and stays in [0, 1].
	x = Scores{{1, 3, 5, 7, 9}}
	y = Scores{{2, 4, 6, 8, 10}}
	e, _ = ProbImprovementCI(x, y, Bootstrap{Seed: 1, Resamples: 2000})
	if e.Point != 0.4 || !(e.Lo >= 0 && e.Lo < 0.4 && e.Hi > 0.4 && e.Hi <= 1) {
		t.Errorf("overlap: %+v, want 0.4 inside a proper interval", e) // 10 of 25 pairs won
	}
}

func TestPerformanceProfile(t *testing.T) {
	s := Scores{{0.1, 0.5, 0.9}, {0.3, 0.6}}
	taus := []float64{0, 0.3, 0.5, 0.95}
	got, err := PerformanceProfile(s, taus, Bootstrap{Seed: 5, Resamples: 2000})
	if err != nil {
		t.Fatal(err)
	}
	// Per task fractions above tau, averaged over the two tasks:
	// 0: (1 + 1)/2; 0.3: (2/3 + 1/2)/2; 0.5: (1/3 + 1/2)/2; 0.95: 0.
	want := []float64{1, (2.0/3 + 0.5) / 2, (1.0/3 + 0.5) / 2, 0}
	for k := range taus {
		if math.Abs(got[k].Point-want[k]) > 1e-15 || got[k].Lo > got[k].Point || got[k].Hi < got[k].Point {
			t.Errorf("tau %v: %+v, want %v inside its interval", taus[k], got[k], want[k])
		}
	}
	if got[0].Lo != 1 || got[3].Hi != 0 {
		t.Errorf("certain ends must have degenerate intervals: %+v %+v", got[0], got[3])
	}
}

func TestQuantile(t *testing.T) {
	xs := []float64{3, 1, 2, 4}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {1, 4}, {0.5, 2.5}, {0.25, 1.75}} {
		if got := Quantile(xs, tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v (numpy's linear rule)", tc.q, got, tc.want)
		}
	}
}
