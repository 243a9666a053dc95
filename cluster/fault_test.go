package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// TestFaultNetRules: partitions cut exactly the links between groups (the
// unnamed addresses forming a group of their own), the most specific
// fault rule wins, and Heal restores every link.
func TestFaultNetRules(t *testing.T) {
	a, b, c, d := raft.ServerAddress("a"), raft.ServerAddress("b"), raft.ServerAddress("c"), raft.ServerAddress("d")
	all := []raft.ServerAddress{a, b, c, d}
	cut := Fault{Drop: 1}
	for _, tc := range []struct {
		name   string
		setup  func(f *FaultNet)
		kind   RPCKind
		linked [][2]raft.ServerAddress // the links that deliver; all others drop
	}{
		{"fault free", func(*FaultNet) {}, KindAppend, pairs(all, all)},
		{"isolate a", func(f *FaultNet) { f.Isolate(a) }, KindAppend, pairs([]raft.ServerAddress{b, c, d}, []raft.ServerAddress{b, c, d})},
		{"minority a b", func(f *FaultNet) { f.Isolate(a, b) }, KindVote,
			append(pairs([]raft.ServerAddress{a, b}, []raft.ServerAddress{a, b}), pairs([]raft.ServerAddress{c, d}, []raft.ServerAddress{c, d})...)},
		{"three groups", func(f *FaultNet) { f.Partition([]raft.ServerAddress{a}, []raft.ServerAddress{b}) }, KindAppend,
			[][2]raft.ServerAddress{{c, d}, {d, c}}},
		{"partition then heal", func(f *FaultNet) { f.Isolate(a); f.SetFault("", "", cut); f.Heal() }, KindAppend, pairs(all, all)},
		{"one way a→b", func(f *FaultNet) { f.SetFault(a, b, cut) }, KindAppend, without(pairs(all, all), [2]raft.ServerAddress{a, b})},
		{"specific beats wildcard", func(f *FaultNet) { f.SetFault("", "", cut); f.SetFault(a, b, Fault{}) }, KindAppend,
			[][2]raft.ServerAddress{{a, b}}},
		{"from wildcard beats to wildcard", func(f *FaultNet) { f.SetFault(a, "", Fault{}); f.SetFault("", b, cut) }, KindAppend,
			without(pairs(all, all), [2]raft.ServerAddress{c, b}, [2]raft.ServerAddress{d, b})},
		{"kinds filter: others pass", func(f *FaultNet) { f.SetFault("", "", Fault{Kinds: KindHeartbeat | KindSnapshot, Drop: 1}) }, KindAppend, pairs(all, all)},
		{"kinds filter: selected drop", func(f *FaultNet) { f.SetFault("", "", Fault{Kinds: KindHeartbeat | KindSnapshot, Drop: 1}) }, KindSnapshot, nil},
		{"cleared fault", func(f *FaultNet) { f.SetFault(a, b, cut); f.ClearFault(a, b) }, KindAppend, pairs(all, all)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFaultNet(1)
			tc.setup(f)
			for _, from := range all {
				for _, to := range all {
					if from == to {
						continue
					}
					drop, _ := f.judge(from, to, tc.kind)
					want := !slices.Contains(tc.linked, [2]raft.ServerAddress{from, to})
					if drop != want {
						t.Errorf("%s→%s %s: dropped %t, want %t", from, to, tc.kind, drop, want)
					}
					st := f.Stats(from, to)
					if got := st.Dropped[tc.kind] + st.Delivered[tc.kind]; got != 1 || (st.Dropped[tc.kind] == 1) != drop {
						t.Errorf("%s→%s stats %+v after one message (dropped %t)", from, to, st, drop)
					}
				}
			}
		})
	}
}

// pairs returns the ordered pairs (x, y), x ≠ y, of xs × ys.
func pairs(xs, ys []raft.ServerAddress) [][2]raft.ServerAddress {
	var out [][2]raft.ServerAddress
	for _, x := range xs {
		for _, y := range ys {
			if x != y {
				out = append(out, [2]raft.ServerAddress{x, y})
			}
		}
	}
	return out
}

func without(ps [][2]raft.ServerAddress, drop ...[2]raft.ServerAddress) [][2]raft.ServerAddress {
	return slices.DeleteFunc(ps, func(p [2]raft.ServerAddress) bool { return slices.Contains(drop, p) })
}

// TestFaultNetDeterministic: a link's random decisions depend only on the
// seed and that link's own messages: traffic on another link does not
// shift them, another seed changes them, and the loss rate is near Drop.
func TestFaultNetDeterministic(t *testing.T) {
	const n = 2000
	run := func(seed uint64, noise bool) []bool {
		f := NewFaultNet(seed)
		f.SetFault("", "", Fault{Drop: 0.3, Delay: time.Millisecond, Jitter: time.Millisecond})
		out := make([]bool, n)
		for i := range out {
			if noise && i%3 == 0 {
				f.judge("b", "c", KindVote)
			}
			var delay time.Duration
			out[i], delay = f.judge("a", "b", KindAppend)
			if !out[i] && (delay < time.Millisecond || delay >= 2*time.Millisecond) {
				t.Fatalf("delay %v outside [1ms, 2ms)", delay)
			}
		}
		return out
	}
	base := run(7, false)
	if !slices.Equal(base, run(7, true)) {
		t.Error("decisions on a→b changed with traffic on b→c")
	}
	if slices.Equal(base, run(8, false)) {
		t.Error("seeds 7 and 8 gave the same decisions")
	}
	drops := 0
	for _, d := range base {
		if d {
			drops++
		}
	}
	// Binomial(2000, 0.3): sd ≈ 20.5; ±5 sd.
	if drops < 600-103 || drops > 600+103 {
		t.Errorf("%d of %d dropped at rate 0.3", drops, n)
	}
}

// TestFaultTransportDelivery: over two in-memory transports, a request
// cut on the way out never reaches its target, a reply cut on the way
// back reaches the target but fails the caller, unaffected kinds pass,
// and Close ends a pending delay.
func TestFaultTransportDelivery(t *testing.T) {
	aAddr, bAddr := raft.ServerAddress("a"), raft.ServerAddress("b")
	_, ia := raft.NewInmemTransport(aAddr)
	_, ib := raft.NewInmemTransport(bAddr)
	ia.Connect(bAddr, ib)
	ib.Connect(aAddr, ia)
	net := NewFaultNet(3)
	ta := net.Wrap(ia)
	if _, ok := ta.(raft.WithPreVote); !ok {
		t.Fatal("wrapper of a pre-vote transport does not offer pre-vote")
	}
	if _, err := ta.AppendEntriesPipeline("b", bAddr); !errors.Is(err, raft.ErrPipelineReplicationNotSupported) {
		t.Fatalf("pipeline: %v; want ErrPipelineReplicationNotSupported", err)
	}
	// b answers every vote request, counting them.
	handled := make(chan uint64, 16)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case rpc := <-ib.Consumer():
				req := rpc.Command.(*raft.RequestVoteRequest)
				handled <- req.Term
				rpc.Respond(&raft.RequestVoteResponse{Term: req.Term, Granted: true}, nil)
			case <-stop:
				return
			}
		}
	}()
	vote := func(term uint64) error {
		var resp raft.RequestVoteResponse
		err := ta.RequestVote("b", bAddr, &raft.RequestVoteRequest{Term: term}, &resp)
		if err == nil && (!resp.Granted || resp.Term != term) {
			t.Errorf("term %d: response %+v", term, resp)
		}
		return err
	}
	seen := func() []uint64 {
		var out []uint64
		for {
			select {
			case term := <-handled:
				out = append(out, term)
			default:
				return out
			}
		}
	}
	for _, tc := range []struct {
		name    string
		setup   func()
		wantErr bool
		handled bool // b saw the request
	}{
		{"clear", func() {}, false, true},
		{"request cut", func() { net.SetFault(aAddr, bAddr, Fault{Drop: 1}) }, true, false},
		{"partition", func() { net.Isolate(bAddr) }, true, false},
		{"reply cut", func() { net.SetFault(bAddr, aAddr, Fault{Drop: 1}) }, true, true},
		{"other kind cut", func() { net.SetFault("", "", Fault{Kinds: KindAppend | KindHeartbeat, Drop: 1}) }, false, true},
		{"delayed", func() { net.SetFault(aAddr, bAddr, Fault{Delay: 2 * time.Millisecond}) }, false, true},
	} {
		net.Heal()
		tc.setup()
		term := uint64(len(tc.name))
		err := vote(term)
		if (err != nil) != tc.wantErr || tc.wantErr && !errors.Is(err, ErrFaultDropped) {
			t.Errorf("%s: %v; want error %t (ErrFaultDropped)", tc.name, err, tc.wantErr)
		}
		if got := seen(); slices.Contains(got, term) != tc.handled {
			t.Errorf("%s: b handled %v; want term %d handled %t", tc.name, got, term, tc.handled)
		}
	}
	if st := net.Stats(aAddr, bAddr); st.Delivered[KindVote] != 4 || st.Dropped[KindVote] != 2 {
		t.Errorf("a→b stats %+v; want 4 delivered, 2 dropped votes", st)
	}

	net.Heal()
	net.SetFault(aAddr, bAddr, Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() { done <- vote(99) }()
	time.Sleep(time.Millisecond)
	if err := ta.(raft.WithClose).Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, raft.ErrTransportShutdown) {
			t.Fatalf("delayed call after close: %v; want ErrTransportShutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("close did not end a pending delay")
	}
}

// TestResultModel: the linearizability check accepts histories a correct
// league can produce and refuses ones it cannot, including the cases that
// depend on a record of unknown fate taking effect late.
func TestResultModel(t *testing.T) {
	rec := func(client int, m string, st OpStatus, call, ret int64) HistoryOp {
		return HistoryOp{Client: client, Kind: OpRecord, Matches: []string{m}, Status: st, Call: call, Return: ret}
	}
	read := func(client int, ids, present []string, call, ret int64) HistoryOp {
		return HistoryOp{Client: client, Kind: OpRead, Matches: ids, Present: present, Status: StatusOK, Call: call, Return: ret}
	}
	ab := []string{"a", "b"}
	for _, tc := range []struct {
		name string
		ops  []HistoryOp
		ok   bool
	}{
		{"record then read", []HistoryOp{rec(0, "a", StatusNew, 0, 10), read(1, ab, []string{"a"}, 20, 30)}, true},
		{"acknowledged record lost", []HistoryOp{rec(0, "a", StatusNew, 0, 10), read(1, ab, nil, 20, 30)}, false},
		{"read before record", []HistoryOp{read(1, ab, []string{"a"}, 0, 5), rec(0, "a", StatusNew, 10, 20)}, false},
		{"concurrent read may see it", []HistoryOp{rec(0, "a", StatusNew, 0, 20), read(1, ab, []string{"a"}, 5, 10)}, true},
		{"concurrent read may miss it", []HistoryOp{rec(0, "a", StatusNew, 0, 20), read(1, ab, nil, 5, 10)}, true},
		{"seen then unseen", []HistoryOp{rec(0, "a", StatusNew, 0, 40), read(1, ab, []string{"a"}, 5, 10), read(1, ab, nil, 15, 20)}, false},
		{"two new for one match", []HistoryOp{rec(0, "a", StatusNew, 0, 10), rec(1, "a", StatusNew, 20, 30)}, false},
		{"retry is a duplicate", []HistoryOp{rec(0, "a", StatusNew, 0, 10), rec(0, "a", StatusDuplicate, 20, 30)}, true},
		{"duplicate of nothing", []HistoryOp{rec(0, "a", StatusDuplicate, 0, 10)}, false},
		{"unknown, then duplicate", []HistoryOp{rec(0, "a", StatusUnknown, 0, 10), rec(0, "a", StatusDuplicate, 20, 30)}, true},
		{"unknown, then new", []HistoryOp{rec(0, "a", StatusUnknown, 0, 10), rec(0, "a", StatusNew, 20, 30)}, true},
		{"unknown takes effect late", []HistoryOp{rec(0, "a", StatusUnknown, 0, 10), read(1, ab, nil, 20, 30), read(1, ab, []string{"a"}, 40, 50)}, true},
		{"unknown never takes effect", []HistoryOp{rec(0, "a", StatusUnknown, 0, 10), read(1, ab, nil, 20, 30)}, true},
		{"unknown cannot act before its call", []HistoryOp{read(1, ab, []string{"a"}, 0, 5), rec(0, "a", StatusUnknown, 10, 20)}, false},
		{"matches are independent", []HistoryOp{rec(0, "a", StatusNew, 0, 10), rec(0, "b", StatusNew, 20, 30), read(1, ab, []string{"a"}, 12, 18)}, true},
		{"b lost while a kept", []HistoryOp{rec(0, "a", StatusNew, 0, 10), rec(0, "b", StatusNew, 20, 30), read(1, ab, []string{"a"}, 40, 50)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := CheckHistory(tc.ops, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if (res == porcupine.Ok) != tc.ok {
				t.Errorf("check %s, want linearizable %t", res, tc.ok)
			}
		})
	}
	for _, bad := range []HistoryOp{
		{Kind: OpRecord, Matches: []string{"a", "b"}, Status: StatusNew},
		{Kind: OpRecord, Matches: []string{"a"}, Status: StatusOK},
		{Kind: OpRead, Matches: []string{"a"}, Status: StatusUnknown},
		{Kind: "delete", Matches: []string{"a"}, Status: StatusOK},
		{Kind: OpRead, Matches: []string{"a"}, Status: StatusOK, Call: 10, Return: 5},
	} {
		if _, _, err := CheckHistory([]HistoryOp{bad}, time.Second); err == nil {
			t.Errorf("malformed op %+v accepted", bad)
		}
	}
}

// faultScale returns full in normal runs and short under -short.
func faultScale(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// TestFaultLeaderIsolated: while writers keep submitting results with
// retries, the leader (with one follower in a 5-node cluster) is cut off
// in a minority. The majority elects a new leader and keeps acknowledging;
// writes sent only to the old leader fail; after healing every node holds
// each acknowledged result exactly once, nothing sent only to the
// minority, and the same state; the history is linearizable.
func TestFaultLeaderIsolated(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d nodes", n), func(t *testing.T) {
			ctx := faultCtx(t)
			c, net := newFaultCluster(t, ctx, n, uint64(n), nil)
			h := NewHistory()
			l := startLoad(ctx, t, c, h, faultScale(4, 3), loadPerWriter)
			l.waitAcked(ctx, faultScale(40, 15))

			old := c.leader(ctx)
			oldTerm := c.node(old).Status().Term
			minority := []int{old}
			if n == 5 {
				minority = append(minority, (old+1)%n)
			}
			var majority []int
			for i := range n {
				if !slices.Contains(minority, i) {
					majority = append(majority, i)
				}
			}
			net.Isolate(addrs(minority...)...)

			// Writes sent only to the old leader, never retried: none may
			// be acknowledged, and none may survive.
			orphan := &client{c: c, h: h, id: 100}
			var orphans []string
			for k, r := range results("orphan-", 3) {
				if _, err := orphan.recordOn(ctx, c.node(old), r, 300*time.Millisecond); err == nil {
					t.Errorf("orphan %d acknowledged by the isolated leader", k)
				}
				orphans = append(orphans, r.Match)
			}
			nl := c.leaderIn(ctx, majority...)
			if term := c.node(nl).Status().Term; term <= oldTerm {
				t.Errorf("new leader %d in term %d, old leader's term %d", nl, term, oldTerm)
			}
			eventually(ctx, t, func() error {
				if c.node(old).IsLeader() {
					return fmt.Errorf("isolated node %d still believes it leads", old)
				}
				return nil
			})
			// The majority makes progress without the minority.
			l.waitAcked(ctx, l.ackedCount()+faultScale(40, 15))

			net.Heal()
			l.waitAcked(ctx, l.ackedCount()+faultScale(20, 10))
			acked, tried := l.finish()
			c.converge(ctx)
			c.checkResults(acked, tried, orphans)
			checkHistory(t, h)
			t.Logf("leader %d isolated with %v; %d leads in term %d; %d results acknowledged", old, minority, nl, c.node(nl).Status().Term, len(acked))
		})
	}
}

// TestFaultLaggingFollower: a follower partitioned away while many
// entries commit and the leader compacts its log (small SnapshotThreshold
// and TrailingLogs) catches up, after healing, by snapshot install.
func TestFaultLaggingFollower(t *testing.T) {
	ctx := faultCtx(t)
	tweak := func(_ int, cfg *Config) {
		cfg.SnapshotInterval, cfg.SnapshotThreshold, cfg.TrailingLogs = 20*time.Millisecond, 16, 8
	}
	c, net := newFaultCluster(t, ctx, 3, 11, tweak)
	h := NewHistory()
	ld := c.leader(ctx)
	lag := (ld + 1) % 3
	lagIndex := c.node(lag).Status().LastIndex
	net.Isolate(nodeAddr(lag))

	l := startLoad(ctx, t, c, h, 2, loadPerWriter)
	l.waitAcked(ctx, faultScale(120, 60))
	// Wait until whoever leads has compacted past the follower's log.
	eventually(ctx, t, func() error {
		n := c.node(c.leaderIn(ctx, ld, (ld+2)%3))
		first, err := n.store.FirstIndex()
		if err != nil {
			return err
		}
		if first <= lagIndex+1 {
			return fmt.Errorf("leader %s log starts at %d; follower has up to %d", n.ID(), first, lagIndex)
		}
		return nil
	})
	net.Heal()
	l.waitAcked(ctx, l.ackedCount()+10)
	acked, tried := l.finish()
	c.converge(ctx)
	c.checkResults(acked, tried, nil)
	checkHistory(t, h)

	var installs uint64
	for i := range 3 {
		if i != lag {
			installs += net.Stats(nodeAddr(i), nodeAddr(lag)).Delivered[KindSnapshot]
		}
	}
	if installs == 0 {
		t.Error("the lagging follower caught up without a snapshot install")
	}
	if idx := c.node(lag).Status().AppliedIndex; idx <= lagIndex {
		t.Errorf("lagging follower applied up to %d, had %d before the partition", idx, lagIndex)
	}
}

// TestFaultDivergentFollower: a leader whose entries stop reaching the
// others (heartbeats still do, so it keeps leading) appends entries that
// never commit; then it is cut off, the others elect a leader and commit
// other entries at the same indexes; after healing the old leader's
// uncommitted entries are overwritten and never applied anywhere.
func TestFaultDivergentFollower(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d nodes", n), func(t *testing.T) {
			ctx := faultCtx(t)
			c, net := newFaultCluster(t, ctx, n, 21+uint64(n), nil)
			h := NewHistory()
			// A stable leader, which the partition below cannot race.
			var old int
			var raw *Node
			const orphanCount = 4
			// orphans are the final attempt's; allOrphans counts those of
			// abandoned attempts too, which a later leader may yet commit.
			var orphans, allOrphans []string
			orphanClient := &client{c: c, h: h, id: 100}
			type entry struct{ index, term uint64 }
			var divergent []entry
			eventually(ctx, t, func() error {
				net.Heal()
				old = c.leader(ctx)
				raw = c.node(old)
				net.SetFault(nodeAddr(old), "", Fault{Kinds: KindAppend, Drop: 1})
				commit := raw.Status().CommitIndex
				orphans = orphans[:0]
				for _, r := range results(fmt.Sprintf("div%d-", len(allOrphans)), orphanCount) {
					orphans = append(orphans, r.Match)
					allOrphans = append(allOrphans, r.Match)
					if _, err := orphanClient.recordOn(ctx, raw, r, 50*time.Millisecond); err == nil {
						t.Fatalf("orphan %s acknowledged without replication", r.Match)
					}
				}
				st := raw.Status()
				if st.State != "Leader" || st.CommitIndex != commit || st.LastIndex < commit+orphanCount {
					return fmt.Errorf("node %d: %+v after proposing %d orphans from commit %d; retrying", old, st, orphanCount, commit)
				}
				divergent = divergent[:0]
				for idx := commit + 1; idx <= st.LastIndex; idx++ {
					var lg raft.Log
					if err := raw.store.GetLog(idx, &lg); err != nil {
						return fmt.Errorf("uncommitted entry %d: %w", idx, err)
					}
					divergent = append(divergent, entry{idx, lg.Term})
				}
				return nil
			})
			net.Isolate(nodeAddr(old))
			var others []int
			for i := range n {
				if i != old {
					others = append(others, i)
				}
			}
			nl := c.leaderIn(ctx, others...)
			cl := &client{c: c, h: h, id: 0}
			var acked = map[string]league.Effect{}
			var tried []string
			for _, r := range results("maj-", orphanCount+4) {
				tried = append(tried, r.Match)
				eff, err := cl.record(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				acked[r.Match] = eff
			}
			net.Heal()
			c.converge(ctx)
			tried = append(tried, allOrphans...)
			if _, err := cl.read(ctx, tried); err != nil {
				t.Fatal(err)
			}
			c.checkResults(acked, tried, orphans)
			checkHistory(t, h)
			for _, e := range divergent {
				var lg raft.Log
				if err := raw.store.GetLog(e.index, &lg); err != nil {
					continue // compacted into a snapshot: gone as well
				}
				if lg.Term == e.term {
					t.Errorf("entry %d of term %d on the old leader was not overwritten", e.index, e.term)
				}
			}
			t.Logf("old leader %d had %d divergent entries; node %d leads", old, len(divergent), nl)
		})
	}
}

// TestFaultMembershipUnderLoad: while writers submit results, two nodes
// join a 3-node cluster, then a follower and the leader itself are
// removed; no acknowledged result is lost and the remaining members agree.
func TestFaultMembershipUnderLoad(t *testing.T) {
	ctx := faultCtx(t)
	c, _ := newFaultCluster(t, ctx, 3, 31, nil)
	h := NewHistory()
	l := startLoad(ctx, t, c, h, faultScale(3, 2), loadPerWriter)
	step := faultScale(25, 10)
	l.waitAcked(ctx, step)

	for range 2 {
		i := c.grow()
		n := c.node(i)
		c.onLeader(ctx, "add "+n.ID(), func(ctx context.Context, ld *Node) error { return ld.AddVoter(ctx, n.ID(), n.Addr()) })
		l.waitAcked(ctx, l.ackedCount()+step)
	}
	ld := c.leader(ctx)
	follower := (ld + 1) % 5
	removed := []int{follower, ld}
	for _, r := range removed {
		id := c.node(r).ID()
		c.onLeader(ctx, "remove "+id, func(ctx context.Context, cur *Node) error { return cur.RemoveServer(ctx, id) })
		l.waitAcked(ctx, l.ackedCount()+step)
	}
	acked, tried := l.finish()
	for _, r := range removed {
		c.stop(r)
	}
	c.converge(ctx)
	c.checkResults(acked, tried, nil)
	checkHistory(t, h)

	var want []string
	for i := range 5 {
		if !slices.Contains(removed, i) {
			want = append(want, c.node(i).ID())
		}
	}
	eventually(ctx, t, func() error {
		servers, err := c.node(c.leader(ctx)).Servers(ctx)
		if err != nil {
			return err
		}
		var got []string
		for _, s := range servers {
			if s.Voter {
				got = append(got, s.ID)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			return fmt.Errorf("voters %v, want %v", got, want)
		}
		return nil
	})
}

// TestFaultTransferUnderLoad: leadership moves several times on request
// while writers submit results; no acknowledged result is lost.
func TestFaultTransferUnderLoad(t *testing.T) {
	ctx := faultCtx(t)
	c, _ := newFaultCluster(t, ctx, 3, 41, nil)
	h := NewHistory()
	l := startLoad(ctx, t, c, h, 3, loadPerWriter)
	step := faultScale(20, 10)
	l.waitAcked(ctx, step)
	leaders := []int{c.leader(ctx)}
	for range faultScale(4, 2) {
		var nl int
		eventually(ctx, t, func() error {
			cur := c.leader(ctx)
			if err := c.node(cur).TransferLeadership(ctx); err != nil && !errors.Is(err, ErrNotLeader) {
				return err
			}
			if nl = c.leader(ctx); nl == cur {
				return fmt.Errorf("leadership stayed on node %d", cur)
			}
			return nil
		})
		leaders = append(leaders, nl)
		l.waitAcked(ctx, l.ackedCount()+step)
	}
	acked, tried := l.finish()
	c.converge(ctx)
	c.checkResults(acked, tried, nil)
	checkHistory(t, h)
	t.Logf("leaders %v; %d results acknowledged", leaders, len(acked))
}

// TestFaultRestartAll: a cluster that ran under lossy, slow links (and
// compacted its logs) is stopped entirely and restarted from its data
// dirs; it comes back with the same state hash and every acknowledged
// result.
func TestFaultRestartAll(t *testing.T) {
	ctx := faultCtx(t)
	tweak := func(_ int, cfg *Config) {
		cfg.SnapshotInterval, cfg.SnapshotThreshold, cfg.TrailingLogs = 20*time.Millisecond, 32, 16
	}
	c, net := newFaultCluster(t, ctx, 3, 51, tweak)
	net.SetFault("", "", Fault{Drop: 0.05, Jitter: 2 * time.Millisecond})
	h := NewHistory()
	l := startLoad(ctx, t, c, h, 3, loadPerWriter)
	l.waitAcked(ctx, faultScale(90, 40))
	acked, tried := l.finish()
	net.Heal()
	want := c.converge(ctx)
	c.checkResults(acked, tried, nil)
	idx := c.node(0).AppliedIndex()

	for i := range 3 {
		c.stop(i)
	}
	for i := range 3 {
		c.start(i, i == 0)
	}
	c.leader(ctx)
	// A node restarts from its latest snapshot and applies the log after
	// it only once a leader tells it the commit index; until then equal
	// snapshots would look converged.
	for _, n := range c.live() {
		if err := n.WaitApplied(ctx, idx); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.converge(ctx); got != want {
		t.Fatalf("state hash after restart %.8s, before %.8s", got, want)
	}
	c.checkResults(acked, tried, nil)
	// The restarted cluster still takes writes and reads.
	cl := &client{c: c, h: h, id: 100}
	r := results("after-", 1)[0]
	if _, err := cl.record(ctx, r); err != nil {
		t.Fatal(err)
	}
	if present, err := cl.read(ctx, append(tried, r.Match)); err != nil || len(present) < len(acked)+1 {
		t.Fatalf("read after restart: %d present, %v; want at least %d", len(present), err, len(acked)+1)
	}
	checkHistory(t, h)
}

// TestFaultRandomSchedule: writers submit results while a seeded random
// schedule of faults (minorities and leaders cut off, lossy, slow and
// one-way links, entries lost while heartbeats pass) plays; after a final
// heal every node agrees, holds each acknowledged result exactly once, and
// the history is linearizable.
func TestFaultRandomSchedule(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, n := range []int{3, 5} {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%d nodes seed %d", n, seed), func(t *testing.T) {
				ctx := faultCtx(t)
				c, net := newFaultCluster(t, ctx, n, seed, nil)
				h := NewHistory()
				l := startLoad(ctx, t, c, h, 3, 2000)
				l.waitAcked(ctx, 10)
				var log []string
				for _, st := range randomSchedule(rand.New(rand.NewPCG(seed, uint64(n))), n, faultScale(12, 6)) {
					leader := c.leader(ctx)
					st.apply(net, leader)
					log = append(log, fmt.Sprintf("%s (leader %d, %d acked)", st.desc, leader, l.ackedCount()))
					select {
					case <-time.After(st.hold):
					case <-ctx.Done():
						t.Fatalf("schedule: %v; steps %q", ctx.Err(), log)
					}
				}
				net.Heal()
				l.waitAcked(ctx, l.ackedCount()+10)
				acked, tried := l.finish()
				c.converge(ctx)
				c.checkResults(acked, tried, nil)
				checkHistory(t, h)
				if t.Failed() {
					t.Logf("schedule: %q", log)
				}
				t.Logf("%d results acknowledged through %d fault steps", len(acked), len(log))
			})
		}
	}
}

// ExampleFaultNet cuts one node off: its messages to the others are lost
// until the network heals. In a cluster each node's transport is wrapped
// (Config.Transport = net.Wrap(inner)), so a test partitions the cluster
// by changing one FaultNet.
func ExampleFaultNet() {
	_, a := raft.NewInmemTransport("a")
	_, b := raft.NewInmemTransport("b")
	a.Connect("b", b)
	go func() { // b grants every vote
		for rpc := range b.Consumer() {
			rpc.Respond(&raft.RequestVoteResponse{Granted: true}, nil)
		}
	}()
	net := NewFaultNet(1)
	ta := net.Wrap(a)
	vote := func() error {
		return ta.RequestVote("b", "b", &raft.RequestVoteRequest{}, &raft.RequestVoteResponse{})
	}
	net.Isolate("a")
	fmt.Println("isolated:", errors.Is(vote(), ErrFaultDropped))
	net.Heal()
	fmt.Println("healed:", vote())
	// Output:
	// isolated: true
	// healed: <nil>
}

// ExampleCheckHistory checks a small history: a result acknowledged, then
// read back by another client. A read that missed it would make the
// history illegal.
func ExampleCheckHistory() {
	ops := []HistoryOp{
		{Client: 0, Kind: OpRecord, Matches: []string{"m1"}, Status: StatusNew, Call: 0, Return: 10},
		{Client: 1, Kind: OpRead, Matches: []string{"m1", "m2"}, Present: []string{"m1"}, Status: StatusOK, Call: 20, Return: 30},
	}
	res, _, err := CheckHistory(ops, time.Second)
	fmt.Println(res, err)
	ops[1].Present = nil
	res, _, err = CheckHistory(ops, time.Second)
	fmt.Println(res, err)
	// Output:
	// Ok <nil>
	// Illegal <nil>
}

// BenchmarkFaultNetJudge: the cost the fault rules add to every message.
func BenchmarkFaultNetJudge(b *testing.B) {
	f := NewFaultNet(1)
	f.SetFault("", "", Fault{Drop: 0.1, Jitter: time.Millisecond})
	f.SetFault("a", "", Fault{Kinds: KindAppend, Drop: 1})
	for b.Loop() {
		f.judge("b", "c", KindAppend)
	}
}
