package game

import (
	"fmt"
	"math"
	"math/big"
)

// Mixed is a mixed-strategy profile: Mixed[i][s] is the probability that
// player i plays strategy s.
type Mixed [][]float64

// Uniform returns the profile in which every player mixes uniformly.
func (g *Normal) Uniform() Mixed {
	x := make(Mixed, len(g.shape))
	for i, m := range g.shape {
		x[i] = make([]float64, m)
		for s := range x[i] {
			x[i][s] = 1 / float64(m)
		}
	}
	return x
}

// CheckMixed returns an error wrapping ErrShape when x does not have one
// probability vector of the right length per player, or a vector is not a
// distribution to within tol.
func (g *Normal) CheckMixed(x Mixed, tol float64) error {
	if len(x) != len(g.shape) {
		return fmt.Errorf("%w: profile has %d players, game has %d", ErrShape, len(x), len(g.shape))
	}
	for i, xi := range x {
		if len(xi) != g.shape[i] {
			return fmt.Errorf("%w: player %d has %d probabilities, game has %d strategies", ErrShape, i+1, len(xi), g.shape[i])
		}
		sum := 0.0
		for s, p := range xi {
			if !(p >= -tol) || math.IsInf(p, 0) {
				return fmt.Errorf("game: player %d strategy %d has probability %g", i+1, s+1, p)
			}
			sum += p
		}
		if math.Abs(sum-1) > tol {
			return fmt.Errorf("game: player %d's probabilities sum to %g, not 1", i+1, sum)
		}
	}
	return nil
}

// Expected returns every player's expected payoff under the mixed profile x.
func (g *Normal) Expected(x Mixed) []float64 {
	u := make([]float64, len(g.shape))
	g.forEachWeight(x, -1, func(k int, w float64) {
		for i := range u {
			u[i] += w * g.pay[i][k]
		}
	})
	return u
}

// Deviation writes into dst (allocated if short) the payoff to player i of
// each of its pure strategies when the other players play x, and returns it.
// x[i] is ignored.
func (g *Normal) Deviation(x Mixed, i int, dst []float64) []float64 {
	m := g.shape[i]
	if cap(dst) < m {
		dst = make([]float64, m)
	}
	dst = dst[:m]
	clear(dst)
	if len(g.shape) == 2 {
		g.deviation2(x, i, dst)
		return dst
	}
	stride := g.stride[i]
	pay := g.pay[i]
	g.forEachWeight(x, i, func(k int, w float64) {
		// k has player i's strategy 0; the others are at k + s·stride.
		for s := range m {
			dst[s] += w * pay[k+s*stride]
		}
	})
	return dst
}

// deviation2 is Deviation for two players: a matrix-vector product.
func (g *Normal) deviation2(x Mixed, i int, dst []float64) {
	m0 := g.shape[0]
	pay := g.pay[i]
	if i == 0 {
		for t, q := range x[1] {
			if q == 0 {
				continue
			}
			row := pay[t*m0 : (t+1)*m0]
			for s, v := range row {
				dst[s] += q * v
			}
		}
		return
	}
	for t := range dst {
		row := pay[t*m0 : (t+1)*m0]
		sum := 0.0
		for s, p := range x[0] {
			sum += p * row[s]
		}
		dst[t] = sum
	}
}

// forEachWeight calls f for every profile index k with the probability w > 0
// of k under x. When skip ≥ 0, player skip is left out: only profiles in
// which skip plays its strategy 0 are visited, weighted by the others alone.
func (g *Normal) forEachWeight(x Mixed, skip int, f func(k int, w float64)) {
	n := len(g.shape)
	var rec func(i, k int, w float64)
	rec = func(i, k int, w float64) {
		if i < 0 {
			f(k, w)
			return
		}
		if i == skip {
			rec(i-1, k, w)
			return
		}
		for s, p := range x[i] {
			if p != 0 {
				rec(i-1, k+s*g.stride[i], w*p)
			}
		}
	}
	rec(n-1, 0, 1)
}

// Regret returns, for each player, the gain of its best pure deviation from
// x: max_s u_i(s, x_{-i}) − u_i(x). All are ≥ 0 up to rounding; x is a Nash
// equilibrium exactly when all are 0.
func (g *Normal) Regret(x Mixed) []float64 {
	r := make([]float64, len(g.shape))
	var dev []float64
	for i := range g.shape {
		dev = g.Deviation(x, i, dev)
		best, u := math.Inf(-1), 0.0
		for s, v := range dev {
			best = max(best, v)
			u += x[i][s] * v
		}
		r[i] = best - u
	}
	return r
}

// NashConv returns the sum over players of Regret(x).
func (g *Normal) NashConv(x Mixed) float64 {
	sum := 0.0
	for _, r := range g.Regret(x) {
		sum += r
	}
	return sum
}

// MixedRat is a mixed profile in exact rationals.
type MixedRat [][]*big.Rat

// DeviationRat is Deviation in exact arithmetic over the game's exact
// payoffs.
func (g *Normal) DeviationRat(x MixedRat, i int) []*big.Rat {
	dst := make([]*big.Rat, g.shape[i])
	for s := range dst {
		dst[s] = new(big.Rat)
	}
	n := len(g.shape)
	var tmp big.Rat
	var rec func(j, k int, w *big.Rat)
	rec = func(j, k int, w *big.Rat) {
		if j < 0 {
			for s := range dst {
				tmp.Mul(w, g.ratAt(i, k+s*g.stride[i]))
				dst[s].Add(dst[s], &tmp)
			}
			return
		}
		if j == i {
			rec(j-1, k, w)
			return
		}
		for s, p := range x[j] {
			if p.Sign() != 0 {
				rec(j-1, k+s*g.stride[j], new(big.Rat).Mul(w, p))
			}
		}
	}
	rec(n-1, 0, big.NewRat(1, 1))
	return dst
}

// RegretRat returns each player's regret at x in exact arithmetic.
func (g *Normal) RegretRat(x MixedRat) []*big.Rat {
	r := make([]*big.Rat, len(g.shape))
	for i := range g.shape {
		dev := g.DeviationRat(x, i)
		best := dev[0]
		u := new(big.Rat)
		var tmp big.Rat
		for s, v := range dev {
			if v.Cmp(best) > 0 {
				best = v
			}
			u.Add(u, tmp.Mul(x[i][s], v))
		}
		r[i] = new(big.Rat).Sub(best, u)
	}
	return r
}

// ratAt returns the exact payoff without copying when it is stored.
func (g *Normal) ratAt(i, k int) *big.Rat {
	if g.exact != nil && g.exact[i][k] != nil {
		return g.exact[i][k]
	}
	return new(big.Rat).SetFloat64(g.pay[i][k])
}
