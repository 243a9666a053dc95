//go:build !amd64

package cuda

// Off amd64 the portable loops run.

func expVec(dst, src []float64)                                         { expVecGo(dst, src[:len(dst)]) }
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
