package nash

import (
	"context"
	"encoding/binary"
	"errors"
	"math/big"
	"math/bits"
)

// Unbalanced games (one player with few strategies, the other with many)
// have a low-dimensional polytope with few vertices and a high-dimensional
// one with very many. For them the search enumerates only the small
// polytope and, for each of its vertices, the vertices of the face of the
// large one carrying the complementary labels: the only vertices that can
// pair with it.
const (
	// faceMaxDim is the largest dimension of the small polytope, and the
	// large one must have at least faceRatio times as many.
	faceMaxDim = 6
	faceRatio  = 2
	// faceBudget bounds the candidate solves of all faces together; a
	// degenerate game that needs more falls back to full enumeration.
	faceBudget = 200_000
)

// useFaces reports whether an m×n game is unbalanced enough for the face
// method.
func useFaces(m, n int) bool {
	lo, hi := min(m, n), max(m, n)
	return lo <= faceMaxDim && hi >= faceRatio*lo
}

// errFaceBudget reports a face method that would exceed faceBudget.
var errFaceBudget = errors.New("nash: face enumeration over budget")

// partnerVertices returns the vertices of Y that carry the complementary
// labels of some vertex of small (a vertex set of the other polytope).
//
// For a vertex x with labels L, its partners are the vertices of the face
// of Y where every inequality labelled outside L is tight. In Y's variables
// z_U (those not forced to zero), the face is {z_U ≥ 0 : M_F z_U = 1, M_O
// z_U ≤ 1} with F the forced rows and O the others. Its vertices are the
// feasible points where the forced rows (of rank r) and |U| − r further
// inequalities are tight and determine the point: the candidates are
// solved exactly, one per choice of those further inequalities. In a
// nondegenerate game r = |U| and each x has at most one partner, found by
// one solve. It returns errFaceBudget when the candidates would exceed
// faceBudget.
func partnerVertices(ctx context.Context, small *vertexSet, Y *polytope) (*vertexSet, error) {
	k, d := len(Y.M), len(Y.M[0])
	dim := d
	nl := Y.nLabels
	words := (nl + 63) / 64
	out := &vertexSet{words: words}
	full := make([]uint64, words)
	for l := range nl {
		full[l>>6] |= 1 << (l & 63)
	}
	has := func(s []uint64, l int) bool { return s[l>>6]>>(l&63)&1 != 0 }
	seen := map[string]bool{}
	key := make([]byte, 8*words)
	budget := faceBudget
	comp := make([]uint64, words)
	labels := make([]uint64, words)
	for x := range small.len() {
		if x&63 == 0 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		lx := small.set(x)
		for w := range comp {
			comp[w] = full[w] &^ lx[w]
		}
		// U: free variables; F: forced rows; extra: the inequalities that
		// may be added (free variables at zero, other rows tight).
		var U, F, extra []int
		for v := range d {
			if !has(comp, Y.labelOf[v]) {
				U = append(U, v)
				extra = append(extra, Y.labelOf[v])
			}
		}
		for j := range k {
			if has(comp, Y.labelOf[d+j]) {
				F = append(F, j)
			} else {
				extra = append(extra, Y.labelOf[d+j])
			}
		}
		need := len(U) - rank(Y.M, F, U)
		if need < 0 || need > len(extra) {
			continue
		}
		if budget -= binomial(len(extra), need); budget < 0 {
			return nil, errFaceBudget
		}
		forSubsets(len(extra), need, func(pick []int) bool {
			copy(labels, comp)
			for _, i := range pick {
				l := extra[i]
				labels[l>>6] |= 1 << (l & 63)
			}
			num, den, perr := Y.point(labels)
			if perr != nil {
				return true // these inequalities do not determine a point
			}
			tight, ok := Y.feasibleLabels(num, den, words)
			if !ok {
				return true
			}
			for w, v := range tight {
				binary.LittleEndian.PutUint64(key[8*w:], v)
			}
			if !seen[string(key)] {
				seen[string(key)] = true
				n := 0
				for _, v := range tight {
					n += bits.OnesCount64(v)
				}
				out.labels = append(out.labels, tight...)
				out.count = append(out.count, n)
				out.degenerate = out.degenerate || n > dim
			}
			return true
		})
	}
	return out, nil
}

// feasibleLabels reports whether z = num/den lies in the polytope and is not
// the origin, and returns the labels of the inequalities tight there.
func (p *polytope) feasibleLabels(num []*big.Int, den *big.Int, words int) ([]uint64, bool) {
	d := len(p.M[0])
	labels := make([]uint64, words)
	nonzero := false
	for v, x := range num {
		switch x.Sign() {
		case -1:
			return nil, false
		case 0:
			l := p.labelOf[v]
			labels[l>>6] |= 1 << (l & 63)
		default:
			nonzero = true
		}
	}
	if !nonzero {
		return nil, false
	}
	var sum, t big.Int
	for j, row := range p.M {
		sum.SetInt64(0)
		for v, x := range num {
			if x.Sign() != 0 {
				sum.Add(&sum, t.Mul(row[v], x))
			}
		}
		switch sum.Cmp(den) {
		case 1:
			return nil, false
		case 0:
			l := p.labelOf[d+j]
			labels[l>>6] |= 1 << (l & 63)
		}
	}
	return labels, true
}

// rank returns the rank of the submatrix M[rows][cols], by fraction-free
// elimination.
func rank(M [][]*big.Int, rows, cols []int) int {
	a := make([][]big.Int, len(rows))
	for i, j := range rows {
		a[i] = make([]big.Int, len(cols))
		for c, v := range cols {
			a[i][c].Set(M[j][v])
		}
	}
	r := 0
	den := big.NewInt(1)
	var t1, t2 big.Int
	for c := 0; c < len(cols) && r < len(a); c++ {
		p := r
		for p < len(a) && a[p][c].Sign() == 0 {
			p++
		}
		if p == len(a) {
			continue
		}
		a[r], a[p] = a[p], a[r]
		for i := r + 1; i < len(a); i++ {
			for j := c + 1; j < len(cols); j++ {
				t1.Mul(&a[i][j], &a[r][c])
				t2.Mul(&a[i][c], &a[r][j])
				a[i][j].Quo(t1.Sub(&t1, &t2), den)
			}
			a[i][c].SetInt64(0)
		}
		den = new(big.Int).Set(&a[r][c])
		r++
	}
	return r
}

// binomial returns C(n, k), saturating at faceBudget+1.
func binomial(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	k = min(k, n-k)
	c := 1
	for i := 1; i <= k; i++ {
		c = c * (n - k + i) / i
		if c > faceBudget {
			return faceBudget + 1
		}
	}
	return c
}

// forSubsets calls f with every k-subset of 0..n−1 in lexicographic order,
// until f returns false.
func forSubsets(n, k int, f func(pick []int) bool) {
	pick := make([]int, k)
	for i := range pick {
		pick[i] = i
	}
	for {
		if !f(pick) {
			return
		}
		i := k - 1
		for i >= 0 && pick[i] == n-k+i {
			i--
		}
		if i < 0 {
			return
		}
		pick[i]++
		for j := i + 1; j < k; j++ {
			pick[j] = pick[j-1] + 1
		}
	}
}
