package agents

import (
	"github.com/selfplay-lab/selfplay/cuda"
)

func nashMDAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "nash_md",
		Summary: "Nash-MD (NLHF): mirror step against the geometric mixture π_t^(1−ητ)·ref^(ητ), last-iterate convergence to π*_τ",
		Source:  "algorithms.md §4.1 [card]; sampled loss: EGPO simulation code [code:zhourunlong/EGPO_public]",
		Params: []Param{
			{Name: "eta", Default: 0.1, Doc: "step size η (constant schedule; ητ ≤ 1)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ > 0"},
			paramSchedule("constant", ", theory (η_t = 2/(τ(t+2)), for which KL(π*_τ‖π_T) ≤ 8/(τ²(T+1)))"),
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newNashMD,
	}
}

// nashMD: log π^μ = normalize((1−η_tτ) log π_t + η_tτ log ref), then
// log π_{t+1} = log π^μ + η_t·P·π^μ (normalized). Sampled: one SGD step on
// the EGPO uniform-probe loss with the opponent response drawn from π^μ.
type nashMD struct {
	*base
	eta, tau float64
	schedule string
	samples  int
	prob     bool
	mix      *cuda.Tensor
}

func newNashMD(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("eta", "tau"); err != nil {
		return nil, err
	}
	if err := p.oneOf("schedule", "constant", "theory"); err != nil {
		return nil, err
	}
	if p.String("schedule") == "constant" && p.Float("eta")*p.Float("tau") > 1 {
		return nil, p.errf("eta", "%v: ητ must be ≤ 1", p.Float("eta"))
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &nashMD{base: b, eta: p.Float("eta"), tau: p.Float("tau"), schedule: p.String("schedule"),
		samples: p.Int("samples"), prob: p.String("labels") == "probability"}
	if o.Mode == Exact {
		if l.mix, err = l.ts.policy(); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

func (l *nashMD) Step(t int) error {
	eta, tau := stepSize(l.schedule, l.eta, l.tau, t), l.tau
	if l.o.Mode == Exact {
		if err := l.env.step(l.mix, l.cur, 1-eta*tau, eta*tau, 0, nil, nil); err != nil {
			return err
		}
		if err := l.env.step(l.cur, l.mix, 1, 0, eta, []*cuda.Tensor{l.mix}, []float64{1}); err != nil {
			return err
		}
		return l.afterExact(false)
	}
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, mix := w.v[0], w.v[1], w.v[2]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		geometricMix(mix, theta, ref, eta*tau)
		probeStep(l.env.Game, w, l.prob, c, theta, ref, mix, eta, tau, l.samples)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(nil)
}

// geometricMix writes into dst the probabilities of the normalized
// geometric mixture logπ^(1−β) + β log ref.
func geometricMix(dst, logPi, logRef []float64, beta float64) {
	for y := range dst {
		dst[y] = (1-beta)*logPi[y] + beta*logRef[y]
	}
	normalizeLog(dst)
	expInto(dst, dst)
}

func nashMDPGAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "nash_md_pg",
		Summary: "Nash-MD-PG: policy gradient of P(π ≻ π^β) − τ KL(π‖ref) against the geometric mixture π^β",
		Source:  "algorithms.md §4.1 [card]; losses as in the EGPO simulation code [code:zhourunlong/EGPO_public]",
		Params: []Param{
			{Name: "lr", Default: 0.1, Doc: "policy-gradient learning rate on the logits"},
			{Name: "beta", Default: 0.125, Doc: "mixture weight β of the alternative policy (0: self-play, 1: best response to ref; NLHF's best 0.125–0.375)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ"},
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newNashMDPG,
	}
}

// nashMDPG ascends, with y ~ π_θ and y' ~ π^β, the gradient
// ∇log π_θ(y)·[J(y, y') − τ(log π_θ(y) − log ref(y))]; exact mode uses its
// expectation lr·π⊙(c − Σπc), c = P·π^β − τ log(π/ref).
type nashMDPG struct {
	pgLearner
	beta float64
}

func newNashMDPG(env *Env, p Params, o Options) (Learner, error) {
	pg, err := newPGLearner(env, p, o, "beta")
	if err != nil {
		return nil, err
	}
	return &nashMDPG{pgLearner: pg, beta: p.Float("beta")}, nil
}

// pgLearner is what Nash-MD-PG and Nash-EMA-PG share: the policy-gradient
// parameters and, in exact mode, the opponent's log-policy opp (the
// mixture π^β, or the EMA policy π̄), the win rates g = P·exp(opp) and the
// cache of π_t. They differ only in the opponent.
type pgLearner struct {
	*base
	lr, tau float64
	samples int
	prob    bool
	opp, g  *cuda.Tensor // exact
	gHost   []float64
	pc      probCache // exact: π_t
}

// newPGLearner checks lr, tau, the sampled-mode parameters and weight (the
// opponent's rate in [0, 1]: beta or ema) and, in exact mode, allocates
// the opponent and the win rates.
func newPGLearner(env *Env, p Params, o Options, weight string) (pgLearner, error) {
	if err := p.positive("lr"); err != nil {
		return pgLearner{}, err
	}
	if r := p.Float(weight); !(r >= 0 && r <= 1) {
		return pgLearner{}, p.errf(weight, "%v: want a number in [0, 1]", r)
	}
	if err := checkTau(p); err != nil {
		return pgLearner{}, err
	}
	if err := sampledParams(p); err != nil {
		return pgLearner{}, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return pgLearner{}, err
	}
	l := pgLearner{base: b, lr: p.Float("lr"), tau: p.Float("tau"),
		samples: p.Int("samples"), prob: p.String("labels") == "probability"}
	if o.Mode == Exact {
		if l.opp, err = l.ts.policy(); err == nil {
			l.g, err = l.ts.policy()
		}
		if err != nil {
			l.Close()
			return pgLearner{}, err
		}
		l.host = append([]float64(nil), env.refHost...)
		l.gHost = make([]float64, env.K*env.B)
		l.pc = newProbCache(l.host, env.K, env.B, l.real.tabular())
	}
	return l, nil
}

func (l *nashMDPG) Step(t int) error {
	if l.o.Mode == Exact {
		if err := l.env.step(l.opp, l.cur, 1-l.beta, l.beta, 0, nil, nil); err != nil {
			return err
		}
		return l.exact()
	}
	return l.sampled(t, func(c int, theta, ref, dst []float64) {
		geometricMix(dst, theta, ref, l.beta)
	})
}

// exact is the expected policy-gradient step on the host copy of the
// policy against the opponent l.opp: the backend computes g = P·exp(opp)
// into l.g (read into l.gHost), and each context's θ moves by
// lr·π⊙(c − ⟨π, c⟩), c = g − τ(θ − log ref).
func (l *pgLearner) exact() error {
	if err := l.env.Backend.WinRates(l.g, l.env.P, []*cuda.Tensor{l.opp}, []float64{1}); err != nil {
		return err
	}
	gHost, pc, lr, tau := l.gHost, l.pc, l.lr, l.tau
	if err := l.env.Backend.Read(gHost, l.g); err != nil {
		return err
	}
	// The host copy is the policy itself (commitHost keeps them equal).
	weights := l.projectionWeights()
	k, b := l.env.K, l.env.B
	l.smp.exactBlocks(func(c0, c1 int, w *work) {
		theta, g := w.blk[0], w.blk[1]
		gather(theta, l.host, k, b, c0, c1)
		gather(g, gHost, k, b, c0, c1)
		for c := c0; c < c1; c++ {
			i := (c - c0) * k
			pi, ok := pc.of(c, w.v[0])
			pgStep(theta[i:i+k], l.env.refOf(c), g[i:i+k], lr, tau, pi, ok)
		}
		scatter(l.host, theta, k, b, c0, c1)
	})
	return l.commitHost(weights)
}

// sampled is one sampled policy-gradient step: per context, n = l.samples
// pairs y ~ π_θ, y' ~ opponent (whose probabilities opp writes into dst
// from θ and log ref), the judgement J(y, y') and the ascent direction
// ∇log π_θ(y)·[J − τ log(π_θ(y)/ref(y))].
func (l *pgLearner) sampled(t int, opp func(c int, theta, ref, dst []float64)) error {
	lr, tau, n, prob := l.lr, l.tau, l.samples, l.prob
	weights := l.policyWeights()
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, ref, pi, mix, grad := w.v[0], w.v[1], w.v[2], w.v[3], w.v[4]
		l.col(theta, l.host, c)
		l.col(ref, l.env.refHost, c)
		expInto(pi, theta)
		opp(c, theta, ref, mix)
		clear(grad)
		sum := 0.0
		for range n {
			y, y2 := sampleFrom(w.rng, pi), sampleFrom(w.rng, mix)
			a := label(l.env.Game, w.rng, prob, c, y, y2) - tau*(theta[y]-ref[y])
			grad[y] += a
			sum += a
		}
		for y := range theta {
			theta[y] += lr * (grad[y] - sum*pi[y]) / float64(n)
		}
		normalizeLog(theta)
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}

// pgStep is the expected Nash-MD-PG step on one context's log-policy theta
// (normalized in place) given the win rates g = P·π^β (overwritten):
// θ += lr·π⊙(c − ⟨π, c⟩), c = g − τ(θ − log ref). pi holds π = exp(θ)
// when current is true and is computed otherwise; it holds the new
// policy's probabilities on return.
func pgStep(theta, ref, g []float64, lr, tau float64, pi []float64, current bool) {
	if !current {
		expVec(pi, theta)
	}
	mean := 0.0
	for y := range g {
		g[y] -= tau * (theta[y] - ref[y])
		mean += pi[y] * g[y]
	}
	for y := range theta {
		theta[y] += lr * pi[y] * (g[y] - mean)
	}
	normalizeLogProbs(theta, pi)
}
