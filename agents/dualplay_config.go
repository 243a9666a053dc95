package agents

import (
	"errors"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
)

// ErrDualPlayConfig is wrapped by every *DualPlayFieldError.
var ErrDualPlayConfig = errors.New("agents: bad dual-play configuration")

// DualPlayFieldError reports a DualPlayConfig field with a bad value. Field
// is the dotted yaml path ("proposer.lr", "task.cells"), so a runner can
// locate it in the file.
type DualPlayFieldError struct {
	Field string
	Value any
	Want  string
}

func (e *DualPlayFieldError) Error() string {
	return fmt.Sprintf("%s: %v: want %s", e.Field, e.Value, e.Want)
}

// Unwrap returns ErrDualPlayConfig.
func (e *DualPlayFieldError) Unwrap() error { return ErrDualPlayConfig }

// Verifiers of solver attempts (DualPlayConfig.Verifier).
const (
	// VerifierLabel compares each attempt with the proposer's answer
	// (PasoDoble, SSP, AZR's executor output): invalid tasks look
	// unsolvable, non-unique tasks look harder than they are.
	VerifierLabel = "label"
	// VerifierExact grades attempts by ground truth (an oracle; the
	// control that no real dual-play system has).
	VerifierExact = "exact"
	// VerifierMajority grades attempts against the majority answer of the
	// group (R-Zero's pseudo-label); p is R-Zero's p̂.
	VerifierMajority = "majority"
)

// Validity checks run on each proposed task (DualPlayConfig.ValidityCheck).
const (
	// CheckNone flags nothing.
	CheckNone = "none"
	// CheckExact flags exactly the Invalid tasks: AZR's executor, which
	// rejects programs that fail to run or are not deterministic.
	CheckExact = "exact"
	// CheckRetrieval flags a task when SSP's retrieval check with
	// distractor documents fails (game.TaskSpace.RetrievalCheck):
	// non-unique tasks pass it, some valid ones fail it.
	CheckRetrieval = "retrieval"
)

// Schedules (DualPlayConfig.Schedule.Kind).
const (
	// ScheduleJoint updates proposer and solver every step on the same
	// batch (PasoDoble's online mode, AZR, SSP).
	ScheduleJoint = "joint"
	// ScheduleAlternating runs ProposerSteps proposer steps with the
	// solver frozen, then SolverSteps solver steps with the proposer
	// frozen. The solver phase trains on tasks drawn from a replay buffer
	// filled during the proposer phase (PasoDoble's offline mode, R-Zero's
	// iterations) or, with ScheduleConfig.SolverTasks fresh, on tasks the
	// frozen, updated proposer proposes anew.
	ScheduleAlternating = "alternating"
	// ScheduleFrozen never updates the proposer (SSP's frozen-proposer
	// control): the solver trains on the initial proposal distribution.
	ScheduleFrozen = "frozen"
)

// Sources of the solver phase's tasks in the alternating schedule
// (ScheduleConfig.SolverTasks).
const (
	// SolverTasksReplay draws the solver phase's batches from the replay
	// buffer of tasks proposed during the proposer phase, each proposed
	// before the proposer's update of its step: the solver trains on
	// where the proposer was, not where it went.
	SolverTasksReplay = "replay"
	// SolverTasksFresh has the frozen proposer, as its proposer phase
	// left it, propose every solver-phase batch anew; the replay buffer
	// is not used. The roles then update in turn, each against the
	// other's latest policy (Gauss–Seidel rather than Jacobi updates).
	SolverTasksFresh = "fresh"
)

// Advantage estimators (DualPlayConfig.Advantage).
const (
	AdvantageGRPO   = "grpo"
	AdvantageDrGRPO = "dr_grpo"
	// AdvantageTRR is Absolute Zero's TRR++: baselines per task type ×
	// role, here per category × role (KeyedNormalizer), whitened.
	AdvantageTRR = "trr++"
	// AdvantageNone uses the reward itself as the advantage: REINFORCE
	// without a baseline. Search Self-play trains its proposer this way,
	// with one sample per prompt and so no group to take a baseline from
	// (algorithms.md §6.4). Without a baseline a reward offset is no longer
	// cancelled: a constant −0.1 on invalid proposals pushes down every
	// invalid sample, where a baseline would leave only its difference
	// from the batch mean.
	AdvantageNone = "none"
)

// Bounds of the proposer's format model (ProposerConfig.FormatTokens):
// it holds format_tokens × format_vocab logits, each updated every step.
const (
	maxFormatTokens = 1 << 12
	maxFormatVocab  = 1 << 20
	maxFormatLogits = 1 << 24
)

// ProposerConfig parameterizes the proposer policy (DualProposer).
type ProposerConfig struct {
	// Policy is loglinear or tabular (PolicyLogLinear, PolicyTabular).
	// Default loglinear: a per-category Gaussian over difficulty whose
	// mean and width are learned, so the proposer can track a moving
	// frontier; tabular logits lock onto the cells found first.
	Policy string `yaml:"policy"`
	// LR is the REINFORCE step size on the cell logits. Default 2: with
	// GRPO-whitened advantages and 256 tasks a step moves a cell's logit
	// by at most about lr·π, so the policy concentrates over tens of steps,
	// the time scale on which the solver's ability moves.
	LR float64 `yaml:"lr"`
	// Entropy is the weight β of the entropy bonus β·H(π). Default 0: the
	// papers use no entropy bonus (diversity is rewarded, if at all, by
	// PasoDoble's div or R-Zero's repetition penalty).
	Entropy float64 `yaml:"entropy"`
	// InitCenter and InitWidth give the initial policy: uniform over
	// categories and ∝ exp(−(b_cell − InitCenter)²/(2·InitWidth²)) over
	// difficulty cells. Defaults 0 and 1: a base model proposes tasks near
	// its own level (θ = 0), rarely the hardest or easiest. InitWidth 0
	// gives a uniform initial policy.
	InitCenter float64 `yaml:"init_center"`
	InitWidth  float64 `yaml:"init_width"`
	// ValidityCoupling κ ties the proposer's chance of writing a valid task
	// to its own ability φ_c in the task's category: a proposal aimed at b
	// has the kind distribution of one aimed at b − κ·(φ_c − φ_c(0)).
	// With SharedModel the proposer's φ is the solver's θ (one model in
	// both roles, Absolute Zero: a stronger solver also writes valid
	// harder tasks); with two models φ stays at its initial value, so κ
	// has no effect. Default 1: one logit of ability moves the validity
	// curve by one logit.
	ValidityCoupling float64 `yaml:"validity_coupling"`
	// Optimizer moves the proposer's parameters (cell policy and format
	// tokens alike, one model): sgd or adam (OptimizerSGD,
	// OptimizerAdam; "" means sgd). Default sgd, on which LR's default is
	// calibrated; LLM trainers use Adam, whose steps are about lr per
	// parameter whatever the gradient's size (lr 0.01 to 0.05 here, not
	// 3), so a small gradient of consistent sign, such as a biased
	// estimator's, moves a parameter as fast as a large one.
	Optimizer string `yaml:"optimizer"`
	// FormatTokens L gives each proposal L format positions (DualProposer):
	// at each the proposer draws a token from its own softmax over
	// FormatVocab tokens, and the proposal parses only if every token is
	// the right one; otherwise it is malformed (TaskOutcome.Malformed: no
	// check passes it, the solver does not train on it, the proposer
	// reward scores it as a format error). Default 0 (every proposal
	// parses): an LLM's proposal is hundreds of nearly deterministic
	// format tokens, each with a tail of wrong ones, which matters only
	// when the sampler or the optimizer is biased (TopP, Optimizer).
	FormatTokens int `yaml:"format_tokens"`
	// FormatVocab V is the number of tokens per format position, the right
	// one and V − 1 wrong ones. Default 1000: a long, individually
	// improbable tail. Unused without format tokens.
	FormatVocab int `yaml:"format_vocab"`
	// FormatInit g0 is the right token's initial probability at every
	// format position; the wrong ones share 1 − g0 equally. Default 0.999:
	// a base model rarely breaks the format of one token, yet at L = 32
	// positions about 3% of its proposals do not parse. Unused without
	// format tokens.
	FormatInit float64 `yaml:"format_init"`
	// TopP truncates the sampling of each format position to its top-p
	// nucleus (the most probable tokens whose probabilities first sum to
	// at least TopP, renormalized) while the update differentiates the
	// full softmax, as an LLM trainer does when its rollout engine samples
	// with top-p (or, in bf16, never emits the least likely tokens).
	// Tokens outside the nucleus are never sampled, so a sampled penalty
	// never lowers them, while the normalizer raises them whenever the
	// sampled tokens are lowered. The cell choice is not truncated: it
	// stands for a proposal's content, not for one token. Default 1: no
	// truncation, an unbiased update.
	TopP float64 `yaml:"top_p"`
}

// SolverConfig parameterizes the solver (DualSolver).
type SolverConfig struct {
	// LR is the ability step size: Δθ_c = LR/n · Σ information·ρ over the
	// trained tasks of category c in a batch of n (see DualSolver).
	// Default 0.5: a solver trained on a batch all at p = ½ in one
	// category gains about 0.03 logits a step, so a few hundred steps
	// move θ by a few logits, the span of the task space.
	LR float64 `yaml:"lr"`
	// InitAbility is the initial θ of every category. Default 0, the
	// centre of the default difficulty range.
	InitAbility float64 `yaml:"init_ability"`
	// InitAbilities, when set, overrides InitAbility per category (one
	// entry per category).
	InitAbilities []float64 `yaml:"init_abilities"`
	// Forgetting f pulls θ toward Floor after each solver update:
	// θ ← θ − f·(θ − Floor). Default 0 (no forgetting); catastrophic
	// forgetting of untrained skills is a modelling option, not a
	// finding of the papers.
	Forgetting float64 `yaml:"forgetting"`
	// Floor is the ability forgetting decays to. Default 0.
	Floor float64 `yaml:"floor"`
}

// ScheduleConfig chooses when each role is updated.
type ScheduleConfig struct {
	// Kind is joint, alternating or frozen. Default joint.
	Kind string `yaml:"kind"`
	// ProposerSteps k and SolverSteps j of the alternating schedule.
	// Defaults 10 and 5, PasoDoble's offline mode.
	ProposerSteps int `yaml:"proposer_steps"`
	SolverSteps   int `yaml:"solver_steps"`
	// ReuseLimit drops a buffered task after this many solver batches.
	// Default 3, PasoDoble's.
	ReuseLimit int `yaml:"reuse_limit"`
	// BufferSize caps the replay buffer; the oldest tasks go first.
	// Default 0 means 4 × Batch, enough for the tasks of a few proposer
	// steps of which the band filter keeps a fraction.
	BufferSize int `yaml:"buffer_size"`
	// SolverTasks is where the alternating schedule's solver phase gets
	// its tasks: replay (SolverTasksReplay, from the buffer; "" means
	// replay) or fresh (SolverTasksFresh, proposed anew by the frozen
	// proposer; ReuseLimit and BufferSize are then unused). Default
	// replay, PasoDoble's offline mode. Fresh is the alternation that
	// damps the proposer/solver oscillation of joint updates: in the
	// linearized category dynamics a cycle of k proposer and j solver
	// steps contracts by 1 − λj (λ the solver's forgetting) when the
	// solver trains on the updated proposer's tasks, while replayed tasks
	// lag the proposer by at least one step and contract no better than
	// joint updates (examples/dualplay, Scenario 6).
	SolverTasks string `yaml:"solver_tasks"`
}

// PopulationConfig controls snapshots of proposer and solver.
type PopulationConfig struct {
	// SnapshotEvery S adds a snapshot after every S-th step. Default 0:
	// no snapshots.
	SnapshotEvery int `yaml:"snapshot_every"`
	// Max keeps at most this many snapshots, dropping the oldest. Default
	// 0: unbounded.
	Max int `yaml:"max"`
	// PastProposerShare is the probability that a task of a proposal
	// batch comes from a uniformly drawn past proposer snapshot instead
	// of the current one; such tasks train the solver but not the
	// proposer (REINFORCE needs on-policy samples). Default 0.
	PastProposerShare float64 `yaml:"past_proposer_share"`
}

// EvalConfig controls the held-out evaluation and the band metric.
type EvalConfig struct {
	// PerCell is the number of held-out tasks per (category, cell).
	// Default 4: 192 tasks on the default space, exact expectations, so
	// the curves carry no evaluation noise.
	PerCell int `yaml:"per_cell"`
	// Seed of the held-out set, independent of the run's seed so that
	// all seeds of an experiment share one test set. Default 1.
	Seed uint64 `yaml:"seed"`
	// K is the k of pass@k. Default 8.
	K int `yaml:"k"`
	// BandLow and BandHigh bound the learnable band: the share of
	// proposed tasks whose true solve rate p satisfies BandLow < p <
	// BandHigh. Defaults 0.2 and 0.8.
	BandLow  float64 `yaml:"band_low"`
	BandHigh float64 `yaml:"band_high"`
}

// DualPlayConfig describes a dual-play simulation (DualPlaySim). Every
// field's comment gives its default (DefaultDualPlayConfig) and why; field
// names in errors are the yaml tags.
type DualPlayConfig struct {
	// Task is the task game (game.DefaultTaskConfig).
	Task game.TaskConfig `yaml:"task"`
	// Seed drives all sampling; a seed and a config give one run.
	Seed uint64 `yaml:"seed"`
	// Batch N is the number of tasks per step. Default 256, SSP's batch.
	Batch int `yaml:"batch"`
	// Attempts M is the solver's group size per task. Default 8, AZR's
	// n = 8 rollouts.
	Attempts int `yaml:"attempts"`
	// Verifier grades attempts: label, exact or majority. Default label.
	Verifier string `yaml:"verifier"`
	// ValidityCheck flags invalid tasks for the reward: none, exact or
	// retrieval. Default none.
	ValidityCheck string `yaml:"validity_check"`
	// LeakCheck runs PasoDoble's leak detector, which flags a leaking task
	// with probability LeakDetect. Defaults false and 1 (a substring test
	// catches literal leaks).
	LeakCheck  bool    `yaml:"leak_check"`
	LeakDetect float64 `yaml:"leak_detect"`
	// ProposerReward and its parameters (NewProposerReward). Default
	// naive.
	ProposerReward       string         `yaml:"proposer_reward"`
	ProposerRewardParams map[string]any `yaml:"proposer_reward_params"`
	// SolverReward and its parameters (NewSolverReward). Default
	// correctness.
	SolverReward       string         `yaml:"solver_reward"`
	SolverRewardParams map[string]any `yaml:"solver_reward_params"`
	// Advantage is grpo, dr_grpo, trr++ or none for both roles. Default
	// grpo.
	Advantage string `yaml:"advantage"`
	// ProposerAdvantage, when set, overrides Advantage for the proposer
	// (grpo, dr_grpo, trr++ or none). Default "": as Advantage. SSP
	// trains its solver by GRPO over 5 rollouts but its proposer by
	// REINFORCE on one sample (none).
	ProposerAdvantage string `yaml:"proposer_advantage"`
	// Teacher, when set (uniform, sec, alp_gmm), replaces the learned
	// proposer: a curriculum without a proposer. Default "" (proposer).
	// The uniform and SEC teachers choose among the C·G (category, cell)
	// arms (arm = category·G + cell), so SEC's bandit runs over cells;
	// ALP-GMM samples a point of a 2-D box, a continuous category
	// coordinate in [0, C) (floored) and a difficulty, and learns from the
	// verified solve rate. SEC learns from the mean |A| of the solver's
	// advantages.
	Teacher       string         `yaml:"teacher"`
	TeacherParams map[string]any `yaml:"teacher_params"`
	// SharedModel plays both roles with one model (Absolute Zero): the
	// proposer's validity follows the solver's ability (see
	// ProposerConfig.ValidityCoupling). Default false: two models
	// (PasoDoble).
	SharedModel bool `yaml:"shared_model"`
	// DiversityWindow is the number of recently accepted tasks PasoDoble's
	// diversity is measured against. Default 100, PasoDoble's.
	DiversityWindow int `yaml:"diversity_window"`

	Proposer   ProposerConfig   `yaml:"proposer"`
	Solver     SolverConfig     `yaml:"solver"`
	Schedule   ScheduleConfig   `yaml:"schedule"`
	Population PopulationConfig `yaml:"population"`
	Eval       EvalConfig       `yaml:"eval"`
}

// DefaultDualPlayConfig returns the documented defaults.
func DefaultDualPlayConfig() DualPlayConfig {
	return DualPlayConfig{
		Task:            game.DefaultTaskConfig(),
		Seed:            1,
		Batch:           256,
		Attempts:        8,
		Verifier:        VerifierLabel,
		ValidityCheck:   CheckNone,
		LeakDetect:      1,
		ProposerReward:  RewardNaive,
		SolverReward:    SolverCorrectness,
		Advantage:       AdvantageGRPO,
		DiversityWindow: 100,
		Proposer: ProposerConfig{Policy: PolicyLogLinear, LR: 3, InitWidth: 1, ValidityCoupling: 1,
			Optimizer: OptimizerSGD, FormatVocab: 1000, FormatInit: 0.999, TopP: 1},
		Solver:   SolverConfig{LR: 0.5},
		Schedule: ScheduleConfig{Kind: ScheduleJoint, ProposerSteps: 10, SolverSteps: 5, ReuseLimit: 3, SolverTasks: SolverTasksReplay},
		Eval:     EvalConfig{PerCell: 4, Seed: 1, K: 8, BandLow: 0.2, BandHigh: 0.8},
	}
}

// SetDefaults sets c to DefaultDualPlayConfig (for config decoders that
// fill defaults before decoding).
func (c *DualPlayConfig) SetDefaults() { *c = DefaultDualPlayConfig() }

// Check returns every problem with c, in field order; nil if none. Reward
// and teacher parameter errors are reported under their *_params field.
func (c *DualPlayConfig) Check() []*DualPlayFieldError {
	var errs []*DualPlayFieldError
	bad := func(field string, v any, want string) {
		errs = append(errs, &DualPlayFieldError{Field: field, Value: v, Want: want})
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	nonNeg := func(field string, x float64) {
		if !finite(x) || x < 0 {
			bad(field, x, "a finite number ≥ 0")
		}
	}
	prob := func(field string, p float64) {
		if !(p >= 0 && p <= 1) {
			bad(field, p, "a probability in [0, 1]")
		}
	}
	oneOf := func(field, v string, names ...string) {
		for _, n := range names {
			if v == n {
				return
			}
		}
		bad(field, fmt.Sprintf("%q", v), fmt.Sprintf("one of %q", names))
	}
	for _, e := range c.Task.Check() {
		bad("task."+e.Field, e.Value, e.Want)
	}
	if c.Batch < 1 || c.Batch > 1<<20 {
		bad("batch", c.Batch, "an integer in [1, 2²⁰]")
	}
	if c.Attempts < 1 || c.Attempts > 1<<12 {
		bad("attempts", c.Attempts, "an integer in [1, 4096]")
	}
	oneOf("verifier", c.Verifier, VerifierLabel, VerifierExact, VerifierMajority)
	oneOf("validity_check", c.ValidityCheck, CheckNone, CheckExact, CheckRetrieval)
	prob("leak_detect", c.LeakDetect)
	if _, err := NewProposerReward(c.ProposerReward, c.ProposerRewardParams); err != nil {
		field := "proposer_reward_params"
		var pe *ParamError
		if !errors.As(err, &pe) {
			field = "proposer_reward"
		}
		bad(field, c.ProposerReward, err.Error())
	}
	if _, err := NewSolverReward(c.SolverReward, c.SolverRewardParams); err != nil {
		field := "solver_reward_params"
		var pe *ParamError
		if !errors.As(err, &pe) {
			field = "solver_reward"
		}
		bad(field, c.SolverReward, err.Error())
	}
	oneOf("advantage", c.Advantage, AdvantageGRPO, AdvantageDrGRPO, AdvantageTRR, AdvantageNone)
	if c.ProposerAdvantage != "" {
		oneOf("proposer_advantage", c.ProposerAdvantage, AdvantageGRPO, AdvantageDrGRPO, AdvantageTRR, AdvantageNone)
	}
	if c.Teacher != "" {
		if c.Task.Check() == nil {
			if _, err := NewTeacher(c.Teacher, c.TeacherParams, dualTeacherSpace(c), c.Seed); err != nil {
				bad("teacher", c.Teacher, err.Error())
			}
		}
	}
	if c.DiversityWindow < 1 {
		bad("diversity_window", c.DiversityWindow, "at least 1")
	}
	oneOf("proposer.policy", c.Proposer.Policy, PolicyLogLinear, PolicyTabular)
	if !finite(c.Proposer.LR) || c.Proposer.LR < 0 {
		bad("proposer.lr", c.Proposer.LR, "a finite number ≥ 0")
	}
	nonNeg("proposer.entropy", c.Proposer.Entropy)
	if !finite(c.Proposer.InitCenter) {
		bad("proposer.init_center", c.Proposer.InitCenter, "a finite number")
	}
	nonNeg("proposer.init_width", c.Proposer.InitWidth)
	if !finite(c.Proposer.ValidityCoupling) {
		bad("proposer.validity_coupling", c.Proposer.ValidityCoupling, "a finite number")
	}
	if c.Proposer.Optimizer != "" {
		oneOf("proposer.optimizer", c.Proposer.Optimizer, OptimizerSGD, OptimizerAdam)
	}
	if c.Proposer.FormatTokens < 0 || c.Proposer.FormatTokens > maxFormatTokens {
		bad("proposer.format_tokens", c.Proposer.FormatTokens, fmt.Sprintf("an integer in [0, %d]", maxFormatTokens))
	}
	if c.Proposer.FormatTokens > 0 {
		if c.Proposer.FormatVocab < 2 || c.Proposer.FormatVocab > maxFormatVocab {
			bad("proposer.format_vocab", c.Proposer.FormatVocab, fmt.Sprintf("an integer in [2, %d] (the right token and at least one wrong one)", maxFormatVocab))
		}
		if !(c.Proposer.FormatInit > 0 && c.Proposer.FormatInit < 1) {
			bad("proposer.format_init", c.Proposer.FormatInit, "a probability in (0, 1)")
		}
		if l, v := c.Proposer.FormatTokens, c.Proposer.FormatVocab; l*v > maxFormatLogits {
			bad("proposer.format_vocab", v, fmt.Sprintf("format_tokens × format_vocab ≤ %d (format_tokens %d)", maxFormatLogits, l))
		}
	}
	if !(c.Proposer.TopP > 0 && c.Proposer.TopP <= 1) {
		bad("proposer.top_p", c.Proposer.TopP, "a number in (0, 1]")
	}
	nonNeg("solver.lr", c.Solver.LR)
	if !finite(c.Solver.InitAbility) {
		bad("solver.init_ability", c.Solver.InitAbility, "a finite number")
	}
	if c.Solver.InitAbilities != nil {
		if len(c.Solver.InitAbilities) != c.Task.Categories {
			bad("solver.init_abilities", len(c.Solver.InitAbilities), fmt.Sprintf("one ability per category (%d)", c.Task.Categories))
		}
		for i, x := range c.Solver.InitAbilities {
			if !finite(x) {
				bad(fmt.Sprintf("solver.init_abilities[%d]", i), x, "a finite number")
			}
		}
	}
	prob("solver.forgetting", c.Solver.Forgetting)
	if !finite(c.Solver.Floor) {
		bad("solver.floor", c.Solver.Floor, "a finite number")
	}
	oneOf("schedule.kind", c.Schedule.Kind, ScheduleJoint, ScheduleAlternating, ScheduleFrozen)
	if c.Schedule.Kind == ScheduleAlternating {
		if c.Schedule.ProposerSteps < 1 {
			bad("schedule.proposer_steps", c.Schedule.ProposerSteps, "at least 1")
		}
		if c.Schedule.SolverSteps < 1 {
			bad("schedule.solver_steps", c.Schedule.SolverSteps, "at least 1")
		}
		if c.Schedule.ReuseLimit < 1 {
			bad("schedule.reuse_limit", c.Schedule.ReuseLimit, "at least 1")
		}
	}
	if c.Schedule.SolverTasks != "" {
		oneOf("schedule.solver_tasks", c.Schedule.SolverTasks, SolverTasksReplay, SolverTasksFresh)
	}
	if c.Schedule.BufferSize < 0 {
		bad("schedule.buffer_size", c.Schedule.BufferSize, "≥ 0 (0: 4 × batch)")
	}
	if c.Population.SnapshotEvery < 0 {
		bad("population.snapshot_every", c.Population.SnapshotEvery, "≥ 0 (0: no snapshots)")
	}
	if c.Population.Max < 0 {
		bad("population.max", c.Population.Max, "≥ 0 (0: unbounded)")
	}
	prob("population.past_proposer_share", c.Population.PastProposerShare)
	if c.Population.PastProposerShare > 0 && (c.Teacher != "" || c.Population.SnapshotEvery == 0) {
		bad("population.past_proposer_share", c.Population.PastProposerShare, "0 without proposer snapshots (a teacher, or snapshot_every 0)")
	}
	if c.Eval.PerCell < 1 {
		bad("eval.per_cell", c.Eval.PerCell, "at least 1")
	}
	if c.Eval.K < 1 {
		bad("eval.k", c.Eval.K, "at least 1")
	}
	prob("eval.band_low", c.Eval.BandLow)
	if !(c.Eval.BandHigh > c.Eval.BandLow && c.Eval.BandHigh <= 1) {
		bad("eval.band_high", c.Eval.BandHigh, fmt.Sprintf("a number in (band_low = %v, 1]", c.Eval.BandLow))
	}
	return errs
}

// Validate returns nil if c is usable, else an error joining every
// *DualPlayFieldError of Check (errors.As finds the first; all wrap
// ErrDualPlayConfig).
func (c *DualPlayConfig) Validate() error {
	errs := c.Check()
	if len(errs) == 0 {
		return nil
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}

// dualTeacherSpace is the space a teacher samples from: SEC and the
// uniform teacher choose among the C·G (category, cell) arms (arm =
// category·G + cell); ALP-GMM chooses a point in a 2-D box, a continuous
// category coordinate in [0, C) and a difficulty.
func dualTeacherSpace(c *DualPlayConfig) TeacherSpace {
	if c.Teacher == TeacherALPGMM {
		return TeacherSpace{
			Low:  []float64{0, c.Task.DifficultyMin},
			High: []float64{float64(c.Task.Categories), c.Task.DifficultyMax},
		}
	}
	return TeacherSpace{Categories: c.Task.Categories * c.Task.Cells}
}
