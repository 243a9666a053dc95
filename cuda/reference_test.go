package cuda

import (
	"math"
	"math/rand/v2"
)

// This file is the oracle: plain scalar implementations, one context at a
// time, written straight from the definitions in backend.go with none of the
// backends' chunking, fusion or scratch reuse. Values are flat slices in the
// Tensor layout (element (r, c) at r*cols + c).

// refStep mirrors Step over plain slices; nil slices are absent terms.
type refStep struct {
	k, b       int
	base, ref  []float64
	a, bc, d   float64
	hist       [][]float64
	c          []float64
	p          []float64 // K·K×B or K·K (shared)
	opp        [][]float64
	w          []float64
	g          []float64
	tau        float64
	wantMeasur bool
}

// prefAt returns P_b[i][j].
func prefAt(p []float64, k, b, i, j, ctx int) float64 {
	if len(p) == k*k {
		return p[i*k+j]
	}
	return p[(i*k+j)*b+ctx]
}

// refWinRates returns G(y) for context ctx against q.
func refWinRates(p []float64, k, b, ctx int, q []float64) []float64 {
	g := make([]float64, k)
	for y := 0; y < k; y++ {
		for j := 0; j < k; j++ {
			g[y] += prefAt(p, k, b, y, j, ctx) * q[j]
		}
	}
	return g
}

// refLogSoftmax returns l − log Σ exp(l).
func refLogSoftmax(l []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range l {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range l {
		s += math.Exp(v - m)
	}
	lse := m + math.Log(s)
	out := make([]float64, len(l))
	for i, v := range l {
		out[i] = v - lse
	}
	return out
}

// refMeasures returns gap, KL and exploitability of the policy logp.
func refMeasures(p []float64, k, b, ctx int, logp, ref []float64, tau float64) (gap, kl, expl float64) {
	pi := make([]float64, k)
	for y := range pi {
		pi[y] = math.Exp(logp[y])
	}
	g := refWinRates(p, k, b, ctx, pi)
	expl = math.Inf(-1)
	for _, v := range g {
		expl = math.Max(expl, v)
	}
	expl -= 0.5
	if ref != nil {
		for y := range pi {
			if pi[y] > 0 {
				kl += pi[y] * (logp[y] - ref[y])
			}
		}
	}
	if tau == 0 {
		return 2 * expl, kl, expl
	}
	z := make([]float64, k)
	for y := range z {
		z[y] = ref[y] + g[y]/tau
	}
	lz := 0.0
	norm := refLogSoftmax(z) // z − log Σ exp z
	lz = z[0] - norm[0]
	return 2*tau*lz + 2*tau*kl - 1, kl, expl
}

// col extracts context ctx of a K×B slice (nil stays nil).
func col(v []float64, k, b, ctx int) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, k)
	for y := range out {
		out[y] = v[y*b+ctx]
	}
	return out
}

// run applies the step; it returns the new log-policy (K×B) and, if asked,
// the per-context measures of the new policy.
func (s refStep) run() (out, gap, kl, expl []float64) {
	k, b := s.k, s.b
	out = make([]float64, k*b)
	if s.wantMeasur {
		gap, kl, expl = make([]float64, b), make([]float64, b), make([]float64, b)
	}
	for ctx := 0; ctx < b; ctx++ {
		l := make([]float64, k)
		var g []float64
		switch {
		case len(s.opp) > 0:
			q := make([]float64, k)
			for t, o := range s.opp {
				for j := range q {
					q[j] += s.w[t] * math.Exp(o[j*b+ctx])
				}
			}
			g = refWinRates(s.p, k, b, ctx, q)
		case s.g != nil:
			g = col(s.g, k, b, ctx)
		}
		for y := range l {
			if s.base != nil && s.a != 0 {
				l[y] += s.a * s.base[y*b+ctx]
			}
			if s.ref != nil && s.bc != 0 {
				l[y] += s.bc * s.ref[y*b+ctx]
			}
			for h, hv := range s.hist {
				if s.c[h] != 0 {
					l[y] += s.c[h] * hv[y*b+ctx]
				}
			}
			if g != nil && s.d != 0 {
				l[y] += s.d * g[y]
			}
		}
		lp := refLogSoftmax(l)
		for y, v := range lp {
			out[y*b+ctx] = v
		}
		if s.wantMeasur {
			gap[ctx], kl[ctx], expl[ctx] = refMeasures(s.p, k, b, ctx, lp, col(s.ref, k, b, ctx), s.tau)
		}
	}
	return out, gap, kl, expl
}

// refZeroSum runs plain or optimistic MW on game ctx of a (M·N)×B payoff
// slice from log-strategies x0, y0 and returns last and average strategies
// (probabilities) and their gaps.
func refZeroSum(a []float64, m, n, b, ctx int, x0, y0 []float64, eta float64, iters int, optimistic bool) (x, y, xa, ya []float64, gap, gapAvg float64) {
	at := func(i, j int) float64 { return a[(i*n+j)*b+ctx] }
	lx, ly := append([]float64(nil), x0...), append([]float64(nil), y0...)
	xa, ya = make([]float64, m), make([]float64, n)
	var pu, pv []float64
	probs := func(l []float64) []float64 {
		p := refLogSoftmax(l)
		for i := range p {
			p[i] = math.Exp(p[i])
		}
		return p
	}
	grads := func(x, y []float64) (u, v []float64) {
		u, v = make([]float64, m), make([]float64, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				u[i] += at(i, j) * y[j]
				v[j] += at(i, j) * x[i]
			}
		}
		return u, v
	}
	gapOf := func(x, y []float64) float64 {
		u, v := grads(x, y)
		hi, lo := math.Inf(-1), math.Inf(1)
		for _, e := range u {
			hi = math.Max(hi, e)
		}
		for _, e := range v {
			lo = math.Min(lo, e)
		}
		return hi - lo
	}
	for it := 0; it < iters; it++ {
		x, y := probs(lx), probs(ly)
		for i := range x {
			xa[i] += x[i] / float64(iters)
		}
		for j := range y {
			ya[j] += y[j] / float64(iters)
		}
		u, v := grads(x, y)
		if optimistic {
			if pu == nil {
				pu, pv = u, v
			}
			nu, nv := make([]float64, m), make([]float64, n)
			for i := range u {
				nu[i] = 2*u[i] - pu[i]
			}
			for j := range v {
				nv[j] = 2*v[j] - pv[j]
			}
			pu, pv = u, v
			u, v = nu, nv
		}
		for i := range lx {
			lx[i] += eta * u[i]
		}
		for j := range ly {
			ly[j] -= eta * v[j]
		}
		lx, ly = refLogSoftmax(lx), refLogSoftmax(ly)
	}
	x, y = probs(lx), probs(ly)
	return x, y, xa, ya, gapOf(x, y), gapOf(xa, ya)
}

// Random inputs.

// randPolicies returns K×B normalized log-probabilities with logits of
// standard deviation sd.
func randPolicies(r *rand.Rand, k, b int, sd float64) []float64 {
	v := make([]float64, k*b)
	for ctx := 0; ctx < b; ctx++ {
		l := make([]float64, k)
		for y := range l {
			l[y] = sd * r.NormFloat64()
		}
		for y, x := range refLogSoftmax(l) {
			v[y*b+ctx] = x
		}
	}
	return v
}

// randPref returns preference matrices with P + Pᵀ = 1 (lower triangle
// U(0,1)), one per context or one shared (cols = 1).
func randPref(r *rand.Rand, k, cols int) []float64 {
	p := make([]float64, k*k*cols)
	for ctx := 0; ctx < cols; ctx++ {
		for i := 0; i < k; i++ {
			p[(i*k+i)*cols+ctx] = 0.5
			for j := 0; j < i; j++ {
				u := r.Float64()
				p[(i*k+j)*cols+ctx] = u
				p[(j*k+i)*cols+ctx] = 1 - u
			}
		}
	}
	return p
}

// randMatrix returns B payoff matrices m×n with entries U(−1, 1).
func randMatrix(r *rand.Rand, m, n, b int) []float64 {
	v := make([]float64, m*n*b)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

// uniformLog returns K×B log-probabilities of the uniform policy.
func uniformLog(k, b int) []float64 {
	v := make([]float64, k*b)
	for i := range v {
		v[i] = -math.Log(float64(k))
	}
	return v
}
