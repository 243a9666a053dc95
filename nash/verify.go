package nash

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/selfplay-lab/selfplay/game"
)

// ErrNotEquilibrium reports a profile from which some player gains by
// deviating.
var ErrNotEquilibrium = errors.New("nash: not a Nash equilibrium")

// VerifyExact checks in exact arithmetic, over g's exact payoffs, that x is
// a Nash equilibrium of the n-player game g: every x_i is a probability
// distribution (non-negative, summing to exactly one) and no player gains by
// a pure deviation. It returns nil, an error wrapping game.ErrShape for a
// profile of the wrong shape, or one wrapping ErrNotEquilibrium that names a
// profitable deviation.
func VerifyExact(g *game.Normal, x game.MixedRat) error {
	if len(x) != g.NumPlayers() {
		return fmt.Errorf("%w: profile has %d players, game has %d", game.ErrShape, len(x), g.NumPlayers())
	}
	one := big.NewRat(1, 1)
	for i, xi := range x {
		if len(xi) != g.NumStrategies(i) {
			return fmt.Errorf("%w: player %d has %d probabilities, game has %d strategies", game.ErrShape, i+1, len(xi), g.NumStrategies(i))
		}
		sum := new(big.Rat)
		for s, p := range xi {
			if p == nil {
				return fmt.Errorf("%w: player %d strategy %d has no probability", game.ErrShape, i+1, s+1)
			}
			if p.Sign() < 0 {
				return fmt.Errorf("nash: player %d strategy %d has negative probability %s", i+1, s+1, p.RatString())
			}
			sum.Add(sum, p)
		}
		if sum.Cmp(one) != 0 {
			return fmt.Errorf("nash: player %d's probabilities sum to %s, not 1", i+1, sum.RatString())
		}
	}
	for i := range x {
		dev := g.DeviationRat(x, i)
		u := new(big.Rat)
		var tmp big.Rat
		best := 0
		for s, v := range dev {
			u.Add(u, tmp.Mul(x[i][s], v))
			if v.Cmp(dev[best]) > 0 {
				best = s
			}
		}
		if gain := new(big.Rat).Sub(dev[best], u); gain.Sign() > 0 {
			return fmt.Errorf("%w: player %d gains %s by switching to strategy %d", ErrNotEquilibrium, i+1, gain.RatString(), best+1)
		}
	}
	return nil
}

// bimatrixEquilibrium checks that (x, y) is an equilibrium of the bimatrix
// game (A, B), both distributions, and returns it with its payoffs. It works
// on the matrices directly: each player's support must lie among its best
// responses to the other's strategy.
func bimatrixEquilibrium(A, B [][]*big.Rat, x, y []*big.Rat) (Equilibrium, error) {
	m, n := len(A), len(A[0])
	var tmp big.Rat
	rowVals := make([]*big.Rat, m) // (Ay)_i
	for i := range m {
		rowVals[i] = new(big.Rat)
		for j, q := range y {
			if q.Sign() != 0 {
				rowVals[i].Add(rowVals[i], tmp.Mul(q, A[i][j]))
			}
		}
	}
	colVals := make([]*big.Rat, n) // (Bᵀx)_j
	for j := range n {
		colVals[j] = new(big.Rat)
		for i, p := range x {
			if p.Sign() != 0 {
				colVals[j].Add(colVals[j], tmp.Mul(p, B[i][j]))
			}
		}
	}
	u1, u2 := maxRat(rowVals), maxRat(colVals)
	for i, p := range x {
		if p.Sign() != 0 && rowVals[i].Cmp(u1) != 0 {
			return Equilibrium{}, fmt.Errorf("%w: row %d is played but not a best response", ErrNotEquilibrium, i+1)
		}
	}
	for j, q := range y {
		if q.Sign() != 0 && colVals[j].Cmp(u2) != 0 {
			return Equilibrium{}, fmt.Errorf("%w: column %d is played but not a best response", ErrNotEquilibrium, j+1)
		}
	}
	return newEquilibrium(game.MixedRat{x, y}, []*big.Rat{new(big.Rat).Set(u1), new(big.Rat).Set(u2)}), nil
}

func maxRat(v []*big.Rat) *big.Rat {
	best := v[0]
	for _, x := range v[1:] {
		if x.Cmp(best) > 0 {
			best = x
		}
	}
	return best
}
