package cluster

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// response splits an FSM response into the effect and the error.
func response(t testing.TB, r any) (league.Effect, error) {
	t.Helper()
	switch r := r.(type) {
	case league.Effect:
		return r, nil
	case error:
		return league.Effect{}, r
	}
	t.Fatalf("response %T (%v), want league.Effect or error", r, r)
	return league.Effect{}, nil
}

// TestFSMMatchesOracle: applied one by one or in batches of any size, the
// FSM reaches the state a plain league.State reaches on the same events,
// with the same effects and the same refusals.
func TestFSMMatchesOracle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		seed  uint64
		n     int
		batch int // 0: Apply one by one
	}{
		{"single", 1, 300, 0},
		{"batch1", 2, 300, 1},
		{"batch7", 3, 300, 7},
		{"batch-all", 4, 300, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs := testEvents(tc.seed, tc.n)
			logs := encodeAll(t, 1, evs)
			want, wantErrs := oracle(evs)
			ref := league.NewState()

			f := NewFSM()
			var resps []any
			if tc.batch == 0 {
				for _, l := range logs {
					resps = append(resps, f.Apply(l))
				}
			} else {
				for i := 0; i < len(logs); i += tc.batch {
					resps = append(resps, f.ApplyBatch(logs[i:min(i+tc.batch, len(logs))])...)
				}
			}
			if len(resps) != len(evs) {
				t.Fatalf("%d responses for %d entries", len(resps), len(evs))
			}
			refused := 0
			for i, r := range resps {
				eff, err := response(t, r)
				wantEff, _ := ref.Apply(evs[i]) // replays the oracle step by step for effects
				if (err != nil) != (wantErrs[i] != nil) {
					t.Fatalf("entry %d (%T): error %v, oracle error %v", i, evs[i], err, wantErrs[i])
				}
				if err != nil {
					if !errors.Is(err, ErrRejected) {
						t.Fatalf("entry %d: error %v does not wrap ErrRejected", i, err)
					}
					refused++
					continue
				}
				if !reflect.DeepEqual(eff, wantEff) {
					t.Fatalf("entry %d (%T): effect %+v, oracle %+v", i, evs[i], eff, wantEff)
				}
			}
			if refused == 0 || refused == len(evs) {
				t.Fatalf("%d of %d entries refused; the stream should mix valid and invalid events", refused, len(evs))
			}
			if got, w := f.StateHash(), want.Hash(); got != w {
				t.Fatalf("state hash %s, oracle %s", got, w)
			}
			if got := f.AppliedIndex(); got != uint64(len(evs)) {
				t.Fatalf("applied index %d, want %d", got, len(evs))
			}
		})
	}
}

// TestFSMDeterministic: two FSMs fed the same log agree bit for bit; a
// different log gives a different state.
func TestFSMDeterministic(t *testing.T) {
	logs := encodeAll(t, 1, testEvents(11, 400))
	a, b := NewFSM(), NewFSM()
	a.ApplyBatch(logs)
	for _, l := range logs {
		b.Apply(l)
	}
	if a.StateHash() != b.StateHash() {
		t.Fatalf("same log, different hashes: %s vs %s", a.StateHash(), b.StateHash())
	}
	c := NewFSM()
	c.ApplyBatch(encodeAll(t, 1, testEvents(12, 400)))
	if c.StateHash() == a.StateHash() {
		t.Fatal("different logs gave equal hashes")
	}
}

// TestFSMDuplicateResult: a result retried under the same match id is
// applied once.
func TestFSMDuplicateResult(t *testing.T) {
	f := NewFSM()
	f.ApplyBatch(encodeAll(t, 1, testLeague()))
	res := &league.RecordResult{Match: "m1", A: "L0", B: "S0", Outcome: league.OutcomeAWins, Worker: "w", Time: 5}
	logs := encodeAll(t, 100, []league.Event{res, res, res})

	eff, err := response(t, f.Apply(logs[0]))
	if err != nil || eff.Duplicate {
		t.Fatalf("first result: %+v, %v", eff, err)
	}
	after := f.StateHash()
	for _, l := range logs[1:] {
		eff, err := response(t, f.Apply(l))
		if err != nil || !eff.Duplicate {
			t.Fatalf("retried result (index %d): %+v, %v; want Duplicate", l.Index, eff, err)
		}
	}
	if f.StateHash() != after {
		t.Fatal("a duplicate result changed the state")
	}
	var results uint64
	var games float64
	f.View(func(s *league.State) {
		results = s.Counters().Results
		games, _ = s.Games("L0", "S0")
	})
	if results != 1 || games != 1 {
		t.Fatalf("results %d, games L0–S0 %g; want 1 and 1", results, games)
	}
}

// TestFSMUnknownEvents: an unknown type flagged ignore-if-unknown is
// skipped; bytes that do not decode are refused. In every case the state
// is unchanged and the applied index advances. (An unflagged unknown type
// halts the FSM instead: TestFSMHaltsOnUnknownType.)
func TestFSMUnknownEvents(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    []byte
		ignored bool
		wantErr error
	}{
		{"flagged", []byte{0x7e | league.FlagIgnoreUnknown, 0x80}, true, nil},
		{"flagged-garbage-body", []byte{0x40 | league.FlagIgnoreUnknown, 0xff, 0x00}, true, nil},
		{"zero-type-flagged", []byte{league.FlagIgnoreUnknown, 0x80}, false, league.ErrUnknownEvent},
		{"empty", nil, false, nil},
		{"truncated", []byte{byte(league.EventRecordResult), 0x85}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFSM()
			f.ApplyBatch(encodeAll(t, 1, testLeague()))
			before := f.StateHash()
			eff, err := response(t, f.Apply(&raft.Log{Index: 50, Type: raft.LogCommand, Data: tc.data}))
			switch {
			case tc.ignored && (err != nil || !eff.Ignored):
				t.Fatalf("got %+v, %v; want Effect.Ignored", eff, err)
			case !tc.ignored && err == nil:
				t.Fatalf("got %+v; want an error", eff)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			var de *league.DecodeError
			if !tc.ignored && (!errors.As(err, &de) || !errors.Is(err, ErrRejected)) {
				t.Fatalf("error %v is not a *league.DecodeError wrapping ErrRejected", err)
			}
			if f.StateHash() != before {
				t.Fatal("state changed")
			}
			if f.AppliedIndex() != 50 {
				t.Fatalf("applied index %d, want 50", f.AppliedIndex())
			}
		})
	}
}

// TestFSMHaltsOnUnknownType: a committed entry of an unknown type without
// the ignore-if-unknown flag (written by a newer node, which applies it)
// halts the FSM at that entry, in a batch or alone: the state and applied
// index stay as before it, later entries are not applied, WaitApplied
// fails at once, snapshots are refused (a snapshot would be labelled past
// the entry) and so is a restore. A fresh FSM replaying the same log
// halts at the same place with the same state.
func TestFSMHaltsOnUnknownType(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(map[bool]string{false: "single", true: "batch"}[batch], func(t *testing.T) {
			setup := encodeAll(t, 1, testLeague())
			next := uint64(len(setup)) + 1
			more := encodeAll(t, next+1, []league.Event{
				&league.RecordResult{Match: "after", A: "L0", B: "S1", Outcome: league.OutcomeAWins},
			})
			logs := append(append(setup, &raft.Log{Index: next, Type: raft.LogCommand, Data: []byte{0x7e, 0x80}}), more...)
			logs = append(logs, &raft.Log{Index: next + 2, Type: raft.LogConfiguration})

			ref := NewFSM()
			ref.ApplyBatch(setup)
			want := ref.StateHash()

			f := NewFSM()
			var resps []any
			if batch {
				resps = f.ApplyBatch(logs)
			} else {
				for _, l := range logs {
					resps = append(resps, f.Apply(l))
				}
			}
			for i := len(setup); i < len(logs); i++ {
				err, _ := resps[i].(error)
				if !errors.Is(err, ErrCannotApply) || !errors.Is(err, league.ErrUnknownEvent) || errors.Is(err, ErrRejected) {
					t.Fatalf("entry %d: response %v, want ErrCannotApply and league.ErrUnknownEvent, not ErrRejected", logs[i].Index, resps[i])
				}
			}
			halt := f.Halted()
			if !errors.Is(halt, ErrCannotApply) || !strings.Contains(halt.Error(), "index "+strconv.FormatUint(next, 10)) ||
				!strings.Contains(halt.Error(), "upgrade") {
				t.Fatalf("Halted() = %v, want ErrCannotApply naming index %d and the upgrade", halt, next)
			}
			select {
			case <-f.HaltedCh():
			default:
				t.Fatal("HaltedCh not closed")
			}
			if f.StateHash() != want || f.AppliedIndex() != next-1 {
				t.Fatalf("applied %d (want %d), state changed: %v", f.AppliedIndex(), next-1, f.StateHash() != want)
			}
			if err := f.WaitApplied(context.Background(), next); !errors.Is(err, ErrCannotApply) {
				t.Fatalf("WaitApplied past the halt: %v, want ErrCannotApply", err)
			}
			if err := f.WaitApplied(context.Background(), next-1); err != nil {
				t.Fatalf("WaitApplied before the halt: %v", err)
			}
			if _, err := f.Snapshot(); !errors.Is(err, ErrCannotApply) {
				t.Fatalf("Snapshot of a halted FSM: %v, want ErrCannotApply", err)
			}
			snap, err := ref.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			var sink memSink
			if err := snap.Persist(&sink); err != nil {
				t.Fatal(err)
			}
			if err := f.Restore(io.NopCloser(&sink.Buffer)); !errors.Is(err, ErrCannotApply) {
				t.Fatalf("Restore into a halted FSM: %v, want ErrCannotApply", err)
			}

			g := NewFSM()
			g.ApplyBatch(logs)
			if g.StateHash() != f.StateHash() || g.AppliedIndex() != f.AppliedIndex() || g.Halted() == nil {
				t.Fatal("a replay of the same log does not halt at the same place")
			}
		})
	}
}

// TestFSMBatchConfigurationEntries: configuration entries in a batch get a
// nil response and advance the index without touching the state.
func TestFSMBatchConfigurationEntries(t *testing.T) {
	evs := testLeague()
	logs := encodeAll(t, 1, evs)
	mixed := []*raft.Log{{Index: 1, Type: raft.LogConfiguration, Data: []byte{1, 2, 3}}}
	for _, l := range logs {
		l := *l
		l.Index++
		mixed = append(mixed, &l)
	}
	f := NewFSM()
	resps := f.ApplyBatch(mixed)
	if resps[0] != nil {
		t.Fatalf("configuration entry response %v, want nil", resps[0])
	}
	want, _ := oracle(evs)
	if f.StateHash() != want.Hash() {
		t.Fatal("state differs from the oracle")
	}
	if f.AppliedIndex() != uint64(len(mixed)) {
		t.Fatalf("applied index %d, want %d", f.AppliedIndex(), len(mixed))
	}
}

// memSink is a raft.SnapshotSink in memory.
type memSink struct {
	bytes.Buffer
	closed, cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Close() error  { s.closed = true; return nil }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }

// TestFSMSnapshotRestore: a snapshot captures the state at the moment it
// was taken (later entries do not leak into it), restores to an equal
// state and applied index, and the restored FSM continues like the
// original.
func TestFSMSnapshotRestore(t *testing.T) {
	evs := testEvents(21, 500)
	logs := encodeAll(t, 1, evs)
	f := NewFSM()
	f.ApplyBatch(logs[:300])
	atSnap := f.StateHash()
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	f.ApplyBatch(logs[300:]) // raft applies while Persist runs
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	if !sink.closed || sink.cancelled {
		t.Fatalf("sink closed %v, cancelled %v", sink.closed, sink.cancelled)
	}

	g := NewFSM()
	if err := g.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	if g.StateHash() != atSnap {
		t.Fatalf("restored hash %s, hash at snapshot %s", g.StateHash(), atSnap)
	}
	if g.AppliedIndex() != 300 {
		t.Fatalf("restored applied index %d, want 300", g.AppliedIndex())
	}
	g.ApplyBatch(logs[300:])
	if g.StateHash() != f.StateHash() {
		t.Fatal("restored FSM diverged from the original on the same entries")
	}
}

// TestFSMRestoreRejectsBadSnapshots: a corrupt snapshot is an error and
// leaves the state as it was.
func TestFSMRestoreRejectsBadSnapshots(t *testing.T) {
	f := NewFSM()
	f.ApplyBatch(encodeAll(t, 1, testEvents(5, 100)))
	snap, _ := f.Snapshot()
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	good := sink.Bytes()
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0xff
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"no-magic", append([]byte("XXLEAGUE"), good[8:]...)},
		{"header-only", good[:snapshotHeaderLen]},
		{"truncated", good[:len(good)-3]},
		{"flipped-byte", flipped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewFSM()
			g.ApplyBatch(encodeAll(t, 1, testLeague()))
			before, idx := g.StateHash(), g.AppliedIndex()
			err := g.Restore(io.NopCloser(bytes.NewReader(tc.data)))
			if tc.name == "flipped-byte" && err == nil {
				// A flip inside a value may still decode to a valid state
				// (the file snapshot store's CRC catches it on disk); it
				// must then at least differ from the original.
				if g.StateHash() == f.StateHash() {
					t.Fatal("flipped snapshot restored to the original state")
				}
				return
			}
			if !errors.Is(err, ErrBadSnapshot) {
				t.Fatalf("error %v, want ErrBadSnapshot", err)
			}
			if g.StateHash() != before || g.AppliedIndex() != idx {
				t.Fatal("failed restore changed the FSM")
			}
		})
	}
}

// TestFSMWaitApplied: WaitApplied returns once the index is applied and
// gives up with the context.
func TestFSMWaitApplied(t *testing.T) {
	f := NewFSM()
	logs := encodeAll(t, 1, testLeague())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := f.WaitApplied(ctx, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait on an empty FSM: %v, want DeadlineExceeded", err)
	}
	done := make(chan error, 1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	go func() { done <- f.WaitApplied(ctx2, 3) }()
	for _, l := range logs {
		f.Apply(l)
	}
	if err := <-done; err != nil {
		t.Fatalf("wait for index 3 after applying %d entries: %v", len(logs), err)
	}
}

// FuzzFSMApply: no log entry makes the FSM panic; a refused entry leaves
// the state unchanged, and the snapshot of whatever state results restores
// to an equal state.
func FuzzFSMApply(f *testing.F) {
	for _, l := range encodeAll(f, 1, testEvents(3, 40)) {
		f.Add(l.Data)
	}
	f.Add([]byte{0x7e | league.FlagIgnoreUnknown})
	f.Fuzz(func(t *testing.T, data []byte) {
		m := NewFSM()
		m.ApplyBatch(encodeAll(t, 1, testLeague()))
		before := m.StateHash()
		_, err := response(t, m.Apply(&raft.Log{Index: 10, Type: raft.LogCommand, Data: data}))
		if err != nil && m.StateHash() != before {
			t.Fatalf("refused entry changed the state: %v", err)
		}
		if errors.Is(err, ErrCannotApply) {
			if m.Halted() == nil || m.AppliedIndex() == 10 {
				t.Fatalf("halting entry %v applied", err)
			}
			return // a halted FSM takes no snapshot
		}
		snap, _ := m.Snapshot()
		var sink memSink
		if err := snap.Persist(&sink); err != nil {
			t.Fatal(err)
		}
		g := NewFSM()
		if err := g.Restore(io.NopCloser(&sink.Buffer)); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if g.StateHash() != m.StateHash() {
			t.Fatal("snapshot round trip changed the state")
		}
	})
}

// BenchmarkFSMApply compares applying results one entry at a time with
// batches of 64, as raft hands them over at high rates.
func BenchmarkFSMApply(b *testing.B) {
	evs := testLeague()
	for i := range 4096 {
		evs = append(evs, &league.RecordResult{Match: "b" + strconv.Itoa(i), A: "L0", B: "S1", Outcome: league.Outcome(1 + i%3)})
	}
	logs := encodeAll(b, 1, evs)
	for _, batch := range []int{1, 64} {
		b.Run("batch"+strconv.Itoa(batch), func(b *testing.B) {
			for b.Loop() {
				f := NewFSM()
				for i := 0; i < len(logs); i += batch {
					if batch == 1 {
						f.Apply(logs[i])
					} else {
						f.ApplyBatch(logs[i:min(i+batch, len(logs))])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(logs)), "ns/entry")
		})
	}
}
