package leaguesim

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// Fixed matches and the players that play them.
//
// Most of a league's results come from matches whose ids and players are
// known before any of them is played: the matches of every new snapshot
// against the earlier ones, and the final round robin. Run hands them to
// Config.Player in batches when one is set, so that other goroutines (or
// machines) can play them while Run waits; its training matches, whose
// opponents the league draws one lease at a time and whose judgements the
// learner's next update reads, stay on Run's goroutine.

// FixedMatch is a match whose id and players Run chose before playing it.
type FixedMatch struct {
	// Lease names the match and its members; its Worker is "leaguesim",
	// which a player may replace with its own worker's name.
	Lease league.Lease
	// Home and Away are the members' policies (immutable).
	Home, Away *Policy
	// Time is the Time to give the result's event: the logical time it
	// would have had if Run had recorded the batch's results itself, one
	// after another.
	Time int64
}

// Batch is a batch of fixed matches on one game.
type Batch struct {
	Game    *game.Preference
	Options MatchOptions
	Matches []FixedMatch
}

// Player plays batches of fixed matches for Run (Config.Player).
//
// Run calls PlayBatch from its own goroutine and does not touch the league
// until it returns. PlayBatch must play every match m of b with
// PlayMatch(b.Game, m.Lease, m.Home, m.Away, b.Options) (the lease's
// Worker may be replaced), set the event's Time to m.Time, record every
// result in Run's league exactly once, and return once all of them are
// applied, with results[i] the result of b.Matches[i]. An error (a result
// the league refused or had already recorded, ctx ending) stops the run.
//
// Run adds the results to Result.Battles in batch order whatever order the
// league applied them in, so the ratings never depend on timing. The
// league's own state matches Run's sequential recording, event for event,
// when the results are applied in batch order, as Pool applies them.
type Player interface {
	PlayBatch(ctx context.Context, b Batch) ([]MatchResult, error)
}

// Recorder records results in a league for a Pool.
//
// Submit is called with one chunk of a batch at a time, chunks in batch
// order and never concurrently with another Submit of the same batch; it
// may return before the events are applied. The wait function it returns
// is called exactly once, from the submitting worker and concurrently with
// later Submits and other waits, and returns once every event of the chunk
// is applied: with an error if the league refused one or had already
// recorded its match id (fixed matches are new, so a duplicate is a bug).
type Recorder interface {
	Submit(ctx context.Context, evs []*league.RecordResult) (wait func() error, err error)
}

// ApplyRecorder returns a Recorder that applies each event through lg.Apply
// as it is submitted (wait has nothing left to do). lg need not be safe for
// concurrent use: a Pool submits one chunk at a time, and Run leaves the
// league alone while a batch is out.
func ApplyRecorder(lg League) Recorder { return applyRecorder{lg} }

type applyRecorder struct{ lg League }

func (a applyRecorder) Submit(_ context.Context, evs []*league.RecordResult) (func() error, error) {
	for _, ev := range evs {
		eff, err := a.lg.Apply(ev)
		if err != nil {
			return nil, fmt.Errorf("result of match %s: %w", ev.Match, err)
		}
		if eff.Duplicate {
			return nil, fmt.Errorf("match %s was already recorded", ev.Match)
		}
	}
	return func() error { return nil }, nil
}

// Pool is a pool of in-process workers that play batches of independent
// jobs (fixed matches) and record their results through a Recorder.
//
// A batch is cut into chunks of consecutive jobs, dealt round robin: chunk
// k is leased to worker k mod N, which plays it and submits it. A worker
// submits its chunk only when every earlier chunk has been submitted, so
// the league sees the results in batch order, exactly as if one worker had
// played them all; then it plays its next chunk while those results
// commit, keeping at most two chunks in flight. Playing is parallel,
// recording is ordered and pipelined. Dealing the chunks instead of
// letting idle workers take them costs nothing here (a worker ahead would
// wait for its turn to submit anyway) and makes the whole run a function
// of N: the results carry the name of the worker that played them
// (Name(i)), so the league records who played what, and with a fixed
// deal it records the same thing every time.
//
// The workers do not lease through the league (league.LeaseMatch): a
// lease cannot name its opponent (the league draws it), and a lease event
// per match would double the log a replicated league writes. The pool is
// the batch's queue on the driver's side.
//
// Do may be called from one goroutine at a time; Played from any.
type Pool struct {
	prefix string
	chunk  int
	played []atomic.Int64
}

// DefaultChunk is the number of jobs a Pool's worker leases at once: large
// enough that leasing and the ordered hand-over cost nothing next to
// recording, small enough that a batch of a few hundred matches still
// spreads over several workers.
const DefaultChunk = 64

// NewPool returns a pool of workers (at least 1) named prefix-1,
// prefix-2, …, leasing chunk jobs at a time (DefaultChunk if chunk < 1).
func NewPool(prefix string, workers, chunk int) *Pool {
	if chunk < 1 {
		chunk = DefaultChunk
	}
	return &Pool{prefix: prefix, chunk: chunk, played: make([]atomic.Int64, max(workers, 1))}
}

// Workers returns the number of workers.
func (p *Pool) Workers() int { return len(p.played) }

// Name returns the name of worker i (0-based), as its results carry it.
func (p *Pool) Name(i int) string { return p.prefix + "-" + strconv.Itoa(i+1) }

// Played returns the number of jobs each worker played and had recorded,
// over every batch so far.
func (p *Pool) Played() []int64 {
	n := make([]int64, len(p.played))
	for i := range p.played {
		n[i] = p.played[i].Load()
	}
	return n
}

// Do plays jobs 0..n−1 on the pool's workers and records their results
// with rec. play(worker, i) plays job i on worker worker (a Name index)
// and returns its result; it is called concurrently for different jobs
// and must depend only on i for the league to see the same results
// whoever plays them. Do returns once every result is applied, or with
// the first error (of play, of rec, or of ctx), after every worker has
// stopped.
func (p *Pool) Do(ctx context.Context, rec Recorder, n int, play func(worker, i int) (*league.RecordResult, error)) error {
	if n <= 0 {
		return ctx.Err()
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := (n + p.chunk - 1) / p.chunk
	var (
		recorded atomic.Int64 // jobs whose results are applied
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		turn     int   // the next chunk to submit
		first    error // the first failure, under mu
	)
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
		cancel()
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		cond.Broadcast()
		mu.Unlock()
	})
	defer stop()

	var wg sync.WaitGroup
	workers := min(len(p.played), chunks)
	for w := range workers {
		wg.Go(func() {
			type inflight struct {
				wait func() error
				jobs int
			}
			var pending []inflight
			settle := func(k int) bool { // waits for the k oldest chunks in flight
				for _, f := range pending[:k] {
					if err := f.wait(); err != nil {
						fail(err)
						return false
					}
					p.played[w].Add(int64(f.jobs))
					recorded.Add(int64(f.jobs))
				}
				pending = append(pending[:0], pending[k:]...)
				return true
			}
			defer func() { settle(len(pending)) }()
			for k := w; k < chunks && ctx.Err() == nil; k += workers {
				lo, hi := k*p.chunk, min(n, (k+1)*p.chunk)
				evs := make([]*league.RecordResult, 0, hi-lo)
				for i := lo; i < hi; i++ {
					ev, err := play(w, i)
					if err != nil {
						fail(err)
						return
					}
					evs = append(evs, ev)
				}
				mu.Lock()
				for turn != k && ctx.Err() == nil {
					cond.Wait()
				}
				if ctx.Err() != nil {
					mu.Unlock()
					return
				}
				wait, err := rec.Submit(ctx, evs)
				turn++
				cond.Broadcast()
				mu.Unlock()
				if err != nil {
					fail(err)
					return
				}
				pending = append(pending, inflight{wait, len(evs)})
				if len(pending) > 1 && !settle(len(pending)-1) {
					return
				}
			}
		})
	}
	wg.Wait()
	switch {
	case first != nil:
		return first
	case recorded.Load() == int64(n):
		return nil
	case parent.Err() != nil:
		return parent.Err()
	}
	panic(fmt.Sprintf("leaguesim: pool stopped with %d of %d results recorded and no error", recorded.Load(), n))
}

// Player returns a Player that plays Run's batches on p and records them
// with rec.
func (p *Pool) Player(rec Recorder) Player { return poolPlayer{p, rec} }

type poolPlayer struct {
	pool *Pool
	rec  Recorder
}

func (pp poolPlayer) PlayBatch(ctx context.Context, b Batch) ([]MatchResult, error) {
	res := make([]MatchResult, len(b.Matches))
	err := pp.pool.Do(ctx, pp.rec, len(b.Matches), func(w, i int) (*league.RecordResult, error) {
		m := &b.Matches[i]
		l := m.Lease
		l.Worker = pp.pool.Name(w)
		mr, err := PlayMatch(b.Game, l, m.Home, m.Away, b.Options)
		if err != nil {
			return nil, err
		}
		mr.Event.Time = m.Time
		res[i] = mr
		return mr.Event, nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
