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
	// DualStep of DualSteps is where the dual-play run stands, PassAt1 its
	// solver's held-out pass@1 there, and DualMembers the snapshots in the
	// dual-play league.
	DualStep, DualSteps int
	PassAt1             float64
	DualMembers         int
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
	// Dual is the proposer/solver stage: its league and leaderboard.
	Dual *DualReport
	// Workers are the in-process workers, with the matches each played
	// (snapshot, round-robin and dual-play matches); Driver is the number
	// of matches Run played itself (the learners' training matches).
	Workers []WorkerCount
	Driver  int64
}

// WorkerCount is one in-process worker and the matches it played.
type WorkerCount struct {
	Name    string
	Matches int64
}

// Leagues are the two leagues of a run. Either may be nil for a new
// in-memory league.State. Each must be empty; Run configures it and adds
// every member.
//
// A league that also implements leaguesim.Recorder records the workers'
// results itself (a replicated league pipelines them through its log);
// otherwise they go through its Apply, one chunk at a time. A league that
// implements BlobPutter keeps every parameter blob the league names by
// hash beside its events.
type Leagues struct {
	// Main holds the NLHF league.
	Main leaguesim.League
	// Dual holds the dual-play population: proposer and solver snapshots.
	Dual leaguesim.League
}

// BlobPutter stores the blob data under its sha256 h; Run calls it from
// one goroutine, before applying the event that names h.
type BlobPutter interface {
	PutBlob(h league.Hash, data []byte) error
}

// recorderOf returns how the workers record results in lg.
func recorderOf(lg leaguesim.League) leaguesim.Recorder {
	if r, ok := lg.(leaguesim.Recorder); ok {
		return r
	}
	return leaguesim.ApplyRecorder(lg)
}

// putBlob stores data in lg if it keeps blobs.
func putBlob(lg leaguesim.League, h league.Hash, data []byte) error {
	if b, ok := lg.(BlobPutter); ok {
		return b.PutBlob(h, data)
	}
	return nil
}

// Errors callers tell apart.
var (
	// ErrNotDemoDir: Config.Dir is not empty and holds no marker of an
	// earlier demo, so Run refuses to write into it.
	ErrNotDemoDir = errors.New("directory is not empty and holds no earlier demo output")
	// ErrLeagueNotEmpty: the League given to Run already has members.
	ErrLeagueNotEmpty = errors.New("demo: the league already has members; the demo needs an empty league")
)

// Run plays the demo's leagues (see the package comment) in lgs and
// writes its outputs into cfg.Dir.
//
// Run applies the leagues' events from the calling goroutine, except the
// results of the fixed matches, which its cfg.Workers in-process workers
// record while Run waits; it reads the leagues back between events, so a
// league may be a replicated one whose Apply returns once the event is
// committed and applied locally.
//
// progress, if not nil, is called from Run's goroutine (see Progress).
// Cancelling ctx stops the run before the next learner's turn, or within
// a batch of matches; Run then writes the metrics of the rounds completed
// (nothing else) and returns an error wrapping ctx.Err().
func Run(ctx context.Context, cfg Config, lgs Leagues, progress func(Progress)) (*Report, error) {
	lcfg, err := cfg.LeagueConfig()
	if err != nil {
		return nil, err
	}
	lg, dual := lgs.Main, lgs.Dual
	if lg == nil {
		lg = league.NewState()
	}
	if dual == nil {
		dual = league.NewState()
	}
	if n := len(lg.Members()); n > 0 {
		return nil, fmt.Errorf("%w (%d)", ErrLeagueNotEmpty, n)
	}
	if n := len(dual.Members()); n > 0 {
		return nil, fmt.Errorf("%w: the dual-play league has %d members", ErrLeagueNotEmpty, n)
	}
	out, err := openDir(cfg)
	if err != nil {
		return nil, err
	}
	pool := leaguesim.NewPool(workerPrefix, cfg.Workers, 0)
	lcfg.League, lcfg.Player = lg, pool.Player(recorderOf(lg))
	if _, ok := lg.(BlobPutter); ok {
		lcfg.PutPolicy = func(h league.Hash, p *leaguesim.Policy) error {
			data, err := p.MarshalBinary()
			if err != nil {
				return err
			}
			return putBlob(lg, h, data)
		}
	}
	dr, err := newDualRun(ctx, cfg.Seed, dual, pool)
	if err != nil {
		return nil, err
	}
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	// The dual-play run advances alongside the league, a share of its steps
	// after every round, from the league's progress callback (where the
	// league waits); its failure stops the league through runCtx.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var last Progress
	var dualErr error
	res, runErr := leaguesim.Run(runCtx, lcfg, func(r leaguesim.Round) {
		if dualErr == nil {
			if dualErr = dr.advanceTo(runCtx, r.Round*DualSteps/r.Rounds); dualErr != nil {
				stop()
			}
		}
		last = progressOf(r, dr)
		report(last)
		if r.Round == r.Rounds {
			last.Stage = StageRate
			report(last)
		}
	})
	if dualErr != nil && ctx.Err() == nil {
		runErr = dualErr
	}
	if runErr == nil {
		runErr = rateOthers(ctx, res, cfg.Seed)
	}
	if runErr == nil {
		runErr = dr.rate(ctx, cfg.Seed)
	}
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
	rep := &Report{Config: cfg, Result: res, Leaderboard: res.Leaderboard(league.MethodBT), PureExpl: pureExpl(lcfg.Game),
		Dual: dr.rep, Driver: int64(res.Matches + dr.rep.Matches)}
	for i, n := range pool.Played() {
		rep.Workers = append(rep.Workers, WorkerCount{Name: pool.Name(i), Matches: n})
		rep.Driver -= n
	}
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

// otherRatings are the ratings shown beside Bradley–Terry's, in order.
var otherRatings = []league.RatingMethod{league.MethodElo, league.MethodNashAvg, league.MethodLottery}

// rateOthers adds the otherRatings leaderboards to res, fitted without a
// bootstrap: the outputs show only their ratings (the fit on the data as
// given, which a bootstrap does not change), and bootstrapping online Elo
// over half a million results would cost a quarter of the run.
func rateOthers(ctx context.Context, res *leaguesim.Result, seed uint64) error {
	for _, m := range otherRatings {
		opt := league.DefaultRateOptions(m)
		opt.Seed = seed
		lb, err := league.Rate(ctx, res.Battles, opt)
		if err != nil {
			return fmt.Errorf("demo: rating %s: %w", m, err)
		}
		res.Leaderboards = append(res.Leaderboards, lb)
	}
	return nil
}

// workerPrefix names the in-process workers: demo-1, demo-2, …
const workerPrefix = "demo"

// progressOf summarises a round.
func progressOf(r leaguesim.Round, d *dualRun) Progress {
	p := Progress{Stage: StageTrain, Round: r.Round, Rounds: r.Rounds, Members: r.Members,
		Snapshots: r.Snapshots, Matches: r.Matches, BestExpl: math.Inf(1),
		DualStep: d.step(), DualSteps: DualSteps, DualMembers: len(d.rep.Members)}
	if n := len(d.rep.Steps); n > 0 {
		p.PassAt1 = d.rep.Steps[n-1].PassAt1
	}
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
