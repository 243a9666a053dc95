package agents

import "github.com/selfplay-lab/selfplay/cuda"

func spoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "spo",
		Summary: "Self-Play Preference Optimization: multiplicative weights on the win rate against the current policy, no reference anchor",
		Source:  "algorithms.md §4.2 [abs]; sampled: win-proportion rewards fed to importance-weighted Hedge [derived]",
		Params: []Param{
			{Name: "eta", Default: 0.5, Doc: "step size η of the no-regret (Hedge) learner"},
			paramSchedule("constant", ""),
			paramSamples(8),
			paramLabels("bernoulli"),
		},
		build: newSPO,
	}
}

// spo is SPO's tabular analogue: log π_{t+1} = log π_t + η·P(y ≻ π_t).
// Sampled: N responses from π_t, each rewarded with the fraction of the
// other N − 1 it beats; Hedge on the importance-weighted estimate
// ĝ(y) = Σ_{i: y_i = y} r_i / (N·π_t(y)), unbiased for P(y ≻ π_t).
type spo struct {
	*base
	eta      float64
	schedule string
	samples  int
	prob     bool
}

func newSPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := p.oneOf("schedule", "constant", "sqrt"); err != nil {
		return nil, err
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	if o.Mode == Sampled {
		if err := p.atLeast("samples", 2); err != nil {
			return nil, err
		}
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	return &spo{base: b, eta: p.Float("eta"), schedule: p.String("schedule"), samples: p.Int("samples"), prob: p.String("labels") == "probability"}, nil
}

// mwStep is the exact multiplicative-weights step on cur with step eta.
func mwStep(b *base, eta float64) error {
	if err := b.env.step(b.cur, b.cur, 1, 0, eta, []*cuda.Tensor{b.cur}, []float64{1}); err != nil {
		return err
	}
	return b.afterExact(true)
}

func (l *spo) Step(t int) error {
	eta := stepSize(l.schedule, l.eta, 0, t)
	if l.o.Mode == Exact {
		return mwStep(l.base, eta)
	}
	weights := l.policyWeights()
	g := l.env.Game
	n := l.samples
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, pi, ghat := w.v[0], w.v[1], w.v[2]
		l.col(theta, l.host, c)
		expInto(pi, theta)
		ys := w.ints(n)
		for i := range ys {
			ys[i] = sampleFrom(w.rng, pi)
		}
		r := w.floats(n)
		clear(r)
		judgePairs(r, g, w.rng, l.prob, c, ys)
		clear(ghat)
		for i, y := range ys {
			ghat[y] += r[i] / float64(n-1)
		}
		for y := range theta {
			if ghat[y] != 0 {
				theta[y] += eta * ghat[y] / (float64(n) * pi[y])
			}
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}
