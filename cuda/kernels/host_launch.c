/* host_launch.c: runs engine.cu's kernels on the CPU for tests, built with
 *   gcc -x c -std=gnu11 -O2 -fPIC -shared host_launch.c -o libengine.so -lm
 * Each host_<kernel>(args, grid, block) emulates kernel<<<grid, block>>>(*args)
 * by running every thread of every block in turn. That is faithful for these
 * kernels because no thread reads what another thread writes. */
#include "engine.cu"

_Thread_local long k_tid, k_bid, k_bdim;

#define HOST_LAUNCH(name, T)                                  \
  void host_##name(const T *args, long grid, long block) {    \
    k_bdim = block;                                           \
    for (k_bid = 0; k_bid < grid; k_bid++)                    \
      for (k_tid = 0; k_tid < block; k_tid++) name(*args);    \
  }

HOST_LAUNCH(mirror_step, MirrorArgs)
HOST_LAUNCH(measure, MeasureArgs)
HOST_LAUNCH(win_rates, WinRatesArgs)
HOST_LAUNCH(mix_log, MixArgs)
HOST_LAUNCH(partial_sums, SumArgs)
HOST_LAUNCH(zero_sum, ZeroSumArgs)

/* host_sizeof lets the tests check that Go lays out the argument structs
 * like the C compiler does. */
long host_sizeof(int kernel) {
  switch (kernel) {
  case 0: return sizeof(MirrorArgs);
  case 1: return sizeof(MeasureArgs);
  case 2: return sizeof(WinRatesArgs);
  case 3: return sizeof(MixArgs);
  case 4: return sizeof(SumArgs);
  case 5: return sizeof(ZeroSumArgs);
  }
  return -1;
}
