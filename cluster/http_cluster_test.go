package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// threeNodes starts n0 (bootstrap), joins n1 through n0 and n2 through
// the follower n1, checking that the follower redirects the join to the
// leader. All on loopback TCP.
func threeNodes(t *testing.T, ctx context.Context) []*apiNode {
	t.Helper()
	return threeNodesWith(t, ctx, nil)
}

// threeNodesWith is threeNodes with every API's configuration adjusted by
// apiTweak (if not nil).
func threeNodesWith(t *testing.T, ctx context.Context, apiTweak func(*APIConfig)) []*apiNode {
	t.Helper()
	n0 := newAPINodeFull(t, "n0", nil, true, steadyTimeouts, apiTweak)
	if _, _, err := n0.node.WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	n1 := newAPINodeFull(t, "n1", nil, false, steadyTimeouts, apiTweak, n0.ts.URL)
	c0 := &Client{Base: n0.ts.URL, Token: n0.token}
	if _, err := c0.Join(ctx, JoinRequest{ID: "n1", RaftAddr: n1.node.Addr(), HTTPURL: n1.ts.URL}); err != nil {
		t.Fatal(err)
	}
	n2 := newAPINodeFull(t, "n2", nil, false, steadyTimeouts, apiTweak, n1.ts.URL)
	join := JoinRequest{ID: "n2", RaftAddr: n2.node.Addr(), HTTPURL: n2.ts.URL}
	body := fmt.Sprintf(`{"id":%q,"raft_addr":%q,"http_url":%q}`, join.ID, join.RaftAddr, join.HTTPURL)
	eventually(ctx, t, func() error {
		status, e, _ := call(t, http.MethodPost, n1.ts.URL+PathJoin, bearer, []byte(body))
		if status != http.StatusTemporaryRedirect || e.Leader != "n0" {
			return fmt.Errorf("join at the follower: %d %+v, want 307 to n0", status, e)
		}
		return nil
	})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := c.Post(n1.ts.URL+PathJoin, "application/json", nil); err == nil {
		resp.Body.Close() // unauthenticated: 401, no redirect to follow
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unauthenticated join at the follower: %s, want 401", resp.Status)
		}
	}
	if m, err := (&Client{Base: n1.ts.URL, Token: n1.token}).Join(ctx, join); err != nil || len(m.Servers) != 3 || m.Leader != "n0" {
		t.Fatalf("join through the follower: %+v, %v", m, err)
	}
	return []*apiNode{n0, n1, n2}
}

// TestClusterHTTPWorker: on a 3-node loopback cluster the leader drives
// a small league while a worker connected to a follower plays leased
// matches; every result it got acknowledged is on every node exactly
// once and the replicas converge.
func TestClusterHTTPWorker(t *testing.T) {
	ctx := testCtx(t)
	nodes := threeNodes(t, ctx)
	leader, follower := nodes[0], nodes[2]

	cfg, err := leaguesim.Preset("pfsp", 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rounds, cfg.EvalMatches, cfg.Bootstrap = 4, 0, 0
	cfg.Ratings = []league.RatingMethod{league.MethodBT}
	d, err := NewDriver(leader.node, DriverConfig{League: cfg, Poll: 20 * time.Millisecond, Log: func(s string) { t.Log(s) }})
	if err != nil {
		t.Fatal(err)
	}
	leader.api.cfg.Driver = d

	var wg sync.WaitGroup
	var driverErr error
	wg.Go(func() { driverErr = d.Run(ctx) })
	matches := 12
	if testing.Short() {
		matches = 6
	}
	var stats WorkerStats
	var workerErr error
	wg.Go(func() {
		stats, workerErr = RunWorker(ctx, WorkerConfig{
			Client: &Client{Base: follower.ts.URL, Token: follower.token}, ID: "w1", Parallel: 2, Matches: matches,
			MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Log: func(s string) { t.Log(s) },
		})
	})
	wg.Wait()
	if driverErr != nil || workerErr != nil {
		t.Fatalf("driver: %v; worker: %v", driverErr, workerErr)
	}
	if st := d.Status(); st.State != DriverDone || st.Round != cfg.Rounds || st.Game == "" {
		t.Fatalf("driver status %+v, want done after %d rounds", st, cfg.Rounds)
	}
	if stats.Results+stats.Duplicates < int64(matches) || stats.Dropped != 0 {
		t.Fatalf("worker stats %+v, want %d results and none dropped", stats, matches)
	}

	// The worker's matches, read linearizably through a follower (which
	// forwards to the leader).
	ms, err := (&Client{Base: nodes[1].ts.URL}).Matches(ctx, ReadLinearizable)
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, m := range ms.Matches {
		if m.Worker == "w1" {
			mine = append(mine, m.Match)
		}
	}
	if int64(len(mine)) != stats.Results {
		t.Fatalf("the league holds %d results by w1, the worker had %d accepted", len(mine), stats.Results)
	}
	want := leader.node.StateHash()
	eventually(ctx, t, func() error {
		for _, n := range nodes {
			if h := n.node.StateHash(); h != want {
				return fmt.Errorf("node %s at %s, leader at %s", n.node.ID(), h, want)
			}
		}
		return nil
	})
	for _, n := range nodes {
		var seen int
		n.node.View(func(st *league.State) {
			for _, m := range mine {
				if st.Seen(m) {
					seen++
				}
			}
		})
		if seen != len(mine) {
			t.Fatalf("node %s has %d of the worker's %d results", n.node.ID(), seen, len(mine))
		}
	}
	// Followers copy the policies and the game from the leader.
	eventually(ctx, t, func() error {
		for _, m := range follower.node.Members() {
			if !follower.node.Blobs().Has(m.Params) {
				return fmt.Errorf("follower lacks %s's parameters", m.ID)
			}
		}
		return nil
	})
}

// TestClusterHTTPConsistency: a follower answers local reads itself and
// forwards leader and linearizable reads to the leader, which has every
// acknowledged write; results and leases sent to a follower are
// forwarded too.
func TestClusterHTTPConsistency(t *testing.T) {
	ctx := testCtx(t)
	nodes := threeNodes(t, ctx)
	leader, follower := nodes[0], nodes[1]
	for _, ev := range testLeague() {
		if _, err := leader.node.Propose(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	eventually(ctx, t, func() error {
		if _, ok := follower.api.peers.get("n0"); !ok {
			return errors.New("follower does not know the leader's URL yet")
		}
		return nil
	})
	fc := &Client{Base: follower.ts.URL, Token: follower.token}
	for i := range 5 {
		r, err := fc.SubmitResult(ctx, ResultRequest{Match: fmt.Sprintf("c%d", i), A: "L0", B: "S2", Outcome: "a"})
		if err != nil || r.Duplicate {
			t.Fatalf("result via the follower: %+v, %v", r, err)
		}
		// A linearizable read through the follower sees the write at once.
		ms, err := fc.Matches(ctx, ReadLinearizable)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(ms.Matches, func(m MatchJSON) bool { return m.Match == fmt.Sprintf("c%d", i) }) {
			t.Fatalf("linearizable read after result c%d misses it", i)
		}
	}
	if l, err := fc.Lease(ctx, LeaseRequest{Worker: "w", Home: "L1"}); err != nil || l.Home != "L1" {
		t.Fatalf("lease via the follower: %+v, %v", l, err)
	}
	for _, c := range []struct {
		level  string
		served string
	}{{"local", "n1"}, {"leader", "n0"}, {"linearizable", "n0"}} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, follower.ts.URL+PathMembers+"?consistency="+c.level, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get(HeaderNode) != c.served {
			t.Fatalf("%s read on the follower: %s served by %q, want %q", c.level, resp.Status, resp.Header.Get(HeaderNode), c.served)
		}
	}
	// Every node ends with the same state; a local read on each lists the
	// results.
	eventually(ctx, t, func() error {
		for _, n := range nodes {
			ms, err := (&Client{Base: n.ts.URL}).Matches(ctx, ReadLocal)
			if err != nil {
				return err
			}
			if ms.Total != 5 {
				return fmt.Errorf("node %s has %d results, want 5", n.node.ID(), ms.Total)
			}
		}
		return nil
	})
}
