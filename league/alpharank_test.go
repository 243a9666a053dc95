package league

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestAlphaRankTwoStrategiesHandComputed(t *testing.T) {
	// Strategy 0 beats 1 with probability 0.6. With α = 2, m = 3:
	// Δ = 0.6 − 0.4 = 0.2 for 0 invading 1, so
	// ρ(1→0) = (1 − e^{−0.4})/(1 − e^{−1.2}) and ρ(0→1) = (1 − e^{0.4})/(1 − e^{1.2});
	// with η = 1, π_0 ρ(0→1) = π_1 ρ(1→0).
	payoff := [][]float64{{0.5, 0.6}, {0.4, 0.5}}
	up := (1 - math.Exp(-0.4)) / (1 - math.Exp(-1.2))
	down := (1 - math.Exp(0.4)) / (1 - math.Exp(1.2))
	want0 := up / (up + down)
	pi, err := AlphaRank(payoff, AlphaRankConfig{Alpha: 2, PopulationSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !near(pi[0], want0, 1e-14) || !near(pi[0]+pi[1], 1, 1e-14) {
		t.Fatalf("π = %v, want π_0 = %v", pi, want0)
	}
	if !near(want0, 0.6899744811276125, 1e-12) {
		t.Fatalf("hand value %v", want0)
	}
	// Equal payoffs: neutral drift, ρ = 1/m both ways, uniform.
	pi, _ = AlphaRank([][]float64{{0.5, 0.5}, {0.5, 0.5}}, DefaultAlphaRankConfig())
	if !near(pi[0], 0.5, 1e-15) {
		t.Fatalf("neutral game: %v", pi)
	}
}

func TestAlphaRankTransitiveAndCyclic(t *testing.T) {
	// A transitive win-rate matrix: α-Rank puts (nearly) all mass on the
	// strongest strategy and orders the rest by strength.
	s := []float64{2, 1, 0, -1}
	n := len(s)
	payoff := make([][]float64, n)
	for i := range n {
		payoff[i] = make([]float64, n)
		for j := range n {
			payoff[i][j] = btSigmoid(s[i] - s[j])
		}
	}
	pi, err := AlphaRank(payoff, AlphaRankConfig{Alpha: 5, PopulationSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		if !(pi[i] < pi[i-1]) {
			t.Fatalf("transitive game: π = %v not decreasing", pi)
		}
	}
	pi, _ = AlphaRank(payoff, DefaultAlphaRankConfig())
	if pi[0] < 1-1e-12 {
		t.Fatalf("α = 100: π = %v, want all mass on strategy 0", pi)
	}
	// Rock–paper–scissors: the cycle is symmetric, π is uniform at any α.
	rps := [][]float64{{0.5, 0, 1}, {1, 0.5, 0}, {0, 1, 0.5}}
	for _, alpha := range []float64{0.1, 10, 1e4} {
		pi, err := AlphaRank(rps, AlphaRankConfig{Alpha: alpha, PopulationSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pi {
			if !near(p, 1.0/3, 1e-12) {
				t.Fatalf("RPS α = %v: π = %v", alpha, pi)
			}
		}
	}
}

// TestStationaryMatchesLinearSolve checks the GTH reduction against a
// direct solve of π(P − I) = 0, Σπ = 1 on random irreducible chains.
func TestStationaryMatchesLinearSolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		n := 2 + trial%7
		p := make([][]float64, n)
		for i := range n {
			p[i] = make([]float64, n)
			var s float64
			for j := range n {
				p[i][j] = rng.Float64() + 0.01
				s += p[i][j]
			}
			for j := range n {
				p[i][j] /= s
			}
		}
		// Solve (Pᵀ − I)π = 0 with the last equation replaced by Σπ = 1.
		a := mat.NewDense(n, n, nil)
		b := mat.NewVecDense(n, nil)
		for i := range n {
			for j := range n {
				v := p[j][i]
				if i == j {
					v--
				}
				a.Set(i, j, v)
			}
		}
		for j := range n {
			a.Set(n-1, j, 1)
		}
		b.SetVec(n-1, 1)
		var x mat.VecDense
		if err := x.SolveVec(a, b); err != nil {
			t.Fatal(err)
		}
		pi := stationary(p)
		for i := range n {
			if !near(pi[i], x.AtVec(i), 1e-12) {
				t.Fatalf("trial %d: GTH %v, solve %v", trial, pi, x.RawVector().Data)
			}
		}
	}
}

func TestAlphaRankRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		payoff [][]float64
		cfg    AlphaRankConfig
	}{
		{nil, DefaultAlphaRankConfig()},
		{[][]float64{{0.5, 1}, {0}}, DefaultAlphaRankConfig()},
		{[][]float64{{math.NaN()}}, DefaultAlphaRankConfig()},
		{[][]float64{{0.5}}, AlphaRankConfig{Alpha: 0, PopulationSize: 50}},
		{[][]float64{{0.5}}, AlphaRankConfig{Alpha: 1, PopulationSize: 1}},
	} {
		if _, err := AlphaRank(tc.payoff, tc.cfg); err == nil {
			t.Errorf("AlphaRank(%v, %+v) accepted", tc.payoff, tc.cfg)
		}
	}
}
