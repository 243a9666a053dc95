package cluster

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// lossyWriter swallows a response: the handler ran, the client sees 502.
type lossyWriter struct{ h http.Header }

func (w *lossyWriter) Header() http.Header { return w.h }
func (w *lossyWriter) Write(b []byte) (int, error) {
	return len(b), nil
}
func (w *lossyWriter) WriteHeader(int) {}

// TestWorkerRetriedResultAppliedOnce: the answer to every other result
// submission is lost after the leader applied it; the worker retries, is
// told the match is a duplicate, and every match is counted once.
func TestWorkerRetriedResultAppliedOnce(t *testing.T) {
	ctx := testCtx(t)
	a := drivenSoloNode(ctx, t, 2)
	before := a.node.State().Counters().Results

	var n atomic.Int64
	lossy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PathResults && n.Add(1)%2 == 1 {
			a.api.Handler().ServeHTTP(&lossyWriter{h: http.Header{}}, r)
			http.Error(w, `{"error":"connection lost"}`, http.StatusBadGateway)
			return
		}
		a.api.Handler().ServeHTTP(w, r)
	}))
	defer lossy.Close()
	const matches = 8
	stats, err := RunWorker(ctx, WorkerConfig{Client: &Client{Base: lossy.URL, Token: a.token}, ID: "w1",
		Matches: matches, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Results != 0 || stats.Duplicates != matches || stats.Retries < matches {
		t.Fatalf("stats %+v: want every result first lost, then reported as a duplicate", stats)
	}
	st := a.node.State()
	if got := st.Counters().Results - before; got != matches {
		t.Fatalf("the league recorded %d results, want %d (each once)", got, matches)
	}
	seen := map[string]bool{}
	for _, r := range st.Recent() {
		if r.Worker == "w1" {
			if seen[r.Match] {
				t.Fatalf("match %s recorded twice", r.Match)
			}
			seen[r.Match] = true
		}
	}
	if len(seen) != matches {
		t.Fatalf("%d matches by w1 recorded, want %d", len(seen), matches)
	}
	active, _ := st.Leases()
	if len(active) != 0 {
		t.Fatalf("%d leases left open", len(active))
	}
}

// TestWorkerStopsOnContext: a worker facing a cluster that has nothing
// to lease keeps retrying until its context ends, then returns.
func TestWorkerStopsOnContext(t *testing.T) {
	_, tr := raft.NewInmemTransport(nodeAddr(0))
	a := newAPINode(t, "solo", tr, true)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	stats, err := RunWorker(ctx, WorkerConfig{Client: &Client{Base: a.ts.URL, Token: a.token}, ID: "w",
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	if err != nil || stats.Leases != 0 || stats.Retries == 0 {
		t.Fatalf("stats %+v, %v: want retries and no lease on an empty league", stats, err)
	}
	if _, err := RunWorker(ctx, WorkerConfig{ID: "w"}); err == nil {
		t.Fatal("a worker without a client started")
	}
}

// TestWorkerKeepsSubmittingWhileRunning: a running worker keeps
// resubmitting a played result through a cluster that answers 503 for
// longer than the stop grace, instead of abandoning it and leasing again;
// the result then counts once.
func TestWorkerKeepsSubmittingWhileRunning(t *testing.T) {
	ctx := testCtx(t)
	a := drivenSoloNode(ctx, t, 1)
	before := a.node.State().Counters().Results

	const refusals = 40
	var n atomic.Int64
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PathResults && n.Add(1) <= refusals {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":"no leader known; retry"}`, http.StatusServiceUnavailable)
			return
		}
		a.api.Handler().ServeHTTP(w, r)
	}))
	defer down.Close()
	stats, err := RunWorker(ctx, WorkerConfig{Client: &Client{Base: down.URL, Token: a.token}, ID: "w1",
		Matches: 1, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, SubmitGrace: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Leases != 1 || stats.Results != 1 || stats.Retries < refusals {
		t.Fatalf("stats %+v: want one lease, its result retried through %d refusals and accepted", stats, refusals)
	}
	if got := a.node.State().Counters().Results - before; got != 1 {
		t.Fatalf("the league recorded %d results, want 1", got)
	}
}

// drivenSoloNode starts a single-node API node and runs the driver of the
// "latest" preset league on it for rounds rounds, so that the league has
// members for a worker to lease matches between.
func drivenSoloNode(ctx context.Context, t *testing.T, rounds int) *apiNode {
	t.Helper()
	_, tr := raft.NewInmemTransport(nodeAddr(0))
	a := newAPINode(t, "solo", tr, true)
	cfg, err := leaguesim.Preset("latest", 5)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rounds, cfg.EvalMatches, cfg.Bootstrap = rounds, 0, 0
	cfg.Ratings = []league.RatingMethod{league.MethodBT}
	d, err := NewDriver(a.node, DriverConfig{League: cfg, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Run(ctx); err != nil || d.Status().State != DriverDone {
		t.Fatalf("driver: %v, %+v", err, d.Status())
	}
	return a
}
