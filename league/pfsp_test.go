package league

import (
	"fmt"
	"math"
	"testing"
)

// mustApply applies events and fails the test on the first error.
func mustApply(t testing.TB, s *State, evs ...Event) []Effect {
	t.Helper()
	var out []Effect
	for _, ev := range evs {
		eff, err := s.Apply(ev)
		if err != nil {
			t.Fatalf("apply %T %+v: %v", ev, ev, err)
		}
		out = append(out, eff)
	}
	return out
}

// record adds wins, draws and losses of a against b with fresh match ids.
func recordResults(t testing.TB, s *State, a, b string, wins, draws, losses int) {
	t.Helper()
	k := s.Counters().Results
	add := func(o Outcome, n int) {
		for range n {
			k++
			if eff := mustApply(t, s, &RecordResult{Match: fmt.Sprintf("r%d", k), A: a, B: b, Outcome: o}); eff[0].Duplicate {
				t.Fatalf("match id r%d reused", k)
			}
		}
	}
	add(OutcomeAWins, wins)
	add(OutcomeDraw, draws)
	add(OutcomeBWins, losses)
}

func configEvent(kv ...string) *Configure {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &Configure{Settings: m}
}

func within(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// PFSP probabilities against hand-computed fractions, for win rates
// x = (0.2, 0.5, 0.9, 1).
func TestPFSPClosedForm(t *testing.T) {
	x := []float64{0.2, 0.5, 0.9, 1}
	cases := []struct {
		w    Weighting
		p    float64
		want []float64
	}{
		// f = (0.64, 0.25, 0.01, 0), Σ = 0.9
		{WeightSquared, 0, []float64{32.0 / 45, 5.0 / 18, 1.0 / 90, 0}},
		// same as squared with p = 2
		{WeightHard, 2, []float64{32.0 / 45, 5.0 / 18, 1.0 / 90, 0}},
		// f = (0.512, 0.125, 0.001, 0), Σ = 0.638
		{WeightHard, 3, []float64{512.0 / 638, 125.0 / 638, 1.0 / 638, 0}},
		// f = (0.16, 0.25, 0.09, 0), Σ = 0.5
		{WeightVariance, 0, []float64{8.0 / 25, 1.0 / 2, 9.0 / 50, 0}},
		// f = (0.8, 0.5, 0.1, 0), Σ = 1.4
		{WeightLinear, 0, []float64{4.0 / 7, 5.0 / 14, 1.0 / 14, 0}},
		// f = (0.5, 0.5, 0.1, 0), Σ = 1.1
		{WeightLinearCapped, 0, []float64{5.0 / 11, 5.0 / 11, 1.0 / 11, 0}},
	}
	for _, c := range cases {
		got := PFSP(x, c.w, c.p)
		for i := range got {
			if !within(got[i], c.want[i], 1e-12) {
				t.Errorf("%s p=%g: P[%d] = %.15f, want %.15f", c.w, c.p, i, got[i], c.want[i])
			}
		}
	}
}

// When every weight vanishes (Σf < 1e-10), PFSP is uniform.
func TestPFSPUniformFallback(t *testing.T) {
	for _, c := range []struct {
		w Weighting
		x []float64
	}{
		{WeightSquared, []float64{1, 1, 1}},
		{WeightVariance, []float64{0, 1, 1}},
		{WeightLinear, []float64{1, 1, 1}},
		{WeightSquared, []float64{1 - 1e-6, 1, 1}}, // (1e-6)² = 1e-12 < 1e-10
	} {
		got := PFSP(c.x, c.w, 2)
		for i := range got {
			if !within(got[i], 1.0/3, 1e-15) {
				t.Errorf("%s %v: %v, want uniform", c.w, c.x, got)
				break
			}
		}
	}
	// Just above the threshold the weights are used.
	got := PFSP([]float64{1 - 1e-4, 1}, WeightSquared, 2) // f = (1e-8, 0)
	if got[0] != 1 || got[1] != 0 {
		t.Errorf("PFSP above threshold = %v, want [1 0]", got)
	}
}

// The "pfsp" matchmaking in a league whose win rates are exact fractions
// (decay 1): L beat s1 once in four games (0.25), split two games with s2
// (0.5) and never met s3 (0.5).
func TestPFSPMatchmakingClosedForm(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("decay", "1", "matchmaking", "pfsp"),
		&AddLearner{ID: "L"}, &AddSnapshot{ID: "s1"}, &AddSnapshot{ID: "s2"}, &AddSnapshot{ID: "s3"})
	recordResults(t, s, "L", "s1", 1, 0, 3)
	recordResults(t, s, "L", "s2", 0, 2, 0)
	for _, c := range []struct {
		weighting string
		want      []float64
	}{
		{"squared", []float64{9.0 / 17, 4.0 / 17, 4.0 / 17}},    // f = (9/16, 1/4, 1/4)
		{"variance", []float64{3.0 / 11, 4.0 / 11, 4.0 / 11}},   // f = (3/16, 1/4, 1/4)
		{"linear", []float64{3.0 / 7, 2.0 / 7, 2.0 / 7}},        // f = (3/4, 1/2, 1/2)
		{"linear_capped", []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}}, // f = (1/2, 1/2, 1/2)
	} {
		mustApply(t, s, configEvent("pfsp.weighting", c.weighting))
		cs, err := s.Opponents("L")
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 3 {
			t.Fatalf("%s: %d choices, want 3: %+v", c.weighting, len(cs), cs)
		}
		for k, ch := range cs {
			if want := fmt.Sprintf("s%d", k+1); ch.ID != want || ch.Branch != "pfsp" || !within(ch.P, c.want[k], 1e-12) {
				t.Errorf("%s: choice %d = %+v, want %s with P %.6f", c.weighting, k, ch, want, c.want[k])
			}
		}
	}
}

// Leases draw opponents with the frequencies Opponents reports: 20000
// leases from a fixed seed, each frequency within 4.5 standard errors.
func TestLeaseSamplingMatchesDistribution(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("decay", "1", "seed", "42"),
		&AddLearner{ID: "L"}, &AddSnapshot{ID: "s1"}, &AddSnapshot{ID: "s2"}, &AddSnapshot{ID: "s3"})
	recordResults(t, s, "L", "s1", 1, 0, 3)
	recordResults(t, s, "L", "s2", 3, 0, 1)
	cs, err := s.Opponents("L")
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	counts := map[string]int{}
	for k := range n {
		eff := mustApply(t, s, &LeaseMatch{Worker: "w", Now: int64(k), Deadline: int64(k) + 1})
		counts[eff[0].Lease.Away]++
	}
	for _, c := range cs {
		freq := float64(counts[c.ID]) / n
		se := math.Sqrt(c.P * (1 - c.P) / n)
		if math.Abs(freq-c.P) > 4.5*se {
			t.Errorf("%s: frequency %.4f, probability %.4f (se %.4f)", c.ID, freq, c.P, se)
		}
	}
}
