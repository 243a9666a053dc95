package nash

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
)

// polytope is one player's best-response polytope {z ∈ R^d : z ≥ 0, Mz ≤ 1}
// of a bimatrix game with positive integer payoffs, with the labels of its
// d + k inequalities (variables 0..d−1 are z, d..d+k−1 the slacks of Mz ≤ 1).
//
// For the row player, P = {x ≥ 0 : Bᵀx ≤ 1}: x_i carries label i (x_i = 0:
// row i unused) and slack j carries label m+j (column j is a best response
// to x). For the column player, Q = {y ≥ 0 : Ay ≤ 1}: y_j carries label m+j
// and slack i carries label i. A pair (x, y) ≠ (0, 0) whose labels together
// cover 0..m+n−1 is, once each is scaled to sum to one, a Nash equilibrium,
// and the extreme equilibria are exactly such pairs of vertices.
type polytope struct {
	M       [][]*big.Int // k×d, entries ≥ 1
	labelOf []int        // variable → label
	nLabels int
}

// bimatrixPolytopes returns P and Q for the integer matrices A and B (m×n,
// entries ≥ 1).
func bimatrixPolytopes(A, B [][]*big.Int) (P, Q *polytope) {
	m, n := len(A), len(A[0])
	P = &polytope{M: make([][]*big.Int, n), labelOf: make([]int, m+n), nLabels: m + n}
	for j := range n {
		P.M[j] = make([]*big.Int, m)
		for i := range m {
			P.M[j][i] = B[i][j]
		}
	}
	for i := range m {
		P.labelOf[i] = i
	}
	for j := range n {
		P.labelOf[m+j] = m + j
	}
	Q = &polytope{M: A, labelOf: make([]int, m+n), nLabels: m + n}
	for j := range n {
		Q.labelOf[j] = m + j
	}
	for i := range m {
		Q.labelOf[n+i] = i
	}
	return P, Q
}

// vertexSet is the list of nonzero vertices of a polytope, each given by
// its label set (the inequalities tight there, which determine it).
type vertexSet struct {
	words  int      // uint64 words per label set
	labels []uint64 // vertex v's labels: labels[v*words : (v+1)*words]
	count  []int    // number of labels of each vertex
	bases  int      // lexicographic bases visited, the origin's included
	pivots int
	wide   bool // big.Int arithmetic was used
	// degenerate reports a basis with a zero basic variable: a vertex with
	// more tight inequalities than the dimension.
	degenerate bool
}

func (s *vertexSet) len() int { return len(s.count) }

func (s *vertexSet) set(v int) []uint64 { return s.labels[v*s.words : (v+1)*s.words] }

// vertices enumerates the vertices of the polytope by depth-first search
// over the bases of its lexicographically perturbed version, which is
// nondegenerate: its vertex graph is connected, each of its vertices has
// one basis, and every vertex of the polytope is the limit of at least one
// of them. Bases already visited are recognized by a Zobrist hash of the
// basic set, checked exactly. Degenerate vertices (several perturbed
// vertices, one point) are merged by their label sets. The search returns
// to a parent by pivoting back, so memory stays proportional to the number
// of bases.
//
// With kind numI128 the tableau uses i128 numbers when the entries of M
// fit, and the search returns errOverflow when a value outgrows them. Kind
// numFloat is not allowed: the search must decide signs exactly.
func (p *polytope) vertices(ctx context.Context, kind numKind) (*vertexSet, error) {
	if kind == numFloat {
		panic("nash: vertex enumeration needs exact arithmetic")
	}
	t := newTableau(p.M, kind)
	_, isBig := t.nums.(*tabBig)
	k, d := t.k, t.d
	nv := d + k
	bw := (nv + 63) / 64
	zob := make([]uint64, nv)
	state := uint64(0x5eed5eed5eed5eed)
	for v := range zob {
		zob[v] = zobristNext(&state)
	}
	cur := make([]uint64, bw)
	var h uint64
	for _, v := range t.basic {
		cur[v>>6] |= 1 << (v & 63)
		h ^= zob[v]
	}
	// Visited bases: seen maps a hash to the newest base with it; next chains
	// the others; stored holds the basic sets.
	seen := map[uint64]int32{h: 0}
	next := []int32{-1}
	stored := append([]uint64(nil), cur...)
	visited := func(h uint64, a, b int) bool {
		idx, ok := seen[h]
		if !ok {
			return false
		}
		for ; idx >= 0; idx = next[idx] {
			base := stored[int(idx)*bw : int(idx+1)*bw]
			same := true
			for w, x := range cur {
				if w == a>>6 {
					x ^= 1 << (a & 63)
				}
				if w == b>>6 {
					x ^= 1 << (b & 63)
				}
				if base[w] != x {
					same = false
					break
				}
			}
			if same {
				return true
			}
		}
		return false
	}

	vs := &vertexSet{words: (p.nLabels + 63) / 64, wide: isBig}
	lab := make([]uint64, vs.words)
	key := make([]byte, 8*vs.words)
	degenerate := map[string]struct{}{}
	record := func(t *tableau) {
		clear(lab)
		for _, v := range t.nonbasic {
			l := p.labelOf[v]
			lab[l>>6] |= 1 << (l & 63)
		}
		deg := false
		for i, v := range t.basic {
			if t.nums.sign(i, d) == 0 {
				l := p.labelOf[v]
				lab[l>>6] |= 1 << (l & 63)
				deg = true
			}
		}
		if deg {
			vs.degenerate = true
			// Several bases may share this point: keep it once.
			for w, x := range lab {
				binary.LittleEndian.PutUint64(key[8*w:], x)
			}
			if _, dup := degenerate[string(key)]; dup {
				return
			}
			degenerate[string(key)] = struct{}{}
		}
		n := 0
		for _, x := range lab {
			n += bits.OnesCount64(x)
		}
		vs.labels = append(vs.labels, lab...)
		vs.count = append(vs.count, n)
	}

	// The search discovers all unvisited neighbours of a basis before
	// descending into any of them (marking them visited at once), which
	// keeps the tree bushy and shallow; each basis is pivoted into exactly
	// once, from its discoverer. Each search level keeps its own tableau, so
	// returning to a parent costs nothing; beyond maxLevels the deepest
	// tableau is shared and children pivot back when done.
	type edge struct{ r, c, leave, enter int }
	var pending []edge // the undescended children of every frame, stacked
	steps := 0
	expand := func(t *tableau, skip int) error {
		for c := range d {
			if c == skip {
				continue // back to the parent
			}
			if steps++; steps&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := t.lexRatio(c)
			if r < 0 {
				return fmt.Errorf("nash: internal error: unbounded edge in a best-response polytope")
			}
			leave, enter := t.basic[r], t.nonbasic[c]
			h2 := h ^ zob[leave] ^ zob[enter]
			if visited(h2, leave, enter) {
				continue
			}
			if head, ok := seen[h2]; ok {
				next = append(next, head)
			} else {
				next = append(next, -1)
			}
			seen[h2] = int32(len(next) - 1)
			at := len(stored)
			stored = append(stored, cur...)
			stored[at+leave>>6] &^= 1 << (leave & 63)
			stored[at+enter>>6] |= 1 << (enter & 63)
			pending = append(pending, edge{r, c, leave, enter})
		}
		return nil
	}

	maxLevels := max(2, copyBudget/max(1, t.nums.size()))
	tabs := []*tableau{t}
	type frame struct {
		tab        int  // index in tabs
		lo, hi, at int  // children in pending[lo:hi]; the next is pending[at]
		in         edge // the pivot that led here (r < 0 at the root)
		inPlace    bool // the tableau is the parent's: pivot back when done
	}
	if err := expand(t, -1); err != nil {
		return vs, err
	}
	stack := []frame{{hi: len(pending), in: edge{r: -1, c: -1}}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		t := tabs[f.tab]
		if f.at == f.hi {
			if e := f.in; e.r >= 0 {
				cur[e.leave>>6] |= 1 << (e.leave & 63)
				cur[e.enter>>6] &^= 1 << (e.enter & 63)
				h ^= zob[e.leave] ^ zob[e.enter]
				if f.inPlace {
					if err := t.pivot(e.r, e.c); err != nil {
						return nil, err
					}
					vs.pivots++
				}
			}
			pending = pending[:f.lo]
			stack = stack[:len(stack)-1]
			continue
		}
		e := pending[f.at]
		f.at++
		child := frame{tab: f.tab, in: e, inPlace: true}
		if f.tab+1 < maxLevels {
			child.tab, child.inPlace = f.tab+1, false
			if child.tab == len(tabs) {
				// Grow by doubling, in one allocation per step.
				tabs = append(tabs, t.cloneMany(min(max(16, len(tabs)), maxLevels-len(tabs)))...)
			}
			tabs[child.tab].copyFrom(t)
			t = tabs[child.tab]
		}
		if err := t.pivot(e.r, e.c); err != nil {
			return nil, err
		}
		vs.pivots++
		cur[e.leave>>6] &^= 1 << (e.leave & 63)
		cur[e.enter>>6] |= 1 << (e.enter & 63)
		h ^= zob[e.leave] ^ zob[e.enter]
		record(t)
		child.lo = len(pending)
		if err := expand(t, e.c); err != nil {
			if ctx.Err() != nil {
				return vs, err
			}
			return nil, err
		}
		child.hi, child.at = len(pending), child.lo
		stack = append(stack, child)
	}
	vs.bases = len(next)
	return vs, nil
}

// copyBudget bounds the memory of the per-level tableaux of a vertex search.
const copyBudget = 64 << 20

// errNotVertex reports a label set whose equations have no unique solution.
var errNotVertex = errors.New("nash: label set does not determine a vertex")

// point returns the point where the inequalities with the given labels are
// tight, in integer form z = num/den (den > 0), solving them by
// fraction-free Gauss–Jordan elimination, or errNotVertex when they do not
// determine a unique point. The point need not be feasible.
func (p *polytope) point(labels []uint64) (num []*big.Int, den *big.Int, err error) {
	k, d := len(p.M), len(p.M[0])
	has := func(v int) bool { l := p.labelOf[v]; return labels[l>>6]>>(l&63)&1 != 0 }
	var S, T []int
	for v := range d {
		if !has(v) {
			S = append(S, v)
		}
	}
	for j := range k {
		if has(d + j) {
			T = append(T, j)
		}
	}
	ns := len(S)
	a := make([][]big.Int, len(T))
	for r, j := range T {
		a[r] = make([]big.Int, ns+1)
		for c, v := range S {
			a[r][c].Set(p.M[j][v])
		}
		a[r][ns].SetInt64(1)
	}
	den = big.NewInt(1)
	var t1, t2 big.Int
	for c := range ns {
		r := c
		for r < len(a) && a[r][c].Sign() == 0 {
			r++
		}
		if r == len(a) {
			return nil, nil, errNotVertex
		}
		a[c], a[r] = a[r], a[c]
		piv := &a[c][c]
		for i := range a {
			if i == c {
				continue
			}
			for j := range a[i] {
				if j == c {
					continue
				}
				t1.Mul(&a[i][j], piv)
				t2.Mul(&a[i][c], &a[c][j])
				t1.Sub(&t1, &t2)
				a[i][j].Quo(&t1, den)
			}
			a[i][c].SetInt64(0)
		}
		den = new(big.Int).Set(piv)
	}
	for r := ns; r < len(a); r++ {
		if a[r][ns].Sign() != 0 {
			return nil, nil, errNotVertex
		}
	}
	num = make([]*big.Int, d)
	for v := range num {
		num[v] = new(big.Int)
	}
	for c, v := range S {
		num[v].Set(&a[c][ns])
	}
	if den.Sign() < 0 {
		den.Neg(den)
		for _, x := range num {
			x.Neg(x)
		}
	}
	return num, den, nil
}

// zobristNext advances state and returns the next output of the SplitMix64
// generator: fixed, well-mixed keys for Zobrist hashing.
func zobristNext(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
