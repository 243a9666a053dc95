package leaguesim

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
)

// Update rules of a learner (LearnerConfig.Rule). Both are steps of the
// generic NLHF mirror update of packages agents and cuda, taken against
// the learner's opponents instead of against itself:
//
//	mirror: log π' = (1−ητ)·log π + ητ·log ref + η·G − log Z   (τ = 0: Hedge / MW)
//	br:     log π' = log ref + G/τ − log Z                        (τ > 0: softmax best response)
//	br:     π' = the pure response argmax_y G(y) in every context (τ = 0)
//
// where G(y) is the win rate of response y against the opponents. In the
// Exact mode G = P·q for q the league's exact opponent distribution
// (State.Opponents) mixed in probability space; in the Sampled mode G is
// estimated from the judgements of the learner's own matches of the round
// (see sampledWinRates).
const (
	RuleMirror       = "mirror"
	RuleBestResponse = "br"
)

// argmaxTolerance: win rates within this of the best count as ties, broken
// toward the lowest response index, so rounding noise in an exact G (the
// uniform mixture of rock-paper-scissors) cannot pick the response.
const argmaxTolerance = 1e-12

// trainer holds one learner's policy on the shared Env and steps it.
// It is used from one goroutine (Run's).
type trainer struct {
	id      string
	cfg     LearnerConfig
	env     *agents.Env
	cur     *cuda.Tensor // K×B log π, kept equal to pol
	opp     *cuda.Tensor // K×B log q (exact mode)
	g       *cuda.Tensor // K×B win rates G
	pol     *Policy
	initial *Policy
	step    uint64
	host    []float64 // K×B scratch
}

func newTrainer(env *agents.Env, cfg LearnerConfig, init *Policy) (*trainer, error) {
	t := &trainer{id: cfg.ID, cfg: cfg, env: env, pol: init, initial: init, host: make([]float64, env.K*env.B)}
	be := env.Backend
	for _, dst := range []**cuda.Tensor{&t.cur, &t.opp, &t.g} {
		x, err := be.Alloc(env.K, env.B)
		if err != nil {
			t.close()
			return nil, fmt.Errorf("leaguesim: learner %s: %w", cfg.ID, err)
		}
		*dst = x
	}
	if err := be.Write(t.cur, init.LogProb); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *trainer) close() {
	for _, x := range []*cuda.Tensor{t.cur, t.opp, t.g} {
		if x != nil {
			t.env.Backend.Free(x)
		}
	}
}

// load makes p the learner's policy (a reset).
func (t *trainer) load(p *Policy) error {
	t.pol = p
	return t.env.Backend.Write(t.cur, p.LogProb)
}

// updateExact steps the policy against the opponent mixture q.
func (t *trainer) updateExact(q *Policy) error {
	be := t.env.Backend
	if err := be.Write(t.opp, q.LogProb); err != nil {
		return err
	}
	opp, w := []*cuda.Tensor{t.opp}, []float64{1}
	if t.cfg.Rule == RuleBestResponse && t.cfg.Tau == 0 {
		if err := be.WinRates(t.g, t.env.P, opp, w); err != nil {
			return err
		}
		if err := be.Read(t.host, t.g); err != nil {
			return err
		}
		return t.pure(t.host)
	}
	s := t.mirrorStep()
	s.P, s.Opp, s.W = t.env.P, opp, w
	return t.finish(s)
}

// updateSampled steps the policy against win rates estimated from the
// judgements of its matches.
func (t *trainer) updateSampled(js []Judgement) error {
	sampledWinRates(t.host, js, t.env.K, t.env.B)
	if t.cfg.Rule == RuleBestResponse && t.cfg.Tau == 0 {
		return t.pure(t.host)
	}
	if err := t.env.Backend.Write(t.g, t.host); err != nil {
		return err
	}
	s := t.mirrorStep()
	s.G = t.g
	return t.finish(s)
}

// mirrorStep returns the coefficients of the learner's rule.
func (t *trainer) mirrorStep() *cuda.Step {
	eta, tau := t.cfg.Eta, t.cfg.Tau
	s := &cuda.Step{Out: t.cur, Ref: t.env.Ref}
	if t.cfg.Rule == RuleBestResponse {
		s.B, s.D = 1, 1/tau
		return s
	}
	s.Base, s.A, s.B, s.D = t.cur, 1-eta*tau, eta*tau, eta
	return s
}

// finish runs s and reads the new policy back.
func (t *trainer) finish(s *cuda.Step) error {
	be := t.env.Backend
	if err := be.Mirror(s); err != nil {
		return fmt.Errorf("leaguesim: learner %s: %w", t.id, err)
	}
	if err := be.Read(t.host, t.cur); err != nil {
		return err
	}
	// The kernel normalized the policy; keep its bits, so the stored policy
	// is exactly the one the next step starts from.
	p, _, msg := checkedPolicy(t.env.K, t.env.B, append([]float64(nil), t.host...))
	if msg != "" {
		return fmt.Errorf("leaguesim: learner %s step %d: %w: %s (step too large?)", t.id, t.step+1, ErrPolicy, msg)
	}
	t.pol = p
	return nil
}

// pure makes the policy the best pure response to the win rates g (K×B).
func (t *trainer) pure(g []float64) error {
	k, b := t.env.K, t.env.B
	lp := make([]float64, k*b)
	for c := range b {
		best := 0
		for y := 1; y < k; y++ {
			if g[y*b+c] > g[best*b+c]+argmaxTolerance {
				best = y
			}
		}
		for y := range k {
			lp[y*b+c] = negInf
		}
		lp[best*b+c] = 0
	}
	p := &Policy{K: k, B: b, LogProb: lp}
	return t.load(p)
}

// sampledWinRates writes into g (K×B) the estimate of each response's win
// rate from the judgements: (points + ½)/(games + 1) over the judgements
// in which the learner gave that response in that context. The half game
// of prior keeps responses without data at ½ and bounds the estimate away
// from 0 and 1; the per-response mean needs no importance weights, which
// would explode for responses the policy rarely plays.
func sampledWinRates(g []float64, js []Judgement, k, b int) {
	games := make([]float64, k*b)
	for i := range g {
		g[i] = 0.5
	}
	for _, j := range js {
		i := j.Home*b + j.Context
		games[i]++
		g[i] += j.Score
	}
	for i := range g {
		g[i] /= games[i] + 1
	}
}
