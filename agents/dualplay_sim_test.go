package agents

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func newTestSim(t testing.TB, edit func(*DualPlayConfig)) *DualPlaySim {
	t.Helper()
	cfg := DefaultDualPlayConfig()
	cfg.Batch = 64
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewDualPlaySim(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// trace runs steps and returns every step's metric values.
func trace(t testing.TB, s *DualPlaySim, steps int) [][]float64 {
	t.Helper()
	var out [][]float64
	if err := s.Run(context.Background(), steps, func(m *DualMetrics) error {
		out = append(out, m.AppendValues(nil))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

var dualVariants = []struct {
	name string
	edit func(*DualPlayConfig)
}{
	{"naive joint", nil},
	{"pasodoble dr_grpo", func(c *DualPlayConfig) {
		c.ProposerReward, c.SolverReward, c.LeakCheck, c.Advantage = RewardPasoDoble, SolverPasoDoble, true, AdvantageDrGRPO
	}},
	{"azr shared trr++", func(c *DualPlayConfig) {
		c.ProposerReward, c.SolverReward, c.ValidityCheck, c.SharedModel, c.Advantage = RewardAbsoluteZero, SolverAbsoluteZero, CheckExact, true, AdvantageTRR
	}},
	{"r_zero alternating", func(c *DualPlayConfig) {
		c.ProposerReward, c.SolverReward, c.Verifier = RewardRZero, SolverRZero, VerifierMajority
		c.Schedule = ScheduleConfig{Kind: ScheduleAlternating, ProposerSteps: 3, SolverSteps: 2, ReuseLimit: 2, BufferSize: 100}
	}},
	{"ssp retrieval tabular", func(c *DualPlayConfig) {
		c.ProposerReward, c.ValidityCheck, c.Proposer.Policy, c.Proposer.Entropy = RewardSSP, CheckRetrieval, PolicyTabular, 0.01
	}},
	{"frozen exact", func(c *DualPlayConfig) { c.Schedule.Kind, c.Verifier = ScheduleFrozen, VerifierExact }},
	{"sec teacher", func(c *DualPlayConfig) { c.Teacher = TeacherSEC }},
	{"alp_gmm teacher", func(c *DualPlayConfig) {
		c.Teacher, c.TeacherParams = TeacherALPGMM, map[string]any{"fit_rate": 100}
	}},
	{"past proposers", func(c *DualPlayConfig) {
		c.Population = PopulationConfig{SnapshotEvery: 3, Max: 4, PastProposerShare: 0.3}
		c.Solver.Forgetting = 0.01
	}},
	{"ssp format tokens adam top_p", func(c *DualPlayConfig) {
		c.ProposerReward, c.ValidityCheck, c.ProposerAdvantage = RewardSSP, CheckRetrieval, AdvantageNone
		c.ProposerRewardParams = map[string]any{"invalid_reward": -0.1}
		c.Proposer.Optimizer, c.Proposer.LR, c.Proposer.TopP = OptimizerAdam, 0.05, 0.9
		c.Proposer.FormatTokens, c.Proposer.FormatVocab, c.Proposer.FormatInit = 6, 20, 0.8
		c.Population = PopulationConfig{SnapshotEvery: 3, Max: 4, PastProposerShare: 0.3}
	}},
}

// sameFloat is == with NaN equal to NaN (metrics without data are NaN).
func sameFloat(x, y float64) bool { return x == y || (math.IsNaN(x) && math.IsNaN(y)) }

func TestDualPlayDeterministic(t *testing.T) {
	for _, v := range dualVariants {
		t.Run(v.name, func(t *testing.T) {
			a := trace(t, newTestSim(t, v.edit), 12)
			b := trace(t, newTestSim(t, v.edit), 12)
			for i := range a {
				if !slices.EqualFunc(a[i], b[i], sameFloat) {
					t.Fatalf("step %d differs:\n%v\n%v", i+1, a[i], b[i])
				}
			}
			c := trace(t, newTestSim(t, func(c *DualPlayConfig) {
				if v.edit != nil {
					v.edit(c)
				}
				c.Seed = 99
			}), 12)
			same := true
			for i := range a {
				same = same && slices.EqualFunc(a[i], c[i], sameFloat)
			}
			if same {
				t.Error("seed 99 reproduced seed 1's run")
			}
		})
	}
}

// Metrics are measured on demand: a run that only Advances, asking for
// metrics at a few steps, sees bit for bit what a run measuring every step
// sees there, and ends in the same state; asking twice changes nothing.
func TestDualPlayMetricsOnDemand(t *testing.T) {
	const steps = 14
	for _, v := range dualVariants {
		t.Run(v.name, func(t *testing.T) {
			every := trace(t, newTestSim(t, v.edit), steps)
			s := newTestSim(t, v.edit)
			for i := range steps {
				s.Advance()
				if i != 4 && i != steps-1 {
					continue
				}
				got := s.Metrics().AppendValues(nil)
				if !slices.EqualFunc(got, every[i], sameFloat) {
					t.Fatalf("step %d measured on demand:\n%v\nmeasured every step:\n%v", i+1, got, every[i])
				}
				if again := s.Metrics().AppendValues(nil); !slices.EqualFunc(again, got, sameFloat) {
					t.Fatalf("step %d: second Metrics call gave %v, first %v", i+1, again, got)
				}
			}
		})
	}
}

func TestDualPlayNoAllocs(t *testing.T) {
	for _, v := range dualVariants {
		if v.name == "alp_gmm teacher" {
			continue // ALP-GMM allocates its sampled points (documented)
		}
		t.Run(v.name, func(t *testing.T) {
			s := newTestSim(t, func(c *DualPlayConfig) {
				if v.edit != nil {
					v.edit(c)
				}
				c.Population.SnapshotEvery = 0 // snapshots allocate (documented)
				c.Population.PastProposerShare = 0
			})
			s.Step()
			if n := testing.AllocsPerRun(20, func() { s.Step() }); n != 0 {
				t.Errorf("%v allocations per step", n)
			}
		})
	}
}

func TestDualPlayRunCancel(t *testing.T) {
	s := newTestSim(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Run(ctx, 100, func(m *DualMetrics) error {
		if m.Step == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || s.StepCount() != 5 {
		t.Errorf("Run = %v after %d steps, want context.Canceled after 5", err, s.StepCount())
	}
	stop := errors.New("stop")
	err = s.Run(context.Background(), 10, func(*DualMetrics) error { return stop })
	if !errors.Is(err, stop) || s.StepCount() != 6 {
		t.Errorf("Run = %v after %d steps, want the callback's error after 6", err, s.StepCount())
	}
}

// Metric values line up with their names and with independent
// recomputations from the sim's state.
func TestDualMetricsTable(t *testing.T) {
	s := newTestSim(t, func(c *DualPlayConfig) { c.Verifier, c.ValidityCheck = VerifierExact, CheckExact })
	trace(t, s, 3)
	m := s.Metrics()
	names := DualMetricNames(4)
	vals := m.AppendValues(nil)
	if len(names) != len(vals) {
		t.Fatalf("%d names, %d values", len(names), len(vals))
	}
	get := func(n string) float64 {
		i := slices.Index(names, n)
		if i < 0 {
			t.Fatalf("no metric %q", n)
		}
		return vals[i]
	}
	theta := s.Solver().Theta()
	if get("step") != 3 || get("valid_rate") != m.ValidRate || get("ability_2") != theta[2] {
		t.Errorf("step/valid_rate/ability_2 = %v/%v/%v", get("step"), get("valid_rate"), get("ability_2"))
	}
	if want := s.EvalSet().PassAt1(theta); get("pass_at_1") != want {
		t.Errorf("pass_at_1 = %v, want %v", get("pass_at_1"), want)
	}
	// Recount the batch (the last step's tasks are still in the sim).
	var valid, invalid int
	sig := map[int]bool{}
	for i := range s.cfg.Batch {
		tk := &s.tasks[i]
		sig[s.space.SignatureKey(tk)] = true
		switch tk.Kind {
		case game.Valid:
			valid++
		case game.Invalid:
			invalid++
		}
	}
	n := float64(s.cfg.Batch)
	if m.ValidRate != float64(valid)/n || m.Invalid != invalid || m.DistinctSignatures != len(sig) {
		t.Errorf("valid %v invalid %d distinct %d, recount %v %d %d", m.ValidRate, m.Invalid, m.DistinctSignatures, float64(valid)/n, invalid, len(sig))
	}
	if m.LabelAccuracy != 1 {
		t.Errorf("exact verifier label accuracy %v, want 1", m.LabelAccuracy)
	}
	// The trained-task reward: attempts of trained tasks only.
	var sum float64
	var cnt int
	M := s.cfg.Attempts
	for i := range s.cfg.Batch {
		if !s.trains[i] {
			continue
		}
		for _, a := range s.atts[i*M : (i+1)*M] {
			cnt++
			if s.tasks[i].IsCorrect(a.Answer) {
				sum++
			}
		}
	}
	if cnt == 0 || cnt == s.cfg.Batch*M {
		t.Fatalf("%d of %d attempts trained on: the check should drop some", cnt, s.cfg.Batch*M)
	}
	if want := sum / float64(cnt); math.Abs(m.TrainedSolverReward-want) > 1e-12 {
		t.Errorf("trained_solver_reward %v, recount %v", m.TrainedSolverReward, want)
	}
}

func TestDualPlayConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*DualPlayConfig)
	}{
		{"batch", func(c *DualPlayConfig) { c.Batch = 0 }},
		{"verifier", func(c *DualPlayConfig) { c.Verifier = "oracle" }},
		{"proposer_reward", func(c *DualPlayConfig) { c.ProposerReward = "nope" }},
		{"proposer_reward_params", func(c *DualPlayConfig) {
			c.ProposerRewardParams = map[string]any{"lambda": -1, "variant": "code"}
			c.ProposerReward = RewardRZero
		}},
		{"solver_reward_params", func(c *DualPlayConfig) {
			c.SolverReward, c.SolverRewardParams = SolverPasoDoble, map[string]any{"tau_low": 2.0}
		}},
		{"teacher", func(c *DualPlayConfig) { c.Teacher = "oracle" }},
		{"task.cells", func(c *DualPlayConfig) { c.Task.Cells = 0 }},
		{"proposer.policy", func(c *DualPlayConfig) { c.Proposer.Policy = "mlp" }},
		{"solver.init_abilities", func(c *DualPlayConfig) { c.Solver.InitAbilities = []float64{1} }},
		{"schedule.proposer_steps", func(c *DualPlayConfig) { c.Schedule.Kind, c.Schedule.ProposerSteps = ScheduleAlternating, 0 }},
		{"schedule.solver_tasks", func(c *DualPlayConfig) { c.Schedule.Kind, c.Schedule.SolverTasks = ScheduleAlternating, "buffer" }},
		{"population.past_proposer_share", func(c *DualPlayConfig) { c.Population.PastProposerShare = 0.5 }},
		{"eval.band_high", func(c *DualPlayConfig) { c.Eval.BandHigh = 0.1 }},
		{"proposer.optimizer", func(c *DualPlayConfig) { c.Proposer.Optimizer = "rmsprop" }},
		{"proposer.format_tokens", func(c *DualPlayConfig) { c.Proposer.FormatTokens = -1 }},
		{"proposer.format_vocab", func(c *DualPlayConfig) { c.Proposer.FormatTokens, c.Proposer.FormatVocab = 4, 1 }},
		{"proposer.format_vocab", func(c *DualPlayConfig) { c.Proposer.FormatTokens, c.Proposer.FormatVocab = 4096, 1<<20 }},
		{"proposer.format_init", func(c *DualPlayConfig) { c.Proposer.FormatTokens, c.Proposer.FormatInit = 4, 1 }},
		{"proposer.top_p", func(c *DualPlayConfig) { c.Proposer.TopP = 0 }},
		{"proposer.top_p", func(c *DualPlayConfig) { c.Proposer.TopP = 1.5 }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			cfg := DefaultDualPlayConfig()
			tc.edit(&cfg)
			_, err := NewDualPlaySim(cfg)
			var fe *DualPlayFieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrDualPlayConfig) {
				t.Fatalf("error %v: want a *DualPlayFieldError", err)
			}
			if fe.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", fe.Field, tc.field, err)
			}
		})
	}
	cfg := DefaultDualPlayConfig()
	if errs := cfg.Check(); errs != nil {
		t.Errorf("defaults: %v", errs)
	}
}

func TestReplayBuffer(t *testing.T) {
	b := newReplayBuffer(5, 2, 3)
	for i := range 7 {
		b.push(&game.Task{Signature: i})
	}
	b.trim(b.cap)
	if b.len() != 5 || b.entries[0].task.Signature != 2 {
		t.Fatalf("after 7 pushes into 5: len %d, oldest %d; want 5 and 2", b.len(), b.entries[0].task.Signature)
	}
	r := rand.New(rand.NewPCG(1, 1))
	dst := make([]game.Task, 3)
	uses := map[int]int{}
	for range 4 {
		n := b.draw(r, dst)
		seen := map[int]bool{}
		for _, tk := range dst[:n] {
			if seen[tk.Signature] {
				t.Fatalf("task %d drawn twice in one batch", tk.Signature)
			}
			seen[tk.Signature] = true
			uses[tk.Signature]++
		}
		b.release()
	}
	// 5 tasks × reuse 2 = 10 uses available; 4 draws of up to 3.
	total := 0
	for sig, u := range uses {
		if u > 2 {
			t.Errorf("task %d used %d times, limit 2", sig, u)
		}
		total += u
	}
	if total != 10 || b.len() != 0 {
		t.Errorf("%d uses, %d left; want all 10 uses and an empty buffer", total, b.len())
	}
}

// Alternating: proposer phases fill the buffer without training the
// solver; solver phases train on it without moving the proposer.
func TestDualPlayAlternatingPhases(t *testing.T) {
	s := newTestSim(t, func(c *DualPlayConfig) {
		c.Schedule = ScheduleConfig{Kind: ScheduleAlternating, ProposerSteps: 2, SolverSteps: 3, ReuseLimit: 3}
	})
	for step := 1; step <= 10; step++ {
		theta, w := slices.Clone(s.Solver().Theta()), s.Proposer().Params()
		m := s.Step()
		want := PhaseProposer
		if (step-1)%5 >= 2 {
			want = PhaseSolver
		}
		if m.Phase != want {
			t.Fatalf("step %d phase %v, want %v", step, m.Phase, want)
		}
		thetaMoved := !slices.Equal(theta, s.Solver().Theta())
		propMoved := !slices.Equal(w, s.Proposer().Params())
		if want == PhaseProposer && (thetaMoved || !propMoved || m.BufferLen == 0) {
			t.Errorf("step %d (proposer): θ moved %v, proposer moved %v, buffer %d", step, thetaMoved, propMoved, m.BufferLen)
		}
		if want == PhaseSolver && (!thetaMoved || propMoved || m.Tasks == 0) {
			t.Errorf("step %d (solver): θ moved %v, proposer moved %v, tasks %d", step, thetaMoved, propMoved, m.Tasks)
		}
	}
}

// The alternating schedule's solver phase: with fresh tasks every batch
// is a full batch from the frozen proposer's current policy and the
// buffer stays empty; with replay every task was proposed during the
// proposer phase.
func TestDualPlayAlternatingSolverTasks(t *testing.T) {
	const k, j = 3, 20
	for _, mode := range []string{SolverTasksFresh, SolverTasksReplay} {
		t.Run(mode, func(t *testing.T) {
			s := newTestSim(t, func(c *DualPlayConfig) {
				c.Batch = 256
				c.Proposer.LR = 30 // far from the initial policy after k steps
				c.Schedule = ScheduleConfig{Kind: ScheduleAlternating, ProposerSteps: k, SolverSteps: j,
					ReuseLimit: 3, SolverTasks: mode}
			})
			init := slices.Clone(s.Proposer().Probs())
			proposed := map[game.Task]bool{}
			for range k {
				m := s.Step()
				if m.Phase != PhaseProposer {
					t.Fatalf("step %d: phase %v", m.Step, m.Phase)
				}
				for _, tk := range s.tasks[:s.n] {
					proposed[tk] = true
				}
			}
			probs := slices.Clone(s.Proposer().Probs())
			if d := tvDistance(init, probs); d < 0.2 {
				t.Fatalf("proposer moved only %.3f (total variation) in %d steps; the test cannot tell policies apart", d, k)
			}
			counts := make([]float64, len(probs))
			n, fromPhase := 0, 0
			for range j {
				m := s.Step()
				if m.Phase != PhaseSolver {
					t.Fatalf("step %d: phase %v", m.Step, m.Phase)
				}
				if mode == SolverTasksFresh && (m.Tasks != s.cfg.Batch || m.BufferLen != 0) {
					t.Fatalf("step %d: %d tasks, buffer %d; want a full batch and no buffer", m.Step, m.Tasks, m.BufferLen)
				}
				for _, tk := range s.tasks[:s.n] {
					counts[s.Proposer().Action(tk.Category, tk.Cell)]++
					n++
					if proposed[tk] {
						fromPhase++
					}
				}
			}
			if !slices.Equal(probs, s.Proposer().Probs()) {
				t.Fatal("the proposer moved in the solver phase")
			}
			switch mode {
			case SolverTasksFresh:
				for i := range counts {
					counts[i] /= float64(n)
				}
				// 5120 draws over 48 cells: sampling alone gives a total
				// variation of about 0.04 at most.
				if d := tvDistance(counts, probs); d > 0.08 {
					t.Errorf("solver-phase tasks are %.3f (total variation) from the proposer's policy", d)
				}
				if fromPhase > n/100 {
					t.Errorf("%d of %d solver-phase tasks repeat proposer-phase tasks", fromPhase, n)
				}
			case SolverTasksReplay:
				// 3 proposer batches, each trained task reused at most 3
				// times: the buffer runs dry long before 20 batches.
				if fromPhase != n || n >= j*s.cfg.Batch {
					t.Errorf("%d of %d solver-phase tasks from the proposer phase; want all, fewer than %d", fromPhase, n, j*s.cfg.Batch)
				}
			}
		})
	}
}

// tvDistance is the total variation distance of two distributions.
func tvDistance(p, q []float64) float64 {
	d := 0.0
	for i := range p {
		d += math.Abs(p[i] - q[i])
	}
	return d / 2
}

func TestDualPopulation(t *testing.T) {
	s := newTestSim(t, func(c *DualPlayConfig) {
		c.Verifier = VerifierExact
		c.Population = PopulationConfig{SnapshotEvery: 10, Max: 3}
	})
	trace(t, s, 50)
	pop := s.Population()
	if pop.Len() != 3 || pop.Members[0].Step != 30 || pop.Members[2].Step != 50 {
		t.Fatalf("population of %d, steps %d..%d; want 3, 30..50", pop.Len(), pop.Members[0].Step, pop.Members[pop.Len()-1].Step)
	}
	if !slices.Equal(pop.Members[2].Theta, s.Solver().Theta()) || !slices.Equal(pop.Members[2].Proposer.Params(), s.Proposer().Params()) {
		t.Error("the last snapshot is not the current state")
	}
	solve, valid := pop.SolveMatrix(s.Space(), 400, 7)
	for i := range solve {
		if valid[i] <= 0 || valid[i] >= 1 {
			t.Errorf("proposer %d valid share %v", i, valid[i])
		}
		// The solver only improves under an exact verifier, and success
		// is monotone in θ: later solvers solve every proposer's tasks
		// at least as often.
		for j := 1; j < len(solve[i]); j++ {
			if solve[i][j] < solve[i][j-1]-1e-12 {
				t.Errorf("proposer %d: solver %d solves %v < solver %d's %v", i, j, solve[i][j], j-1, solve[i][j-1])
			}
		}
	}
}

// A group of one attempt, or identical outcomes, carries no signal: with
// M = 1 every group is unanimous and the solver never moves.
func TestDualPlayNoSignalWithoutDisagreement(t *testing.T) {
	s := newTestSim(t, func(c *DualPlayConfig) { c.Attempts = 1 })
	theta0 := slices.Clone(s.Solver().Theta())
	tr := trace(t, s, 30)
	if !slices.Equal(theta0, s.Solver().Theta()) {
		t.Errorf("θ moved from %v to %v with one attempt per task", theta0, s.Solver().Theta())
	}
	for _, row := range tr {
		if row[slices.Index(dualMetricNames[:], "effective_groups")] != 0 {
			t.Fatal("an effective group of one attempt")
		}
	}
}

// BenchmarkDualPlayStep times one proposer+solver step on the batch
// of 256 tasks × 8 attempts: "step" is Advance (the simulated dynamics),
// "measured" is Step (Advance, then every metric, held-out evaluation
// included). steps/s is the throughput figure (target ≥ 10⁴).
func BenchmarkDualPlayStep(b *testing.B) {
	for _, v := range []struct {
		name string
		edit func(*DualPlayConfig)
	}{
		{"naive", nil},
		{"pasodoble", func(c *DualPlayConfig) {
			c.ProposerReward, c.SolverReward, c.LeakCheck = RewardPasoDoble, SolverPasoDoble, true
		}},
		{"absolute_zero_trr", func(c *DualPlayConfig) {
			c.ProposerReward, c.ValidityCheck, c.Advantage = RewardAbsoluteZero, CheckExact, AdvantageTRR
		}},
		{"r_zero_majority", func(c *DualPlayConfig) {
			c.ProposerReward, c.SolverReward, c.Verifier = RewardRZero, SolverRZero, VerifierMajority
		}},
		{"ssp_shared", func(c *DualPlayConfig) {
			c.ProposerReward, c.ValidityCheck, c.SharedModel, c.ProposerAdvantage = RewardSSP, CheckRetrieval, true, AdvantageNone
		}},
		{"ssp_format_adam", func(c *DualPlayConfig) { // examples/dualplay/ssp_penalty.yaml's proposer
			c.ProposerReward, c.ValidityCheck, c.SharedModel, c.ProposerAdvantage = RewardSSP, CheckRetrieval, true, AdvantageNone
			c.Proposer.Optimizer, c.Proposer.LR, c.Proposer.TopP = OptimizerAdam, 0.05, 0.9
			c.Proposer.FormatTokens, c.Proposer.FormatVocab, c.Proposer.FormatInit = 8, 1000, 0.999
		}},
	} {
		for _, measured := range []bool{false, true} {
			name := v.name + "/step"
			if measured {
				name = v.name + "/measured"
			}
			b.Run(name, func(b *testing.B) {
				s := newTestSim(b, func(c *DualPlayConfig) {
					c.Batch, c.Attempts = 256, 8
					if v.edit != nil {
						v.edit(c)
					}
				})
				b.ReportAllocs()
				for b.Loop() {
					if measured {
						s.Step()
					} else {
						s.Advance()
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
				b.ReportMetric(float64(b.N)*256/b.Elapsed().Seconds(), "tasks/s")
			})
		}
	}
}

// seedRuns returns the metric traces of runs over seeds 100, 101, ….
func seedRuns(t *testing.T, seeds, steps int, edit func(*DualPlayConfig)) [][][]float64 {
	t.Helper()
	runs := make([][][]float64, seeds)
	for k := range seeds {
		s := newTestSim(t, func(c *DualPlayConfig) {
			c.Batch = 256
			if edit != nil {
				edit(c)
			}
			c.Seed = uint64(100 + k)
		})
		runs[k] = trace(t, s, steps)
	}
	return runs
}

// at returns the mean over runs of metric name averaged over steps
// [from, to) (0-based).
func at(runs [][][]float64, name string, from, to int) float64 {
	i := slices.Index(DualMetricNames(4), name)
	sum := 0.0
	for _, r := range runs {
		for st := from; st < to; st++ {
			sum += r[st][i]
		}
	}
	return sum / float64(len(runs)*(to-from))
}

// Issue 5, scenario 1: with the naive 1 − p reward the proposer drifts to
// hard cells where most tasks are invalid and held-out pass@1 stalls;
// PasoDoble's gates (τ_low, the band filter, the leak check) and AZR's
// executor check keep the valid rate and pass@1 rising.
func TestDualPlayNaiveHacksGatedDoesNot(t *testing.T) {
	steps := 200
	if testing.Short() {
		steps = 120
	}
	const seeds = 5
	naive := seedRuns(t, seeds, steps, nil)
	paso := seedRuns(t, seeds, steps, func(c *DualPlayConfig) {
		c.ProposerReward, c.SolverReward, c.LeakCheck = RewardPasoDoble, SolverPasoDoble, true
	})
	azr := seedRuns(t, seeds, steps, func(c *DualPlayConfig) {
		c.ProposerReward, c.ValidityCheck = RewardAbsoluteZero, CheckExact
	})
	end := steps - 10
	v0 := at(naive, "valid_rate", 0, 5)
	vn := at(naive, "valid_rate", end, steps)
	if !(vn < v0-0.3) {
		t.Errorf("naive valid rate %.3f → %.3f: want a drop of 0.3", v0, vn)
	}
	if h := at(naive, "invalid", end, steps) / 256; !(h > 0.5) {
		t.Errorf("naive: invalid share %.3f at the end, want > 0.5", h)
	}
	// Stall: the last third of the run gains much less than the first.
	third := steps / 3
	t.Logf("naive valid %.3f → %.3f", v0, vn)
	g1 := at(naive, "pass_at_1", third, third+1) - at(naive, "pass_at_1", 0, 1)
	g3 := at(naive, "pass_at_1", steps-1, steps) - at(naive, "pass_at_1", steps-third-1, steps-third)
	if !(g3 < 0.5*g1) {
		t.Errorf("naive pass@1 gains %.4f in the first third, %.4f in the last: want a stall", g1, g3)
	}
	for name, runs := range map[string][][][]float64{"pasodoble": paso, "absolute_zero": azr} {
		vg := at(runs, "valid_rate", end, steps)
		t.Logf("%s valid %.3f, final pass@1 %.3f (naive %.3f), last-third gain %.4f (naive %.4f)", name, vg,
			at(runs, "pass_at_1", steps-1, steps), at(naive, "pass_at_1", steps-1, steps),
			at(runs, "pass_at_1", steps-1, steps)-at(runs, "pass_at_1", steps-third-1, steps-third), g3)
		if !(vg > vn+0.2) {
			t.Errorf("%s valid rate %.3f vs naive %.3f: want gating to keep it 0.2 higher", name, vg, vn)
		}
		pg, pn := at(runs, "pass_at_1", steps-1, steps), at(naive, "pass_at_1", steps-1, steps)
		if !(pg > pn+0.03) {
			t.Errorf("%s final pass@1 %.3f vs naive %.3f: want higher", name, pg, pn)
		}
		h3 := at(runs, "pass_at_1", steps-1, steps) - at(runs, "pass_at_1", steps-third-1, steps-third)
		if !(h3 > g3+0.01) {
			t.Errorf("%s gains %.4f in the last third vs naive %.4f: want still rising", name, h3, g3)
		}
	}
}

// SSP's frozen-proposer control: the solver's reward on a frozen proposal
// distribution saturates, while a co-evolving learnability proposer keeps
// the reward near the frontier and pass@1 ahead.
func TestDualPlayFrozenProposerSaturates(t *testing.T) {
	steps := 240
	if testing.Short() {
		steps = 160
	}
	const seeds = 5
	exact := func(c *DualPlayConfig) { c.Verifier = VerifierExact }
	frozen := seedRuns(t, seeds, steps, func(c *DualPlayConfig) { exact(c); c.Schedule.Kind = ScheduleFrozen })
	coevo := seedRuns(t, seeds, steps, func(c *DualPlayConfig) { exact(c); c.ProposerReward = RewardAbsoluteZero })
	q := steps / 4
	f1, f4 := at(frozen, "solver_reward", 0, q), at(frozen, "solver_reward", steps-q, steps)
	c4 := at(coevo, "solver_reward", steps-q, steps)
	t.Logf("solver reward frozen %.3f → %.3f, co-evolving %.3f; pass@1 frozen %.3f co-evolving %.3f", f1, f4, c4,
		at(frozen, "pass_at_1", steps-1, steps), at(coevo, "pass_at_1", steps-1, steps))
	if !(f4 > f1+0.15 && f4 > c4+0.1) {
		t.Errorf("frozen solver reward %.3f → %.3f, co-evolving %.3f: want the frozen one to rise and end above", f1, f4, c4)
	}
	// The frozen proposer's tasks leave the learnable band.
	if b1, b4 := at(frozen, "band_share", 0, q), at(frozen, "band_share", steps-q, steps); !(b4 < b1/2) {
		t.Errorf("frozen band share %.3f → %.3f: want it halved", b1, b4)
	}
	if pf, pc := at(frozen, "pass_at_1", steps-1, steps), at(coevo, "pass_at_1", steps-1, steps); !(pc > pf) {
		t.Errorf("final pass@1 co-evolving %.3f, frozen %.3f: want co-evolution ahead", pc, pf)
	}
}

// R-Zero: the uncertainty reward pushes the challenger to tasks where the
// majority answer is split, which are the tasks where it is often wrong,
// so pseudo-label accuracy falls over the run.
func TestDualPlayMajorityLabelAccuracyFalls(t *testing.T) {
	steps := 200
	if testing.Short() {
		steps = 120
	}
	runs := seedRuns(t, 5, steps, func(c *DualPlayConfig) {
		c.ProposerReward, c.SolverReward, c.Verifier = RewardRZero, SolverRZero, VerifierMajority
		c.Schedule = ScheduleConfig{Kind: ScheduleAlternating, ProposerSteps: 5, SolverSteps: 15, ReuseLimit: 3}
	})
	a0, a1 := at(runs, "majority_accuracy", 0, 5), at(runs, "majority_accuracy", steps-20, steps)
	t.Logf("pseudo-label accuracy %.3f → %.3f", a0, a1)
	if !(a1 < a0-0.1) {
		t.Errorf("pseudo-label accuracy %.3f → %.3f: want a fall of 0.1", a0, a1)
	}
	// The challenger's tasks get harder for the frozen reference solver.
	if r0, r1 := at(runs, "ref_solve_rate", 0, 5), at(runs, "ref_solve_rate", steps-20, steps); !(r1 < r0) {
		t.Errorf("reference solve rate %.3f → %.3f: want harder tasks", r0, r1)
	}
}

func TestDualMetricNamesUnique(t *testing.T) {
	names := DualMetricNames(6)
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate metric %q", n)
		}
		seen[n] = true
	}
	if names[len(names)-1] != "ability_5" {
		t.Errorf("last name %q", names[len(names)-1])
	}
}
