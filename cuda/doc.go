// Package cuda runs batched policy updates and their measures for many
// small games at once, behind the Backend interface: a CPU backend (the
// default, always available) and a GPU backend whose kernels are loaded
// through the CUDA driver at run time, so building needs neither a CUDA
// toolkit nor cgo.
//
// # Batches
//
// A batch is B contexts (prompts, seeds, games) × K responses, stored as
// structure-of-arrays Tensors: K×B for policies (normalized
// log-probabilities), with the contexts of one response contiguous, so that
// a GPU thread per context reads coalesced memory and a CPU loop over a
// chunk of contexts streams each row. Preference matrices are (K·K)×B, or
// (K·K)×1 when all contexts share one. Tensors live on their backend; move
// values with Write and Read.
//
// # Operations
//
// The operations are the ones every tabular NLHF algorithm is made of:
//
//   - the generic mirror step (Step): log π' = a·log π + b·log ref +
//     Σ c_j·log π_{t−j} + d·G − log Z with G = P·q for a signed mixture q of
//     opponents (or a given G), fused with the exact measures of π';
//   - win rates against opponent mixtures (WinRates);
//   - exact duality gaps (regularized 2τ log Z + 2τ KL − 1, unregularized
//     2·exploitability), exploitability and KL to the reference, with their
//     means over contexts (Measure);
//   - mixtures of policies held as logs (MixLog), for average iterates;
//   - means over contexts in float64 and a fixed order (Mean);
//   - batched plain or optimistic multiplicative weights for two-player
//     zero-sum matrix games, last and average iterates and their gaps
//     (ZeroSum).
//
// Each algorithm is coefficients plus opponents; Step's documentation lists
// them (MW/SPO/SPPO, OMD/INPO, Nash-MD, MMD, optimistic, extragradient,
// MNPO, best response).
//
// # Backends and precision
//
// Open("auto"|"cpu"|"gpu", logf) picks a backend: "auto" falls back to the
// CPU with one log line when no driver, device or module is usable; "gpu"
// fails with an error wrapping ErrNoDevice instead.
//
// The CPU backend computes in float64. It splits contexts into fixed-width
// chunks taken by a pool of GOMAXPROCS workers and runs each chunk in one
// pass with its working set in cache; on amd64 with AVX2 and FMA the inner
// loops are assembly (vector exp and log within 3 ulp of package math, a
// register-blocked K×K by K×chunk product for a shared P, and for one P per
// context a single pass over the chunk's K² row segments with software
// prefetches, since they lie too far apart for the hardware prefetchers:
// up to K = 16 the K segments of one response side by side with the sums
// in registers, above that one segment after another). With one P per
// context the chunks are twice as wide, for longer runs of P. Results do
// not depend on the number of workers, and steady-state calls do not
// allocate.
//
// The GPU backend stores float32, computes per-element arithmetic in float32
// with the hardware's approximate exp2/log2, and accumulates sums over
// responses and over contexts in float64; it agrees with the CPU backend to
// about 1e-6 relative. Its kernels (kernels/engine.cu) are compiled to PTX
// for sm_80 by "go generate" with clang-14 and embedded; the driver
// JIT-compiles them for the device at hand. One goroutine, locked to its OS
// thread, owns the CUDA context; device buffers are reused across calls.
//
// # Testing without a GPU
//
// The same kernel sources compile for the host through the shim
// kernels/kern.h; the tests build them with gcc into a shared library, run
// the GPU backend on it (a launcher loops over the grid) and compare every
// operation with a scalar reference. Another test regenerates the PTX with
// clang-14 and compares it with the committed file. Both skip when the tool
// is missing unless SELFPLAY_REQUIRE_ORACLES=1. The GPU-vs-CPU test skips
// when no device is present.
//
// Package cuda depends on nothing else in selfplay.
package cuda
