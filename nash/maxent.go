package nash

import (
	"context"
	"fmt"
	"math"
)

// maxEntropyFace returns the optimal strategy of maximum entropy of the
// symmetric zero-sum game S (skew-symmetric, largest entry scale), given
// the essential strategies ess and an optimal strategy interior that plays
// all of them and strictly beats every other strategy. It also returns the
// dimension of the set of optimal strategies.
//
// Every optimal p is supported on ess and satisfies (pᵀS)_j = 0 for j in
// ess (complementary slackness), so the optimal face is the affine set
// {p = p0 + Q·u} (Σp = 1 and those equalities; Q an orthonormal basis of
// its directions) cut by p ≥ 0 and (pᵀS)_j ≥ 0 for j outside ess. Entropy
// keeps p > 0 by itself (its gradient is infinite at the boundary, and the
// face has points with full support on ess); the other inequalities may
// bind, so they get a log barrier whose weight goes to zero. Each barrier
// stage is solved by damped Newton steps in u.
func maxEntropyFace(ctx context.Context, S [][]float64, scale float64, ess []int, interior []float64) ([]float64, int, error) {
	n, k := len(S), len(ess)
	G := make([][]float64, k) // G[a][b] = S[ess[b]][ess[a]]: (pᵀS)_{ess[a]}
	for a := range G {
		G[a] = make([]float64, k)
		for b := range G[a] {
			G[a][b] = S[ess[b]][ess[a]] / scale
		}
	}
	N := nullSpace(G, 1e-9)
	pin := make([]float64, k)
	for a, i := range ess {
		pin[a] = interior[i]
	}
	full := func(p []float64) []float64 {
		out := make([]float64, n)
		for a, i := range ess {
			out[i] = p[a]
		}
		normalizeNonneg(out)
		return out
	}
	if len(N) == 0 {
		// The equalities looked independent to the rank test, yet an
		// optimal strategy exists: trust the linear program's point.
		return interior, 0, nil
	}
	// p0: the interior point projected onto span(N), rescaled to sum 1.
	p0 := make([]float64, k)
	for _, v := range N {
		vaxpy(p0, vdot(v, pin), v)
	}
	sum := 0.0
	for _, v := range p0 {
		sum += v
	}
	if !(sum > 0) {
		return nil, 0, fmt.Errorf("%w: optimal face lost in projection", ErrNumerical)
	}
	for a := range p0 {
		p0[a] /= sum
	}
	if len(N) == 1 {
		return full(p0), 0, nil
	}
	for _, v := range p0 {
		if !(v > 0) {
			return nil, 0, fmt.Errorf("%w: interior optimal strategy not strictly positive after projection", ErrNumerical)
		}
	}
	Q := faceDirections(N)
	dq := len(Q)
	// Inequalities h_j(u) = c_j + g_j·u ≥ 0 for j outside ess (payoffs
	// divided by scale), keeping only those that vary on the face.
	inEss := make([]bool, n)
	for _, i := range ess {
		inEss[i] = true
	}
	var hc []float64
	var hg [][]float64
	for j := range n {
		if inEss[j] {
			continue
		}
		c := 0.0
		g := make([]float64, dq)
		for a, i := range ess {
			s := S[i][j] / scale
			c += p0[a] * s
			for l, q := range Q {
				g[l] += q[a] * s
			}
		}
		if vdot(g, g) > 1e-24 {
			hc = append(hc, c)
			hg = append(hg, g)
		}
	}
	u, err := newtonBarrier(ctx, p0, Q, hc, hg)
	if err != nil {
		return nil, 0, err
	}
	p := append([]float64(nil), p0...)
	for l, q := range Q {
		vaxpy(p, u[l], q)
	}
	return full(p), dq, nil
}

// newtonBarrier maximises −Σ p log p + μ Σ_j log h_j over u, with
// p = p0 + Σ_l u_l Q_l and h_j = hc_j + hg_j·u, for μ falling from 0.1 to
// 1e-13 (a single stage with μ = 0 when there are no inequalities). It
// starts from u = 0, which must be strictly feasible.
func newtonBarrier(ctx context.Context, p0 []float64, Q [][]float64, hc []float64, hg [][]float64) ([]float64, error) {
	k, dq := len(p0), len(Q)
	u := make([]float64, dq)
	p := make([]float64, k)
	h := make([]float64, len(hc))
	eval := func(u []float64, mu float64) (float64, bool) {
		copy(p, p0)
		for l, q := range Q {
			vaxpy(p, u[l], q)
		}
		f := 0.0
		for _, v := range p {
			if !(v > 0) {
				return 0, false
			}
			f -= v * math.Log(v)
		}
		for j, c := range hc {
			h[j] = c + vdot(hg[j], u)
			if !(h[j] > 0) {
				return 0, false
			}
			f += mu * math.Log(h[j])
		}
		return f, true
	}
	for _, c := range hc {
		if !(c > 0) {
			return nil, fmt.Errorf("%w: barrier start is not strictly feasible", ErrNumerical)
		}
	}
	mus := []float64{0}
	if len(hc) > 0 {
		mus = mus[:0]
		for mu := 0.1; mu > 1e-14; mu /= 10 {
			mus = append(mus, mu)
		}
	}
	grad := make([]float64, dq)
	hess := make([]float64, dq*dq)
	w := make([]float64, k)
	step := make([]float64, dq)
	trial := make([]float64, dq)
	factor := make([]float64, dq*dq)
	for _, mu := range mus {
		for it := 0; it < 100; it++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			f, _ := eval(u, mu)
			// gradient and negated Hessian
			for a, v := range p {
				w[a] = -(math.Log(v) + 1)
			}
			for l, q := range Q {
				grad[l] = vdot(q, w)
			}
			for j, g := range hg {
				vaxpy(grad, mu/h[j], g)
			}
			for a, v := range p {
				w[a] = 1 / v
			}
			for l, ql := range Q {
				for m := 0; m <= l; m++ {
					s := 0.0
					qm := Q[m]
					for a, wa := range w {
						s += ql[a] * wa * qm[a]
					}
					for j, g := range hg {
						s += mu * g[l] * g[m] / (h[j] * h[j])
					}
					hess[l*dq+m], hess[m*dq+l] = s, s
				}
			}
			if !solveRegularized(hess, grad, step, dq, factor) {
				return nil, fmt.Errorf("%w: entropy Hessian not positive definite", ErrNumerical)
			}
			dec := vdot(grad, step) // Newton decrement squared
			if dec < 1e-22 {
				break
			}
			alpha := 1.0
			for {
				copy(trial, u)
				vaxpy(trial, alpha, step)
				ft, ok := eval(trial, mu)
				// In the quadratic region the gain is below the rounding
				// of f: take the full Newton step if it is feasible.
				if ok && (ft >= f+1e-4*alpha*dec || (alpha == 1 && dec < 1e-12)) {
					break
				}
				alpha /= 2
				if alpha < 1e-12 {
					break
				}
			}
			if alpha < 1e-12 {
				break // no further progress at this precision
			}
			copy(u, trial)
		}
	}
	return u, nil
}

// solveRegularized solves H x = g for the symmetric positive semidefinite
// d×d matrix H (row-major, kept), adding τ·diag(H) with growing τ when
// rounding (probabilities spanning many orders of magnitude) makes the
// Cholesky factorisation fail. scratch holds d×d values.
func solveRegularized(H, g, x []float64, d int, scratch []float64) bool {
	for tau := 0.0; tau <= 1; tau = max(1e-12, 100*tau) {
		copy(scratch, H)
		for i := range d {
			scratch[i*d+i] *= 1 + tau
		}
		copy(x, g)
		if choleskySolve(scratch, x, x, d) {
			return true
		}
	}
	return false
}

// choleskySolve solves H x = g for the symmetric positive definite d×d
// matrix H (row-major, overwritten by its factor) and reports false when H
// is not positive definite.
func choleskySolve(H, g, x []float64, d int) bool {
	for j := range d {
		s := H[j*d+j]
		for k := range j {
			s -= H[j*d+k] * H[j*d+k]
		}
		if !(s > 0) {
			return false
		}
		ljj := math.Sqrt(s)
		H[j*d+j] = ljj
		for i := j + 1; i < d; i++ {
			s := H[i*d+j]
			for k := range j {
				s -= H[i*d+k] * H[j*d+k]
			}
			H[i*d+j] = s / ljj
		}
	}
	for i := range d { // L y = g
		s := g[i]
		for k := range i {
			s -= H[i*d+k] * x[k]
		}
		x[i] = s / H[i*d+i]
	}
	for i := d - 1; i >= 0; i-- { // Lᵀ x = y
		s := x[i]
		for k := i + 1; k < d; k++ {
			s -= H[k*d+i] * x[k]
		}
		x[i] = s / H[i*d+i]
	}
	return true
}

// faceDirections returns an orthonormal basis of the vectors in span(N)
// (N orthonormal) whose entries sum to zero: the directions along which a
// distribution in span(N) can move.
func faceDirections(N [][]float64) [][]float64 {
	k := len(N[0])
	e := make([]float64, k) // projection of the all-ones vector on span(N)
	for _, v := range N {
		s := 0.0
		for _, x := range v {
			s += x
		}
		vaxpy(e, s, v)
	}
	if ne := math.Sqrt(vdot(e, e)); ne > 0 {
		for a := range e {
			e[a] /= ne
		}
	}
	basis := [][]float64{e}
	var Q [][]float64
	for _, v := range N {
		if q := orthonormalize(v, basis); q != nil {
			basis = append(basis, q)
			Q = append(Q, q)
		}
	}
	return Q
}

// orthonormalize returns v with its components along the orthonormal
// vectors of basis removed (twice, for accuracy) and scaled to unit
// length, or nil when little of v is left.
func orthonormalize(v []float64, basis [][]float64) []float64 {
	q := append([]float64(nil), v...)
	n0 := math.Sqrt(vdot(q, q))
	for range 2 {
		for _, b := range basis {
			vaxpy(q, -vdot(q, b), b)
		}
	}
	nq := math.Sqrt(vdot(q, q))
	if nq <= 1e-8*n0 || nq == 0 {
		return nil
	}
	for a := range q {
		q[a] /= nq
	}
	return q
}

// nullSpace returns an orthonormal basis of {v : G v = 0} for the dense
// matrix G, whose rank is decided by Gauss–Jordan elimination with
// complete pivoting: pivots of magnitude at most tol·max|G| count as zero.
func nullSpace(G [][]float64, tol float64) [][]float64 {
	rows := len(G)
	if rows == 0 {
		return nil
	}
	cols := len(G[0])
	A := make([][]float64, rows)
	big := 0.0
	for i := range A {
		A[i] = append([]float64(nil), G[i]...)
		for _, v := range A[i] {
			big = max(big, math.Abs(v))
		}
	}
	used := make([]bool, cols)
	var pivCols []int
	for r := 0; r < rows; r++ {
		pi, pj, best := -1, -1, tol*big
		for i := r; i < rows; i++ {
			for j, v := range A[i] {
				if !used[j] && math.Abs(v) > best {
					pi, pj, best = i, j, math.Abs(v)
				}
			}
		}
		if pi < 0 {
			break
		}
		A[r], A[pi] = A[pi], A[r]
		inv := 1 / A[r][pj]
		for j := range A[r] {
			A[r][j] *= inv
		}
		for i := range rows {
			if i != r {
				if f := A[i][pj]; f != 0 {
					vaxpy(A[i], -f, A[r])
				}
			}
		}
		used[pj] = true
		pivCols = append(pivCols, pj)
	}
	var basis [][]float64
	for f := range cols {
		if used[f] {
			continue
		}
		v := make([]float64, cols)
		v[f] = 1
		for r, pc := range pivCols {
			v[pc] = -A[r][f]
		}
		if q := orthonormalize(v, basis); q != nil {
			basis = append(basis, q)
		}
	}
	return basis
}
