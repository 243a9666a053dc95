/* engine.cu: the GPU backend's kernels (see ../gpu.go for their callers).
 *
 * Layout: every K×B tensor stores element (y, b) at y*B + b, so thread b
 * (one context) and its warp neighbours read consecutive addresses for each
 * response y. Storage is float; sums over responses (softmax normalizers,
 * KL) and over contexts (partial sums) accumulate in double.
 *
 * Each kernel takes one argument struct by value; ../gpu_args.go declares
 * the same structs field for field (8-byte pointers and doubles first, then
 * 4-byte ints, so both sides lay them out without padding surprises).
 */
#include "kern.h"

#define MAX_TERMS 8

typedef struct {
  float *out;                      /* K×B new log-policy */
  const float *base, *ref, *g, *p; /* K×B, K×B, K×B, (K·K)×B or (K·K)×1 */
  const float *hist[MAX_TERMS];
  const float *opp[MAX_TERMS];
  float *q;                        /* K×B scratch */
  float *gap, *kl, *expl;          /* 1×B each, or null */
  double a, b, d, tau;
  double c[MAX_TERMS], w[MAX_TERMS];
  int k, n, nhist, nopp, pshared, pad;
} MirrorArgs;

typedef struct {
  const float *logp, *ref, *p;
  float *q;
  float *gap, *kl, *expl; /* all non-null */
  double tau;
  int k, n, pshared, pad;
} MeasureArgs;

typedef struct {
  float *g;
  const float *p;
  const float *opp[MAX_TERMS];
  float *q;
  double w[MAX_TERMS];
  int k, n, nopp, pshared;
} WinRatesArgs;

typedef struct {
  float *dst;
  const float *x, *y;
  double wx, wy;
  long n;
} MixArgs;

typedef struct {
  const float *x;
  double *out; /* rows × parts */
  int rows, cols, parts, pad;
} SumArgs;

typedef struct {
  const float *a;       /* (M·N)×B */
  float *x, *y;         /* M×B, N×B log-strategies, in/out */
  float *xavg, *yavg;   /* optional */
  float *gap, *gapavg;  /* optional */
  float *scratch;       /* 4(M+N)×B */
  double eta;
  int m, nn, n, iters, optimistic, pad;
} ZeroSumArgs;

/* pref returns P_b[i][j]. */
DEVFN float pref(const float *p, int pshared, int k, long n, long b, int i, int j) {
  return pshared ? p[i * k + j] : p[(long)(i * k + j) * n + b];
}

/* measure_ctx writes the measures of context b's policy, whose
 * log-probabilities are logp and probabilities q. The log-sum-exp of
 * log ref + g/τ runs online (running maximum), so g is not stored. */
DEVFN void measure_ctx(const float *logp, const float *q, const float *ref, const float *p, int pshared,
                       double tau, int k, long n, long b, float *gap, float *kl, float *expl) {
  float gmax = -INFF, zmax = -INFF;
  double zsum = 0, kls = 0;
  float itau = tau > 0 ? (float)(1 / tau) : 0.0f;
  for (int y = 0; y < k; y++) {
    float g = 0;
    for (int j = 0; j < k; j++) g = FMAF(pref(p, pshared, k, n, b, y, j), q[j * n + b], g);
    gmax = g > gmax ? g : gmax;
    if (ref) {
      float lr = ref[y * n + b], qy = q[y * n + b];
      if (qy > 0) kls += (double)qy * (double)(logp[y * n + b] - lr);
      if (tau > 0) {
        float z = FMAF(g, itau, lr);
        if (z > zmax) {
          zsum = zsum * (double)kexp(zmax - z) + 1;
          zmax = z;
        } else {
          zsum += (double)kexp(z - zmax);
        }
      }
    }
  }
  float e = gmax - 0.5f;
  if (expl) expl[b] = e;
  if (kl) kl[b] = (float)kls;
  if (gap) {
    if (tau > 0)
      gap[b] = (float)(2 * tau * ((double)zmax + (double)klog((float)zsum)) + 2 * tau * kls - 1);
    else
      gap[b] = 2 * e;
  }
}

KERNEL void mirror_step(MirrorArgs A) {
  long b = THREAD_ID(), n = A.n;
  if (b >= n) return;
  int k = A.k;
  int useg = A.d != 0 && (A.nopp > 0 || A.g);
  float fa = (float)A.a, fb = (float)A.b, fd = (float)A.d;
  /* Opponent mixture q = Σ w exp(opp), read completely before any write
   * to out (which may alias an opponent). */
  if (useg && A.nopp > 0) {
    for (int j = 0; j < k; j++) {
      float s = 0;
      for (int t = 0; t < A.nopp; t++) s = FMAF((float)A.w[t], kexp(A.opp[t][j * n + b]), s);
      A.q[j * n + b] = s;
    }
  }
  float m = -INFF;
  for (int y = 0; y < k; y++) {
    long i = y * n + b;
    float l = 0;
    if (A.base && A.a != 0) l = fa * A.base[i];
    if (A.ref && A.b != 0) l = FMAF(fb, A.ref[i], l);
    for (int h = 0; h < A.nhist; h++)
      if (A.c[h] != 0) l = FMAF((float)A.c[h], A.hist[h][i], l);
    if (useg) {
      float g = 0;
      if (A.nopp > 0)
        for (int j = 0; j < k; j++) g = FMAF(pref(A.p, A.pshared, k, n, b, y, j), A.q[j * n + b], g);
      else
        g = A.g[i];
      l = FMAF(fd, g, l);
    }
    A.out[i] = l;
    m = l > m ? l : m;
  }
  double s = 0;
  for (int y = 0; y < k; y++) s += (double)kexp(A.out[y * n + b] - m);
  float lse = m + klog((float)s);
  int measures = A.gap || A.kl || A.expl;
  for (int y = 0; y < k; y++) {
    long i = y * n + b;
    float v = A.out[i] - lse;
    A.out[i] = v;
    if (measures) A.q[i] = kexp(v);
  }
  if (measures) measure_ctx(A.out, A.q, A.ref, A.p, A.pshared, A.tau, k, n, b, A.gap, A.kl, A.expl);
}

KERNEL void measure(MeasureArgs A) {
  long b = THREAD_ID(), n = A.n;
  if (b >= n) return;
  for (int y = 0; y < A.k; y++) A.q[y * n + b] = kexp(A.logp[y * n + b]);
  measure_ctx(A.logp, A.q, A.ref, A.p, A.pshared, A.tau, A.k, n, b, A.gap, A.kl, A.expl);
}

KERNEL void win_rates(WinRatesArgs A) {
  long b = THREAD_ID(), n = A.n;
  if (b >= n) return;
  int k = A.k;
  for (int j = 0; j < k; j++) {
    float s = 0;
    for (int t = 0; t < A.nopp; t++) s = FMAF((float)A.w[t], kexp(A.opp[t][j * n + b]), s);
    A.q[j * n + b] = s;
  }
  for (int y = 0; y < k; y++) {
    float g = 0;
    for (int j = 0; j < k; j++) g = FMAF(pref(A.p, A.pshared, k, n, b, y, j), A.q[j * n + b], g);
    A.g[y * n + b] = g;
  }
}

KERNEL void mix_log(MixArgs A) {
  long i = THREAD_ID();
  if (i >= A.n) return;
  float x = A.x[i], y = A.y[i];
  if (A.wx == 0) {
    A.dst[i] = klog((float)A.wy) + y;
    return;
  }
  if (A.wy == 0) {
    A.dst[i] = klog((float)A.wx) + x;
    return;
  }
  float m = x > y ? x : y;
  if (m == -INFF) {
    A.dst[i] = m;
    return;
  }
  A.dst[i] = m + klog((float)(A.wx * (double)kexp(x - m) + A.wy * (double)kexp(y - m)));
}

/* Thread t sums columns t%parts, t%parts + parts, ... of row t/parts. */
KERNEL void partial_sums(SumArgs A) {
  long t = THREAD_ID();
  if (t >= (long)A.rows * A.parts) return;
  long r = t / A.parts, c0 = t % A.parts;
  double s = 0;
  for (long c = c0; c < A.cols; c += A.parts) s += (double)A.x[r * A.cols + c];
  A.out[t] = s;
}

/* normalize_rows log-normalizes rows [0, r) of context b of l in place and
 * writes the probabilities to p. */
DEVFN void normalize_rows(float *l, float *p, int r, long n, long b) {
  float m = -INFF;
  for (int i = 0; i < r; i++) m = l[i * n + b] > m ? l[i * n + b] : m;
  double s = 0;
  for (int i = 0; i < r; i++) s += (double)kexp(l[i * n + b] - m);
  float lse = m + klog((float)s);
  for (int i = 0; i < r; i++) {
    float v = l[i * n + b] - lse;
    l[i * n + b] = v;
    p[i * n + b] = kexp(v);
  }
}

/* payoffs writes u = A y and v = Aᵀ x for game b. */
DEVFN void payoffs(const float *a, const float *x, const float *y, float *u, float *v, int m, int nn, long n, long b) {
  for (int j = 0; j < nn; j++) v[j * n + b] = 0;
  for (int i = 0; i < m; i++) {
    float ui = 0, xi = x[i * n + b];
    for (int j = 0; j < nn; j++) {
      float aij = a[(long)(i * nn + j) * n + b];
      ui = FMAF(aij, y[j * n + b], ui);
      v[j * n + b] = FMAF(aij, xi, v[j * n + b]);
    }
    u[i * n + b] = ui;
  }
}

DEVFN float zs_gap(const float *u, const float *v, int m, int nn, long n, long b) {
  float hi = -INFF, lo = INFF;
  for (int i = 0; i < m; i++) hi = u[i * n + b] > hi ? u[i * n + b] : hi;
  for (int j = 0; j < nn; j++) lo = v[j * n + b] < lo ? v[j * n + b] : lo;
  return hi - lo;
}

KERNEL void zero_sum(ZeroSumArgs A) {
  long b = THREAD_ID(), n = A.n;
  if (b >= n) return;
  int m = A.m, nn = A.nn;
  float *px = A.scratch, *py = px + (long)m * n, *u = py + (long)nn * n, *v = u + (long)m * n;
  float *pu = v + (long)nn * n, *pv = pu + (long)m * n, *sx = pv + (long)nn * n, *sy = sx + (long)m * n;
  float eta = (float)A.eta;
  for (int i = 0; i < m; i++) {
    px[i * n + b] = kexp(A.x[i * n + b]);
    sx[i * n + b] = 0;
  }
  for (int j = 0; j < nn; j++) {
    py[j * n + b] = kexp(A.y[j * n + b]);
    sy[j * n + b] = 0;
  }
  for (int it = 0; it < A.iters; it++) {
    for (int i = 0; i < m; i++) sx[i * n + b] += px[i * n + b];
    for (int j = 0; j < nn; j++) sy[j * n + b] += py[j * n + b];
    payoffs(A.a, px, py, u, v, m, nn, n, b);
    if (A.optimistic) {
      for (int i = 0; i < m; i++) {
        long t = i * n + b;
        float cur = u[t], prev = it == 0 ? cur : pu[t];
        u[t] = 2 * cur - prev;
        pu[t] = cur;
      }
      for (int j = 0; j < nn; j++) {
        long t = j * n + b;
        float cur = v[t], prev = it == 0 ? cur : pv[t];
        v[t] = 2 * cur - prev;
        pv[t] = cur;
      }
    }
    for (int i = 0; i < m; i++) A.x[i * n + b] = FMAF(eta, u[i * n + b], A.x[i * n + b]);
    for (int j = 0; j < nn; j++) A.y[j * n + b] = FMAF(-eta, v[j * n + b], A.y[j * n + b]);
    normalize_rows(A.x, px, m, n, b);
    normalize_rows(A.y, py, nn, n, b);
  }
  if (A.gap) {
    payoffs(A.a, px, py, u, v, m, nn, n, b);
    A.gap[b] = zs_gap(u, v, m, nn, n, b);
  }
  if (A.xavg) {
    float inv = 1.0f / (float)A.iters;
    for (int i = 0; i < m; i++) {
      sx[i * n + b] *= inv;
      A.xavg[i * n + b] = klog(sx[i * n + b]);
    }
    for (int j = 0; j < nn; j++) {
      sy[j * n + b] *= inv;
      A.yavg[j * n + b] = klog(sy[j * n + b]);
    }
    if (A.gapavg) {
      payoffs(A.a, sx, sy, u, v, m, nn, n, b);
      A.gapavg[b] = zs_gap(u, v, m, nn, n, b);
    }
  }
}
