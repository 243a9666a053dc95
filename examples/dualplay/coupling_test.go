package dualplay_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/game"
)

// Scenario 6's argument (doc.go) rests on the coupling constants of the
// linearized category game,
//
//	u' = u − A·θ (per proposer step),   θ' = (1 − λ)·θ + B·u (per solver step),
//
// with u_c = log π_c − mean_k log π_k the proposer's category-logit
// deviation (with one difficulty cell per category, exactly its
// log-linear weight u_c minus their mean) and θ_c − mean θ the solver's
// ability deviation: joint updates are damped only while AB < λ. The
// coupling is a scalar because the dynamics are symmetric under permuting
// the categories, so on the deviations (sum zero) each Jacobian is a
// multiple of the identity.
//
// TestScenarioAlternationCoupling measures A and B in the simulator at
// alternation.yaml's settings by central differences of one step, with
// common random numbers (the two sides of a difference share a seed, so
// they propose the same batch and draw the same attempts), averaged over
// independent simulations, each perturbing one category (rotating over
// seeds):
//
//   - A: solver abilities θ̄ ± δ in one category (solver.init_abilities),
//     one joint step, A = −Δu_c / Δ(θ_c − mean θ);
//   - B: the proposer's deviation moved by ±δ in one category (one
//     DualProposer.Update step on that category's action, which moves the
//     logits along e_c − π), one joint step, B = Δ(θ_c − mean θ) / Δu_c.
//
// They are measured at the symmetric state the runs settle at (every
// category at the mean ability of the weak-coupling run's second half;
// proposer uniform), and, for the record, at the initial state θ = 0.
//
// Each is cross-checked against an oracle built from the game's
// exported pieces rather than the simulator's loop: B = (1 − λ)·lr_s·
// E[I·ρ]/C (the solver's expected gain per task of a category, from
// DualSolver.Accumulate on groups graded like the simulator's, times
// dπ_c/du_c = 1/C at the uniform policy), and A = lr·(1/C)·(−dR/dθ)/σ_r
// (REINFORCE with batch-whitened rewards: R the expected naive reward of a
// task, σ_r the reward's standard deviation over tasks).
//
// Asserted, as the doc claims: at lr 10 AB is within a factor of 3 of λ,
// at lr 1 below λ/3 (95% intervals, by the delta method), and the
// measurements agree with their oracles.
func TestScenarioAlternationCoupling(t *testing.T) {
	_, cfg := loadScenario(t, "alternation.yaml", "joint", "joint_weak")
	strong, weak := cfg["joint"].Config, cfg["joint_weak"].Config
	for _, c := range []agents.DualPlayConfig{strong, weak} {
		// The perturbation of the proposer by one SGD step assumes SGD
		// without an entropy bonus (whose gradient vanishes at the
		// uniform policy anyway).
		if c.Task.Cells != 1 || c.ProposerReward != agents.RewardNaive || c.Schedule.Kind != agents.ScheduleJoint ||
			(c.Proposer.Optimizer != "" && c.Proposer.Optimizer != agents.OptimizerSGD) || c.Proposer.Entropy != 0 ||
			c.Proposer.FormatTokens != 0 || c.Solver.Forgetting != strong.Solver.Forgetting {
			t.Fatalf("config %+v: want one cell, naive reward, joint schedule, SGD without entropy bonus or format tokens, equal forgetting", c)
		}
	}
	if strong.Proposer.LR != 10 || weak.Proposer.LR != 1 {
		t.Fatalf("proposer lr %v and %v, want 10 and 1", strong.Proposer.LR, weak.Proposer.LR)
	}
	lambda := strong.Solver.Forgetting
	sims := 400
	if testing.Short() {
		sims = 100
	}
	const delta = 0.1

	// The operating point: the mean ability, averaged over the second
	// half of the weak-coupling run (where the deviations stay small).
	theta := operatingPoint(t, weak, 300, 4)
	t.Logf("operating point: mean ability %.3f (λ %v)", theta, lambda)

	b := couplingB(t, strong, theta, delta, sims, 1)
	bOracle := oracleB(t, strong, theta, 20000)
	t.Logf("B = %.4f ± %.4f per solver step (oracle %.4f)", b.mean, b.se, bOracle)
	agree(t, "B", b, bOracle)

	mid := strong
	mid.Proposer.LR = 3
	for _, c := range []agents.DualPlayConfig{weak, mid, strong} {
		lr := c.Proposer.LR
		a := couplingA(t, c, theta, delta, sims, uint64(sims)+1)
		aOracle := oracleA(t, c, theta, delta, 20000)
		ab := product(a, b)
		t.Logf("lr %2v: A = %.4f ± %.4f per proposer step (%.4f·lr; oracle %.4f), AB = %.4f ± %.4f = %.2f λ",
			lr, a.mean, a.se, a.mean/lr, aOracle, ab.mean, ab.se, ab.mean/lambda)
		agree(t, "A", a, aOracle)
		lo, hi := ab.mean-1.96*ab.se, ab.mean+1.96*ab.se
		switch lr {
		case 10:
			if !(lo > lambda/3 && hi < 3*lambda) {
				t.Errorf("lr 10: AB in [%.4f, %.4f], want within a factor of 3 of λ = %v", lo, hi, lambda)
			}
		case 1:
			if !(hi < lambda/3) {
				t.Errorf("lr 1: AB in [%.4f, %.4f], want below λ/3 = %.4f", lo, hi, lambda/3)
			}
		}
	}
	if !testing.Short() {
		// At the start (θ = 0, p nearer ½) both couplings are larger;
		// the abilities reach the operating point within about 100
		// steps.
		b0 := couplingB(t, strong, 0, delta, sims, 1)
		a0 := couplingA(t, strong, 0, delta, sims, uint64(sims)+1)
		ab0 := product(a0, b0)
		t.Logf("at θ = 0, lr 10: A = %.4f ± %.4f, B = %.4f ± %.4f, AB = %.4f ± %.4f", a0.mean, a0.se, b0.mean, b0.se, ab0.mean, ab0.se)
	}
}

// measured is a mean over independent simulations and its standard error.
type measured struct{ mean, se float64 }

func meanSE(xs []float64) measured {
	n := float64(len(xs))
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= n
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return measured{m, math.Sqrt(ss / (n - 1) / n)}
}

// product is A·B with its standard error by the delta method (A and B
// from disjoint seeds, so independent).
func product(a, b measured) measured {
	p := a.mean * b.mean
	return measured{p, math.Abs(p) * math.Hypot(a.se/a.mean, b.se/b.mean)}
}

// agree fails unless the measurement is within 4 standard errors plus 5%
// of the oracle: the oracle linearizes (one step of finite size, the
// batch's σ_r in place of its expectation), which the 5% allows for.
func agree(t *testing.T, what string, m measured, oracle float64) {
	t.Helper()
	if d := math.Abs(m.mean - oracle); !(d < 4*m.se+0.05*math.Abs(oracle)) {
		t.Errorf("%s: measured %.4f ± %.4f, oracle %.4f", what, m.mean, m.se, oracle)
	}
}

func newSim(t *testing.T, cfg agents.DualPlayConfig) *agents.DualPlaySim {
	t.Helper()
	s, err := agents.NewDualPlaySim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// deviation returns x_c − mean x.
func deviation(x []float64, c int) float64 {
	m := 0.0
	for _, v := range x {
		m += v
	}
	return x[c] - m/float64(len(x))
}

// logitDeviation returns u_c = log π_c − mean log π of the proposer's
// category distribution (one cell per category: action c).
func logitDeviation(p *agents.DualProposer, c int) float64 {
	l := make([]float64, len(p.Probs()))
	for i, q := range p.Probs() {
		l[i] = math.Log(q)
	}
	return deviation(l, c)
}

func uniform(n int, x float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = x
	}
	return out
}

// operatingPoint returns the mean ability over the second half of steps
// joint steps of cfg, averaged over seeds.
func operatingPoint(t *testing.T, cfg agents.DualPlayConfig, steps, seeds int) float64 {
	sum, n := 0.0, 0
	for k := range seeds {
		cfg.Seed = uint64(k + 1)
		s := newSim(t, cfg)
		for i := 1; i <= steps; i++ {
			s.Advance()
			if i > steps/2 {
				for _, x := range s.Solver().Theta() {
					sum += x
					n++
				}
			}
		}
	}
	return sum / float64(n)
}

// couplingA measures A at the symmetric state (abilities theta, uniform
// proposer) over sims simulations from seed first on.
func couplingA(t *testing.T, cfg agents.DualPlayConfig, theta, delta float64, sims int, first uint64) measured {
	C := cfg.Task.Categories
	xs := make([]float64, sims)
	for k := range xs {
		cfg.Seed = first + uint64(k)
		c := k % C
		var u, th [2]float64
		for j, sign := range []float64{1, -1} {
			init := uniform(C, theta)
			init[c] += sign * delta
			cfg.Solver.InitAbilities = init
			s := newSim(t, cfg)
			th[j] = deviation(s.Solver().Theta(), c)
			s.Advance()
			u[j] = logitDeviation(s.Proposer(), c)
		}
		xs[k] = -(u[0] - u[1]) / (th[0] - th[1])
	}
	return meanSE(xs)
}

// couplingB measures B at the symmetric state over sims simulations from
// seed first on. The proposer's deviation in category c is moved by
// ±delta with one SGD step on action c with advantage x: the logits move
// by lr·x·(e_c − π), so u_c by lr·x·(1 − 1/C) at the uniform policy.
func couplingB(t *testing.T, cfg agents.DualPlayConfig, theta, delta float64, sims int, first uint64) measured {
	C := cfg.Task.Categories
	cfg.Solver.InitAbilities = uniform(C, theta)
	xs := make([]float64, sims)
	for k := range xs {
		cfg.Seed = first + uint64(k)
		c := k % C
		var u, th [2]float64
		for j, sign := range []float64{1, -1} {
			s := newSim(t, cfg)
			p := s.Proposer()
			p.Update([]int{p.Action(c, 0)}, []float64{sign * delta / (cfg.Proposer.LR * float64(C-1) / float64(C))})
			u[j] = logitDeviation(p, c)
			s.Advance()
			th[j] = deviation(s.Solver().Theta(), c)
		}
		xs[k] = (th[0] - th[1]) / (u[0] - u[1])
	}
	return meanSE(xs)
}

// gradeTask proposes a task of category 0 at ability theta, grades M
// attempts with the label verifier and returns the naive proposer reward
// 1 − p̂ and the solver's learning signal I·ρ on it (GRPO advantages of
// the correctness reward), as the simulator does.
func gradeTask(r *rand.Rand, space *game.TaskSpace, solver *agents.DualSolver, theta float64, atts []game.Attempt, rew, adv []float64) (reward, signal float64) {
	var task game.Task
	space.ProposeCell(r, 0, 0, &task)
	p := 0.0
	if task.Kind != game.Leaking {
		p = task.Response(theta)
	}
	space.AttemptsAt(r, &task, p, atts)
	rate := game.LabelRewards(atts, rew)
	agents.GroupAdvantages(adv, rew, len(rew), agents.NormGRPO, agents.DefaultAdvantageEps)
	solver.SetTheta(uniform(len(solver.Theta()), theta))
	return 1 - rate, solver.Accumulate(&task, atts, adv)
}

// oracleB is (1 − λ)·lr_s·E[I·ρ]/C over n tasks graded at theta.
func oracleB(t *testing.T, cfg agents.DualPlayConfig, theta float64, n int) float64 {
	space := newSim(t, cfg).Space()
	C := cfg.Task.Categories
	solver := agents.NewDualSolver(C, cfg.Solver)
	M := cfg.Attempts
	atts, rew, adv := make([]game.Attempt, M), make([]float64, M), make([]float64, M)
	r := rand.New(rand.NewPCG(7, 7))
	sum := 0.0
	for range n {
		_, s := gradeTask(r, space, solver, theta, atts, rew, adv)
		sum += s
	}
	return (1 - cfg.Solver.Forgetting) * cfg.Solver.LR * sum / float64(n) / float64(C)
}

// oracleA is lr·(1/C)·(−dR/dθ)/σ_r: R(θ) the mean naive reward of n tasks
// graded at θ ± delta (common random numbers), σ_r its standard deviation
// over tasks at theta.
func oracleA(t *testing.T, cfg agents.DualPlayConfig, theta, delta float64, n int) float64 {
	space := newSim(t, cfg).Space()
	C := cfg.Task.Categories
	solver := agents.NewDualSolver(C, cfg.Solver)
	M := cfg.Attempts
	atts, rew, adv := make([]game.Attempt, M), make([]float64, M), make([]float64, M)
	mean := func(th float64) (m, sd float64) {
		r := rand.New(rand.NewPCG(7, 7))
		s, ss := 0.0, 0.0
		for range n {
			x, _ := gradeTask(r, space, solver, th, atts, rew, adv)
			s += x
			ss += x * x
		}
		m = s / float64(n)
		return m, math.Sqrt(ss/float64(n) - m*m)
	}
	up, _ := mean(theta + delta)
	down, _ := mean(theta - delta)
	_, sd := mean(theta)
	return cfg.Proposer.LR / float64(C) * (down - up) / (2 * delta) / sd
}
