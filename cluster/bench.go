package cluster

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/selfplay-lab/selfplay/league"
)

// Cluster benchmarks: how many results per second a three-node cluster on
// loopback acknowledges, next to how fast the log store alone appends the
// same entries in the same run (the ratio is the figure: it says what
// replication, the FSM and the round trips cost over the disk), and how
// long a leader fail-over leaves the cluster without accepting writes.

// BenchConfig configures Bench. Zero fields take the defaults noted.
type BenchConfig struct {
	// Dir holds the nodes' and the raw store's data (required; Bench
	// writes below it and leaves it to the caller to remove).
	Dir string
	// Results is how many results are proposed (default 20000);
	// Concurrency how many proposals are in flight at once (default 64),
	// so that Raft batches them into log appends and FSM batches.
	Results     int
	Concurrency int
	// RawSingle bounds the entries appended one per StoreLogs call, each
	// an fsync (default 2000: that baseline is slow by design).
	RawSingle int
	// Failovers is how many leader fail-overs are timed (default 5; 0
	// with NoFailover).
	Failovers  int
	NoFailover bool
	// NoSync skips fsync in the nodes' log stores and the raw store alike.
	NoSync bool
	// Node timeouts (HeartbeatTimeout, ElectionTimeout; Config's defaults
	// if 0) set how fast a leader's loss is noticed.
	HeartbeatTimeout, ElectionTimeout time.Duration
	// Log receives progress lines (nil: silent).
	Log func(string)
}

// BenchReport is what Bench measured.
type BenchReport struct {
	Results, Concurrency int
	// Cluster is the time until every result was acknowledged by the
	// leader (committed by a majority and applied).
	Cluster time.Duration
	// RawBatch is StoreLogs of the same entries, Concurrency per call;
	// RawSingle of the first RawSingleN of them, one per call.
	RawBatch   time.Duration
	RawSingle  time.Duration
	RawSingleN int
	// Failovers are the fail-over times: from shutting the leader down to
	// the first write a new leader acknowledged.
	Failovers []time.Duration
}

// ResultsPerSec is the cluster's acknowledged results per second.
func (r *BenchReport) ResultsPerSec() float64 { return rate(r.Results, r.Cluster) }

// RawBatchPerSec is the raw store's appends per second in batches.
func (r *BenchReport) RawBatchPerSec() float64 { return rate(r.Results, r.RawBatch) }

// RawSinglePerSec is the raw store's appends per second one at a time.
func (r *BenchReport) RawSinglePerSec() float64 { return rate(r.RawSingleN, r.RawSingle) }

// MedianFailover is the median fail-over time (0 without trials).
func (r *BenchReport) MedianFailover() time.Duration {
	if len(r.Failovers) == 0 {
		return 0
	}
	s := slices.Clone(r.Failovers)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// benchMembers are the members the benchmark's results name.
var benchMembers = []string{"B0", "B1", "B2", "B3"}

// benchSetup adds the members.
func benchSetup() []league.Event {
	evs := make([]league.Event, len(benchMembers))
	for i, id := range benchMembers {
		evs[i] = &league.AddLearner{ID: id, Params: sha256.Sum256([]byte(id))}
	}
	return evs
}

// benchResult is the i-th result of a run.
func benchResult(prefix string, i int) *league.RecordResult {
	n := len(benchMembers)
	return &league.RecordResult{Match: fmt.Sprintf("%s%d", prefix, i), A: benchMembers[i%n], B: benchMembers[(i+1+i/n)%n],
		Outcome: league.Outcome(1 + i%3), Worker: "bench", Time: int64(i)}
}

// Bench runs the cluster benchmarks: a three-node cluster over TCP on
// 127.0.0.1 acknowledges cfg.Results results proposed cfg.Concurrency at
// a time; a raft-boltdb store appends the same encoded entries; then the
// leader is shut down and restarted cfg.Failovers times.
func Bench(ctx context.Context, cfg BenchConfig) (*BenchReport, error) {
	if cfg.Dir == "" {
		return nil, errors.New("cluster: bench: Dir is empty")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.Results, 20000)
	def(&cfg.Concurrency, 64)
	def(&cfg.RawSingle, 2000)
	def(&cfg.Failovers, 5)
	if cfg.NoFailover {
		cfg.Failovers = 0
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	rep := &BenchReport{Results: cfg.Results, Concurrency: cfg.Concurrency}

	b := &benchCluster{cfg: cfg}
	defer b.shutdown()
	if err := b.start(ctx); err != nil {
		return nil, err
	}
	cfg.Log(fmt.Sprintf("3 nodes up; proposing %d results, %d at a time", cfg.Results, cfg.Concurrency))
	d, err := b.propose(ctx, "r", cfg.Results, cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	rep.Cluster = d

	cfg.Log("appending the same entries to a raw log store")
	entries := make([]*raft.Log, cfg.Results)
	for i := range entries {
		data, err := league.EncodeEvent(benchResult("r", i))
		if err != nil {
			return nil, fmt.Errorf("cluster: bench: %w", err)
		}
		entries[i] = &raft.Log{Index: uint64(i + 1), Term: 1, Type: raft.LogCommand, Data: data, AppendedAt: time.Now()}
	}
	if rep.RawBatch, err = rawAppend(filepath.Join(cfg.Dir, "raw-batch.db"), entries, cfg.Concurrency, cfg.NoSync); err != nil {
		return nil, err
	}
	rep.RawSingleN = min(cfg.RawSingle, len(entries))
	if rep.RawSingle, err = rawAppend(filepath.Join(cfg.Dir, "raw-single.db"), entries[:rep.RawSingleN], 1, cfg.NoSync); err != nil {
		return nil, err
	}

	for k := range cfg.Failovers {
		d, err := b.failover(ctx, k)
		if err != nil {
			return nil, err
		}
		cfg.Log(fmt.Sprintf("fail-over %d: %v", k+1, d.Round(time.Millisecond)))
		rep.Failovers = append(rep.Failovers, d)
	}
	return rep, nil
}

// rawAppend stores entries in a new raft-boltdb store at path, batch per
// StoreLogs call, and returns the time taken.
func rawAppend(path string, entries []*raft.Log, batch int, noSync bool) (time.Duration, error) {
	store, err := raftboltdb.New(raftboltdb.Options{Path: path, NoSync: noSync})
	if err != nil {
		return 0, fmt.Errorf("cluster: bench: open raw store: %w", err)
	}
	defer store.Close()
	start := time.Now()
	for i := 0; i < len(entries); i += batch {
		if err := store.StoreLogs(entries[i:min(i+batch, len(entries))]); err != nil {
			return 0, fmt.Errorf("cluster: bench: raw append: %w", err)
		}
	}
	return time.Since(start), nil
}

// benchCluster is the benchmark's three nodes.
type benchCluster struct {
	cfg   BenchConfig
	mu    sync.Mutex
	nodes []*Node
	confs []Config
	seq   atomic.Int64 // fail-over writes
}

func (b *benchCluster) nodeConfig(i int, addr string) Config {
	return Config{ID: fmt.Sprintf("b%d", i), RaftAddr: addr, DataDir: filepath.Join(b.cfg.Dir, fmt.Sprintf("node%d", i)),
		Bootstrap: i == 0, NoSync: b.cfg.NoSync, HeartbeatTimeout: b.cfg.HeartbeatTimeout, ElectionTimeout: b.cfg.ElectionTimeout}
}

// start starts three nodes on free ports, joins them and adds the members.
func (b *benchCluster) start(ctx context.Context) error {
	for i := range 3 {
		cfg := b.nodeConfig(i, "127.0.0.1:0")
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return fmt.Errorf("cluster: bench: %w", err)
		}
		n, err := NewNode(cfg)
		if err != nil {
			return fmt.Errorf("cluster: bench: %w", err)
		}
		cfg.RaftAddr, cfg.Bootstrap = n.Addr(), false // restarts bind the same port
		b.nodes, b.confs = append(b.nodes, n), append(b.confs, cfg)
	}
	if _, _, err := b.nodes[0].WaitLeader(ctx); err != nil {
		return err
	}
	for _, n := range b.nodes[1:] {
		if err := b.onLeader(ctx, func(ctx context.Context, ld *Node) error { return ld.AddVoter(ctx, n.ID(), n.Addr()) }); err != nil {
			return err
		}
	}
	for _, ev := range benchSetup() {
		if err := b.onLeader(ctx, func(ctx context.Context, ld *Node) error { _, err := ld.Propose(ctx, ev); return err }); err != nil {
			return err
		}
	}
	return nil
}

// onLeader runs op on whichever node leads, retrying while leadership
// moves, for up to 30s.
func (b *benchCluster) onLeader(ctx context.Context, op func(ctx context.Context, ld *Node) error) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		for _, n := range b.live() {
			if !n.IsLeader() {
				continue
			}
			actx, acancel := context.WithTimeout(ctx, 2*time.Second)
			last = op(actx, n)
			acancel()
			if last == nil {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("cluster: bench: no leader took the request: %w (last error: %v)", ctx.Err(), last)
}

func (b *benchCluster) live() []*Node {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*Node
	for _, n := range b.nodes {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// propose has count results acknowledged, conc at a time, and returns
// the time taken.
func (b *benchCluster) propose(ctx context.Context, prefix string, count, conc int) (time.Duration, error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				r := benchResult(prefix, i)
				if err := b.onLeader(ctx, func(ctx context.Context, ld *Node) error { _, err := ld.Propose(ctx, r); return err }); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// failover shuts the leader down, times until another node acknowledges
// a write, then restarts the old leader from its data dir and waits until
// it has caught up.
func (b *benchCluster) failover(ctx context.Context, trial int) (time.Duration, error) {
	var leader *Node
	if err := b.onLeader(ctx, func(_ context.Context, ld *Node) error { leader = ld; return nil }); err != nil {
		return 0, err
	}
	b.mu.Lock()
	old := slices.Index(b.nodes, leader)
	b.nodes[old] = nil
	b.mu.Unlock()
	start := time.Now()
	if err := leader.Shutdown(); err != nil {
		return 0, fmt.Errorf("cluster: bench: shut down %s: %w", leader.ID(), err)
	}
	r := benchResult(fmt.Sprintf("f%d-", trial), int(b.seq.Add(1)))
	if err := b.onLeader(ctx, func(ctx context.Context, ld *Node) error { _, err := ld.Propose(ctx, r); return err }); err != nil {
		return 0, err
	}
	d := time.Since(start)

	n, err := NewNode(b.confs[old])
	if err != nil {
		return 0, fmt.Errorf("cluster: bench: restart %s: %w", b.confs[old].ID, err)
	}
	b.mu.Lock()
	b.nodes[old] = n
	b.mu.Unlock()
	var target uint64
	if err := b.onLeader(ctx, func(ctx context.Context, ld *Node) error {
		target = ld.AppliedIndex()
		return ld.Barrier(ctx)
	}); err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := n.WaitApplied(wctx, target); err != nil {
		return 0, fmt.Errorf("cluster: bench: %s catching up: %w", n.ID(), err)
	}
	return d, nil
}

// shutdown stops every node.
func (b *benchCluster) shutdown() {
	for _, n := range b.live() {
		_ = n.Shutdown()
	}
}
