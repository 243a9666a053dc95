package agents

import "github.com/selfplay-lab/selfplay/cuda"

// omdAlgorithm registers online mirror descent under two names: "omd" with
// a forward step η and "inpo" with INPO's inverse step η_I = 1/η.
func omdAlgorithm(name string) *Algorithm {
	a := &Algorithm{
		Name:    name,
		Summary: "Online mirror descent on the regularized game: log π_{t+1} = (1−ητ) log π_t + ητ log ref + η·P(y ≻ π_t)",
		Source:  "algorithms.md §4.1 (OMD baseline) and §4.5 (INPO) [paper: MNPO Table 1][abs]",
		build:   newOMD,
	}
	if name == "inpo" {
		a.Summary = "Iterative Nash Policy Optimization: OMD with inverse step η_I, trained with the no-win-rate square loss on on-policy pairs"
		a.Params = []Param{
			{Name: "eta_inv", Default: 2.0, Doc: "inverse step η_I (step 1/η_I; the paper's LLM runs: 0.0075)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ, 0 ≤ τ < η_I (paper: η_I/3)"},
			{Name: "loss", Default: "inpo", Sampled: true, Doc: "sample loss: inpo (pairs y, y' ~ π_t, target gap 1/(2η_I), solved exactly) or oipo1 (one SGD step on the EGPO uniform-probe loss)"},
		}
	} else {
		a.Params = []Param{
			{Name: "eta", Default: 1.0, Doc: "step size η (ητ ≤ 1)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ toward the reference"},
			{Name: "loss", Default: "oipo1", Sampled: true, Doc: "sample loss: oipo1 (one SGD step on the EGPO uniform-probe loss, \"online IPO 1\") or inpo (INPO's on-policy pair loss, solved exactly)"},
		}
	}
	a.Params = append(a.Params, paramSamples(100), paramLabels("bernoulli"),
		Param{Name: "ridge", Default: 1e-3, Sampled: true, Doc: "ridge of the exact solve of the inpo loss (keeps unsampled responses at the anchor)"})
	return a
}

// omd is OMD = INPO in the exact mode (a mirror step through the backend).
// Sampled with loss inpo: N pairs y, y' ~ π_t judged once, and
// log π_{t+1} = anchor + u with anchor = (1−ητ) log π_t + ητ log ref and u
// the exact minimizer of the INPO square loss (identity §2.3: u → η(P(y ≻ π_t) − 1/2)).
type omd struct {
	*base
	eta, tau, ridge float64
	inpoLoss, prob  bool
	samples         int
}

func newOMD(env *Env, p Params, o Options) (Learner, error) {
	var eta float64
	if _, ok := p.v["eta_inv"]; ok {
		if err := p.positive("eta_inv"); err != nil {
			return nil, err
		}
		eta = 1 / p.Float("eta_inv")
	} else {
		if err := p.positive("eta"); err != nil {
			return nil, err
		}
		eta = p.Float("eta")
	}
	if err := checkTau(p); err != nil {
		return nil, err
	}
	if eta*p.Float("tau") > 1 {
		return nil, p.errf("tau", "%v: the step must satisfy ητ ≤ 1 (τ ≤ η_I), got ητ = %v", p.Float("tau"), eta*p.Float("tau"))
	}
	if err := p.oneOf("loss", "inpo", "oipo1"); err != nil {
		return nil, err
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	if err := p.nonNegative("ridge"); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	return &omd{base: b, eta: eta, tau: p.Float("tau"), ridge: p.Float("ridge"), inpoLoss: p.String("loss") == "inpo",
		prob: p.String("labels") == "probability", samples: p.Int("samples")}, nil
}

func (l *omd) Step(t int) error {
	eta, tau := l.eta, l.tau
	if l.o.Mode == Exact {
		if err := l.env.step(l.cur, l.cur, 1-eta*tau, eta*tau, eta, []*cuda.Tensor{l.cur}, []float64{1}); err != nil {
			return err
		}
		return l.afterExact(false)
	}
	var weights []float64
	if l.inpoLoss {
		weights = l.policyWeights()
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, pi := w.v[0], w.v[1], w.v[2]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		expInto(pi, theta)
		if l.inpoLoss {
			inpoUpdate(l.env, w, l.prob, c, theta, ref, pi, eta, tau, l.samples, l.ridge)
		} else {
			probeStep(l.env.Game, w, l.prob, c, theta, ref, pi, eta, tau, l.samples)
		}
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}

// inpoUpdate replaces theta by INPO's sampled update: anchor
// (1−ητ)θ + ητ·log ref plus the exact minimizer u of the square loss on n
// pairs from pairDist with target gap η/2.
func inpoUpdate(env *Env, w *work, prob bool, c int, theta, ref, pairDist []float64, eta, tau float64, n int, ridge float64) {
	k := len(theta)
	u, lap := w.v[5], w.m
	clear(u)
	clear(lap)
	for range n {
		y, y2 := sampleFrom(w.rng, pairDist), sampleFrom(w.rng, pairDist)
		addPair(lap, u, k, y, y2, label(env.Game, w.rng, prob, c, y, y2), eta/2)
	}
	if err := solvePairs(u, lap, k, ridge); err != nil {
		clear(u) // no usable pairs: stay at the anchor
	}
	for y := range theta {
		theta[y] = (1-eta*tau)*theta[y] + eta*tau*ref[y] + u[y]
	}
	normalizeLog(theta)
}
