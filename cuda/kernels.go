package cuda

import _ "embed"

// The GPU kernels are compiled to PTX ahead of time and shipped inside the
// binary, so neither building nor running needs a CUDA toolkit: the driver
// JIT-compiles the sm_80 PTX for the device at hand (sm_80 and newer).
// TestPTXUpToDate reruns this exact command and compares the output.
//
//go:generate clang-14 -x cuda --cuda-device-only --cuda-gpu-arch=sm_80 -nocudainc -nocudalib -O3 -S kernels/engine.cu -o kernels/engine.ptx

//go:embed kernels/engine.ptx
var enginePTX string

// Kernel names in engine.cu, indexed by the kernel constants.
var kernelNames = [...]string{
	kMirror:      "mirror_step",
	kMeasure:     "measure",
	kWinRates:    "win_rates",
	kMixLog:      "mix_log",
	kPartialSums: "partial_sums",
	kZeroSum:     "zero_sum",
}

type kernel int

const (
	kMirror kernel = iota
	kMeasure
	kWinRates
	kMixLog
	kPartialSums
	kZeroSum
)

// Argument structs, field for field as in kernels/engine.cu (pointers and
// doubles first, then 32-bit ints). TestKernelArgSizes checks the sizes
// against the PTX parameter declarations and the host compiler's sizeof.

type mirrorArgs struct {
	out, base, ref, g, p uintptr
	hist, opp            [MaxTerms]uintptr
	q, gap, kl, expl     uintptr
	a, b, d, tau         float64
	c, w                 [MaxTerms]float64
	k, n, nhist, nopp    int32
	pshared, _           int32
}

type measureArgs struct {
	logp, ref, p, q  uintptr
	gap, kl, expl    uintptr
	tau              float64
	k, n, pshared, _ int32
}

type winRatesArgs struct {
	g, p                uintptr
	opp                 [MaxTerms]uintptr
	q                   uintptr
	w                   [MaxTerms]float64
	k, n, nopp, pshared int32
}

type mixArgs struct {
	dst, x, y uintptr
	wx, wy    float64
	n         int64
}

type sumArgs struct {
	x, out               uintptr
	rows, cols, parts, _ int32
}

type zeroSumArgs struct {
	a, x, y, xavg, yavg  uintptr
	gap, gapavg, scratch uintptr
	eta                  float64
	m, nn, n, iters      int32
	optimistic, _        int32
}
