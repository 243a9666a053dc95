package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// Stage says what a run is doing when it reports Progress.
type Stage string

// Stages of a run, in order.
const (
	StageTrain Stage = "train" // the rounds: one Progress per round
	StageRate  Stage = "rate"  // after the last round: round robin and ratings
	StageWrite Stage = "write" // writing the leaderboard, page and plots
)

// Progress is what Run reports: after every round, then once when it
// starts rating and once when it starts writing (those two repeat the last
// round's numbers).
type Progress struct {
	Stage         Stage
	Round, Rounds int
	Members       int
	Snapshots     int
	// Matches is the number of results recorded so far.
	Matches int
	// BestExpl is the least exact exploitability this round among the
	// learners' current policies and the league's meta-Nash mixture, and
	// Best names it (a learner id, or MetaNash).
	BestExpl float64
	Best     string
}

// MetaNash names the league's meta-Nash mixture in Progress.Best, the
// metrics and the plots.
const MetaNash = "meta-Nash"

// Report is what a finished Run produced.
type Report struct {
	Config Config
	// Result is the league run: the league, every policy, every recorded
	// result, the leaderboards and the per-round history.
	Result *leaguesim.Result
	// Leaderboard is the headline leaderboard (Bradley–Terry with
	// bootstrap intervals); Result.Leaderboards holds the others.
	Leaderboard *league.Leaderboard
	// Files lists every path written, in the order written.
	Files []string
	// Page is the HTML leaderboard.
	Page string
	// PureExpl is the least exploitability of a single response of the
	// game, the floor a population that does not cover the cycle stays
	// above.
	PureExpl float64
}

// Errors callers tell apart.
var (
	// ErrNotDemoDir: Config.Dir is not empty and holds no marker of an
	// earlier demo, so Run refuses to write into it.
	ErrNotDemoDir = errors.New("directory is not empty and holds no earlier demo output")
	// ErrLeagueNotEmpty: the League given to Run already has members.
	ErrLeagueNotEmpty = errors.New("demo: the league already has members; the demo needs an empty league")
)

// Run plays the demo league (see the package comment) in lg and writes its
// outputs into cfg.Dir.
//
// lg must be empty; nil means a new in-memory league.State. Run applies
// every event from the calling goroutine, through lg, and reads lg back
// between events, so lg may be a replicated league whose Apply returns once
// the event is committed and applied locally.
//
// progress, if not nil, is called from Run's goroutine (see Progress).
// Cancelling ctx stops the run before the next learner's turn or, after the
// rounds, before the next round-robin cycle; Run then writes the metrics of
// the rounds completed (nothing else) and returns an error wrapping
// ctx.Err().
func Run(ctx context.Context, cfg Config, lg leaguesim.League, progress func(Progress)) (*Report, error) {
	lcfg, err := cfg.LeagueConfig()
	if err != nil {
		return nil, err
	}
	if lg == nil {
		lg = league.NewState()
	}
	if n := len(lg.Members()); n > 0 {
		return nil, fmt.Errorf("%w (%d)", ErrLeagueNotEmpty, n)
	}
	lcfg.League = lg
	out, err := openDir(cfg)
	if err != nil {
		return nil, err
	}
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	var last Progress
	res, runErr := leaguesim.Run(ctx, lcfg, func(r leaguesim.Round) {
		last = progressOf(r)
		report(last)
		if r.Round == r.Rounds {
			last.Stage = StageRate
			report(last)
		}
	})
	if runErr != nil {
		done := 0
		if res != nil {
			done = len(res.History)
		}
		if res != nil && done > 0 {
			// Keep what the completed rounds measured; the run's error matters more.
			_ = out.writeMetrics(res, nil, cfg.Seed)
		}
		return nil, fmt.Errorf("demo: stopped after %d of %d rounds: %w", done, cfg.Rounds, runErr)
	}
	last.Stage = StageWrite
	report(last)
	rep := &Report{Config: cfg, Result: res, Leaderboard: res.Leaderboard(league.MethodBT), PureExpl: pureExpl(lcfg.Game)}
	if rep.Leaderboard == nil || len(rep.Leaderboard.Players) == 0 {
		return nil, fmt.Errorf("demo: the league produced no Bradley–Terry leaderboard")
	}
	if err := out.writeAll(rep, lcfg); err != nil {
		return nil, err
	}
	rep.Files = out.written
	rep.Page = filepath.Join(out.dir, PageFile)
	return rep, nil
}

// progressOf summarises a round.
func progressOf(r leaguesim.Round) Progress {
	p := Progress{Stage: StageTrain, Round: r.Round, Rounds: r.Rounds, Members: r.Members,
		Snapshots: r.Snapshots, Matches: r.Matches, BestExpl: math.Inf(1)}
	for _, l := range r.Learners {
		if l.Expl < p.BestExpl {
			p.BestExpl, p.Best = l.Expl, l.ID
		}
	}
	if r.MetaExpl < p.BestExpl { // false for NaN: no snapshots yet
		p.BestExpl, p.Best = r.MetaExpl, MetaNash
	}
	return p
}
