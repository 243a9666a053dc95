package agents

func sppoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "sppo",
		Summary: "Self-Play Preference Optimization (Wu et al.): π_{t+1} ∝ π_t·exp(η·P(y ≻ π_t)), trained with the SPPO square loss",
		Source:  "algorithms.md §4.3 [code:uclaml/SPPO]",
		Params: []Param{
			{Name: "eta", Default: 1.0, Doc: "step size η = 1/β (the paper's LLM runs use β = 0.001, η = 1000)"},
			{Name: "group", Default: 5, Sampled: true, Doc: "responses sampled per prompt and scored against each other (paper: 5)"},
			{Name: "groups", Default: 1, Sampled: true, Doc: "sampled groups per context and iteration"},
			{Name: "keep", Default: "extremes", Sampled: true, Doc: "responses entering the loss: extremes (the argmax and argmin of the estimated win rate, as in the paper) or all"},
			paramLabels("probability"),
		},
		build: newSPPO,
	}
}

// sppo is exact MW in the exact mode. Sampled: for each group of m
// responses from π_t, P̂(y_k ≻ π_t) = (1/m) Σ_j J(y_k, y_j) with the
// self-term 1/2; the kept responses regress log π(y)/π_t(y) onto
// η(P̂(y) − 1/2) (the paper's 1/2 standing in for the log-partition). For a
// tabular policy that regression is solved per response — each kept
// response gets the mean of its targets, responses never kept keep their
// log-probability — and the softmax renormalizes.
type sppo struct {
	*base
	eta           float64
	group, groups int
	all, prob     bool
}

func newSPPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta"); err != nil {
		return nil, err
	}
	if err := p.atLeast("group", 2); err != nil {
		return nil, err
	}
	if err := p.atLeast("groups", 1); err != nil {
		return nil, err
	}
	if err := p.oneOf("keep", "extremes", "all"); err != nil {
		return nil, err
	}
	if err := p.oneOf("labels", "bernoulli", "probability"); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	return &sppo{base: b, eta: p.Float("eta"), group: p.Int("group"), groups: p.Int("groups"),
		all: p.String("keep") == "all", prob: p.String("labels") == "probability"}, nil
}

func (l *sppo) Step(t int) error {
	if l.o.Mode == Exact {
		return mwStep(l.base, l.eta)
	}
	weights := l.policyWeights()
	g := l.env.Game
	m := l.group
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, pi, sum, cnt := w.v[0], w.v[1], w.v[2], w.v[3]
		l.col(theta, l.host, c)
		expInto(pi, theta)
		clear(sum)
		clear(cnt)
		ys := w.ints(m)
		score := w.floats(m)
		for range l.groups {
			for i := range ys {
				ys[i] = sampleFrom(w.rng, pi)
			}
			for i := range score {
				score[i] = 0.5 // self-comparison
			}
			judgePairs(score, g, w.rng, l.prob, c, ys)
			keep := func(i int) {
				sum[ys[i]] += l.eta * (score[i]/float64(m) - 0.5)
				cnt[ys[i]]++
			}
			if l.all {
				for i := range m {
					keep(i)
				}
				continue
			}
			hi, lo := extremes(score)
			keep(hi)
			if lo != hi {
				keep(lo)
			}
		}
		for y := range theta {
			if cnt[y] > 0 {
				theta[y] += sum[y] / cnt[y]
			}
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}
