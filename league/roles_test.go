package league

import (
	"slices"
	"testing"
)

// distribution returns Opponents(home) as "id/branch" → P.
func distribution(t *testing.T, s *State, home string) map[string]float64 {
	t.Helper()
	cs, err := s.Opponents(home)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	var sum float64
	for _, c := range cs {
		out[c.ID+"/"+c.Branch] += c.P
		sum += c.P
	}
	if !within(sum, 1, 1e-12) {
		t.Errorf("%s: probabilities sum to %.15f", home, sum)
	}
	return out
}

func checkDistribution(t *testing.T, name string, got, want map[string]float64) {
	t.Helper()
	for k, p := range want {
		if !within(got[k], p, 1e-12) {
			t.Errorf("%s: P(%s) = %.12f, want %.12f", name, k, got[k], p)
		}
	}
	for k, p := range got {
		if _, ok := want[k]; !ok && p != 0 {
			t.Errorf("%s: unexpected %s with P %.12f", name, k, p)
		}
	}
}

// newRoleLeague returns a league with one learner per role (decay 1 so win
// rates are plain fractions). The main agent is snapshotted at once.
func newRoleLeague(t *testing.T) *State {
	s := NewState()
	eff := mustApply(t, s, configEvent("decay", "1", "matchmaking", "roles"),
		&AddLearner{ID: "M", Role: RoleMain},
		&AddLearner{ID: "E", Role: RoleMainExploiter},
		&AddLearner{ID: "X", Role: RoleLeagueExploiter})
	if eff[1].Snapshot != "M@0" {
		t.Fatalf("main agent's initial snapshot = %q, want M@0", eff[1].Snapshot)
	}
	return s
}

func TestRolesFreshLeague(t *testing.T) {
	s := newRoleLeague(t)
	// Main agent: PFSP over {M@0} with 0.5; else opponent M itself, whose
	// verification finds nothing (no exploiter snapshots; a single own
	// snapshot leaves nothing after the monotonic-suffix removal), so
	// self-play with win rate 0.5 > 0.3.
	checkDistribution(t, "M", distribution(t, s, "M"), map[string]float64{"M@0/pfsp": 0.5, "M/selfplay": 0.5})
	// Main exploiter: win rate 0.5 > 0.1 against M, so M.
	checkDistribution(t, "E", distribution(t, s, "E"), map[string]float64{"M/exploit": 1})
	// League exploiter: PFSP over all snapshots.
	checkDistribution(t, "X", distribution(t, s, "X"), map[string]float64{"M@0/pfsp": 1})
}

// Verification (a): M wins only a quarter against the exploiter's snapshot.
func TestRolesVerificationExploiters(t *testing.T) {
	s := newRoleLeague(t)
	mustApply(t, s, &Checkpoint{Learner: "E"}) // E@0
	recordResults(t, s, "M", "E@0", 1, 0, 3)   // 0.25 < 0.3
	// PFSP branch over {M@0, E@0}, win rates (0.5, 0.25), squared:
	// f = (1/4, 9/16) → (4/13, 9/13), times 0.5. Verification 0.15 → E@0.
	// Self-play 0.35 → M (0.5 > 0.3).
	checkDistribution(t, "M", distribution(t, s, "M"), map[string]float64{
		"M@0/pfsp":         0.5 * 4 / 13,
		"E@0/pfsp":         0.5 * 9 / 13,
		"E@0/verification": 0.15,
		"M/selfplay":       0.35,
	})
	// The league exploiter, linear_capped over {M@0, E@0} at 0.5 each.
	checkDistribution(t, "X", distribution(t, s, "X"), map[string]float64{"M@0/pfsp": 0.5, "E@0/pfsp": 0.5})
}

// Verification (b), forgetting: M's win rates against its own snapshots
// (0.6, 0.8, 0.4): the monotonic suffix (0.8 → 0.4) is cut after 0.8,
// leaving (0.6, 0.8), whose minimum 0.6 < 0.7.
func TestRolesVerificationForgetting(t *testing.T) {
	s := newRoleLeague(t)
	mustApply(t, s, &Checkpoint{Learner: "M"}, &Checkpoint{Learner: "M"}) // M@1, M@2
	recordResults(t, s, "M", "M@0", 3, 0, 2)                              // 0.6
	recordResults(t, s, "M", "M@1", 4, 0, 1)                              // 0.8
	recordResults(t, s, "M", "M@2", 2, 0, 3)                              // 0.4
	// PFSP over {M@0, M@1, M@2}, squared: f = (0.16, 0.04, 0.36), Σ 0.56.
	// Verification: squared over (0.6, 0.8): f = (0.16, 0.04) → (0.8, 0.2).
	checkDistribution(t, "M", distribution(t, s, "M"), map[string]float64{
		"M@0/pfsp":         0.5 * 0.16 / 0.56,
		"M@1/pfsp":         0.5 * 0.04 / 0.56,
		"M@2/pfsp":         0.5 * 0.36 / 0.56,
		"M@0/verification": 0.15 * 0.8,
		"M@1/verification": 0.15 * 0.2,
		"M/selfplay":       0.35,
	})
}

// Self-play curriculum: with two main agents, M's win rate against N is
// 0.2 ≤ 0.3, so instead of N it plays N's snapshots by PFSP "variance".
func TestRolesSelfPlayCurriculum(t *testing.T) {
	s := newRoleLeague(t)
	mustApply(t, s, &AddLearner{ID: "N", Role: RoleMain}) // N@0
	mustApply(t, s, &Checkpoint{Learner: "N"})            // N@1
	recordResults(t, s, "M", "N", 1, 0, 4)                // 0.2
	recordResults(t, s, "M", "N@0", 3, 0, 1)              // 0.75
	recordResults(t, s, "M", "N@1", 1, 0, 1)              // 0.5
	recordResults(t, s, "M", "M@0", 9, 0, 1)              // 0.9: no forgetting
	// Snapshots {M@0, N@0, N@1}: win rates (0.9, 0.75, 0.5).
	// PFSP squared: f = (0.01, 0.0625, 0.25), Σ 0.3225, times 0.5.
	// Opponent M (1/2): verification: N@… are not exploiters; M's own
	// snapshots {M@0} leave nothing after the suffix cut → self-play, 0.5 >
	// 0.3 → M. Opponent N (1/2): verification: N's snapshots (0.75, 0.5) are
	// a monotonic suffix → nothing; self-play: 0.2 ≤ 0.3 → curriculum over
	// N's snapshots with variance f = (0.1875, 0.25) → (3/7, 4/7).
	checkDistribution(t, "M", distribution(t, s, "M"), map[string]float64{
		"M@0/pfsp":       0.5 * 0.01 / 0.3225,
		"N@0/pfsp":       0.5 * 0.0625 / 0.3225,
		"N@1/pfsp":       0.5 * 0.25 / 0.3225,
		"M/selfplay":     0.5 * 0.5,
		"N@0/curriculum": 0.5 * 0.5 * 3 / 7,
		"N@1/curriculum": 0.5 * 0.5 * 4 / 7,
	})
	// Main exploiter against two mains: both 0.5 > 0.1.
	checkDistribution(t, "E", distribution(t, s, "E"), map[string]float64{"M/exploit": 0.5, "N/exploit": 0.5})
	// If E loses nearly always to M (0.1 is not > 0.1): M's snapshots by variance.
	recordResults(t, s, "E", "M", 1, 0, 9)
	checkDistribution(t, "E", distribution(t, s, "E"), map[string]float64{"M@0/curriculum": 0.5, "N/exploit": 0.5})
}

func TestRemoveMonotonicSuffix(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		keep int
	}{
		{nil, 0},
		{[]float64{0.5}, 0},
		{[]float64{0.9, 0.5, 0.3}, 0},
		{[]float64{0.3, 0.5}, 2},
		{[]float64{0.6, 0.8, 0.4}, 2},
		{[]float64{0.2, 0.9, 0.5, 0.4, 0.4}, 2},
		{[]float64{0.5, 0.4, 0.6, 0.1}, 3},
	} {
		idx := make([]int, len(c.in))
		for i := range idx {
			idx[i] = 10 + i
		}
		wr, got := removeMonotonicSuffix(c.in, idx)
		if len(got) != c.keep || len(wr) != c.keep || !slices.Equal(got, idx[:c.keep]) {
			t.Errorf("removeMonotonicSuffix(%v) kept %v, want the first %d", c.in, got, c.keep)
		}
	}
}

// The snapshot and reset rules, with thresholds lowered to small step
// counts: no checkpoint before min_steps; then one once the minimum win
// rate exceeds 0.7 or after max_steps; main agents never reset, main
// exploiters always do.
func TestRolesSnapshotAndResetRules(t *testing.T) {
	s := newRoleLeague(t)
	mustApply(t, s, configEvent("roles.min_steps", "100", "roles.max_steps", "200"))
	h := func(name string) Hash { return testHash(name) }
	mustApply(t, s, &ReportProgress{ID: "E", Params: h("e-trained")})

	step := func(id string, n uint64, params string) Effect {
		return mustApply(t, s, &ReportProgress{ID: id, Step: n, Params: h(params)})[0]
	}
	if eff := step("M", 50, "m50"); eff.Snapshot != "" {
		t.Fatalf("checkpoint before min_steps: %+v", eff)
	}
	// 150 steps passed, but min win rate vs snapshots {M@0} is 0.5 ≤ 0.7.
	if eff := step("M", 150, "m150"); eff.Snapshot != "" {
		t.Fatalf("checkpoint without win rate: %+v", eff)
	}
	recordResults(t, s, "M", "M@0", 8, 0, 2) // 0.8 > 0.7
	eff := step("M", 160, "m160")
	if eff.Snapshot != "M@1" || eff.Reset {
		t.Fatalf("main agent at 0.8: %+v, want snapshot M@1 without reset", eff)
	}
	if m, _ := s.Member("M@1"); m.Params != h("m160") || m.Parent != "M" || m.Step != 160 || m.Role != RoleMain {
		t.Errorf("snapshot M@1 = %+v", m)
	}
	// Now M@1 is unplayed (0.5): no checkpoint until max_steps pass.
	if eff := step("M", 360, "m360"); eff.Snapshot != "" {
		t.Fatalf("checkpoint at 200 steps passed: %+v", eff)
	}
	if eff := step("M", 361, "m361"); eff.Snapshot != "M@2" || eff.Reset {
		t.Fatalf("checkpoint after max_steps: %+v, want M@2", eff)
	}

	// Main exploiter: reference set is the main agents; beat M at 0.75.
	recordResults(t, s, "E", "M", 3, 0, 1)
	eff = step("E", 100, "e100")
	if eff.Snapshot != "E@0" || !eff.Reset {
		t.Fatalf("main exploiter: %+v, want snapshot E@0 and reset", eff)
	}
	e, _ := s.Member("E")
	if snap, _ := s.Member("E@0"); snap.Params != h("e100") || e.Params != e.Initial || e.CheckpointStep != 100 {
		t.Errorf("after reset: E = %+v, E@0 = %+v", e, snap)
	}
	if got := s.Counters(); got.Resets != 1 || got.Checkpoints != 4 {
		t.Errorf("counters %+v, want 1 reset, 4 checkpoints (M@0, M@1, M@2, E@0)", got)
	}
}

// League exploiters reset with probability 0.25: over 400 checkpoints
// forced by max_steps, the reset count is within 4 standard deviations of
// 100, and the sequence is a function of the seed alone.
func TestRolesLeagueExploiterResetRate(t *testing.T) {
	run := func(seed string) (resets int, hash Hash) {
		s := NewState()
		mustApply(t, s, configEvent("seed", seed, "roles.min_steps", "0", "roles.max_steps", "0"),
			&AddLearner{ID: "X", Role: RoleLeagueExploiter})
		for k := range 400 {
			eff := mustApply(t, s, &ReportProgress{ID: "X", Step: uint64(k + 1)})[0]
			if eff.Snapshot == "" {
				t.Fatalf("step %d: no checkpoint with max_steps 0", k+1)
			}
			resets += b2i(eff.Reset)
		}
		return resets, s.Hash()
	}
	r1, h1 := run("7")
	r2, h2 := run("7")
	if r1 != r2 || h1 != h2 {
		t.Fatalf("same seed, different runs: %d/%d resets", r1, r2)
	}
	// sd = √(400·0.25·0.75) ≈ 8.66
	if r1 < 100-35 || r1 > 100+35 {
		t.Errorf("%d resets in 400, want about 100", r1)
	}
	if r3, h3 := run("8"); h3 == h1 && r3 == r1 {
		t.Errorf("different seeds gave identical runs")
	}
}
