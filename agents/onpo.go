package agents

import "github.com/selfplay-lab/selfplay/cuda"

func onpoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "onpo",
		Summary: "Optimistic Nash Policy Optimization: optimistic OMD with the last win-rate vector as predictor, G = 2·P·π_t − P·π_{t−1}",
		Source:  "algorithms.md §4.6 [abs + derived]; sampled loss [unverified]",
		Params: []Param{
			{Name: "eta", Default: 0.5, Doc: "step size η (ητ ≤ 1)"},
			{Name: "tau", Default: 0.0, Doc: "KL regularization τ (0: optimistic multiplicative weights on the unregularized game)"},
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newONPO,
	}
}

// onpo: log π_{t+1} = (1−ητ) log π_t + ητ log ref + η(2·P·π_t − P·π_{t−1}),
// with π_{−1} = π_0. ONPO's own sample loss is unverified; the sampled mode
// uses unbiased uniform-probe estimates Ĝ_t of P·π_t in the same rule,
// G = 2Ĝ_t − Ĝ_{t−1} (optimistic SGD with the last stochastic estimate as
// predictor).
type onpo struct {
	*base
	eta, tau    float64
	samples     int
	prob        bool
	prev, next  *cuda.Tensor
	gPrev, gCur []float64
}

func newONPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := checkTau(p); err != nil {
		return nil, err
	}
	if p.Float("eta")*p.Float("tau") > 1 {
		return nil, p.errf("tau", "%v: ητ must be ≤ 1", p.Float("tau"))
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &onpo{base: b, eta: p.Float("eta"), tau: p.Float("tau"), samples: p.Int("samples"), prob: p.String("labels") == "probability"}
	if o.Mode == Exact {
		if l.prev, err = l.ts.policy(); err == nil {
			l.next, err = l.ts.policy()
		}
		if err != nil {
			l.Close()
			return nil, err
		}
	} else {
		l.gPrev, l.gCur = make([]float64, env.K*env.B), make([]float64, env.K*env.B)
	}
	return l, nil
}

func (l *onpo) Step(t int) error {
	eta, tau := l.eta, l.tau
	if l.o.Mode == Exact {
		s := cuda.Step{Out: l.next, Base: l.cur, A: 1 - eta*tau, Ref: l.env.Ref, B: eta * tau, D: eta,
			P: l.env.P, Opp: []*cuda.Tensor{l.cur, l.prev}, W: []float64{2, -1}}
		if err := l.env.Backend.Mirror(&s); err != nil {
			return err
		}
		l.prev, l.cur, l.next = l.cur, l.next, l.prev
		return l.afterExact(false)
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, pi, g, gp := w.v[0], w.v[1], w.v[2], w.v[3], w.v[4]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		expInto(pi, theta)
		probeWinRates(l.env.Game, w, l.prob, c, pi, g, l.samples)
		if t == 0 {
			copy(gp, g)
		} else {
			l.col(gp, l.gPrev, c)
		}
		for y := range theta {
			theta[y] = (1-eta*tau)*theta[y] + eta*tau*ref[y] + eta*(2*g[y]-gp[y])
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
		l.setCol(l.gCur, g, c)
	})
	l.gPrev, l.gCur = l.gCur, l.gPrev
	return l.commitHost(nil)
}
