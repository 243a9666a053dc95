package leaguesim

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// Config describes a league of learning agents. Zero values of the
// counts marked so take their defaults.
type Config struct {
	// Game is the preference game every match is played on.
	Game *game.Preference
	// Ref is the reference policy as K×B log-probabilities: the initial
	// policy of learners without Init, and the anchor of rules with τ > 0.
	// nil means uniform.
	Ref []float64
	// Seed seeds the league's generator (matchmaking draws, resets), every
	// match and so every sampled update: the same Config gives the same
	// Result.
	Seed uint64

	// Settings are league.Configure settings, applied before any member is
	// added: "matchmaking" (uniform, latest, pastself, pfsp, roles, psro),
	// "psro.solver", "pfsp.weighting", "roles.min_steps", "decay", … (see
	// league.SettingKeys). "seed" is set from Seed.
	Settings map[string]string
	// League is the league to run; nil means a new league.State. A
	// replicated league passes its own implementation.
	League League

	// Frozen are fixed opponents added as snapshots before the learners
	// (a pool of earlier or external policies, like AlphaStar's supervised
	// agents), in this order.
	Frozen []FrozenConfig
	// Learners are the trainable members, added in this order.
	Learners []LearnerConfig

	// Rounds is the number of rounds. In a round every learner, in order,
	// leases Matches matches as the home member, plays and records them,
	// takes one update step (its league step count grows by one), reports
	// progress (where the AlphaStar snapshot and reset rules apply to
	// learners with a role) and checkpoints if CheckpointEvery says so.
	Rounds int
	// Matches per learner and round (default 8).
	Matches int
	// Judgements per match (default 1); see MatchOptions.
	Judgements int
	// Mode: agents.Exact updates against the exact opponent distribution;
	// agents.Sampled updates from the learner's own match judgements.
	Mode agents.Mode
	// Explore is the probability with which a learner's answer in its
	// training matches is uniformly random instead of drawn from its
	// policy (in [0, 1]). Sampled best responses need it to learn about
	// answers their policy never gives.
	Explore float64
	// CheckpointEvery: learners without a role are checkpointed into a
	// frozen snapshot when the league starts and then every this many
	// rounds; 0 never. Learners with a role follow the league's snapshot
	// rule instead.
	CheckpointEvery int
	// SnapshotMatches is the number of matches every new snapshot plays
	// against each earlier snapshot, alternating sides. They fill the
	// empirical meta-game between snapshots that the PSRO meta-solvers read
	// (learners only meet snapshots in training). 0: none.
	SnapshotMatches int
	// EvalMatches is the number of matches per pair of members in a final
	// round robin among all members, alternating sides, before rating.
	EvalMatches int

	// Ratings are the rating methods applied to the recorded results at
	// the end, in order; nil means bt, elo, nashavg and lottery.
	Ratings []league.RatingMethod
	// Bootstrap is the number of bootstrap resamples for the ratings'
	// confidence intervals (0: each method's own intervals).
	Bootstrap int

	// Backend runs the learners' updates; nil means a one-worker CPU
	// backend owned by the run.
	Backend cuda.Backend
	// PutPolicy, if not nil, receives every policy the run stores, once
	// per hash and before the event naming that hash is applied: a
	// replicated league keeps them in a blob store beside its log so that
	// remote workers can fetch a member's parameters by hash. An error
	// stops the run.
	PutPolicy func(h league.Hash, p *Policy) error
	// Player, if not nil, plays the fixed matches (snapshot matches and the
	// round robin) in batches instead of Run's goroutine: a Pool of
	// in-process workers, say. Results are the same either way (a match
	// plays the same wherever it is played); see Player.
	Player Player
}

// LearnerConfig is one trainable member.
type LearnerConfig struct {
	// ID is the member id (letters, digits and ._:/+-).
	ID string
	// Role is the learner's AlphaStar role, used by the "roles"
	// matchmaking; empty for a plain learner.
	Role league.Role
	// Rule is the update rule: "mirror" or "br" (see RuleMirror).
	Rule string
	// Eta is the mirror step size η (default 0.5).
	Eta float64
	// Tau is the regularization toward Ref: the mirror rule's τ (0: plain
	// multiplicative weights) or the softmax temperature of "br" (0: pure
	// best response).
	Tau float64
	// Init is the initial policy (K×B log-probabilities); nil means Ref.
	// A reset returns to it.
	Init []float64
}

// FrozenConfig is one fixed opponent.
type FrozenConfig struct {
	// ID is the member id (letters, digits and ._:/+-).
	ID string
	// Policy holds K×B log-probabilities (or logits).
	Policy []float64
}

// ErrConfig marks an invalid Config; the message names the field.
var ErrConfig = errors.New("leaguesim: invalid config")

func configErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
}

// DefaultRatings are the rating methods of a Config without Ratings.
func DefaultRatings() []league.RatingMethod {
	return []league.RatingMethod{league.MethodBT, league.MethodElo, league.MethodNashAvg, league.MethodLottery}
}

// withDefaults checks c and returns a copy with defaults filled in.
func (c Config) withDefaults() (Config, error) {
	if c.Game == nil {
		return c, configErr("game", "missing")
	}
	k, b := c.Game.NumResponses(), c.Game.NumContexts()
	if c.Ref != nil && len(c.Ref) != k*b {
		return c, configErr("ref", "%d values, want K·B = %d", len(c.Ref), k*b)
	}
	if len(c.Learners) == 0 {
		return c, configErr("learners", "none; a league needs at least one learner")
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"rounds", &c.Rounds, 0}, {"matches", &c.Matches, 8}, {"judgements", &c.Judgements, 1},
		{"checkpoint_every", &c.CheckpointEvery, 0}, {"snapshot_matches", &c.SnapshotMatches, 0},
		{"eval_matches", &c.EvalMatches, 0}, {"bootstrap", &c.Bootstrap, 0}} {
		if *f.v < 0 {
			return c, configErr(f.name, "%d, want a count ≥ 0", *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.Mode != agents.Exact && c.Mode != agents.Sampled {
		return c, configErr("mode", "%d, want agents.Exact or agents.Sampled", c.Mode)
	}
	if !(c.Explore >= 0 && c.Explore <= 1) {
		return c, configErr("explore", "%v, want a probability in [0, 1]", c.Explore)
	}
	if _, ok := c.Settings["seed"]; ok {
		return c, configErr("settings", `"seed" comes from Config.Seed`)
	}
	if c.Ratings == nil {
		c.Ratings = DefaultRatings()
	}
	for i, m := range c.Ratings {
		if !slices.Contains(league.RatingMethods(), m) {
			return c, configErr(fmt.Sprintf("ratings[%d]", i), "unknown method %q", m)
		}
	}
	c.Learners = slices.Clone(c.Learners)
	seen := make(map[string]bool)
	for i, f := range c.Frozen {
		field := fmt.Sprintf("frozen[%d]", i)
		if f.ID == "" {
			return c, configErr(field+".id", "missing")
		}
		if seen[f.ID] {
			return c, configErr(field+".id", "%q used twice", f.ID)
		}
		seen[f.ID] = true
		if len(f.Policy) != k*b {
			return c, configErr(field+".policy", "%d values, want K·B = %d", len(f.Policy), k*b)
		}
	}
	for i := range c.Learners {
		l := &c.Learners[i]
		field := fmt.Sprintf("learners[%d]", i)
		if l.ID == "" {
			return c, configErr(field+".id", "missing")
		}
		if seen[l.ID] {
			return c, configErr(field+".id", "%q used twice", l.ID)
		}
		seen[l.ID] = true
		if l.Rule != RuleMirror && l.Rule != RuleBestResponse {
			return c, configErr(field+".rule", "%q, want %s or %s", l.Rule, RuleMirror, RuleBestResponse)
		}
		if l.Eta == 0 {
			l.Eta = 0.5
		}
		if !(l.Eta > 0) || math.IsInf(l.Eta, 0) {
			return c, configErr(field+".eta", "%v, want a step size > 0", l.Eta)
		}
		if !(l.Tau >= 0) || math.IsInf(l.Tau, 0) {
			return c, configErr(field+".tau", "%v, want a finite τ ≥ 0", l.Tau)
		}
		if l.Rule == RuleMirror && l.Eta*l.Tau > 1 {
			return c, configErr(field, "η·τ = %v > 1 would weigh the current policy negatively", l.Eta*l.Tau)
		}
		if l.Init != nil && len(l.Init) != k*b {
			return c, configErr(field+".init", "%d values, want K·B = %d", len(l.Init), k*b)
		}
	}
	return c, nil
}
