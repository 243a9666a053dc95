//go:build !amd64

package cuda

// Off amd64 the portable loops run.

func expVec(dst, src []float64)                                         { expVecGo(dst, src[:len(dst)]) }
func expVecPadded(dst, src []float64)                                   { expVecGo(dst, src) }
func subExpAcc(dst, e, x, m, s []float64)                               { subExpAccGo(dst, e, x, m, s) }
func maxAcc(m, x []float64)                                             { maxAccGo(m, x) }
func subVec(dst, m []float64)                                           { subVecGo(dst, m) }
func axpby(y []float64, a float64, x []float64, b float64, z []float64) { axpbyGo(y, a, x, b, z) }
func axpy(y []float64, a float64, x []float64)                          { axpyGo(y, a, x) }
func klAcc(s, p, lp, lr []float64)                                      { klAccGo(s, p, lp, lr) }
func gemmAcc(acc, q, coef []float64, k, w int)                          { gemmAccGo(acc, q, coef, k, w, 0, k, 0, w) }
func mulVec(dst, s []float64)                                           { mulVecGo(dst, s) }
func fmaAcc(y, a, b []float64)                                          { fmaAccGo(y, a, b) }
func logVec(dst, src []float64)                                         { logVecGo(dst, src) }

func winCtx(acc, q []float64, p *Tensor, k, c0, w int) {
	for y := 0; y < k; y++ {
		for j := 0; j < k; j++ {
			fmaAccGo(acc[y*w:y*w+w], row(p, y*k+j, c0, w), q[j*w:j*w+w])
		}
	}
}
