package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// Helpers for fault tests: clusters on a FaultNet, clients that record a
// History, a load of concurrent writers, and the end-of-test checks.

// faultCtx bounds a fault test: longer than testCtx, since a scenario
// waits for several elections, on a machine that may be loaded.
func faultCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newFaultCluster starts an n-node cluster whose transports obey a
// FaultNet seeded with seed, set up with testLeague.
func newFaultCluster(t *testing.T, ctx context.Context, n int, seed uint64, tweak func(i int, cfg *Config)) (*testCluster, *FaultNet) {
	net := NewFaultNet(seed)
	c := newTestClusterWith(t, ctx, n, net, tweak)
	c.setup(ctx)
	return c, net
}

// grow starts one more node (not yet a member) and returns its index.
func (c *testCluster) grow() int {
	c.t.Helper()
	c.mu.Lock()
	i := len(c.nodes)
	c.nodes = append(c.nodes, nil)
	c.trans = append(c.trans, nil)
	c.dirs = append(c.dirs, c.nodeDir(i))
	c.mu.Unlock()
	c.start(i, false)
	return i
}

// node returns node i (nil while stopped).
func (c *testCluster) node(i int) *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i]
}

// leaderIn waits until one of the nodes idx leads and returns it.
func (c *testCluster) leaderIn(ctx context.Context, idx ...int) int {
	c.t.Helper()
	for {
		for _, i := range idx {
			if n := c.node(i); n != nil && n.IsLeader() {
				return i
			}
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("none of nodes %v became leader: %v", idx, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// onLeader runs op on whichever node leads, repeating it through
// elections until it succeeds (op must be idempotent) or ctx ends.
func (c *testCluster) onLeader(ctx context.Context, what string, op func(ctx context.Context, n *Node) error) {
	c.t.Helper()
	eventually(ctx, c.t, func() error {
		n := c.node(c.leader(ctx))
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := op(actx, n); err != nil {
			return fmt.Errorf("%s on %s: %w", what, n.ID(), err)
		}
		return nil
	})
}

// client submits results and reads them back, recording every attempt in
// a History. One client runs one operation at a time.
type client struct {
	c  *testCluster
	h  *History
	id int
}

// record submits r to the nodes in turn until one acknowledges it or ctx
// ends. Every attempt that may have taken effect is recorded; retries
// carry the same match id, so a retry of a committed attempt is a
// duplicate.
func (cl *client) record(ctx context.Context, r *league.RecordResult) (league.Effect, error) {
	var last error
	for {
		for _, n := range cl.c.live() {
			eff, err := cl.recordOn(ctx, n, r, 2*time.Second)
			if err == nil || errors.Is(err, ErrRejected) {
				return eff, err
			}
			last = err
		}
		select {
		case <-ctx.Done():
			return league.Effect{}, fmt.Errorf("result %s: %w (last error: %v)", r.Match, ctx.Err(), last)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// recordOn makes one attempt on node n, bounded by timeout.
func (cl *client) recordOn(ctx context.Context, n *Node, r *league.RecordResult, timeout time.Duration) (league.Effect, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	call := cl.h.Now()
	eff, err := n.Propose(actx, r)
	ret := cl.h.Now()
	if st, ok := RecordStatus(eff, err); ok {
		cl.h.Add(HistoryOp{Client: cl.id, Kind: OpRecord, Matches: []string{r.Match}, Status: st, Call: call, Return: ret})
	}
	return eff, err
}

// read reads linearizably which of ids are recorded, on whichever node
// leads, and records the read. Failed attempts are retried (a failed read
// changes nothing, so it is not recorded).
func (cl *client) read(ctx context.Context, ids []string) ([]string, error) {
	for {
		for _, n := range cl.c.live() {
			if !n.IsLeader() {
				continue
			}
			actx, cancel := context.WithTimeout(ctx, 2*time.Second)
			var present []string
			call := cl.h.Now()
			err := n.Read(actx, ReadLinearizable, func(s *league.State) {
				for _, m := range ids {
					if s.Seen(m) {
						present = append(present, m)
					}
				}
			})
			ret := cl.h.Now()
			cancel()
			if err == nil {
				cl.h.Add(HistoryOp{Client: cl.id, Kind: OpRead, Matches: ids, Present: present, Status: StatusOK, Call: call, Return: ret})
				return present, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("linearizable read: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// load is a set of concurrent writers submitting results (each writer its
// own match ids, in order, retried until acknowledged) and one reader, all
// recording into one History, until stopped.
type load struct {
	t    *testing.T
	c    *testCluster
	h    *History
	stop chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	acked   map[string]league.Effect
	tried   []string // every match id submitted at least once
	failure error
	idle    int // writers that submitted all their results
	writers int
}

// loadPerWriter bounds each writer of the fault tests' load. It must be
// large enough that writers are still submitting when a test's last
// waitAcked asks for more acknowledgements after a fault, even on a fast,
// idle machine where the writers outrun the faults.
const loadPerWriter = 2000

// startLoad starts writers that submit up to max results each, and a
// reader.
func startLoad(ctx context.Context, t *testing.T, c *testCluster, h *History, writers, max int) *load {
	l := &load{t: t, c: c, h: h, stop: make(chan struct{}), acked: map[string]league.Effect{}, writers: writers}
	l.cond = sync.NewCond(&l.mu)
	for w := range writers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			cl := &client{c: c, h: h, id: w}
			for _, r := range results(fmt.Sprintf("w%d-", w), max) {
				select {
				case <-l.stop:
					return
				default:
				}
				l.mu.Lock()
				l.tried = append(l.tried, r.Match)
				l.mu.Unlock()
				eff, err := cl.record(ctx, r)
				l.mu.Lock()
				if err != nil {
					l.failure = errors.Join(l.failure, err)
				} else {
					l.acked[r.Match] = eff
				}
				l.cond.Broadcast()
				l.mu.Unlock()
				if err != nil {
					return
				}
			}
			l.mu.Lock()
			l.idle++
			l.cond.Broadcast()
			l.mu.Unlock()
		}()
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		cl := &client{c: c, h: h, id: writers}
		for {
			select {
			case <-l.stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			l.mu.Lock()
			ids := slices.Clone(l.tried)
			l.mu.Unlock()
			if _, err := cl.read(ctx, ids); err != nil {
				l.mu.Lock()
				l.failure = errors.Join(l.failure, err)
				l.cond.Broadcast()
				l.mu.Unlock()
				return
			}
		}
	}()
	context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	return l
}

// waitAcked waits until at least n results are acknowledged in total.
func (l *load) waitAcked(ctx context.Context, n int) {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.acked) < n && l.failure == nil && ctx.Err() == nil && l.idle < l.writers {
		l.cond.Wait()
	}
	if len(l.acked) < n {
		if l.idle == l.writers {
			l.t.Fatalf("%d results acknowledged, waited for %d: the writers submitted all their results (raise loadPerWriter)", len(l.acked), n)
		}
		l.t.Fatalf("%d results acknowledged, waited for %d: %v %v", len(l.acked), n, l.failure, ctx.Err())
	}
}

// ackedCount returns the number of acknowledged results so far.
func (l *load) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

// finish stops the load, waits for it and fails the test if a client
// gave up. It returns the acknowledged and the submitted match ids.
func (l *load) finish() (acked map[string]league.Effect, tried []string) {
	l.t.Helper()
	close(l.stop)
	l.wg.Wait()
	if l.failure != nil {
		l.t.Fatal(l.failure)
	}
	return l.acked, l.tried
}

// checkResults checks every running node after convergence: each
// acknowledged result is recorded, none of absent is, and the results
// counter (distinct match ids) equals the number of submitted ids
// recorded, so nothing was recorded twice or from nowhere.
func (c *testCluster) checkResults(acked map[string]league.Effect, tried, absent []string) {
	c.t.Helper()
	for _, n := range c.live() {
		var missing, unexpected []string
		var recorded, counted uint64
		n.View(func(s *league.State) {
			for m := range acked {
				if !s.Seen(m) {
					missing = append(missing, m)
				}
			}
			for _, m := range absent {
				if s.Seen(m) {
					unexpected = append(unexpected, m)
				}
			}
			for _, m := range tried {
				if s.Seen(m) {
					counted++
				}
			}
			recorded = s.Counters().Results
		})
		slices.Sort(missing)
		if len(missing) > 0 {
			c.t.Errorf("%s lost acknowledged results %v", n.ID(), missing)
		}
		if len(unexpected) > 0 {
			c.t.Errorf("%s recorded refused, never retried results %v", n.ID(), unexpected)
		}
		if recorded != counted {
			c.t.Errorf("%s counts %d results; %d of the submitted ids are recorded", n.ID(), recorded, counted)
		}
		if counted < uint64(len(acked)) {
			c.t.Errorf("%s: %d recorded, fewer than the %d acknowledged", n.ID(), counted, len(acked))
		}
	}
}

// checkHistory checks the recorded history for linearizability; on
// failure it writes porcupine's visualization next to the test's files.
func checkHistory(t *testing.T, h *History) {
	t.Helper()
	ops := h.Ops()
	res, info, err := CheckHistory(ops, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var records, reads, unknown int
	for _, op := range ops {
		switch {
		case op.Kind == OpRead:
			reads++
		case op.Status == StatusUnknown:
			unknown++
			records++
		default:
			records++
		}
	}
	t.Logf("history: %d records (%d of unknown fate), %d linearizable reads: %s", records, unknown, reads, res)
	if reads == 0 {
		t.Error("history has no reads; the check is vacuous")
	}
	if res != porcupine.Ok {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("porcupine-%s.html", strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())))
		if verr := porcupine.VisualizePath(ResultModel(), info, path); verr == nil {
			t.Errorf("history check: %s (visualization in %s)", res, path)
		} else {
			t.Errorf("history check: %s (no visualization: %v)", res, verr)
		}
	}
}

// addrs returns the Raft addresses of nodes idx.
func addrs(idx ...int) []raft.ServerAddress {
	out := make([]raft.ServerAddress, len(idx))
	for k, i := range idx {
		out[k] = nodeAddr(i)
	}
	return out
}

// faultStep is one step of a random fault schedule: it changes the
// network (given the current leader) and lasts hold.
type faultStep struct {
	desc  string
	apply func(net *FaultNet, leader int)
	hold  time.Duration
}

// randomSchedule draws steps faults for an n-node cluster: minorities
// cut off (often the leader's), splits, lossy or slow links, one-way
// cuts, and heals. Every step replaces the previous faults, so at most a
// minority is ever cut off from the rest by a partition, though loss may
// stall progress for a while.
func randomSchedule(rng *rand.Rand, n, steps int) []faultStep {
	out := make([]faultStep, steps)
	for s := range out {
		hold := time.Duration(30+rng.IntN(120)) * time.Millisecond
		minority := rng.Perm(n)[:1+rng.IntN((n-1)/2)]
		a, b := rng.IntN(n), rng.IntN(n)
		drop, delay := 0.05+0.3*rng.Float64(), time.Duration(rng.IntN(5))*time.Millisecond
		var st faultStep
		switch k := rng.IntN(7); k {
		case 0:
			st = faultStep{fmt.Sprintf("isolate %v", minority), func(net *FaultNet, _ int) {
				net.Heal()
				net.Isolate(addrs(minority...)...)
			}, hold}
		case 1:
			st = faultStep{"isolate the leader", func(net *FaultNet, leader int) {
				net.Heal()
				net.Isolate(nodeAddr(leader))
			}, hold}
		case 2:
			st = faultStep{fmt.Sprintf("all links drop %.2f, delay %v", drop, delay), func(net *FaultNet, _ int) {
				net.Heal()
				net.SetFault("", "", Fault{Drop: drop, Jitter: delay})
			}, hold}
		case 3:
			st = faultStep{fmt.Sprintf("cut %d→%d", a, b), func(net *FaultNet, _ int) {
				net.Heal()
				net.SetFault(nodeAddr(a), nodeAddr(b), Fault{Drop: 1})
			}, hold}
		case 4:
			st = faultStep{fmt.Sprintf("leader's entries lost, heartbeats pass, %v", delay), func(net *FaultNet, leader int) {
				net.Heal()
				net.SetFault(nodeAddr(leader), "", Fault{Kinds: KindAppend, Drop: 1})
				net.SetFault("", "", Fault{Delay: delay})
			}, hold}
		case 5:
			st = faultStep{fmt.Sprintf("node %d slow (%v) and lossy (%.2f)", a, 5*delay, drop), func(net *FaultNet, _ int) {
				net.Heal()
				net.SetFault(nodeAddr(a), "", Fault{Drop: drop, Delay: 5 * delay})
				net.SetFault("", nodeAddr(a), Fault{Drop: drop, Delay: 5 * delay})
			}, hold}
		default:
			st = faultStep{"heal", func(net *FaultNet, _ int) { net.Heal() }, hold}
		}
		out[s] = st
	}
	return out
}
