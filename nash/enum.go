package nash

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"sync"

	"github.com/selfplay-lab/selfplay/game"
)

// Equilibrium is a mixed-strategy Nash equilibrium found by an exact
// solver: the profile in exact rationals, its float64 rounding, and every
// player's expected payoff.
type Equilibrium struct {
	Profile    game.Mixed    // Exact rounded to float64
	Exact      game.MixedRat // the equilibrium itself
	Payoffs    []float64     // PayoffsRat rounded to float64
	PayoffsRat []*big.Rat    // expected payoff of each player
}

// EnumResult is the outcome of EnumerateBimatrix.
type EnumResult struct {
	// Equilibria lists every extreme equilibrium once, in a canonical order
	// (lexicographically decreasing in the row player's, then the column
	// player's probabilities), independent of how they were found.
	Equilibria []Equilibrium
	// Cliques lists the maximal Nash subsets as indices into Equilibria:
	// each is a set of extreme equilibria {(x, y) : x ∈ X, y ∈ Y} whose
	// product conv(X) × conv(Y) consists of equilibria and is maximal with
	// that property. The set of all equilibria is their union.
	Cliques [][]int
	// Components groups Equilibria into the connected components of the set
	// of all equilibria (unions of overlapping cliques).
	Components [][]int
	// Continuum reports that some component has more than one extreme
	// point, so the game has infinitely many equilibria.
	Continuum bool
	// Complete reports that the enumeration finished, so Equilibria is
	// provably every extreme equilibrium. It is false when the context was
	// cancelled; what was found is still exact and verified.
	Complete bool
	// Stats describes the work done.
	Stats EnumStats
}

// EnumStats counts the work of a vertex enumeration.
//
// For unbalanced games (one player with at most 6 strategies, the other
// with at least twice as many) only the smaller polytope is enumerated in
// full; of the larger one, only the vertices that pair with one of its
// vertices are computed and counted.
type EnumStats struct {
	RowVertices, ColVertices int  // nonzero vertices of P (row player) and Q found
	Bases                    int  // lexicographic bases visited
	Pivots                   int  // pivots, the backtracking ones included
	Wide                     bool // big.Int arithmetic was needed
	// Degenerate reports that a vertex with more labels than its dimension
	// was found (some mixed strategy has more pure best responses than the
	// size of its support), so the game is degenerate. A nondegenerate game
	// has finitely many equilibria, an odd number of them. False proves
	// nondegeneracy only when both polytopes were enumerated in full.
	Degenerate bool
}

// ErrNotBimatrix reports a solver for two-player games given another game.
var ErrNotBimatrix = errors.New("nash: not a two-player game")

// EnumerateBimatrix returns every extreme Nash equilibrium of the
// two-player game g, exactly, grouped into maximal Nash subsets and
// connected components.
//
// It enumerates the vertices of both best-response polytopes, P for the
// row player and Q for the column player (concurrently when GOMAXPROCS > 1;
// the result does not depend on it), in exact integer arithmetic (i128 with
// overflow detection, big.Int when values outgrow it), and pairs vertices
// whose label sets are complementary. For unbalanced games (at most 6
// strategies against at least twice as many) it enumerates only the smaller
// polytope and, for each of its vertices, the vertices of the complementary
// face of the larger one. Degenerate games are handled:
// a point with several bases is reported once, and a continuum shows up as
// several extreme equilibria in one component. Payoffs are scaled to
// positive integers first; g's exact payoffs are used.
//
// When ctx is cancelled the result holds the equilibria found so far, with
// Complete false, and the error wraps ctx.Err().
func EnumerateBimatrix(ctx context.Context, g *game.Normal) (*EnumResult, error) {
	if g.NumPlayers() != 2 {
		return nil, fmt.Errorf("%w: %d players", ErrNotBimatrix, g.NumPlayers())
	}
	A, B, err := g.MatricesRat()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBimatrix, err)
	}
	Ai, Bi := positiveIntegers(A), positiveIntegers(B)
	P, Q := bimatrixPolytopes(Ai, Bi)

	res := &EnumResult{Complete: true}
	m, n := len(A), len(A[0])
	var vp, vq *vertexSet
	if useFaces(m, n) {
		vp, vq, err = faceVertices(ctx, P, Q, m <= n)
	} else {
		vp, vq, err = bothVertices(ctx, P, Q)
	}
	var stop error
	if err != nil {
		if ctx.Err() == nil {
			return nil, err
		}
		// Cancelled: keep what both searches reached.
		stop = fmt.Errorf("nash: vertex enumeration stopped: %w", err)
		res.Complete = false
		if vp == nil {
			vp = &vertexSet{words: (P.nLabels + 63) / 64}
		}
		if vq == nil {
			vq = &vertexSet{words: (Q.nLabels + 63) / 64}
		}
	}
	res.Stats = EnumStats{
		RowVertices: vp.len(), ColVertices: vq.len(),
		Bases: vp.bases + vq.bases, Pivots: vp.pivots + vq.pivots,
		Wide: vp.wide || vq.wide, Degenerate: vp.degenerate || vq.degenerate,
	}
	pairs := matchVertices(vp, vq, m, n)
	eqs, err := buildEquilibria(P, Q, vp, vq, A, B, pairs)
	if err != nil {
		return nil, err
	}
	res.Equilibria = eqs.list
	res.Cliques = maximalNashSubsets(eqs.pairs)
	res.Components = componentsOf(eqs.pairs)
	for _, c := range res.Components {
		if len(c) > 1 {
			res.Continuum = true
		}
	}
	return res, stop
}

// bothVertices enumerates the vertices of P and Q, concurrently when there
// is a spare processor.
func bothVertices(ctx context.Context, P, Q *polytope) (vp, vq *vertexSet, err error) {
	var errQ error
	var wg sync.WaitGroup
	parallel := runtime.GOMAXPROCS(0) > 1
	if parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vq, errQ = exactVertices(ctx, Q)
		}()
	}
	vp, err = exactVertices(ctx, P)
	if parallel {
		wg.Wait()
	} else if err == nil {
		vq, errQ = exactVertices(ctx, Q)
	}
	if err == nil {
		err = errQ
	}
	return vp, vq, err
}

// faceVertices enumerates the vertices of the smaller polytope (P when
// rowSmall) and the partners of each in the other (see partnerVertices),
// falling back to enumerating both when the faces are too degenerate.
func faceVertices(ctx context.Context, P, Q *polytope, rowSmall bool) (vp, vq *vertexSet, err error) {
	small, large := P, Q
	if !rowSmall {
		small, large = Q, P
	}
	vs, err := exactVertices(ctx, small)
	var vl *vertexSet
	if err == nil {
		vl, err = partnerVertices(ctx, vs, large)
		if errors.Is(err, errFaceBudget) {
			vl, err = exactVertices(ctx, large)
		}
	}
	if rowSmall {
		return vs, vl, err
	}
	return vl, vs, err
}

// exactVertices enumerates the vertices of poly in i128 arithmetic, or in
// big.Int when i128 overflows.
func exactVertices(ctx context.Context, poly *polytope) (*vertexSet, error) {
	vs, err := poly.vertices(ctx, numI128)
	if errors.Is(err, errOverflow) {
		vs, err = poly.vertices(ctx, numBig)
	}
	return vs, err
}

// positiveIntegers returns the matrix R mapped by a positive affine
// transformation, which leaves equilibria unchanged, to integers with
// minimum 1 and no common factor in their differences.
func positiveIntegers(R [][]*big.Rat) [][]*big.Int {
	lcm := big.NewInt(1)
	var g big.Int
	for _, row := range R {
		for _, v := range row {
			d := v.Denom()
			g.GCD(nil, nil, lcm, d)
			lcm.Mul(lcm, new(big.Int).Quo(d, &g))
		}
	}
	out := make([][]*big.Int, len(R))
	var lo *big.Int
	for r, row := range R {
		out[r] = make([]*big.Int, len(row))
		for c, v := range row {
			x := new(big.Int).Mul(v.Num(), new(big.Int).Quo(lcm, v.Denom()))
			out[r][c] = x
			if lo == nil || x.Cmp(lo) < 0 {
				lo = x
			}
		}
	}
	lo = new(big.Int).Set(lo)
	g.SetInt64(0)
	for _, row := range out {
		for _, x := range row {
			x.Sub(x, lo)
			g.GCD(nil, nil, &g, x)
		}
	}
	one := big.NewInt(1)
	for _, row := range out {
		for _, x := range row {
			if g.Sign() != 0 {
				x.Quo(x, &g)
			}
			x.Add(x, one)
		}
	}
	return out
}

// vertexPair is an extreme equilibrium as indices of a vertex of P and one
// of Q.
type vertexPair struct{ x, y int }

// matchVertices returns the completely labeled pairs of nonzero vertices.
// A nondegenerate vertex of P has exactly m labels and can only pair with
// the vertex of Q that has the n others, found by hashing; degenerate
// vertices (more labels) are paired by scanning.
func matchVertices(vp, vq *vertexSet, m, n int) []vertexPair {
	words := vp.words
	full := make([]uint64, words)
	for l := range m + n {
		full[l>>6] |= 1 << (l & 63)
	}
	keyOf := func(s []uint64) string {
		b := make([]byte, 0, 8*len(s))
		for _, x := range s {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
		return string(b)
	}
	exact := make(map[string]int, vq.len())
	var degQ []int
	for y := range vq.len() {
		if vq.count[y] == n {
			exact[keyOf(vq.set(y))] = y
		} else {
			degQ = append(degQ, y)
		}
	}
	covers := func(ly, comp []uint64) bool {
		for w, c := range comp {
			if c&^ly[w] != 0 {
				return false
			}
		}
		return true
	}
	comp := make([]uint64, words)
	var pairs []vertexPair
	for x := range vp.len() {
		lx := vp.set(x)
		for w := range comp {
			comp[w] = full[w] &^ lx[w]
		}
		if vp.count[x] == m {
			if y, ok := exact[keyOf(comp)]; ok {
				pairs = append(pairs, vertexPair{x, y})
			}
			for _, y := range degQ {
				if covers(vq.set(y), comp) {
					pairs = append(pairs, vertexPair{x, y})
				}
			}
			continue
		}
		for y := range vq.len() {
			if covers(vq.set(y), comp) {
				pairs = append(pairs, vertexPair{x, y})
			}
		}
	}
	return pairs
}

// equilibria is the list of extreme equilibria with, for each, the indices
// of its row and column strategies among the distinct ones.
type equilibria struct {
	list  []Equilibrium
	pairs []vertexPair // pairs[e]: distinct x and y of list[e]
}

// buildEquilibria turns vertex pairs into verified, canonically ordered
// equilibria. Each distinct strategy is computed once from its label set
// and checked against the original payoffs: the other player's support
// must lie among its best responses, exactly.
func buildEquilibria(P, Q *polytope, vp, vq *vertexSet, A, B [][]*big.Rat, pairs []vertexPair) (*equilibria, error) {
	type strat struct {
		p      []*big.Rat
		values []*big.Rat // payoff of each opponent strategy against p
		best   *big.Rat   // their maximum: the opponent's payoff
	}
	m, n := len(A), len(A[0])
	xs, ys := map[int]*strat{}, map[int]*strat{}
	get := func(cache map[int]*strat, poly *polytope, vs *vertexSet, v int, row bool) (*strat, error) {
		if s, ok := cache[v]; ok {
			return s, nil
		}
		num, _, err := poly.point(vs.set(v))
		if err != nil {
			return nil, fmt.Errorf("nash: internal error: %w", err)
		}
		s := &strat{p: ratDistribution(num)}
		// Row strategy x: values (Bᵀx)_j for each column j. Column strategy
		// y: values (Ay)_i for each row i.
		var tmp big.Rat
		if row {
			s.values = make([]*big.Rat, n)
			for j := range n {
				s.values[j] = new(big.Rat)
				for i, pi := range s.p {
					if pi.Sign() != 0 {
						s.values[j].Add(s.values[j], tmp.Mul(pi, B[i][j]))
					}
				}
			}
		} else {
			s.values = make([]*big.Rat, m)
			for i := range m {
				s.values[i] = new(big.Rat)
				for j, pj := range s.p {
					if pj.Sign() != 0 {
						s.values[i].Add(s.values[i], tmp.Mul(pj, A[i][j]))
					}
				}
			}
		}
		s.best = s.values[0]
		for _, v := range s.values {
			if v.Cmp(s.best) > 0 {
				s.best = v
			}
		}
		cache[v] = s
		return s, nil
	}
	type found struct {
		eq   Equilibrium
		x, y int
	}
	all := make([]found, 0, len(pairs))
	for _, pr := range pairs {
		x, err := get(xs, P, vp, pr.x, true)
		if err != nil {
			return nil, err
		}
		y, err := get(ys, Q, vq, pr.y, false)
		if err != nil {
			return nil, err
		}
		for i, pi := range x.p {
			if pi.Sign() != 0 && y.values[i].Cmp(y.best) != 0 {
				return nil, fmt.Errorf("nash: internal error: row %d is played but not a best response", i+1)
			}
		}
		for j, pj := range y.p {
			if pj.Sign() != 0 && x.values[j].Cmp(x.best) != 0 {
				return nil, fmt.Errorf("nash: internal error: column %d is played but not a best response", j+1)
			}
		}
		all = append(all, found{newEquilibrium(game.MixedRat{x.p, y.p}, []*big.Rat{y.best, x.best}), pr.x, pr.y})
	}
	slices.SortStableFunc(all, func(a, b found) int { return compareProfiles(a.eq.Exact, b.eq.Exact) })
	// Renumber the distinct strategies in canonical order.
	xid, yid := map[int]int{}, map[int]int{}
	out := &equilibria{}
	for _, f := range all {
		if _, ok := xid[f.x]; !ok {
			xid[f.x] = len(xid)
		}
		if _, ok := yid[f.y]; !ok {
			yid[f.y] = len(yid)
		}
		out.list = append(out.list, f.eq)
		out.pairs = append(out.pairs, vertexPair{xid[f.x], yid[f.y]})
	}
	return out, nil
}

// ratDistribution returns num scaled to sum to one.
func ratDistribution(num []*big.Int) []*big.Rat {
	sum := new(big.Int)
	for _, v := range num {
		sum.Add(sum, v)
	}
	p := make([]*big.Rat, len(num))
	for i, v := range num {
		p[i] = new(big.Rat).SetFrac(v, sum)
	}
	return p
}

// newEquilibrium fills in the float views of an exact profile and payoffs.
func newEquilibrium(x game.MixedRat, pay []*big.Rat) Equilibrium {
	e := Equilibrium{Exact: x, PayoffsRat: pay, Profile: make(game.Mixed, len(x)), Payoffs: make([]float64, len(pay))}
	for i, xi := range x {
		e.Profile[i] = make([]float64, len(xi))
		for s, p := range xi {
			e.Profile[i][s], _ = p.Float64()
		}
	}
	for i, u := range pay {
		e.Payoffs[i], _ = u.Float64()
	}
	return e
}

// compareProfiles orders profiles lexicographically by decreasing
// probabilities, player by player.
func compareProfiles(a, b game.MixedRat) int {
	for i := range a {
		for s := range a[i] {
			if c := a[i][s].Cmp(b[i][s]); c != 0 {
				return -c
			}
		}
	}
	return 0
}
