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
	wins           []float64
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
	k, bb := l.env.K, l.env.B
	c2 := 1 / (2 * l.tau)
	if !l.online && t == 0 {
		l.wins = make([]float64, bb*k*k)
		l.smp.each(0, streamData, func(c int, w *work) {
			omega := w.m2
			pairWeights(l.env, l.pairs, c, omega)
			pairStats(l.base, w, c, omega, l.samples, l.prob, l.wins[c*k*k:(c+1)*k*k])
		})
	}
	if !l.online && l.lr == 0 {
		if t > 0 {
			return nil
		}
		l.smp.each(t, streamMain, func(c int, w *work) {
			h, ref, lap := w.v[0], w.v[1], w.m
			l.col(ref, l.env.refHost, c)
			wins := l.wins[c*k*k : (c+1)*k*k]
			clear(h)
			clear(lap)
			for i := range k {
				for j := range k {
					if i == j {
						continue
					}
					n := wins[i*k+j] + wins[j*k+i]
					lap[i*k+i] += n
					lap[i*k+j] -= n
					h[i] += c2 * (wins[i*k+j] - wins[j*k+i])
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
	var weights []float64
	if l.online {
		weights = l.policyWeights()
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, pi, grad := w.v[0], w.v[1], w.v[2], w.v[3]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		wins := w.m
		if l.online {
			expInto(pi, theta)
			omega := w.m2
			for i := range k {
				for j := range k {
					omega[i*k+j] = pi[i] * pi[j]
				}
			}
			pairStats(l.base, w, c, omega, l.samples, l.prob, wins)
		} else {
			copy(wins, l.wins[c*k*k:(c+1)*k*k])
		}
		clear(grad)
		for i := range k {
			for j := range k {
				if i == j {
					continue
				}
				n := wins[i*k+j] + wins[j*k+i]
				d := (theta[i] - ref[i]) - (theta[j] - ref[j])
				grad[i] += 2 * (n*d - c2*(wins[i*k+j]-wins[j*k+i]))
			}
		}
		for y := range theta {
			theta[y] -= l.lr * grad[y]
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}
