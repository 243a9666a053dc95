package agents

func dpoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "dpo",
		Summary: "Direct Preference Optimization: logistic loss on β·log-ratio gaps over pairs from μ_s; optimum π ∝ ref·exp(r̂_BT/β)",
		Source:  "algorithms.md §3.2 [derived/standard]",
		Params: []Param{
			{Name: "beta", Default: 0.1, Doc: "DPO temperature β"},
			{Name: "lr", Default: 0.0, Doc: "gradient-descent learning rate per iteration on the DPO loss; 0 means the minimizer at the first iteration (the closed form in the exact mode)"},
			paramPairs(),
			{Name: "ridge", Default: 1e-4, Doc: "ridge on the implicit reward β·log(π/ref) when solving for the minimizer (lr = 0)"},
			paramSamples(1000),
			paramLabels("bernoulli"),
		},
		build: newDPO,
	}
}

// dpo minimizes E_{(y,y')~μ_s}[−log σ(β(h(y_w) − h(y_l)))], h = log π/ref:
// exactly with soft labels P (exact mode) or on a fixed data set of N
// Bernoulli-labelled pairs per context drawn at the first iteration
// (sampled mode). lr = 0 jumps to the minimizer, π ∝ ref·exp(r̂/β) with r̂
// the (ridge-regularized) Bradley–Terry fit; lr > 0 takes one full-batch
// gradient step per iteration.
type dpo struct {
	*base
	beta, lr, ridge float64
	pairs           string
	samples         int
	prob            bool
	wins            []float64 // per context K×K judgement weights (lr > 0)
}

func newDPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("beta"); err != nil {
		return nil, err
	}
	if err := p.nonNegative("lr", "ridge"); err != nil {
		return nil, err
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
	return &dpo{base: b, beta: p.Float("beta"), lr: p.Float("lr"), ridge: p.Float("ridge"), pairs: p.String("pairs"),
		samples: p.Int("samples"), prob: p.String("labels") == "probability"}, nil
}

func (l *dpo) Step(t int) error {
	k, bb := l.env.K, l.env.B
	if l.lr == 0 {
		if t > 0 {
			return nil
		}
		r := fitRewards(l.base, l.pairs, l.samples, l.prob, l.ridge)
		for i := range l.host {
			l.host[i] = l.env.refHost[i] + r[i]/l.beta
		}
		col := make([]float64, k)
		for c := range bb {
			l.col(col, l.host, c)
			normalizeLog(col)
			l.setCol(l.host, col, c)
		}
		return l.commitHost(nil)
	}
	if t == 0 {
		l.wins = make([]float64, bb*k*k)
		l.smp.each(0, streamData, func(c int, w *work) {
			omega := w.m2
			pairWeights(l.env, l.pairs, c, omega)
			pairStats(l.base, w, c, omega, l.samples, l.prob, l.wins[c*k*k:(c+1)*k*k])
		})
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, grad := w.v[0], w.v[1], w.v[2]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		wins := l.wins[c*k*k : (c+1)*k*k]
		clear(grad)
		// Each unordered pair once: σ(−x) = 1 − σ(x).
		for i := range k {
			for j := i + 1; j < k; j++ {
				n := wins[i*k+j] + wins[j*k+i]
				if n == 0 {
					continue
				}
				s := sigmoid(l.beta * ((theta[i] - ref[i]) - (theta[j] - ref[j])))
				d := wins[i*k+j] - n*s
				grad[i] += d
				grad[j] -= d
			}
		}
		for y := range theta {
			theta[y] += l.lr * l.beta * grad[y]
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(nil)
}
