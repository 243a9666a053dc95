package nash

import (
	"context"
	"fmt"
	"math"
)

// Lottery describes the maximum-entropy optimal strategy of a symmetric
// zero-sum game with a skew-symmetric payoff (margin) matrix M, and the
// set of all optimal strategies it was chosen from.
type Lottery struct {
	// P is the optimal strategy of maximum entropy: P ≥ 0, ΣP = 1,
	// PᵀM ≥ 0, and among all such the one with the largest −Σ P log P.
	P []float64
	// Essential lists, in increasing order, the strategies that some
	// optimal strategy plays with positive probability; they are exactly
	// the support of P.
	Essential []int
	// FaceDim is the dimension of the set of optimal strategies: 0 when
	// the optimal strategy is unique, larger when margins tie.
	FaceDim int
	// Worst is min_j (PᵀM)_j, the certificate that P is optimal: ≥ 0 up to
	// rounding (the value of a symmetric zero-sum game is 0).
	Worst float64
}

// SkewTol is how far from skew-symmetric an input to MaximalLottery or
// MaxEntropyNash may be, relative to its largest entry: |M[i][j] + M[j][i]|
// ≤ SkewTol·max|M|. Within it the matrix is antisymmetrised, (M − Mᵀ)/2.
const SkewTol = 1e-9

// MaximalLottery returns the maximal lottery (von Neumann winner) of a
// skew-symmetric margin matrix M (M[i][j] = −M[j][i], for instance
// M = 2P − 1 for a preference matrix P): p ≥ 0, Σp = 1, pᵀM ≥ 0; among all
// such, the one of maximum entropy, which splits the mass of tied
// alternatives evenly. A Condorcet winner gets probability 1.
func MaximalLottery(M [][]float64) ([]float64, error) {
	l, err := MaximalLotteryFace(context.Background(), M)
	if err != nil {
		return nil, err
	}
	return l.P, nil
}

// MaxEntropyNash returns the maximum-entropy Nash equilibrium strategy of
// the symmetric zero-sum game with skew-symmetric payoff A (A[i][j] is
// what strategy i wins against j). This is the equilibrium Nash averaging
// (Balduzzi et al. 2018) evaluates agents against: unique, and invariant
// to adding copies of a strategy, whose mass the copies share.
func MaxEntropyNash(A [][]float64) ([]float64, error) {
	l, err := MaximalLotteryFace(context.Background(), A)
	if err != nil {
		return nil, err
	}
	return l.P, nil
}

// MaximalLotteryFace is MaximalLottery with the optimal face described:
// which strategies some optimal strategy uses, and its dimension.
//
// It solves the game's linear program (SolveZeroSum), splits the
// strategies into those some optimal strategy plays, those some optimal
// strategy strictly beats, and (in degenerate games) undecided ones, which
// one small auxiliary linear program settles by finding a strictly
// complementary optimal strategy. It then maximises entropy over the set of
// optimal strategies, an affine slice of the simplex cut by the remaining
// inequalities, by damped Newton steps with a vanishing log barrier.
func MaximalLotteryFace(ctx context.Context, M [][]float64) (Lottery, error) {
	n, err := checkSkew(M)
	if err != nil {
		return Lottery{}, err
	}
	S, scale := antisymmetrize(M)
	if scale == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return Lottery{P: uniform(n), Essential: all, FaceDim: n - 1}, nil
	}
	flat := make([]float64, n*n)
	for i, row := range S {
		copy(flat[i*n:], row)
	}
	sol, err := solveZeroSumFlat(ctx, flat, n, n)
	if err != nil {
		return Lottery{}, err
	}
	ess, interior, err := essentialSet(ctx, S, scale, sol.Row, sol.Col)
	if err != nil {
		return Lottery{}, err
	}
	p, dim, err := maxEntropyFace(ctx, S, scale, ess, interior)
	if err != nil {
		return Lottery{}, err
	}
	worst := math.Inf(1)
	for j := range n {
		s := 0.0
		for i, pi := range p {
			s += pi * S[i][j]
		}
		worst = min(worst, s)
	}
	if worst < -1e-9*scale {
		return Lottery{}, fmt.Errorf("%w: maximal lottery loses %.3g to strategy", ErrNumerical, -worst)
	}
	return Lottery{P: p, Essential: ess, FaceDim: dim, Worst: worst}, nil
}

// checkSkew validates a square, finite, skew-symmetric (within SkewTol)
// matrix and returns its size.
func checkSkew(M [][]float64) (int, error) {
	m, n, err := checkMatrix(M)
	if err != nil {
		return 0, err
	}
	if m != n {
		return 0, fmt.Errorf("%w: %d×%d, want a square matrix", ErrRagged, m, n)
	}
	big := 0.0
	for _, row := range M {
		for _, v := range row {
			big = max(big, math.Abs(v))
		}
	}
	for i := range n {
		for j := i; j < n; j++ {
			if d := math.Abs(M[i][j] + M[j][i]); d > SkewTol*big {
				return 0, fmt.Errorf("%w: M[%d][%d] = %v but M[%d][%d] = %v", ErrNotSkewSymmetric,
					i+1, j+1, M[i][j], j+1, i+1, M[j][i])
			}
		}
	}
	return n, nil
}

// antisymmetrize returns (M − Mᵀ)/2 and its largest absolute entry.
func antisymmetrize(M [][]float64) ([][]float64, float64) {
	n := len(M)
	S := make([][]float64, n)
	scale := 0.0
	for i := range S {
		S[i] = make([]float64, n)
		for j := range S[i] {
			S[i][j] = (M[i][j] - M[j][i]) / 2
			scale = max(scale, math.Abs(S[i][j]))
		}
	}
	return S, scale
}

// faceClass says how a strategy relates to the optimal strategies.
type faceClass int

const (
	undecided faceClass = iota
	played              // some optimal strategy plays it
	beaten              // some optimal strategy strictly beats it
)

// essentialSet returns the strategies that some optimal strategy of the
// symmetric game S plays (sorted), and an optimal strategy that plays all
// of them and strictly beats every other strategy: a point in the relative
// interior of the optimal face. x and y are optimal strategies (both are
// optimal for either player, by symmetry).
//
// By Goldman and Tucker's theorem each strategy j is either played by some
// optimal strategy or strictly beaten ((pᵀS)_j > 0) by some optimal p,
// never both. x and y settle most strategies; the rest are settled by one
// linear program over the cone of optimal strategies.
func essentialSet(ctx context.Context, S [][]float64, scale float64, x, y []float64) ([]int, []float64, error) {
	n := len(S)
	const probTol = 1e-9
	beatTol := 1e-8 * scale
	gx, gy := make([]float64, n), make([]float64, n)
	for i := range n {
		for j := range n {
			gx[j] += x[i] * S[i][j]
			gy[j] += y[i] * S[i][j]
		}
	}
	class := make([]faceClass, n)
	var und []int
	for j := range n {
		p := x[j] > probTol || y[j] > probTol
		b := gx[j] > beatTol || gy[j] > beatTol
		switch {
		case p && !b:
			class[j] = played
		case b && !p:
			class[j] = beaten
		default:
			und = append(und, j)
		}
	}
	interior := make([]float64, n)
	for j := range n {
		interior[j] = x[j] + y[j]
	}
	if len(und) > 0 {
		q, cls, err := settleUndecided(ctx, S, class, und)
		if err != nil {
			return nil, nil, err
		}
		for k, j := range und {
			if cls[k] {
				class[j] = played
			} else {
				class[j] = beaten
			}
		}
		for j, v := range q {
			interior[j] += v
		}
	}
	var ess []int
	for j := range n {
		if class[j] == played {
			ess = append(ess, j)
		} else {
			interior[j] = 0
		}
	}
	if !normalizeNonneg(interior) {
		return nil, nil, fmt.Errorf("%w: no optimal strategy found", ErrNumerical)
	}
	return ess, interior, nil
}

// settleUndecided decides, for each undecided strategy j, whether some
// optimal strategy plays it, by the linear program over the cone
// {p ≥ 0 : pᵀS ≥ 0} of (unnormalised) optimal strategies
//
//	max Σ_j (t_j + s_j)  s.t.  t_j ≤ p_j,  s_j ≤ (pᵀS)_j,  t_j, s_j ≤ 1,
//
// with p ranging over the strategies not known to be beaten (and Σp
// bounded, see below). Since the cone is closed under addition and scaling,
// the optimum has t_j = 1 exactly when j can be played and s_j = 1 exactly
// when j can be strictly beaten, one or the other by Goldman–Tucker. Where
// rounding leaves that unclear, two normalised programs for j alone
// decide: the largest probability an optimal strategy gives j, against the
// largest margin by which one beats j. It returns an optimal strategy
// (normalised) that plays every playable undecided strategy and beats every
// beatable one, and the decision per undecided strategy (true: played).
func settleUndecided(ctx context.Context, S [][]float64, class []faceClass, und []int) ([]float64, []bool, error) {
	n := len(S)
	var vars []int // strategies p ranges over
	for j := range n {
		if class[j] != beaten {
			vars = append(vars, j)
		}
	}
	scaleS := 0.0
	for _, r := range S {
		for _, v := range r {
			scaleS = max(scaleS, math.Abs(v))
		}
	}
	nv, nu := len(vars), len(und)
	cols := nv + 2*nu // p, then t, then s
	var A [][]float64
	var b []float64
	row := func() []float64 { r := make([]float64, cols); A = append(A, r); return r }
	// −(pᵀS)_j ≤ 0 for every j (scaled to unit entries)
	for j := range n {
		r := row()
		for k, i := range vars {
			r[k] = -S[i][j] / scaleS
		}
		b = append(b, 0)
	}
	pos := make(map[int]int, nv)
	for k, i := range vars {
		pos[i] = k
	}
	for u, j := range und {
		r := row() // t_j − p_j ≤ 0
		r[nv+u] = 1
		r[pos[j]] = -1
		b = append(b, 0)
		r = row() // t_j ≤ 1
		r[nv+u] = 1
		b = append(b, 1)
		r = row() // s_j − (pᵀS)_j ≤ 0
		r[nv+nu+u] = 1
		for k, i := range vars {
			r[k] = -S[i][j] / scaleS
		}
		b = append(b, 0)
		r = row() // s_j ≤ 1
		r[nv+nu+u] = 1
		b = append(b, 1)
	}
	// Σp ≤ 1e6: the cone's rays would otherwise let the simplex reach
	// points with p ~ 1e15, where rounding "satisfies" both t_j = 1 and
	// s_j = 1. Strategies this bound misjudges go to the fallback below.
	r := row()
	for k := range nv {
		r[k] = 1
	}
	b = append(b, 1e6)
	c := make([]float64, cols)
	for k := nv; k < cols; k++ {
		c[k] = 1
	}
	// No perturbation: it would break the cone's homogeneity too; Bland's
	// rule handles the degeneracy.
	z, err := lpMaxOrigin(ctx, A, b, c, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: settling tied strategies: %w", ErrNumerical, err)
	}
	q := make([]float64, n)
	for k, i := range vars {
		q[i] = z[k]
	}
	normalizeNonneg(q)
	cls := make([]bool, nu)
	for u, j := range und {
		t, s := z[nv+u], z[nv+nu+u]
		switch {
		case t > 0.99 && s < 0.01:
			cls[u] = true
		case s > 0.99 && t < 0.01:
		default:
			played, p, err := decideStrategy(ctx, S, scaleS, vars, j)
			if err != nil {
				return nil, nil, err
			}
			cls[u] = played
			for k, i := range vars {
				q[i] += p[k]
			}
		}
	}
	normalizeNonneg(q)
	return q, cls, nil
}

// decideStrategy decides whether strategy j can be played by an optimal
// strategy of S, comparing the two normalised programs max p_j and
// max (pᵀS)_j/scale over {p ≥ 0 on vars, Σp ≤ 1, pᵀS ≥ 0}: exactly one
// has a positive optimum (Goldman–Tucker), so the larger one decides. It
// returns the decision and that program's optimal p (over vars).
func decideStrategy(ctx context.Context, S [][]float64, scale float64, vars []int, j int) (bool, []float64, error) {
	n, nv := len(S), len(vars)
	A := make([][]float64, 0, n+1)
	b := make([]float64, 0, n+1)
	for k := range n {
		r := make([]float64, nv)
		for a, i := range vars {
			r[a] = -S[i][k] / scale
		}
		A = append(A, r)
		b = append(b, 0)
	}
	ones := make([]float64, nv)
	for a := range ones {
		ones[a] = 1
	}
	A = append(A, ones)
	b = append(b, 1)
	cPlay := make([]float64, nv)
	cBeat := make([]float64, nv)
	for a, i := range vars {
		if i == j {
			cPlay[a] = 1
		}
		cBeat[a] = S[i][j] / scale
	}
	pPlay, err := lpMaxOrigin(ctx, A, b, cPlay, 0)
	if err != nil {
		return false, nil, fmt.Errorf("%w: settling strategy %d: %w", ErrNumerical, j+1, err)
	}
	pBeat, err := lpMaxOrigin(ctx, A, b, cBeat, 0)
	if err != nil {
		return false, nil, fmt.Errorf("%w: settling strategy %d: %w", ErrNumerical, j+1, err)
	}
	if vdot(cPlay, pPlay) >= vdot(cBeat, pBeat) {
		return true, pPlay, nil
	}
	return false, pBeat, nil
}
