package cuda

import "golang.org/x/sys/cpu"

// haveAVX2 selects the assembly kernels; without AVX2 and FMA the portable
// Go loops of simd.go run instead. TestSIMD checks one against the other.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The assembly kernels process len(first argument) elements, a multiple of
// 4; the wrappers below pass the rest to the portable loops.

//go:noescape
func expAVX2(dst, src []float64)

//go:noescape
func subExpAccAVX2(dst, e, x, m, s []float64)

//go:noescape
func maxAccAVX2(m, x []float64)

//go:noescape
func subAVX2(dst, m []float64)

//go:noescape
func axpbyAVX2(y []float64, a float64, x []float64, b float64, z []float64)

//go:noescape
func axpyAVX2(y []float64, a float64, x []float64)

//go:noescape
func klAccAVX2(s, p, lp, lr []float64)

//go:noescape
func mulAVX2(dst, s []float64)

//go:noescape
func fmaAccAVX2(y, a, b []float64)

//go:noescape
func logAVX2(dst, src []float64) (special bool)

//go:noescape
func winCtxAVX2(acc, q, p *float64, k, w, pstride, cols, dist int)

//go:noescape
func winCtxRegAVX2(acc, q, p *float64, k, w, pstride, cols int)

//go:noescape
func gemm2x16AVX2(acc, q, coef *float64, k, stride, pairs, cols int)

// split returns the length the assembly handles (0 without AVX2).
func split(n int) int {
	if !haveAVX2 {
		return 0
	}
	return n &^ 3
}

// expVec sets dst[i] = exp(src[i]); dst may alias src.
func expVec(dst, src []float64) {
	src = src[:len(dst)]
	if n := split(len(dst)); n > 0 {
		expAVX2(dst[:n], src[:n])
		dst, src = dst[n:], src[n:]
	}
	expVecGo(dst, src)
}

// expVecPadded is expVec with the tail padded to a full vector, so that
// every element goes through the assembly kernel (see ExpVec).
func expVecPadded(dst, src []float64) {
	if !haveAVX2 {
		expVecGo(dst, src)
		return
	}
	n := len(dst) &^ 3
	if n > 0 {
		expAVX2(dst[:n], src[:n])
	}
	if r := len(dst) - n; r > 0 {
		var buf [4]float64
		copy(buf[:], src[n:])
		expAVX2(buf[:], buf[:])
		copy(dst[n:], buf[:r])
	}
}

// subExpAcc sets v = x − m, dst = v, e = exp(v) and adds e to s,
// elementwise; e may alias x or dst.
func subExpAcc(dst, e, x, m, s []float64) {
	e, x, m, s = e[:len(dst)], x[:len(dst)], m[:len(dst)], s[:len(dst)]
	if n := split(len(dst)); n > 0 {
		subExpAccAVX2(dst[:n], e[:n], x[:n], m[:n], s[:n])
		dst, e, x, m, s = dst[n:], e[n:], x[n:], m[n:], s[n:]
	}
	subExpAccGo(dst, e, x, m, s)
}

// maxAcc sets m[i] = max(m[i], x[i]).
func maxAcc(m, x []float64) {
	x = x[:len(m)]
	if n := split(len(m)); n > 0 {
		maxAccAVX2(m[:n], x[:n])
		m, x = m[n:], x[n:]
	}
	maxAccGo(m, x)
}

// subVec sets dst[i] -= m[i].
func subVec(dst, m []float64) {
	m = m[:len(dst)]
	if n := split(len(dst)); n > 0 {
		subAVX2(dst[:n], m[:n])
		dst, m = dst[n:], m[n:]
	}
	subVecGo(dst, m)
}

// axpby sets y = a·x + b·z.
func axpby(y []float64, a float64, x []float64, b float64, z []float64) {
	x, z = x[:len(y)], z[:len(y)]
	if n := split(len(y)); n > 0 {
		axpbyAVX2(y[:n], a, x[:n], b, z[:n])
		y, x, z = y[n:], x[n:], z[n:]
	}
	axpbyGo(y, a, x, b, z)
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	if n := split(len(y)); n > 0 {
		axpyAVX2(y[:n], a, x[:n])
		y, x = y[n:], x[n:]
	}
	axpyGo(y, a, x)
}

// klAcc adds p·(lp − lr) to s where p > 0.
func klAcc(s, p, lp, lr []float64) {
	p, lp, lr = p[:len(s)], lp[:len(s)], lr[:len(s)]
	if n := split(len(s)); n > 0 {
		klAccAVX2(s[:n], p[:n], lp[:n], lr[:n])
		s, p, lp, lr = s[n:], p[n:], lp[n:], lr[n:]
	}
	klAccGo(s, p, lp, lr)
}

// logVec sets dst[i] = log(src[i]); dst must not alias src.
func logVec(dst, src []float64) {
	src = src[:len(dst)]
	if n := split(len(dst)); n > 0 {
		if logAVX2(dst[:n], src[:n]) {
			logVecGo(dst[:n], src[:n])
		}
		dst, src = dst[n:], src[n:]
	}
	logVecGo(dst, src)
}

// mulVec sets dst[i] *= s[i].
func mulVec(dst, s []float64) {
	s = s[:len(dst)]
	if n := split(len(dst)); n > 0 {
		mulAVX2(dst[:n], s[:n])
		dst, s = dst[n:], s[n:]
	}
	mulVecGo(dst, s)
}

// fmaAcc adds a[i]·b[i] to y[i].
func fmaAcc(y, a, b []float64) {
	a, b = a[:len(y)], b[:len(y)]
	if n := split(len(y)); n > 0 {
		fmaAccAVX2(y[:n], a[:n], b[:n])
		y, a, b = y[n:], a[n:], b[n:]
	}
	fmaAccGo(y, a, b)
}

// gemmAcc adds coef·q to acc: acc[y][i] += Σ_j coef[y*k+j]·q[j][i] for
// k×w arrays acc and q (row stride w).
func gemmAcc(acc, q, coef []float64, k, w int) {
	_, _, _ = acc[k*w-1], q[k*w-1], coef[k*k-1]
	cols, pairs := w&^15, k/2
	if haveAVX2 && cols > 0 && pairs > 0 {
		gemm2x16AVX2(&acc[0], &q[0], &coef[0], k, w, pairs, cols)
		gemmAccGo(acc, q, coef, k, w, 2*pairs, k, 0, cols) // odd last row
		gemmAccGo(acc, q, coef, k, w, 0, k, cols, w)       // context tail
		return
	}
	gemmAccGo(acc, q, coef, k, w, 0, k, 0, w)
}

// winCtxDist is how many P rows ahead winCtxAVX2 prefetches: two row
// segments (4 KB at K = 16) cover the memory latency at the rate one core
// consumes them; measured best of 0, 1, 2 and 4 on the 2-core machine of
// BENCHMARKS.md.
const winCtxDist = 2

// winCtxRegMaxK is the largest K for which winCtx uses winCtxRegAVX2: it
// reads the K rows of P of one response side by side, and more concurrent
// streams than that were slower (at K = 64 by 10–15%; at K = 4 and 16 it
// was 3–8% faster than winCtxAVX2, timed in alternation in one process).
const winCtxRegMaxK = 16

// winCtx adds Σ_j P[y·k+j]·q[j] to acc[y] for the chunk's w contexts,
// with one preference matrix per context (P has k·k rows of p.cols
// contexts); acc and q are k×w. It computes exactly what fmaAcc over each
// (y, j) does, streaming P once with prefetches ahead.
func winCtx(acc, q []float64, p *Tensor, k, c0, w int) {
	_, _, _ = acc[k*w-1], q[k*w-1], p.host[(k*k-1)*p.cols+c0+w-1]
	cols := 0
	if haveAVX2 {
		cols = w &^ 7
	}
	if k <= winCtxRegMaxK && cols >= 16 {
		c16 := w &^ 15
		winCtxRegAVX2(&acc[0], &q[0], &p.host[c0], k, w, p.cols, c16)
		if cols > c16 {
			winCtxAVX2(&acc[c16], &q[c16], &p.host[c0+c16], k, w, p.cols, cols-c16, winCtxDist)
		}
		if cols == w {
			return
		}
	} else if cols > 0 {
		winCtxAVX2(&acc[0], &q[0], &p.host[c0], k, w, p.cols, cols, winCtxDist)
		if cols == w {
			return
		}
	}
	for y := 0; y < k; y++ {
		ay := acc[y*w+cols : y*w+w]
		for j := 0; j < k; j++ {
			fmaAcc(ay, row(p, y*k+j, c0+cols, w-cols), q[j*w+cols:j*w+w])
		}
	}
}
