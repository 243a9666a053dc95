package cuda

import "math"

// Portable versions of the vector kernels (simd_amd64.go documents them).
// They run off amd64, without AVX2, and on the tails of the vector code.

func expVecGo(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}

func subExpAccGo(dst, e, x, m, s []float64) {
	e, x, m, s = e[:len(dst)], x[:len(dst)], m[:len(dst)], s[:len(dst)]
	for i := range dst {
		v := x[i] - m[i]
		dst[i] = v
		ev := math.Exp(v)
		e[i] = ev
		s[i] += ev
	}
}

func maxAccGo(m, x []float64) {
	x = x[:len(m)]
	for i, v := range x {
		if v > m[i] {
			m[i] = v
		}
	}
}

func subVecGo(dst, m []float64) {
	m = m[:len(dst)]
	for i := range dst {
		dst[i] -= m[i]
	}
}

func axpbyGo(y []float64, a float64, x []float64, b float64, z []float64) {
	x, z = x[:len(y)], z[:len(y)]
	for i := range y {
		y[i] = a*x[i] + b*z[i]
	}
}

func axpyGo(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}

func klAccGo(s, p, lp, lr []float64) {
	p, lp, lr = p[:len(s)], lp[:len(s)], lr[:len(s)]
	for i, v := range p {
		if v > 0 {
			s[i] += v * (lp[i] - lr[i])
		}
	}
}

func logVecGo(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Log(x)
	}
}

func mulVecGo(dst, s []float64) {
	s = s[:len(dst)]
	for i := range dst {
		dst[i] *= s[i]
	}
}

func fmaAccGo(y, a, b []float64) {
	a, b = a[:len(y)], b[:len(y)]
	for i := range y {
		y[i] += a[i] * b[i]
	}
}

// gemmAccGo adds coef·q to rows [y0, y1) and contexts [i0, i1) of acc.
func gemmAccGo(acc, q, coef []float64, k, w, y0, y1, i0, i1 int) {
	if i0 >= i1 {
		return
	}
	for y := y0; y < y1; y++ {
		ay := acc[y*w+i0 : y*w+i1]
		for j := 0; j < k; j++ {
			c := coef[y*k+j]
			if c == 0 {
				continue
			}
			qj := q[j*w+i0 : j*w+i1]
			qj = qj[:len(ay)]
			for i, v := range qj {
				ay[i] += c * v
			}
		}
	}
}
