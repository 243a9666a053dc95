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

// prefRow returns P[i][j] row (i*K+j) for the chunk, or nil with the
// shared value when P is shared.
func prefRow(p *Tensor, ij, c0, w int) ([]float64, float64) {
	if p.cols == 1 {
		return nil, p.host[ij]
	}
	return row(p, ij, c0, w), 0
}

// opponentMix writes q(j) = Σ_k w_k exp(opp_k(j)) for the chunk into q (K×w).
func opponentMix(q []float64, opp []*Tensor, wts []float64, k, c0, w int) {
	for j := 0; j < k; j++ {
		qj := q[j*w : j*w+w : j*w+w]
		for t, o := range opp {
			src := row(o, j, c0, w)
			wt := wts[t]
			if t == 0 {
				expScale(qj, src, wt)
			} else {
				expScaleAdd(qj, src, wt)
			}
		}
	}
}

// expScale sets dst[i] = wt·exp(src[i]).
func expScale(dst, src []float64, wt float64) {
	src = src[:len(dst)]
	if wt == 1 {
		expVec(dst, src)
		return
	}
	for i, x := range src {
		dst[i] = wt * math.Exp(x)
	}
}

// expScaleAdd adds wt·exp(src[i]) to dst[i].
func expScaleAdd(dst, src []float64, wt float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] += wt * math.Exp(x)
	}
}

// expVec sets dst[i] = exp(src[i]).
func expVec(dst, src []float64) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}

// winRatesChunk adds d·(P·q) to acc (both K×w) for the chunk.
func winRatesChunk(acc, q []float64, p *Tensor, d float64, k, c0, w int) {
	for y := 0; y < k; y++ {
		ay := acc[y*w : y*w+w : y*w+w]
		for j := 0; j < k; j++ {
			qj := q[j*w : j*w+w : j*w+w]
			pr, shared := prefRow(p, y*k+j, c0, w)
			if pr == nil {
				if shared != 0 {
					axpy(ay, d*shared, qj)
				}
				continue
			}
			for i, v := range qj {
				ay[i] += d * pr[i] * v
			}
		}
	}
}

// logSoftmaxChunk turns the K×w logits l into normalized log-probabilities
// written to out (which may be l's tensor rows), and leaves the
// probabilities in l. m and s are w-long scratch.
func logSoftmaxChunk(out *Tensor, l, m, s []float64, k, c0, w int) {
	m, s = m[:w], s[:w]
	copy(m, l[:w])
	for y := 1; y < k; y++ {
		ly := l[y*w : y*w+w]
		for i, v := range ly {
			if v > m[i] {
				m[i] = v
			}
		}
	}
	clear(s)
	for y := 0; y < k; y++ {
		ly := l[y*w : y*w+w]
		dst := row(out, y, c0, w)
		for i, v := range ly {
			dst[i] = v - m[i] // shifted logit, kept for the log-probability
		}
		expVec(ly, dst)
		for i, e := range ly {
			s[i] += e
		}
	}
	for i, v := range s {
		m[i] = math.Log(v) // reuse m for log Σ
		s[i] = 1 / v
	}
	for y := 0; y < k; y++ {
		ly := l[y*w : y*w+w]
		dst := row(out, y, c0, w)
		for i := range ly {
			dst[i] -= m[i]
			ly[i] *= s[i]
		}
	}
}

// measureChunk computes the measures of the chunk's policies, given their
// log-probabilities logp (a K×B tensor) and probabilities pi (K×w, local).
// g (K×w) and m, s (w) are scratch. Per-context values go to the optional
// outputs; the chunk's sums are returned.
func measureChunk(logp, ref, p *Tensor, tau float64, pi, g, m, s []float64, k, c0, w int, gap, kl, expl *Tensor) (sumGap, sumKL, sumExpl float64) {
	clear(g[:k*w])
	winRatesChunk(g, pi, p, 1, k, c0, w)
	m, s = m[:w], s[:w]
	// Exploitability: max_y g(y) − 1/2.
	copy(m, g[:w])
	for y := 1; y < k; y++ {
		for i, v := range g[y*w : y*w+w] {
			m[i] = max(m[i], v)
		}
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
			py, lp, lr := pi[y*w:y*w+w], row(logp, y, c0, w), row(ref, y, c0, w)
			for i, v := range py {
				if v > 0 {
					s[i] += v * (lp[i] - lr[i])
				}
			}
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
		gy, lr := g[y*w:y*w+w], row(ref, y, c0, w)
		for i := range gy {
			gy[i] = lr[i] + gy[i]*inv
		}
	}
	copy(pi[:w], g[:w]) // pi is free now: max of z in its first row
	zmax := pi[:w]
	for y := 1; y < k; y++ {
		for i, v := range g[y*w : y*w+w] {
			zmax[i] = max(zmax[i], v)
		}
	}
	acc := pi[w : 2*w]
	if k == 1 {
		acc = m // single response: m holds expl, no longer needed
	}
	clear(acc)
	for y := 0; y < k; y++ {
		for i, v := range g[y*w : y*w+w] {
			acc[i] += math.Exp(v - zmax[i])
		}
	}
	for i := range acc {
		v := 2*tau*(zmax[i]+math.Log(acc[i])) + 2*tau*s[i] - 1
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
}

func (t *mirrorTask) run(c0, c1, _ int, sc *scratch) {
	s, k, w := t.s, t.k, c1-c0
	l, q := sc.a[:k*w], sc.b[:k*w]
	// Linear terms of the new logits.
	for y := 0; y < k; y++ {
		ly := l[y*w : y*w+w : y*w+w]
		if s.Base != nil && s.A != 0 {
			a := s.A
			for i, v := range row(s.Base, y, c0, w) {
				ly[i] = a * v
			}
		} else {
			clear(ly)
		}
		if s.Ref != nil && s.B != 0 {
			axpy(ly, s.B, row(s.Ref, y, c0, w))
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
			opponentMix(q, s.Opp, s.W, k, c0, w)
			winRatesChunk(l, q, s.P, s.D, k, c0, w)
		case s.G != nil:
			for y := 0; y < k; y++ {
				axpy(l[y*w:y*w+w], s.D, row(s.G, y, c0, w))
			}
		}
	}
	logSoftmaxChunk(s.Out, l, sc.m, sc.s, k, c0, w)
	if s.Gap != nil || s.KL != nil || s.Expl != nil {
		measureChunk(s.Out, s.Ref, s.P, s.Tau, l, q, sc.m, sc.s, k, c0, w, s.Gap, s.KL, s.Expl)
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
	gp, kl, ex := measureChunk(m.Pol, m.Ref, m.P, m.Tau, pi, g, sc.m, sc.s, k, c0, w, m.Gap, m.KL, m.Expl)
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
	opponentMix(q, t.opp, t.w, k, c0, w)
	clear(acc)
	winRatesChunk(acc, q, t.p, 1, k, c0, w)
	for y := 0; y < k; y++ {
		copy(row(t.g, y, c0, w), acc[y*w:y*w+w])
	}
}

// mixTask is Backend.MixLog on a flat range of elements.
type mixTask struct {
	dst, x, y []float64
	wx, wy    float64
}

func (t *mixTask) run(lo, hi, _ int, _ *scratch) {
	dst, x, y := t.dst[lo:hi], t.x[lo:hi], t.y[lo:hi]
	for i := range dst {
		dst[i] = mixLog(x[i], y[i], t.wx, t.wy)
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
			vj, yj := v[j*w:j*w+w:j*w+w], y[j*w:j*w+w:j*w+w]
			for c, av := range aij {
				ui[c] += av * yj[c]
				vj[c] += av * xi[c]
			}
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
		for i, v := range row(t, y, c0, w) {
			m[i] = max(m[i], v)
		}
	}
	clear(s)
	for y := 0; y < r; y++ {
		py, ly := p[y*w:y*w+w], row(t, y, c0, w)
		for i, v := range ly {
			e := math.Exp(v - m[i])
			py[i] = e
			s[i] += e
		}
	}
	for i, v := range s {
		m[i] += math.Log(v)
		s[i] = 1 / v
	}
	for y := 0; y < r; y++ {
		py, ly := p[y*w:y*w+w], row(t, y, c0, w)
		for i := range ly {
			ly[i] -= m[i]
			py[i] *= s[i]
		}
	}
}

// logVec sets dst[i] = log(src[i]).
func logVec(dst, src []float64) {
	for i, v := range src[:len(dst)] {
		dst[i] = math.Log(v)
	}
}
