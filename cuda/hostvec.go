package cuda

// Host vector helpers for callers that run their own per-context loops on
// the host (the NLHF host kernels of package agents): the CPU backend's
// vector exponential, exported.

// ExpVec sets dst[i] = e^src[i] for i < len(dst); dst may alias src. On
// amd64 with AVX2 and FMA it uses the backend's vector kernel (within
// 3 ulp of e^x; results below 2^−1022 flush to 0, above 709.78 give
// +Inf, NaN stays NaN), elsewhere math.Exp. Every element goes through the
// same code whatever its position in the slice (the last len(dst) mod 4
// are padded to a full vector), so a result depends only on its own
// argument: callers that split their data differently get the same
// numbers.
func ExpVec(dst, src []float64) { expVecPadded(dst, src[:len(dst)]) }
