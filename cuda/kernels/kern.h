/* kern.h: the shim that lets one kernel source build two ways.
 *
 * Device (clang -x cuda --cuda-device-only -nocudainc -nocudalib): no CUDA
 * headers and no libdevice, so kernels are marked with the global attribute,
 * thread ids come from the PTX special registers and exp/log from the
 * approximate ex2/lg2 instructions.
 *
 * Host (gcc -x c): the same kernels become plain C functions; a launcher
 * (host_launch.c) loops over the grid and sets the thread ids, so the
 * kernels must not depend on barriers, shared memory or warp intrinsics,
 * which these kernels do not use: every thread owns one context (or one
 * game, or one partial sum) and touches only that context's elements.
 */
#ifndef KERN_H
#define KERN_H

#if defined(__CUDA__) && defined(__CUDA_ARCH__)

#define KERNEL extern "C" __attribute__((global))
#define DEVFN static __attribute__((device)) inline
#define THREAD_ID() ((long)__nvvm_read_ptx_sreg_ctaid_x() * __nvvm_read_ptx_sreg_ntid_x() + __nvvm_read_ptx_sreg_tid_x())
#define EXP2F(x) __nvvm_ex2_approx_f(x)
#define LOG2F(x) __nvvm_lg2_approx_f(x)
#define FMAF(a, b, c) __builtin_fmaf(a, b, c)
#define INFF __builtin_inff()

#else

#include <math.h>
extern _Thread_local long k_tid, k_bid, k_bdim;
#define KERNEL
#define DEVFN static inline
#define THREAD_ID() (k_bid * k_bdim + k_tid)
#define EXP2F(x) exp2f(x)
#define LOG2F(x) log2f(x)
#define FMAF(a, b, c) fmaf(a, b, c)
#define INFF INFINITY

#endif

#define LOG2E_F 1.4426950408889634f
#define LN2_F 0.6931471805599453f

/* Natural exp and log through base 2. */
DEVFN float kexp(float x) { return EXP2F(x * LOG2E_F); }
DEVFN float klog(float x) { return LOG2F(x) * LN2_F; }

#endif
