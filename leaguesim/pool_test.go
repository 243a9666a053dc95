package leaguesim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/selfplay-lab/selfplay/league"
)

// anonymous records through lg with every result's worker name replaced
// by Run's own, so that a league played by a pool can be compared, event
// for event, with one Run played alone; it keeps the names it saw.
type anonymous struct {
	lg      League
	mu      sync.Mutex
	workers map[string]int
}

func (a *anonymous) Submit(ctx context.Context, evs []*league.RecordResult) (func() error, error) {
	a.mu.Lock()
	for _, ev := range evs {
		a.workers[ev.Worker]++
		c := *ev
		c.Worker = worker
		if _, err := a.lg.Apply(&c); err != nil {
			a.mu.Unlock()
			return nil, err
		}
	}
	a.mu.Unlock()
	return func() error { return nil }, nil
}

// TestPoolPlaysLikeRun: a league whose fixed matches a pool of workers
// plays ends exactly as the league Run plays alone (same history, battles
// in the same order, leaderboards, and the same league state once the
// workers' names are set aside), whatever the number of workers and the
// chunk size, and the workers' counts add up to the fixed matches.
func TestPoolPlaysLikeRun(t *testing.T) {
	base, err := Run(context.Background(), mixedConfig(t, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mixedConfig(t, 3)
	training := cfg.Rounds * cfg.Matches * len(cfg.Learners)
	for _, tc := range []struct{ workers, chunk int }{{1, 0}, {4, 0}, {4, 1}, {3, 7}, {16, 2}} {
		t.Run(fmt.Sprintf("workers=%d,chunk=%d", tc.workers, tc.chunk), func(t *testing.T) {
			cfg := mixedConfig(t, 3)
			st := league.NewState()
			rec := &anonymous{lg: st, workers: map[string]int{}}
			pool := NewPool("w", tc.workers, tc.chunk)
			cfg.League, cfg.Player = st, pool.Player(rec)
			res, err := Run(context.Background(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.History, base.History) || !reflect.DeepEqual(res.Battles, base.Battles) ||
				!reflect.DeepEqual(res.Leaderboards, base.Leaderboards) || res.Matches != base.Matches {
				t.Fatal("the pool's run differs from Run's own")
			}
			if st.Hash() != base.League.(*league.State).Hash() {
				t.Fatal("the pool's league state differs from Run's own")
			}
			var sum int64
			for i, n := range pool.Played() {
				if want := rec.workers[pool.Name(i)]; int(n) != want {
					t.Errorf("worker %d counted %d matches, its results %d", i, n, want)
				}
				sum += n
			}
			if sum != int64(res.Matches-training) {
				t.Fatalf("workers played %d matches, the run had %d fixed ones", sum, res.Matches-training)
			}
		})
	}
}

// orderRecorder checks that chunks arrive in job order and can fail.
type orderRecorder struct {
	mu       sync.Mutex
	next     int // the next job expected
	failAt   int // Submit refuses the chunk holding this job (−1: never)
	waitFail int // wait fails for the chunk holding this job (−1: never)
}

var errRefused = errors.New("refused")

func (o *orderRecorder) Submit(_ context.Context, evs []*league.RecordResult) (func() error, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	start := o.next
	for j, ev := range evs {
		if ev.Match != strconv.Itoa(start+j) {
			return nil, fmt.Errorf("got job %s, want %d", ev.Match, start+j)
		}
	}
	o.next += len(evs)
	hit := func(k int) bool { return k >= start && k < start+len(evs) }
	if hit(o.failAt) {
		return nil, errRefused
	}
	failWait := hit(o.waitFail)
	return func() error {
		time.Sleep(time.Millisecond / 4)
		if failWait {
			return errRefused
		}
		return nil
	}, nil
}

func TestPoolDo(t *testing.T) {
	const n = 500
	errPlay := errors.New("play failed")
	for _, tc := range []struct {
		name                     string
		workers, chunk           int
		failAt, waitFail, playAt int // −1: never
		want                     error
	}{
		{"one worker", 1, 8, -1, -1, -1, nil},
		{"many workers", 6, 3, -1, -1, -1, nil},
		{"more workers than chunks", 8, 400, -1, -1, -1, nil},
		{"submit refused", 4, 5, 203, -1, -1, errRefused},
		{"wait failed", 4, 5, -1, 77, -1, errRefused},
		{"play failed", 4, 5, -1, -1, 311, errPlay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &orderRecorder{failAt: tc.failAt, waitFail: tc.waitFail}
			pool := NewPool("w", tc.workers, tc.chunk)
			var mu sync.Mutex
			played := make([]int, n)
			err := pool.Do(context.Background(), rec, n, func(w, i int) (*league.RecordResult, error) {
				// Jitter, so that chunks finish out of order.
				time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
				if i == tc.playAt {
					return nil, errPlay
				}
				mu.Lock()
				played[i]++
				mu.Unlock()
				return &league.RecordResult{Match: strconv.Itoa(i), Worker: pool.Name(w)}, nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Do: %v, want %v", err, tc.want)
			}
			var sum int64
			for _, c := range pool.Played() {
				sum += c
			}
			if tc.want != nil {
				if sum >= n {
					t.Fatalf("a failed batch counts %d jobs played of %d", sum, n)
				}
				return
			}
			// The deal: chunk k to worker k mod (workers that have a chunk).
			chunks := (n + tc.chunk - 1) / tc.chunk
			deal := make([]int64, tc.workers)
			for k := range chunks {
				deal[k%min(tc.workers, chunks)] += int64(min(tc.chunk, n-k*tc.chunk))
			}
			if !slices.Equal(pool.Played(), deal) {
				t.Errorf("workers played %v, the deal gives %v", pool.Played(), deal)
			}
			if rec.next != n || sum != n || slices.ContainsFunc(played, func(c int) bool { return c != 1 }) {
				t.Fatalf("%d jobs recorded, %d counted, each played once: %v", rec.next, sum, !slices.ContainsFunc(played, func(c int) bool { return c != 1 }))
			}
		})
	}
}

// TestPoolDoCancel: cancelling stops every worker, even those waiting
// for their turn, and Do returns the context's error.
func TestPoolDoCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pool := NewPool("w", 4, 2)
	rec := &orderRecorder{failAt: -1, waitFail: -1}
	done := make(chan error, 1)
	go func() {
		done <- pool.Do(ctx, rec, 1_000_000, func(w, i int) (*league.RecordResult, error) {
			if i == 10 {
				cancel()
			}
			return &league.RecordResult{Match: strconv.Itoa(i)}, nil
		})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Do: %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Do did not stop after cancel")
	}
	if rec.next >= 1_000_000 {
		t.Fatal("every job was recorded despite the cancel")
	}
}

// BenchmarkPoolDo measures the pool's own cost per job (trivial jobs,
// a recorder that does nothing).
func BenchmarkPoolDo(b *testing.B) {
	pool := NewPool("w", 4, 0)
	ev := &league.RecordResult{Match: "x"}
	rec := nopRecorder{}
	b.ResetTimer()
	if err := pool.Do(context.Background(), rec, b.N, func(int, int) (*league.RecordResult, error) { return ev, nil }); err != nil {
		b.Fatal(err)
	}
}

type nopRecorder struct{}

func (nopRecorder) Submit(context.Context, []*league.RecordResult) (func() error, error) {
	return func() error { return nil }, nil
}
