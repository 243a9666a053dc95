package agents

import "github.com/selfplay-lab/selfplay/cuda"

// egpoAlgorithm registers the extragradient family: "egpo" with OMD inner
// steps and "nash_mp" (mirror prox) with MMD inner steps.
func egpoAlgorithm(name string) *Algorithm {
	a := &Algorithm{
		Name:    name,
		Summary: "Extragradient Preference Optimization: a half step against π_t, then the full step from π_t against the half-step policy",
		Source:  "algorithms.md §4.7 [code:zhourunlong/EGPO_public]",
		Params: []Param{
			{Name: "eta", Default: 0.5, Doc: "step size η of each half (ητ ≤ 1)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ"},
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newEGPO,
	}
	if name == "nash_mp" {
		a.Summary = "Nash-MP (mirror prox): the extragradient scheme of EGPO with proximal (MMD-form) inner steps"
		a.Source = "algorithms.md §4.8 [abs; inner step derived]"
	}
	return a
}

// egpo: each inner step is log π' = a·log π_t + b·log ref + d·P·opp with
// (a, b, d) = (1−ητ, ητ, η) for EGPO (one gradient step on the online-IPO
// loss) or (1, ητ, η)/(1+ητ) for Nash-MP. Sampled: two SGD steps on the EGPO
// uniform-probe loss with fresh samples, the second from π_t against the
// half-step policy, as in the EGPO code.
type egpo struct {
	*base
	eta, tau, a, b, d float64
	samples           int
	prob              bool
	half              *cuda.Tensor
}

func newEGPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := checkTau(p); err != nil {
		return nil, err
	}
	eta, tau := p.Float("eta"), p.Float("tau")
	if eta*tau > 1 {
		return nil, p.errf("tau", "%v: ητ must be ≤ 1", tau)
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	bs, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &egpo{base: bs, eta: eta, tau: tau, samples: p.Int("samples"), prob: p.String("labels") == "probability",
		a: 1 - eta*tau, b: eta * tau, d: eta}
	if p.algo == "nash_mp" {
		l.a, l.b, l.d = 1/(1+eta*tau), eta*tau/(1+eta*tau), eta/(1+eta*tau)
	}
	if o.Mode == Exact {
		if l.half, err = l.ts.policy(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

func (l *egpo) Step(t int) error {
	if l.o.Mode == Exact {
		if err := l.env.step(l.half, l.cur, l.a, l.b, l.d, []*cuda.Tensor{l.cur}, []float64{1}); err != nil {
			return err
		}
		if err := l.env.step(l.cur, l.cur, l.a, l.b, l.d, []*cuda.Tensor{l.half}, []float64{1}); err != nil {
			return err
		}
		return l.afterExact(false)
	}
	// The probe step with step η' has coefficients (1−η'τ, η'τ, η'); η' = d
	// reproduces both inner rules.
	eta := l.d
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, pi, half, hp := w.v[0], w.v[1], w.v[2], w.v[3], w.v[4]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		expInto(pi, theta)
		copy(half, theta)
		probeStep(l.env.Game, w, l.prob, c, half, ref, pi, eta, l.tau, l.samples)
		expInto(hp, half)
		probeStep(l.env.Game, w, l.prob, c, theta, ref, hp, eta, l.tau, l.samples)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(nil)
}
