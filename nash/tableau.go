package nash

import (
	"errors"
	"math/big"
)

// errOverflow reports that a fixed-width tableau could not hold a value; the
// caller redoes the work with big.Int numbers. It never escapes the package.
var errOverflow = errors.New("nash: fixed-width arithmetic overflow")

// tabNums stores the numbers of a fraction-free (integer-pivoting) tableau:
// k rows of d nonbasic columns followed by the right-hand side (column d),
// and the common denominator D > 0. Row i stands for the equation
//
//	D·basic_i + Σ_c T[i][c]·nonbasic_c = T[i][d],
//
// so every entry is an integer (a minor of the original system) and a basic
// variable's value is T[i][d]/D. Implementations differ only in the integer
// type; they are not safe for concurrent use.
type tabNums interface {
	// sign returns the sign of T[i][j].
	sign(i, j int) int
	// positives appends to dst the rows i with T[i][c] > 0.
	positives(c int, dst []int) []int
	// minRatio filters rows (all with T[i][c] > 0) in place down to those
	// minimizing T[i][j]/T[i][c] and returns them.
	minRatio(rows []int, j, c int) []int
	// pivot exchanges basic row r and nonbasic column c (T[r][c] > 0). It
	// returns errOverflow, leaving the tableau unusable, when a value does
	// not fit.
	pivot(r, c int) error
	// value stores T[i][j] in dst and returns it.
	value(i, j int, dst *big.Int) *big.Int
	// det stores the denominator D in dst and returns it.
	det(dst *big.Int) *big.Int
	// clone returns an independent copy.
	clone() tabNums
	// cloneMany returns n independent copies sharing one allocation.
	cloneMany(n int) []tabNums
	// copyFrom overwrites the receiver with src, of the same type and shape.
	copyFrom(src tabNums)
	// size returns the approximate memory held, in bytes.
	size() int
}

// tableau is the dictionary of the polytope {z ∈ R^d : z ≥ 0, Mz ≤ 1} with
// slack variables w = 1 − Mz ≥ 0. Variables 0..d−1 are z, d..d+k−1 are w.
// Pivoting follows the lexicographic rule for the right-hand side perturbed
// to 1 + (ε, ε², …, ε^k), under which every basis is nondegenerate, so
// pivoting never cycles and each vertex of the perturbed polytope has exactly
// one basis.
type tableau struct {
	k, d     int
	basic    []int // basic[i] is the variable of row i
	nonbasic []int // nonbasic[c] is the variable of column c
	pos      []int // pos[v] ≥ 0 is v's row; otherwise ^pos[v] is its column
	nums     tabNums

	cand []int // scratch for lexRatio
}

// numKind selects the number type of a tableau.
type numKind int

const (
	numI128  numKind = iota // i128, or big.Int when M's entries do not fit
	numBig                  // big.Int
	numFloat                // float64, for paths verified exactly afterwards
	numKinds
)

// newTableau returns the dictionary of the slack basis (z = 0) for the k×d
// matrix M with positive entries, with numbers of the given kind.
func newTableau(M [][]*big.Int, kind numKind) *tableau {
	k, d := len(M), len(M[0])
	t := &tableau{
		k: k, d: d,
		basic:    make([]int, k),
		nonbasic: make([]int, d),
		pos:      make([]int, d+k),
		cand:     make([]int, 0, k),
	}
	for c := range d {
		t.nonbasic[c] = c
		t.pos[c] = ^c
	}
	for i := range k {
		t.basic[i] = d + i
		t.pos[d+i] = i
	}
	switch kind {
	case numFloat:
		t.nums = newTabFloat(M)
		return t
	case numI128:
		if n, ok := newTab128(M); ok {
			t.nums = n
			return t
		}
	}
	t.nums = newTabBig(M)
	return t
}

// clone returns an independent copy of t.
func (t *tableau) clone() *tableau {
	c := &tableau{
		k: t.k, d: t.d,
		basic:    append([]int(nil), t.basic...),
		nonbasic: append([]int(nil), t.nonbasic...),
		pos:      append([]int(nil), t.pos...),
		nums:     t.nums.clone(),
		cand:     make([]int, 0, t.k),
	}
	return c
}

// cloneMany returns n independent copies of t, allocated together.
func (t *tableau) cloneMany(n int) []*tableau {
	nums := t.nums.cloneMany(n)
	w := 3*t.k + 2*t.d
	ints := make([]int, n*w)
	out := make([]*tableau, n)
	shells := make([]tableau, n)
	for i := range out {
		c := &shells[i]
		sl := ints[i*w : (i+1)*w]
		c.k, c.d = t.k, t.d
		c.basic = sl[:t.k:t.k]
		c.nonbasic = sl[t.k : t.k+t.d : t.k+t.d]
		c.pos = sl[t.k+t.d : 2*t.k+2*t.d : 2*t.k+2*t.d]
		c.cand = sl[2*t.k+2*t.d : 2*t.k+2*t.d : w]
		copy(c.basic, t.basic)
		copy(c.nonbasic, t.nonbasic)
		copy(c.pos, t.pos)
		c.nums = nums[i]
		out[i] = c
	}
	return out
}

// copyFrom overwrites t with s, a tableau of the same system.
func (t *tableau) copyFrom(s *tableau) {
	copy(t.basic, s.basic)
	copy(t.nonbasic, s.nonbasic)
	copy(t.pos, s.pos)
	t.nums.copyFrom(s.nums)
}

// pivot exchanges basic row r and nonbasic column c.
func (t *tableau) pivot(r, c int) error {
	if err := t.nums.pivot(r, c); err != nil {
		return err
	}
	leave, enter := t.basic[r], t.nonbasic[c]
	t.basic[r], t.nonbasic[c] = enter, leave
	t.pos[enter], t.pos[leave] = r, ^c
	return nil
}

// lexRatio returns the row that leaves when column c enters under the
// lexicographic minimum-ratio rule, or −1 when column c has no positive
// entry (an unbounded edge).
//
// The perturbed right-hand side of row i is T[i][d] + Σ_j ε^j·F[i][w_j],
// where F[i][w_j] is the tableau entry of slack w_j: D at its own row when
// w_j is basic, the column of w_j when it is nonbasic. The rows of the basis
// inverse are linearly independent, so exactly one row survives.
func (t *tableau) lexRatio(c int) int {
	ties := t.nums.positives(c, t.cand[:0])
	t.cand = ties
	if len(ties) <= 1 {
		if len(ties) == 0 {
			return -1
		}
		return ties[0]
	}
	ties = t.nums.minRatio(ties, t.d, c)
	for j := 0; len(ties) > 1; j++ {
		if j == t.k {
			panic("nash: lexicographic ratio test left a tie")
		}
		w := t.d + j
		if p := t.pos[w]; p >= 0 {
			// Slack w_j is basic in row p: its perturbation entry is D > 0
			// there and 0 elsewhere, so row p loses against any other tie.
			for n, i := range ties {
				if i == p {
					ties = append(ties[:n], ties[n+1:]...)
					break
				}
			}
			continue
		}
		ties = t.nums.minRatio(ties, ^t.pos[w], c)
	}
	return ties[0]
}

// value returns the value of variable v at the current basis as
// numerator/denominator (numerator 0 when v is nonbasic).
func (t *tableau) value(v int, num, den *big.Int) {
	if p := t.pos[v]; p >= 0 {
		t.nums.value(p, t.d, num)
	} else {
		num.SetInt64(0)
	}
	t.nums.det(den)
}
