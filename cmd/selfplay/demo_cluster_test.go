package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/cluster"
	"github.com/selfplay-lab/selfplay/demo"
	"github.com/selfplay-lab/selfplay/league"
)

// TestDemoRaftLeagueMatchesInMemory: "selfplay demo" plays its leagues
// through single-node Raft logs with four in-process workers, and its
// files are byte for byte those of the same demo on in-memory
// league.States with one worker: the replicated leagues (pipelined results
// and the workers' chunks included) answer every read the run makes as the
// plain state does, and the workers change nothing but the speed.
func TestDemoRaftLeagueMatchesInMemory(t *testing.T) {
	base := t.TempDir()
	viaRaft := filepath.Join(base, "raft-league")
	if code, _, errs := demoCLI(t, false, "--dir", viaRaft, "--rounds", "4", "--seed", "5", "--workers", "4"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	cfg := demo.Config{Dir: filepath.Join(base, "in-memory"), Seed: 5, Rounds: 4, Workers: 1}
	rep, err := demo.Run(context.Background(), cfg, demo.Leagues{Main: league.NewState(), Dual: league.NewState()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{demo.LeaderboardJSON, demo.LeaderboardText, demo.MetricsFile,
		demo.DualLeaderboardJSON, demo.DualLeaderboardText, demo.DualMetricsFile} {
		a, errA := os.ReadFile(filepath.Join(viaRaft, name))
		b, errB := os.ReadFile(filepath.Join(cfg.Dir, name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: the Raft league's differs from the in-memory league's (%v, %v)", name, errA, errB)
		}
	}

	// The logs left in DIR/raft and DIR/raft-dualplay restart into the
	// leagues the run played: every result is there, and every parameter
	// blob the members name.
	for _, tc := range []struct {
		dir     string
		results int
		members []league.Member
	}{
		{demoLeaguePath(viaRaft), rep.Result.Matches, rep.Result.League.Members()},
		{demoDualPath(viaRaft), rep.Dual.Matches, rep.Dual.League.Members()},
	} {
		_, tr := raft.NewInmemTransport(raft.ServerAddress("demo"))
		cfgN := demoRaftConfig(tc.dir, tr)
		cfgN.Bootstrap = false
		n, err := cluster.NewNode(cfgN)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for !n.IsLeader() {
			if ctx.Err() != nil {
				t.Fatal("the restarted demo league never led")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		var results uint64
		n.View(func(st *league.State) { results = st.Counters().Results })
		if results != uint64(tc.results) || len(n.Members()) != len(tc.members) {
			t.Errorf("%s restarted: %d results and %d members, the run had %d and %d",
				tc.dir, results, len(n.Members()), tc.results, len(tc.members))
		}
		for _, m := range n.Members() {
			if !n.Blobs().Has(m.Params) {
				t.Errorf("%s: no blob %s for member %s", tc.dir, m.Params, m.ID)
				break
			}
		}
		n.Shutdown()
	}
}

// TestDemoLeaguePipelinedResults: results are answered before they commit,
// but a result the state machine refuses or has seen fails the next
// Apply, reads wait for the results in flight, and close leaves a log
// that restarts into the same state.
func TestDemoLeaguePipelinedResults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	setup := []league.Event{
		&league.Configure{Settings: map[string]string{"seed": "1", "decay": "1"}}, // no decay: games count results
		&league.AddLearner{ID: "a"},
		&league.AddSnapshot{ID: "b"},
	}
	for _, tc := range []struct {
		name string
		bad  *league.RecordResult // proposed after the good results; nil: none
		want error                // what the next Apply returns
	}{
		{"all new", nil, nil},
		{"seen before", &league.RecordResult{Match: "r3", A: "a", B: "b", Outcome: league.OutcomeDraw}, nil},
		{"refused", &league.RecordResult{Match: "x", A: "a", B: "nobody", Outcome: league.OutcomeDraw}, cluster.ErrRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "raft")
			lg, err := openDemoLeague(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range setup {
				if _, err := lg.Apply(ev); err != nil {
					t.Fatal(err)
				}
			}
			const n = 2*resultWindow + 7 // the window fills and drains twice
			for i := range n {
				r := &league.RecordResult{Match: "r" + strconv.Itoa(i), A: "a", B: "b", Outcome: league.OutcomeAWins, Time: int64(i)}
				if eff, err := lg.Apply(r); err != nil || eff.Duplicate {
					t.Fatalf("result %d: %+v, %v", i, eff, err)
				}
			}
			if tc.bad != nil {
				if _, err := lg.Apply(tc.bad); err != nil {
					t.Fatalf("a pipelined result failed at once: %v", err)
				}
			}
			// A read waits for every result in flight.
			opp, err := lg.Opponents("a")
			var games float64
			lg.node.View(func(st *league.State) { games, _ = st.Games("a", "b") })
			if tc.bad == nil && (err != nil || len(opp) == 0 || games != n) {
				t.Fatalf("after %d results: %v opponents, %v games, %v", n, opp, games, err)
			}
			_, err = lg.Apply(&league.ReportProgress{ID: "a", Step: 1})
			switch {
			case tc.bad == nil && err != nil:
				t.Fatalf("progress after good results: %v", err)
			case tc.bad != nil && (err == nil || !strings.Contains(err.Error(), tc.bad.Match)):
				t.Fatalf("progress after a bad result: %v, want an error naming match %s", err, tc.bad.Match)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("progress after a bad result: %v, want %v", err, tc.want)
			}
			want := lg.node.StateHash()
			sum, err := lg.close(dir)
			if (err == nil) != (tc.bad == nil) || sum.Results != n || sum.Hash != want {
				t.Fatalf("close: %+v, %v; want %d results, hash %s, an error only after a bad result", sum, err, n, want)
			}
			if tc.bad != nil {
				return
			}
			_, tr := raft.NewInmemTransport(raft.ServerAddress("demo"))
			cfg := demoRaftConfig(dir, tr)
			cfg.Bootstrap = false
			node, err := cluster.NewNode(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer node.Shutdown()
			if err := node.WaitApplied(ctx, sum.Applied); err != nil || node.StateHash() != want {
				t.Fatalf("restart from the compacted log: %v, hash %s, want %s", err, node.StateHash(), want)
			}
		})
	}
}
