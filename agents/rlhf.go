package agents

import (
	"math"

	"github.com/selfplay-lab/selfplay/cuda"
)

func rlhfAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "rlhf",
		Summary: "RLHF baseline: fit a Bradley–Terry reward on pairs from μ_s, then KL-regularized policy optimization toward π ∝ ref·exp(r/τ)",
		Source:  "algorithms.md §3.1 [card; standard]",
		Params: []Param{
			{Name: "tau", Default: 0.05, Doc: "KL regularization τ of the policy step (NLHF's baseline: 0.05)"},
			{Name: "eta", Default: 0.0, Doc: "policy step η of log π ← (1−ητ) log π + ητ log ref + η r; 0 means 1/τ (the closed form in one step)"},
			paramPairs(),
			{Name: "ridge", Default: 1e-4, Doc: "ridge (λ/2)|r|² of the reward fit, per unit of pair weight (keeps the fit finite on deterministic judgements)"},
			paramSamples(1000),
			paramLabels("bernoulli"),
		},
		build: newRLHF,
	}
}

func paramPairs() Param {
	return Param{Name: "pairs", Default: "uniform",
		Doc: "pair distribution μ_s of the preference data: uniform (all ordered pairs of distinct responses) or ref (both from the reference)"}
}

// rlhf fits r per context by maximum likelihood (exact: soft labels P on
// the pair distribution; sampled: N Bernoulli-labelled pairs), then runs
// mirror steps with G = r through the backend.
type rlhf struct {
	*base
	tau, eta, ridge float64
	pairs           string
	samples         int
	prob            bool
	reward          *cuda.Tensor
	rewardHost      []float64
}

func newRLHF(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("tau"); err != nil {
		return nil, err
	}
	if err := p.nonNegative("eta", "ridge"); err != nil {
		return nil, err
	}
	if err := p.oneOf("pairs", "uniform", "ref"); err != nil {
		return nil, err
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	eta := p.Float("eta")
	if eta == 0 {
		eta = 1 / p.Float("tau")
	}
	if eta*p.Float("tau") > 1 {
		return nil, p.errf("eta", "%v: ητ must be ≤ 1", eta)
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &rlhf{base: b, tau: p.Float("tau"), eta: eta, ridge: p.Float("ridge"), pairs: p.String("pairs"),
		samples: p.Int("samples"), prob: p.String("labels") == "probability"}
	if l.reward, err = l.ts.policy(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Rewards returns the fitted K×B rewards (centred per context), nil before
// the first step.
func (l *rlhf) Rewards() []float64 { return l.rewardHost }

func (l *rlhf) Step(t int) error {
	if t == 0 {
		l.rewardHost = fitRewards(l.base, l.pairs, l.samples, l.prob, l.ridge)
		if err := l.env.Backend.Write(l.reward, l.rewardHost); err != nil {
			return err
		}
	}
	s := cuda.Step{Out: l.cur, Base: l.cur, A: 1 - l.eta*l.tau, Ref: l.env.Ref, B: l.eta * l.tau, D: l.eta, G: l.reward}
	if err := l.env.Backend.Mirror(&s); err != nil {
		return err
	}
	if l.host != nil {
		if err := l.env.Backend.Read(l.host, l.cur); err != nil {
			return err
		}
		return l.commitHost(nil)
	}
	return nil
}

// pairStats writes into wins (K×K) the judgement weight of i beating j in
// context c, normalized to total 1 over all judgements: exactly
// 2ω_ij·P_ij for the pair distribution ω in the exact mode, and the label
// frequencies of n sampled pairs otherwise.
func pairStats(b *base, w *work, c int, omega []float64, n int, prob bool, wins []float64) {
	k := b.env.K
	clear(wins[:k*k])
	if b.o.Mode == Exact {
		m := b.env.Game.Matrix(c)
		for i := range k * k {
			wins[i] = 2 * omega[i] * m[i]
		}
		return
	}
	for range n {
		y, y2 := samplePair(w, omega, k)
		z := label(b.env.Game, w.rng, prob, c, y, y2)
		wins[y*k+y2] += z / float64(n)
		wins[y2*k+y] += (1 - z) / float64(n)
	}
}

// fitRewards fits centred Bradley–Terry rewards per context (K×B).
func fitRewards(b *base, pairs string, n int, prob bool, ridge float64) []float64 {
	k := b.env.K
	out := make([]float64, k*b.env.B)
	b.smp.each(0, streamData, func(c int, w *work) {
		omega, wins := w.m2, w.m
		pairWeights(b.env, pairs, c, omega)
		pairStats(b, w, c, omega, n, prob, wins)
		r := w.v[0]
		clear(r)
		_ = fitBradleyTerry(r, wins, k, max(ridge, 1e-12))
		mean := 0.0
		for _, v := range r {
			mean += v / float64(k)
		}
		for y := range r {
			r[y] -= mean
			if math.IsNaN(r[y]) {
				r[y] = 0
			}
		}
		setCol(out, r, k, b.env.B, c)
	})
	return out
}
