package agents

import (
	"github.com/selfplay-lab/selfplay/cuda"
)

func mmdAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "mmd",
		Summary: "Magnetic Mirror Descent: π_{t+1} ∝ [π_t·ρ^(ητ)·exp(η·P·π_t)]^(1/(1+ητ)), linear last-iterate convergence to π*_τ (magnet ρ = ref)",
		Source:  "algorithms.md §4.10 [abs][code: public NFG learner]",
		Params: []Param{
			{Name: "eta", Default: 0.005, Unverified: true, Doc: "step size η (a public EFG implementation's default; typical 0.005–0.5)"},
			{Name: "tau", Default: 0.05, Unverified: true, Doc: "magnet strength α = τ (a public EFG implementation's default)"},
			{Name: "magnet", Default: "fixed", Doc: "fixed (ρ = ref: converges to π*_τ) or moving (ρ_{t+1} ∝ π_{t+1}^m ρ_t^(1−m): heads to the unregularized Nash)"},
			{Name: "magnet_rate", Default: 0.05, Unverified: true, Doc: "moving-magnet rate m (no source value; 0.05 is this simulator's choice)"},
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newMMD,
	}
}

// mmd runs the closed-form MMD step. Sampled: the same step with an
// unbiased uniform-probe estimate of the action values P·π_t (MMD has no
// preference-sample loss of its own).
type mmd struct {
	*base
	eta, tau, rate float64
	moving         bool
	samples        int
	prob           bool
	magnet         *cuda.Tensor
	magHost        []float64
}

func newMMD(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := checkTau(p); err != nil {
		return nil, err
	}
	if err := p.oneOf("magnet", "fixed", "moving"); err != nil {
		return nil, err
	}
	if m := p.Float("magnet_rate"); !(m > 0 && m <= 1) {
		return nil, p.errf("magnet_rate", "%v: want a number in (0, 1]", m)
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &mmd{base: b, eta: p.Float("eta"), tau: p.Float("tau"), rate: p.Float("magnet_rate"), moving: p.String("magnet") == "moving",
		samples: p.Int("samples"), prob: p.String("labels") == "probability", magnet: env.Ref, magHost: env.refHost}
	if l.moving {
		if o.Mode == Exact {
			if l.magnet, err = l.ts.policy(); err != nil {
				l.Close()
				return nil, err
			}
		} else {
			l.magHost = append([]float64(nil), env.refHost...)
		}
	}
	return l, nil
}

func (l *mmd) Step(t int) error {
	et := l.eta * l.tau
	a, bb, d := 1/(1+et), et/(1+et), l.eta/(1+et)
	if l.o.Mode == Exact {
		s := cuda.Step{Out: l.cur, Base: l.cur, A: a, Ref: l.magnet, B: bb, D: d, P: l.env.P, Opp: []*cuda.Tensor{l.cur}, W: []float64{1}}
		if err := l.env.Backend.Mirror(&s); err != nil {
			return err
		}
		if err := l.afterExact(false); err != nil {
			return err
		}
		if l.moving {
			m := cuda.Step{Out: l.magnet, Base: l.cur, A: l.rate, Ref: l.magnet, B: 1 - l.rate}
			return l.env.Backend.Mirror(&m)
		}
		return nil
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, mag, pi, g := w.v[0], w.v[1], w.v[2], w.v[3]
		l.col(theta, l.host, c)
		l.col(mag, l.magHost, c)
		expInto(pi, theta)
		probeWinRates(l.env.Game, w, l.prob, c, pi, g, l.samples)
		for y := range theta {
			theta[y] = a*theta[y] + bb*mag[y] + d*g[y]
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	if err := l.commitHost(nil); err != nil {
		return err
	}
	if l.moving {
		l.pullHost(l.magHost, 1-l.rate, l.rate)
	}
	return nil
}
