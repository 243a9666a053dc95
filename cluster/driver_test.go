package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// TestGameSpecRoundTrip: a worker's game, decoded from the spec blob,
// plays every match exactly as the driver's game does (PlayMatch is a
// pure function of the game, the lease and the options).
func TestGameSpecRoundTrip(t *testing.T) {
	for _, preset := range []string{"roles", "psro"} {
		cfg, err := leaguesim.Preset(preset, 11)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Judgements = 5
		spec, err := NewGameSpec(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := spec.Encode()
		if err != nil {
			t.Fatal(err)
		}
		dec, err := DecodeGameSpec(b)
		if err != nil {
			t.Fatal(err)
		}
		g, err := dec.Game()
		if err != nil {
			t.Fatal(err)
		}
		k, n := cfg.Game.NumResponses(), cfg.Game.NumContexts()
		home, away := leaguesim.Uniform(k, n), leaguesim.Uniform(k, n)
		for i := range 100 {
			l := league.Lease{Match: "m" + strconv.Itoa(i), Home: "a", Away: "b"}
			want, err := leaguesim.PlayMatch(cfg.Game, l, home, away, leaguesim.MatchOptions{Judgements: 5, Seed: cfg.Seed})
			if err != nil {
				t.Fatal(err)
			}
			got, err := leaguesim.PlayMatch(g, l, home, away, dec.MatchOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got.Score != want.Score || got.Event.Outcome != want.Event.Outcome {
				t.Fatalf("%s: match %s scores %v from the spec, %v from the game", preset, l.Match, got.Score, want.Score)
			}
		}
		if leaguesim.WinRate(g, home, away) != leaguesim.WinRate(cfg.Game, home, away) {
			t.Fatalf("%s: the decoded game differs", preset)
		}
	}
}

func TestDecodeGameSpecErrors(t *testing.T) {
	ok := `{"version":1,"contexts":["c"],"responses":["x","y"],"weights":[1],"matrices":[[0.5,0.7,0.3,0.5]],"seed":1,"judgements":1}`
	if s, err := DecodeGameSpec([]byte(ok)); err != nil {
		t.Fatal(err)
	} else if _, err := s.Game(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, body, field string }{
		{"version", strings.Replace(ok, `"version":1`, `"version":2`, 1), "version"},
		{"unknown field", strings.Replace(ok, `"seed"`, `"sead"`, 1), "sead"},
		{"no matrices", strings.Replace(ok, `[[0.5,0.7,0.3,0.5]]`, `[]`, 1), "matrices"},
		{"short matrix", strings.Replace(ok, `[[0.5,0.7,0.3,0.5]]`, `[[0.5,0.7,0.3]]`, 1), "matrices[0]"},
		{"weights", strings.Replace(ok, `"weights":[1]`, `"weights":[1,2]`, 1), "weights"},
		{"contexts", strings.Replace(ok, `["c"]`, `[]`, 1), "contexts"},
		{"judgements", strings.Replace(ok, `"judgements":1`, `"judgements":0`, 1), "judgements"},
	} {
		_, err := DecodeGameSpec([]byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.field)
		}
	}
	s, err := DecodeGameSpec([]byte(strings.Replace(ok, `0.7,0.3`, `0.9,0.3`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Game(); err == nil || !strings.Contains(err.Error(), "matrices") {
		t.Errorf("a matrix that is not a preference matrix: %v", err)
	}
}

// FuzzDecodeGameSpec: decoding never panics, and whatever decodes and
// builds a game re-encodes to a spec that decodes to the same game.
func FuzzDecodeGameSpec(f *testing.F) {
	f.Add([]byte(`{"version":1,"contexts":["c"],"responses":["x","y"],"weights":[1],"matrices":[[0.5,0.7,0.3,0.5]],"seed":1,"judgements":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeGameSpec(data)
		if err != nil {
			return
		}
		g, err := s.Game()
		if err != nil {
			return
		}
		b, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		s2, err := DecodeGameSpec(b)
		if err != nil {
			t.Fatalf("re-encoded spec does not decode: %v", err)
		}
		g2, err := s2.Game()
		if err != nil || g2.NumResponses() != g.NumResponses() || g2.NumContexts() != g.NumContexts() {
			t.Fatalf("re-encoded spec gives another game: %v", err)
		}
	})
}

// TestDriverStopsOnFailover: the leader of a 3-node cluster is cut off
// while its driver trains. The driver stops (state stopped, Run returns
// nil, not an error), every event it got committed stays in the league,
// and the new leader still serves leases among the existing members
// while its own driver, finding the league not empty, skips.
func TestDriverStopsOnFailover(t *testing.T) {
	ctx := faultCtx(t)
	net := NewFaultNet(5)
	c := newTestClusterWith(t, ctx, 3, net, nil)
	old := c.leaderIn(ctx, 0, 1, 2)
	cfg, err := leaguesim.Preset("pfsp", 3)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rounds, cfg.EvalMatches, cfg.Bootstrap = 1000, 0, 0 // far more than the test lets it play
	cfg.Ratings = []league.RatingMethod{league.MethodBT}
	d, err := NewDriver(c.node(old), DriverConfig{League: cfg, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(ctx) }()
	eventually(ctx, t, func() error {
		if st := d.Status(); st.State != DriverRunning || st.Round < 2 {
			return fmt.Errorf("driver %+v, want running past round 1", st)
		}
		return nil
	})

	net.Isolate(nodeAddr(old))
	var err2 error
	select {
	case err2 = <-runErr:
	case <-ctx.Done():
		t.Fatalf("the driver kept running after its leader was cut off: %+v", d.Status())
	}
	st := d.Status()
	if err2 != nil || st.State != DriverStopped || st.Error == "" {
		t.Fatalf("driver after fail-over: %v, %+v; want stopped with the cause and no error", err2, st)
	}

	var others []int
	for i := range 3 {
		if i != old {
			others = append(others, i)
		}
	}
	nl := c.node(c.leaderIn(ctx, others...))
	if err := nl.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if len(nl.Members()) == 0 {
		t.Fatal("the new leader's league lost the driver's members")
	}
	eff, err := nl.Propose(ctx, &league.LeaseMatch{Worker: "w", Now: 1, Deadline: 2})
	if err != nil || eff.Lease == nil {
		t.Fatalf("lease on the new leader: %+v, %v", eff, err)
	}
	d2, err := NewDriver(nl, DriverConfig{League: cfg, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := d2.Run(ctx); err != nil || d2.Status().State != DriverSkipped {
		t.Fatalf("second driver: %v, %+v; want skipped (the league is not empty)", err, d2.Status())
	}
}
