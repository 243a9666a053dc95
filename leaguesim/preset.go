package leaguesim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// presetResponses is the number of responses of the presets' disc game.
const presetResponses = 7

// Presets returns the names Preset accepts.
func Presets() []string { return []string{"latest", "pfsp", "psro", "roles"} }

// Preset returns a small league on a random 7-point disc game drawn from
// seed (a cyclic preference game without a pure equilibrium), of the kind
// the package's tests study:
//
//   - "latest": one exact best-response learner in naive self-play,
//     checkpointed every round; its latest policy cycles around the game;
//   - "pfsp": the same learner with PFSP ("squared") over its snapshots;
//   - "psro": the same learner with the PSRO Nash meta-solver, each new
//     snapshot playing 100 matches against every earlier one; the meta-Nash
//     mixture's exploitability falls toward 0;
//   - "roles": an AlphaStar league of a main agent (softmax best response,
//     τ = 0.05), a main exploiter and a league exploiter (pure best
//     responses), checkpointing every 6 rounds at the latest.
//
// Each runs 20 rounds (30 for roles), ends with a 20-cycle round robin and
// rates with the default methods and 100 bootstrap resamples; callers may
// change any field.
func Preset(name string, seed uint64) (Config, error) {
	if !slices.Contains(Presets(), name) {
		return Config{}, fmt.Errorf("%w: preset %q: want one of %v", ErrConfig, name, Presets())
	}
	const k = presetResponses
	cfg := Config{
		Game: cyclicDiscGame(rand.New(rand.NewPCG(seed, 0xd15c)), k), Seed: seed,
		Rounds: 20, Matches: 8, CheckpointEvery: 1, EvalMatches: 20, Bootstrap: 100,
		Learners: []LearnerConfig{{ID: "agent", Rule: RuleBestResponse, Init: pureLogits(k, int(seed%k))}},
	}
	switch name {
	case "latest":
		cfg.Settings = map[string]string{"matchmaking": "latest"}
	case "pfsp":
		cfg.Settings = map[string]string{"matchmaking": "pfsp", "pfsp.weighting": "squared"}
	case "psro":
		cfg.Settings = map[string]string{"matchmaking": "psro", "psro.solver": "nash", "decay": "1"}
		cfg.SnapshotMatches = 100
	case "roles":
		cfg.Settings = map[string]string{"matchmaking": "roles", "roles.min_steps": "2", "roles.max_steps": "5"}
		cfg.Rounds, cfg.CheckpointEvery, cfg.SnapshotMatches = 30, 0, 100
		cfg.Learners = []LearnerConfig{
			{ID: "main", Role: league.RoleMain, Rule: RuleBestResponse, Tau: 0.05},
			{ID: "main_exploiter", Role: league.RoleMainExploiter, Rule: RuleBestResponse, Init: pureLogits(k, 0)},
			{ID: "league_exploiter", Role: league.RoleLeagueExploiter, Rule: RuleBestResponse, Init: pureLogits(k, 1)},
		}
	}
	return cfg, nil
}

// cyclicDiscGame returns a one-context disc game on k ≥ 3 points with
// random angles whose consecutive gaps are all below 0.8π, so the origin
// lies inside their hull and no response is a pure equilibrium, and radii
// uniform in [0.2, 1], so the uniform policy is not an equilibrium either.
func cyclicDiscGame(rng *rand.Rand, k int) *game.Preference {
	ang := make([]float64, k)
	for {
		for i := range ang {
			ang[i] = 2 * math.Pi * rng.Float64()
		}
		slices.Sort(ang)
		ok := true
		for i := range ang {
			next := ang[(i+1)%k]
			if i == k-1 {
				next += 2 * math.Pi
			}
			ok = ok && next-ang[i] < 0.8*math.Pi
		}
		if ok {
			break
		}
	}
	pts := make([][2]float64, k)
	for i, a := range ang {
		r := 0.2 + 0.8*rng.Float64()
		pts[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
	}
	g, err := game.DiscGame(pts)
	if err != nil {
		panic(err) // the points lie in the unit disc by construction
	}
	return g
}

// pureLogits returns the K×1 log-probabilities of always answering y.
func pureLogits(k, y int) []float64 {
	l := make([]float64, k)
	for i := range l {
		l[i] = negInf
	}
	l[y] = 0
	return l
}
