package nash

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// ZeroSumSolution is the solution of a two-player zero-sum game: its value
// and an optimal (maximin) strategy for each player.
type ZeroSumSolution struct {
	// Value is the game's value to the row player.
	Value float64
	// Row and Col are optimal strategies of the row player (who maximises
	// A[r][c]) and the column player (who minimises it).
	Row, Col []float64
	// RowGuarantee is min_c (Rowᵀ A)_c, what Row secures, and ColGuarantee
	// is max_r (A·Col)_r, what Col concedes at most. Their difference, the
	// duality gap, certifies the solution: Value lies between them.
	RowGuarantee, ColGuarantee float64
}

// Gap returns ColGuarantee − RowGuarantee, the duality gap of the
// solution (≥ 0; 0 for an exact solution).
func (s ZeroSumSolution) Gap() float64 { return s.ColGuarantee - s.RowGuarantee }

var (
	// ErrEmptyMatrix reports a matrix with no rows or no columns.
	ErrEmptyMatrix = errors.New("nash: empty payoff matrix")
	// ErrRagged reports a matrix whose rows differ in length, or a matrix
	// that should be square and is not.
	ErrRagged = errors.New("nash: payoff matrix is not rectangular")
	// ErrNotFinite reports a NaN or infinite payoff.
	ErrNotFinite = errors.New("nash: payoff is not finite")
	// ErrNotSkewSymmetric reports a margin or payoff matrix M that should
	// satisfy M[i][j] = −M[j][i] and does not.
	ErrNotSkewSymmetric = errors.New("nash: matrix is not skew-symmetric")
	// ErrNumerical reports a floating-point solver that failed: its
	// certificate (duality gap, regret) misses the tolerance, or it lost
	// accuracy or stalled on the way, typically on payoffs spread over
	// very many orders of magnitude.
	ErrNumerical = errors.New("nash: numerical failure")
)

// warmStartMin is the smallest number of strategies per player for which
// SolveZeroSum warm-starts the simplex method.
const warmStartMin = 48

// warmStartIters is how many first-order steps the warm start of an m×n
// game takes: each costs two passes over the payoffs, about as much as a
// few pivots, and more steps guess the supports better. Measured on random
// games (n = 100…1000), a quarter of the smaller dimension, between 25 and
// 150, is near the best trade-off.
func warmStartIters(m, n int) int { return min(150, max(25, min(m, n)/4)) }

// ZeroSumGapTol is the largest duality gap SolveZeroSum accepts, relative
// to the range of the payoffs (max − min).
const ZeroSumGapTol = 1e-9

// SolveZeroSum returns the value and optimal strategies of the zero-sum
// game where the row player gets A[r][c] and the column player −A[r][c].
//
// It solves the game's linear program by the simplex method with row and
// column generation (see BenchmarkSolveZeroSum for its speed; a random
// 1000×1000 game takes well under a second), robust to degenerate games
// through perturbation and Bland's rule, and checks the answer: the
// duality gap between what the two strategies guarantee must be at most
// ZeroSumGapTol times the payoff range, or the error wraps ErrNumerical.
func SolveZeroSum(A [][]float64) (ZeroSumSolution, error) {
	return SolveZeroSumContext(context.Background(), A)
}

// SolveZeroSumContext is SolveZeroSum with a context, checked between
// pivots.
func SolveZeroSumContext(ctx context.Context, A [][]float64) (ZeroSumSolution, error) {
	m, n, err := checkMatrix(A)
	if err != nil {
		return ZeroSumSolution{}, err
	}
	flat := make([]float64, m*n)
	for i, row := range A {
		copy(flat[i*n:], row)
	}
	return solveZeroSumFlat(ctx, flat, m, n)
}

// checkMatrix validates a dense matrix: non-empty, rectangular, finite.
func checkMatrix(A [][]float64) (m, n int, err error) {
	m = len(A)
	if m == 0 || len(A[0]) == 0 {
		return 0, 0, ErrEmptyMatrix
	}
	n = len(A[0])
	for i, row := range A {
		if len(row) != n {
			return 0, 0, fmt.Errorf("%w: row %d has %d entries, row 1 has %d", ErrRagged, i+1, len(row), n)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("%w: entry [%d][%d] is %v", ErrNotFinite, i+1, j+1, v)
			}
		}
	}
	return m, n, nil
}

// solveZeroSumFlat solves the game with row-major payoffs a (m×n), which
// it may overwrite.
func solveZeroSumFlat(ctx context.Context, a []float64, m, n int) (ZeroSumSolution, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range a {
		lo, hi = min(lo, v), max(hi, v)
	}
	orig := append([]float64(nil), a...)
	span := hi - lo
	if span == 0 || span < 1e-300 {
		// Every strategy is optimal; uniform is the natural choice.
		sol := ZeroSumSolution{Value: lo, Row: uniform(m), Col: uniform(n), RowGuarantee: lo, ColGuarantee: lo}
		return sol, nil
	}
	for k, v := range a {
		a[k] = 1 + (v-lo)/span
	}
	seed := uint64(m)<<32 | uint64(n)
	s, err := solveScaled(ctx, a, m, n, seed)
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", ErrNumerical, err)
		}
		return ZeroSumSolution{}, fmt.Errorf("nash: zero-sum %d×%d: %w", m, n, err)
	}
	row := make([]float64, m)
	col := make([]float64, n)
	s.duals(row)
	s.primalValues(col)
	if !normalizeNonneg(row) || !normalizeNonneg(col) {
		return ZeroSumSolution{}, fmt.Errorf("nash: zero-sum %d×%d: %w: empty strategy", m, n, ErrNumerical)
	}
	sol := certify(orig, m, n, row, col)
	if gap := sol.Gap(); !(gap <= ZeroSumGapTol*span) {
		return sol, fmt.Errorf("nash: zero-sum %d×%d: %w: duality gap %.3g exceeds %.3g",
			m, n, ErrNumerical, gap, ZeroSumGapTol*span)
	}
	return sol, nil
}

// solveScaled runs the simplex method on the scaled game a, warm-started
// when the game is large enough; if the warm start leads it astray (a
// badly conditioned guessed basis) it starts over cold.
func solveScaled(ctx context.Context, a []float64, m, n int, seed uint64) (*gameSimplex, error) {
	if min(m, n) >= warmStartMin {
		rows, cols := warmStart(a, m, n, warmStartIters(m, n), seed)
		s := newGameSimplex(a, m, n, seed)
		s.limit = 5*(m+n) + 1000
		err := s.solve(ctx, rows, cols)
		if err == nil || ctx.Err() != nil {
			return s, err
		}
	}
	s := newGameSimplex(a, m, n, seed)
	return s, s.solve(ctx, nil, nil)
}

// certify computes what the strategies guarantee in the game a (row-major
// m×n) and returns the solution with Value at the midpoint.
func certify(a []float64, m, n int, row, col []float64) ZeroSumSolution {
	q := make([]float64, n) // rowᵀA
	for i, x := range row {
		if x != 0 {
			vaxpy(q, x, a[i*n:(i+1)*n])
		}
	}
	rowG := math.Inf(1)
	for _, v := range q {
		rowG = min(rowG, v)
	}
	colG := math.Inf(-1)
	for i := range m {
		colG = max(colG, vdot(col, a[i*n:(i+1)*n]))
	}
	return ZeroSumSolution{
		Value: rowG + (colG-rowG)/2, Row: row, Col: col,
		RowGuarantee: rowG, ColGuarantee: colG,
	}
}

// normalizeNonneg clips negative entries (rounding noise) to 0 and scales
// x to sum 1; it reports false when nothing positive is left.
func normalizeNonneg(x []float64) bool {
	sum := 0.0
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		} else {
			sum += v
		}
	}
	if !(sum > 0) {
		return false
	}
	for i := range x {
		x[i] /= sum
	}
	return true
}

func uniform(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	return x
}
