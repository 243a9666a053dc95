package agents

import (
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
)

// DualSolver is the solver of dual play: one ability θ_c per skill
// category on the logit scale of the task game, learning from the groups
// of M attempts it is trained on.
//
// # Learning model
//
// A real solver is a policy; a policy-gradient step on a group raises the
// probability of the attempts with positive advantage. In the simulator
// the only thing such a step can change is θ, and whether it raises or
// lowers θ depends on whether the reinforced attempts are the skilled
// ones. Let s_j = 1 when attempt j gives the answer a skilled solver
// gives (the key, or the other correct answer of a non-unique task; on an
// invalid task, the careful answer that disagrees with the proposer's
// wrong label) and A_j the attempt's advantage. For a task i of category c
// trained on in a batch of n tasks,
//
//	Δθ_c = (lr/n) · Σ_i I_i · ρ_i,   I_i = a_i²·p_i(1−p_i),   ρ_i = cov_j(A_ij, s_ij) / sd_j(s_ij)
//
// where p_i is the solver's 3PL response on the item at the current θ and
// I_i its Fisher information (game.ItemInformation3PL; a²p(1−p) without
// guessing, algorithms.md §6.7). Why this form:
//
//   - I_i: one graded attempt at an item teaches as much as it tells
//     about θ; items far too easy or too hard teach nothing, items at
//     p = ½ most. This is the same shape as the learnability rewards, which
//     is why they produce curricula.
//   - ρ_i: the direction and strength of the group's signal. If the
//     verifier's reward is the ground truth, rewards and skill agree and,
//     with GRPO's unit-variance advantages, ρ = 1; with Dr.GRPO (no std
//     division) ρ = σ_r, smaller for lopsided groups. If all attempts got
//     the same reward (A = 0) or gave equally skilled answers (sd(s) = 0),
//     ρ = 0: no signal. If the verifier rewards unskilled answers — a wrong
//     majority pseudo-label (R-Zero), the proposer's wrong label on an
//     invalid task that a solver occasionally reproduces — ρ < 0 and
//     training lowers θ: wrong labels hurt.
//   - Leaking tasks contribute nothing: answers copied from the question
//     exercise no skill.
//   - Averaging over the n tasks of the batch (not the trained ones) keeps
//     lr's meaning fixed when a band filter drops tasks: a filter that
//     drops most tasks slows learning, as it does for a real trainer that
//     skips them.
//
// After each update, optional forgetting pulls θ toward a floor:
// θ ← θ − f·(θ − floor).
//
// A DualSolver is not safe for concurrent use.
type DualSolver struct {
	theta      []float64
	grad       []float64
	lr, forget float64
	floor      float64
}

// NewDualSolver returns a solver over categories with cfg's learning rate,
// initial abilities and forgetting.
func NewDualSolver(categories int, cfg SolverConfig) *DualSolver {
	s := &DualSolver{theta: make([]float64, categories), grad: make([]float64, categories),
		lr: cfg.LR, forget: cfg.Forgetting, floor: cfg.Floor}
	for c := range s.theta {
		s.theta[c] = cfg.InitAbility
		if cfg.InitAbilities != nil {
			s.theta[c] = cfg.InitAbilities[c]
		}
	}
	return s
}

// Theta returns the abilities (a view: the solver updates it in place).
func (s *DualSolver) Theta() []float64 { return s.theta }

// SetTheta copies theta into the solver's abilities.
func (s *DualSolver) SetTheta(theta []float64) {
	if len(theta) != len(s.theta) {
		panic(fmt.Sprintf("agents: SetTheta with %d abilities for %d categories", len(theta), len(s.theta)))
	}
	copy(s.theta, theta)
}

// Skilled reports whether an answer is the one a skilled solver gives: the
// key, or the alternative correct answer of a non-unique task.
func Skilled(a game.Answer) bool { return a == game.AnswerKey || a == game.AnswerAlternative }

// GroupSignal returns ρ = cov(A, s)/sd(s) of one group: the attempts'
// advantages against their skill indicators (see DualSolver), 0 when
// either is constant. It does not allocate.
func GroupSignal(atts []game.Attempt, adv []float64) float64 {
	if len(atts) != len(adv) {
		panic(fmt.Sprintf("agents: GroupSignal of %d attempts and %d advantages", len(atts), len(adv)))
	}
	m := float64(len(atts))
	if m == 0 {
		return 0
	}
	var ns, sa, sas float64
	for j, a := range atts {
		sa += adv[j]
		if Skilled(a.Answer) {
			ns++
			sas += adv[j]
		}
	}
	q := ns / m
	if q == 0 || q == 1 {
		return 0
	}
	cov := sas/m - q*sa/m
	return cov / math.Sqrt(q*(1-q))
}

// Information returns the solver's learning weight I on task t: the 3PL
// Fisher information at its current response (0 on leaking tasks).
func (s *DualSolver) Information(t *game.Task) float64 {
	if t.Kind == game.Leaking {
		return 0
	}
	return informationAt(t, t.Response(s.theta[t.Category]))
}

// informationAt is Information given the solver's response p on t.
func informationAt(t *game.Task, p float64) float64 {
	if t.Kind == game.Leaking {
		return 0
	}
	if !(p > t.Guessing && p < 1) {
		return 0
	}
	return game.ItemInformation3PL(t.Discrimination, t.Guessing, p)
}

// Accumulate adds one trained group's contribution I·ρ to the pending
// update of its category and returns it. Call Apply once per batch.
func (s *DualSolver) Accumulate(t *game.Task, atts []game.Attempt, adv []float64) float64 {
	return s.accumulateAt(t, s.Information(t), atts, adv)
}

// accumulateAt is Accumulate with the information I on t already known
// (the simulator has the solver's response from grading the batch).
func (s *DualSolver) accumulateAt(t *game.Task, info float64, atts []game.Attempt, adv []float64) float64 {
	if info == 0 {
		return 0
	}
	d := info * GroupSignal(atts, adv)
	s.grad[t.Category] += d
	return d
}

// Apply performs the pending update for a batch of n tasks, θ_c +=
// (lr/n)·Σ I·ρ, then forgetting, and clears the accumulator.
func (s *DualSolver) Apply(n int) {
	if n > 0 {
		k := s.lr / float64(n)
		for c, g := range s.grad {
			s.theta[c] += k * g
		}
	}
	clear(s.grad)
	if s.forget > 0 {
		for c := range s.theta {
			s.theta[c] -= s.forget * (s.theta[c] - s.floor)
		}
	}
}
