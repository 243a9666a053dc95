package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	bolt "go.etcd.io/bbolt"

	"github.com/selfplay-lab/selfplay/cluster"
	"github.com/selfplay-lab/selfplay/demo"
	"github.com/selfplay-lab/selfplay/league"
)

// The demo's league is replicated, as "selfplay league serve" replicates
// one: a single-node Raft cluster (cluster.Node, bootstrapped) whose log
// and snapshots live in DIR/raft and whose state machine applies every
// event of the run. The node talks to no peer, so it uses raft's
// in-memory transport and opens no port.
//
// Every run starts a fresh league: the learners' optimiser state lives in
// the run's memory, not in the log (as for the cluster's driver), so an
// earlier demo's log cannot be resumed, only replaced.

// demoRaftConfig is the node of a demo run in dir.
func demoRaftConfig(dir string, tr raft.Transport) cluster.Config {
	return cluster.Config{
		ID: "demo", DataDir: dir, Bootstrap: true, Transport: tr,
		// A lone voter elects itself after one heartbeat timeout.
		HeartbeatTimeout: 100 * time.Millisecond, ElectionTimeout: 100 * time.Millisecond,
		LeaderLeaseTimeout: 100 * time.Millisecond,
		// The demo starts afresh every time, so fsyncing a log nobody will
		// resume buys nothing; every entry is still written to raft.db and
		// applied from the log.
		NoSync: true,
		// One snapshot at the end (demoLeague.close), which compacts the
		// log to its tail: snapshots taken while half a million results
		// stream in would copy the state and stall the log each time.
		SnapshotInterval: time.Hour, SnapshotThreshold: 1 << 40, TrailingLogs: 1024, SnapshotRetain: 1,
		LogLevel: "error",
	}
}

// resultWindow bounds the results in flight (proposed, not yet applied).
const resultWindow = 1024

// demoLeague is the leaguesim.League of "selfplay demo": a single-node
// Raft cluster. Events go through the log one by one, except results,
// which are pipelined: a result is handed to raft and the run goes on to
// play the next match; up to resultWindow results are in flight, and all
// of them are applied before any other event is proposed and before any
// read that a result could change. Raft appends pipelined entries in
// batches, which is what keeps the demo within its time budget (one
// result at a time costs a full commit round trip each).
//
// What pipelining gives up is the effect of each result at the moment it
// is proposed: Apply answers a result as new, and a result the league
// turns out to refuse or to have seen (which a demo league, whose match
// ids are unique, never does) fails the next Apply and close. Reads stay
// exact: Members, Opponents and MetaStrategy wait for the results in
// flight, and Member does too when the league's matchmaking is
// "pastself", the only case in which a result changes a member (its
// quality score).
//
// Not safe for concurrent use: leaguesim.Run calls it from one goroutine.
type demoLeague struct {
	node    *cluster.Node
	ctx     context.Context
	pending []pendingResult
	err     error // the first failure of a pipelined result: sticky
}

type pendingResult struct {
	match string
	f     raft.ApplyFuture
}

// openDemoLeague starts a fresh single-node league in dir (removing any
// earlier one) and waits until it leads.
func openDemoLeague(ctx context.Context, dir string) (*demoLeague, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("demo: removing the earlier demo's league: %w", err)
	}
	_, tr := raft.NewInmemTransport(raft.ServerAddress("demo"))
	node, err := cluster.NewNode(demoRaftConfig(dir, tr))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for !node.IsLeader() {
		select {
		case <-ctx.Done():
			node.Shutdown()
			return nil, fmt.Errorf("demo: waiting for the league's Raft node to lead: %w", ctx.Err())
		case <-t.C:
		}
	}
	return &demoLeague{node: node, ctx: ctx}, nil
}

// Apply proposes ev: a result is pipelined, anything else waits for the
// results in flight and then for its own commit.
func (l *demoLeague) Apply(ev league.Event) (league.Effect, error) {
	if l.err != nil {
		return league.Effect{}, l.err
	}
	if r, ok := ev.(*league.RecordResult); ok {
		return league.Effect{}, l.propose(r)
	}
	if err := l.flush(); err != nil {
		return league.Effect{}, err
	}
	return l.node.Propose(l.ctx, ev)
}

// propose hands result r to raft without waiting for it, first waiting
// for the older half of the window when it is full.
func (l *demoLeague) propose(r *league.RecordResult) error {
	if len(l.pending) >= resultWindow {
		if err := l.wait(resultWindow / 2); err != nil {
			return err
		}
	}
	b, err := league.EncodeEvent(r)
	if err != nil {
		return fmt.Errorf("demo: result %s: %w", r.Match, err)
	}
	if err := l.ctx.Err(); err != nil {
		return err
	}
	l.pending = append(l.pending, pendingResult{match: r.Match, f: l.node.Raft().Apply(b, 0)})
	return nil
}

// wait waits for the n oldest results in flight and checks their effects.
func (l *demoLeague) wait(n int) error {
	for _, p := range l.pending[:n] {
		if l.err != nil {
			break
		}
		l.err = p.check()
	}
	l.pending = append(l.pending[:0], l.pending[n:]...)
	return l.err
}

// check waits for p to be applied and returns what went wrong with it.
func (p pendingResult) check() error {
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("demo: result %s: %w", p.match, err)
	}
	switch eff := p.f.Response().(type) {
	case error:
		return fmt.Errorf("demo: result %s: %w", p.match, eff)
	case league.Effect:
		if eff.Duplicate {
			return fmt.Errorf("demo: match %s was already recorded", p.match)
		}
	}
	return nil
}

// Submit hands the results of a chunk of fixed matches to raft without
// waiting (leaguesim.Recorder: the in-process workers call it one chunk at
// a time, in batch order, while the run waits for them); the returned
// function waits for them and checks their effects. It leaves the run's
// own pipelined results (l.pending) alone, so it needs no lock: those
// were proposed before the batch and are checked by the run's next
// Apply, as before.
func (l *demoLeague) Submit(ctx context.Context, evs []*league.RecordResult) (func() error, error) {
	ps := make([]pendingResult, 0, len(evs))
	for _, r := range evs {
		b, err := league.EncodeEvent(r)
		if err != nil {
			return nil, fmt.Errorf("demo: result %s: %w", r.Match, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ps = append(ps, pendingResult{match: r.Match, f: l.node.Raft().Apply(b, 0)})
	}
	return func() error {
		var first error
		for _, p := range ps { // wait for all, even after a failure
			if err := p.check(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}, nil
}

// PutBlob keeps a parameter blob in the node's blob store, beside the log
// (demo.BlobPutter).
func (l *demoLeague) PutBlob(h league.Hash, data []byte) error {
	return l.node.Blobs().PutExpected(h, data)
}

// flush waits for every result in flight.
func (l *demoLeague) flush() error {
	if l.err != nil {
		return l.err
	}
	return l.wait(len(l.pending))
}

// Reads. A failed flush leaves l.err set, which the next Apply returns;
// the read itself shows the state as applied.

func (l *demoLeague) Members() []league.Member {
	_ = l.flush()
	return l.node.Members()
}

func (l *demoLeague) Opponents(home string) ([]league.Choice, error) {
	if err := l.flush(); err != nil {
		return nil, err
	}
	return l.node.Opponents(home)
}

func (l *demoLeague) MetaStrategy() ([]string, []float64, error) {
	if err := l.flush(); err != nil {
		return nil, nil, err
	}
	return l.node.MetaStrategy()
}

func (l *demoLeague) Member(id string) (league.Member, bool) {
	if len(l.pending) > 0 {
		pastself := false
		l.node.View(func(st *league.State) { pastself = st.Config().Matchmaking == "pastself" })
		if pastself {
			_ = l.flush()
		}
	}
	return l.node.Member(id)
}

// demoLeagueSummary is what the demo reports about its league's log.
type demoLeagueSummary struct {
	Dir     string
	Applied uint64 // applied index of the last entry
	Results uint64 // results the replicated league holds
	Hash    league.Hash
}

// close waits for the results in flight, snapshots the league (so that
// DIR/raft holds the final state, not only the log) and stops the node.
func (l *demoLeague) close(dir string) (demoLeagueSummary, error) {
	err := l.flush()
	sum := demoLeagueSummary{Dir: dir, Applied: l.node.AppliedIndex(), Hash: l.node.StateHash()}
	l.node.View(func(st *league.State) { sum.Results = st.Counters().Results })
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = l.node.Snapshot(ctx)
		cancel()
		if err != nil {
			err = fmt.Errorf("demo: snapshot of the league: %w", err)
		}
	}
	if serr := l.node.Shutdown(); serr != nil {
		return sum, errors.Join(err, serr)
	}
	if err == nil {
		err = compactBolt(filepath.Join(dir, "raft.db"))
	}
	return sum, err
}

// compactBolt rewrites the bolt file at path without its free pages. After
// the final snapshot the log keeps only its tail, but bolt never shrinks a
// file, and the run's half a million entries left it at about a hundred
// megabytes. The copy is made beside the file and renamed over it, so an
// interruption leaves the original.
func compactBolt(path string) error {
	src, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("demo: compacting the league's log: %w", err)
	}
	defer src.Close()
	tmp := path + ".compact"
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("demo: compacting the league's log: %w", err)
	}
	err = src.View(func(stx *bolt.Tx) error {
		return dst.Update(func(dtx *bolt.Tx) error {
			return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
				nb, err := dtx.CreateBucket(name)
				if err != nil {
					return err
				}
				return copyBucket(nb, b)
			})
		})
	})
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demo: compacting the league's log: %w", err)
	}
	return nil
}

// copyBucket copies every key of src, and its nested buckets, into dst.
func copyBucket(dst, src *bolt.Bucket) error {
	dst.FillPercent = 1 // keys arrive in order: pack the pages
	return src.ForEach(func(k, v []byte) error {
		if v != nil {
			return dst.Put(k, v)
		}
		nb, err := dst.CreateBucket(k)
		if err != nil {
			return err
		}
		return copyBucket(nb, src.Bucket(k))
	})
}

// demoLeaguePath is where a demo in dir keeps its league.
func demoLeaguePath(dir string) string { return filepath.Join(dir, demo.LeagueDir) }

// demoDualPath is where a demo in dir keeps its dual-play league.
func demoDualPath(dir string) string { return filepath.Join(dir, demo.DualLeagueDir) }
