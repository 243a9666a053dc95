package league

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Config holds the league's tunable rules. It is part of the replicated
// state and changes only through the Configure event, whose settings are
// "key=value" strings (see Settings for the keys), so a log stays readable
// and a node that meets an unknown key rejects the event instead of silently
// diverging.
//
// The defaults are the numbers of AlphaStar's published pseudocode
// (../shared/research/league.md §1) and OpenSpiel's psro_v2.
type Config struct {
	// Matchmaking names the opponent rule: "uniform", "latest", "pastself",
	// "pfsp", "roles" or "psro".
	Matchmaking string `msgpack:"matchmaking"`
	// Decay multiplies a pair's payoff statistics before each new result.
	Decay float64 `msgpack:"decay"`
	// MinGames is the decayed game count below which a pair's win rate is
	// reported as the 0.5 prior (AlphaStar uses 0: only unplayed pairs).
	MinGames float64 `msgpack:"min_games"`
	// Recent is how many of the latest results the state keeps verbatim.
	Recent int `msgpack:"recent"`
	// Reissue puts expired leases back in a queue served before new matches.
	Reissue bool `msgpack:"reissue"`

	PFSP     PFSPConfig     `msgpack:"pfsp"`
	PastSelf PastSelfConfig `msgpack:"pastself"`
	Roles    RolesConfig    `msgpack:"roles"`
	PSRO     PSROConfig     `msgpack:"psro"`
}

// PFSPConfig configures prioritized fictitious self-play.
type PFSPConfig struct {
	// Weighting is "squared", "hard", "variance", "linear" or "linear_capped".
	Weighting Weighting `msgpack:"weighting"`
	// Exponent is p of the "hard" weighting (1−x)^p.
	Exponent float64 `msgpack:"exponent"`
}

// PastSelfConfig configures OpenAI Five's past-self sampling.
type PastSelfConfig struct {
	// Latest is the probability of playing the current self (0.8).
	Latest float64 `msgpack:"latest"`
	// LR is η of the quality update q_i ← q_i − η/(N·p_i) (0.01).
	LR float64 `msgpack:"lr"`
}

// RolesConfig holds the AlphaStar role thresholds.
type RolesConfig struct {
	// PFSPProb is the main agent's probability of the PFSP branch (0.5).
	PFSPProb float64 `msgpack:"pfsp_prob"`
	// VerifyProb is the main agent's probability of trying verification (0.15).
	VerifyProb float64 `msgpack:"verify_prob"`
	// SelfPlayMin: a main agent plays another main agent directly only when
	// its win rate against it exceeds this (0.3).
	SelfPlayMin float64 `msgpack:"selfplay_min"`
	// ExploitMax: verification plays main-exploiter snapshots when the
	// minimum win rate against them is below this (0.3).
	ExploitMax float64 `msgpack:"exploit_max"`
	// ForgetMax: verification plays the opponent's old snapshots when the
	// minimum win rate against them is below this (0.7).
	ForgetMax float64 `msgpack:"forget_max"`
	// ExploiterMin: a main exploiter plays a main agent directly when its win
	// rate against it exceeds this (0.1).
	ExploiterMin float64 `msgpack:"exploiter_min"`
	// MinSteps is the number of steps since the last checkpoint before a
	// learner may checkpoint (2e9).
	MinSteps uint64 `msgpack:"min_steps"`
	// MaxSteps forces a checkpoint once this many steps passed (4e9).
	MaxSteps uint64 `msgpack:"max_steps"`
	// CheckpointWinRate: checkpoint when the minimum win rate against the
	// role's reference set exceeds this (0.7).
	CheckpointWinRate float64 `msgpack:"checkpoint_winrate"`
	// ResetProb is the league exploiter's reset probability (0.25).
	ResetProb float64 `msgpack:"reset_prob"`
}

// PSROConfig configures the PSRO meta-solver.
type PSROConfig struct {
	// Solver is "uniform", "nash", "maxent", "prd" or "alpharank".
	Solver string `msgpack:"solver"`
	// Iterations, Step and Floor are projected replicator dynamics' number
	// of Euler steps, step size and probability floor γ. OpenSpiel uses
	// 1e5 × 1e-3; the default 1e4 × 1e-2 covers the same time horizon at a
	// tenth of the cost, which matters because the meta-strategy is solved on
	// every lease.
	Iterations int     `msgpack:"iterations"`
	Step       float64 `msgpack:"step"`
	Floor      float64 `msgpack:"floor"`
	// Alpha and PopSize are α-Rank's selection intensity α and population
	// size m (OpenSpiel: 100 and 50).
	Alpha   float64 `msgpack:"alpha"`
	PopSize int     `msgpack:"pop_size"`
}

// DefaultConfig returns the configuration of a new State.
func DefaultConfig() Config {
	return Config{
		Matchmaking: "pfsp",
		Decay:       0.99,
		Recent:      100,
		Reissue:     true,
		PFSP:        PFSPConfig{Weighting: WeightSquared, Exponent: 2},
		PastSelf:    PastSelfConfig{Latest: 0.8, LR: 0.01},
		Roles: RolesConfig{
			PFSPProb: 0.5, VerifyProb: 0.15,
			SelfPlayMin: 0.3, ExploitMax: 0.3, ForgetMax: 0.7, ExploiterMin: 0.1,
			MinSteps: 2e9, MaxSteps: 4e9, CheckpointWinRate: 0.7, ResetProb: 0.25,
		},
		PSRO: PSROConfig{Solver: "nash", Iterations: 10000, Step: 0.01, Floor: 1e-6, Alpha: 100, PopSize: 50},
	}
}

// Matchmaking rule names.
var matchmakingNames = []string{"uniform", "latest", "pastself", "pfsp", "roles", "psro"}

// Meta-solver names.
var solverNames = []string{"uniform", "nash", "maxent", "prd", "alpharank"}

// Bounds on settings, so a hostile Configure cannot make every later lease
// arbitrarily slow or the state arbitrarily large.
const (
	maxRecent        = 10000
	maxPRDIterations = 100_000 // OpenSpiel's default; a lease costs O(iterations·n²)
	maxPopSize       = 1_000_000
)

// setting is one key of the Configure event.
type setting struct {
	key  string
	help string
	get  func(c *Config) string
	set  func(c *Config, v string) error
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// parseFloatIn parses a finite float in [lo, hi].
func parseFloatIn(v string, lo, hi float64) (float64, error) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("expected a number, got %q", v)
	}
	if x < lo || x > hi {
		return 0, fmt.Errorf("expected a number in [%s, %s], got %s", fmtFloat(lo), fmtFloat(hi), v)
	}
	return x, nil
}

// parseCount parses an integer in [lo, hi]; exponent forms such as 2e9 are
// accepted when they denote an integer.
func parseCount(v string, lo, hi float64) (uint64, error) {
	x, err := parseFloatIn(v, lo, hi)
	if err != nil {
		return 0, err
	}
	if x != math.Trunc(x) {
		return 0, fmt.Errorf("expected an integer, got %s", v)
	}
	return uint64(x), nil
}

func parseChoice(v string, names []string) (string, error) {
	if !slices.Contains(names, v) {
		return "", fmt.Errorf("expected one of %s, got %q", strings.Join(names, ", "), v)
	}
	return v, nil
}

func probSetting(key, help string, field func(c *Config) *float64) setting {
	return floatSetting(key, help, 0, 1, field)
}

func floatSetting(key, help string, lo, hi float64, field func(c *Config) *float64) setting {
	return setting{key, help,
		func(c *Config) string { return fmtFloat(*field(c)) },
		func(c *Config, v string) error {
			x, err := parseFloatIn(v, lo, hi)
			if err == nil {
				*field(c) = x
			}
			return err
		}}
}

func stepSetting(key, help string, field func(c *Config) *uint64) setting {
	return setting{key, help,
		func(c *Config) string { return strconv.FormatUint(*field(c), 10) },
		func(c *Config, v string) error {
			x, err := parseCount(v, 0, 1e18)
			if err == nil {
				*field(c) = x
			}
			return err
		}}
}

func intSetting(key, help string, lo, hi int, field func(c *Config) *int) setting {
	return setting{key, help,
		func(c *Config) string { return strconv.Itoa(*field(c)) },
		func(c *Config, v string) error {
			x, err := parseCount(v, float64(lo), float64(hi))
			if err == nil {
				*field(c) = int(x)
			}
			return err
		}}
}

// settings lists the Configure keys in the order Settings reports them.
// "seed" is handled by the state itself (it reseeds the generator).
var settings = []setting{
	{"matchmaking", "opponent rule: " + strings.Join(matchmakingNames, ", "),
		func(c *Config) string { return c.Matchmaking },
		func(c *Config, v string) error {
			x, err := parseChoice(v, matchmakingNames)
			c.Matchmaking = x
			return err
		}},
	{"decay", "payoff decay per update, in (0, 1]",
		func(c *Config) string { return fmtFloat(c.Decay) },
		func(c *Config, v string) error {
			x, err := parseFloatIn(v, 0, 1)
			if err == nil && x == 0 {
				err = fmt.Errorf("expected a number in (0, 1], got %s", v)
			}
			if err == nil {
				c.Decay = x
			}
			return err
		}},
	floatSetting("min_games", "decayed games below which a win rate reads 0.5", 0, 1e12,
		func(c *Config) *float64 { return &c.MinGames }),
	intSetting("recent", "number of latest results kept", 0, maxRecent,
		func(c *Config) *int { return &c.Recent }),
	{"reissue", "re-issue expired leases before new matches: true or false",
		func(c *Config) string { return strconv.FormatBool(c.Reissue) },
		func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("expected true or false, got %q", v)
			}
			c.Reissue = b
			return nil
		}},
	{"pfsp.weighting", "PFSP weighting: squared, hard, variance, linear, linear_capped",
		func(c *Config) string { return string(c.PFSP.Weighting) },
		func(c *Config, v string) error {
			x, err := parseChoice(v, weightingNames)
			c.PFSP.Weighting = Weighting(x)
			return err
		}},
	floatSetting("pfsp.exponent", "p of the hard weighting (1-x)^p", 0, 64,
		func(c *Config) *float64 { return &c.PFSP.Exponent }),
	probSetting("pastself.latest", "probability of playing the current self",
		func(c *Config) *float64 { return &c.PastSelf.Latest }),
	floatSetting("pastself.lr", "quality learning rate eta", 0, 1e6,
		func(c *Config) *float64 { return &c.PastSelf.LR }),
	probSetting("roles.pfsp_prob", "main agent: PFSP branch probability",
		func(c *Config) *float64 { return &c.Roles.PFSPProb }),
	probSetting("roles.verify_prob", "main agent: verification branch probability",
		func(c *Config) *float64 { return &c.Roles.VerifyProb }),
	probSetting("roles.selfplay_min", "main agent: self-play when win rate exceeds this",
		func(c *Config) *float64 { return &c.Roles.SelfPlayMin }),
	probSetting("roles.exploit_max", "verification: exploiter snapshots when min win rate below this",
		func(c *Config) *float64 { return &c.Roles.ExploitMax }),
	probSetting("roles.forget_max", "verification: forgotten snapshots when min win rate below this",
		func(c *Config) *float64 { return &c.Roles.ForgetMax }),
	probSetting("roles.exploiter_min", "main exploiter: play main agent when win rate exceeds this",
		func(c *Config) *float64 { return &c.Roles.ExploiterMin }),
	stepSetting("roles.min_steps", "steps since last checkpoint before checkpointing",
		func(c *Config) *uint64 { return &c.Roles.MinSteps }),
	stepSetting("roles.max_steps", "steps since last checkpoint that force one",
		func(c *Config) *uint64 { return &c.Roles.MaxSteps }),
	probSetting("roles.checkpoint_winrate", "checkpoint when min win rate exceeds this",
		func(c *Config) *float64 { return &c.Roles.CheckpointWinRate }),
	probSetting("roles.reset_prob", "league exploiter: reset probability after a checkpoint",
		func(c *Config) *float64 { return &c.Roles.ResetProb }),
	{"psro.solver", "PSRO meta-solver: " + strings.Join(solverNames, ", "),
		func(c *Config) string { return c.PSRO.Solver },
		func(c *Config, v string) error {
			x, err := parseChoice(v, solverNames)
			c.PSRO.Solver = x
			return err
		}},
	intSetting("psro.iterations", "PRD Euler steps", 1, maxPRDIterations,
		func(c *Config) *int { return &c.PSRO.Iterations }),
	floatSetting("psro.step", "PRD step size", 1e-9, 1,
		func(c *Config) *float64 { return &c.PSRO.Step }),
	floatSetting("psro.floor", "PRD probability floor gamma", 0, 0.1,
		func(c *Config) *float64 { return &c.PSRO.Floor }),
	floatSetting("psro.alpha", "alpha-Rank selection intensity", 1e-9, 1e6,
		func(c *Config) *float64 { return &c.PSRO.Alpha }),
	intSetting("psro.pop_size", "alpha-Rank population size m", 2, maxPopSize,
		func(c *Config) *int { return &c.PSRO.PopSize }),
}

// SettingKeys returns the keys the Configure event accepts, with "seed".
func SettingKeys() []string {
	keys := []string{"seed"}
	for _, s := range settings {
		keys = append(keys, s.key)
	}
	return keys
}

// Settings returns the configuration as Configure keys and values.
func (c Config) Settings() map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		m[s.key] = s.get(&c)
	}
	return m
}

// apply sets the given keys on a copy of c, validating all of them first.
// The keys are visited in sorted order, so a combined check (such as
// min_steps ≤ max_steps) sees the same values on every node.
func (c Config) apply(kv map[string]string) (Config, error) {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "seed" {
			continue
		}
		i := slices.IndexFunc(settings, func(s setting) bool { return s.key == k })
		if i < 0 {
			return c, &FieldError{Field: "settings." + k, Msg: "unknown setting; expected one of " + strings.Join(SettingKeys(), ", ")}
		}
		if err := settings[i].set(&c, kv[k]); err != nil {
			return c, &FieldError{Field: "settings." + k, Msg: err.Error()}
		}
	}
	if c.Roles.MinSteps > c.Roles.MaxSteps {
		return c, &FieldError{Field: "settings.roles.min_steps", Msg: fmt.Sprintf("must not exceed roles.max_steps (%d > %d)", c.Roles.MinSteps, c.Roles.MaxSteps)}
	}
	return c, nil
}

// validate checks a decoded configuration (from a state snapshot) the same
// way Configure would have.
func (c Config) validate() error {
	kv := c.Settings()
	_, err := DefaultConfig().apply(kv)
	return err
}
