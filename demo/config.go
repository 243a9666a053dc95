package demo

import (
	"errors"
	"fmt"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// Defaults of the demo.
const (
	// DefaultDir is where "selfplay demo" writes when not told otherwise,
	// relative to the working directory.
	DefaultDir = "selfplay-demo"
	// DefaultSeed draws the game and seeds every match.
	DefaultSeed = 1
	// DefaultRounds sizes the run at about ten seconds on two busy cores
	// through "selfplay demo"'s single-node Raft logs (most of it spent
	// committing the half million results of the ~50 members the rounds
	// create, the rest on the rounds, the dual-play run and the bootstrap
	// of the Bradley–Terry ratings), a few with in-memory leagues.
	DefaultRounds = 60
	// MaxRounds bounds Rounds: the snapshot matches grow with the square
	// of the population, so a much larger run would stop being a demo.
	MaxRounds = 1000
	// DefaultWorkers is the number of in-process workers: a few, so that
	// the output shows the matches spread over them.
	DefaultWorkers = 4
	// MaxWorkers bounds Workers.
	MaxWorkers = 64
)

// Sizes of the league that Config does not expose: enough games for the
// ratings to separate, few enough to stay quick.
const (
	matchesPerRound = 16  // training matches per learner and round
	snapshotMatches = 400 // matches of every new snapshot against each earlier one
	decay           = "1" // no decay of the payoff table: see LeagueConfig
	evalCycles      = 20  // round-robin cycles after the rounds
	bootstrap       = 100 // bootstrap resamples of every rating
	checkpointEvery = 4   // rounds between checkpoints of the plain NLHF learner
	nlhfEta         = 0.5 // the NLHF learner's mirror step size
	nlhfTau         = 0.1 // and its regularisation toward the reference
)

// Config is a demo run. Start from DefaultConfig; every field is used as
// given.
type Config struct {
	// Dir receives the outputs (see the package comment); it is created if
	// missing and must be empty or hold an earlier demo's output.
	Dir string `json:"dir"`
	// Seed draws the game and seeds the league, every match and the
	// bootstrap: the same Seed and Rounds give the same files, byte for byte.
	Seed uint64 `json:"seed"`
	// Rounds of training, in 1..MaxRounds.
	Rounds int `json:"rounds"`
	// Workers is the number of in-process workers playing the fixed
	// matches, in 1..MaxWorkers. It changes how fast the run goes, never
	// what it produces.
	Workers int `json:"workers"`
}

// DefaultConfig returns the configuration of "selfplay demo" without flags.
func DefaultConfig() Config {
	return Config{Dir: DefaultDir, Seed: DefaultSeed, Rounds: DefaultRounds, Workers: DefaultWorkers}
}

// ErrConfig marks an invalid Config; the message names the field.
var ErrConfig = errors.New("demo: invalid config")

// check reports what is wrong with c, naming the field.
func (c Config) check() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: dir: empty; want a directory path", ErrConfig)
	}
	if c.Rounds < 1 || c.Rounds > MaxRounds {
		return fmt.Errorf("%w: rounds: %d, want 1..%d", ErrConfig, c.Rounds, MaxRounds)
	}
	if c.Workers < 1 || c.Workers > MaxWorkers {
		return fmt.Errorf("%w: workers: %d, want 1..%d", ErrConfig, c.Workers, MaxWorkers)
	}
	return nil
}

// LeagueConfig returns the league that Run plays (described in the package
// comment), without a League: Run sets it.
func (c Config) LeagueConfig() (leaguesim.Config, error) {
	if err := c.check(); err != nil {
		return leaguesim.Config{}, err
	}
	cfg, err := leaguesim.Preset("roles", c.Seed)
	if err != nil {
		return leaguesim.Config{}, fmt.Errorf("demo: %w", err) // the preset is ours: a broken build
	}
	k, b := cfg.Game.NumResponses(), cfg.Game.NumContexts()
	cfg.Rounds = c.Rounds
	cfg.Matches = matchesPerRound
	cfg.Judgements = 1
	cfg.SnapshotMatches = snapshotMatches
	cfg.EvalMatches = evalCycles
	cfg.Bootstrap = bootstrap
	cfg.CheckpointEvery = checkpointEvery
	// Snapshots never change, so every game between two of them is
	// evidence for the meta-game: the league's default decay (0.99 per
	// game) would cap each cell at about 100 effective games and leave the
	// meta-Nash mixture chasing sampling noise.
	cfg.Settings["decay"] = decay
	// Bradley–Terry with bootstrap intervals, which the outputs show; Run
	// adds the other ratings (otherRatings) without.
	cfg.Ratings = []league.RatingMethod{league.MethodBT}
	cfg.Frozen = []leaguesim.FrozenConfig{{ID: "ref", Policy: make([]float64, k*b)}} // all logits 0: uniform
	cfg.Learners = append(cfg.Learners, leaguesim.LearnerConfig{
		ID: "nlhf", Rule: leaguesim.RuleMirror, Eta: nlhfEta, Tau: nlhfTau,
	})
	return cfg, nil
}
