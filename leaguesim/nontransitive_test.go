package leaguesim

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// Tests that run small leagues of real learners on cyclic preference games,
// where non-transitivity decides what each league rule achieves.

const psroSeeds = 5

// psroConfig is a one-learner league of exact pure best responses on a
// random 7-point disc game, checkpointed every round, each new snapshot
// playing 100 matches against every earlier one (the empirical meta-game).
func psroConfig(t testing.TB, seed uint64, settings map[string]string) Config {
	const k = 7
	return Config{
		Game: cyclicDisc(t, seed, k), Seed: seed, Settings: settings,
		Rounds: 20, Matches: 4, CheckpointEvery: 1, SnapshotMatches: 100,
		Learners: []LearnerConfig{{ID: "agent", Rule: RuleBestResponse, Init: pureLogits(k, int(seed)%k)}},
		Ratings:  []league.RatingMethod{},
	}
}

// TestPSRONashConvergesWhereLatestSelfCycles runs the same learner (an exact
// best response) under two matchmakings on five random disc games:
//
//   - psro with the Nash meta-solver: the learner answers the Nash mixture
//     of the snapshots (estimated from sampled matches), and every answer
//     joins the population. The exploitability of the meta-Nash mixture,
//     computed exactly from the game, must fall near zero on every seed;
//   - latest: the learner answers its own latest policy. It must never
//     settle: every new policy beats the previous one, the sequence revisits
//     an earlier policy (a cycle through at least three responses), and the
//     latest policy stays exploitable.
func TestPSRONashConvergesWhereLatestSelfCycles(t *testing.T) {
	var psroFinal, latestMean []float64
	for seed := uint64(1); seed <= psroSeeds; seed++ {
		g := cyclicDisc(t, seed, 7)
		psro, err := Run(context.Background(), psroConfig(t, seed, map[string]string{"matchmaking": "psro", "psro.solver": "nash", "decay": "1"}), nil)
		if err != nil {
			t.Fatal(err)
		}
		first, last := psro.History[0].MetaExpl, psro.History[len(psro.History)-1].MetaExpl
		psroFinal = append(psroFinal, last)

		latest, err := Run(context.Background(), psroConfig(t, seed, map[string]string{"matchmaking": "latest"}), nil)
		if err != nil {
			t.Fatal(err)
		}
		tail := latest.History[len(latest.History)-10:]
		var expl []float64
		seen := map[league.Hash]int{}
		revisit := false
		for i, st := range tail {
			ls := st.Learners[0]
			p := latest.Policies[ls.Params]
			if pureResponse(p) < 0 {
				t.Fatalf("seed %d: latest-self best response is mixed: %v", seed, p.LogProb)
			}
			if _, ok := seen[ls.Params]; ok {
				revisit = true
			}
			seen[ls.Params] = i
			expl = append(expl, ls.Expl)
			if i > 0 {
				prev := latest.Policies[tail[i-1].Learners[0].Params]
				if w := WinRate(g, p, prev); w <= 0.5 {
					t.Errorf("seed %d round %d: the new latest policy wins only %.3f against the previous one", seed, st.Round, w)
				}
			}
		}
		m, _ := meanStd(expl)
		latestMean = append(latestMean, m)
		t.Logf("seed %d: psro-nash meta exploitability %.4f → %.4f; latest-self exploitability over the last 10 rounds mean %.3f min %.3f, %d distinct policies",
			seed, first, last, m, slices.Min(expl), len(seen))
		if !revisit || len(seen) < 3 {
			t.Errorf("seed %d: latest-self visited %d distinct policies in 10 rounds without cycling (revisit %v)", seed, len(seen), revisit)
		}
		if slices.Min(expl) < 0.05 {
			t.Errorf("seed %d: latest-self policy exploitability fell to %.3f", seed, slices.Min(expl))
		}
		if last > slices.Min(expl)/4 {
			t.Errorf("seed %d: psro-nash meta exploitability %.4f is not far below latest-self's least %.4f", seed, last, slices.Min(expl))
		}
		if last > first/3 {
			t.Errorf("seed %d: psro-nash meta exploitability %.4f → %.4f did not fall", seed, first, last)
		}
	}
	pm, ps := meanStd(psroFinal)
	lm, ls := meanStd(latestMean)
	t.Logf("over %d seeds: psro-nash final meta exploitability %.4f ± %.4f; latest-self %.3f ± %.3f", psroSeeds, pm, ps, lm, ls)
	if pm > 0.02 || slices.Max(psroFinal) > 0.04 || ps > 0.015 {
		t.Errorf("psro-nash meta exploitability %.4f ± %.4f (max %.4f): want mean ≤ 0.02, max ≤ 0.04, spread ≤ 0.015", pm, ps, slices.Max(psroFinal))
	}
	if lm < 0.15 || slices.Min(latestMean) < 0.08 {
		t.Errorf("latest-self exploitability %.3f ± %.3f (min %.3f): want mean ≥ 0.15 and every seed ≥ 0.08", lm, ls, slices.Min(latestMean))
	}
}

// TestPSROMetaSolvers runs PSRO with each meta-solver. Nash and projected
// replicator dynamics must converge (PRD approximates Nash); the uniform
// solver is fictitious play over the population and must converge more
// slowly; α-Rank must put its mass on a cycle of the population. Every
// population must show non-transitivity: three snapshots that beat each
// other in a cycle.
func TestPSROMetaSolvers(t *testing.T) {
	seeds := uint64(3)
	final := map[string][]float64{}
	for _, solver := range []string{"nash", "prd", "uniform", "alpharank"} {
		for seed := uint64(1); seed <= seeds; seed++ {
			cfg := psroConfig(t, seed, map[string]string{"matchmaking": "psro", "psro.solver": solver, "decay": "1"})
			cfg.Rounds = 15
			res, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			last := res.History[len(res.History)-1]
			final[solver] = append(final[solver], last.MetaExpl)
			if sum := floatsSum(last.Meta); math.Abs(sum-1) > 1e-9 || len(last.Meta) != last.Snapshots {
				t.Fatalf("%s seed %d: meta-strategy %v over %d snapshots", solver, seed, last.Meta, last.Snapshots)
			}
			pols := make([]*Policy, len(last.MetaIDs))
			for i, id := range last.MetaIDs {
				if pols[i], err = res.Policy(id); err != nil {
					t.Fatal(err)
				}
			}
			if c := findCycle(cfg.Game, pols, nil, 0.55); c == nil {
				t.Errorf("%s seed %d: no three snapshots beat each other in a cycle", solver, seed)
			}
			if solver == "alpharank" {
				// α-Rank's mass sits on the population's sink component,
				// which in a cyclic game is a cycle, not one strategy.
				heavy := make([]bool, len(last.Meta))
				for i, p := range last.Meta {
					heavy[i] = p >= 0.02
				}
				if c := findCycle(cfg.Game, pols, heavy, 0.55); c == nil {
					t.Errorf("alpharank seed %d: no cycle among the snapshots with α-Rank mass ≥ 0.02 (%v)", seed, last.Meta)
				}
			}
		}
	}
	for _, s := range []string{"nash", "prd", "uniform", "alpharank"} {
		m, sd := meanStd(final[s])
		t.Logf("%-9s final meta exploitability %.4f ± %.4f %v", s, m, sd, fmtFloats(final[s]))
	}
	mean := func(s string) float64 { m, _ := meanStd(final[s]); return m }
	if mean("nash") > 0.02 || mean("prd") > 0.02 {
		t.Errorf("nash %.4f, prd %.4f: want both ≤ 0.02", mean("nash"), mean("prd"))
	}
	if mean("uniform") < mean("nash")+0.015 {
		t.Errorf("uniform meta-solver %.4f is not slower than nash %.4f", mean("uniform"), mean("nash"))
	}
	if mean("uniform") > 0.1 || mean("alpharank") > 0.05 {
		t.Errorf("uniform %.4f (want ≤ 0.1), alpharank %.4f (want ≤ 0.05): populations did not improve", mean("uniform"), mean("alpharank"))
	}
}

// findCycle returns three policies (among those with use[i], nil meaning
// all) such that each beats the next with probability above thr, or nil.
func findCycle(g *game.Preference, pols []*Policy, use []bool, thr float64) []int {
	n := len(pols)
	ok := func(i int) bool { return use == nil || use[i] }
	for i := range n {
		for j := range n {
			for k := range n {
				if !ok(i) || !ok(j) || !ok(k) {
					continue
				}
				if WinRate(g, pols[i], pols[j]) > thr && WinRate(g, pols[j], pols[k]) > thr && WinRate(g, pols[k], pols[i]) > thr {
					return []int{i, j, k}
				}
			}
		}
	}
	return nil
}

func floatsSum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func fmtFloats(xs []float64) string {
	s := ""
	for _, x := range xs {
		s += fmt.Sprintf(" %.4f", x)
	}
	return "[" + s[min(1, len(s)):] + "]"
}

// TestRatingsDisagreeOnCycles runs a PFSP league (the squared weighting:
// the learner best-responds to the snapshots it loses to) on
// rock-paper-scissors-like games where every judgement is certain, then
// rates everyone after a round robin. The population cycles, so no
// transitive rating is right: Nash averaging must rate a cycle of members
// as equals (all on the support of its maximum-entropy Nash), while
// Bradley–Terry must order two of those members with separated bootstrap
// confidence intervals although the lower-rated one beats the other in
// every game, and Elo must do the same by at least 15 points (its
// bootstrap intervals, over reshuffled orders, are too wide to separate).
func TestRatingsDisagreeOnCycles(t *testing.T) {
	for _, k := range []int{3, 5} {
		g, err := game.Cyclic(k, 1)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 3; seed++ {
			cfg := Config{
				Game: g, Seed: seed, Settings: map[string]string{"matchmaking": "pfsp", "pfsp.weighting": "squared"},
				Rounds: 12, Matches: 16, CheckpointEvery: 1, EvalMatches: 200, Bootstrap: 100,
				Learners: []LearnerConfig{{ID: "agent", Rule: RuleBestResponse, Init: pureLogits(k, int(seed)%k)}},
				Ratings:  []league.RatingMethod{league.MethodBT, league.MethodElo, league.MethodNashAvg},
			}
			res, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("K=%d seed %d", k, seed)
			na := res.Leaderboard(league.MethodNashAvg)
			var ids []string
			var pols []*Policy
			for _, p := range na.Players {
				if p.Rating >= -1 { // on the support: (A p*)_i = 0
					pol, err := res.Policy(p.Name)
					if err != nil {
						t.Fatal(err)
					}
					ids, pols = append(ids, p.Name), append(pols, pol)
				}
			}
			classes := map[int]bool{}
			for _, p := range pols {
				classes[pureResponse(p)] = true
			}
			if len(classes) < 3 || findCycle(g, pols, nil, 0.99) == nil {
				t.Errorf("%s: Nash averaging's support %v covers responses %v, no cycle", name, ids, classes)
				continue
			}
			for _, m := range []league.RatingMethod{league.MethodBT, league.MethodElo} {
				lb := res.Leaderboard(m)
				i, j, ok := contradiction(g, lb, ids, pols, m == league.MethodBT, 15)
				if !ok {
					t.Errorf("%s: %s orders no two members of Nash averaging's support against their head-to-head", name, m)
					continue
				}
				t.Logf("%s: %s rates %s %.1f [%.1f, %.1f] above %s %.1f [%.1f, %.1f], who wins every game between them; Nash averaging rates both 0 (support of %d members, %d responses)",
					name, m, i.Name, i.Rating, i.CILow, i.CIHigh, j.Name, j.Rating, j.CILow, j.CIHigh, len(ids), len(classes))
			}
		}
	}
}

// contradiction finds members i, j of the given set that lb rates i above
// j, by separated intervals (i's lower bound above j's upper bound) when
// separated, else by at least gap points, although j beats i with
// probability one.
func contradiction(g *game.Preference, lb *league.Leaderboard, ids []string, pols []*Policy, separated bool, gap float64) (i, j league.LeaderboardEntry, ok bool) {
	entry := map[string]league.LeaderboardEntry{}
	for _, p := range lb.Players {
		entry[p.Name] = p
	}
	for a := range ids {
		for b := range ids {
			ei, okI := entry[ids[a]]
			ej, okJ := entry[ids[b]]
			if !okI || !okJ || WinRate(g, pols[b], pols[a]) != 1 {
				continue
			}
			if separated && ei.CILow > ej.CIHigh || !separated && ei.Rating-ej.Rating >= gap {
				return ei, ej, true
			}
		}
	}
	return i, j, false
}

// TestAlphaStarRoles runs an AlphaStar league on random disc games: a main
// agent (softmax best response, τ = 0.05) trained by the roles matchmaking
// against PFSP over all snapshots, self-play and verification; a main
// exploiter and a league exploiter (pure best responses). Checks:
//
//   - the snapshot rule: every learner checkpoints between roles.min_steps
//     and roles.max_steps+1 steps after its previous checkpoint;
//   - the reset rule: the main exploiter returns to its initial policy after
//     every checkpoint, the main agent never resets, the league exploiter
//     only right after a checkpoint;
//   - the main exploiter does its job: each of its snapshots beats the main
//     agent of that round;
//   - non-transitivity: three snapshots beat each other in a cycle;
//   - the league as a whole covers the cycle: the Nash mixture of its
//     snapshots is nearly unexploitable, unlike the main agent itself.
func TestAlphaStarRoles(t *testing.T) {
	const k, minSteps, maxSteps = 7, 2, 5
	for seed := uint64(1); seed <= 3; seed++ {
		g := cyclicDisc(t, seed, k)
		cfg := Config{
			Game: g, Seed: seed, Rounds: 30, Matches: 8, SnapshotMatches: 100,
			Settings: map[string]string{"matchmaking": "roles", "psro.solver": "nash",
				"roles.min_steps": fmt.Sprint(minSteps), "roles.max_steps": fmt.Sprint(maxSteps)},
			Learners: []LearnerConfig{
				{ID: "main", Role: league.RoleMain, Rule: RuleBestResponse, Tau: 0.05},
				{ID: "mx", Role: league.RoleMainExploiter, Rule: RuleBestResponse, Init: pureLogits(k, 0)},
				{ID: "lx", Role: league.RoleLeagueExploiter, Rule: RuleBestResponse, Init: pureLogits(k, 1)},
			},
			Ratings: []league.RatingMethod{},
		}
		res, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		initial := map[string]league.Hash{}
		for _, l := range cfg.Learners {
			p, err := NewPolicy(k, 1, l.Init)
			if l.Init == nil {
				p, err = Uniform(k, 1), nil
			}
			if err != nil {
				t.Fatal(err)
			}
			initial[l.ID] = p.Hash()
		}
		last := map[string]uint64{"main": 0, "mx": 0, "lx": 0}
		counts := map[string][2]int{} // snapshots, resets
		for _, st := range res.History {
			for _, ls := range st.Learners {
				c := counts[ls.ID]
				if ls.Snapshot != "" {
					c[0]++
					if gap := ls.Step - last[ls.ID]; gap < minSteps || gap > maxSteps+1 {
						t.Errorf("seed %d: %s checkpointed %d steps after the previous one", seed, ls.Snapshot, gap)
					}
					last[ls.ID] = ls.Step
				}
				if ls.Reset {
					c[1]++
					if ls.Snapshot == "" || ls.ID == "main" {
						t.Errorf("seed %d round %d: %s reset (snapshot %q)", seed, st.Round, ls.ID, ls.Snapshot)
					}
					if ls.Params != initial[ls.ID] {
						t.Errorf("seed %d round %d: %s reset but its policy is not its initial one", seed, st.Round, ls.ID)
					}
				}
				if ls.ID == "mx" && ls.Snapshot != "" {
					if !ls.Reset {
						t.Errorf("seed %d round %d: main exploiter checkpointed %s without a reset", seed, st.Round, ls.Snapshot)
					}
					snap, err := res.Policy(ls.Snapshot)
					if err != nil {
						t.Fatal(err)
					}
					main := res.Policies[st.Learners[0].Params]
					if w := WinRate(g, snap, main); w <= 0.5 {
						t.Errorf("seed %d: main exploiter snapshot %s wins only %.3f against the main agent of round %d", seed, ls.Snapshot, w, st.Round)
					}
				}
				counts[ls.ID] = c
			}
		}
		var snaps []*Policy
		for _, m := range res.League.Members() {
			if m.Kind == league.KindSnapshot {
				snaps = append(snaps, res.Policies[m.Params])
			}
		}
		if findCycle(g, snaps, nil, 0.52) == nil {
			t.Errorf("seed %d: no three of %d snapshots beat each other in a cycle", seed, len(snaps))
		}
		end := res.History[len(res.History)-1]
		mainExpl := end.Learners[0].Expl
		t.Logf("seed %d: snapshots/resets %v; %d members; league meta-Nash exploitability %.4f, main agent %.4f",
			seed, counts, end.Members, end.MetaExpl, mainExpl)
		for _, id := range []string{"main", "mx", "lx"} {
			if counts[id][0] < 3 {
				t.Errorf("seed %d: %s took %d snapshots in 30 rounds", seed, id, counts[id][0])
			}
		}
		if end.MetaExpl > 0.05 || end.MetaExpl > mainExpl/2 {
			t.Errorf("seed %d: league meta-Nash exploitability %.4f (main agent %.4f): want ≤ 0.05 and ≤ half the main agent's", seed, end.MetaExpl, mainExpl)
		}
	}
}

// TestPFSPTrainsAgainstHardOpponents trains a slowly moving learner
// (multiplicative weights, η = 0.3, exact updates) against a frozen pool
// holding the five pure strategies of a noisy 5-response cyclic game. The
// uniform mixture of the pool is the game's equilibrium, so with uniform
// matchmaking every answer is equally good and the learner must not move.
// PFSP (squared weighting) draws the opponents the learner loses to, so the
// learner must gain against the pool members that initially beat it (by
// more than 0.04 on every seed, 0.1 on average); and
// since the game is cyclic, it must still lose to some pool member.
func TestPFSPTrainsAgainstHardOpponents(t *testing.T) {
	const k = 5
	g, err := game.Cyclic(k, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	var pool []FrozenConfig
	var pures []*Policy
	for y := range k {
		pool = append(pool, FrozenConfig{ID: fmt.Sprintf("pure%d", y), Policy: pureLogits(k, y)})
		p, err := NewPolicy(k, 1, pureLogits(k, y))
		if err != nil {
			t.Fatal(err)
		}
		pures = append(pures, p)
	}
	var gains []float64
	for seed := uint64(1); seed <= 3; seed++ {
		init, err := NewPolicy(k, 1, randomLogits(seed, k))
		if err != nil {
			t.Fatal(err)
		}
		for _, mm := range []string{"pfsp", "uniform"} {
			cfg := Config{Game: g, Seed: seed, Settings: map[string]string{"matchmaking": mm, "pfsp.weighting": "squared"},
				Rounds: 30, Matches: 16, Frozen: pool,
				Learners: []LearnerConfig{{ID: "agent", Rule: RuleMirror, Eta: 0.3, Init: init.LogProb}},
				Ratings:  []league.RatingMethod{}}
			res, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			final := res.Policies[res.History[len(res.History)-1].Learners[0].Params]
			gain, hard, worst := 0.0, 0, 1.0
			for _, p := range pures {
				w0, w1 := WinRate(g, init, p), WinRate(g, final, p)
				worst = min(worst, w1)
				if w0 < 0.5 {
					gain += w1 - w0
					hard++
				}
			}
			gain /= float64(hard)
			t.Logf("seed %d %s: mean gain %.3f against the %d pool members that beat the initial policy; worst final win rate %.3f", seed, mm, gain, hard, worst)
			if mm == "pfsp" {
				gains = append(gains, gain)
			}
			switch {
			case mm == "pfsp" && gain < 0.04:
				t.Errorf("seed %d: PFSP learner gained only %.3f against the opponents that beat it", seed, gain)
			case mm == "uniform" && math.Abs(gain) > 1e-9:
				t.Errorf("seed %d: the learner moved (%.3g) against the uniform pool, an equilibrium", seed, gain)
			}
			if worst > 0.5+1e-9 {
				t.Errorf("seed %d %s: the learner beats every pure strategy of a cyclic game (worst %.3f)", seed, mm, worst)
			}
		}
	}
	if m, _ := meanStd(gains); m < 0.1 {
		t.Errorf("PFSP gains %v: mean %.3f, want ≥ 0.1", fmtFloats(gains), m)
	}
}
