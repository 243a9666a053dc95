package game

import (
	"fmt"
	"math"
	"math/big"
)

// Bimatrix returns the two-player game in which the row player (player 1)
// gets A[r][c] and the column player (player 2) gets B[r][c]. It panics if A
// and B are empty or not the same rectangular shape.
func Bimatrix(A, B [][]float64) *Normal {
	m, n := checkRect(len(A), len(B), func(r int) (int, int) { return len(A[r]), len(B[r]) })
	g := New(m, n)
	for r := range m {
		for c := range n {
			k := r + c*m
			g.SetPayoff(0, k, A[r][c])
			g.SetPayoff(1, k, B[r][c])
		}
	}
	return g
}

// BimatrixRat is Bimatrix with exact payoffs.
func BimatrixRat(A, B [][]*big.Rat) *Normal {
	m, n := checkRect(len(A), len(B), func(r int) (int, int) { return len(A[r]), len(B[r]) })
	g := New(m, n)
	for r := range m {
		for c := range n {
			k := r + c*m
			g.SetPayoffRat(0, k, A[r][c])
			g.SetPayoffRat(1, k, B[r][c])
		}
	}
	return g
}

// ZeroSum returns the two-player zero-sum game with row-player payoffs A.
func ZeroSum(A [][]float64) *Normal {
	B := make([][]float64, len(A))
	for r, row := range A {
		B[r] = make([]float64, len(row))
		for c, v := range row {
			B[r][c] = -v
		}
	}
	return Bimatrix(A, B)
}

func checkRect(mA, mB int, cols func(r int) (int, int)) (m, n int) {
	if mA == 0 || mA != mB {
		panic(fmt.Sprintf("game: payoff matrices have %d and %d rows", mA, mB))
	}
	n, _ = cols(0)
	for r := range mA {
		a, b := cols(r)
		if a != n || b != n || n == 0 {
			panic(fmt.Sprintf("game: row %d has %d and %d columns, want %d", r+1, a, b, n))
		}
	}
	return mA, n
}

// Matrices returns the payoff matrices of a two-player game: A[r][c] for the
// row player and B[r][c] for the column player.
func (g *Normal) Matrices() (A, B [][]float64, err error) {
	if len(g.shape) != 2 {
		return nil, nil, fmt.Errorf("%w: %d players, want 2", ErrShape, len(g.shape))
	}
	m, n := g.shape[0], g.shape[1]
	A, B = make([][]float64, m), make([][]float64, m)
	for r := range m {
		A[r], B[r] = make([]float64, n), make([]float64, n)
		for c := range n {
			A[r][c] = g.pay[0][r+c*m]
			B[r][c] = g.pay[1][r+c*m]
		}
	}
	return A, B, nil
}

// MatricesRat is Matrices in exact rationals.
func (g *Normal) MatricesRat() (A, B [][]*big.Rat, err error) {
	if len(g.shape) != 2 {
		return nil, nil, fmt.Errorf("%w: %d players, want 2", ErrShape, len(g.shape))
	}
	m, n := g.shape[0], g.shape[1]
	A, B = make([][]*big.Rat, m), make([][]*big.Rat, m)
	for r := range m {
		A[r], B[r] = make([]*big.Rat, n), make([]*big.Rat, n)
		for c := range n {
			A[r][c] = g.PayoffRat(0, r+c*m)
			B[r][c] = g.PayoffRat(1, r+c*m)
		}
	}
	return A, B, nil
}

// IsZeroSum reports whether the payoffs of all players sum to the same
// constant at every profile (a constant-sum game), comparing exactly.
func (g *Normal) IsZeroSum() bool {
	if len(g.shape) == 2 && g.exact[0] == nil && g.exact[1] == nil {
		if same, ok := g.isConstSum2(); ok {
			return same
		}
	}
	var first, sum, tmp big.Rat
	for k := range g.pay[0] {
		sum.SetInt64(0)
		for i := range g.shape {
			sum.Add(&sum, g.ratInto(i, k, &tmp))
		}
		if k == 0 {
			first.Set(&sum)
		} else if sum.Cmp(&first) != 0 {
			return false
		}
	}
	return true
}

// isConstSum2 is IsZeroSum for two players whose payoffs are all floats:
// a+b is exactly s+e with s = fl(a+b) and e the rounding error (Knuth's
// TwoSum), and that pair is unique for each exact sum, so equal pairs mean
// equal sums. ok is false when a sum overflows.
func (g *Normal) isConstSum2() (same, ok bool) {
	a, b := g.pay[0], g.pay[1]
	s0, e0 := twoSum(a[0], b[0])
	for k := range a {
		s, e := twoSum(a[k], b[k])
		if math.IsInf(s, 0) {
			return false, false
		}
		if s != s0 || e != e0 {
			return false, true
		}
	}
	return true, true
}

func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}
