package agents

import (
	"fmt"
	"maps"
	"runtime"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func with(base map[string]any, extra map[string]any) map[string]any {
	out := maps.Clone(base)
	maps.Copy(out, extra)
	return out
}

// Sampled modes are consistent: with more samples per iteration the
// trajectory approaches the exact one (the error falls roughly like 1/√N).
func TestSampledApproachesExact(t *testing.T) {
	g, ref := egpoGame(31, 6, 5)
	env := newTestEnv(t, g, ref)
	const steps = 10
	for i, tc := range []struct {
		algo         string
		params       map[string]any
		small, large map[string]any
	}{
		{"omd", map[string]any{"eta": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"omd", map[string]any{"eta": 1.0, "tau": 0.2, "loss": "inpo"}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"inpo", map[string]any{"eta_inv": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"nash_md", map[string]any{"eta": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"nash_md_pg", map[string]any{"lr": 1.0, "beta": 0.2, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"nash_ema_pg", map[string]any{"lr": 1.0, "ema": 0.5, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"egpo", map[string]any{"eta": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"nash_mp", map[string]any{"eta": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"mmd", map[string]any{"eta": 1.0, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"onpo", map[string]any{"eta": 0.5, "tau": 0.2}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"spo", map[string]any{"eta": 0.5}, map[string]any{"samples": 20}, map[string]any{"samples": 600}},
		{"sppo", map[string]any{"eta": 0.5, "keep": "all"}, map[string]any{"group": 5, "groups": 1}, map[string]any{"group": 300, "groups": 4}},
		{"dno", map[string]any{"eta": 0.5}, map[string]any{"samples": 5}, map[string]any{"samples": 600}},
		{"rlhf", map[string]any{"tau": 0.5}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"dpo", map[string]any{"beta": 0.5}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"dpo", map[string]any{"beta": 0.5, "lr": 2.0}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"ipo", map[string]any{"tau": 0.5}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"ipo", map[string]any{"tau": 0.5, "sampling": "online", "lr": 0.5}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"mnpo", map[string]any{"eta": 0.5, "players": 3}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
		{"mnpo", map[string]any{"variant": "td", "eta_inv": 2.0, "r": 0.3}, map[string]any{"samples": 200}, map[string]any{"samples": 20000}},
	} {
		if testing.Short() && i%2 == 1 {
			continue // half the cases under -short (-race)
		}
		t.Run(fmt.Sprintf("%s/%v", tc.algo, tc.params), func(t *testing.T) {
			exact := runSteps(t, env, build(t, env, tc.algo, tc.params, Options{}), steps)
			var errs []float64
			for _, extra := range []map[string]any{tc.small, tc.large} {
				worst := 0.0
				for seed := range uint64(2) {
					l := build(t, env, tc.algo, with(tc.params, extra), Options{Mode: Sampled, Seed: seed + 1})
					worst = max(worst, probDiff(exact, runSteps(t, env, l, steps)))
				}
				errs = append(errs, worst)
			}
			if errs[1] > errs[0]/3 || errs[1] > 0.05 {
				t.Errorf("sampled error %.3g with few samples, %.3g with many: want a clear decrease", errs[0], errs[1])
			}
		})
	}
}

// Same seed, same numbers — also with another number of goroutines; a
// different seed gives different numbers.
func TestSampledDeterminism(t *testing.T) {
	g, ref := egpoGame(41, 70, 4) // > 64 contexts: several goroutines
	env := newTestEnv(t, g, ref)
	for _, a := range Algorithms() {
		params := map[string]any{}
		if a.Name == "mnpo" {
			params["players"] = 2
		}
		run := func(seed uint64) []float64 {
			return runSteps(t, env, build(t, env, a.Name, params, Options{Mode: Sampled, Seed: seed}), 3)
		}
		x := run(7)
		prev := runtime.GOMAXPROCS(1)
		y := run(7)
		runtime.GOMAXPROCS(prev)
		if d := maxAbsDiff(x, y); d != 0 {
			t.Errorf("%s: same seed differs by %.3g across GOMAXPROCS", a.Name, d)
		}
		if z := run(8); maxAbsDiff(x, z) == 0 {
			t.Errorf("%s: seeds 7 and 8 give identical policies", a.Name)
		}
	}
}

// SPPO's paper loss keeps only the extreme responses of each group, which
// biases it away from the exact update: more groups do not remove the bias
// that the "all" variant does not have.
func TestSPPOExtremesAreBiased(t *testing.T) {
	g, ref := egpoGame(43, 4, 5)
	env := newTestEnv(t, g, ref)
	exact := runSteps(t, env, build(t, env, "sppo", map[string]any{"eta": 1.0}, Options{}), 3)
	ext := runSteps(t, env, build(t, env, "sppo", map[string]any{"eta": 1.0, "groups": 3000}, Options{Mode: Sampled, Seed: 1}), 3)
	all := runSteps(t, env, build(t, env, "sppo", map[string]any{"eta": 1.0, "groups": 3000, "group": 100, "keep": "all"}, Options{Mode: Sampled, Seed: 1}), 3)
	if de, da := probDiff(exact, ext), probDiff(exact, all); de < 3*da || de < 0.01 {
		t.Errorf("extremes differ from exact by %.3g, all by %.3g: expected a visible bias for extremes", de, da)
	}
}

// Heterogeneous MNPO in the sampled mode approaches its exact counterpart.
func TestHTMNPOSampled(t *testing.T) {
	g, ref := egpoGame(47, 3, 4)
	h1, _ := game.Noisy(g, 0.3)
	h2 := game.RandomAntisymmetric(rngFor(3), 3, 4, game.LowerRandom)
	env := newTestEnv(t, g, ref)
	o := Options{Oracles: []*game.Preference{g, h1, h2}}
	params := map[string]any{"variant": "ht", "players": 3, "eta_inv": 2.0}
	exact := runSteps(t, env, build(t, env, "mnpo", params, o), 8)
	o.Mode, o.Seed = Sampled, 3
	small := runSteps(t, env, build(t, env, "mnpo", with(params, map[string]any{"samples": 200}), o), 8)
	large := runSteps(t, env, build(t, env, "mnpo", with(params, map[string]any{"samples": 20000}), o), 8)
	if e0, e1 := probDiff(exact, small), probDiff(exact, large); e1 > e0/3 || e1 > 0.03 {
		t.Errorf("ht sampled error %.3g → %.3g", e0, e1)
	}
}

// Nash-EMA-PG's sampled mode meets Nash-MD-PG's at the EMA rate's ends:
// rate 0 plays the current policy (β = 0), rate 1 the reference (β = 1);
// the draws come from the same streams, so the trajectories agree up to
// the rounding of the kept average.
func TestNashEMAPGSampledLimits(t *testing.T) {
	g, ref := egpoGame(45, 5, 6)
	env := newTestEnv(t, g, ref)
	base := map[string]any{"lr": 0.8, "tau": 0.2, "samples": 50}
	o := Options{Mode: Sampled, Seed: 11}
	for _, tc := range []struct{ ema, beta float64 }{{0, 0}, {1, 1}} {
		ema := runSteps(t, env, build(t, env, "nash_ema_pg", with(base, map[string]any{"ema": tc.ema}), o), 6)
		md := runSteps(t, env, build(t, env, "nash_md_pg", with(base, map[string]any{"beta": tc.beta}), o), 6)
		if d := probDiff(ema, md); d > 1e-12 {
			t.Errorf("ema %v vs nash_md_pg β = %v: differ by %.3g", tc.ema, tc.beta, d)
		}
		if d := probDiff(ema, env.RefHost()); d < 1e-3 {
			t.Errorf("ema %v: policy did not move from the reference (%.3g)", tc.ema, d)
		}
	}
	// In between, the opponent is neither.
	mid := runSteps(t, env, build(t, env, "nash_ema_pg", with(base, map[string]any{"ema": 0.5}), o), 6)
	self := runSteps(t, env, build(t, env, "nash_md_pg", with(base, map[string]any{"beta": 0.0}), o), 6)
	if d := probDiff(mid, self); d < 1e-6 {
		t.Errorf("ema 0.5 equals self-play (%.3g)", d)
	}
}
