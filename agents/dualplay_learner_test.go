package agents

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func testTaskSpace(t *testing.T, edit func(*game.TaskConfig)) *game.TaskSpace {
	t.Helper()
	cfg := game.DefaultTaskConfig()
	if edit != nil {
		edit(&cfg)
	}
	s, err := game.NewTaskSpace(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attemptsOf builds a group from answers.
func attemptsOf(answers ...game.Answer) []game.Attempt {
	a := make([]game.Attempt, len(answers))
	for i, x := range answers {
		a[i] = game.Attempt{Answer: x, Correct: Skilled(x)}
	}
	return a
}

func TestGroupSignal(t *testing.T) {
	key, bogus, d0 := game.AnswerKey, game.AnswerBogus, game.Distractor(0)
	grpo := func(r ...float64) []float64 {
		a := make([]float64, len(r))
		GroupAdvantages(a, r, len(r), NormGRPO, 0)
		return a
	}
	dr := func(r ...float64) []float64 {
		a := make([]float64, len(r))
		GroupAdvantages(a, r, len(r), NormDrGRPO, 0)
		return a
	}
	for _, tc := range []struct {
		name string
		atts []game.Attempt
		adv  []float64
		want float64
	}{
		// Rewards equal to skill: ρ = 1 under GRPO whatever the split.
		{"exact grpo 1/4", attemptsOf(key, d0, d0, d0), grpo(1, 0, 0, 0), 1},
		{"exact grpo 2/4", attemptsOf(key, key, d0, d0), grpo(1, 1, 0, 0), 1},
		// Dr.GRPO keeps the reward scale: ρ = σ_r = √(p(1−p)).
		{"exact dr 1/4", attemptsOf(key, d0, d0, d0), dr(1, 0, 0, 0), math.Sqrt(0.25 * 0.75)},
		// Rewarding the unskilled answers reverses the sign.
		{"reversed", attemptsOf(key, key, d0, d0), grpo(0, 0, 1, 1), -1},
		// Identical rewards: no signal, whatever the answers.
		{"all rewarded", attemptsOf(key, key, d0, d0), grpo(1, 1, 1, 1), 0},
		// Identical skill: no signal, whatever the rewards (two wrong answers).
		{"all wrong", attemptsOf(bogus, d0, d0, d0), grpo(1, 0, 0, 0), 0},
		// Invalid task, bogus label matched once among careful answers:
		// r = (1,0,0,0), s = (0,1,1,0), cov(r, s) = 0 − ¼·½ = −⅛,
		// σ_r = √(3/16), σ_s = ½; GRPO's A = (r − r̄)/σ_r, so
		// ρ = cov(A, s)/σ_s = −⅛/σ_r/σ_s.
		{"bogus label", attemptsOf(bogus, key, key, d0), grpo(1, 0, 0, 0), (-1.0 / 8) / math.Sqrt(3.0/16) / 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := GroupSignal(tc.atts, tc.adv); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("ρ = %v, want %v", got, tc.want)
			}
		})
	}
}

// The mean update over sampled groups matches its closed form: with exact
// rewards and GRPO, E[ρ] is the chance the group is not unanimous,
// 1 − p^M − (1−p)^M, so E[Δθ] = lr/n · I · that.
func TestSolverExpectedUpdate(t *testing.T) {
	space := testTaskSpace(t, nil)
	const m, n = 8, 20000
	r := rand.New(rand.NewPCG(3, 4))
	for _, b := range []float64{-1, 0, 1.5} {
		task := game.Task{Category: 1, Kind: game.Valid, Difficulty: b, Discrimination: 1.3}
		s := NewDualSolver(4, SolverConfig{LR: 1})
		p := task.Response(0)
		atts := make([]game.Attempt, m)
		rew, adv := make([]float64, m), make([]float64, m)
		for range n {
			space.Attempts(r, &task, s.Theta(), atts)
			game.ExactRewards(atts, rew)
			GroupAdvantages(adv, rew, m, NormGRPO, 0)
			s.Accumulate(&task, atts, adv)
		}
		s.Apply(n)
		want := game.ItemInformation(1.3, p) * (1 - math.Pow(p, m) - math.Pow(1-p, m))
		got := s.Theta()[1]
		if math.Abs(got-want) > 0.02*want {
			t.Errorf("b=%v: mean Δθ = %v, want %v", b, got, want)
		}
		for c, th := range s.Theta() {
			if c != 1 && th != 0 {
				t.Errorf("b=%v: category %d moved to %v", b, c, th)
			}
		}
	}
}

// Training on wrong labels lowers θ; leaking tasks teach nothing; groups
// with identical outcomes teach nothing.
func TestSolverSignDirections(t *testing.T) {
	space := testTaskSpace(t, func(c *game.TaskConfig) { c.InvalidMatch = 0.3 })
	r := rand.New(rand.NewPCG(5, 6))
	const m, n = 8, 2000
	for _, tc := range []struct {
		name  string
		kind  game.TaskKind
		grade func(atts []game.Attempt, rew []float64)
		sign  int
	}{
		{"valid exact", game.Valid, func(a []game.Attempt, r []float64) { game.ExactRewards(a, r) }, 1},
		{"invalid label", game.Invalid, func(a []game.Attempt, r []float64) { game.LabelRewards(a, r) }, -1},
		{"leak", game.Leaking, func(a []game.Attempt, r []float64) { game.LabelRewards(a, r) }, 0},
		{"constant reward", game.Valid, func(a []game.Attempt, r []float64) {
			for i := range a {
				r[i] = 1
			}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task := game.Task{Kind: tc.kind, Discrimination: 1}
			s := NewDualSolver(1, SolverConfig{LR: 1})
			atts := make([]game.Attempt, m)
			rew, adv := make([]float64, m), make([]float64, m)
			for range n {
				space.Attempts(r, &task, s.Theta(), atts)
				tc.grade(atts, rew)
				GroupAdvantages(adv, rew, m, NormGRPO, 0)
				s.Accumulate(&task, atts, adv)
			}
			s.Apply(n)
			got := s.Theta()[0]
			switch {
			case tc.sign > 0 && !(got > 0.05):
				t.Errorf("Δθ = %v, want a clear rise", got)
			case tc.sign < 0 && !(got < -0.01):
				t.Errorf("Δθ = %v, want a fall", got)
			case tc.sign == 0 && got != 0:
				t.Errorf("Δθ = %v, want exactly 0", got)
			}
		})
	}
}

func TestSolverForgetting(t *testing.T) {
	s := NewDualSolver(2, SolverConfig{LR: 1, InitAbilities: []float64{2, -1}, Forgetting: 0.25, Floor: 1})
	s.Apply(10) // no groups: forgetting only
	want := []float64{2 - 0.25*(2-1), -1 - 0.25*(-1-1)}
	for c := range want {
		if math.Abs(s.Theta()[c]-want[c]) > 1e-12 {
			t.Errorf("θ[%d] = %v, want %v", c, s.Theta()[c], want[c])
		}
	}
}

// The REINFORCE step equals lr·(1/n)Σ A_i(e_{a_i} − π) on the logits, and
// the entropy bonus follows a finite-difference gradient of H.
func TestProposerUpdate(t *testing.T) {
	space := testTaskSpace(t, func(c *game.TaskConfig) { c.Categories = 2; c.Cells = 3 })
	t.Run("reinforce", func(t *testing.T) {
		p := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, LR: 0.5, InitWidth: 1})
		before, pi := p.Logits(), append([]float64(nil), p.Probs()...)
		actions := []int{0, 4, 4, -1, 5}
		adv := []float64{1, -0.5, 2, 100, -1} // the off-policy 100 must not count
		p.Update(actions, adv)
		after := p.Logits()
		for k := range before {
			var g float64
			for i, a := range actions {
				if a < 0 {
					continue
				}
				e := 0.0
				if a == k {
					e = 1
				}
				g += adv[i] * (e - pi[k])
			}
			g /= 4
			if d := after[k] - before[k]; math.Abs(d-0.5*g) > 1e-12 {
				t.Errorf("logit %d moved %v, want %v", k, d, 0.5*g)
			}
		}
	})
	t.Run("entropy", func(t *testing.T) {
		p := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, LR: 1e-3, Entropy: 1, InitWidth: 1})
		l := p.Logits()
		h := func(l []float64) float64 {
			q := newTabular(l, 3)
			return q.Entropy()
		}
		before := append([]float64(nil), l...)
		p.Update(nil, nil)
		after := p.Logits()
		for k := range l {
			lp, lm := append([]float64(nil), l...), append([]float64(nil), l...)
			lp[k] += 1e-6
			lm[k] -= 1e-6
			fd := (h(lp) - h(lm)) / 2e-6
			if d := (after[k] - before[k]) / 1e-3; math.Abs(d-fd) > 1e-5 {
				t.Errorf("logit %d: entropy step %v, finite difference %v", k, d, fd)
			}
		}
	})
	t.Run("loglinear chain rule", func(t *testing.T) {
		p := NewDualProposer(space, ProposerConfig{Policy: PolicyLogLinear, LR: 0.1, InitWidth: 1.5, InitCenter: 0.5})
		tab := NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, LR: 0.1, InitWidth: 1.5, InitCenter: 0.5})
		// Same initial policy from both parameterizations.
		for k, x := range p.Probs() {
			if math.Abs(x-tab.Probs()[k]) > 1e-12 {
				t.Fatalf("initial π differs at %d: %v vs %v", k, x, tab.Probs()[k])
			}
		}
		w0 := p.Params()
		actions, adv := []int{1, 2, 3, 5}, []float64{1, -1, 0.5, 0.25}
		// The logit gradient from the tabular step: Δlogits/lr.
		tab.Update(actions, adv)
		p.Update(actions, adv)
		w1 := p.Params()
		tl, tl0 := tab.Logits(), NewDualProposer(space, ProposerConfig{Policy: PolicyTabular, InitWidth: 1.5, InitCenter: 0.5}).Logits()
		for c := range 2 {
			var du, dv, dq float64
			for g := range 3 {
				z := float64(g-1) * 2 / 3 // cell centres −2, 0, 2 of [−3, 3], over half-width 3
				x := (tl[c*3+g] - tl0[c*3+g]) / 0.1
				du, dv, dq = du+x, dv+x*z, dq+x*z*z
			}
			for j, want := range []float64{du, dv, dq} {
				if got := (w1[3*c+j] - w0[3*c+j]) / 0.1; math.Abs(got-want) > 1e-9 {
					t.Errorf("category %d weight %d: step %v, want %v", c, j, got, want)
				}
			}
		}
	})
}

// newTabular returns a tabular proposer with the given logits (test
// helper for the entropy oracle).
func newTabular(logits []float64, cells int) *DualProposer {
	p := &DualProposer{cells: cells}
	p.logits = append([]float64(nil), logits...)
	p.w = p.logits
	p.probs, p.cdf, p.grad = make([]float64, len(logits)), make([]float64, len(logits)), make([]float64, len(logits))
	p.refresh()
	return p
}

// Sampling follows π.
func TestProposerSample(t *testing.T) {
	space := testTaskSpace(t, func(c *game.TaskConfig) { c.Categories = 2; c.Cells = 4 })
	p := NewDualProposer(space, ProposerConfig{Policy: PolicyLogLinear, InitWidth: 1.2, InitCenter: 1})
	r := rand.New(rand.NewPCG(7, 8))
	const n = 200000
	count := make([]float64, p.NumActions())
	for range n {
		count[p.Sample(r)]++
	}
	for k, q := range p.Probs() {
		if se := math.Sqrt(q * (1 - q) / n); math.Abs(count[k]/n-q) > 5*se+1e-9 {
			t.Errorf("action %d: frequency %v, π %v", k, count[k]/n, q)
		}
	}
	if c, g := p.Cell(p.Action(1, 3)); c != 1 || g != 3 {
		t.Errorf("Cell(Action(1, 3)) = %d, %d", c, g)
	}
}
