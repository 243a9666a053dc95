package agents

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// setFormatProbs gives format position pos of p the distribution q (the
// logits ln q) and refreshes.
func setFormatProbs(p *DualProposer, pos int, q []float64) {
	f := p.format
	for i, x := range q {
		f.logits[pos*f.v+i] = math.Log(x)
	}
	f.refresh()
}

// nucleusOracle is the top-p nucleus of q computed independently: sort
// the tokens by probability (ties to the lower token), keep adding them
// until the kept mass reaches topP.
func nucleusOracle(q []float64, topP float64) map[int]bool {
	idx := make([]int, len(q))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return q[idx[a]] > q[idx[b]] })
	in := map[int]bool{}
	acc := 0.0
	for _, i := range idx {
		if acc >= topP && topP < 1 {
			break
		}
		in[i] = true
		acc += q[i]
	}
	return in
}

func TestFormatNucleusSampling(t *testing.T) {
	space := testTaskSpace(t, nil)
	q := []float64{0.5, 0.05, 0.2, 0.15, 0.05, 0.03, 0.02}
	for _, tc := range []struct {
		topP float64
		size int // the nucleus by hand
	}{
		{1, 7},
		{0.95, 5},   // 0.5 + 0.2 + 0.15 + 0.05 (token 1, the lower of the tie) = 0.9 < 0.95, + 0.05 = 0.95
		{0.84, 3},   // 0.5 + 0.2 + 0.15 reaches it
		{0.86, 4},   // the fourth token (0.05, token 1 of the tie) joins
		{0.5, 1},    // the right token alone has the mass
		{0.5001, 2}, // just above: the second token joins
	} {
		p := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, InitWidth: 1, LR: 1,
			FormatTokens: 2, FormatVocab: len(q), FormatInit: 0.9, TopP: tc.topP})
		setFormatProbs(p, 1, q)
		want := nucleusOracle(q, tc.topP)
		if len(want) != tc.size {
			t.Fatalf("top_p %v: oracle nucleus %v, by hand %d tokens", tc.topP, want, tc.size)
		}
		mass := 0.0
		for i := range want {
			mass += q[i]
		}
		got := make([]float64, len(q))
		p.FormatSamplingProbs(1, got)
		for i, g := range got {
			w := 0.0
			if want[i] {
				w = q[i] / mass
			}
			if math.Abs(g-w) > 1e-12 {
				t.Errorf("top_p %v: sampling prob of token %d = %v, want %v", tc.topP, i, g, w)
			}
		}
		// Draws: never outside the nucleus, frequencies those of the
		// renormalized nucleus (4σ binomial bounds).
		r := rand.New(rand.NewPCG(1, 2))
		const draws = 40000
		count := make([]int, len(q))
		tokens := make([]int, 2)
		for range draws {
			p.SampleFormat(r, tokens)
			count[tokens[1]]++
		}
		for i, c := range count {
			if !want[i] && c > 0 {
				t.Errorf("top_p %v: token %d outside the nucleus drawn %d times", tc.topP, i, c)
			}
			w := got[i]
			if sd := math.Sqrt(draws * w * (1 - w)); math.Abs(float64(c)-draws*w) > 4*sd+1 {
				t.Errorf("top_p %v: token %d drawn %d times, want %.0f ± %.0f", tc.topP, i, c, draws*w, sd)
			}
		}
	}
}

func TestFormatInitAndParse(t *testing.T) {
	space := testTaskSpace(t, nil)
	const l, v, g0 = 5, 40, 0.7
	p := NewDualProposer(space, ProposerConfig{Policy: PolicyLogLinear, InitWidth: 1, LR: 1,
		FormatTokens: l, FormatVocab: v, FormatInit: g0, TopP: 1})
	for pos := range l {
		q := p.FormatProbs(pos)
		if math.Abs(q[0]-g0) > 1e-12 || math.Abs(q[v-1]-(1-g0)/(v-1)) > 1e-12 {
			t.Fatalf("position %d: right %v, wrong %v; want %v and %v", pos, q[0], q[v-1], g0, (1-g0)/(v-1))
		}
	}
	// The entropy of the initial softmax, per position, by formula.
	wantH := -g0*math.Log(g0) - (1-g0)*math.Log((1-g0)/(v-1))
	if h := p.FormatEntropy(); math.Abs(h-wantH) > 1e-9 {
		t.Errorf("format entropy %v, want %v", h, wantH)
	}
	// A proposal parses iff all its tokens are 0, with probability g0^L.
	r := rand.New(rand.NewPCG(3, 4))
	tokens := make([]int, l)
	const n = 20000
	parsed := 0
	for range n {
		ok := p.SampleFormat(r, tokens)
		if ok != !slices.ContainsFunc(tokens, func(t int) bool { return t != 0 }) {
			t.Fatalf("SampleFormat %v for tokens %v", ok, tokens)
		}
		if ok {
			parsed++
		}
	}
	w := math.Pow(g0, l)
	if sd := math.Sqrt(n * w * (1 - w)); math.Abs(float64(parsed)-n*w) > 4*sd {
		t.Errorf("%d of %d parsed, want %.0f ± %.0f", parsed, n, n*w, sd)
	}
}

// TestProposerAdamStep checks two Adam steps on a tabular proposer
// against Adam's formulas evaluated by hand on the REINFORCE gradient.
func TestProposerAdamStep(t *testing.T) {
	space := testTaskSpace(t, func(c *game.TaskConfig) { c.Categories, c.Cells = 1, 3 })
	const lr = 0.1
	p := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, LR: lr, Optimizer: OptimizerAdam})
	// Uniform over 3 cells. Step 1: actions 0 and 1 with advantages 1 and
	// −0.5, g = ½[1·(e_0 − π) − 0.5·(e_1 − π)].
	w0 := p.Params()
	pi := 1.0 / 3
	g1 := []float64{(1 - 0.5*pi) / 2, (-0.5 - 0.5*pi) / 2, (-0.5 * pi) / 2}
	// First step: m̂ = g, v̂ = g², so each parameter moves by
	// lr·g/(|g| + ε): ±lr.
	p.Update([]int{0, 1}, []float64{1, -0.5})
	w1 := p.Params()
	for k, g := range g1 {
		want := w0[k] + lr*g/(math.Abs(g)+1e-8)
		if math.Abs(w1[k]-want) > 1e-12 {
			t.Errorf("step 1, param %d: %v, want %v", k, w1[k], want)
		}
	}
	// Step 2: one action 2 with advantage 2 at the new policy.
	q := p.Probs()
	g2 := []float64{-2 * q[0], -2 * q[1], 2 * (1 - q[2])}
	p.Update([]int{2}, []float64{2})
	w2 := p.Params()
	for k := range g2 {
		m := 0.9*(0.1*g1[k]) + 0.1*g2[k]
		v := 0.999*(0.001*g1[k]*g1[k]) + 0.001*g2[k]*g2[k]
		mh, vh := m/(1-0.81), v/(1-0.999*0.999)
		want := w1[k] + lr*mh/(math.Sqrt(vh)+1e-8)
		if math.Abs(w2[k]-want) > 1e-12 {
			t.Errorf("step 2, param %d: %v, want %v", k, w2[k], want)
		}
	}
}

// TestFormatDriftUnderNegativeReward: with every proposal paid the same
// negative reward and a nucleus holding only the right token, every
// proposal samples it, so its logit falls and the unsampled wrong tokens
// rise. SGD moves them by lr·R·(1 − g) per step, Adam by about lr
// whatever the gradient's size; with top_p 1 the wrong tokens are sampled
// and the same reward lowers them as well.
func TestFormatDriftUnderNegativeReward(t *testing.T) {
	space := testTaskSpace(t, func(c *game.TaskConfig) { c.Categories, c.Cells = 1, 2 })
	const steps, n, R, lr = 20, 64, -0.05, 0.01
	const v, g0 = 10, 0.999
	gap := func(p *DualProposer) float64 { // logit of the right token minus a wrong one's
		l := p.format.logits
		return l[0] - l[v-1]
	}
	run := func(opt string, topP float64) float64 {
		p := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, LR: lr, Optimizer: opt,
			FormatTokens: 1, FormatVocab: v, FormatInit: g0, TopP: topP})
		r := rand.New(rand.NewPCG(5, 6))
		actions, tokens, adv := make([]int, n), make([]int, n), make([]float64, n)
		before := gap(p)
		for range steps {
			for i := range n {
				actions[i] = p.Sample(r)
				p.SampleFormat(r, tokens[i:i+1])
				adv[i] = R
			}
			p.UpdateFormat(actions, tokens, adv)
		}
		return gap(p) - before
	}
	// Under top-p, the right token alone is sampled: each step the right
	// logit gets lr·R·(1 − g) and each wrong one lr·(−R)·π_b, a change in
	// the gap of lr·R·(1 − g + π_b) ≈ lr·R·(1 − g)·v/(v − 1).
	sgd := run(OptimizerSGD, 0.9)
	wantSGD := steps * lr * R * (1 - g0) * v / (v - 1)
	if math.Abs(sgd-wantSGD) > 0.01*math.Abs(wantSGD) {
		t.Errorf("sgd, top_p 0.9: gap moved %v, want %v", sgd, wantSGD)
	}
	// Adam: consistent signs, so about ±lr per parameter per step,
	// −2·lr·steps (a little more: the gradient grows as g falls, and m̂
	// weights the recent steps more than √v̂ does).
	adam := run(OptimizerAdam, 0.9)
	if want := -2 * lr * steps; math.Abs(adam-want) > 0.05*math.Abs(want) {
		t.Errorf("adam, top_p 0.9: gap moved %v, want %v", adam, want)
	}
	// On-policy the expected gradient is R·(e_a − π) averaged over a ~ π,
	// which is 0: the gap moves by noise only, far less than Adam's drift
	// under truncation.
	if on := run(OptimizerSGD, 1); math.Abs(on) > 0.01*math.Abs(adam) {
		t.Errorf("sgd, top_p 1: gap moved %v, want about 0", on)
	}
}

func TestDualPlayMalformedProposals(t *testing.T) {
	s := newTestSim(t, func(c *DualPlayConfig) {
		c.ProposerReward, c.ValidityCheck, c.ProposerAdvantage = RewardSSP, CheckRetrieval, AdvantageNone
		c.ProposerRewardParams = map[string]any{"invalid_reward": -0.1}
		c.Proposer.FormatTokens, c.Proposer.FormatVocab, c.Proposer.FormatInit = 4, 5, 0.85
	})
	l := s.Proposer().FormatTokens()
	total := 0
	for range 5 {
		m := s.Step()
		n := 0
		for i := range m.Tasks {
			bad := slices.ContainsFunc(s.tokens[i*l:(i+1)*l], func(t int) bool { return t != 0 })
			o := s.outcomes[i]
			if o.Malformed != bad {
				t.Fatalf("task %d: tokens %v, Malformed %v", i, s.tokens[i*l:(i+1)*l], o.Malformed)
			}
			if !bad {
				continue
			}
			n++
			if !o.Invalid || s.tasks[i].Kind != game.Invalid || s.prew[i] != -0.1 || s.trains[i] {
				t.Errorf("malformed task %d: Invalid %v, kind %v, reward %v, trains %v; want flagged, Invalid, −0.1, untrained",
					i, o.Invalid, s.tasks[i].Kind, s.prew[i], s.trains[i])
			}
		}
		if m.Malformed != n {
			t.Errorf("step %d: metric malformed %d, counted %d", m.Step, m.Malformed, n)
		}
		total += n
	}
	// 1 − 0.85⁴ ≈ 48% of 5 × 64 proposals at first; the policy moves
	// little in 5 steps.
	if total < 80 {
		t.Errorf("%d malformed proposals in 5 steps: want about 150", total)
	}
}
