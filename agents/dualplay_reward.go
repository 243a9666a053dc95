package agents

import (
	"fmt"
	"math"
	"strings"
)

// TaskOutcome is what the reward side observes about one proposed task
// after the solver's attempts: plain numbers and flags, independent of the
// task model that produced them. The flags are the verdicts of whatever
// checks the experiment runs (a retrieval-style validity check, a leak
// detector, a parser), not ground truth: a non-unique task that passes the
// check has Invalid = false, which is how reward hacking shows up.
//
// The zero value is a well-formed, valid, non-leaking task with no
// attempts; SolveRate is 0 then.
type TaskOutcome struct {
	// Attempts is the number of solver attempts n (or samples m for a
	// majority-vote pseudo-label).
	Attempts int
	// Correct counts the attempts the verifier in use accepted: agreement
	// with the proposer's answer (PasoDoble, SSP), with ground truth, or
	// with the majority answer (R-Zero's p̂).
	Correct int
	// Malformed marks a format error: the proposal did not parse (AZR's
	// format error, R-Zero's "no parsable question").
	Malformed bool
	// Invalid marks a task the validity check rejected (AZR: the program
	// failed execution or determinism; SSP: the RAG check did not recover
	// the answer).
	Invalid bool
	// Leak marks a task whose question is empty, contains the answer, or
	// is contained in it (PasoDoble zeroes p for these).
	Leak bool
	// Diversity is PasoDoble's div ∈ [0, 1]: the share of the last
	// accepted questions that are not near-duplicates of this one.
	Diversity float64
	// Cluster is |C_k|, the size of the repetition cluster of this task in
	// its batch, counting the task itself (a unique task has Cluster = 1).
	Cluster int
	// Batch is B, the number of tasks in the batch the cluster was taken
	// from; 0 disables the repetition penalty.
	Batch int
}

// SolveRate returns p = Correct/Attempts, or 0 without attempts.
func (o TaskOutcome) SolveRate() float64 {
	if o.Attempts <= 0 {
		return 0
	}
	return float64(o.Correct) / float64(o.Attempts)
}

// ProposerReward turns a task outcome into the proposer's scalar reward.
// Implementations are immutable values: safe for concurrent use.
type ProposerReward interface {
	// Name is the registry name of the scheme.
	Name() string
	// Reward returns the proposer's reward for one task.
	Reward(o TaskOutcome) float64
}

// Scheme is one entry of a dual-play registry (ProposerRewardSchemes,
// SolverRewardSchemes, TeacherSchemes): a name, its parameters with
// defaults, and the algorithms.md subsection it follows.
type Scheme struct {
	Name    string
	Summary string
	// Source names the algorithms.md subsection and its provenance tag.
	Source string
	Params []Param
}

// Resolve checks values against the scheme's parameters and fills in
// defaults; unknown names and wrong types are *ParamError naming the
// parameter.
func (s *Scheme) Resolve(values map[string]any) (Params, error) {
	a := Algorithm{Name: s.Name, Params: s.Params}
	return a.Resolve(values)
}

// Proposer reward schemes, by registry name.
const (
	RewardNaive        = "naive"
	RewardAbsoluteZero = "absolute_zero"
	RewardRZero        = "r_zero"
	RewardPasoDoble    = "pasodoble"
	RewardSSP          = "ssp"
)

type proposerScheme struct {
	Scheme
	build func(p Params) (ProposerReward, error)
}

func proposerSchemes() []proposerScheme {
	return []proposerScheme{
		{Scheme{Name: RewardNaive, Source: "algorithms.md §6 (common abstraction; issue 5 baseline)",
			Summary: "1 − p: rewards hard tasks whatever their validity (the hackable baseline)"},
			func(Params) (ProposerReward, error) { return NaiveReward{}, nil }},
		{Scheme{Name: RewardAbsoluteZero, Source: "algorithms.md §6.1 [code:LeapLabTHU/Absolute-Zero-Reasoner]",
			Summary: "learnability 1 − r̄ if 0 < r̄ < 1 else 0 (invalid → 0), with format-aware shaping",
			Params: []Param{
				{Name: "shaping", Default: true, Doc: "format-aware shaping (code): r if formatted and r > 0, zero_reward if formatted and r = 0, format_error on a format error; false gives the paper's bare learnability (format errors → 0)"},
				{Name: "zero_reward", Default: -0.5, Doc: "shaped reward of a well-formatted proposal with learnability 0"},
				{Name: "format_error", Default: -1.0, Doc: "shaped reward of a format error"},
			}},
			func(p Params) (ProposerReward, error) {
				return AbsoluteZeroReward{Shaping: p.Bool("shaping"), ZeroReward: p.Float("zero_reward"), FormatError: p.Float("format_error")}, nil
			}},
		{Scheme{Name: RewardRZero, Source: "algorithms.md §6.2 [code:Chengsong-Huang/R-Zero]",
			Summary: "uncertainty minus repetition penalty λ|C_k|/B; paper: max(0, 1 − 2|p̂ − ½| − pen) behind a format gate; code: min(p̂, 1 − p̂) − pen, −1 if unparsable",
			Params: []Param{
				{Name: "variant", Default: "code", Doc: "code (pinned to the official code: min(p̂,1−p̂) − λ|C|/B, −1 if unparsable) or paper (max(0, 1 − 2|p̂−½| − λ|C|/B), 0 if unparsable; the combination is [secondary])"},
				{Name: "lambda", Default: 1.0, Unverified: true, Doc: "repetition penalty weight λ (the code's implicit weight is 1; the paper gives no value)"},
			}},
			func(p Params) (ProposerReward, error) {
				if err := p.oneOf("variant", "code", "paper"); err != nil {
					return nil, err
				}
				if err := p.nonNegative("lambda"); err != nil {
					return nil, err
				}
				return RZeroReward{Paper: p.String("variant") == "paper", Lambda: p.Float("lambda")}, nil
			}},
		{Scheme{Name: RewardPasoDoble, Source: "algorithms.md §6.3 [code:HCY123902/PasoDoble]",
			Summary: "p zeroed on leaks; 0 if p ≤ τ_low or div ≤ div_min; else offset − p + div_weight·div",
			Params: []Param{
				{Name: "tau_low", Default: 0.2, Doc: "τ_low: tasks solved at rate ≤ τ_low count as invalid (reward 0)"},
				{Name: "div_min", Default: 0.3, Doc: "diversity threshold: div ≤ div_min gives reward 0"},
				{Name: "offset", Default: 1.1, Doc: "reward offset in offset − p + div_weight·div"},
				{Name: "div_weight", Default: 0.2, Doc: "diversity bonus weight"},
			}},
			func(p Params) (ProposerReward, error) {
				if err := p.unitInterval("tau_low", "div_min"); err != nil {
					return nil, err
				}
				if err := p.nonNegative("div_weight"); err != nil {
					return nil, err
				}
				return PasoDobleReward{TauLow: p.Float("tau_low"), DivMin: p.Float("div_min"), Offset: p.Float("offset"), DivWeight: p.Float("div_weight")}, nil
			}},
		{Scheme{Name: RewardSSP, Source: "algorithms.md §6.4 [secondary]",
			Summary: "1 − mean solver success on valid tasks; invalid (or malformed) → invalid_reward",
			Params: []Param{
				{Name: "invalid_reward", Default: 0.0, Doc: "reward of an invalid task: 0 in the paper; −0.1 caused the reported death spiral"},
			}},
			func(p Params) (ProposerReward, error) {
				v := p.Float("invalid_reward")
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, p.errf("invalid_reward", "%v: want a finite number", v)
				}
				return SSPReward{InvalidReward: v}, nil
			}},
	}
}

// ProposerRewardSchemes returns the proposer reward registry in listing
// order.
func ProposerRewardSchemes() []Scheme {
	s := proposerSchemes()
	out := make([]Scheme, len(s))
	for i := range s {
		out[i] = s[i].Scheme
	}
	return out
}

// NewProposerReward builds the proposer reward scheme called name with the
// given parameter values (nil for defaults). An unknown name is an error
// listing the known ones; a bad parameter is a *ParamError naming it.
func NewProposerReward(name string, values map[string]any) (ProposerReward, error) {
	var names []string
	for _, s := range proposerSchemes() {
		if s.Name == name {
			p, err := s.Resolve(values)
			if err != nil {
				return nil, err
			}
			return s.build(p)
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown proposer reward %q (known: %s)", name, strings.Join(names, ", "))
}

// unitInterval checks that the named float parameters lie in [0, 1].
func (p Params) unitInterval(names ...string) error {
	for _, n := range names {
		if v := p.Float(n); !(v >= 0 && v <= 1) {
			return p.errf(n, "%v: want a number in [0, 1]", v)
		}
	}
	return nil
}

// NaiveReward is 1 − p. It ignores validity, leaks and format on purpose:
// it is the baseline a proposer hacks by emitting unsolvable or invalid
// tasks (issue 5, scenario 1).
type NaiveReward struct{}

// Name implements ProposerReward.
func (NaiveReward) Name() string { return RewardNaive }

// Reward implements ProposerReward.
func (NaiveReward) Reward(o TaskOutcome) float64 { return 1 - o.SolveRate() }

// AbsoluteZeroReward is AZR's learnability reward (algorithms.md §6.1):
// r = 1 − r̄ if 0 < r̄ < 1 else 0, with r̄ the mean of the solver's
// rollouts; invalid proposals get r = 0 (the code assigns them acc = 1).
// The code's form (1 − acc if acc > 0 else 0) agrees with the paper's at
// every r̄, so there is one variant. With Shaping (the code's format-aware
// shaping, the default) the final reward is r if well formatted and r > 0,
// ZeroReward (−0.5) if well formatted and r = 0, and FormatError (−1) on a
// format error; without it a format error scores 0.
type AbsoluteZeroReward struct {
	Shaping     bool
	ZeroReward  float64
	FormatError float64
}

// Name implements ProposerReward.
func (AbsoluteZeroReward) Name() string { return RewardAbsoluteZero }

// Reward implements ProposerReward.
func (a AbsoluteZeroReward) Reward(o TaskOutcome) float64 {
	r := 0.0
	if p := o.SolveRate(); !o.Malformed && !o.Invalid && p > 0 && p < 1 {
		r = 1 - p
	}
	if !a.Shaping {
		return r
	}
	return a.shape(r, o.Malformed)
}

// shape applies AZR's format-aware shaping to a role reward r (both roles
// use it).
func (a AbsoluteZeroReward) shape(r float64, malformed bool) float64 {
	switch {
	case malformed:
		return a.FormatError
	case r > 0:
		return r
	default:
		return a.ZeroReward
	}
}

// RZeroReward is the R-Zero Challenger reward (algorithms.md §6.2) on p̂,
// the fraction of solver samples agreeing with the majority answer, minus
// the repetition penalty λ|C_k|/B. The code variant (default) is
// min(p̂, 1 − p̂) − λ|C_k|/B, and −1 when the question did not parse; the
// paper variant is max(0, 1 − 2|p̂ − ½| − λ|C_k|/B) behind a format gate
// (0 when the question did not parse). Validity does not enter: R-Zero has
// no validity check, only pseudo-labels.
type RZeroReward struct {
	Paper  bool
	Lambda float64
}

// Name implements ProposerReward.
func (RZeroReward) Name() string { return RewardRZero }

// Reward implements ProposerReward.
func (z RZeroReward) Reward(o TaskOutcome) float64 {
	pen := 0.0
	if o.Batch > 0 {
		pen = z.Lambda * float64(o.Cluster) / float64(o.Batch)
	}
	p := o.SolveRate()
	if z.Paper {
		if o.Malformed {
			return 0
		}
		return math.Max(0, 1-2*math.Abs(p-0.5)-pen)
	}
	if o.Malformed {
		return -1
	}
	return math.Min(p, 1-p) - pen
}

// PasoDobleReward is the PasoDoble proposer reward as in the official code
// (algorithms.md §6.3): p is zeroed when the task leaks (or is malformed,
// which covers the empty question); then the reward is 0 if p ≤ TauLow
// (unsolved tasks count as invalid), 0 if Diversity ≤ DivMin, and
// otherwise Offset − p + DivWeight·Diversity (1.1 − p + 0.2·div).
type PasoDobleReward struct {
	TauLow, DivMin, Offset, DivWeight float64
}

// Name implements ProposerReward.
func (PasoDobleReward) Name() string { return RewardPasoDoble }

// Reward implements ProposerReward.
func (d PasoDobleReward) Reward(o TaskOutcome) float64 {
	p := pasoDobleRate(o)
	if p <= d.TauLow || o.Diversity <= d.DivMin {
		return 0
	}
	return d.Offset - p + d.DivWeight*o.Diversity
}

// pasoDobleRate is p with PasoDoble's anti-hacking zeroing applied.
func pasoDobleRate(o TaskOutcome) float64 {
	if o.Leak || o.Malformed {
		return 0
	}
	return o.SolveRate()
}

// SSPReward is the Search Self-Play proposer reward (algorithms.md §6.4):
// 1 − mean solver success on valid tasks, InvalidReward on tasks the
// validity check rejected (or that did not parse). InvalidReward is 0 in
// the paper, which reports a "death spiral" (entropy up, valid rate → 0)
// with −0.1. Trained by one-sample REINFORCE without a baseline the
// penalty alone does not cause it (the estimate is unbiased and the
// penalty only lowers invalid tasks); the simulator reproduces it where
// the mean proposer reward is negative and the proposer is sampled
// top-p over format tokens and trained by Adam (ProposerConfig.TopP,
// FormatTokens, Optimizer): the unsampled malformed tail then rises until
// proposals stop parsing, late in training once the solver has caught
// up (examples/dualplay, Scenario 5; TestScenarioSSPLateOnset,
// TestScenarioSSPInvalidPenalty). The config's "intermediate_difficulty"
// variant is not documented and not implemented.
type SSPReward struct {
	InvalidReward float64
}

// Name implements ProposerReward.
func (SSPReward) Name() string { return RewardSSP }

// Reward implements ProposerReward.
func (s SSPReward) Reward(o TaskOutcome) float64 {
	if o.Invalid || o.Malformed {
		return s.InvalidReward
	}
	return 1 - o.SolveRate()
}

// Solver reward schemes, by registry name.
const (
	SolverCorrectness  = "correctness"
	SolverAbsoluteZero = "absolute_zero"
	SolverPasoDoble    = "pasodoble"
	SolverRZero        = "r_zero"
)

// SolverReward scores solver attempts and decides which tasks the solver
// trains on. Attempt rewards are per-attempt correctness (1 or 0), or AZR's
// shaped 1 / ZeroReward / FormatError; a task is trained on when its
// solve rate p lies in the band (Low, High) — each end open or closed —
// after PasoDoble's leak zeroing. A SolverReward is an immutable value.
type SolverReward struct {
	Scheme string
	// Shaping applies AZR's format-aware shaping to attempts.
	Shaping                 bool
	ZeroReward, FormatError float64
	// Band filter on p; Filter false trains on every task.
	Filter                bool
	Low, High             float64
	LowClosed, HighClosed bool
}

// Attempt returns the reward of one attempt.
func (s SolverReward) Attempt(correct, malformed bool) float64 {
	r := 0.0
	if correct && !malformed {
		r = 1
	}
	if !s.Shaping {
		return r
	}
	return AbsoluteZeroReward{ZeroReward: s.ZeroReward, FormatError: s.FormatError}.shape(r, malformed)
}

// Trains reports whether the solver trains on the task: p (zeroed on leaks
// or format errors) within the band. PasoDoble: τ_low < p < τ_high;
// R-Zero: |p̂ − ½| ≤ δ (paper) or 0.3 ≤ p̂ ≤ 0.7 (code).
func (s SolverReward) Trains(o TaskOutcome) bool {
	if !s.Filter {
		return true
	}
	p := pasoDobleRate(o)
	lo := p > s.Low || (s.LowClosed && p == s.Low)
	hi := p < s.High || (s.HighClosed && p == s.High)
	return lo && hi
}

type solverScheme struct {
	Scheme
	build func(p Params) (SolverReward, error)
}

func solverSchemes() []solverScheme {
	return []solverScheme{
		{Scheme{Name: SolverCorrectness, Source: "algorithms.md §6.1–6.4 (binary correctness)",
			Summary: "1 per correct attempt, 0 otherwise; trains on every task"},
			func(Params) (SolverReward, error) { return SolverReward{Scheme: SolverCorrectness}, nil }},
		{Scheme{Name: SolverAbsoluteZero, Source: "algorithms.md §6.1 [code]",
			Summary: "binary correctness with AZR's format-aware shaping (1, −0.5 wrong, −1 format error)",
			Params: []Param{
				{Name: "zero_reward", Default: -0.5, Doc: "reward of a well-formatted wrong attempt"},
				{Name: "format_error", Default: -1.0, Doc: "reward of a format error"},
			}},
			func(p Params) (SolverReward, error) {
				return SolverReward{Scheme: SolverAbsoluteZero, Shaping: true, ZeroReward: p.Float("zero_reward"), FormatError: p.Float("format_error")}, nil
			}},
		{Scheme{Name: SolverPasoDoble, Source: "algorithms.md §6.3 [code]",
			Summary: "binary correctness; trains only on tasks with τ_low < p < τ_high (p zeroed on leaks)",
			Params: []Param{
				{Name: "tau_low", Default: 0.2, Doc: "τ_low, exclusive lower end of the band"},
				{Name: "tau_high", Default: 1.0, Doc: "τ_high, exclusive upper end of the band"},
			}},
			func(p Params) (SolverReward, error) {
				if err := p.unitInterval("tau_low", "tau_high"); err != nil {
					return SolverReward{}, err
				}
				if p.Float("tau_low") >= p.Float("tau_high") {
					return SolverReward{}, p.errf("tau_high", "%v: want a number > tau_low = %v", p.Float("tau_high"), p.Float("tau_low"))
				}
				return SolverReward{Scheme: SolverPasoDoble, Filter: true, Low: p.Float("tau_low"), High: p.Float("tau_high")}, nil
			}},
		{Scheme{Name: SolverRZero, Source: "algorithms.md §6.2 [code]",
			Summary: "binary correctness against the pseudo-label; trains on tasks with p̂ in a closed band around ½",
			Params: []Param{
				{Name: "variant", Default: "code", Doc: "code (0.3 ≤ p̂ ≤ 0.7) or paper (|p̂ − ½| ≤ delta)"},
				{Name: "delta", Default: 0.25, Doc: "half-width δ of the paper's band"},
			}},
			func(p Params) (SolverReward, error) {
				if err := p.oneOf("variant", "code", "paper"); err != nil {
					return SolverReward{}, err
				}
				if d := p.Float("delta"); !(d >= 0 && d <= 0.5) {
					return SolverReward{}, p.errf("delta", "%v: want a number in [0, 0.5]", d)
				}
				s := SolverReward{Scheme: SolverRZero, Filter: true, Low: 0.3, High: 0.7, LowClosed: true, HighClosed: true}
				if p.String("variant") == "paper" {
					s.Low, s.High = 0.5-p.Float("delta"), 0.5+p.Float("delta")
				}
				return s, nil
			}},
	}
}

// SolverRewardSchemes returns the solver reward registry in listing order.
func SolverRewardSchemes() []Scheme {
	s := solverSchemes()
	out := make([]Scheme, len(s))
	for i := range s {
		out[i] = s[i].Scheme
	}
	return out
}

// NewSolverReward builds the solver reward scheme called name with the
// given parameter values (nil for defaults). An unknown name is an error
// listing the known ones; a bad parameter is a *ParamError naming it.
func NewSolverReward(name string, values map[string]any) (SolverReward, error) {
	var names []string
	for _, s := range solverSchemes() {
		if s.Name == name {
			p, err := s.Resolve(values)
			if err != nil {
				return SolverReward{}, err
			}
			return s.build(p)
		}
		names = append(names, s.Name)
	}
	return SolverReward{}, fmt.Errorf("unknown solver reward %q (known: %s)", name, strings.Join(names, ", "))
}
