package agents

func dnoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "dno",
		Summary: "Direct Nash Optimization: soft policy iteration π_{t+1} ∝ π_t·exp(η·r_t), r_t = P(y ≻ π_t), by on-policy regression",
		Source:  "algorithms.md §4.4 [abs + unverified algebra]",
		Params: []Param{
			{Name: "eta", Default: 1.0, Doc: "step size η (the DPO β of DNO-Prct is 1/η)"},
			{Name: "samples", Default: 5, Sampled: true, Unverified: true,
				Doc: "on-policy responses per context and iteration, all pairs judged (DNO-Prct K = 5 is unverified)"},
			paramLabels("bernoulli"),
		},
		build: newDNO,
	}
}

// dno is exact MW in the exact mode. Sampled: N responses from π_t, every
// pair judged once; r̂(y) is the mean win fraction of the samples equal to
// y (1/2, the policy's own average, for responses not sampled). The
// pairwise logistic regression with soft labels σ(r̂(y1) − r̂(y2)) and logits
// (1/η)·[log π(y1)/π_t(y1) − log π(y2)/π_t(y2)] is minimized exactly by
// log π = log π_t + η·r̂ for a tabular policy — whichever side η sits on,
// which is why its unverified placement does not matter here.
type dno struct {
	*base
	eta     float64
	samples int
	prob    bool
}

func newDNO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := p.atLeast("samples", 2); err != nil {
		return nil, err
	}
	if err := p.oneOf("labels", "bernoulli", "probability"); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	return &dno{base: b, eta: p.Float("eta"), samples: p.Int("samples"), prob: p.String("labels") == "probability"}, nil
}

func (l *dno) Step(t int) error {
	if l.o.Mode == Exact {
		return mwStep(l.base, l.eta)
	}
	weights := l.policyWeights()
	g := l.env.Game
	n := l.samples
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, pi, sum, cnt := w.v[0], w.v[1], w.v[2], w.v[3]
		l.col(theta, l.host, c)
		expInto(pi, theta)
		ys := w.ints(n)
		r := w.floats(n)
		for i := range ys {
			ys[i] = sampleFrom(w.rng, pi)
		}
		clear(r)
		judgePairs(r, g, w.rng, l.prob, c, ys)
		clear(sum)
		clear(cnt)
		for i, y := range ys {
			sum[y] += r[i] / float64(n-1)
			cnt[y]++
		}
		for y := range theta {
			rhat := 0.5
			if cnt[y] > 0 {
				rhat = sum[y] / cnt[y]
			}
			theta[y] += l.eta * rhat
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}
