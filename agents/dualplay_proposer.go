package agents

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

// Proposer policy parameterizations (ProposerConfig.Policy).
const (
	// PolicyLogLinear: logit(c, g) = u_c + v_c·z_g + q_c·z_g², with z_g the
	// cell's centre standardized to [−1, 1]: per category, a Gaussian over
	// difficulty (when q_c < 0) whose mean and width are learned. A
	// gradient step that favours one cell also favours its neighbours, as
	// a language-model proposer that learns "harder" generalizes across
	// difficulties.
	PolicyLogLinear = "loglinear"
	// PolicyTabular: one free logit per (category, cell). Cells the policy
	// has abandoned get vanishing gradients, so a tabular proposer locks in
	// early.
	PolicyTabular = "tabular"
)

// DualProposer is the proposer of dual play: a softmax policy over the
// C·G task cells of a game.TaskSpace (action = category·G + cell),
// log-linear or tabular (PolicyLogLinear, PolicyTabular), trained by
// REINFORCE on group-normalized advantages.
//
// The policy has no separate "hack" action: in the task game the chance
// of writing a valid task falls with the difficulty aimed at
// (game.TaskSpace.ValidProb), so a proposer that moves to the hardest cells
// thereby emits mostly invalid tasks. A reward that pays for unsolved
// tasks (naive 1 − p) makes that drift profitable, which is the hacking the
// validity-gated rewards are designed to prevent.
//
// Optionally (ProposerConfig.FormatTokens) a proposal also carries L
// format tokens, each drawn from its position's own softmax, possibly
// top-p truncated (SampleFormat); a proposal whose tokens are not all
// right does not parse. The cell and the format tokens are one model:
// UpdateFormat applies a proposal's advantage to the log-probabilities of
// both, and one optimizer (SGD or Adam, ProposerConfig.Optimizer) moves
// all parameters.
//
// A DualProposer is not safe for concurrent use.
type DualProposer struct {
	cells   int
	lr, ent float64
	// w are the parameters: the logits themselves (tabular), or 3 per
	// category (log-linear: weights on 1, z_g and z_g²).
	w      []float64
	z      []float64 // standardized cell centres (log-linear), nil if tabular
	logits []float64
	probs  []float64
	cdf    []float64
	grad   []float64   // over logits
	pgrad  []float64   // over w (log-linear; the same slice as grad if tabular)
	format *formatHead // nil without format tokens
	adam   *adamState  // nil with SGD; moments of w, then of the format logits
}

// NewDualProposer returns the proposer over space with cfg's policy,
// learning rate, entropy bonus and initial policy (see ProposerConfig).
func NewDualProposer(space *game.TaskSpace, cfg ProposerConfig) *DualProposer {
	c, g := space.NumCategories(), space.NumCells()
	p := &DualProposer{cells: g, lr: cfg.LR, ent: cfg.Entropy,
		logits: make([]float64, c*g), probs: make([]float64, c*g), cdf: make([]float64, c*g), grad: make([]float64, c*g)}
	if cfg.FormatTokens > 0 {
		p.format = newFormatHead(cfg)
	}
	lo, _ := space.CellBounds(0)
	_, hi := space.CellBounds(g - 1)
	mid, half := (lo+hi)/2, (hi-lo)/2
	var u, v, q float64 // initial per-category weights on 1, z, z²
	if cfg.InitWidth > 0 {
		// −(b − μ)²/(2σ²) with b = mid + half·z.
		s2 := cfg.InitWidth * cfg.InitWidth
		d := mid - cfg.InitCenter
		u, v, q = -d*d/(2*s2), -half*d/s2, -half*half/(2*s2)
	}
	if cfg.Policy == PolicyTabular {
		p.w = p.logits
		for cat := range c {
			for cell := range g {
				z := (space.CellCenter(cell) - mid) / half
				p.w[cat*g+cell] = u + v*z + q*z*z
			}
		}
	} else {
		p.z = make([]float64, g)
		for cell := range g {
			p.z[cell] = (space.CellCenter(cell) - mid) / half
		}
		p.w = make([]float64, 3*c)
		for cat := range c {
			p.w[3*cat], p.w[3*cat+1], p.w[3*cat+2] = u, v, q
		}
	}
	p.pgrad = p.grad
	if p.z != nil {
		p.pgrad = make([]float64, len(p.w))
	}
	if cfg.Optimizer == OptimizerAdam {
		k := len(p.w)
		if p.format != nil {
			k += len(p.format.logits)
		}
		p.adam = newAdamState(k)
	}
	p.refresh()
	return p
}

// clone returns an independent copy (population snapshots).
func (p *DualProposer) clone() *DualProposer {
	k := len(p.logits)
	c := &DualProposer{cells: p.cells, lr: p.lr, ent: p.ent, z: p.z, logits: append([]float64(nil), p.logits...),
		probs: make([]float64, k), cdf: make([]float64, k), grad: make([]float64, k)}
	if p.z == nil {
		c.w = c.logits
		c.pgrad = c.grad
	} else {
		c.w = append([]float64(nil), p.w...)
		c.pgrad = make([]float64, len(p.w))
	}
	if p.format != nil {
		c.format = p.format.clone()
	}
	if p.adam != nil {
		c.adam = p.adam.clone()
	}
	c.refresh()
	return c
}

// refresh recomputes logits (log-linear), probs and cdf from the
// parameters (max-shifted softmax).
func (p *DualProposer) refresh() {
	if p.z != nil {
		g := p.cells
		for cat := range len(p.logits) / g {
			u, v, q := p.w[3*cat], p.w[3*cat+1], p.w[3*cat+2]
			for cell, z := range p.z {
				p.logits[cat*g+cell] = u + v*z + q*z*z
			}
		}
	}
	m := math.Inf(-1)
	for _, l := range p.logits {
		m = max(m, l)
	}
	s := 0.0
	for i, l := range p.logits {
		e := math.Exp(l - m)
		p.probs[i] = e
		s += e
	}
	acc := 0.0
	for i := range p.probs {
		p.probs[i] /= s
		acc += p.probs[i]
		p.cdf[i] = acc
	}
}

// NumActions returns C·G.
func (p *DualProposer) NumActions() int { return len(p.logits) }

// Action returns the action index of (category, cell).
func (p *DualProposer) Action(category, cell int) int { return category*p.cells + cell }

// Cell returns the (category, cell) of an action.
func (p *DualProposer) Cell(action int) (category, cell int) {
	return action / p.cells, action % p.cells
}

// Probs returns the policy π indexed by action (a view, valid until the
// next Update).
func (p *DualProposer) Probs() []float64 { return p.probs }

// Logits returns a copy of the logits, indexed by action.
func (p *DualProposer) Logits() []float64 { return append([]float64(nil), p.logits...) }

// Params returns a copy of the parameters: the logits (tabular) or
// (u_c, v_c, q_c) for each category c in turn (log-linear).
func (p *DualProposer) Params() []float64 { return append([]float64(nil), p.w...) }

// Sample draws an action from π.
func (p *DualProposer) Sample(r *rand.Rand) int {
	u := r.Float64() * p.cdf[len(p.cdf)-1]
	lo, hi := 0, len(p.cdf)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if u < p.cdf[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// FormatTokens returns the number L of format positions (0 without).
func (p *DualProposer) FormatTokens() int {
	if p.format == nil {
		return 0
	}
	return p.format.l
}

// FormatProbs returns the full softmax over the V tokens of format
// position pos (a view, valid until the next update; token 0 is the right
// one).
func (p *DualProposer) FormatProbs(pos int) []float64 {
	v := p.format.v
	return p.format.probs[pos*v : (pos+1)*v]
}

// FormatSamplingProbs writes the distribution SampleFormat draws position
// pos's token from into dst (length V): the top-p nucleus of
// FormatProbs(pos), renormalized, or FormatProbs(pos) itself with top_p 1.
func (p *DualProposer) FormatSamplingProbs(pos int, dst []float64) {
	p.format.nucleusProbs(pos, dst)
}

// SampleFormat draws the L format tokens of one proposal into dst (length
// L, one uniform draw per position; nothing without format tokens) and
// reports whether the proposal parses: every token right.
func (p *DualProposer) SampleFormat(r *rand.Rand, dst []int) bool {
	if p.format == nil {
		return true
	}
	if len(dst) != p.format.l {
		panic(fmt.Sprintf("agents: SampleFormat into %d tokens, want %d", len(dst), p.format.l))
	}
	return p.format.sample(r, dst)
}

// FormatEntropy returns the mean over format positions of the entropy of
// their full softmax, in nats (0 without format tokens).
func (p *DualProposer) FormatEntropy() float64 {
	if p.format == nil {
		return 0
	}
	return p.format.entropy()
}

// Entropy returns H(π) in nats.
func (p *DualProposer) Entropy() float64 {
	h := 0.0
	for _, q := range p.probs {
		if q > 0 {
			h -= q * math.Log(q)
		}
	}
	return h
}

// Update takes one REINFORCE step from the actions of a batch and their
// advantages (same length; entries with a negative action are skipped and
// do not count): with the gradient over logits
//
//	g = (1/n) Σ_i A_i (e_{a_i} − π) + β ∇H(π),   ∂H/∂logit_k = −π_k (log π_k + H),
//
// n the number of counted actions, the parameters move by lr·g (tabular)
// or lr·Φᵀg (log-linear, Φ the features). Advantages are whatever the
// caller's normalization made them (GRPO, Dr.GRPO, TRR++). With Adam
// (ProposerConfig.Optimizer) the step is Adam's on the same gradient. It
// does not allocate. A proposer with format tokens is updated by
// UpdateFormat.
func (p *DualProposer) Update(actions []int, adv []float64) {
	p.UpdateFormat(actions, nil, adv)
}

// UpdateFormat is Update for a proposer with format tokens: tokens holds
// L entries per action (proposal i's at [i·L, (i+1)·L)), and each counted
// proposal's advantage also applies to its format tokens' log-probabilities
// under the full softmax, g_l = (1/n) Σ_i A_i (e_{t_il} − π_l), whatever
// distribution (top-p) they were sampled from. The entropy bonus acts on
// the cell policy only. tokens must be nil without format tokens.
func (p *DualProposer) UpdateFormat(actions, tokens []int, adv []float64) {
	if len(actions) != len(adv) {
		panic(fmt.Sprintf("agents: DualProposer.Update with %d actions and %d advantages", len(actions), len(adv)))
	}
	if l := p.FormatTokens(); len(tokens) != l*len(actions) {
		panic(fmt.Sprintf("agents: DualProposer.Update with %d format tokens for %d actions of %d", len(tokens), len(actions), l))
	}
	clear(p.grad)
	n, sumA := 0, 0.0
	for i, a := range actions {
		if a < 0 {
			continue
		}
		n++
		p.grad[a] += adv[i]
		sumA += adv[i]
	}
	if n > 0 {
		inv := 1 / float64(n)
		for k := range p.grad {
			p.grad[k] = (p.grad[k] - sumA*p.probs[k]) * inv
		}
	}
	if p.ent > 0 {
		h := p.Entropy()
		for k, q := range p.probs {
			if q > 0 {
				p.grad[k] -= p.ent * q * (math.Log(q) + h)
			}
		}
	}
	if p.z != nil {
		// Chain rule through the features: ∂/∂(u, v, q)_c = Σ_g g_{c,g}·(1, z_g, z_g²).
		g := p.cells
		for cat := range len(p.logits) / g {
			var du, dv, dq float64
			for cell, z := range p.z {
				x := p.grad[cat*g+cell]
				du += x
				dv += x * z
				dq += x * z * z
			}
			p.pgrad[3*cat], p.pgrad[3*cat+1], p.pgrad[3*cat+2] = du, dv, dq
		}
	}
	f := p.format
	if f != nil {
		f.gradient(actions, tokens, adv, n, sumA)
	}
	if p.adam == nil {
		for k, g := range p.pgrad {
			p.w[k] += p.lr * g
		}
		if f != nil {
			for k, g := range f.grad {
				f.logits[k] += p.lr * g
			}
		}
	} else {
		p.adam.begin()
		p.adam.apply(0, p.w, p.pgrad, p.lr)
		if f != nil {
			p.adam.apply(len(p.w), f.logits, f.grad, p.lr)
		}
	}
	p.refresh()
	if f != nil {
		f.refresh()
	}
}
