package nash

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
)

// errLPUnbounded reports a linear program whose objective is unbounded.
var errLPUnbounded = errors.New("lp: objective unbounded")

// lpMaxOrigin solves the linear program
//
//	max cᵀx  s.t.  A x ≤ b,  x ≥ 0,
//
// for dense A (rows of equal length) and b ≥ 0, so that x = 0 is feasible
// and no phase 1 is needed. It is a textbook dense tableau simplex for the
// small auxiliary programs of this package (sizes in the hundreds), not for
// games: Dantzig's rule with Harris's ratio test, a random perturbation of
// b against degeneracy (the result is optimal for the perturbed program,
// which is within 1e-9 of the true one), and Bland's rule after a run of
// degenerate pivots.
func lpMaxOrigin(ctx context.Context, A [][]float64, b, c []float64) ([]float64, error) {
	m, n := len(A), len(c)
	w := n + 1 // columns: the n nonbasic variables, then the right-hand side
	t := make([]float64, (m+1)*w)
	basic := make([]int, m) // variable of each row: j < n structural, n+i slack
	nonb := make([]int, n)
	r := rand.New(rand.NewPCG(uint64(m), uint64(n)))
	scale := 0.0
	for i, row := range A {
		if len(row) != n {
			panic("lpMaxOrigin: ragged constraint matrix")
		}
		copy(t[i*w:], row)
		if b[i] < 0 {
			panic("lpMaxOrigin: negative right-hand side")
		}
		scale = max(scale, b[i])
		basic[i] = n + i
	}
	scale = max(scale, 1)
	for i := range m {
		t[i*w+n] = b[i] + 1e-10*scale*(1+r.Float64())
	}
	obj := t[m*w : (m+1)*w]
	for j := range n {
		obj[j] = c[j]
		nonb[j] = j
	}
	const tol = 1e-11
	stall := 0
	for it := 0; ; it++ {
		if it&63 == 63 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if it > 50*(m+n)+1000 {
			return nil, errSimplexStall
		}
		bland := stall > 50
		q := -1
		for j := range n {
			if obj[j] > tol && (q < 0 || (bland && nonb[j] < nonb[q]) || (!bland && obj[j] > obj[q])) {
				q = j
			}
		}
		if q < 0 {
			break
		}
		theta := math.Inf(1)
		for i := range m {
			if a := t[i*w+q]; a > tol {
				theta = min(theta, (max(t[i*w+n], 0)+tol)/a)
			}
		}
		if math.IsInf(theta, 1) {
			return nil, errLPUnbounded
		}
		p := -1
		for i := range m {
			a := t[i*w+q]
			if a <= tol || max(t[i*w+n], 0)/a > theta {
				continue
			}
			if p < 0 || (bland && basic[i] < basic[p]) || (!bland && a > t[p*w+q]) {
				p = i
			}
		}
		if max(t[p*w+n], 0)/t[p*w+q]*obj[q] > 1e-14*scale {
			stall = 0
		} else {
			stall++
		}
		// Exchange pivot on (p, q). The objective row (row m, reduced
		// costs and −z) transforms like the constraint rows.
		pr := t[p*w : (p+1)*w]
		inv := 1 / pr[q]
		for j := range pr {
			pr[j] *= inv
		}
		pr[q] = inv
		for i := 0; i <= m; i++ {
			if i == p {
				continue
			}
			row := t[i*w : (i+1)*w]
			if f := row[q]; f != 0 {
				vaxpy(row, -f, pr)
				row[q] = -f * inv
			}
		}
		basic[p], nonb[q] = nonb[q], basic[p]
	}
	x := make([]float64, n)
	for i, v := range basic {
		if v < n {
			x[v] = max(t[i*w+n], 0)
		}
	}
	return x, nil
}
