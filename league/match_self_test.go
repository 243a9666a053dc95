package league

import (
	"math"
	"testing"
)

func TestLatestAndUniform(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("matchmaking", "latest"), &AddLearner{ID: "L"})
	checkDistribution(t, "latest", distribution(t, s, "L"), map[string]float64{"L/selfplay": 1})
	mustApply(t, s, configEvent("matchmaking", "uniform"))
	checkDistribution(t, "uniform, no snapshots", distribution(t, s, "L"), map[string]float64{"L/selfplay": 1})
	mustApply(t, s, &AddSnapshot{ID: "a"}, &AddSnapshot{ID: "b"}, &Checkpoint{Learner: "L"})
	checkDistribution(t, "uniform", distribution(t, s, "L"),
		map[string]float64{"a/uniform": 1.0 / 3, "b/uniform": 1.0 / 3, "L@0/uniform": 1.0 / 3})
	// A snapshot at home plays the others.
	checkDistribution(t, "uniform from a", distribution(t, s, "a"), map[string]float64{"b/uniform": 0.5, "L@0/uniform": 0.5})
}

// OpenAI Five: 80% current self, 20% own past selves by softmax of quality;
// beating past self i lowers q_i by η/(N·p_i); a new snapshot starts at the
// highest quality.
func TestPastSelf(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("matchmaking", "pastself"),
		&AddLearner{ID: "L"}, &AddSnapshot{ID: "other"}, &Checkpoint{Learner: "L"}, &Checkpoint{Learner: "L"})
	checkDistribution(t, "equal quality", distribution(t, s, "L"),
		map[string]float64{"L/selfplay": 0.8, "L@0/past": 0.1, "L@1/past": 0.1})

	// L beats L@0: q = −0.01/(2·0.5) = −0.01.
	recordResults(t, s, "L", "L@0", 1, 0, 0)
	if m, _ := s.Member("L@0"); !within(m.Quality, -0.01, 1e-15) {
		t.Fatalf("quality after a win: %v, want -0.01", m.Quality)
	}
	// Losses, draws and games against other members change nothing.
	recordResults(t, s, "L", "L@1", 0, 1, 1)
	recordResults(t, s, "L", "other", 3, 0, 0)
	if m, _ := s.Member("L@1"); m.Quality != 0 {
		t.Fatalf("quality after a draw and a loss: %v", m.Quality)
	}
	p0 := math.Exp(-0.01) / (math.Exp(-0.01) + 1)
	checkDistribution(t, "after one win", distribution(t, s, "L"),
		map[string]float64{"L/selfplay": 0.8, "L@0/past": 0.2 * p0, "L@1/past": 0.2 * (1 - p0)})

	// Recorded as (snapshot, learner) with the learner winning: same rule.
	// p(L@0) = p0, so q = −0.01 − 0.01/(2·p0).
	mustApply(t, s, &RecordResult{Match: "rev", A: "L@0", B: "L", Outcome: OutcomeBWins})
	if m, _ := s.Member("L@0"); !within(m.Quality, -0.01-0.01/(2*p0), 1e-15) {
		t.Fatalf("quality after a reversed win: %v", m.Quality)
	}
	eff := mustApply(t, s, &Checkpoint{Learner: "L"})[0]
	if m, _ := s.Member(eff.Snapshot); m.Quality != 0 {
		t.Errorf("new snapshot quality %v, want the maximum 0", m.Quality)
	}
	// Other matchmaking rules leave qualities alone.
	mustApply(t, s, configEvent("matchmaking", "pfsp"))
	before, _ := s.Member("L@1")
	recordResults(t, s, "L", "L@1", 5, 0, 0)
	if after, _ := s.Member("L@1"); after.Quality != before.Quality {
		t.Errorf("quality changed under pfsp")
	}
}

// expPortable agrees with math.Exp to a few ulps over the whole range.
func TestExpPortable(t *testing.T) {
	for _, x := range []float64{0, 1, -1, 0.5, -0.01, 1e-300, -1e-300, 10, -10, 100.5, -100.5, 700, -700, -744, 709.7, 0.34657359, -0.34657359} {
		got, want := expPortable(x), math.Exp(x)
		if want == 0 && got == 0 {
			continue
		}
		if rel := math.Abs(got-want) / want; rel > 1e-15 {
			t.Errorf("expPortable(%g) = %.17g, math.Exp = %.17g (relative %.2g)", x, got, want, rel)
		}
	}
	for x := -50.0; x <= 50; x += 0.0137 {
		if rel := math.Abs(expPortable(x)-math.Exp(x)) / math.Exp(x); rel > 1e-15 {
			t.Fatalf("expPortable(%g): relative error %.2g", x, rel)
		}
	}
	if !math.IsInf(expPortable(710), 1) || expPortable(-746) != 0 || !math.IsNaN(expPortable(math.NaN())) {
		t.Error("special cases")
	}
}
