package nash

import "math"

// denseLU is an LU factorisation with partial pivoting of a square dense
// matrix, for the small systems of path following and Newton refinement.
type denseLU struct {
	n    int
	a    []float64 // row-major factors: L below the diagonal (unit), U on and above
	perm []int
	rs   []float64 // row scales applied before factoring (equilibration)
}

// factor factorises the n×n row-major matrix a (copied), each row first
// scaled to unit maximum (the systems of path following mix rows of very
// different size), and reports false when a pivot is negligible: the
// matrix is singular to working precision.
func (f *denseLU) factor(a []float64, n int) bool {
	f.n = n
	f.a = append(f.a[:0], a[:n*n]...)
	if cap(f.perm) < n {
		f.perm = make([]int, n)
	}
	f.perm = f.perm[:n]
	if cap(f.rs) < n {
		f.rs = make([]float64, n)
	}
	f.rs = f.rs[:n]
	A := f.a
	for i := range n {
		row := A[i*n : (i+1)*n]
		big := maxAbs(row)
		if big == 0 {
			return false
		}
		f.rs[i] = 1 / big
		for j := range row {
			row[j] *= f.rs[i]
		}
	}
	const big = 1.0
	for k := range n {
		p, best := k, math.Abs(A[k*n+k])
		for i := k + 1; i < n; i++ {
			if v := math.Abs(A[i*n+k]); v > best {
				p, best = i, v
			}
		}
		if best <= 1e-14*big {
			return false
		}
		f.perm[k] = p
		if p != k {
			for j := range n {
				A[k*n+j], A[p*n+j] = A[p*n+j], A[k*n+j]
			}
		}
		inv := 1 / A[k*n+k]
		rk := A[k*n+k+1 : k*n+n]
		for i := k + 1; i < n; i++ {
			l := A[i*n+k] * inv
			A[i*n+k] = l
			if l != 0 {
				vaxpy(A[i*n+k+1:i*n+n], -l, rk)
			}
		}
	}
	return true
}

// solve overwrites b with the solution of a·x = b.
func (f *denseLU) solve(b []float64) {
	n, A := f.n, f.a
	for i := range n {
		b[i] *= f.rs[i]
	}
	for k := range n {
		if p := f.perm[k]; p != k {
			b[k], b[p] = b[p], b[k]
		}
	}
	for i := range n {
		b[i] -= vdot(A[i*n:i*n+i], b[:i])
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i] - vdot(A[i*n+i+1:i*n+n], b[i+1:n])
		b[i] = s / A[i*n+i]
	}
}
