package agents

import "github.com/selfplay-lab/selfplay/cuda"

func nashEMAPGAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "nash_ema_pg",
		Summary: "Nash-EMA-PG (NLHF): policy gradient of P(π ≻ π̄) − τ KL(π‖ref) against the policy with EMA parameters θ̄ (fictitious-play flavour)",
		Source:  "algorithms.md §4.1 [card; EMA recursion unverified]; losses as Nash-MD-PG's",
		Params: []Param{
			{Name: "lr", Default: 0.1, Doc: "policy-gradient learning rate on the logits"},
			{Name: "ema", Default: 0.999, Unverified: true,
				Doc: "EMA rate β of the opponent's parameters, θ̄ ← β·θ̄ + (1−β)·θ after every step (the card's values 0.999, 0.9995; the recursion itself is unverified: 0 is Nash-MD-PG's self-play, 1 a best response to ref)"},
			{Name: "tau", Default: 0.1, Doc: "KL regularization τ"},
			paramSamples(100),
			paramLabels("bernoulli"),
		},
		build: newNashEMAPG,
	}
}

// nashEMAPG is Nash-MD-PG with another opponent: the policy whose
// parameters are an exponential moving average of the learner's,
// θ̄_{t+1} = β·θ̄_t + (1−β)·θ_{t+1}, θ̄_0 = θ_0 = log ref. For the tabular
// and log-linear classes the log-policy is linear in the parameters up to
// a per-context constant, so the average is kept on normalized
// log-probabilities. Exact mode: θ += lr·π⊙(c − ⟨π, c⟩) with
// c = P·π̄ − τ(θ − log ref); sampled: y ~ π_θ, y' ~ π̄ and the sample
// gradient of Nash-MD-PG.
//
// algorithms.md words the recursion as "θ̄ ← β θ̄ + (1−β) θ" and marks it
// unverified (the model card words it differently); the rate is the
// parameter ema and the average is updated after the policy step.
type nashEMAPG struct {
	pgLearner
	rate    float64
	avgHost []float64 // sampled: θ̄ (exact mode keeps it in opp)
}

func newNashEMAPG(env *Env, p Params, o Options) (Learner, error) {
	pg, err := newPGLearner(env, p, o, "ema")
	if err != nil {
		return nil, err
	}
	l := &nashEMAPG{pgLearner: pg, rate: p.Float("ema")}
	if o.Mode != Exact {
		l.avgHost = append([]float64(nil), env.refHost...)
	}
	return l, nil
}

func (l *nashEMAPG) Step(t int) error {
	if l.o.Mode == Exact {
		if err := l.exact(); err != nil {
			return err
		}
		s := cuda.Step{Out: l.opp, Base: l.cur, A: 1 - l.rate, Ref: l.opp, B: l.rate}
		return l.env.Backend.Mirror(&s)
	}
	err := l.sampled(t, func(c int, _, _, dst []float64) {
		l.col(dst, l.avgHost, c)
		expInto(dst, dst)
	})
	if err != nil {
		return err
	}
	l.pullHost(l.avgHost, l.rate, 1-l.rate)
	return nil
}
