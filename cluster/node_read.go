package cluster

import (
	"context"
	"fmt"

	"github.com/selfplay-lab/selfplay/league"
)

// ReadLevel says how fresh a read must be.
type ReadLevel int

const (
	// ReadLocal reads this node's state as applied so far: fastest, works
	// on any node and during elections, may miss recent writes.
	ReadLocal ReadLevel = iota
	// ReadLeader reads on the node that believes it is the leader; stale
	// only if it was deposed without noticing yet.
	ReadLeader
	// ReadLinearizable reads on the leader after a barrier entry has
	// committed and applied, so the read reflects every write acknowledged
	// before it started.
	ReadLinearizable
)

func (l ReadLevel) String() string {
	switch l {
	case ReadLocal:
		return "local"
	case ReadLeader:
		return "leader"
	case ReadLinearizable:
		return "linearizable"
	}
	return fmt.Sprintf("ReadLevel(%d)", int(l))
}

// ParseReadLevel parses "local", "leader" or "linearizable".
func ParseReadLevel(s string) (ReadLevel, error) {
	for _, l := range []ReadLevel{ReadLocal, ReadLeader, ReadLinearizable} {
		if s == l.String() {
			return l, nil
		}
	}
	return 0, fmt.Errorf("read level %q: expected local, leader or linearizable", s)
}

// Read calls fn with the state once it is fresh enough for level (see
// ReadLevel; levels above local return a *NotLeaderError on a follower).
// fn runs under the FSM's read lock, as for View. A halted node (see
// ErrCannotApply) serves only local reads: its state stopped before an
// entry it could not apply.
func (n *Node) Read(ctx context.Context, level ReadLevel, fn func(s *league.State)) error {
	if err := n.fsm.Halted(); err != nil && level != ReadLocal {
		return fmt.Errorf("cluster: read %s: %w", level, err)
	}
	switch level {
	case ReadLocal:
	case ReadLeader:
		if !n.IsLeader() {
			return n.notLeader()
		}
	case ReadLinearizable:
		if err := n.Barrier(ctx); err != nil {
			return err
		}
	default:
		return fmt.Errorf("cluster: read: unknown level %d", int(level))
	}
	n.fsm.View(fn)
	return nil
}

// Barrier commits a no-op entry through the leader and waits until this
// node has applied every entry before it. Leader only.
func (n *Node) Barrier(ctx context.Context) error {
	if !n.IsLeader() {
		return n.notLeader()
	}
	if err := n.wait(ctx, n.raft.Barrier(enqueueTimeout(ctx))); err != nil {
		return n.wrapRaft("barrier", err)
	}
	// Raft answers the barrier once its FSM goroutine has handed every
	// entry before it over, which a halted FSM did without applying them.
	if err := n.fsm.Halted(); err != nil {
		return fmt.Errorf("cluster: barrier: %w", err)
	}
	return nil
}

// View calls fn with the local state under the FSM's read lock; fn must
// neither modify nor keep it.
func (n *Node) View(fn func(s *league.State)) { n.fsm.View(fn) }

// State returns a copy of the local state.
func (n *Node) State() *league.State { return n.fsm.State() }

// StateHash returns the hash of the local state.
func (n *Node) StateHash() league.Hash { return n.fsm.StateHash() }

// AppliedIndex returns the index of the last entry applied locally.
func (n *Node) AppliedIndex() uint64 { return n.fsm.AppliedIndex() }

// WaitApplied waits until the local state includes the entry at index
// (for a follower to read its own writes after a redirect).
func (n *Node) WaitApplied(ctx context.Context, index uint64) error {
	return n.fsm.WaitApplied(ctx, index)
}

// The leaguesim.League methods: a Node runs a league like a
// *league.State, every event through the replicated log. Run it on the
// leader; Apply on a follower fails with a *NotLeaderError.

// Apply proposes ev (see Propose) with a timeout of Config.ApplyTimeout.
// Once it returns, reads on this node reflect the event.
func (n *Node) Apply(ev league.Event) (league.Effect, error) {
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.ApplyTimeout)
	defer cancel()
	return n.Propose(ctx, ev)
}

// Opponents reads State.Opponents locally.
func (n *Node) Opponents(home string) (cs []league.Choice, err error) {
	n.fsm.View(func(s *league.State) { cs, err = s.Opponents(home) })
	return cs, err
}

// Member reads State.Member locally.
func (n *Node) Member(id string) (m league.Member, ok bool) {
	n.fsm.View(func(s *league.State) { m, ok = s.Member(id) })
	return m, ok
}

// Members reads State.Members locally.
func (n *Node) Members() (ms []league.Member) {
	n.fsm.View(func(s *league.State) { ms = s.Members() })
	return ms
}

// MetaStrategy reads State.MetaStrategy locally.
func (n *Node) MetaStrategy() (ids []string, sigma []float64, err error) {
	n.fsm.View(func(s *league.State) { ids, sigma, err = s.MetaStrategy() })
	return ids, sigma, err
}
