package game

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
)

// Random game generators. Each draws everything from the rng it is given,
// so a seeded generator (rand.New(rand.NewPCG(seed1, seed2))) reproduces
// the same game. Payoffs are drawn profile by profile in index order, and
// within a profile player by player. Invalid arguments (an empty range, a
// correlation out of bounds, a bad shape) are programming errors and panic,
// like New.

// RandomUniform returns a game whose payoffs are independent and uniform
// on [0, 1). Its payoffs are floats (IsRational is false).
func RandomUniform(rng *rand.Rand, shape ...int) *Normal {
	g := New(shape...)
	for k := range g.NumProfiles() {
		for i := range shape {
			g.SetPayoff(i, k, rng.Float64())
		}
	}
	return g
}

// RandomInt returns a game whose payoffs are independent integers uniform
// on [lo, hi], exact (IsRational is true). A small range makes ties, hence
// degenerate games, common. It panics if lo > hi.
func RandomInt(rng *rand.Rand, lo, hi int, shape ...int) *Normal {
	if lo > hi {
		panic(fmt.Sprintf("game.RandomInt: empty range [%d, %d]", lo, hi))
	}
	g := New(shape...)
	span := uint64(hi-lo) + 1 // 0 when the range is all of int64
	for k := range g.NumProfiles() {
		for i := range shape {
			var u uint64
			if span == 0 {
				u = rng.Uint64()
			} else {
				u = rng.Uint64N(span)
			}
			g.setInt(i, k, int64(lo)+int64(u))
		}
	}
	return g
}

// setInt sets payoff (i, k) to the integer v exactly.
func (g *Normal) setInt(i, k int, v int64) {
	if f := float64(v); v > -1<<53 && v < 1<<53 {
		g.setExactFloat(i, k, f)
		return
	}
	g.SetPayoffRat(i, k, new(big.Rat).SetInt64(v))
}

// RandomZeroSum returns the m×n two-player game in which the row player's
// payoffs are independent and uniform on [0, 1) and the column player's are
// their negatives, so that the payoffs at every profile sum to exactly zero.
func RandomZeroSum(rng *rand.Rand, m, n int) *Normal {
	g := New(m, n)
	for k := range g.NumProfiles() {
		v := rng.Float64()
		g.SetPayoff(0, k, v)
		g.SetPayoff(1, k, -v)
	}
	return g
}

// RandomCovariant returns a covariant game: the payoff vectors of the
// profiles are independent, each multivariate normal with mean 0, variance
// 1 and correlation rho between any two players. rho = 1 gives a common-
// interest game (all players paid alike), rho = 0 independent payoffs, and
// the smallest value allowed, −1/(n−1) for n players, a zero-sum game up to
// rounding. It panics if rho is outside [−1/(n−1), 1] (any rho is accepted
// for one player).
//
// The covariance matrix (1−ρ)I + ρ11ᵀ has eigenvalue 1+(n−1)ρ along 1 and
// 1−ρ on its orthogonal complement, so with e standard normal and ē its
// mean, z = √(1−ρ)·(e − ē1) + √(1+(n−1)ρ)·ē1 has that covariance.
func RandomCovariant(rng *rand.Rand, rho float64, shape ...int) *Normal {
	n := len(shape)
	if n > 1 && !(rho >= -1/float64(n-1) && rho <= 1) {
		panic(fmt.Sprintf("game.RandomCovariant: correlation %v outside [%v, 1] for %d players", rho, -1/float64(n-1), n))
	}
	g := New(shape...)
	a, b := math.Sqrt(1-rho), math.Sqrt(max(0, 1+float64(n-1)*rho))
	if n == 1 {
		a, b = 1, 1
	}
	e := make([]float64, n)
	for k := range g.NumProfiles() {
		mean := 0.0
		for i := range e {
			e[i] = rng.NormFloat64()
			mean += e[i]
		}
		mean /= float64(n)
		for i := range e {
			g.SetPayoff(i, k, a*(e[i]-mean)+b*mean)
		}
	}
	return g
}

// RandomDegenerate returns an exact integer game built to be degenerate:
// payoffs are uniform on {0, 1, 2}, so ties are common, and in addition
// every player with two or more strategies gets a pair of strategies with
// identical payoffs to that player, one of them a best response to the
// others' first strategies. That best response is then not unique, which
// makes the game degenerate (a pure strategy of the others with two pure
// best responses); equilibrium components and continua are frequent.
func RandomDegenerate(rng *rand.Rand, shape ...int) *Normal {
	g := RandomInt(rng, 0, 2, shape...)
	var prof []int
	for i, m := range shape {
		if m < 2 {
			continue
		}
		// Best response of player i to everyone else's strategy 0.
		best, bestV := 0, math.Inf(-1)
		for s := range m {
			if v := g.pay[i][s*g.stride[i]]; v > bestV {
				best, bestV = s, v
			}
		}
		copyTo := rng.IntN(m - 1)
		if copyTo >= best {
			copyTo++
		}
		for k := range g.NumProfiles() {
			prof = g.Profile(k, prof)
			if prof[i] == copyTo {
				g.setExactFloat(i, k, g.pay[i][k+(best-copyTo)*g.stride[i]])
			}
		}
	}
	return g
}
