package game

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func seeded(a uint64) *rand.Rand { return rand.New(rand.NewPCG(a, 99)) }

func TestRandomDeterministic(t *testing.T) {
	gens := map[string]func(rng *rand.Rand) *Normal{
		"uniform":    func(rng *rand.Rand) *Normal { return RandomUniform(rng, 3, 4, 2) },
		"int":        func(rng *rand.Rand) *Normal { return RandomInt(rng, -3, 3, 3, 4, 2) },
		"zerosum":    func(rng *rand.Rand) *Normal { return RandomZeroSum(rng, 5, 4) },
		"covariant":  func(rng *rand.Rand) *Normal { return RandomCovariant(rng, -0.2, 3, 4, 2) },
		"degenerate": func(rng *rand.Rand) *Normal { return RandomDegenerate(rng, 4, 3, 2) },
	}
	for name, gen := range gens {
		a, b, c := gen(seeded(1)), gen(seeded(1)), gen(seeded(2))
		if !a.Equal(b) {
			t.Errorf("%s: equal seeds gave different games", name)
		}
		if a.Equal(c) {
			t.Errorf("%s: different seeds gave the same game", name)
		}
	}
}

// meanVar returns the sample mean and variance.
func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}

func correlation(a, b []float64) float64 {
	ma, va := meanVar(a)
	mb, vb := meanVar(b)
	c := 0.0
	for k := range a {
		c += (a[k] - ma) * (b[k] - mb)
	}
	return c / float64(len(a)-1) / math.Sqrt(va*vb)
}

func TestRandomUniform(t *testing.T) {
	g := RandomUniform(seeded(3), 100, 100)
	if g.IsRational() {
		t.Error("float game reports IsRational")
	}
	all := append(append([]float64(nil), g.Payoffs(0)...), g.Payoffs(1)...)
	for _, v := range all {
		if v < 0 || v >= 1 {
			t.Fatalf("payoff %v outside [0, 1)", v)
		}
	}
	// U[0,1): mean 1/2, variance 1/12; the sample mean of n draws has
	// standard deviation √(1/12n), the variance about √(1/180n).
	n := float64(len(all))
	mean, variance := meanVar(all)
	if math.Abs(mean-0.5) > 5*math.Sqrt(1/(12*n)) || math.Abs(variance-1.0/12) > 5*math.Sqrt(1/(180*n)) {
		t.Errorf("mean %v, variance %v; want 1/2, 1/12", mean, variance)
	}
	if r := correlation(g.Payoffs(0), g.Payoffs(1)); math.Abs(r) > 5/math.Sqrt(n/2) {
		t.Errorf("players' payoffs correlate: %v", r)
	}
}

func TestRandomInt(t *testing.T) {
	const lo, hi = -3, 3
	g := RandomInt(seeded(4), lo, hi, 20, 30, 5)
	if !g.IsRational() {
		t.Error("integer game is not rational")
	}
	counts := map[int]int{}
	total := 0
	for i := range 3 {
		for k := range g.NumProfiles() {
			r := g.PayoffRat(i, k)
			if !r.IsInt() || r.Num().Int64() < lo || r.Num().Int64() > hi || float64(r.Num().Int64()) != g.Payoff(i, k) {
				t.Fatalf("payoff %v (float %v) is not an integer in [%d, %d]", r, g.Payoff(i, k), lo, hi)
			}
			counts[int(r.Num().Int64())]++
			total++
		}
	}
	// Each value has probability 1/7: binomial counts within 5 sd.
	p := 1.0 / (hi - lo + 1)
	sd := math.Sqrt(float64(total) * p * (1 - p))
	for v := lo; v <= hi; v++ {
		if math.Abs(float64(counts[v])-p*float64(total)) > 5*sd {
			t.Errorf("value %d drawn %d times of %d, expected %v ± %v", v, counts[v], total, p*float64(total), 5*sd)
		}
	}
	// The full int64 range stays exact beyond float precision.
	big64 := RandomInt(seeded(5), math.MinInt64, math.MaxInt64, 50)
	exactBeyondFloat := 0
	for k := range 50 {
		r := big64.PayoffRat(0, k)
		if !r.IsInt() || !r.Num().IsInt64() {
			t.Fatalf("payoff %v is not an int64", r)
		}
		if f, _ := r.Float64(); f != big64.Payoff(0, k) {
			t.Fatalf("float %v is not the nearest to %v", big64.Payoff(0, k), r)
		}
		if new(big.Rat).SetFloat64(big64.Payoff(0, k)).Cmp(r) != 0 {
			exactBeyondFloat++
		}
	}
	if exactBeyondFloat == 0 {
		t.Error("no payoff needed more than float precision: the test is not testing")
	}
	if g := RandomInt(seeded(6), 7, 7, 3, 3); g.PayoffRat(1, 8).Cmp(big.NewRat(7, 1)) != 0 {
		t.Error("one-value range")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("RandomInt with lo > hi did not panic")
			}
		}()
		RandomInt(seeded(7), 2, 1, 2)
	}()
}

func TestRandomZeroSum(t *testing.T) {
	g := RandomZeroSum(seeded(8), 30, 40)
	if !g.IsZeroSum() {
		t.Fatal("not zero-sum")
	}
	for k := range g.NumProfiles() {
		if s := new(big.Rat).Add(g.PayoffRat(0, k), g.PayoffRat(1, k)); s.Sign() != 0 {
			t.Fatalf("profile %d sums to %v", k, s)
		}
	}
	mean, _ := meanVar(g.Payoffs(0))
	if math.Abs(mean-0.5) > 5*math.Sqrt(1/(12*1200.0)) {
		t.Errorf("row payoffs have mean %v, want 1/2", mean)
	}
}

// Covariant games: every pair of players' payoffs has correlation rho and
// each player's payoffs are standard normal. With n samples the sample
// correlation has standard deviation ≈ (1−ρ²)/√n, the mean 1/√n and the
// variance √(2/n); the tolerances are five of those.
func TestRandomCovariant(t *testing.T) {
	tests := []struct {
		rho   float64
		shape []int
	}{
		{-1, []int{100, 100}}, {-0.5, []int{100, 100}}, {0, []int{100, 100}}, {0.3, []int{100, 100}},
		{0.9, []int{100, 100}}, {1, []int{100, 100}},
		{-0.5, []int{25, 20, 20}}, {0.6, []int{10, 10, 10, 10}}, {-1.0 / 3, []int{10, 10, 10, 10}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.rho, tc.shape), func(t *testing.T) {
			g := RandomCovariant(seeded(9), tc.rho, tc.shape...)
			n := float64(g.NumProfiles())
			np := g.NumPlayers()
			for i := range np {
				mean, variance := meanVar(g.Payoffs(i))
				if math.Abs(mean) > 5/math.Sqrt(n) || math.Abs(variance-1) > 5*math.Sqrt(2/n) {
					t.Errorf("player %d: mean %v, variance %v", i+1, mean, variance)
				}
				for j := range i {
					r := correlation(g.Payoffs(i), g.Payoffs(j))
					if tol := 5*(1-tc.rho*tc.rho)/math.Sqrt(n) + 1e-12; math.Abs(r-tc.rho) > tol {
						t.Errorf("players %d,%d: correlation %v, want %v ± %v", j+1, i+1, r, tc.rho, tol)
					}
				}
			}
			// At the lower bound the payoffs sum to zero at every profile.
			if tc.rho == -1/float64(np-1) {
				for k := range g.NumProfiles() {
					s := 0.0
					for i := range np {
						s += g.Payoff(i, k)
					}
					if math.Abs(s) > 1e-12 {
						t.Fatalf("profile %d sums to %v", k, s)
					}
				}
			}
		})
	}
	for _, bad := range []struct {
		rho float64
		n   int
	}{{-0.51, 3}, {1.01, 2}, {-1.01, 2}, {math.NaN(), 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("rho %v for %d players did not panic", bad.rho, bad.n)
				}
			}()
			shape := make([]int, bad.n)
			for i := range shape {
				shape[i] = 2
			}
			RandomCovariant(seeded(10), bad.rho, shape...)
		}()
	}
	if g := RandomCovariant(seeded(11), 5, 3); g.NumProfiles() != 3 {
		t.Error("one player: rho is irrelevant")
	}
}

func TestRandomDegenerate(t *testing.T) {
	for seed := range uint64(50) {
		shape := []int{2 + int(seed%4), 2 + int(seed%3), 1 + int(seed%2)}
		g := RandomDegenerate(seeded(seed), shape...)
		if !g.IsRational() {
			t.Fatal("not exact")
		}
		for i := range g.NumPlayers() {
			for k := range g.NumProfiles() {
				if v := g.Payoff(i, k); v != 0 && v != 1 && v != 2 {
					t.Fatalf("payoff %v not in {0,1,2}", v)
				}
			}
			if shape[i] < 2 {
				continue
			}
			// Against everyone else's first strategy, player i has at
			// least two best responses.
			dev := g.Deviation(pureFloat(g, 0), i, nil)
			best, count := math.Inf(-1), 0
			for _, v := range dev {
				if v > best {
					best, count = v, 1
				} else if v == best {
					count++
				}
			}
			if count < 2 {
				t.Fatalf("seed %d player %d: unique best response, deviation payoffs %v", seed, i+1, dev)
			}
		}
	}
}

// pureFloat is the profile in which everyone plays strategy s.
func pureFloat(g *Normal, s int) Mixed {
	x := make(Mixed, g.NumPlayers())
	for i := range x {
		x[i] = make([]float64, g.NumStrategies(i))
		x[i][s] = 1
	}
	return x
}
