package agents

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// out is a shorthand for an outcome with c of n attempts correct.
func out(c, n int) TaskOutcome { return TaskOutcome{Correct: c, Attempts: n} }

func mustProposer(t *testing.T, name string, values map[string]any) ProposerReward {
	t.Helper()
	r, err := NewProposerReward(name, values)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestProposerRewards checks every scheme on hand-computed cases, edges
// included (p = 0, p = 1, p exactly τ_low, leaks, format errors).
func TestProposerRewards(t *testing.T) {
	with := func(o TaskOutcome, f func(*TaskOutcome)) TaskOutcome { f(&o); return o }
	invalid := func(o *TaskOutcome) { o.Invalid = true }
	malformed := func(o *TaskOutcome) { o.Malformed = true }
	leak := func(o *TaskOutcome) { o.Leak = true }
	rep := func(c, b int) func(*TaskOutcome) { return func(o *TaskOutcome) { o.Cluster, o.Batch = c, b } }
	div := func(d float64) func(*TaskOutcome) { return func(o *TaskOutcome) { o.Diversity = d } }
	tests := []struct {
		name   string
		scheme string
		params map[string]any
		o      TaskOutcome
		want   float64
	}{
		{"naive p=0", RewardNaive, nil, out(0, 8), 1},
		{"naive p=1", RewardNaive, nil, out(8, 8), 0},
		{"naive p=3/8", RewardNaive, nil, out(3, 8), 0.625},
		{"naive ignores invalid", RewardNaive, nil, with(out(0, 8), invalid), 1},
		{"naive ignores format", RewardNaive, nil, with(out(2, 8), malformed), 0.75},
		{"naive no attempts", RewardNaive, nil, TaskOutcome{}, 1},

		{"azr p=3/8", RewardAbsoluteZero, nil, out(3, 8), 0.625},
		{"azr p=0 shaped", RewardAbsoluteZero, nil, out(0, 8), -0.5},
		{"azr p=1 shaped", RewardAbsoluteZero, nil, out(8, 8), -0.5},
		{"azr invalid shaped", RewardAbsoluteZero, nil, with(out(3, 8), invalid), -0.5},
		{"azr format error", RewardAbsoluteZero, nil, with(out(3, 8), malformed), -1},
		{"azr bare p=3/8", RewardAbsoluteZero, map[string]any{"shaping": false}, out(3, 8), 0.625},
		{"azr bare p=0", RewardAbsoluteZero, map[string]any{"shaping": false}, out(0, 8), 0},
		{"azr bare p=1", RewardAbsoluteZero, map[string]any{"shaping": false}, out(8, 8), 0},
		{"azr bare invalid", RewardAbsoluteZero, map[string]any{"shaping": false}, with(out(1, 8), invalid), 0},
		{"azr bare format", RewardAbsoluteZero, map[string]any{"shaping": false}, with(out(1, 8), malformed), 0},
		{"azr custom zero", RewardAbsoluteZero, map[string]any{"zero_reward": -0.25}, out(0, 8), -0.25},

		{"rzero code p=1/2", RewardRZero, nil, with(out(5, 10), rep(1, 4)), 0.5 - 0.25},
		{"rzero code p=0.9", RewardRZero, nil, with(out(9, 10), rep(2, 10)), 0.1 - 0.2},
		{"rzero code p=0", RewardRZero, nil, with(out(0, 10), rep(1, 10)), -0.1},
		{"rzero code no batch", RewardRZero, nil, out(3, 10), 0.3},
		{"rzero code unparsable", RewardRZero, nil, with(out(5, 10), malformed), -1},
		{"rzero code lambda", RewardRZero, map[string]any{"lambda": 0.5}, with(out(5, 10), rep(2, 4)), 0.25},
		{"rzero paper p=1/2", RewardRZero, map[string]any{"variant": "paper"}, with(out(5, 10), rep(1, 4)), 0.75},
		{"rzero paper p=0.7", RewardRZero, map[string]any{"variant": "paper"}, with(out(7, 10), rep(1, 10)), 1 - 2*0.2 - 0.1},
		{"rzero paper clipped", RewardRZero, map[string]any{"variant": "paper"}, with(out(9, 10), rep(3, 10)), 0},
		{"rzero paper p=1", RewardRZero, map[string]any{"variant": "paper"}, out(10, 10), 0},
		{"rzero paper gate", RewardRZero, map[string]any{"variant": "paper"}, with(out(5, 10), malformed), 0},
		{"rzero ignores invalid", RewardRZero, map[string]any{"variant": "paper"}, with(out(5, 10), invalid), 1},

		{"paso p=1/2", RewardPasoDoble, nil, with(out(3, 6), div(0.5)), 1.1 - 0.5 + 0.1},
		{"paso p=1", RewardPasoDoble, nil, with(out(6, 6), div(1)), 1.1 - 1 + 0.2},
		{"paso p=τ_low", RewardPasoDoble, nil, with(out(1, 5), div(1)), 0},
		{"paso p just above τ_low", RewardPasoDoble, nil, with(out(1, 4), div(1)), 1.1 - 0.25 + 0.2},
		{"paso p=0", RewardPasoDoble, nil, with(out(0, 6), div(1)), 0},
		{"paso leak", RewardPasoDoble, nil, with(with(out(3, 6), div(1)), leak), 0},
		{"paso empty", RewardPasoDoble, nil, with(with(out(3, 6), div(1)), malformed), 0},
		{"paso div at threshold", RewardPasoDoble, nil, with(out(3, 6), div(0.3)), 0},
		{"paso div above", RewardPasoDoble, nil, with(out(3, 6), div(0.35)), 1.1 - 0.5 + 0.07},

		{"ssp valid", RewardSSP, nil, out(1, 4), 0.75},
		{"ssp valid p=0", RewardSSP, nil, out(0, 5), 1},
		{"ssp valid p=1", RewardSSP, nil, out(5, 5), 0},
		{"ssp invalid", RewardSSP, nil, with(out(0, 5), invalid), 0},
		{"ssp invalid penalty", RewardSSP, map[string]any{"invalid_reward": -0.1}, with(out(0, 5), invalid), -0.1},
		{"ssp malformed penalty", RewardSSP, map[string]any{"invalid_reward": -0.1}, with(out(0, 5), malformed), -0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustProposer(t, tc.scheme, tc.params)
			if r.Name() != tc.scheme {
				t.Errorf("Name() = %q, want %q", r.Name(), tc.scheme)
			}
			if got := r.Reward(tc.o); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Reward(%+v) = %v, want %v", tc.o, got, tc.want)
			}
		})
	}
}

// TestLearnabilityShapes checks the shared shape of the learnability-type
// rewards against the solve rate: zero at p ∈ {0, 1}, peak at ½, and the
// R-Zero code value is half the paper's uncertainty (algorithms.md §6.2).
func TestLearnabilityShapes(t *testing.T) {
	paper := mustProposer(t, RewardRZero, map[string]any{"variant": "paper"})
	code := mustProposer(t, RewardRZero, nil)
	for c := 0; c <= 10; c++ {
		o := out(c, 10)
		if got, want := code.Reward(o), paper.Reward(o)/2; math.Abs(got-want) > 1e-12 {
			t.Errorf("p=%d/10: code %v, want half the paper's %v", c, got, want)
		}
		if c != 5 && paper.Reward(o) >= paper.Reward(out(5, 10)) {
			t.Errorf("p=%d/10: uncertainty %v not below its peak at ½", c, paper.Reward(o))
		}
	}
}

func TestSolverRewards(t *testing.T) {
	leaky := out(3, 6)
	leaky.Leak = true
	tests := []struct {
		scheme string
		params map[string]any
		o      TaskOutcome
		trains bool
	}{
		{SolverCorrectness, nil, out(0, 6), true},
		{SolverCorrectness, nil, out(6, 6), true},
		{SolverPasoDoble, nil, out(1, 5), false}, // p = τ_low exactly
		{SolverPasoDoble, nil, out(2, 6), true},
		{SolverPasoDoble, nil, out(5, 6), true},
		{SolverPasoDoble, nil, out(6, 6), false}, // p = τ_high exactly
		{SolverPasoDoble, nil, leaky, false},
		{SolverPasoDoble, map[string]any{"tau_high": 0.9}, out(9, 10), false},
		{SolverRZero, nil, out(3, 10), true}, // closed band 0.3 ≤ p̂ ≤ 0.7
		{SolverRZero, nil, out(7, 10), true},
		{SolverRZero, nil, out(2, 10), false},
		{SolverRZero, nil, out(8, 10), false},
		{SolverRZero, map[string]any{"variant": "paper"}, out(1, 4), true}, // |¼ − ½| = δ
		{SolverRZero, map[string]any{"variant": "paper"}, out(2, 10), false},
		{SolverRZero, map[string]any{"variant": "paper", "delta": 0.1}, out(3, 10), false},
	}
	for _, tc := range tests {
		s, err := NewSolverReward(tc.scheme, tc.params)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Trains(tc.o); got != tc.trains {
			t.Errorf("%s %v: Trains(%d/%d, leak=%v) = %v, want %v", tc.scheme, tc.params, tc.o.Correct, tc.o.Attempts, tc.o.Leak, got, tc.trains)
		}
	}
	attempts := []struct {
		scheme             string
		correct, malformed bool
		want               float64
	}{
		{SolverCorrectness, true, false, 1},
		{SolverCorrectness, false, false, 0},
		{SolverCorrectness, true, true, 0},
		{SolverAbsoluteZero, true, false, 1},
		{SolverAbsoluteZero, false, false, -0.5},
		{SolverAbsoluteZero, true, true, -1},
		{SolverPasoDoble, true, false, 1},
	}
	for _, tc := range attempts {
		s, err := NewSolverReward(tc.scheme, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Attempt(tc.correct, tc.malformed); got != tc.want {
			t.Errorf("%s Attempt(%v, %v) = %v, want %v", tc.scheme, tc.correct, tc.malformed, got, tc.want)
		}
	}
}

// TestRewardRegistryErrors checks that bad names and parameters produce
// errors naming the bad field.
func TestRewardRegistryErrors(t *testing.T) {
	tests := []struct {
		solver bool
		name   string
		params map[string]any
		param  string // the ParamError's Param, or "" for a name error
		want   string
	}{
		{false, "learnability", nil, "", `unknown proposer reward "learnability" (known: naive, absolute_zero, r_zero, pasodoble, ssp)`},
		{true, "majority", nil, "", `unknown solver reward "majority"`},
		{false, RewardPasoDoble, map[string]any{"tau_lo": 0.1}, "tau_lo", "unknown parameter"},
		{false, RewardPasoDoble, map[string]any{"tau_low": 1.5}, "tau_low", "want a number in [0, 1]"},
		{false, RewardPasoDoble, map[string]any{"div_min": "high"}, "div_min", "want a number"},
		{false, RewardRZero, map[string]any{"variant": "both"}, "variant", `"both": want one of code, paper`},
		{false, RewardRZero, map[string]any{"lambda": -1}, "lambda", "want a finite number ≥ 0"},
		{false, RewardAbsoluteZero, map[string]any{"shaping": 1}, "shaping", "want true or false"},
		{false, RewardSSP, map[string]any{"invalid_reward": math.Inf(-1)}, "invalid_reward", "want a finite number"},
		{true, SolverPasoDoble, map[string]any{"tau_low": 0.5, "tau_high": 0.5}, "tau_high", "want a number > tau_low"},
		{true, SolverRZero, map[string]any{"delta": 0.6}, "delta", "want a number in [0, 0.5]"},
	}
	for _, tc := range tests {
		var err error
		if tc.solver {
			_, err = NewSolverReward(tc.name, tc.params)
		} else {
			_, err = NewProposerReward(tc.name, tc.params)
		}
		if err == nil {
			t.Errorf("%s %v: no error", tc.name, tc.params)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %q, want it to contain %q", tc.name, tc.params, err, tc.want)
		}
		var pe *ParamError
		if got := errors.As(err, &pe); got != (tc.param != "") || (got && pe.Param != tc.param) {
			t.Errorf("%s %v: error %q does not name parameter %q", tc.name, tc.params, err, tc.param)
		}
	}
}

// TestRewardRegistryDefaults checks that every registered scheme builds
// from its defaults, and that the defaults are the documented values.
func TestRewardRegistryDefaults(t *testing.T) {
	for _, s := range ProposerRewardSchemes() {
		r := mustProposer(t, s.Name, nil)
		if r.Name() != s.Name {
			t.Errorf("scheme %s builds %s", s.Name, r.Name())
		}
		if !strings.HasPrefix(s.Source, "algorithms.md §6") {
			t.Errorf("scheme %s: Source %q does not cite algorithms.md §6", s.Name, s.Source)
		}
	}
	for _, s := range SolverRewardSchemes() {
		r, err := NewSolverReward(s.Name, nil)
		if err != nil || r.Scheme != s.Name {
			t.Errorf("solver scheme %s: %+v, %v", s.Name, r, err)
		}
	}
	if got, want := mustProposer(t, RewardPasoDoble, nil), (PasoDobleReward{TauLow: 0.2, DivMin: 0.3, Offset: 1.1, DivWeight: 0.2}); got != want {
		t.Errorf("pasodoble defaults %+v, want %+v", got, want)
	}
	if got, want := mustProposer(t, RewardAbsoluteZero, nil), (AbsoluteZeroReward{Shaping: true, ZeroReward: -0.5, FormatError: -1}); got != want {
		t.Errorf("absolute_zero defaults %+v, want %+v", got, want)
	}
	if got, want := mustProposer(t, RewardRZero, nil), (RZeroReward{Lambda: 1}); got != want {
		t.Errorf("r_zero defaults %+v, want %+v", got, want)
	}
	if got, want := mustProposer(t, RewardSSP, nil), (SSPReward{}); got != want {
		t.Errorf("ssp defaults %+v, want %+v", got, want)
	}
}
