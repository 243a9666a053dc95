package nash

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/game"
)

// Regrets returns each player's regret at the mixed profile x: the gain of
// its best pure deviation, max_s u_i(s, x_−i) − u_i(x) (≥ 0 up to
// rounding). It is game.Normal.Regret with x validated first (shape, and
// distributions to within 1e-9).
func Regrets(g *game.Normal, x game.Mixed) ([]float64, error) {
	if err := g.CheckMixed(x, 1e-9); err != nil {
		return nil, err
	}
	return g.Regret(x), nil
}

// NashConv returns the sum of the players' regrets at x, 0 exactly at a
// Nash equilibrium (Lanctot et al. 2017), with x validated.
func NashConv(g *game.Normal, x game.Mixed) (float64, error) {
	if err := g.CheckMixed(x, 1e-9); err != nil {
		return 0, err
	}
	return g.NashConv(x), nil
}

// MaxRegret returns the largest regret of any player at x: x is an
// ε-Nash equilibrium exactly for ε ≥ MaxRegret.
func MaxRegret(g *game.Normal, x game.Mixed) (float64, error) {
	if err := g.CheckMixed(x, 1e-9); err != nil {
		return 0, err
	}
	return maxRegret(g, x), nil
}

// Exploitability returns the exploitability of x in a two-player
// constant-sum game: the average over the players of what a best response
// to the other gains over the game's value, (max_r (A·y)_r − min_c (xᵀA)_c)/2
// for the row player's payoffs A, which equals NashConv/2 and needs no
// value. It is 0 exactly at an equilibrium. The error wraps ErrNotBimatrix
// for other games.
func Exploitability(g *game.Normal, x game.Mixed) (float64, error) {
	if g.NumPlayers() != 2 || !g.IsZeroSum() {
		return 0, fmt.Errorf("%w: exploitability needs a two-player constant-sum game", ErrNotBimatrix)
	}
	nc, err := NashConv(g, x)
	return nc / 2, err
}

// ExploitabilityMatrix is Exploitability for the zero-sum game with
// row-player payoffs A (row, col the two strategies), without building a
// game: (max_r (A·col)_r − min_c (rowᵀA)_c)/2.
func ExploitabilityMatrix(A [][]float64, row, col []float64) (float64, error) {
	m, n, err := checkMatrix(A)
	if err != nil {
		return 0, err
	}
	if len(row) != m || len(col) != n {
		return 0, fmt.Errorf("%w: strategies of %d and %d entries for a %d×%d matrix", game.ErrShape, len(row), len(col), m, n)
	}
	flat := make([]float64, m*n)
	for i, r := range A {
		copy(flat[i*n:], r)
	}
	s := certify(flat, m, n, row, col)
	return s.Gap() / 2, nil
}
