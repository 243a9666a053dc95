package cluster

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// FSM is the Raft finite-state machine of a league: every committed log
// command is one event encoded by league.EncodeEvent, applied to a
// league.State in log order.
//
// Raft calls Apply, ApplyBatch, Snapshot and Restore from its single FSM
// goroutine; readers (View, State, StateHash, AppliedIndex, WaitApplied)
// may run concurrently from any goroutine and see the state between two
// entries, never in the middle of one. The response of an entry, returned
// through raft's ApplyFuture, is the league.Effect, or an error when the
// entry did not decode or the event was refused by State.Apply (which then
// left the state unchanged). Both outcomes are deterministic, so every
// replica holds the same state after the same log.
//
// One outcome is not deterministic across versions: an event type this
// version does not know, without league.FlagIgnoreUnknown, which a newer
// node wrote and applies. Refusing it would let this replica diverge
// silently, so the FSM halts instead (see ErrCannotApply and Halted): it
// stays at the state before that entry and applies nothing more.
type FSM struct {
	mu      sync.RWMutex
	state   *league.State
	applied uint64 // index of the last log entry applied or restored
	// changed is closed and replaced whenever applied advances, to wake
	// WaitApplied.
	changed chan struct{}
	// halt is the error of the entry the FSM could not apply (nil while
	// it applies); haltCh is closed when it is set.
	halt   error
	haltCh chan struct{}
}

var (
	_ raft.FSM         = (*FSM)(nil)
	_ raft.BatchingFSM = (*FSM)(nil)
)

// ErrRejected marks the response of a committed entry the state machine
// refused: it did not decode, or league.State.Apply returned an error
// (wrapped too, so errors.Is also finds the league's sentinel). The state
// is unchanged on every replica, and proposing the same event again gives
// the same refusal, so callers should not retry.
var ErrRejected = errors.New("event rejected")

// ErrCannotApply marks a committed entry this node cannot apply: its event
// type is unknown to this version and not flagged ignore-if-unknown, so a
// newer node wrote it and newer nodes apply it. Skipping it would make
// this replica diverge without a trace; instead the FSM halts at that
// entry (the rule etcd follows): the state stays as it was before it, no
// later entry is applied, snapshots are refused (so that a snapshot cannot
// record the entry as applied), and the Node shuts Raft down. The cure is
// to upgrade the node and restart it from its data dir, which replays the
// entry.
var ErrCannotApply = errors.New("cannot apply log entry")

// NewFSM returns an FSM over a new, empty league (league.NewState).
func NewFSM() *FSM {
	return &FSM{state: league.NewState(), changed: make(chan struct{}), haltCh: make(chan struct{})}
}

// Apply applies one committed log entry; see ApplyBatch.
func (f *FSM) Apply(l *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	resp, ok := f.applyLocked(l)
	if ok {
		f.advanceLocked(l.Index)
	}
	return resp
}

// ApplyBatch applies committed log entries in order and returns one
// response per entry. Entries other than commands (configuration changes)
// advance the applied index and answer nil. Taking the lock once per batch
// is what makes batching pay at high result rates. Once the FSM halts
// (ErrCannotApply), every entry answers the halting error unapplied.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	if len(logs) == 0 {
		return out
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var last uint64
	for i, l := range logs {
		var ok bool
		if out[i], ok = f.applyLocked(l); ok {
			last = l.Index
		}
	}
	f.advanceLocked(last)
	return out
}

// applyLocked applies one entry and reports whether it was applied (false
// once the FSM has halted); f.mu is held for writing.
func (f *FSM) applyLocked(l *raft.Log) (any, bool) {
	if f.halt != nil {
		return f.halt, false
	}
	if l.Type != raft.LogCommand {
		return nil, true
	}
	ev, err := league.DecodeEvent(l.Data)
	if errors.Is(err, league.ErrUnknownEvent) && len(l.Data) > 0 && l.Data[0]&^league.FlagIgnoreUnknown != 0 {
		// A newer node wrote a type this version cannot apply, and newer
		// nodes apply it: stop here rather than diverge. (Type 0 is
		// invalid in every version, so refusing it is deterministic.)
		f.halt = fmt.Errorf("cluster: %w at index %d: %w; newer nodes apply it, so this node stops applying the log rather than diverge: upgrade it and restart it from its data dir",
			ErrCannotApply, l.Index, err)
		close(f.haltCh)
		close(f.changed) // wake WaitApplied, which reports the halt
		f.changed = make(chan struct{})
		return f.halt, false
	}
	if err != nil {
		// Only a newer node can have written an entry of a known type
		// this node cannot decode (EncodeEvent validates before anything
		// reaches the log); every replica of this version refuses it alike.
		return fmt.Errorf("cluster: log entry %d: %w: %w", l.Index, ErrRejected, err), true
	}
	// An *league.UnknownEvent (ignore-if-unknown flag) applies as a no-op
	// reported by Effect.Ignored.
	eff, err := f.state.Apply(ev)
	if err != nil {
		return fmt.Errorf("cluster: log entry %d: %w: %w", l.Index, ErrRejected, err), true
	}
	return eff, true
}

// Halted returns the error wrapping ErrCannotApply that stopped the FSM,
// or nil while it applies entries.
func (f *FSM) Halted() error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.halt
}

// HaltedCh is closed when the FSM halts.
func (f *FSM) HaltedCh() <-chan struct{} { return f.haltCh }

// advanceLocked records the applied index and wakes waiters.
func (f *FSM) advanceLocked(index uint64) {
	if index <= f.applied {
		return
	}
	f.applied = index
	close(f.changed)
	f.changed = make(chan struct{})
}

// AppliedIndex returns the index of the last log entry applied (or of the
// snapshot last restored).
func (f *FSM) AppliedIndex() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.applied
}

// WaitApplied blocks until the entry at index has been applied or ctx
// ends; it fails at once if the FSM has halted before that entry.
func (f *FSM) WaitApplied(ctx context.Context, index uint64) error {
	for {
		f.mu.RLock()
		applied, ch, halt := f.applied, f.changed, f.halt
		f.mu.RUnlock()
		if applied >= index {
			return nil
		}
		if halt != nil {
			return fmt.Errorf("cluster: wait for log entry %d (applied %d): %w", index, applied, halt)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("cluster: wait for log entry %d (applied %d): %w", index, applied, ctx.Err())
		}
	}
}

// View calls fn with the current state under the read lock. fn must not
// modify the state nor keep it after returning; entries wait while fn runs,
// so it should be quick (use State for a copy to keep).
func (f *FSM) View(fn func(s *league.State)) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	fn(f.state)
}

// State returns a deep copy of the current state.
func (f *FSM) State() *league.State {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.state.Clone()
}

// StateHash returns the hash of the current state's canonical encoding, to
// compare replicas.
func (f *FSM) StateHash() league.Hash {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.state.Hash()
}

// Snapshot format: a fixed header (magic, then the applied index as a
// big-endian uint64) and the state's canonical encoding. The file snapshot
// store adds its own checksum around it.
const (
	snapshotMagic     = "SPLEAGUE"
	snapshotHeaderLen = len(snapshotMagic) + 8
	// MaxSnapshotSize bounds the snapshot Restore reads into memory.
	MaxSnapshotSize = 1 << 31
)

// ErrBadSnapshot reports a snapshot that is not a league snapshot or is
// corrupt.
var ErrBadSnapshot = errors.New("bad league snapshot")

// Snapshot captures the state for raft. It takes a copy under the lock and
// leaves the encoding to Persist, which raft runs concurrently with Apply.
// A halted FSM refuses: raft would label the snapshot with the index it
// handed over, past the entry that was not applied, and a restart from it
// would skip that entry.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.halt != nil {
		return nil, fmt.Errorf("cluster: snapshot: %w", f.halt)
	}
	return &fsmSnapshot{state: f.state.Clone(), index: f.applied}, nil
}

// Restore replaces the state with one read from a snapshot written by
// Persist. A snapshot that does not decode leaves the state unchanged, and
// a halted FSM stays halted: a newer leader's snapshot may hold state this
// version would drop on decoding.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	s, index, err := readSnapshot(rc)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.halt != nil {
		return fmt.Errorf("cluster: restore snapshot: %w", f.halt)
	}
	f.state = s
	// The index is the snapshot's even if lower than before (raft only
	// installs snapshots ahead of the FSM, but a test may restore anything).
	f.applied = index
	close(f.changed)
	f.changed = make(chan struct{})
	return nil
}

// readSnapshot decodes a snapshot stream.
func readSnapshot(r io.Reader) (*league.State, uint64, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSnapshotSize+1))
	if err != nil {
		return nil, 0, fmt.Errorf("cluster: restore snapshot: %w", err)
	}
	if len(b) > MaxSnapshotSize {
		return nil, 0, fmt.Errorf("cluster: restore snapshot: %w: larger than %d bytes", ErrBadSnapshot, MaxSnapshotSize)
	}
	if len(b) < snapshotHeaderLen || !bytes.Equal(b[:len(snapshotMagic)], []byte(snapshotMagic)) {
		return nil, 0, fmt.Errorf("cluster: restore snapshot: %w: missing %q header", ErrBadSnapshot, snapshotMagic)
	}
	index := binary.BigEndian.Uint64(b[len(snapshotMagic):snapshotHeaderLen])
	s, err := league.DecodeState(b[snapshotHeaderLen:])
	if err != nil {
		return nil, 0, fmt.Errorf("cluster: restore snapshot: %w: %w", ErrBadSnapshot, err)
	}
	return s, index, nil
}

// fsmSnapshot is a point-in-time copy of the state.
type fsmSnapshot struct {
	state *league.State
	index uint64
}

// Persist writes the snapshot to sink.
func (s *fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.write(sink); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("cluster: persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *fsmSnapshot) write(w io.Writer) error {
	body, err := s.state.Encode()
	if err != nil {
		return err
	}
	var hdr [snapshotHeaderLen]byte
	copy(hdr[:], snapshotMagic)
	binary.BigEndian.PutUint64(hdr[len(snapshotMagic):], s.index)
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err = w.Write(body)
	return err
}

// Release drops the copy.
func (s *fsmSnapshot) Release() { s.state = nil }
