package cluster

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// WorkerConfig configures RunWorker.
type WorkerConfig struct {
	// Client reaches any node of the cluster with the cluster token.
	Client *Client
	// ID names the worker on its leases and results; required.
	ID string
	// Parallel is the number of matches played at once (default 1).
	Parallel int
	// Matches stops the worker after this many results were accepted
	// (duplicates included); 0 plays until ctx ends.
	Matches int
	// MinBackoff and MaxBackoff bound the wait before retrying a failed
	// request, doubling from the first to the second (defaults 100ms, 5s).
	MinBackoff, MaxBackoff time.Duration
	// SubmitGrace bounds how long a played match's result is still
	// resubmitted once the worker is stopped (default 10s); while the
	// worker runs, a result is resubmitted until the cluster answers.
	SubmitGrace time.Duration
	// Log receives one line per notable event (nil: silent).
	Log func(string)
}

// defaultSubmitGrace is WorkerConfig.SubmitGrace's default.
const defaultSubmitGrace = 10 * time.Second

// WorkerStats count what a worker did.
type WorkerStats struct {
	Leases     int64 // leases obtained
	Results    int64 // results accepted as new
	Duplicates int64 // results the league already had (a retried or re-issued match)
	Dropped    int64 // results the league refused (lease mismatch, …); not retried
	Retries    int64 // requests repeated after a temporary failure
}

// worker is the state RunWorker shares among its goroutines.
type worker struct {
	cfg   WorkerConfig
	stats WorkerStats
	done  atomic.Int64 // results accepted, duplicates included

	mu       sync.Mutex
	policies map[league.Hash]*leaguesim.Policy
	games    map[league.Hash]*workerGame
}

type workerGame struct {
	g   *game.Preference
	opt leaguesim.MatchOptions
}

// RunWorker plays leased matches until ctx ends or cfg.Matches results
// were accepted: it leases a match from the cluster (any node; followers
// forward to the leader), fetches the two members' policies and the game
// by hash (cached, verified), plays the match with leaguesim.PlayMatch and
// submits the result with its match id. Failed requests are retried with
// exponential backoff; a result is resubmitted until the cluster answers,
// which is safe because a match id is applied once (a retry that finds it
// recorded counts as a duplicate). A lease that outlives its deadline
// (the worker was slow or cut off) is expired by the leader and re-issued
// under the same match id, so the match still counts once.
//
// It returns the counts and, if ctx ended, nil; an error only for a
// misconfiguration.
func RunWorker(ctx context.Context, cfg WorkerConfig) (WorkerStats, error) {
	if cfg.Client == nil || cfg.ID == "" {
		return WorkerStats{}, errors.New("cluster: worker: a client and an id are required")
	}
	if cfg.Parallel < 1 {
		cfg.Parallel = 1
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Second, cfg.MinBackoff)
	}
	if cfg.SubmitGrace <= 0 {
		cfg.SubmitGrace = defaultSubmitGrace
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	w := &worker{cfg: cfg, policies: map[league.Hash]*leaguesim.Policy{}, games: map[league.Hash]*workerGame{}}
	h := fnv.New64a()
	h.Write([]byte(cfg.ID))
	seed := h.Sum64()
	var wg sync.WaitGroup
	for i := range cfg.Parallel {
		wg.Go(func() {
			w.loop(ctx, rand.New(rand.NewPCG(seed, uint64(i))))
		})
	}
	wg.Wait()
	return WorkerStats{
		Leases: atomic.LoadInt64(&w.stats.Leases), Results: atomic.LoadInt64(&w.stats.Results),
		Duplicates: atomic.LoadInt64(&w.stats.Duplicates), Dropped: atomic.LoadInt64(&w.stats.Dropped),
		Retries: atomic.LoadInt64(&w.stats.Retries),
	}, nil
}

// loop plays matches one after another. Once cfg.Matches results are in,
// no goroutine leases again, but those playing finish their match.
func (w *worker) loop(ctx context.Context, rng *rand.Rand) {
	b := backoff{min: w.cfg.MinBackoff, max: w.cfg.MaxBackoff, rng: rng}
	for ctx.Err() == nil {
		if w.cfg.Matches > 0 && w.done.Load() >= int64(w.cfg.Matches) {
			return
		}
		if err := w.playOne(ctx, &b); err != nil && ctx.Err() == nil {
			w.cfg.Log(fmt.Sprintf("worker %s: %v; retrying in %v", w.cfg.ID, err, b.cur()))
			atomic.AddInt64(&w.stats.Retries, 1)
			b.wait(ctx)
			continue
		}
		b.reset()
	}
}

// playOne leases, plays and reports one match. The result is retried
// here until the cluster answers it; other errors return to the loop,
// which waits and leases again.
func (w *worker) playOne(ctx context.Context, b *backoff) error {
	l, err := w.cfg.Client.Lease(ctx, LeaseRequest{Worker: w.cfg.ID})
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	atomic.AddInt64(&w.stats.Leases, 1)
	g, err := w.game(ctx, l.Game)
	if err != nil {
		return fmt.Errorf("match %s: %w", l.Match, err)
	}
	home, err := w.policy(ctx, l.HomeParams)
	if err != nil {
		return fmt.Errorf("match %s: home %s: %w", l.Match, l.Home, err)
	}
	away, err := w.policy(ctx, l.AwayParams)
	if err != nil {
		return fmt.Errorf("match %s: away %s: %w", l.Match, l.Away, err)
	}
	lease := league.Lease{Match: l.Match, Home: l.Home, Away: l.Away, Worker: l.Worker, Branch: l.Branch,
		Issued: l.Issued, Deadline: l.Deadline, Attempt: l.Attempt}
	mr, err := leaguesim.PlayMatch(g.g, lease, home, away, g.opt)
	if err != nil {
		return fmt.Errorf("match %s: %w", l.Match, err)
	}
	req := ResultRequest{Match: l.Match, A: mr.Event.A, B: mr.Event.B, Outcome: mr.Event.Outcome.String(), Worker: w.cfg.ID}
	// A played match is submitted until the cluster answers, even if the
	// worker is being stopped, within a grace period from the stop, so
	// that stopping a worker does not leave its leases to expire. The
	// grace starts at the stop, not here: a result kept from the cluster
	// by a partition or a long election longer than the grace is still
	// resubmitted while the worker runs, rather than abandoned for its
	// lease to expire and its match to be played again.
	stopped := ctx
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	defer context.AfterFunc(stopped, func() {
		t := time.NewTimer(w.cfg.SubmitGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	})()
	for {
		resp, err := w.cfg.Client.SubmitResult(ctx, req)
		if err == nil {
			if resp.Duplicate {
				atomic.AddInt64(&w.stats.Duplicates, 1)
				w.cfg.Log(fmt.Sprintf("worker %s: match %s was already recorded (a retry or a re-issued lease)", w.cfg.ID, l.Match))
			} else {
				atomic.AddInt64(&w.stats.Results, 1)
			}
			w.done.Add(1)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !IsTemporary(err) {
			atomic.AddInt64(&w.stats.Dropped, 1)
			w.cfg.Log(fmt.Sprintf("worker %s: result of match %s refused: %v", w.cfg.ID, l.Match, err))
			return nil
		}
		w.cfg.Log(fmt.Sprintf("worker %s: submit match %s: %v; retrying in %v", w.cfg.ID, l.Match, err, b.cur()))
		atomic.AddInt64(&w.stats.Retries, 1)
		b.wait(ctx)
	}
}

// policy returns the policy with hash hex, fetched once.
func (w *worker) policy(ctx context.Context, hex string) (*leaguesim.Policy, error) {
	h, err := league.ParseHash(hex)
	if err != nil {
		return nil, fmt.Errorf("lease names parameters %q: %w", hex, err)
	}
	w.mu.Lock()
	p, ok := w.policies[h]
	w.mu.Unlock()
	if ok {
		return p, nil
	}
	data, err := w.cfg.Client.Blob(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("fetch policy: %w", err)
	}
	if p, err = leaguesim.DecodePolicy(data); err != nil {
		return nil, fmt.Errorf("policy %s: %w", h, err)
	}
	w.mu.Lock()
	w.policies[h] = p
	w.mu.Unlock()
	return p, nil
}

// game returns the game with spec hash hex, fetched once.
func (w *worker) game(ctx context.Context, hex string) (*workerGame, error) {
	if hex == "" {
		return nil, errors.New("the league names no game (it was not set up by a driver)")
	}
	h, err := league.ParseHash(hex)
	if err != nil {
		return nil, fmt.Errorf("lease names game %q: %w", hex, err)
	}
	w.mu.Lock()
	g, ok := w.games[h]
	w.mu.Unlock()
	if ok {
		return g, nil
	}
	data, err := w.cfg.Client.Blob(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("fetch game: %w", err)
	}
	spec, err := DecodeGameSpec(data)
	if err != nil {
		return nil, err
	}
	pg, err := spec.Game()
	if err != nil {
		return nil, err
	}
	g = &workerGame{g: pg, opt: spec.MatchOptions()}
	w.mu.Lock()
	w.games[h] = g
	w.mu.Unlock()
	return g, nil
}

// backoff is an exponential backoff with full jitter.
type backoff struct {
	min, max, next time.Duration
	rng            *rand.Rand
}

func (b *backoff) cur() time.Duration {
	if b.next < b.min {
		b.next = b.min
	}
	return b.next
}

func (b *backoff) reset() { b.next = b.min }

// wait sleeps a random time up to the current step, then doubles it.
func (b *backoff) wait(ctx context.Context) {
	d := b.cur()
	sleep := d/2 + time.Duration(b.rng.Int64N(int64(d/2)+1))
	b.next = min(2*d, b.max)
	t := time.NewTimer(sleep)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
