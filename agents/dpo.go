package agents

import "math"

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
	data            *pairData // the judgements in pair form (lr > 0)
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
		l.data = collectPairs(l.base, l.pairs, l.samples, l.prob)
	}
	l.smp.exactBlocks(func(c0, c1 int, w *work) {
		theta := w.blk[0]
		gather(theta, l.host, k, bb, c0, c1)
		for c := c0; c < c1; c++ {
			i := (c - c0) * k
			n, won, _ := l.data.context(c)
			dpoGradStep(theta[i:i+k], l.env.refOf(c), n, won, l.beta, l.lr, w.v[0], w.v[1])
		}
		scatter(l.host, theta, k, bb, c0, c1)
	})
	return l.commitHost(nil)
}

// dpoGradStep takes one gradient step of the DPO loss on one context's
// log-policy theta (normalized in place), with pair weights n and wins won
// (see pairData). The gradient in the implicit reward h = β(θ − log ref) is
//
//	∂/∂h_i = Σ_j W_ij − Σ_j n_ij σ(h_i − h_j),
//
// and σ(h_i − h_j) = e_i/(e_i + e_j) with e = exp(h − max h): K
// exponentials and one division per pair instead of a sigmoid per pair.
// e and grad are K-long scratch.
func dpoGradStep(theta, ref, n, won []float64, beta, lr float64, e, grad []float64) {
	k := len(theta)
	m := math.Inf(-1)
	for y := range e {
		e[y] = beta * (theta[y] - ref[y])
		m = max(m, e[y])
	}
	for y := range e {
		e[y] -= m
	}
	expVec(e, e)
	copy(grad, won)
	p := 0
	for i := range k {
		// Pairs (i, j > i), resliced so that the loop runs without bounds
		// checks. With e_i ≥ 2^−1000 no denominator e_i + e_j is tiny.
		nn := n[p : p+k-1-i]
		p += len(nn)
		ej, gj := e[i+1:i+1+len(nn)], grad[i+1:i+1+len(nn)]
		ei, gi := e[i], 0.0
		if ei >= 0x1p-1000 {
			for j, nij := range nn {
				s := nij * ei / (ei + ej[j])
				gi -= s
				gj[j] -= nij - s
			}
		} else {
			for j, nij := range nn {
				var s float64
				if den := ei + ej[j]; den >= 0x1p-1000 {
					s = nij * ei / den
				} else { // both far below the largest: the ratio would lose its digits
					s = nij * sigmoid(beta*((theta[i]-ref[i])-(theta[i+1+j]-ref[i+1+j])))
				}
				gi -= s
				gj[j] -= nij - s
			}
		}
		grad[i] += gi
	}
	for y := range theta {
		theta[y] += lr * beta * grad[y]
	}
	normalizeLogFast(theta)
}
