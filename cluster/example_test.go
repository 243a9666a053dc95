package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/cluster"
	"github.com/selfplay-lab/selfplay/league"
)

// A single-node league: bootstrap, propose events through the log, retry a
// result (applied once), read the replicated state.
func ExampleNode() {
	dir, _ := os.MkdirTemp("", "cluster-example")
	defer os.RemoveAll(dir)
	_, tr := raft.NewInmemTransport("solo") // cluster.Config.RaftAddr for TCP
	n, err := cluster.NewNode(cluster.Config{
		ID: "solo", DataDir: dir, Bootstrap: true, Transport: tr,
		HeartbeatTimeout: 50 * time.Millisecond, ElectionTimeout: 50 * time.Millisecond,
		LeaderLeaseTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer n.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := n.WaitLeader(ctx); err != nil {
		fmt.Println(err)
		return
	}
	result := &league.RecordResult{Match: "m1", A: "a", B: "b", Outcome: league.OutcomeAWins}
	for _, ev := range []league.Event{&league.AddSnapshot{ID: "a"}, &league.AddSnapshot{ID: "b"}, result, result} {
		eff, err := n.Propose(ctx, ev)
		fmt.Printf("%s: duplicate=%v err=%v\n", ev.Type(), eff.Duplicate, err)
	}
	_, err = n.Propose(ctx, &league.SetRole{ID: "a", Role: league.RoleMain})
	fmt.Println("rejected:", errors.Is(err, cluster.ErrRejected))
	n.View(func(s *league.State) {
		fmt.Println("members:", s.Len(), "results:", s.Counters().Results)
	})
	// Output:
	// AddSnapshot: duplicate=false err=<nil>
	// AddSnapshot: duplicate=false err=<nil>
	// RecordResult: duplicate=false err=<nil>
	// RecordResult: duplicate=true err=<nil>
	// rejected: true
	// members: 2 results: 1
}
