package agents

func ipoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "ipo",
		Summary: "IPO: square loss (h(y_w) − h(y_l) − 1/(2τ))² on ref-anchored log-ratios; offline optimum π ∝ ref·exp(P(y ≻ μ_s)/τ), online (μ_s = π_t) stationary at π*_τ",
		Source:  "algorithms.md §3.3 [derived; online: abs]; online sample loss \"online IPO 2\" [code:zhourunlong/EGPO_public]",
		Params: []Param{
			{Name: "tau", Default: 0.1, Doc: "regularization τ (target gap 1/(2τ))"},
			{Name: "lr", Default: 0.0, Doc: "gradient-descent learning rate per iteration; 0 means the exact minimizer at the first iteration (offline only)"},
			{Name: "sampling", Default: "offline", Doc: "offline (pairs from μ_s, a fixed data set) or online (fresh pairs from π_t each iteration, one gradient step; needs lr > 0)"},
			paramPairs(),
			{Name: "ridge", Default: 1e-4, Doc: "ridge of the exact solve (lr = 0)"},
			paramSamples(1000),
			paramLabels("bernoulli"),
		},
		build: newIPO,
	}
}

// ipo works on per-context pair statistics (see pairStats): n_ij = W_ij + W_ji
// (pair weight) and T_ij = W_ij − W_ji (net wins), with loss
// Σ_{i<j} n_ij·D_ij² − 2c·D_ij·T_ij, D = h_i − h_j, c = 1/(2τ). Its gradient is
// ∂/∂h_k = 2 Σ_j (n_kj·D_kj − c·T_kj); the minimizer solves the Laplacian
// system Σ_j n_kj (h_k − h_j) = c Σ_j T_kj.
type ipo struct {
	*base
	tau, lr, ridge float64
	online         bool
	pairs          string
	samples        int
	prob           bool
	data           *pairData // offline: the fixed data set in pair form
}

func newIPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("tau"); err != nil {
		return nil, err
	}
	if err := p.nonNegative("lr", "ridge"); err != nil {
		return nil, err
	}
	if err := p.oneOf("sampling", "offline", "online"); err != nil {
		return nil, err
	}
	if p.String("sampling") == "online" && p.Float("lr") == 0 {
		return nil, p.errf("lr", "online IPO takes gradient steps: want lr > 0")
	}
	if err := p.oneOf("pairs", "uniform", "ref"); err != nil {
		return nil, err
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	if b.host == nil {
		b.host = append([]float64(nil), env.refHost...)
	}
	return &ipo{base: b, tau: p.Float("tau"), lr: p.Float("lr"), ridge: p.Float("ridge"), online: p.String("sampling") == "online",
		pairs: p.String("pairs"), samples: p.Int("samples"), prob: p.String("labels") == "probability"}, nil
}

func (l *ipo) Step(t int) error {
	k := l.env.K
	c2 := 1 / (2 * l.tau)
	if !l.online && t == 0 {
		l.data = collectPairs(l.base, l.pairs, l.samples, l.prob)
	}
	if !l.online && l.lr == 0 {
		if t > 0 {
			return nil
		}
		l.smp.exact(func(c int, w *work) {
			h, ref, lap := w.v[0], w.v[1], w.m
			l.col(ref, l.env.refHost, c)
			n, _, net := l.data.context(c)
			clear(lap)
			p := 0
			for i := range k {
				h[i] = c2 * net[i]
				for j := i + 1; j < k; j++ {
					lap[i*k+i] += n[p]
					lap[j*k+j] += n[p]
					lap[i*k+j] -= n[p]
					lap[j*k+i] -= n[p]
					p++
				}
			}
			if err := solvePairs(h, lap, k, l.ridge); err != nil {
				clear(h)
			}
			for y := range h {
				h[y] += ref[y]
			}
			normalizeLog(h)
			l.setCol(l.host, h, c)
		})
		return l.commitHost(nil)
	}
	if !l.online {
		bb := l.env.B
		l.smp.exactBlocks(func(c0, c1 int, w *work) {
			theta := w.blk[0]
			gather(theta, l.host, k, bb, c0, c1)
			for c := c0; c < c1; c++ {
				i := (c - c0) * k
				n, _, net := l.data.context(c)
				ipoGradStep(theta[i:i+k], l.env.refOf(c), n, net, c2, l.lr, w.v[0], w.v[1])
			}
			scatter(l.host, theta, k, bb, c0, c1)
		})
		return l.commitHost(nil)
	}
	weights := l.projectionWeights()
	run := l.smp.exact
	if l.o.Mode == Sampled {
		run = func(f func(c int, w *work)) { l.smp.each(t, streamMain, f) }
	}
	run(func(c int, w *work) {
		// Pairs from π_t ⊗ π_t, judged afresh every iteration.
		theta, ref, pi, omega, wins := w.v[0], w.v[1], w.v[2], w.m2, w.m
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		expVec(pi, theta)
		for i := range k {
			for j := range k {
				omega[i*k+j] = pi[i] * pi[j]
			}
		}
		pairStats(l.base, w, c, omega, l.samples, l.prob, wins)
		n, net := omega[:k*(k-1)/2], w.v[5]
		fromWins(wins, k, n, w.v[4], net)
		ipoGradStep(theta, ref, n, net, c2, l.lr, w.v[3], w.v[6])
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}

// ipoGradStep takes one gradient step of the IPO loss on one context's
// log-policy theta (normalized in place), with pair weights n and net wins
// net (see pairData): in h = θ − log ref the gradient is
// 2(Σ_j n_ij (h_i − h_j) − c·net_i), a Laplacian product, one multiply
// per pair. h and grad are K-long scratch.
func ipoGradStep(theta, ref, n, net []float64, c, lr float64, h, grad []float64) {
	k := len(theta)
	for y := range grad {
		h[y] = theta[y] - ref[y]
		grad[y] = -c * net[y]
	}
	p := 0
	for i := range k {
		nn := n[p : p+k-1-i]
		p += len(nn)
		hj, gj := h[i+1:i+1+len(nn)], grad[i+1:i+1+len(nn)]
		hi, gi := h[i], 0.0
		for j, nij := range nn {
			a := nij * (hi - hj[j])
			gi += a
			gj[j] -= a
		}
		grad[i] += gi
	}
	for y := range theta {
		theta[y] -= 2 * lr * grad[y]
	}
	normalizeLogProbs(theta, h) // h is free now: one vector exp

}
