package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// normalScores draws tasks × n scores with the given mean and sd.
func normalScores(rng *rand.Rand, tasks, n int, mean, sd float64) Scores {
	s := make(Scores, tasks)
	for t := range s {
		s[t] = make([]float64, n)
		for i := range s[t] {
			s[t][i] = mean + sd*rng.NormFloat64()
		}
	}
	return s
}

// TestSequentialNullErrorRate simulates many experiments in which both
// methods have the same score distribution; the share of experiments that
// end Separated must not exceed Alpha by more than three binomial standard
// errors.
func TestSequentialNullErrorRate(t *testing.T) {
	sims := 1000
	if testing.Short() {
		sims = 300
	}
	for _, tc := range []struct {
		name        string
		alpha       float64
		tasks       int
		comparisons int
	}{
		{"one task", 0.05, 1, 1},
		{"two tasks", 0.10, 2, 1},
		{"bonferroni over 3 pairs", 0.10, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2024, uint64(tc.tasks)))
			test := Sequential{Alpha: tc.alpha, Comparisons: tc.comparisons, Interim: 5, MaxInterims: 4, Permutations: 500}
			rejected := 0
			for sim := range sims {
				x := normalScores(rng, tc.tasks, 20, 0, 1)
				y := normalScores(rng, tc.tasks, 20, 0, 1)
				test.Seed = uint64(sim)
				r, err := test.Test(x, y)
				if err != nil {
					t.Fatal(err)
				}
				if r.Decision == Undecided {
					t.Fatalf("with all %d interims available the test must decide", test.MaxInterims)
				}
				if r.Decision == Separated {
					rejected++
				}
			}
			level := tc.alpha / float64(tc.comparisons)
			rate := float64(rejected) / float64(sims)
			bound := level + 3*math.Sqrt(level*(1-level)/float64(sims))
			t.Logf("rejection rate under the null %.3f (level %.3f, bound %.3f)", rate, level, bound)
			if rate > bound {
				t.Errorf("false separation rate %.3f exceeds %.3f", rate, bound)
			}
		})
	}
}

func TestSequentialPower(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	test := Sequential{Alpha: 0.05, Interim: 5, MaxInterims: 6, Permutations: 1000}
	separated, early := 0, 0
	const sims = 100
	for sim := range sims {
		x := normalScores(rng, 1, 30, 1.5, 1) // a 1.5 sd improvement
		y := normalScores(rng, 1, 30, 0, 1)
		test.Seed = uint64(sim)
		r, err := test.Test(x, y)
		if err != nil {
			t.Fatal(err)
		}
		if r.Decision == Separated {
			separated++
			if r.Diff <= 0 {
				t.Fatalf("separated with the wrong sign: %+v", r)
			}
			if r.Interim <= 2 {
				early++
			}
		}
	}
	if separated < 95 || early < 50 {
		t.Errorf("a 1.5 sd effect was separated in %d of %d experiments, %d by 10 seeds; want ≥ 95 and ≥ 50",
			separated, sims, early)
	}
}

func TestSequentialUndecided(t *testing.T) {
	x := Scores{{1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.3}}
	y := Scores{{0.9, 1.0, 1.1, 0.7, 1.0, 0.95, 1.05}}
	r, err := Sequential{Seed: 1}.Test(x, y)
	if err != nil {
		t.Fatal(err)
	}
	// 7 seeds: one full interim of 5, not enough to separate a small effect.
	if r.Decision != Undecided || r.Interim != 1 || r.Seeds != 5 || r.NextSeeds != 10 || r.Budget != 30 {
		t.Errorf("%+v; want undecided after interim 1 of 5 seeds, next at 10, budget 30", r)
	}
	if r.Needed < 10 {
		t.Errorf("Needed = %d; a small noisy effect needs more than one more interim", r.Needed)
	}
	// Too few seeds for even one interim.
	r, _ = Sequential{}.Test(Scores{{1, 2, 3}}, Scores{{1, 2}})
	if r.Decision != Undecided || r.Interim != 0 || r.NextSeeds != 5 || len(r.Boundaries) != 0 {
		t.Errorf("%+v; want undecided with no interim, next at 5", r)
	}
}

func TestSequentialNotSeparated(t *testing.T) {
	// Identical constant scores: |D| = 0 never exceeds a boundary.
	same := Scores{{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}
	r, err := Sequential{Interim: 4, MaxInterims: 3, Permutations: 200}.Test(same, same)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision != NotSeparated || r.Interim != 3 || len(r.Boundaries) != 3 || r.Diff != 0 {
		t.Errorf("%+v; want not separated after 3 interims", r)
	}
}

func TestSequentialClearSeparation(t *testing.T) {
	// Every X beats every Y: at interim 1 the observed split is the most
	// extreme of the C(10,5) = 252 splits (with its mirror), p = 2/252
	// ≈ 0.008, well below α(1) = 0.1/6 ≈ 0.017.
	x := Scores{{10, 11, 12, 13, 14}}
	y := Scores{{0, 1, 2, 3, 4}}
	r, err := Sequential{Alpha: 0.1, Permutations: 20000, Seed: 3}.Test(y, x)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision != Separated || r.Interim != 1 || r.Diff != -10 {
		t.Errorf("%+v; want separated at interim 1 with D = −10", r)
	}
	// At α = 0.01 the first interim cannot separate even this (2/252 >
	// 0.01/6): the test asks for the next interim.
	r, _ = Sequential{Alpha: 0.01, Permutations: 20000, Seed: 3}.Test(y, x)
	if r.Decision != Undecided || r.NextSeeds != 10 {
		t.Errorf("α = 0.01: %+v; want undecided, next interim at 10 seeds", r)
	}
	if Separated.String() != "separated" || Decision(9).String() != "Decision(9)" {
		t.Error("Decision.String")
	}
}
