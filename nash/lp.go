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
// games: Dantzig's rule with Harris's ratio test, a random relative
// perturbation of b of size perturb against degeneracy (the result is then
// optimal for the perturbed program; 0 turns it off), and Bland's rule
// after a run of degenerate pivots, which cannot cycle.
func lpMaxOrigin(ctx context.Context, A [][]float64, b, c []float64, perturb float64) ([]float64, error) {
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
		t[i*w+n] = b[i] + perturb*scale*(1+r.Float64())
	}
	obj := t[m*w : (m+1)*w]
	cmax := 1.0
	for j := range n {
		obj[j] = c[j]
		nonb[j] = j
		cmax = max(cmax, math.Abs(c[j]))
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
		// Harris's ratio test. Every entry above rounding noise (1e-13)
		// bounds the step, however small: a long step would otherwise push
		// its row below zero (and the pivot then makes the step negative).
		// The pivot is the largest entry among the rows that block within
		// the bound (under Bland's rule, the smallest variable index among
		// those at least a tenth of that largest).
		const noise = 1e-13
		theta := math.Inf(1)
		for i := range m {
			if a := t[i*w+q]; a > noise {
				theta = min(theta, (max(t[i*w+n], 0)+tol)/a)
			}
		}
		p := -1
		for i := range m {
			a := t[i*w+q]
			if a > noise && max(t[i*w+n], 0)/a <= theta && (p < 0 || a > t[p*w+q]) {
				p = i
			}
		}
		if p < 0 {
			if obj[q] > 1e-7*cmax {
				return nil, errLPUnbounded
			}
			// A ray whose gain is rounding noise (a zero-cost direction of
			// an unbounded feasible set): not worth entering.
			obj[q] = 0
			continue
		}
		if bland {
			big := t[p*w+q]
			for i := range m {
				a := t[i*w+q]
				if a >= 0.1*big && max(t[i*w+n], 0)/a <= theta && basic[i] < basic[p] {
					p = i
				}
			}
		}
		// A basic value Harris let slip below zero is set to zero, so
		// that the step is not negative.
		t[p*w+n] = max(t[p*w+n], 0)
		if t[p*w+n]/t[p*w+q]*obj[q] > 1e-14*scale {
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
