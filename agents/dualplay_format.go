package agents

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// Proposer optimizers (ProposerConfig.Optimizer).
const (
	// OptimizerSGD moves the parameters by lr times the gradient.
	OptimizerSGD = "sgd"
	// OptimizerAdam is Adam (Kingma & Ba 2015) with β1 0.9, β2 0.999 and
	// ε 1e-8, the optimizer of LLM trainers: each parameter moves by about
	// lr per step while its gradient keeps one sign, however small the
	// gradient.
	OptimizerAdam = "adam"
)

// Adam's constants (OptimizerAdam).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// formatHead is the proposer's format model (ProposerConfig.FormatTokens):
// a proposal carries L format positions, and at each the proposer draws
// one token from its own softmax over V tokens. Token 0 is the right one;
// the proposal parses only if every position drew it. Positions are
// independent of each other and of the task cell, as the boilerplate of a
// language model's proposal (the tags, the JSON keys) is of its content.
//
// Sampling may be truncated to each position's top-p nucleus (TopP < 1)
// while the gradient is that of the full softmax, as when an LLM's rollout
// engine samples with top-p and the trainer differentiates the untruncated
// log-probabilities: tokens outside the nucleus are never sampled, so
// never lowered by a sampled penalty, but the normalizer still moves them.
type formatHead struct {
	l, v   int
	topP   float64
	logits []float64 // l·v, position-major
	probs  []float64 // full softmax per position
	grad   []float64
	// order lists each position's tokens by decreasing probability (ties
	// to the lower token) when sampling is truncated, the identity
	// otherwise; cum is the cumulative probability along order and size
	// the nucleus size, so a position samples from order[:size].
	order []int32
	cum   []float64
	size  []int
}

func newFormatHead(cfg ProposerConfig) *formatHead {
	l, v := cfg.FormatTokens, cfg.FormatVocab
	f := &formatHead{l: l, v: v, topP: cmp.Or(cfg.TopP, 1),
		logits: make([]float64, l*v), probs: make([]float64, l*v), grad: make([]float64, l*v),
		order: make([]int32, l*v), cum: make([]float64, l*v), size: make([]int, l)}
	// Logits 0 for the bad tokens and ln(g0·(V−1)/(1−g0)) for the right
	// one give it probability g0 and the V−1 bad tokens (1−g0)/(V−1) each.
	right := math.Log(cfg.FormatInit * float64(v-1) / (1 - cfg.FormatInit))
	for pos := range l {
		f.logits[pos*v] = right
	}
	f.refresh()
	return f
}

func (f *formatHead) clone() *formatHead {
	c := *f
	c.logits = slices.Clone(f.logits)
	c.probs = slices.Clone(f.probs)
	c.grad = make([]float64, len(f.grad))
	c.order = slices.Clone(f.order)
	c.cum = slices.Clone(f.cum)
	c.size = slices.Clone(f.size)
	return &c
}

// refresh recomputes the softmax of every position and its nucleus.
func (f *formatHead) refresh() {
	v := f.v
	for pos := range f.l {
		lg, pr := f.logits[pos*v:(pos+1)*v], f.probs[pos*v:(pos+1)*v]
		m := math.Inf(-1)
		for _, x := range lg {
			m = max(m, x)
		}
		s := 0.0
		for i, x := range lg {
			e := math.Exp(x - m)
			pr[i] = e
			s += e
		}
		for i := range pr {
			pr[i] /= s
		}
		ord, cum := f.order[pos*v:(pos+1)*v], f.cum[pos*v:(pos+1)*v]
		for i := range ord {
			ord[i] = int32(i)
		}
		size := v
		if top := argmax(pr); f.topP < 1 && pr[top] >= f.topP {
			// The most probable token alone is the nucleus (the usual
			// case of a nearly deterministic format token): no sort.
			ord[0], ord[top] = ord[top], ord[0]
			size = 1
		} else if f.topP < 1 {
			slices.SortStableFunc(ord, func(a, b int32) int { return cmp.Compare(pr[b], pr[a]) })
			// The nucleus: the most probable tokens whose mass first
			// reaches top_p.
			acc := 0.0
			for i, t := range ord {
				if acc >= f.topP {
					size = i
					break
				}
				acc += pr[t]
			}
		}
		acc := 0.0
		for i, t := range ord[:size] {
			acc += pr[t]
			cum[i] = acc
		}
		f.size[pos] = size
	}
}

// sample draws the tokens of one proposal into dst (length L), one
// uniform draw per position, and reports whether all are the right
// token (the proposal parses).
func (f *formatHead) sample(r *rand.Rand, dst []int) bool {
	ok := true
	v := f.v
	for pos := range f.l {
		cum := f.cum[pos*v : pos*v+f.size[pos]]
		u := r.Float64() * cum[len(cum)-1]
		lo, hi := 0, len(cum)-1
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if u < cum[mid] {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		t := int(f.order[pos*v+lo])
		dst[pos] = t
		ok = ok && t == 0
	}
	return ok
}

// nucleusProbs writes position pos's sampling distribution into dst
// (length V): the nucleus renormalized, 0 outside it.
func (f *formatHead) nucleusProbs(pos int, dst []float64) {
	clear(dst)
	v := f.v
	size := f.size[pos]
	z := f.cum[pos*v+size-1]
	for _, t := range f.order[pos*v : pos*v+size] {
		dst[t] = f.probs[pos*v+int(t)] / z
	}
}

// entropy returns the mean over positions of the full softmax's entropy,
// in nats.
func (f *formatHead) entropy() float64 {
	if f.l == 0 {
		return 0
	}
	h := 0.0
	for _, q := range f.probs {
		if q > 0 {
			h -= q * math.Log(q)
		}
	}
	return h / float64(f.l)
}

// gradient sets f.grad to (1/n) Σ_i A_i (e_{t_il} − π_l) at every position
// l, over the proposals i with actions[i] ≥ 0 (n of them, sumA the sum of
// their advantages): the sequence's advantage applies to every position's
// log-probability, as REINFORCE on a whole proposal does.
func (f *formatHead) gradient(actions, tokens []int, adv []float64, n int, sumA float64) {
	clear(f.grad)
	if n == 0 {
		return
	}
	l, v := f.l, f.v
	for i, a := range actions {
		if a < 0 {
			continue
		}
		for pos, t := range tokens[i*l : (i+1)*l] {
			f.grad[pos*v+t] += adv[i]
		}
	}
	inv := 1 / float64(n)
	for k := range f.grad {
		f.grad[k] = (f.grad[k] - sumA*f.probs[k]) * inv
	}
}

// adamState is Adam's moments for a parameter vector and its step count.
type adamState struct {
	m, v []float64
	t    int
	// c1 and c2 are the bias corrections 1 − β^t of the current step.
	c1, c2 float64
}

func newAdamState(n int) *adamState {
	return &adamState{m: make([]float64, n), v: make([]float64, n)}
}

func (a *adamState) clone() *adamState {
	c := *a
	c.m, c.v = slices.Clone(a.m), slices.Clone(a.v)
	return &c
}

// begin starts a step: every parameter block of the model is then moved
// by apply with the same step count.
func (a *adamState) begin() {
	a.t++
	a.c1 = 1 - math.Pow(adamBeta1, float64(a.t))
	a.c2 = 1 - math.Pow(adamBeta2, float64(a.t))
}

// apply takes the ascent step w += lr·m̂/(√v̂ + ε) for the block of
// parameters w whose moments start at off, with gradient g.
func (a *adamState) apply(off int, w, g []float64, lr float64) {
	m, v := a.m[off:off+len(w)], a.v[off:off+len(w)]
	for k, x := range g {
		m[k] = adamBeta1*m[k] + (1-adamBeta1)*x
		v[k] = adamBeta2*v[k] + (1-adamBeta2)*x*x
		w[k] += lr * (m[k] / a.c1) / (math.Sqrt(v[k]/a.c2) + adamEps)
	}
}

// argmax returns the index of the largest entry (the first of ties).
func argmax(x []float64) int {
	k := 0
	for i, y := range x {
		if y > x[k] {
			k = i
		}
	}
	return k
}
