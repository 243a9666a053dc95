package nash

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"sync"

	"github.com/selfplay-lab/selfplay/game"
)

// LHEquilibrium is an equilibrium found by Lemke–Howson with the starting
// labels whose paths end there.
type LHEquilibrium struct {
	Equilibrium
	// Labels lists the dropped labels, 1..m for the row player's strategies
	// and m+1..m+n for the column player's, in increasing order.
	Labels []int
}

// LemkeHowson follows the Lemke–Howson path of the two-player game g that
// starts at the artificial equilibrium (0, 0) by dropping label (1..m: row
// strategy label; m+1..m+n: column strategy label−m) and returns the
// equilibrium at its end.
//
// Pivoting is exact (integer pivoting in i128, big.Int when values outgrow
// it) and lexicographic, so degenerate games neither stall nor cycle, and
// the result is an extreme equilibrium, verified exactly before it is
// returned.
func LemkeHowson(ctx context.Context, g *game.Normal, label int) (Equilibrium, error) {
	return LemkeHowsonWith(ctx, g, label, LHAuto)
}

// LHArithmetic selects the arithmetic of Lemke–Howson pivoting.
type LHArithmetic int

const (
	// LHAuto pivots in i128 for small games and in float64 first for large
	// ones (m+n > 60), where i128 tends to overflow; a float path's end
	// point is recomputed exactly from its bases and verified, and big.Int
	// pivoting is the fallback of both.
	LHAuto LHArithmetic = iota
	// LHBigInt pivots in big.Int throughout: the textbook exact method, a
	// reference for LHAuto and its same-run speed baseline.
	LHBigInt
)

// LemkeHowsonWith is LemkeHowson with a choice of arithmetic.
func LemkeHowsonWith(ctx context.Context, g *game.Normal, label int, arith LHArithmetic) (Equilibrium, error) {
	s, err := newLHSolver(g)
	if err != nil {
		return Equilibrium{}, err
	}
	if label < 1 || label > s.m+s.n {
		return Equilibrium{}, fmt.Errorf("nash: Lemke–Howson label %d out of range 1..%d", label, s.m+s.n)
	}
	if arith == LHBigInt {
		return s.solveWith(ctx, label-1, []numKind{numBig})
	}
	return s.solve(ctx, label-1)
}

// LemkeHowsonAll runs Lemke–Howson from every label 1..m+n and returns the
// distinct equilibria reached, in the order of the first label reaching
// each, with the labels that reach it. Different labels often end at the
// same equilibrium, and some equilibria may be reached by no label. The
// paths run on up to GOMAXPROCS goroutines; the result does not depend on
// their number. On cancellation it returns the equilibria of the labels
// finished before the first unfinished one, and the error.
func LemkeHowsonAll(ctx context.Context, g *game.Normal) ([]LHEquilibrium, error) {
	s, err := newLHSolver(g)
	if err != nil {
		return nil, err
	}
	labels := s.m + s.n
	found := make([]Equilibrium, labels)
	errs := make([]error, labels)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), labels) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				found[k], errs[k] = s.solve(ctx, k)
			}
		}()
	}
	for k := range labels {
		next <- k
	}
	close(next)
	wg.Wait()

	var out []LHEquilibrium
	index := map[string]int{}
	for k, e := range found {
		if errs[k] != nil {
			return out, fmt.Errorf("label %d: %w", k+1, errs[k])
		}
		key := exactKey(e.Exact)
		if at, ok := index[key]; ok {
			out[at].Labels = append(out[at].Labels, k+1)
			continue
		}
		index[key] = len(out)
		out = append(out, LHEquilibrium{Equilibrium: e, Labels: []int{k + 1}})
	}
	return out, nil
}

// lhSolver holds a game prepared for Lemke–Howson paths. Its methods may
// be called concurrently once protos is filled.
type lhSolver struct {
	m, n   int
	A, B   [][]*big.Rat // the original payoffs, for the exact check
	P, Q   *polytope
	protos [numKinds][2]*tableau // initial tableaux of P and Q, cloned per path
}

func newLHSolver(g *game.Normal) (*lhSolver, error) {
	if g.NumPlayers() != 2 {
		return nil, fmt.Errorf("%w: %d players", ErrNotBimatrix, g.NumPlayers())
	}
	A, B, err := g.MatricesRat()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBimatrix, err)
	}
	P, Q := bimatrixPolytopes(positiveIntegers(A), positiveIntegers(B))
	s := &lhSolver{m: len(A), n: len(A[0]), A: A, B: B, P: P, Q: Q}
	for kind := range numKinds {
		s.protos[kind] = [2]*tableau{newTableau(P.M, kind), newTableau(Q.M, kind)}
	}
	return s, nil
}

// solve follows the path that drops label k (0-based). Small games pivot
// in i128; large ones, where i128 tends to overflow and big.Int is slow,
// first in float64, with the end point recomputed from its basis and
// verified exactly. big.Int is the fallback of both.
func (s *lhSolver) solve(ctx context.Context, k int) (Equilibrium, error) {
	kinds := []numKind{numI128, numFloat, numBig}
	if s.m+s.n > floatFirstSize {
		kinds = []numKind{numFloat, numBig}
	}
	return s.solveWith(ctx, k, kinds)
}

// solveWith tries the arithmetic kinds in turn, moving on when one
// overflows or (float64) fails exact verification; the last must be numBig.
func (s *lhSolver) solveWith(ctx context.Context, k int, kinds []numKind) (Equilibrium, error) {
	for _, kind := range kinds {
		if err := ctx.Err(); err != nil {
			return Equilibrium{}, err
		}
		x, y, err := s.path(ctx, k, kind)
		switch {
		case errors.Is(err, errOverflow), errors.Is(err, errNotVertex):
			continue
		case err != nil:
			return Equilibrium{}, err
		}
		e, err := bimatrixEquilibrium(s.A, s.B, ratDistribution(x), ratDistribution(y))
		if err == nil {
			return e, nil
		}
		if kind != numFloat {
			return Equilibrium{}, fmt.Errorf("nash: internal error: Lemke–Howson ended off equilibrium: %w", err)
		}
	}
	panic("nash: big.Int Lemke–Howson failed without error")
}

// floatStepLimit·(m+n) bounds a float path, which rounding could make cycle.
const floatStepLimit = 1000

// floatFirstSize is the number of strategies (m+n) above which Lemke–Howson
// tries float64 pivoting before exact pivoting.
const floatFirstSize = 60

// path pivots alternately in P and Q. In P, variable v < m is x_v (label v)
// and m+j the slack of column j (label m+j); in Q, v < n is y_v (label m+v)
// and n+i the slack of row i (label i). Each step brings into the basis the
// variable carrying the label that the previous step made duplicate, until
// the variable leaving carries the dropped label k. It returns the integer
// values of x (in P) and y (in Q), each up to a positive factor. A float
// path's values are recomputed exactly from its final bases and fail with
// errNotVertex when those are singular or infeasible.
func (s *lhSolver) path(ctx context.Context, k int, kind numKind) (x, y []*big.Int, err error) {
	m, n := s.m, s.n
	tabs := [2]*tableau{s.protos[kind][0].clone(), s.protos[kind][1].clone()}
	polys := [2]*polytope{s.P, s.Q}
	varOf := func(side, label int) int {
		if side == 0 {
			return label
		}
		if label < m {
			return n + label
		}
		return label - m
	}
	side := 0
	if k >= m {
		side = 1
	}
	enter := varOf(side, k)
	for step := 1; ; step++ {
		if kind == numFloat && step > floatStepLimit*(m+n) {
			return nil, nil, errNotVertex // rounding may have made it cycle
		}
		if step&63 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		t := tabs[side]
		c := ^t.pos[enter]
		if c < 0 {
			panic("nash: Lemke–Howson entering variable is basic")
		}
		r := t.lexRatio(c)
		if r < 0 {
			if kind == numFloat {
				return nil, nil, errNotVertex
			}
			return nil, nil, fmt.Errorf("nash: internal error: unbounded Lemke–Howson ray")
		}
		leave := t.basic[r]
		if err := t.pivot(r, c); err != nil {
			return nil, nil, err
		}
		l := polys[side].labelOf[leave]
		if l == k {
			break
		}
		side = 1 - side
		enter = varOf(side, l)
	}
	values := func(side, d int) ([]*big.Int, error) {
		t, poly := tabs[side], polys[side]
		if kind == numFloat {
			labels := make([]uint64, (poly.nLabels+63)/64)
			for _, v := range t.nonbasic {
				l := poly.labelOf[v]
				labels[l>>6] |= 1 << (l & 63)
			}
			num, _, err := poly.point(labels)
			if err != nil {
				return nil, err
			}
			pos := false
			for _, v := range num {
				if v.Sign() < 0 {
					return nil, errNotVertex
				}
				pos = pos || v.Sign() > 0
			}
			if !pos {
				return nil, errNotVertex
			}
			return num, nil
		}
		v := make([]*big.Int, d)
		var den big.Int
		for i := range v {
			v[i] = new(big.Int)
			t.value(i, v[i], &den)
		}
		return v, nil
	}
	if x, err = values(0, m); err != nil {
		return nil, nil, err
	}
	if y, err = values(1, n); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// exactKey is a map key identifying an exact profile.
func exactKey(x game.MixedRat) string {
	var b []byte
	for _, xi := range x {
		for _, p := range xi {
			b = p.Num().Append(b, 16)
			b = append(b, '/')
			b = p.Denom().Append(b, 16)
			b = append(b, ' ')
		}
		b = append(b, '|')
	}
	return string(b)
}
