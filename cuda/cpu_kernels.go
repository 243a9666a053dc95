package cuda

import (
	"context"
	"math"
	"sync/atomic"
)

// The chunk kernels below work on a chunk of w contexts [c0, c0+w) of
// tensors with B columns: row y of tensor t is t.host[y*B+c0 : y*B+c0+w].
// Chunk-local K×w arrays use the same row layout with stride w, so every
// inner loop runs over contiguous contexts.

// row returns row r of t restricted to the chunk.
func row(t *Tensor, r, c0, w int) []float64 {
	off := r*t.cols + c0
	return t.host[off : off+w : off+w]
}

// opponentMix writes q(j) = Σ_k w_k exp(opp_k(j)) for the chunk into q
// (K×w); tmp is w-long scratch.
func opponentMix(q, tmp []float64, opp []*Tensor, wts []float64, k, c0, w int) {
	tmp = tmp[:w]
	for j := 0; j < k; j++ {
		qj := q[j*w : j*w+w : j*w+w]
		for t, o := range opp {
			src := row(o, j, c0, w)
			if t == 0 {
				expVec(qj, src)
				if wts[0] != 1 {
					for i := range qj {
						qj[i] *= wts[0]
					}
				}
				continue
			}
			expVec(tmp, src)
			axpy(qj, wts[t], tmp)
		}
	}
}

// winRatesChunk adds d·(P·q) to acc (both K×w) for the chunk. For a shared
// P, dP is d·P (K×K, computed once per call) unless d = 1. With one P per
// context and d ≠ 1, q is scaled by d in place.
func winRatesChunk(acc, q []float64, p *Tensor, dP []float64, d float64, k, c0, w int) {
	if p.cols == 1 {
		if d == 1 {
			dP = p.host
		}
		gemmAcc(acc, q, dP, k, w)
		return
	}
	if d != 1 {
		q = q[:k*w]
		for i := range q {
			q[i] *= d
		}
	}
	winCtx(acc, q, p, k, c0, w)
}

// logSoftmaxChunk turns the K×w logits l into normalized log-probabilities
// written to out's rows (which may be the inputs' rows: l holds everything
// the chunk needs). If probs, l receives the probabilities; otherwise it is
// left as scratch. m and s are w-long scratch.
func logSoftmaxChunk(out *Tensor, l, m, s []float64, k, c0, w int, probs bool) {
	m, s = m[:w], s[:w]
	copy(m, l[:w])
	for y := 1; y < k; y++ {
		maxAcc(m, l[y*w:y*w+w])
	}
	clear(s)
	for y := 0; y < k; y++ {
		ly := l[y*w : y*w+w]
		subExpAcc(row(out, y, c0, w), ly, ly, m, s) // out = l − max, l = exp(out)
	}
	logVec(m, s)
	if probs {
		for i, v := range s {
			s[i] = 1 / v
		}
	}
	for y := 0; y < k; y++ {
		subVec(row(out, y, c0, w), m)
		if probs {
			mulVec(l[y*w:y*w+w], s)
		}
	}
}

// measureChunk computes the measures of the chunk's policies, given their
// log-probabilities logp (a K×B tensor) and probabilities pi (K×w, local).
// g (K×w) and m, s, t (w) are scratch. Per-context values go to the optional
// outputs; the chunk's sums are returned.
func measureChunk(logp, ref, p *Tensor, tau float64, pi, g, m, s, t []float64, k, c0, w int, gap, kl, expl *Tensor) (sumGap, sumKL, sumExpl float64) {
	clear(g[:k*w])
	winRatesChunk(g, pi, p, nil, 1, k, c0, w)
	m, s = m[:w], s[:w]
	// Exploitability: max_y g(y) − 1/2.
	copy(m, g[:w])
	for y := 1; y < k; y++ {
		maxAcc(m, g[y*w:y*w+w])
	}
	var expls []float64
	if expl != nil {
		expls = row(expl, 0, c0, w)
	}
	for i := range m {
		m[i] -= 0.5
		sumExpl += m[i]
		if expls != nil {
			expls[i] = m[i]
		}
	}
	// KL(π‖ref) = Σ π (log π − log ref), with 0·log 0 = 0; 0 without ref.
	if ref == nil && kl != nil {
		clear(row(kl, 0, c0, w))
	}
	if ref != nil {
		clear(s)
		for y := 0; y < k; y++ {
			klAcc(s, pi[y*w:y*w+w], row(logp, y, c0, w), row(ref, y, c0, w))
		}
		var kls []float64
		if kl != nil {
			kls = row(kl, 0, c0, w)
		}
		for i, v := range s {
			sumKL += v
			if kls != nil {
				kls[i] = v
			}
		}
	}
	var gaps []float64
	if gap != nil {
		gaps = row(gap, 0, c0, w)
	}
	if tau == 0 {
		for i, v := range m {
			sumGap += 2 * v
			if gaps != nil {
				gaps[i] = 2 * v
			}
		}
		return sumGap, sumKL, sumExpl
	}
	// log Z = log Σ ref exp(g/τ), stably: z(y) = log ref(y) + g(y)/τ in g.
	inv := 1 / tau
	for y := 0; y < k; y++ {
		gy := g[y*w : y*w+w]
		axpby(gy, inv, gy, 1, row(ref, y, c0, w))
	}
	copy(pi[:w], g[:w]) // pi is free now: max of z in its first row
	zmax := pi[:w]
	for y := 1; y < k; y++ {
		maxAcc(zmax, g[y*w:y*w+w])
	}
	acc := t[:w]
	clear(acc)
	for y := 0; y < k; y++ {
		gy := g[y*w : y*w+w]
		subExpAcc(gy, gy, gy, zmax, acc)
	}
	logVec(m, acc) // m (the exploitabilities) is free now
	for i, lz := range m {
		v := 2*tau*(zmax[i]+lz) + 2*tau*s[i] - 1
		sumGap += v
		if gaps != nil {
			gaps[i] = v
		}
	}
	return sumGap, sumKL, sumExpl
}

// mirrorTask is Backend.Mirror on one chunk.
type mirrorTask struct {
	s    *Step
	k, b int
	dP   []float64 // D·P for a shared P
}

func (t *mirrorTask) run(c0, c1, _ int, sc *scratch) {
	s, k, w := t.s, t.k, c1-c0
	l, q := sc.a[:k*w], sc.b[:k*w]
	// Linear terms of the new logits.
	useBase, useRef := s.Base != nil && s.A != 0, s.Ref != nil && s.B != 0
	for y := 0; y < k; y++ {
		ly := l[y*w : y*w+w : y*w+w]
		switch {
		case useBase && useRef:
			axpby(ly, s.A, row(s.Base, y, c0, w), s.B, row(s.Ref, y, c0, w))
		case useBase:
			clear(ly)
			axpy(ly, s.A, row(s.Base, y, c0, w))
		case useRef:
			clear(ly)
			axpy(ly, s.B, row(s.Ref, y, c0, w))
		default:
			clear(ly)
		}
		for h, ht := range s.Hist {
			if s.C[h] != 0 {
				axpy(ly, s.C[h], row(ht, y, c0, w))
			}
		}
	}
	// The win-rate term.
	if s.D != 0 {
		switch {
		case len(s.Opp) > 0:
			opponentMix(q, sc.m, s.Opp, s.W, k, c0, w)
			winRatesChunk(l, q, s.P, t.dP, s.D, k, c0, w)
		case s.G != nil:
			for y := 0; y < k; y++ {
				axpy(l[y*w:y*w+w], s.D, row(s.G, y, c0, w))
			}
		}
	}
	measures := s.Gap != nil || s.KL != nil || s.Expl != nil
	logSoftmaxChunk(s.Out, l, sc.m, sc.s, k, c0, w, measures)
	if measures {
		measureChunk(s.Out, s.Ref, s.P, s.Tau, l, q, sc.m, sc.s, sc.t, k, c0, w, s.Gap, s.KL, s.Expl)
	}
}

// measureTask is Backend.Measure on one chunk.
type measureTask struct {
	m       *Measure
	k, b    int
	partial []float64 // 3 per chunk
}

func (t *measureTask) run(c0, c1, chunk int, sc *scratch) {
	m, k, w := t.m, t.k, c1-c0
	pi, g := sc.a[:k*w], sc.b[:k*w]
	for y := 0; y < k; y++ {
		expVec(pi[y*w:y*w+w], row(m.Pol, y, c0, w))
	}
	gp, kl, ex := measureChunk(m.Pol, m.Ref, m.P, m.Tau, pi, g, sc.m, sc.s, sc.t, k, c0, w, m.Gap, m.KL, m.Expl)
	t.partial[3*chunk], t.partial[3*chunk+1], t.partial[3*chunk+2] = gp, kl, ex
}

// winRateTask is Backend.WinRates on one chunk.
type winRateTask struct {
	g, p *Tensor
	opp  []*Tensor
	w    []float64
	k, b int
}

func (t *winRateTask) run(c0, c1, _ int, sc *scratch) {
	k, w := t.k, c1-c0
	q, acc := sc.a[:k*w], sc.b[:k*w]
	opponentMix(q, sc.m, t.opp, t.w, k, c0, w)
	clear(acc)
	winRatesChunk(acc, q, t.p, nil, 1, k, c0, w)
	for y := 0; y < k; y++ {
		copy(row(t.g, y, c0, w), acc[y*w:y*w+w])
	}
}

// mixTask is Backend.MixLog on a flat range of elements.
type mixTask struct {
	dst, x, y []float64
	wx, wy    float64
}

// mixBlock is the elements mixTask processes per round of vector kernels:
// its four arrays stay in L1.
const mixBlock = 512

// run computes log(wx·e^x + wy·e^y) as m + log(e^(a−m) + e^(b−m)) with
// a = x + log wx, b = y + log wy and m = max(a, b): two vector
// exponentials and one vector logarithm per element instead of three
// scalar calls (the running average of an NLHF run does this for every
// entry of the policy at every step). Entries where both sides are −Inf
// shift by 0 instead of −Inf, which yields log 0 = −Inf, as mixLog does.
func (t *mixTask) run(lo, hi, _ int, sc *scratch) {
	if t.wx == 0 || t.wy == 0 {
		dst, x, y := t.dst[lo:hi], t.x[lo:hi], t.y[lo:hi]
		for i := range dst {
			dst[i] = mixLog(x[i], y[i], t.wx, t.wy)
		}
		return
	}
	lwx, lwy := math.Log(t.wx), math.Log(t.wy)
	for b0 := lo; b0 < hi; b0 += mixBlock {
		n := min(mixBlock, hi-b0)
		dst, x, y := t.dst[b0:b0+n], t.x[b0:b0+n], t.y[b0:b0+n]
		a, b, m, s := sc.a[:n], sc.b[:n], sc.m[:n], sc.s[:n]
		for i := range a {
			u, v := x[i]+lwx, y[i]+lwy
			w := max(u, v)
			if w < -math.MaxFloat64 {
				w = 0
			}
			a[i], b[i], m[i], s[i] = u, v, w, 0
		}
		subExpAcc(a, a, a, m, s)
		subExpAcc(b, b, b, m, s)
		logVec(a, s)
		axpby(dst, 1, m, 1, a)
	}
}

// mixLog returns log(wx·exp(a) + wy·exp(b)) without overflow.
func mixLog(a, b, wx, wy float64) float64 {
	if wx == 0 {
		return math.Log(wy) + b
	}
	if wy == 0 {
		return math.Log(wx) + a
	}
	m := max(a, b)
	if math.IsInf(m, -1) {
		return m
	}
	return m + math.Log(wx*math.Exp(a-m)+wy*math.Exp(b-m))
}

// meanTask sums each row of t over a chunk of columns.
type meanTask struct {
	t       *Tensor
	partial []float64 // rows per chunk
}

func (t *meanTask) run(c0, c1, chunk int, _ *scratch) {
	rows := t.t.rows
	for r := 0; r < rows; r++ {
		var s float64
		for _, v := range row(t.t, r, c0, c1-c0) {
			s += v
		}
		t.partial[chunk*rows+r] = s
	}
}

// zeroSumWidth is the games per chunk: the chunk's payoffs (M·N·w values)
// stay in L2 while all iterations run on them.
func zeroSumWidth(m, n int) int {
	return max(8, min(256, 16384/(m*n))) &^ 7
}

// zeroSumScratch is the scratch a chunk of w games of size m×n needs:
// x, y, u, v, previous u, v, and the sums of played x, y.
func zeroSumScratch(m, n, w int) int { return 4*(m+n)*w + 2*w }

// zeroSumTask is Backend.ZeroSum on one chunk of games.
type zeroSumTask struct {
	z       *ZeroSum
	b       int
	ctx     context.Context
	stopped atomic.Bool
}

func (t *zeroSumTask) run(c0, c1, _ int, sc *scratch) {
	z, w := t.z, c1-c0
	M, N := z.M, z.N
	buf := sc.zs
	take := func(n int) []float64 { v := buf[:n:n]; buf = buf[n:]; return v }
	px, py := take(M*w), take(N*w)
	u, v := take(M*w), take(N*w)
	pu, pv := take(M*w), take(N*w)
	sx, sy := take(M*w), take(N*w)
	mm, ss := take(w), take(w)
	for r := 0; r < M; r++ {
		expVec(px[r*w:r*w+w], row(z.X, r, c0, w))
	}
	for r := 0; r < N; r++ {
		expVec(py[r*w:r*w+w], row(z.Y, r, c0, w))
	}
	clear(sx)
	clear(sy)
	eta := z.Eta
	for it := 0; it < z.Iters; it++ {
		if it&63 == 63 && t.ctx.Err() != nil {
			t.stopped.Store(true)
			return
		}
		axpy(sx, 1, px)
		axpy(sy, 1, py)
		payoffs(u, v, z.A, px, py, M, N, c0, w)
		if z.Optimistic {
			if it == 0 {
				copy(pu, u)
				copy(pv, v)
			}
			for i := range u {
				u[i], pu[i] = 2*u[i]-pu[i], u[i]
			}
			for i := range v {
				v[i], pv[i] = 2*v[i]-pv[i], v[i]
			}
		}
		// Multiplicative update in log space, then renormalize.
		for r := 0; r < M; r++ {
			lx := row(z.X, r, c0, w)
			axpy(lx, eta, u[r*w:r*w+w])
		}
		for r := 0; r < N; r++ {
			ly := row(z.Y, r, c0, w)
			axpy(ly, -eta, v[r*w:r*w+w])
		}
		normalizeRows(z.X, px, mm, ss, M, c0, w)
		normalizeRows(z.Y, py, mm, ss, N, c0, w)
	}
	if z.Gap != nil {
		payoffs(u, v, z.A, px, py, M, N, c0, w)
		zeroSumGap(row(z.Gap, 0, c0, w), u, v, M, N, w)
	}
	if z.XAvg != nil {
		inv := 1 / float64(z.Iters)
		for i := range sx {
			sx[i] *= inv
		}
		for i := range sy {
			sy[i] *= inv
		}
		for r := 0; r < M; r++ {
			logVec(row(z.XAvg, r, c0, w), sx[r*w:r*w+w])
		}
		for r := 0; r < N; r++ {
			logVec(row(z.YAvg, r, c0, w), sy[r*w:r*w+w])
		}
		if z.GapAvg != nil {
			payoffs(u, v, z.A, sx, sy, M, N, c0, w)
			zeroSumGap(row(z.GapAvg, 0, c0, w), u, v, M, N, w)
		}
	}
}

// payoffs computes u = A y and v = Aᵀ x for the chunk's games.
func payoffs(u, v []float64, a *Tensor, x, y []float64, M, N, c0, w int) {
	clear(u)
	clear(v)
	for i := 0; i < M; i++ {
		ui, xi := u[i*w:i*w+w:i*w+w], x[i*w:i*w+w:i*w+w]
		for j := 0; j < N; j++ {
			aij := row(a, i*N+j, c0, w)
			fmaAcc(ui, aij, y[j*w:j*w+w])
			fmaAcc(v[j*w:j*w+w], aij, xi)
		}
	}
}

// zeroSumGap writes max_i u_i − min_j v_j per game.
func zeroSumGap(dst, u, v []float64, M, N, w int) {
	copy(dst, u[:w])
	for i := 1; i < M; i++ {
		for c, x := range u[i*w : i*w+w] {
			dst[c] = max(dst[c], x)
		}
	}
	for c := range dst {
		lo := v[c]
		for j := 1; j < N; j++ {
			lo = min(lo, v[j*w+c])
		}
		dst[c] -= lo
	}
}

// normalizeRows log-normalizes the chunk of an r×B log tensor in place and
// writes the probabilities to p (r×w).
func normalizeRows(t *Tensor, p, m, s []float64, r, c0, w int) {
	copy(m, row(t, 0, c0, w))
	for y := 1; y < r; y++ {
		maxAcc(m, row(t, y, c0, w))
	}
	clear(s)
	for y := 0; y < r; y++ {
		ly := row(t, y, c0, w)
		subExpAcc(ly, p[y*w:y*w+w], ly, m, s)
	}
	logVec(m, s)
	for i, v := range s {
		s[i] = 1 / v
	}
	for y := 0; y < r; y++ {
		subVec(row(t, y, c0, w), m)
		mulVec(p[y*w:y*w+w], s)
	}
}
