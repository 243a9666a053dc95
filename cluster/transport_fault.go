package cluster

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// ErrFaultDropped is returned by a FaultTransport for a message its
// FaultNet lost: a request that never reached its target, or a reply lost
// after the target handled the request (the caller cannot tell which,
// as with a real network).
var ErrFaultDropped = errors.New("message dropped by fault injection")

// RPCKind classifies Raft messages for fault rules.
type RPCKind uint8

const (
	KindAppend     RPCKind = 1 << iota // AppendEntries carrying entries
	KindHeartbeat                      // AppendEntries carrying none
	KindVote                           // RequestVote
	KindPreVote                        // RequestPreVote
	KindSnapshot                       // InstallSnapshot
	KindTimeoutNow                     // TimeoutNow (leadership transfer)

	// AllKinds matches every message.
	AllKinds = KindAppend | KindHeartbeat | KindVote | KindPreVote | KindSnapshot | KindTimeoutNow
)

var kindNames = []string{"append", "heartbeat", "vote", "prevote", "snapshot", "timeout-now"}

func (k RPCKind) String() string {
	var s string
	for i, name := range kindNames {
		if k&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += name
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// Fault describes how a directed link mistreats the messages travelling on
// it: requests from its From to its To, and replies from its From to RPCs
// its To sent. A caller A calling B therefore meets the fault of A→B on the
// way out and the fault of B→A on the way back.
type Fault struct {
	// Kinds selects the messages the fault applies to (0 means AllKinds);
	// others pass untouched.
	Kinds RPCKind
	// Drop is the probability that a message is lost (1 cuts the link).
	Drop float64
	// Delay, plus a uniform draw in [0, Jitter), is added to each message
	// that is not lost. It stalls the sending goroutine, as a slow link
	// stalls raft's per-follower replication.
	Delay, Jitter time.Duration
}

func (f Fault) applies(k RPCKind) bool { return f.Kinds == 0 || f.Kinds&k != 0 }

// FaultNet is the fault schedule shared by the transports of a cluster
// (one per process in a multi-process test, where every process applies
// the same schedule): partitions and per-link faults, changed at any time
// by the test and applied to every message sent afterwards.
//
// Messages are judged at the caller's transport: a request by the rule of
// caller→target, its reply by the rule of target→caller, so a schedule
// applied by every caller covers both directions without judging a
// message twice. Random decisions come from one PCG stream per directed
// link, seeded from the FaultNet's seed and the link, so a link's
// decisions depend only on the seed and on the order of its own messages
// (not on other links' traffic).
//
// A FaultNet is safe for concurrent use.
type FaultNet struct {
	seed uint64

	mu     sync.Mutex
	groups map[raft.ServerAddress]int // partition group; 0: the unnamed rest
	faults map[Link]Fault             // "" in a Link is a wildcard
	rngs   map[Link]*rand.Rand
	stats  map[Link]*LinkStats
}

// Link is a directed link between two Raft addresses. In fault rules an
// empty address matches any address.
type Link struct{ From, To raft.ServerAddress }

func (l Link) String() string { return fmt.Sprintf("%s→%s", orAny(l.From), orAny(l.To)) }

func orAny(a raft.ServerAddress) string {
	if a == "" {
		return "*"
	}
	return string(a)
}

// LinkStats counts the messages of each RPCKind judged on one directed
// link. Replies are counted on the link they travel.
type LinkStats struct {
	Delivered map[RPCKind]uint64
	Dropped   map[RPCKind]uint64
}

// NewFaultNet returns a fault-free network whose random decisions derive
// from seed.
func NewFaultNet(seed uint64) *FaultNet {
	return &FaultNet{
		seed:   seed,
		groups: map[raft.ServerAddress]int{},
		faults: map[Link]Fault{},
		rngs:   map[Link]*rand.Rand{},
		stats:  map[Link]*LinkStats{},
	}
}

// Partition splits the network: each group can talk only within itself,
// and the addresses named in no group form one more group. Partition()
// with no groups, or Heal, rejoins everyone. It replaces the previous
// partition and keeps the per-link faults.
func (f *FaultNet) Partition(groups ...[]raft.ServerAddress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.groups)
	for g, addrs := range groups {
		for _, a := range addrs {
			f.groups[a] = g + 1
		}
	}
}

// Isolate puts the given addresses together in a minority that cannot
// reach anyone else (shorthand for Partition(addrs)).
func (f *FaultNet) Isolate(addrs ...raft.ServerAddress) { f.Partition(addrs) }

// SetFault sets the fault of the directed link from→to, replacing any
// earlier one; an empty address is a wildcard. When several rules match a
// message the most specific wins: from→to, then from→*, then *→to, then
// *→*.
func (f *FaultNet) SetFault(from, to raft.ServerAddress, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[Link{from, to}] = fault
}

// ClearFault removes the rule SetFault set for from→to.
func (f *FaultNet) ClearFault(from, to raft.ServerAddress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.faults, Link{from, to})
}

// Heal removes every partition and fault. Statistics are kept.
func (f *FaultNet) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.groups)
	clear(f.faults)
}

// Stats returns a copy of the counts for the directed link from→to.
func (f *FaultNet) Stats(from, to raft.ServerAddress) LinkStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := LinkStats{Delivered: map[RPCKind]uint64{}, Dropped: map[RPCKind]uint64{}}
	if s := f.stats[Link{from, to}]; s != nil {
		for k, v := range s.Delivered {
			out.Delivered[k] = v
		}
		for k, v := range s.Dropped {
			out.Dropped[k] = v
		}
	}
	return out
}

// judge decides the fate of one message of kind k on from→to: lost, or
// delivered after the returned delay.
func (f *FaultNet) judge(from, to raft.ServerAddress, k RPCKind) (drop bool, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := Link{from, to}
	st := f.stats[l]
	if st == nil {
		st = &LinkStats{Delivered: map[RPCKind]uint64{}, Dropped: map[RPCKind]uint64{}}
		f.stats[l] = st
	}
	if f.groups[from] != f.groups[to] {
		st.Dropped[k]++
		return true, 0
	}
	fault, ok := f.rule(l)
	if !ok || !fault.applies(k) {
		st.Delivered[k]++
		return false, 0
	}
	rng := f.rngs[l]
	if rng == nil {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s", from, to)
		rng = rand.New(rand.NewPCG(f.seed, h.Sum64()))
		f.rngs[l] = rng
	}
	// Draw both numbers whatever the outcome, so one rule's decisions do
	// not shift when another field changes.
	u, j := rng.Float64(), rng.Float64()
	if u < fault.Drop {
		st.Dropped[k]++
		return true, 0
	}
	st.Delivered[k]++
	return false, fault.Delay + time.Duration(j*float64(fault.Jitter))
}

// rule returns the most specific fault for l. Called with f.mu held.
func (f *FaultNet) rule(l Link) (Fault, bool) {
	for _, k := range []Link{l, {l.From, ""}, {"", l.To}, {"", ""}} {
		if fault, ok := f.faults[k]; ok {
			return fault, true
		}
	}
	return Fault{}, false
}

// Wrap returns a transport that sends through inner under this network's
// faults. The result implements raft.WithPreVote when inner does, and
// raft.WithClose (closing inner if it can be closed).
//
// Pipelined replication is not offered (raft falls back to one
// AppendEntries at a time), so every message passes through the fault
// rules in order.
func (f *FaultNet) Wrap(inner raft.Transport) raft.Transport {
	t := &FaultTransport{net: f, inner: inner, local: inner.LocalAddr(), closed: make(chan struct{})}
	if pv, ok := inner.(raft.WithPreVote); ok {
		return &faultTransportPreVote{t, pv}
	}
	return t
}

// FaultTransport is a raft.Transport whose outgoing RPCs obey a
// FaultNet. Incoming RPCs are the inner transport's, untouched: their
// callers judge them. Safe for concurrent use, as raft requires.
type FaultTransport struct {
	net   *FaultNet
	inner raft.Transport
	local raft.ServerAddress

	closeOnce sync.Once
	closed    chan struct{} // ends pending delays
}

var (
	_ raft.Transport   = (*FaultTransport)(nil)
	_ raft.WithClose   = (*FaultTransport)(nil)
	_ raft.WithPreVote = (*faultTransportPreVote)(nil)
)

// faultTransportPreVote adds pre-vote to a FaultTransport whose inner
// transport has it: raft enables pre-vote exactly when the transport
// implements raft.WithPreVote, so the wrapper must not claim it otherwise.
type faultTransportPreVote struct {
	*FaultTransport
	pv raft.WithPreVote
}

// RequestPreVote implements raft.WithPreVote.
func (t *faultTransportPreVote) RequestPreVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestPreVoteRequest, resp *raft.RequestPreVoteResponse) error {
	return t.call(target, KindPreVote, func() error { return t.pv.RequestPreVote(id, target, args, resp) })
}

// call sends one RPC through the fault rules: the request on
// local→target, the reply on target→local.
func (t *FaultTransport) call(target raft.ServerAddress, k RPCKind, send func() error) error {
	if drop, delay := t.net.judge(t.local, target, k); drop {
		return fmt.Errorf("cluster: %s %s→%s: %w", k, t.local, target, ErrFaultDropped)
	} else if err := t.sleep(delay); err != nil {
		return err
	}
	if err := send(); err != nil {
		return err
	}
	if drop, delay := t.net.judge(target, t.local, k); drop {
		return fmt.Errorf("cluster: %s reply %s→%s: %w", k, target, t.local, ErrFaultDropped)
	} else if err := t.sleep(delay); err != nil {
		return err
	}
	return nil
}

// sleep waits d unless the transport closes first.
func (t *FaultTransport) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-t.closed:
		return raft.ErrTransportShutdown
	}
}

// Consumer implements raft.Transport.
func (t *FaultTransport) Consumer() <-chan raft.RPC { return t.inner.Consumer() }

// LocalAddr implements raft.Transport.
func (t *FaultTransport) LocalAddr() raft.ServerAddress { return t.local }

// AppendEntriesPipeline implements raft.Transport; it declines, so that
// raft replicates with AppendEntries, which the fault rules see.
func (t *FaultTransport) AppendEntriesPipeline(raft.ServerID, raft.ServerAddress) (raft.AppendPipeline, error) {
	return nil, raft.ErrPipelineReplicationNotSupported
}

// AppendEntries implements raft.Transport.
func (t *FaultTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	k := KindAppend
	if len(args.Entries) == 0 {
		k = KindHeartbeat
	}
	return t.call(target, k, func() error { return t.inner.AppendEntries(id, target, args, resp) })
}

// RequestVote implements raft.Transport.
func (t *FaultTransport) RequestVote(id raft.ServerID, target raft.ServerAddress, args *raft.RequestVoteRequest, resp *raft.RequestVoteResponse) error {
	return t.call(target, KindVote, func() error { return t.inner.RequestVote(id, target, args, resp) })
}

// InstallSnapshot implements raft.Transport.
func (t *FaultTransport) InstallSnapshot(id raft.ServerID, target raft.ServerAddress, args *raft.InstallSnapshotRequest, resp *raft.InstallSnapshotResponse, data io.Reader) error {
	return t.call(target, KindSnapshot, func() error { return t.inner.InstallSnapshot(id, target, args, resp, data) })
}

// TimeoutNow implements raft.Transport.
func (t *FaultTransport) TimeoutNow(id raft.ServerID, target raft.ServerAddress, args *raft.TimeoutNowRequest, resp *raft.TimeoutNowResponse) error {
	return t.call(target, KindTimeoutNow, func() error { return t.inner.TimeoutNow(id, target, args, resp) })
}

// EncodePeer implements raft.Transport.
func (t *FaultTransport) EncodePeer(id raft.ServerID, addr raft.ServerAddress) []byte {
	return t.inner.EncodePeer(id, addr)
}

// DecodePeer implements raft.Transport.
func (t *FaultTransport) DecodePeer(b []byte) raft.ServerAddress { return t.inner.DecodePeer(b) }

// SetHeartbeatHandler implements raft.Transport.
func (t *FaultTransport) SetHeartbeatHandler(cb func(raft.RPC)) { t.inner.SetHeartbeatHandler(cb) }

// Close ends pending delays and closes the inner transport if it can be
// closed (raft closes its transport on shutdown).
func (t *FaultTransport) Close() error {
	var err error
	t.closeOnce.Do(func() {
		close(t.closed)
		if c, ok := t.inner.(raft.WithClose); ok {
			err = c.Close()
		}
	})
	return err
}
