package league

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// sampleEvents has one event of every type with every field set.
func sampleEvents() []Event {
	h := testHash("params")
	return []Event{
		&Configure{Settings: map[string]string{"matchmaking": "roles", "decay": "0.995", "seed": "12"}},
		&AddLearner{ID: "main", Role: RoleMain, Step: 12, Params: h, Meta: map[string]string{"race": "zerg", "lr": "3e-4"}},
		&AddSnapshot{ID: "old", Parent: "main", Role: RoleMainExploiter, Step: 1 << 40, Params: h, Meta: map[string]string{"k": ""}},
		&SetRole{ID: "main", Role: RoleLeagueExploiter},
		&ReportProgress{ID: "main", Step: 1<<64 - 1, Params: h},
		&Checkpoint{Learner: "main", ID: "frozen", Meta: map[string]string{"note": "é"}},
		&RecordResult{Match: "m-1", A: "main", B: "main@0", Outcome: OutcomeDraw, Worker: "w/1", Time: -5},
		&LeaseMatch{Match: "m-2", Worker: "w1", Home: "main", Now: 1e18, Deadline: 1e18 + 1},
		&ExpireLeases{Now: -1 << 63},
		&UnknownEvent{EventType: 0x55, Body: []byte{0x80}},
	}
}

func TestEventRoundTrip(t *testing.T) {
	for _, ev := range sampleEvents() {
		b, err := EncodeEvent(ev)
		if err != nil {
			t.Fatalf("encode %T: %v", ev, err)
		}
		got, err := DecodeEvent(b)
		if err != nil {
			t.Fatalf("decode %T: %v", ev, err)
		}
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("round trip of %T:\n got %+v\nwant %+v", ev, got, ev)
		}
		again, err := EncodeEvent(got)
		if err != nil || !bytes.Equal(again, b) {
			t.Errorf("%T: re-encoding differs: %x vs %x (%v)", ev, again, b, err)
		}
		if ev.Type() != got.Type() || b[0]&^FlagIgnoreUnknown != byte(ev.Type()) {
			t.Errorf("%T: type byte %#x, type %v", ev, b[0], ev.Type())
		}
	}
}

// Zero-valued fields are omitted, so adding a field to an event type does
// not change the encoding of events that leave it unset.
func TestEventEncodingOmitsZeroFields(t *testing.T) {
	b, err := EncodeEvent(&ExpireLeases{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{byte(EventExpireLeases), 0x80}; !bytes.Equal(b, want) {
		t.Errorf("ExpireLeases{} = %x, want %x", b, want)
	}
}

// Unknown fields are skipped (a newer node may add fields); unknown types
// decode only with the ignore flag, and applying them changes nothing.
func TestEventForwardCompatibility(t *testing.T) {
	body := encodeMap(t, map[string]any{"now": 5, "future": []any{1, "x", map[string]any{"y": 2}}})
	ev, err := DecodeEvent(append([]byte{byte(EventExpireLeases)}, body...))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := ev.(*ExpireLeases); !ok || e.Now != 5 {
		t.Fatalf("decoded %+v", ev)
	}

	_, err = DecodeEvent(append([]byte{0x55}, body...))
	if !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("unknown type without flag: %v, want ErrUnknownEvent", err)
	}
	ev, err = DecodeEvent(append([]byte{0x55 | FlagIgnoreUnknown}, body...))
	if err != nil {
		t.Fatal(err)
	}
	s := NewState()
	mustApply(t, s, &AddLearner{ID: "a"})
	before := s.Hash()
	eff, err := s.Apply(ev)
	if err != nil || !eff.Ignored || s.Hash() != before {
		t.Errorf("apply unknown: %+v, %v, state changed: %v", eff, err, s.Hash() != before)
	}
}

func encodeMap(t *testing.T, m map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Malformed events fail with a DecodeError naming the field and the byte
// offset of the bad value.
func TestDecodeEventErrors(t *testing.T) {
	rr := byte(EventRecordResult)
	// {"match":"m","a":"x","b":"y","outcome":9}: offsets of the values.
	bad := append([]byte{rr}, encodeMap(t, map[string]any{"a": "x", "b": "y", "match": "m", "outcome": 9})...)
	outcomeAt := bytes.Index(bad, []byte("outcome")) + len("outcome")
	stepStr := append([]byte{byte(EventReportProgress)}, encodeMap(t, map[string]any{"id": "a", "step": "ten"})...)
	stepAt := bytes.Index(stepStr, []byte("step")) + len("step")
	negStep := append([]byte{byte(EventReportProgress)}, encodeMap(t, map[string]any{"id": "a", "step": -3})...)
	shortHash := append([]byte{byte(EventReportProgress)}, encodeMap(t, map[string]any{"id": "a", "params": []byte{1, 2}})...)
	bigMeta := map[string]any{}
	for k := range MaxMetaEntries + 1 {
		bigMeta[string(rune('A'+k%26))+strings.Repeat("x", k)] = "v"
	}
	tooMuchMeta := append([]byte{byte(EventAddLearner)}, encodeMap(t, map[string]any{"id": "a", "meta": bigMeta})...)
	// A map header claiming 2^32-1 entries followed by nothing.
	hugeMap := []byte{byte(EventConfigure), 0xdf, 0xff, 0xff, 0xff, 0xff}
	repeated := []byte{byte(EventExpireLeases), 0x82, 0xa3, 'n', 'o', 'w', 0x01, 0xa3, 'n', 'o', 'w', 0x02}
	trailing := []byte{byte(EventExpireLeases), 0x80, 0x00}
	notMap := []byte{byte(EventExpireLeases), 0x93, 1, 2, 3}
	truncated := []byte{byte(EventExpireLeases), 0x81, 0xa3, 'n', 'o'}

	cases := []struct {
		name   string
		in     []byte
		field  string
		offset int
		is     error
		msg    string
	}{
		{"empty", nil, "", 0, nil, "empty input"},
		{"unknown type", []byte{0x7f, 0x80}, "", 0, ErrUnknownEvent, "unknown event type 127"},
		{"zero type with flag", []byte{FlagIgnoreUnknown, 0x80}, "", 0, ErrUnknownEvent, ""},
		{"outcome out of range", bad, "outcome", outcomeAt, ErrInvalidEvent, "expected 1 (a wins)"},
		{"string for integer", stepStr, "step", stepAt, nil, "expected an unsigned integer"},
		{"negative step", negStep, "step", -1, nil, "negative"},
		{"short hash", shortHash, "params", -1, nil, "expected 32 bytes, got 2"},
		{"too much meta", tooMuchMeta, "meta", -1, ErrLimit, "at most 32"},
		{"huge map header", hugeMap, "", 1, ErrLimit, "at most 64"},
		{"repeated field", repeated, "now", 7, nil, "repeated"},
		{"trailing bytes", trailing, "", 2, nil, "trailing"},
		{"not a map", notMap, "", 1, nil, "expected a msgpack map"},
		{"truncated", truncated, "", 2, nil, "expected a field name"},
		{"oversized", make([]byte, MaxEventSize+1), "", 0, ErrLimit, ""},
		{"missing id", []byte{byte(EventAddLearner), 0x80}, "id", 0, ErrInvalidEvent, "missing"},
	}
	for _, c := range cases {
		ev, err := DecodeEvent(c.in)
		if err == nil {
			t.Errorf("%s: decoded %+v, want an error", c.name, ev)
			continue
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: %v is not a *DecodeError", c.name, err)
			continue
		}
		if de.Field != c.field || (c.offset >= 0 && de.Offset != c.offset) {
			t.Errorf("%s: field %q offset %d, want %q at %d (%v)", c.name, de.Field, de.Offset, c.field, c.offset, err)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: %v does not wrap %v", c.name, err, c.is)
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %q does not mention %q", c.name, err, c.msg)
		}
	}
}

// Events that fail validation cannot be encoded, so they never reach a log.
func TestEncodeEventValidates(t *testing.T) {
	for _, ev := range []Event{
		&AddLearner{ID: ""},
		&AddLearner{ID: strings.Repeat("a", MaxNewIDLen+1)},
		&AddSnapshot{ID: "s", Role: "boss"},
		&RecordResult{Match: "m", A: "a", B: "b", Outcome: 4},
		&LeaseMatch{Now: 5, Deadline: 4},
		&Configure{Settings: map[string]string{"decay": "0"}},
		&Configure{},
		&Checkpoint{Learner: "a", ID: "a@1"},
		&UnknownEvent{EventType: EventRecordResult},
		nil,
	} {
		if b, err := EncodeEvent(ev); err == nil || !errors.Is(err, ErrInvalidEvent) {
			t.Errorf("EncodeEvent(%+v) = %x, %v; want ErrInvalidEvent", ev, b, err)
		}
	}
}

// FuzzDecodeEvent: decoding never panics; whatever decodes re-encodes
// canonically (decode∘encode is the identity on decoded events) and applies
// to a state without panicking, an error leaving the state unchanged.
func FuzzDecodeEvent(f *testing.F) {
	for _, ev := range sampleEvents() {
		b, err := EncodeEvent(ev)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := DecodeEvent(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		enc, err := EncodeEvent(ev)
		if err != nil {
			t.Fatalf("decoded event %+v does not encode: %v", ev, err)
		}
		again, err := DecodeEvent(enc)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, ev) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", ev, again)
		}
		s := fuzzState(t)
		before := s.Hash()
		if _, err := s.Apply(ev); err != nil && s.Hash() != before {
			t.Fatalf("failed apply changed the state: %v", err)
		}
	})
}

// fuzzState is a small league every event type can act on.
func fuzzState(t *testing.T) *State {
	s := NewState()
	mustApply(t, s, configEvent("roles.min_steps", "0", "roles.max_steps", "10"),
		&AddLearner{ID: "main", Role: RoleMain}, &AddLearner{ID: "a", Role: RoleLeagueExploiter},
		&AddSnapshot{ID: "s"}, &LeaseMatch{Match: "m1", Now: 1, Deadline: 2})
	recordResults(t, s, "main", "s", 2, 1, 1)
	return s
}
