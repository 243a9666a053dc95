package leaguesim

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// mixedConfig is a small league exercising most paths: a frozen pool
// member, a sampled best response with exploration and a sampled mirror
// learner, PFSP, checkpoints, snapshot and evaluation matches, all ratings.
func mixedConfig(t testing.TB, seed uint64) Config {
	g := cyclicDisc(t, 11, 5)
	return Config{
		Game: g, Seed: seed, Settings: map[string]string{"matchmaking": "pfsp", "pfsp.weighting": "variance"},
		Frozen:   []FrozenConfig{{ID: "pool", Policy: pureLogits(5, 3)}},
		Learners: []LearnerConfig{{ID: "br", Rule: RuleBestResponse}, {ID: "mw", Rule: RuleMirror, Eta: 0.3}},
		Rounds:   6, Matches: 6, Judgements: 3, Mode: agents.Sampled, Explore: 0.2,
		CheckpointEvery: 2, SnapshotMatches: 4, EvalMatches: 2, Bootstrap: 20,
		Ratings: league.RatingMethods(),
	}
}

func TestRunIsDeterministic(t *testing.T) {
	run := func(seed uint64) *Result {
		res, err := Run(context.Background(), mixedConfig(t, seed), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b, c := run(1), run(1), run(2)
	sa, sb, sc := a.League.(*league.State), b.League.(*league.State), c.League.(*league.State)
	if sa.Hash() != sb.Hash() || !reflect.DeepEqual(a.History, b.History) ||
		!reflect.DeepEqual(a.Leaderboards, b.Leaderboards) || !reflect.DeepEqual(a.Battles, b.Battles) {
		t.Fatal("two runs with the same config differ")
	}
	if sa.Hash() == sc.Hash() {
		t.Fatal("runs with different seeds end in the same league state")
	}
	if len(a.Leaderboards) != len(league.RatingMethods()) {
		t.Fatalf("%d leaderboards for %d methods", len(a.Leaderboards), len(league.RatingMethods()))
	}
	// Every member's policy is stored under the hash the league names.
	for _, m := range sa.Members() {
		p, err := a.Policy(m.ID)
		if err != nil || p.Hash() != m.Params {
			t.Fatalf("member %s: policy %v (%v)", m.ID, p, err)
		}
	}
	if n := sa.Counters().Results; n != uint64(a.Matches) {
		t.Fatalf("league recorded %d results, run counted %d", n, a.Matches)
	}
}

// logLeague is a League that sends every event through the log encoding
// (as a replicated league does) and keeps the log.
type logLeague struct {
	*league.State
	log [][]byte
}

func (l *logLeague) Apply(ev league.Event) (league.Effect, error) {
	b, err := league.EncodeEvent(ev)
	if err != nil {
		return league.Effect{}, err
	}
	l.log = append(l.log, b)
	dec, err := league.DecodeEvent(b)
	if err != nil {
		return league.Effect{}, err
	}
	return l.State.Apply(dec)
}

// TestRunThroughEventLog runs the league through an encode/decode log:
// the run must be identical to the direct one, and replaying the log into
// a fresh state must give the same state, bit for bit.
func TestRunThroughEventLog(t *testing.T) {
	direct, err := Run(context.Background(), mixedConfig(t, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	ll := &logLeague{State: league.NewState()}
	cfg := mixedConfig(t, 3)
	cfg.League = ll
	logged, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(direct.History, logged.History) || ll.Hash() != direct.League.(*league.State).Hash() {
		t.Fatal("the run through the event log differs from the direct run")
	}
	replay := league.NewState()
	for i, b := range ll.log {
		ev, err := league.DecodeEvent(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := replay.Apply(ev); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if replay.Hash() != ll.Hash() {
		t.Fatal("replaying the log gives a different state")
	}
	t.Logf("%d events, %d matches", len(ll.log), logged.Matches)
}

func TestRunProgressAndCancel(t *testing.T) {
	cfg := mixedConfig(t, 4)
	var rounds []int
	matches := 0
	res, err := Run(context.Background(), cfg, func(r Round) {
		if r.Rounds != cfg.Rounds || r.Matches <= matches || len(r.Learners) != 2 {
			t.Errorf("progress %+v after %d matches", r, matches)
		}
		rounds, matches = append(rounds, r.Round), r.Matches
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rounds, []int{1, 2, 3, 4, 5, 6}) || len(res.History) != 6 {
		t.Fatalf("progress for rounds %v, history %d", rounds, len(res.History))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err = Run(ctx, cfg, func(r Round) {
		if r.Round == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || res == nil || len(res.History) != 2 || res.Leaderboards != nil {
		t.Fatalf("cancelled run: %v, result %v", err, res)
	}
}

func TestConfigErrors(t *testing.T) {
	g, _ := game.Cyclic(3, 1)
	ok := func() Config {
		return Config{Game: g, Learners: []LearnerConfig{{ID: "a", Rule: RuleMirror}}}
	}
	for _, tc := range []struct {
		want string
		edit func(c *Config)
	}{
		{"game: missing", func(c *Config) { c.Game = nil }},
		{"ref: 2 values, want K·B = 3", func(c *Config) { c.Ref = []float64{0, 0} }},
		{"learners: none", func(c *Config) { c.Learners = nil }},
		{"matches: -1", func(c *Config) { c.Matches = -1 }},
		{"explore: 2", func(c *Config) { c.Explore = 2 }},
		{"mode: 7", func(c *Config) { c.Mode = 7 }},
		{`settings: "seed"`, func(c *Config) { c.Settings = map[string]string{"seed": "1"} }},
		{`ratings[0]: unknown method "glicko"`, func(c *Config) { c.Ratings = []league.RatingMethod{"glicko"} }},
		{"learners[1].id: \"a\" used twice", func(c *Config) { c.Learners = append(c.Learners, LearnerConfig{ID: "a", Rule: RuleMirror}) }},
		{`learners[0].rule: "sgd"`, func(c *Config) { c.Learners[0].Rule = "sgd" }},
		{"learners[0].eta: -1", func(c *Config) { c.Learners[0].Eta = -1 }},
		{"learners[0]: η·τ = 2", func(c *Config) { c.Learners[0].Tau = 4 }},
		{"learners[0].init: 1 values", func(c *Config) { c.Learners[0].Init = []float64{0} }},
		{"frozen[0].policy: 0 values", func(c *Config) { c.Frozen = []FrozenConfig{{ID: "f"}} }},
		{"frozen[0].id: missing", func(c *Config) { c.Frozen = []FrozenConfig{{Policy: []float64{0, 0, 0}}} }},
		// Errors found by the league itself name the setting or event field.
		{`settings: league: Configure: field "settings.matchmaking"`, func(c *Config) { c.Settings = map[string]string{"matchmaking": "swiss"} }},
		{`learners[0]: league: AddLearner: field "id"`, func(c *Config) { c.Learners[0].ID = "bad@id" }},
		{`learners[0].init: leaguesim: malformed policy: context 0 has no probability mass`, func(c *Config) {
			c.Learners[0].Init = pureLogits(3, 0)
			c.Learners[0].Init[0] = c.Learners[0].Init[1]
		}},
	} {
		cfg := ok()
		tc.edit(&cfg)
		_, err := Run(context.Background(), cfg, nil)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want ErrConfig mentioning %q", err, tc.want)
		}
	}
}

// TestSampledModeLearns checks that learners that only see their own
// matches' judgements learn: PSRO with sampled best responses (exploring
// 20% of the time) still drives the meta-Nash exploitability down on
// every seed, and a sampled multiplicative-weights learner against a frozen
// pure opponent learns to beat it.
func TestSampledModeLearns(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		cfg := psroConfig(t, seed, map[string]string{"matchmaking": "psro", "psro.solver": "nash", "decay": "1"})
		cfg.Mode, cfg.Explore, cfg.Matches, cfg.Rounds = agents.Sampled, 0.2, 40, 15
		res, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		first, last := res.History[0].MetaExpl, res.History[len(res.History)-1].MetaExpl
		t.Logf("seed %d: sampled PSRO-Nash meta exploitability %.4f → %.4f", seed, first, last)
		if last > 0.04 || last > first/2 {
			t.Errorf("seed %d: sampled PSRO-Nash meta exploitability %.4f → %.4f", seed, first, last)
		}
	}
	g, _ := game.Cyclic(3, 0.8)
	cfg := Config{Game: g, Seed: 1, Settings: map[string]string{"matchmaking": "uniform"}, Mode: agents.Sampled,
		Frozen:   []FrozenConfig{{ID: "rock", Policy: pureLogits(3, 0)}},
		Learners: []LearnerConfig{{ID: "mw", Rule: RuleMirror, Eta: 0.5}},
		Rounds:   40, Matches: 20, Ratings: []league.RatingMethod{}}
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	final, _ := res.Policy("mw")
	rock, _ := res.Policy("rock")
	// The best answer to rock (response 0) is 2, which wins (1+0.8)/2.
	if w, p := WinRate(g, final, rock), final.Prob(0, nil)[2]; w < 0.85 || p < 0.9 {
		t.Errorf("sampled learner against rock: win rate %.3f, P(paper) %.3f", w, p)
	}
}

// putLeague checks, as each event is applied, that every hash the event
// names was handed to PutPolicy before it.
type putLeague struct {
	*league.State
	stored  map[league.Hash]*Policy
	missing []string
}

func (l *putLeague) Apply(ev league.Event) (league.Effect, error) {
	var h league.Hash
	switch e := ev.(type) {
	case *league.AddLearner:
		h = e.Params
	case *league.AddSnapshot:
		h = e.Params
	case *league.ReportProgress:
		h = e.Params
	}
	if _, ok := l.stored[h]; !h.IsZero() && !ok {
		l.missing = append(l.missing, h.String())
	}
	return l.State.Apply(ev)
}

// TestRunPutPolicy: PutPolicy sees each policy once, before the event that
// names it, its bytes hash to its name, and every member's parameters are
// among them; an error from PutPolicy stops the run with that error.
func TestRunPutPolicy(t *testing.T) {
	pl := &putLeague{State: league.NewState(), stored: map[league.Hash]*Policy{}}
	cfg := mixedConfig(t, 5)
	cfg.League = pl
	twice := 0
	cfg.PutPolicy = func(h league.Hash, p *Policy) error {
		if _, ok := pl.stored[h]; ok {
			twice++
		}
		if p.Hash() != h {
			t.Errorf("policy handed as %s hashes to %s", h, p.Hash())
		}
		pl.stored[h] = p
		return nil
	}
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.missing) > 0 || twice > 0 {
		t.Fatalf("%d events named a policy not yet stored; %d policies stored twice", len(pl.missing), twice)
	}
	if len(pl.stored) != len(res.Policies) {
		t.Fatalf("PutPolicy saw %d policies, the result holds %d", len(pl.stored), len(res.Policies))
	}
	for _, m := range pl.Members() {
		if _, ok := pl.stored[m.Params]; !ok {
			t.Fatalf("member %s has parameters %s never stored", m.ID, m.Params)
		}
	}

	boom := errors.New("disk full")
	cfg = mixedConfig(t, 5)
	cfg.PutPolicy = func(league.Hash, *Policy) error { return boom }
	if _, err := Run(context.Background(), cfg, nil); !errors.Is(err, boom) {
		t.Fatalf("run with a failing PutPolicy: %v, want %v", err, boom)
	}
}
