package agents

import (
	"errors"
	"math"
)

// errSingular reports a linear system without a unique solution.
var errSingular = errors.New("agents: singular linear system")

// solveDense solves a·x = rhs in place for an n×n row-major matrix a by
// Gaussian elimination with partial pivoting; rhs receives x. a is
// destroyed.
func solveDense(a, rhs []float64, n int) error {
	scale := 0.0
	for _, v := range a {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 || math.IsNaN(scale) || math.IsInf(scale, 0) {
		return errSingular
	}
	for col := range n {
		piv, best := col, math.Abs(a[col*n+col])
		for r := col + 1; r < n; r++ {
			if v := math.Abs(a[r*n+col]); v > best {
				piv, best = r, v
			}
		}
		if best <= 1e-300 || best < 1e-15*scale {
			return errSingular
		}
		if piv != col {
			for j := range n {
				a[col*n+j], a[piv*n+j] = a[piv*n+j], a[col*n+j]
			}
			rhs[col], rhs[piv] = rhs[piv], rhs[col]
		}
		d := a[col*n+col]
		for r := col + 1; r < n; r++ {
			f := a[r*n+col] / d
			if f == 0 {
				continue
			}
			for j := col; j < n; j++ {
				a[r*n+j] -= f * a[col*n+j]
			}
			rhs[r] -= f * rhs[col]
		}
	}
	for r := n - 1; r >= 0; r-- {
		s := rhs[r]
		for j := r + 1; j < n; j++ {
			s -= a[r*n+j] * rhs[j]
		}
		rhs[r] = s / a[r*n+r]
	}
	return nil
}
