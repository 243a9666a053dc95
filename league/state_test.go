package league

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// randomEvents returns a seeded stream of n events of every type, about a
// fifth of them invalid for the state they meet (unknown members, reused
// ids, duplicate results), mimicking a league's log.
func randomEvents(seed uint64, n int) []Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	var learners, members []string
	var leased [][3]string // match, home, away
	steps := map[string]uint64{}
	pick := func(list []string) string {
		if len(list) == 0 || rng.IntN(20) == 0 {
			return fmt.Sprintf("ghost%d", rng.IntN(3))
		}
		return list[rng.IntN(len(list))]
	}
	roles := []Role{RoleNone, RoleMain, RoleMainExploiter, RoleLeagueExploiter}
	makers := []string{"uniform", "latest", "pastself", "pfsp", "roles", "psro"}
	solvers := []string{"uniform", "nash", "maxent", "prd", "alpharank"}
	weightings := []string{"squared", "hard", "variance", "linear", "linear_capped"}
	var evs []Event
	now := int64(0)
	for k := 0; len(evs) < n; k++ {
		now += int64(rng.IntN(5))
		switch r := rng.IntN(100); {
		case r < 4:
			id := fmt.Sprintf("L%d", len(learners))
			learners = append(learners, id)
			members = append(members, id)
			role := roles[rng.IntN(len(roles))]
			if role == RoleMain {
				members = append(members, id+"@0")
			}
			evs = append(evs, &AddLearner{ID: id, Role: role, Params: testHash(id)})
		case r < 8:
			id := fmt.Sprintf("S%d", k)
			members = append(members, id)
			evs = append(evs, &AddSnapshot{ID: id, Parent: pick(members), Step: uint64(k), Params: testHash(id), Meta: map[string]string{"k": id}})
		case r < 10:
			evs = append(evs, &Checkpoint{Learner: pick(learners)})
		case r < 20:
			id := pick(learners)
			steps[id] += uint64(rng.IntN(300))
			evs = append(evs, &ReportProgress{ID: id, Step: steps[id], Params: testHash(fmt.Sprint(k))})
		case r < 22:
			evs = append(evs, &SetRole{ID: pick(learners), Role: roles[rng.IntN(len(roles))]})
		case r < 25:
			kv := map[string]string{"matchmaking": makers[rng.IntN(len(makers))]}
			switch rng.IntN(4) {
			case 0:
				kv["psro.solver"] = solvers[rng.IntN(len(solvers))]
				kv["psro.iterations"] = "200"
			case 1:
				kv["pfsp.weighting"] = weightings[rng.IntN(len(weightings))]
			case 2:
				kv["decay"] = fmt.Sprint(0.9 + 0.1*rng.Float64())
				kv["recent"] = fmt.Sprint(rng.IntN(8))
			case 3:
				kv["roles.min_steps"] = "100"
				kv["roles.max_steps"] = "400"
				kv["reissue"] = fmt.Sprint(rng.IntN(2) == 0)
			}
			evs = append(evs, &Configure{Settings: kv})
		case r < 55:
			evs = append(evs, &LeaseMatch{Worker: fmt.Sprintf("w%d", rng.IntN(4)), Now: now, Deadline: now + 1 + int64(rng.IntN(20))})
		case r < 60:
			evs = append(evs, &ExpireLeases{Now: now})
		default:
			o := Outcome(1 + rng.IntN(3))
			if len(leased) > 0 && rng.IntN(2) == 0 {
				// Result of a generated lease id (which may or may not exist).
				evs = append(evs, &RecordResult{Match: fmt.Sprintf("m%d", 1+rng.IntN(k+1)), A: pick(members), B: pick(members), Outcome: o})
				continue
			}
			match := fmt.Sprintf("x%d", rng.IntN(k+1)) // collisions make duplicates
			evs = append(evs, &RecordResult{Match: match, A: pick(members), B: pick(members), Outcome: o, Worker: "w", Time: now})
			leased = append(leased, [3]string{match})
		}
	}
	return evs
}

type applied struct {
	hash Hash
	eff  Effect
	err  string
}

// run applies evs to s and returns the hash and effect after each.
func run(t *testing.T, s *State, evs []Event) []applied {
	t.Helper()
	out := make([]applied, len(evs))
	prev := s.Hash()
	for k, ev := range evs {
		eff, err := s.Apply(ev)
		out[k] = applied{hash: s.Hash(), eff: eff}
		if err != nil {
			out[k].err = err.Error()
			if out[k].hash != prev {
				t.Fatalf("event %d (%T) failed with %v but changed the state", k, ev, err)
			}
		}
		prev = out[k].hash
	}
	return out
}

// applyAll applies evs, ignoring errors (run checks those).
func applyAll(s *State, evs []Event) {
	for _, ev := range evs {
		_, _ = s.Apply(ev)
	}
}

// eventCount trims the random streams under -short (the race detector).
func eventCount(n int) int {
	if testing.Short() {
		return n / 3
	}
	return n
}

// Same events ⇒ same states and effects, event by event; the stream
// exercises every event type and a healthy mix of failures.
func TestDeterminism(t *testing.T) {
	evs := randomEvents(1, eventCount(1000))
	a := run(t, NewState(), evs)
	b := run(t, NewState(), evs)
	var failed, leases, dups int
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			t.Fatalf("event %d (%T): runs differ: %+v vs %+v", k, evs[k], a[k], b[k])
		}
		failed += b2i(a[k].err != "")
		leases += b2i(a[k].eff.Lease != nil)
		dups += b2i(a[k].eff.Duplicate)
	}
	t.Logf("%d events: %d failed, %d leases, %d duplicates", len(evs), failed, leases, dups)
	if failed < len(evs)/20 || failed > len(evs)/2 || leases < len(evs)/5 || dups == 0 {
		// The stream must exercise failures, leases and duplicates.
		t.Errorf("event stream not representative: %d failed, %d leases, %d duplicates", failed, leases, dups)
	}
	if a[len(a)-1].hash == NewState().Hash() {
		t.Error("the events did not change the state")
	}
}

// Replaying from an encoded snapshot plus the remaining events gives the
// same state as replaying everything, wherever the snapshot is taken.
func TestReplayFromSnapshot(t *testing.T) {
	evs := randomEvents(2, eventCount(800))
	full := NewState()
	applyAll(full, evs)
	want := full.Hash()
	for _, cut := range []int{0, 1, len(evs) / 6, len(evs) / 2, len(evs) - 1, len(evs)} {
		s := NewState()
		applyAll(s, evs[:cut])
		b, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		restored, err := DecodeState(b)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		applyAll(restored, evs[cut:])
		if got := restored.Hash(); got != want {
			t.Errorf("cut %d: replay from snapshot ends at %s, full replay at %s", cut, got, want)
		}
	}
}

// Events that go through the log codec give the same state as events
// applied directly.
func TestReplayThroughCodec(t *testing.T) {
	evs := randomEvents(3, eventCount(600))
	direct := run(t, NewState(), evs)
	s := NewState()
	for k, ev := range evs {
		b, err := EncodeEvent(ev)
		if err != nil {
			// Statically invalid events never reach a log; Apply rejects them too.
			if !errors.Is(err, ErrInvalidEvent) || direct[k].err == "" {
				t.Fatalf("event %d: encode: %v (direct: %q)", k, err, direct[k].err)
			}
			continue
		}
		dec, err := DecodeEvent(b)
		if err != nil {
			t.Fatalf("event %d: decode: %v", k, err)
		}
		eff, err := s.Apply(dec)
		if s.Hash() != direct[k].hash || !reflect.DeepEqual(eff, direct[k].eff) {
			t.Fatalf("event %d (%T): state or effect differs after the codec (%v)", k, ev, err)
		}
	}
}

// Decode(Encode(s)) is s: equal as Go values and re-encoding to the same
// bytes.
func TestStateEncodingRoundTrip(t *testing.T) {
	for _, seed := range []uint64{4, 5, 6} {
		s := NewState()
		run(t, s, randomEvents(seed, 500))
		b, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		d, err := DecodeState(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, s) {
			t.Errorf("seed %d: decoded state differs from the original", seed)
		}
		again, _ := d.Encode()
		if !bytes.Equal(again, b) {
			t.Errorf("seed %d: re-encoding differs", seed)
		}
		if c := s.Clone(); !reflect.DeepEqual(c, s) || c.Hash() != s.Hash() {
			t.Errorf("seed %d: clone differs", seed)
		}
	}
}

// A clone is independent of the original.
func TestCloneIsDeep(t *testing.T) {
	s := NewState()
	mustApply(t, s, &AddLearner{ID: "a", Meta: map[string]string{"k": "v"}}, &AddSnapshot{ID: "b"},
		&LeaseMatch{Now: 0, Deadline: 5})
	recordResults(t, s, "a", "b", 1, 0, 0)
	c := s.Clone()
	before := c.Hash()
	mustApply(t, s, &ReportProgress{ID: "a", Step: 3}, &ExpireLeases{Now: 10}, &LeaseMatch{Now: 11, Deadline: 12})
	recordResults(t, s, "a", "b", 0, 0, 2)
	s.members[0].Meta["k"] = "changed"
	if c.Hash() != before {
		t.Error("changing the original changed the clone")
	}
}

// The duplicate rule: a second result with a seen match id changes nothing,
// whatever players or outcome it names.
func TestDuplicateResultIsNoOp(t *testing.T) {
	s := NewState()
	mustApply(t, s, &AddLearner{ID: "a"}, &AddSnapshot{ID: "b"}, &AddSnapshot{ID: "c"},
		&RecordResult{Match: "m", A: "a", B: "b", Outcome: OutcomeAWins})
	before := s.Hash()
	for _, ev := range []*RecordResult{
		{Match: "m", A: "a", B: "b", Outcome: OutcomeAWins},
		{Match: "m", A: "b", B: "c", Outcome: OutcomeDraw},
		{Match: "m", A: "zed", B: "b", Outcome: OutcomeBWins},
	} {
		eff, err := s.Apply(ev)
		if err != nil || !eff.Duplicate || s.Hash() != before {
			t.Errorf("%+v: effect %+v, err %v, changed %v", ev, eff, err, s.Hash() != before)
		}
	}
}

// Leases: an expired lease is re-issued under its match id before any new
// match; a late result from the first worker ends it and the replacement's
// result is a duplicate.
func TestLeaseReissue(t *testing.T) {
	s := NewState()
	mustApply(t, s, &AddLearner{ID: "a"}, &AddSnapshot{ID: "b"})
	l1 := mustApply(t, s, &LeaseMatch{Worker: "w1", Now: 0, Deadline: 10})[0].Lease
	exp := mustApply(t, s, &ExpireLeases{Now: 9}, &ExpireLeases{Now: 10})
	if len(exp[0].Expired) != 0 || !reflectEqual(exp[1].Expired, []string{l1.Match}) {
		t.Fatalf("expiry effects %+v", exp)
	}
	l2 := mustApply(t, s, &LeaseMatch{Worker: "w2", Now: 11, Deadline: 20})[0].Lease
	if l2.Match != l1.Match || l2.Home != l1.Home || l2.Away != l1.Away || l2.Worker != "w2" || l2.Attempt != 2 {
		t.Fatalf("re-issued %+v, first %+v", l2, l1)
	}
	late := &RecordResult{Match: l1.Match, A: l1.Home, B: l1.Away, Outcome: OutcomeAWins, Worker: "w1"}
	if eff := mustApply(t, s, late)[0]; eff.Duplicate {
		t.Fatal("late first result counted as duplicate")
	}
	if eff := mustApply(t, s, &RecordResult{Match: l1.Match, A: l1.Away, B: l1.Home, Outcome: OutcomeAWins, Worker: "w2"})[0]; !eff.Duplicate {
		t.Fatal("second result for the match was not a duplicate")
	}
	if active, queued := s.Leases(); len(active)+len(queued) != 0 {
		t.Errorf("leases left: %+v %+v", active, queued)
	}
	if wr, _ := s.WinRate(l1.Home, l1.Away); wr != 1 {
		t.Errorf("win rate %v, want 1 (one result counted)", wr)
	}
	// A result naming other players than the lease is rejected.
	l3 := mustApply(t, s, &LeaseMatch{Now: 30, Deadline: 40})[0].Lease
	mustApply(t, s, &AddSnapshot{ID: "c"})
	if _, err := s.Apply(&RecordResult{Match: l3.Match, A: "a", B: "c", Outcome: OutcomeDraw}); !errors.Is(err, ErrLeaseMismatch) {
		t.Errorf("mismatched result: %v, want ErrLeaseMismatch", err)
	}
	// A chosen match id already in use is refused.
	if _, err := s.Apply(&LeaseMatch{Match: l3.Match, Now: 30, Deadline: 40}); !errors.Is(err, ErrExists) {
		t.Errorf("reused match id: %v, want ErrExists", err)
	}
}

func reflectEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

// A lease that fails (no opponent) leaves the generator untouched.
func TestFailedLeaseKeepsGenerator(t *testing.T) {
	s := NewState()
	if _, err := s.Apply(&LeaseMatch{Now: 0, Deadline: 1}); !errors.Is(err, ErrNoOpponent) {
		t.Fatalf("lease in an empty league: %v", err)
	}
	mustApply(t, s, configEvent("matchmaking", "roles"), &AddLearner{ID: "E", Role: RoleMainExploiter})
	before := s.Hash()
	if _, err := s.Apply(&LeaseMatch{Now: 0, Deadline: 1}); !errors.Is(err, ErrNoOpponent) {
		t.Fatalf("exploiter without main agents: %v", err)
	}
	if s.Hash() != before {
		t.Error("failed lease changed the state")
	}
}

// Corrupt snapshots are errors, never panics or inconsistent states.
func TestDecodeStateRejectsCorruption(t *testing.T) {
	s := NewState()
	run(t, s, randomEvents(7, 200))
	good, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var w stateWire
	for name, mutate := range map[string]func(w *stateWire){
		"version":        func(w *stateWire) { w.Version = 9 },
		"duplicate id":   func(w *stateWire) { w.Members = append(w.Members, w.Members[0]) },
		"bad kind":       func(w *stateWire) { w.Members[0].Kind = 7 },
		"orphan":         func(w *stateWire) { w.Members[len(w.Members)-1].Parent = "nobody" },
		"pair range":     func(w *stateWire) { w.Pairs[0].Hi = 1 << 20 },
		"pair order":     func(w *stateWire) { w.Pairs[0], w.Pairs[1] = w.Pairs[1], w.Pairs[0] },
		"negative games": func(w *stateWire) { w.Pairs[0].Stats.Games = -1 },
		"rng":            func(w *stateWire) { w.RNG = []byte("nope") },
		"config":         func(w *stateWire) { w.Config.Decay = 2 },
		"lease member": func(w *stateWire) {
			w.Leases = append(w.Leases, &Lease{Match: "q", Home: "zz", Away: "zz", Attempt: 1})
		},
		"seen twice": func(w *stateWire) { w.Seen = append(w.Seen, w.Seen[0]) },
	} {
		if err := decodeWire(good, &w); err != nil {
			t.Fatal(err)
		}
		if len(w.Pairs) < 2 || len(w.Seen) == 0 || len(w.Leases)+len(w.Requeue) == 0 {
			t.Fatalf("fixture too small: %d pairs, %d seen, %d leases", len(w.Pairs), len(w.Seen), len(w.Leases))
		}
		mutate(&w)
		b, err := encodeWire(&w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeState(b); err == nil {
			t.Errorf("%s: corrupt state decoded without error", name)
		}
	}
	if _, err := DecodeState(good[:len(good)/2]); err == nil {
		t.Error("truncated state decoded")
	}
}

// FuzzDecodeState: hostile snapshots (a peer's InstallSnapshot) never
// panic; whatever decodes re-encodes to a state with the same hash, and
// further events apply to it.
func FuzzDecodeState(f *testing.F) {
	for _, seed := range []uint64{8, 9} {
		s := NewState()
		for _, ev := range randomEvents(seed, 60) {
			_, _ = s.Apply(ev)
		}
		b, err := s.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	empty, _ := NewState().Encode()
	f.Add(empty)
	tail := randomEvents(10, 40)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeState(b)
		if err != nil {
			return
		}
		enc, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		d, err := DecodeState(enc)
		if err != nil || d.Hash() != s.Hash() {
			t.Fatalf("re-encoded state: %v", err)
		}
		for _, ev := range tail {
			_, _ = s.Apply(ev)
		}
	})
}

func decodeWire(b []byte, w *stateWire) error {
	*w = stateWire{}
	return msgpack.Unmarshal(b, w)
}

func encodeWire(w *stateWire) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.SetSortMapKeys(true)
	err := enc.Encode(w)
	return buf.Bytes(), err
}

// The recent results are a ring: the latest cfg.Recent, oldest first,
// through wrap-around and resizing.
func TestRecentRing(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("recent", "3"), &AddLearner{ID: "a"}, &AddSnapshot{ID: "b"})
	ids := func() []string {
		var out []string
		for _, r := range s.Recent() {
			out = append(out, r.Match)
		}
		return out
	}
	for k := 1; k <= 5; k++ {
		mustApply(t, s, &RecordResult{Match: fmt.Sprint("g", k), A: "a", B: "b", Outcome: OutcomeDraw})
	}
	if got := ids(); !reflectEqual(got, []string{"g3", "g4", "g5"}) {
		t.Fatalf("recent %v", got)
	}
	mustApply(t, s, configEvent("recent", "2"))
	if got := ids(); !reflectEqual(got, []string{"g4", "g5"}) {
		t.Fatalf("after shrinking: %v", got)
	}
	mustApply(t, s, configEvent("recent", "4"), &RecordResult{Match: "g6", A: "a", B: "b", Outcome: OutcomeDraw})
	if got := ids(); !reflectEqual(got, []string{"g4", "g5", "g6"}) {
		t.Fatalf("after growing: %v", got)
	}
	b, _ := s.Encode()
	d, err := DecodeState(b)
	if err != nil || !reflectEqual(d.Recent(), s.Recent()) {
		t.Fatalf("decoded recent %v, %v", d.Recent(), err)
	}
	mustApply(t, s, configEvent("recent", "0"))
	if got := ids(); len(got) != 0 {
		t.Fatalf("recent 0 keeps %v", got)
	}
}
