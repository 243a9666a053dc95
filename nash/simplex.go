package nash

import (
	"context"
	"errors"
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"
	"math/rand/v2"
	"slices"
)

// gameSimplex solves a matrix game by the simplex method on its linear
// program, generating rows and columns as they are needed.
//
// The payoffs are first mapped affinely into [1, 2] (a). The column
// player's problem is then
//
//	max Σ_j w_j  s.t.  Σ_j a_ij w_j ≤ 1 for every row i,  w ≥ 0,
//
// whose optimum is 1/v (v the value of the scaled game) with column strategy
// w·v; its duals are the row player's optimal strategy times v. The slack
// basis w = 0 is feasible, so no phase 1 is needed.
//
// A random 1000×1000 game has optimal supports of about 500 strategies
// each, and a full tableau would cost a million updates per pivot for
// thousands of pivots. Instead the tableau holds only a restricted game, a
// set of rows and columns, which grows like a double oracle: columns whose
// reduced cost against the full game is positive are added and fixed by
// primal simplex pivots (the restricted basis stays primal feasible), rows
// whose constraint the current w violates are added and fixed by dual
// simplex pivots (it stays dual feasible). The restricted tableau ends near
// the size of the supports, and most strategies of the full game are only
// ever priced.
//
// Degeneracy (integer payoffs, duplicated strategies) is handled by a
// random perturbation of the right-hand sides and costs, of relative size
// perturbation, which makes ties improbable; once the perturbed problem is
// solved, the true right-hand sides and costs are restored from the final
// basis with iterative refinement and the remaining pivots are made with
// Bland's rule, which cannot cycle.
//
// The tableau is in exchange (condensed) form: row r holds the basic
// variable basic[r] = b[r] − Σ_k t[r][k]·x_{nonb[k]}, and the objective is
// z = z0 + Σ_k c[k]·x_{nonb[k]}.
type gameSimplex struct {
	a    []float64 // scaled payoffs in [1, 2], row-major m×n
	m, n int
	epsB []float64 // right-hand side of row i: 1 + epsB[i]
	epsC []float64 // cost of column j: 1 + epsC[j]
	// shift[v] > 0 is what variable v's reduced cost is set to, negated,
	// when repair makes a basis dual feasible.
	shift []float64

	t      []float64 // tableau, row stride w
	w      int       // column capacity of t
	nr, nc int       // tableau rows (basic variables) and columns (nonbasic)
	b      []float64 // right-hand side per tableau row
	c      []float64 // reduced cost per tableau column
	basic  []int     // variable of each tableau row
	nonb   []int     // variable of each tableau column
	// where[v] is r+1 when variable v is basic in row r, −(k+1) when it is
	// nonbasic in column k, 0 when it is not in the restricted problem.
	// Variables 0…n−1 are the w_j, n…n+m−1 the slacks of the rows.
	where []int

	// Steepest-edge weights, exact: gamma[k] = 1 + Σ_r t[r][k]² for the
	// columns (primal pricing), delta[r] = 1 + Σ_k t[r][k]² for the rows
	// (dual pricing). Pivots update them in the same pass as the tableau;
	// adding a row or column invalidates them until the next pricing.
	gamma, delta []float64
	weightsOK    bool

	pivots  int
	limit   int  // pivot budget
	reinv   int  // reinversions so far
	bland   bool // use Bland's rule (final clean-up on unperturbed data)
	stall   int  // consecutive degenerate pivots
	stalled bool // too many of them: Bland's rule until progress resumes

	// scratch
	vecM, vecN []float64
	cand       []int
	list       []idxVal
}

type idxVal struct {
	k int
	v float64
}

// Tolerances on the scaled problem, whose payoffs lie in [1, 2].
const (
	simplexPivotTol = 1e-9  // smallest pivot element accepted
	simplexFeasTol  = 1e-10 // primal (b) and dual (c) feasibility in the loop
	simplexPerturb  = 1e-7  // relative size of the anti-degeneracy perturbation
	simplexCleanTol = 1e-13 // feasibility on the unperturbed problem
	simplexDriftTol = 1e-6  // lost feasibility that means the tableau is inaccurate
)

var (
	// errSimplexStall reports that the simplex method exceeded its pivot
	// budget.
	errSimplexStall = errors.New("simplex: pivot limit reached")
	// errTableau reports that the tableau has lost too much accuracy to
	// continue; rebuilding it from the game data for the current basis
	// (reinvert) usually cures it.
	errTableau = errors.New("simplex: tableau inaccurate")
)

func newGameSimplex(a []float64, m, n int, seed uint64) *gameSimplex {
	s := &gameSimplex{
		a: a, m: m, n: n,
		epsB:  make([]float64, m),
		epsC:  make([]float64, n),
		where: make([]int, n+m),
		vecM:  make([]float64, m),
		vecN:  make([]float64, n),
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range s.epsB {
		s.epsB[i] = simplexPerturb * (0.5 + r.Float64())
	}
	for j := range s.epsC {
		s.epsC[j] = simplexPerturb * (0.5 + r.Float64())
	}
	s.shift = make([]float64, n+m)
	for v := range s.shift {
		s.shift[v] = simplexPerturb * (0.5 + r.Float64())
	}
	s.w = 16
	s.t = make([]float64, 16*s.w)
	s.limit = 20*(m+n) + 2000
	return s
}

func (s *gameSimplex) rhs(i int) float64  { return 1 + s.epsB[i] }
func (s *gameSimplex) cost(j int) float64 { return 1 + s.epsC[j] }
func (s *gameSimplex) row(r int) []float64 {
	return s.t[r*s.w : r*s.w+s.nc]
}

// grow makes room for one more row and one more column.
func (s *gameSimplex) grow() {
	needW := s.w
	if s.nc+1 > needW {
		needW *= 2
	}
	rows := len(s.t) / s.w
	needR := rows
	if s.nr+1 > needR {
		needR *= 2
	}
	if needW == s.w && needR == rows {
		return
	}
	t := make([]float64, needR*needW)
	for r := range s.nr {
		copy(t[r*needW:r*needW+s.nc], s.row(r))
	}
	s.t, s.w = t, needW
}

// addRow adds row i of the game as a constraint whose slack is basic.
func (s *gameSimplex) addRow(i int) {
	s.grow()
	ai := s.a[i*s.n : (i+1)*s.n]
	r := s.nr
	nr := s.t[r*s.w : r*s.w+s.nc]
	for k, v := range s.nonb[:s.nc] {
		if v < s.n {
			nr[k] = ai[v]
		} else {
			nr[k] = 0
		}
	}
	bi := s.rhs(i)
	for q := range s.nr {
		if v := s.basic[q]; v < s.n {
			f := ai[v]
			vaxpy(nr, -f, s.row(q))
			bi -= f * s.b[q]
		}
	}
	s.basic = append(s.basic, s.n+i)
	s.b = append(s.b, bi)
	s.delta = append(s.delta, 0)
	s.weightsOK = false
	s.where[s.n+i] = r + 1
	s.nr++
}

// addCol adds column j of the game as a nonbasic variable w_j.
func (s *gameSimplex) addCol(j int) {
	s.grow()
	// B⁻¹a_j: the tableau column of a nonbasic slack s_i is B⁻¹e_i, and a
	// basic slack in row r contributes e_r.
	s.list = s.list[:0]
	cj := s.cost(j)
	for k, v := range s.nonb[:s.nc] {
		if v >= s.n {
			f := s.a[(v-s.n)*s.n+j]
			s.list = append(s.list, idxVal{k, f})
			cj += f * s.c[k]
		}
	}
	k := s.nc
	for r := range s.nr {
		row := s.t[r*s.w : r*s.w+s.nc]
		var sum float64
		for _, e := range s.list {
			sum += e.v * row[e.k]
		}
		if v := s.basic[r]; v >= s.n {
			sum += s.a[(v-s.n)*s.n+j]
		}
		s.t[r*s.w+k] = sum
	}
	s.nonb = append(s.nonb, j)
	s.c = append(s.c, cj)
	s.gamma = append(s.gamma, 0)
	s.weightsOK = false
	s.where[j] = -(k + 1)
	s.nc++
}

// pivot exchanges the basic variable of row r with the nonbasic variable of
// column k. While steepest-edge weights are valid (and Bland's rule is off)
// it recomputes them from the updated rows, which are still in cache.
func (s *gameSimplex) pivot(r, k int) {
	s.pivots++
	pr := s.row(r)
	p := pr[k]
	inv := 1 / p
	for q := range pr {
		pr[q] *= inv
	}
	pr[k] = inv
	s.b[r] *= inv
	br := s.b[r]
	track := s.weightsOK && !s.blandRule()
	gamma := s.gamma[:s.nc]
	if track {
		for q := range gamma {
			gamma[q] = 1
		}
	}
	for q := range s.nr {
		row := s.row(q)
		if q != r {
			if f := row[k]; f != 0 {
				vaxpy(row, -f, pr)
				row[k] = -f * inv
				s.b[q] -= f * br
			}
		}
		if track {
			s.delta[q] = 1 + addSquares(gamma, row)
		}
	}
	if f := s.c[k]; f != 0 {
		vaxpy(s.c[:s.nc], -f, pr)
		s.c[k] = -f * inv
	}
	s.weightsOK = track
	vb, vn := s.basic[r], s.nonb[k]
	s.basic[r], s.nonb[k] = vn, vb
	s.where[vn] = r + 1
	s.where[vb] = -(k + 1)
}

// computeWeights recomputes the steepest-edge weights from the tableau.
func (s *gameSimplex) computeWeights() {
	gamma := s.gamma[:s.nc]
	for q := range gamma {
		gamma[q] = 1
	}
	for q := range s.nr {
		s.delta[q] = 1 + addSquares(gamma, s.row(q))
	}
	s.weightsOK = true
}

// addSquares adds row[k]² to acc[k] for every k and returns Σ row[k]².
func addSquares(acc, row []float64) float64 {
	row = row[:len(acc)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(acc); k += 4 {
		v0, v1, v2, v3 := row[k]*row[k], row[k+1]*row[k+1], row[k+2]*row[k+2], row[k+3]*row[k+3]
		acc[k] += v0
		acc[k+1] += v1
		acc[k+2] += v2
		acc[k+3] += v3
		s0 += v0
		s1 += v1
		s2 += v2
		s3 += v3
	}
	for ; k < len(acc); k++ {
		v := row[k] * row[k]
		acc[k] += v
		s0 += v
	}
	return (s0 + s1) + (s2 + s3)
}

// primal runs primal simplex pivots until no reduced cost exceeds tol.
func (s *gameSimplex) primal(ctx context.Context, tol float64) error {
	for it := 0; ; it++ {
		if err := s.budget(ctx, it); err != nil {
			return err
		}
		k := s.entering(tol)
		if k < 0 {
			return nil
		}
		r := s.ratioRow(k)
		if r < 0 {
			// The scaled problem is bounded (a ≥ 1), so an unbounded
			// ray means the tableau has lost its accuracy.
			return fmt.Errorf("%w: unbounded column %d", errTableau, s.nonb[k])
		}
		if s.drifted(true) {
			return fmt.Errorf("%w: primal infeasibility appeared", errTableau)
		}
		// A basic value Harris let slip below zero is set to zero, so
		// that the step is not negative.
		s.b[r] = max(s.b[r], 0)
		s.progress(s.b[r] / s.t[r*s.w+k] * s.c[k])
		s.pivot(r, k)
	}
}

// dual runs dual simplex pivots until no right-hand side is below −tol.
func (s *gameSimplex) dual(ctx context.Context, tol float64) error {
	for it := 0; ; it++ {
		if err := s.budget(ctx, it); err != nil {
			return err
		}
		r := s.leaving(tol)
		if r < 0 {
			return nil
		}
		if s.drifted(false) {
			return fmt.Errorf("%w: dual infeasibility appeared", errTableau)
		}
		k := s.ratioCol(r)
		if k >= 0 {
			s.c[k] = min(s.c[k], 0) // likewise for a reduced cost above zero
			s.progress(s.c[k] / s.t[r*s.w+k] * -s.b[r])
		}
		if k < 0 {
			// w = 0 is feasible, so an infeasible row means the tableau
			// has lost its accuracy.
			return fmt.Errorf("%w: infeasible row %d", errTableau, s.basic[r])
		}
		s.pivot(r, k)
	}
}

func (s *gameSimplex) budget(ctx context.Context, it int) error {
	if it&63 == 63 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if s.pivots > s.limit {
		return errSimplexStall
	}
	return nil
}

// drifted reports whether the feasibility a simplex phase maintains has
// been lost by more than rounding could explain: a basic variable below
// −driftTol during primal pivots (primal true), or a reduced cost above
// driftTol during dual pivots.
func (s *gameSimplex) drifted(primal bool) bool {
	if primal {
		for _, v := range s.b[:s.nr] {
			if v < -simplexDriftTol {
				return true
			}
		}
		return false
	}
	for _, v := range s.c[:s.nc] {
		if v > simplexDriftTol {
			return true
		}
	}
	return false
}

// progress records the objective change of the coming pivot. After a run
// of degenerate pivots (no change) it switches to Bland's rule, which
// cannot cycle, until a pivot makes progress again.
func (s *gameSimplex) progress(gain float64) {
	if gain > 1e-14 {
		s.stall = 0
		s.stalled = false
		return
	}
	s.stall++
	if s.stall > 30 {
		s.stalled = true
	}
}

// blandRule reports whether pivots are chosen by Bland's rule: in the
// final clean-up, or while the method stalls.
func (s *gameSimplex) blandRule() bool { return s.bland || s.stalled }

// entering picks the entering column of a primal pivot among those with
// reduced cost above tol: by steepest edge, the largest c_k²/gamma_k, or
// with Bland's rule the one whose variable has the smallest index.
func (s *gameSimplex) entering(tol float64) int {
	if !s.blandRule() && !s.weightsOK {
		s.computeWeights()
	}
	k, best := -1, 0.0
	for q, v := range s.c[:s.nc] {
		if v <= tol {
			continue
		}
		if s.blandRule() {
			if k < 0 || s.nonb[q] < s.nonb[k] {
				k = q
			}
		} else if score := v * v / s.gamma[q]; score > best {
			best, k = score, q
		}
	}
	return k
}

// leaving picks the leaving row of a dual pivot among those with
// right-hand side below −tol: by dual steepest edge, the largest
// b_r²/delta_r, or with Bland's rule the one whose basic variable has the
// smallest index.
func (s *gameSimplex) leaving(tol float64) int {
	if !s.blandRule() && !s.weightsOK {
		s.computeWeights()
	}
	r, best := -1, 0.0
	for q, v := range s.b[:s.nr] {
		if v >= -tol {
			continue
		}
		if s.blandRule() {
			if r < 0 || s.basic[q] < s.basic[r] {
				r = q
			}
		} else if score := v * v / s.delta[q]; score > best {
			best, r = score, q
		}
	}
	return r
}

// ratioRow is the primal ratio test for entering column k, in Harris's two
// passes: the largest step that keeps every basic variable above −tol,
// then among the rows that block within it the largest pivot element, for
// stability. Under Bland's rule the smallest variable index wins among the
// blocking rows whose pivot is at least a tenth of the largest.
func (s *gameSimplex) ratioRow(k int) int {
	theta := math.Inf(1)
	for q := range s.nr {
		a := s.t[q*s.w+k]
		if a > simplexPivotTol {
			theta = min(theta, (max(s.b[q], 0)+simplexFeasTol)/a)
		}
	}
	r, best := -1, 0.0
	for q := range s.nr {
		a := s.t[q*s.w+k]
		if a > simplexPivotTol && max(s.b[q], 0)/a <= theta && a > best {
			best, r = a, q
		}
	}
	if r < 0 || !s.blandRule() {
		return r
	}
	// Bland's rule among the candidates whose pivot is not much smaller
	// than the largest: a tiny pivot would wreck the tableau.
	for q := range s.nr {
		a := s.t[q*s.w+k]
		if a >= 0.1*best && max(s.b[q], 0)/a <= theta && s.basic[q] < s.basic[r] {
			r = q
		}
	}
	return r
}

// ratioCol is the dual ratio test for leaving row r (b[r] < 0): among the
// columns with t[r][k] < 0, the smallest c[k]/t[r][k] keeps every reduced
// cost ≤ tol; Harris's second pass takes the largest |t[r][k]| within it
// (Bland's rule as in ratioRow).
func (s *gameSimplex) ratioCol(r int) int {
	row := s.row(r)
	theta := math.Inf(1)
	for q, a := range row {
		if a < -simplexPivotTol {
			theta = min(theta, (min(s.c[q], 0)-simplexFeasTol)/a)
		}
	}
	k, best := -1, 0.0
	for q, a := range row {
		if a < -simplexPivotTol && min(s.c[q], 0)/a <= theta && -a > best {
			best, k = -a, q
		}
	}
	if k < 0 || !s.blandRule() {
		return k
	}
	for q, a := range row {
		if -a >= 0.1*best && min(s.c[q], 0)/a <= theta && s.nonb[q] < s.nonb[k] {
			k = q
		}
	}
	return k
}

// duals writes the dual value of every game row into y (0 off the
// restricted problem and for basic slacks).
func (s *gameSimplex) duals(y []float64) {
	clear(y)
	for k, v := range s.nonb[:s.nc] {
		if v >= s.n {
			y[v-s.n] = -s.c[k]
		}
	}
}

// primalValues writes w into x (0 for nonbasic and absent columns).
func (s *gameSimplex) primalValues(x []float64) {
	clear(x)
	for r, v := range s.basic[:s.nr] {
		if v < s.n {
			x[v] = s.b[r]
		}
	}
}

// addColumns prices every column outside the restricted problem against
// the current duals and adds up to limit of those with the largest reduced
// cost above tol. It returns how many were added.
func (s *gameSimplex) addColumns(tol float64, limit int) int {
	y := s.vecM
	s.duals(y)
	q := s.vecN
	clear(q)
	for i, yi := range y {
		if yi != 0 {
			vaxpy(q, yi, s.a[i*s.n:(i+1)*s.n])
		}
	}
	s.cand = s.cand[:0]
	for j := range s.n {
		if s.where[j] != 0 {
			continue
		}
		q[j] = s.cost(j) - q[j]
		if q[j] > tol {
			s.cand = append(s.cand, j)
		}
	}
	return s.addBest(s.cand, q, limit, s.addCol)
}

// addRows adds up to limit of the game rows outside the restricted problem
// whose constraint the current w violates by more than tol, most violated
// first. It returns how many were added.
func (s *gameSimplex) addRows(tol float64, limit int) int {
	s.list = s.list[:0]
	for r, v := range s.basic[:s.nr] {
		if v < s.n && s.b[r] != 0 {
			s.list = append(s.list, idxVal{v, s.b[r]})
		}
	}
	viol := s.vecM
	s.cand = s.cand[:0]
	for i := range s.m {
		if s.where[s.n+i] != 0 {
			continue
		}
		ai := s.a[i*s.n : (i+1)*s.n]
		var sum float64
		for _, e := range s.list {
			sum += ai[e.k] * e.v
		}
		viol[i] = sum - s.rhs(i)
		if viol[i] > tol {
			s.cand = append(s.cand, i)
		}
	}
	return s.addBest(s.cand, viol, limit, s.addRow)
}

func (s *gameSimplex) addBest(cand []int, score []float64, limit int, add func(int)) int {
	if len(cand) > limit {
		slices.SortFunc(cand, func(a, b int) int {
			if score[a] != score[b] {
				if score[a] > score[b] {
					return -1
				}
				return 1
			}
			return a - b
		})
		cand = cand[:limit]
	}
	for _, x := range cand {
		add(x)
	}
	return len(cand)
}

// batch is how many strategies one pricing pass may add: a fraction of the
// restricted problem's size, so that the number of passes stays
// logarithmic while few strategies that end outside the supports enter.
func (s *gameSimplex) batch(size int) int {
	return max(4, size/2)
}

// generate alternates column and row generation until the restricted
// optimum is optimal for the full problem to within tol.
func (s *gameSimplex) generate(ctx context.Context, tol float64) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		nc := s.addColumns(tol, s.batch(s.nc))
		if nc > 0 {
			if err := s.primal(ctx, tol); err != nil {
				return err
			}
		}
		nr := s.addRows(tol, s.batch(s.nr))
		if nr > 0 {
			if err := s.dual(ctx, tol); err != nil {
				return err
			}
		}
		if nc == 0 && nr == 0 {
			return nil
		}
	}
}

// solve finds an optimal basis of the full problem: first with perturbed
// data, then with the true data restored from that basis. With a warm
// start (rows and columns of a guessed optimal basis, most likely first)
// it begins from that basis; otherwise from one column and one row. When
// the tableau loses its accuracy it is rebuilt from the game data, at most
// maxReinvert times.
func (s *gameSimplex) solve(ctx context.Context, warmRows, warmCols []int) error {
	if len(warmRows) > 0 && len(warmCols) > 0 {
		s.crash(warmRows, warmCols)
	} else {
		s.start()
	}
	for {
		err := s.optimize(ctx)
		if err == nil || !errors.Is(err, errTableau) || s.reinv == maxReinvert {
			return err
		}
		if err := s.reinvert(); err != nil {
			return err
		}
	}
}

const maxReinvert = 3

// optimize drives the restricted problem from its current basis (feasible
// or not) to an optimal basis of the full problem.
func (s *gameSimplex) optimize(ctx context.Context) error {
	if !s.bland {
		if err := s.repair(ctx, simplexFeasTol); err != nil {
			return err
		}
		if err := s.generate(ctx, simplexFeasTol); err != nil {
			return err
		}
		// Restore the true data and finish with Bland's rule.
		clear(s.epsB)
		clear(s.epsC)
		s.bland = true
	}
	for round := 0; ; round++ {
		before := s.pivots
		if err := s.repair(ctx, simplexCleanTol); err != nil {
			return err
		}
		if err := s.generate(ctx, simplexCleanTol); err != nil {
			return err
		}
		if s.pivots == before || round == 3 {
			return nil
		}
	}
}

// repair makes the basis optimal for the restricted problem, starting from
// any basis: it recomputes the right-hand sides and reduced costs from the
// game data, shifts reduced costs above tol to small random negative
// values, which makes the basis dual feasible, restores
// primal feasibility by dual simplex pivots, brings the true costs back
// and restores dual feasibility by primal simplex pivots, which keep the
// basis primal feasible.
func (s *gameSimplex) repair(ctx context.Context, tol float64) error {
	if err := s.refresh(); err != nil {
		return err
	}
	shifted := false
	for k, v := range s.nonb[:s.nc] {
		if s.c[k] > tol {
			shifted = true
			s.c[k] = -s.shift[v]
		}
	}
	if err := s.dual(ctx, tol); err != nil {
		return err
	}
	if shifted {
		if err := s.refresh(); err != nil {
			return err
		}
	}
	return s.primal(ctx, tol)
}

// reinvert rebuilds the tableau of the current basis from the game data:
// a fresh slack-basis tableau of the same rows and columns, into which the
// basic columns are pivoted against the tight rows by Gauss–Jordan
// elimination with partial pivoting.
func (s *gameSimplex) reinvert() error {
	s.reinv++
	f := &gameSimplex{
		a: s.a, m: s.m, n: s.n, epsB: s.epsB, epsC: s.epsC, shift: s.shift,
		where: make([]int, len(s.where)),
		vecM:  s.vecM, vecN: s.vecN,
		w: 16, t: make([]float64, 16*16),
		bland: s.bland, limit: s.limit, pivots: s.pivots, reinv: s.reinv,
	}
	var basicCols []int
	for _, v := range s.basic[:s.nr] {
		if v >= s.n {
			f.addRow(v - s.n)
		} else {
			basicCols = append(basicCols, v)
		}
	}
	for _, v := range s.nonb[:s.nc] {
		if v >= s.n {
			f.addRow(v - s.n)
		} else {
			f.addCol(v)
		}
	}
	for _, v := range basicCols {
		f.addCol(v)
	}
	for _, j := range basicCols {
		k := -f.where[j] - 1
		r, best := -1, 0.0
		for q := range f.nr {
			v := f.basic[q]
			if v < s.n || s.where[v] > 0 {
				continue // not a slack, or a slack basic in s: keep it
			}
			if a := math.Abs(f.t[q*f.w+k]); a > best {
				best, r = a, q
			}
		}
		if best < simplexPivotTol {
			return fmt.Errorf("%w: basis is singular", errTableau)
		}
		f.pivot(r, k)
	}
	*s = *f
	return nil
}

// start sets up the restricted problem with one column, the best for the
// column player against a uniform row player, and the row that best
// answers it.
func (s *gameSimplex) start() {
	j0, best := 0, math.Inf(1)
	sums := s.vecN
	clear(sums)
	for i := range s.m {
		vaxpy(sums, 1, s.a[i*s.n:(i+1)*s.n])
	}
	for j, v := range sums {
		if v < best {
			j0, best = j, v
		}
	}
	i0 := 0
	for i := range s.m {
		if s.a[i*s.n+j0] > s.a[i0*s.n+j0] {
			i0 = i
		}
	}
	s.addRow(i0)
	s.addCol(j0)
}

// crash sets up the restricted problem on the given rows and columns and
// pivots as many of the columns into the basis as Gauss–Jordan elimination
// with partial pivoting allows, in the given order. The guessed basis is in
// general neither primal nor dual feasible; optimize repairs it.
func (s *gameSimplex) crash(rows, cols []int) {
	for _, i := range rows {
		s.addRow(i)
	}
	for _, j := range cols {
		s.addCol(j)
	}
	for k := range s.nc {
		r, best := -1, 1e-6
		for q := range s.nr {
			if s.basic[q] < s.n {
				continue
			}
			if v := math.Abs(s.t[q*s.w+k]); v > best {
				best, r = v, q
			}
		}
		if r >= 0 {
			s.pivot(r, k)
		}
	}
}

// warmStart guesses an optimal basis of the scaled game a (payoffs in
// [1, 2], row-major m×n) by iters steps of the primal–dual hybrid gradient
// method (Chambolle–Pock) on the saddle point max_x min_y xᵀAy over the two
// simplices. Its Euclidean projections put exact zeros on strategies that
// are clearly bad, so after a hundred steps the supports of the iterate
// match the equilibrium's up to a few percent of strategies. It returns the
// two supports, most probable strategy first.
func warmStart(a []float64, m, n, iters int, seed uint64) (rows, cols []int) {
	step := 0.9 / (1.05 * centeredNorm(a, m, n, 16, seed))
	px, py := uniform(m), uniform(n)
	nx := make([]float64, m)
	gx, gy := make([]float64, m), make([]float64, n)
	buf := make([]float64, max(m, n))
	for range iters {
		for i := range m {
			gx[i] = px[i] + step*vdot(a[i*n:(i+1)*n], py)
		}
		projectSimplex(nx, gx, buf)
		clear(gy)
		for i := range m {
			if z := 2*nx[i] - px[i]; z != 0 {
				vaxpy(gy, -step*z, a[i*n:(i+1)*n])
			}
		}
		for j := range n {
			gy[j] += py[j]
		}
		projectSimplex(py, gy, buf)
		px, nx = nx, px
	}
	return support(px), support(py)
}

// centeredNorm estimates the spectral norm of a (m×n) restricted to
// vectors summing to zero, where the game's dynamics live, by iters steps
// of the power method from a seeded random start.
func centeredNorm(a []float64, m, n, iters int, seed uint64) float64 {
	r := rand.New(rand.NewPCG(seed, 0xa11ce))
	v := make([]float64, n)
	for j := range v {
		v[j] = r.Float64() - 0.5
	}
	u := make([]float64, m)
	est := 0.0
	for range iters {
		center(v)
		nv := math.Sqrt(vdot(v, v))
		if nv == 0 {
			return 1
		}
		for j := range v {
			v[j] /= nv
		}
		for i := range m {
			u[i] = vdot(a[i*n:(i+1)*n], v)
		}
		center(u)
		est = math.Sqrt(vdot(u, u))
		clear(v)
		for i, ui := range u {
			vaxpy(v, ui, a[i*n:(i+1)*n])
		}
	}
	return max(est, 1e-12)
}

func center(v []float64) {
	mean := 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for i := range v {
		v[i] -= mean
	}
}

// projectSimplex writes the Euclidean projection of v onto the probability
// simplex into dst, using buf (len ≥ len(v)) as scratch: the projection is
// max(v − θ, 0) with θ found from the sorted values.
func projectSimplex(dst, v, buf []float64) {
	u := buf[:len(v)]
	copy(u, v)
	slices.Sort(u)
	sum, theta := 0.0, 0.0
	for k := len(u) - 1; k >= 0; k-- {
		sum += u[k]
		t := (sum - 1) / float64(len(u)-k)
		if u[k] > t {
			theta = t
		} else {
			break
		}
	}
	for i, x := range v {
		dst[i] = max(x-theta, 0)
	}
}

// support returns the indices of the positive entries of p, largest first
// (ties by index).
func support(p []float64) []int {
	var idx []int
	for i, v := range p {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return a - b
	})
	return idx
}

// refresh recomputes the right-hand sides and reduced costs of the current
// basis from the game data, so that rounding errors accumulated over the
// pivots (and the perturbation, once it is cleared) do not persist. The
// basis matrix is the square submatrix a[R][C] of the tight rows R
// (nonbasic slacks) and basic columns C; the tableau's slack columns hold
// its inverse, which is good enough for iterative refinement.
func (s *gameSimplex) refresh() error {
	var rowsR, colsR []int // tight game rows and their tableau columns
	var colsC, rowsC []int // basic game columns and their tableau rows
	for k, v := range s.nonb[:s.nc] {
		if v >= s.n {
			rowsR = append(rowsR, v-s.n)
			colsR = append(colsR, k)
		}
	}
	for r, v := range s.basic[:s.nr] {
		if v < s.n {
			colsC = append(colsC, v)
			rowsC = append(rowsC, r)
		}
	}
	k := len(rowsR)
	if len(colsC) != k {
		panic("simplex: basis is not square")
	}
	// inv[c][i] ≈ (a[R][C])⁻¹, rows by basic column, columns by tight row.
	inv := make([]float64, k*k)
	for ci, r := range rowsC {
		row := s.row(r)
		for ri, kk := range colsR {
			inv[ci*k+ri] = row[kk]
		}
	}
	sub := make([]float64, k*k) // a[R][C]
	for ri, i := range rowsR {
		for ci, j := range colsC {
			sub[ri*k+ci] = s.a[i*s.n+j]
		}
	}
	rhsR := make([]float64, k)
	for ri, i := range rowsR {
		rhsR[ri] = s.rhs(i)
	}
	costC := make([]float64, k)
	for ci, j := range colsC {
		costC[ci] = s.cost(j)
	}
	w, err := refineSolve(sub, inv, rhsR, k, false)
	if err != nil {
		return err
	}
	y, err := refineSolve(sub, inv, costC, k, true)
	if err != nil {
		return err
	}
	for ci, r := range rowsC {
		s.b[r] = w[ci]
	}
	for r, v := range s.basic[:s.nr] {
		if v >= s.n {
			i := v - s.n
			bi := s.rhs(i)
			for ci, j := range colsC {
				bi -= s.a[i*s.n+j] * w[ci]
			}
			s.b[r] = bi
		}
	}
	for ri, kk := range colsR {
		s.c[kk] = -y[ri]
	}
	for kk, v := range s.nonb[:s.nc] {
		if v < s.n {
			cj := s.cost(v)
			for ri, i := range rowsR {
				cj -= y[ri] * s.a[i*s.n+v]
			}
			s.c[kk] = cj
		}
	}
	return nil
}

// refineSolve solves sub·x = rhs, or subᵀ·x = rhs when transpose is set,
// for the k×k row-major matrix sub, by iterative refinement with the
// approximate inverse inv of sub (row-major). It fails with errTableau
// when the residual stops shrinking above 1e-12: inv is too inaccurate.
func refineSolve(sub, inv, rhs []float64, k int, transpose bool) ([]float64, error) {
	x := make([]float64, k)
	res := append([]float64(nil), rhs...)
	norm := func(v []float64) float64 {
		m := 0.0
		for _, e := range v {
			m = max(m, math.Abs(e))
		}
		return m
	}
	prev := math.Inf(1)
	for it := 0; it < 8; it++ {
		// x += inv·res (or invᵀ·res)
		for a := range k {
			if transpose {
				// x_i += Σ_c inv[c][i]·res_c
				var sum float64
				for c := range k {
					sum += inv[c*k+a] * res[c]
				}
				x[a] += sum
			} else {
				x[a] += vdot(inv[a*k:(a+1)*k], res)
			}
		}
		// res = rhs − sub·x (or subᵀ·x)
		for a := range k {
			var sum float64
			if transpose {
				for r := range k {
					sum += sub[r*k+a] * x[r]
				}
			} else {
				sum = vdot(sub[a*k:(a+1)*k], x)
			}
			res[a] = rhs[a] - sum
		}
		nr := norm(res)
		if nr <= 1e-15*max(1, norm(rhs)) {
			return x, nil
		}
		if nr > 0.5*prev {
			if nr < 1e-12 {
				return x, nil
			}
			return nil, fmt.Errorf("%w: iterative refinement stalls at residual %.3g", errTableau, nr)
		}
		prev = nr
	}
	return x, nil
}

// vdot returns Σ a[k]·b[k] over len(a) terms (gonum's assembly kernel).
func vdot(a, b []float64) float64 {
	return floats.Dot(a, b[:len(a)])
}

// vaxpy adds alpha·x to dst (len(dst) terms; gonum's assembly kernel).
func vaxpy(dst []float64, alpha float64, x []float64) {
	floats.AddScaled(dst, alpha, x[:len(dst)])
}
