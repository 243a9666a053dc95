package league

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Apply and DecodeEvent wrap them with context; test with
// errors.Is.
var (
	// ErrInvalidEvent: a field of the event is malformed (see FieldError).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrUnknownEvent: an event type this version does not know, without
	// the ignore-if-unknown flag.
	ErrUnknownEvent = errors.New("unknown event type")
	// ErrUnknownMember: the event names a member the league does not have.
	ErrUnknownMember = errors.New("unknown member")
	// ErrExists: the member id or match id is already in use.
	ErrExists = errors.New("already exists")
	// ErrNotLearner: the event needs a learner but names a frozen snapshot.
	ErrNotLearner = errors.New("not a learner")
	// ErrLimit: applying the event would exceed one of the state's bounds.
	ErrLimit = errors.New("limit exceeded")
	// ErrNoOpponent: matchmaking found nobody to play.
	ErrNoOpponent = errors.New("no opponent available")
	// ErrLeaseMismatch: a result names other players than its match's lease.
	ErrLeaseMismatch = errors.New("result does not match its lease")
)

// Bounds on what one event may carry and on the state's size. They are
// constants, not settings, so no event can raise them.
const (
	MaxEventSize   = 64 << 10 // bytes of an encoded event
	MaxIDLen       = 128      // member, match and worker ids
	MaxNewIDLen    = 100      // ids chosen for new members (see checkNewID)
	MaxMetaEntries = 32
	MaxMetaKeyLen  = 64
	MaxMetaValLen  = 1024
	MaxSettings    = 64
	MaxSettingLen  = 256
	MaxMembers     = 10000
	MaxLeases      = 100000 // active and queued leases together
)

// FieldError reports a malformed field of an event. It wraps
// ErrInvalidEvent.
type FieldError struct {
	Field string // the field's encoded name, e.g. "outcome" or "settings.decay"
	Msg   string // what was wrong and what was expected
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

// Unwrap returns ErrInvalidEvent.
func (e *FieldError) Unwrap() error { return ErrInvalidEvent }

// Outcome is the result of a match from the point of view of its first
// player. The zero value is invalid, so a missing field is caught.
type Outcome uint8

// Outcomes.
const (
	OutcomeAWins Outcome = 1
	OutcomeBWins Outcome = 2
	OutcomeDraw  Outcome = 3
)

func (o Outcome) swap() Outcome {
	switch o {
	case OutcomeAWins:
		return OutcomeBWins
	case OutcomeBWins:
		return OutcomeAWins
	}
	return o
}

// ScoreA returns the first player's score: 1 for a win, ½ for a draw, 0 for
// a loss.
func (o Outcome) ScoreA() float64 {
	switch o {
	case OutcomeAWins:
		return 1
	case OutcomeDraw:
		return 0.5
	}
	return 0
}

func (o Outcome) String() string {
	switch o {
	case OutcomeAWins:
		return "a"
	case OutcomeBWins:
		return "b"
	case OutcomeDraw:
		return "draw"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// ParseOutcome parses "a", "b" or "draw" (also "tie").
func ParseOutcome(s string) (Outcome, error) {
	switch s {
	case "a":
		return OutcomeAWins, nil
	case "b":
		return OutcomeBWins, nil
	case "draw", "tie":
		return OutcomeDraw, nil
	}
	return 0, fmt.Errorf("expected a, b or draw, got %q", s)
}

// Kind tells learners, whose parameters change, from frozen snapshots.
type Kind uint8

// Kinds.
const (
	KindLearner  Kind = 1
	KindSnapshot Kind = 2
)

func (k Kind) String() string {
	switch k {
	case KindLearner:
		return "learner"
	case KindSnapshot:
		return "snapshot"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Role is an AlphaStar league role. The empty role is a plain member.
type Role string

// Roles.
const (
	RoleNone            Role = ""
	RoleMain            Role = "main"
	RoleMainExploiter   Role = "main_exploiter"
	RoleLeagueExploiter Role = "league_exploiter"
)

var roleNames = []Role{RoleNone, RoleMain, RoleMainExploiter, RoleLeagueExploiter}

func (r Role) valid() bool { return slices.Contains(roleNames, r) }

// Hash is the sha256 of a policy's parameters. The parameters themselves
// stay out of the league state (and out of a replicated log); the hash names
// them in whatever blob store holds them.
type Hash [32]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is unset.
func (h Hash) IsZero() bool { return h == Hash{} }

// ParseHash parses 64 hexadecimal digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("expected %d hex digits, got %d characters", 2*len(h), len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("expected hex digits: %w", err)
	}
	return h, nil
}

// EventType is the first byte of an encoded event, without the flag bit.
type EventType uint8

// Event types. Numbers are part of the log format: never reuse one.
const (
	EventConfigure      EventType = 1
	EventAddLearner     EventType = 2
	EventAddSnapshot    EventType = 3
	EventSetRole        EventType = 4
	EventReportProgress EventType = 5
	EventCheckpoint     EventType = 6
	EventRecordResult   EventType = 7
	EventLeaseMatch     EventType = 8
	EventExpireLeases   EventType = 9
)

// FlagIgnoreUnknown, set in an encoded event's type byte, tells a node that
// does not know the type to skip the event instead of failing. New,
// optional event types set it so older nodes keep working.
const FlagIgnoreUnknown = 0x80

var eventNames = map[EventType]string{
	EventConfigure:      "Configure",
	EventAddLearner:     "AddLearner",
	EventAddSnapshot:    "AddSnapshot",
	EventSetRole:        "SetRole",
	EventReportProgress: "ReportProgress",
	EventCheckpoint:     "Checkpoint",
	EventRecordResult:   "RecordResult",
	EventLeaseMatch:     "LeaseMatch",
	EventExpireLeases:   "ExpireLeases",
}

func (t EventType) String() string {
	if n, ok := eventNames[t]; ok {
		return n
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// newEvent returns an empty event of type t, or nil if t is unknown.
func newEvent(t EventType) Event {
	switch t {
	case EventConfigure:
		return &Configure{}
	case EventAddLearner:
		return &AddLearner{}
	case EventAddSnapshot:
		return &AddSnapshot{}
	case EventSetRole:
		return &SetRole{}
	case EventReportProgress:
		return &ReportProgress{}
	case EventCheckpoint:
		return &Checkpoint{}
	case EventRecordResult:
		return &RecordResult{}
	case EventLeaseMatch:
		return &LeaseMatch{}
	case EventExpireLeases:
		return &ExpireLeases{}
	}
	return nil
}

// Event is a change to the league. The set of events is closed: they are the
// pointer types of this file. Times are Unix nanoseconds chosen by whoever
// proposes the event (a Raft leader, a test), never read from a clock by
// Apply.
type Event interface {
	Type() EventType
	// fields visits the event's fields, for encoding, decoding and validation.
	fields(c fieldVisitor)
	// check validates field values that need no state.
	check() error
}

// Configure changes settings; "seed" reseeds the state's random generator.
// All settings are validated before any is applied.
type Configure struct {
	Settings map[string]string
}

// AddLearner adds a trainable member. A learner with role main is also
// checkpointed at once, as AlphaStar adds each main agent as a historical
// player when the league starts.
type AddLearner struct {
	ID     string
	Role   Role
	Step   uint64
	Params Hash // the initial parameters; a reset returns to them
	Meta   map[string]string
}

// AddSnapshot adds a frozen member. Parent, when set, must be a member.
type AddSnapshot struct {
	ID     string
	Parent string
	Role   Role
	Step   uint64
	Params Hash
	Meta   map[string]string
}

// SetRole changes a learner's role.
type SetRole struct {
	ID   string
	Role Role
}

// ReportProgress reports a learner's training step and current parameters.
// For a learner with a role, the AlphaStar snapshot rule then decides
// whether to checkpoint, and the reset rule whether to reset it to its
// initial parameters (see Effect).
type ReportProgress struct {
	ID     string
	Step   uint64
	Params Hash
}

// Checkpoint freezes a learner's current parameters into a new snapshot
// (ID, or "<learner>@<n>" when empty), without any reset.
type Checkpoint struct {
	Learner string
	ID      string
	Meta    map[string]string
}

// RecordResult records a played match. A match id seen before makes the
// event a no-op reported as Effect.Duplicate, so workers may retry.
type RecordResult struct {
	Match   string
	A, B    string
	Outcome Outcome
	Worker  string
	Time    int64
}

// LeaseMatch asks for a match for Worker. An expired lease waiting in the
// re-issue queue is served first (keeping its match id); otherwise the home
// member is Home, or the learner with the fewest leases, or (with no
// learners) a uniformly drawn member, and the opponent is drawn by the
// configured matchmaking with the state's generator. Match names the new
// match (generated as "m<n>" when empty).
type LeaseMatch struct {
	Match    string
	Worker   string
	Home     string
	Now      int64
	Deadline int64
}

// ExpireLeases expires every lease whose deadline is at or before Now.
type ExpireLeases struct {
	Now int64
}

// UnknownEvent is an event of a type this version does not know whose
// ignore-if-unknown flag was set. Applying it changes nothing.
type UnknownEvent struct {
	EventType EventType
	Body      []byte
}

// Type implementations.
func (*Configure) Type() EventType      { return EventConfigure }
func (*AddLearner) Type() EventType     { return EventAddLearner }
func (*AddSnapshot) Type() EventType    { return EventAddSnapshot }
func (*SetRole) Type() EventType        { return EventSetRole }
func (*ReportProgress) Type() EventType { return EventReportProgress }
func (*Checkpoint) Type() EventType     { return EventCheckpoint }
func (*RecordResult) Type() EventType   { return EventRecordResult }
func (*LeaseMatch) Type() EventType     { return EventLeaseMatch }
func (*ExpireLeases) Type() EventType   { return EventExpireLeases }
func (e *UnknownEvent) Type() EventType { return e.EventType }

// fieldVisitor walks an event's fields by encoded name. Encoding writes the
// non-zero ones, decoding registers a decoder per name.
type fieldVisitor interface {
	str(name string, p *string)
	u8(name string, p *uint8)
	u64(name string, p *uint64)
	i64(name string, p *int64)
	hash(name string, p *Hash)
	strMap(name string, p *map[string]string, maxEntries int)
}

func (e *Configure) fields(c fieldVisitor) { c.strMap("settings", &e.Settings, MaxSettings) }

func (e *AddLearner) fields(c fieldVisitor) {
	c.str("id", &e.ID)
	c.str("role", (*string)(&e.Role))
	c.u64("step", &e.Step)
	c.hash("params", &e.Params)
	c.strMap("meta", &e.Meta, MaxMetaEntries)
}

func (e *AddSnapshot) fields(c fieldVisitor) {
	c.str("id", &e.ID)
	c.str("parent", &e.Parent)
	c.str("role", (*string)(&e.Role))
	c.u64("step", &e.Step)
	c.hash("params", &e.Params)
	c.strMap("meta", &e.Meta, MaxMetaEntries)
}

func (e *SetRole) fields(c fieldVisitor) {
	c.str("id", &e.ID)
	c.str("role", (*string)(&e.Role))
}

func (e *ReportProgress) fields(c fieldVisitor) {
	c.str("id", &e.ID)
	c.u64("step", &e.Step)
	c.hash("params", &e.Params)
}

func (e *Checkpoint) fields(c fieldVisitor) {
	c.str("learner", &e.Learner)
	c.str("id", &e.ID)
	c.strMap("meta", &e.Meta, MaxMetaEntries)
}

func (e *RecordResult) fields(c fieldVisitor) {
	c.str("match", &e.Match)
	c.str("a", &e.A)
	c.str("b", &e.B)
	c.u8("outcome", (*uint8)(&e.Outcome))
	c.str("worker", &e.Worker)
	c.i64("time", &e.Time)
}

func (e *LeaseMatch) fields(c fieldVisitor) {
	c.str("match", &e.Match)
	c.str("worker", &e.Worker)
	c.str("home", &e.Home)
	c.i64("now", &e.Now)
	c.i64("deadline", &e.Deadline)
}

func (e *ExpireLeases) fields(c fieldVisitor) { c.i64("now", &e.Now) }

func (e *UnknownEvent) fields(fieldVisitor) {}

// checkID validates a member, match or worker id: 1..MaxIDLen printable
// ASCII characters from [A-Za-z0-9._:/+@-].
func checkID(field, id string, required bool) error {
	if id == "" {
		if required {
			return &FieldError{field, "missing; expected an id"}
		}
		return nil
	}
	if len(id) > MaxIDLen {
		return &FieldError{field, fmt.Sprintf("id of %d bytes; at most %d", len(id), MaxIDLen)}
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._:/+@-", c) >= 0) {
			return &FieldError{field, fmt.Sprintf("character %q at byte %d; ids use letters, digits and ._:/+@-", c, i)}
		}
	}
	return nil
}

// checkNewID validates the id of a member being added by name: at most
// MaxNewIDLen bytes and no '@', which is reserved for generated snapshot
// ids "<learner>@<n>", so a chosen id never collides with a generated one
// and a generated one always fits MaxIDLen.
func checkNewID(field, id string, required bool) error {
	if err := checkID(field, id, required); err != nil {
		return err
	}
	if len(id) > MaxNewIDLen {
		return &FieldError{field, fmt.Sprintf("id of %d bytes; a new member's id has at most %d", len(id), MaxNewIDLen)}
	}
	if i := strings.IndexByte(id, '@'); i >= 0 {
		return &FieldError{field, fmt.Sprintf("'@' at byte %d is reserved for generated snapshot ids", i)}
	}
	return nil
}

func checkRole(field string, r Role) error {
	if !r.valid() {
		return &FieldError{field, fmt.Sprintf("unknown role %q; expected main, main_exploiter, league_exploiter or empty", string(r))}
	}
	return nil
}

func checkMeta(field string, m map[string]string) error {
	if len(m) > MaxMetaEntries {
		return &FieldError{field, fmt.Sprintf("%d entries; at most %d", len(m), MaxMetaEntries)}
	}
	for _, k := range sortedKeys(m) {
		v := m[k]
		switch {
		case k == "" || len(k) > MaxMetaKeyLen || !utf8.ValidString(k):
			return &FieldError{field, fmt.Sprintf("key %q: expected 1..%d bytes of UTF-8", k, MaxMetaKeyLen)}
		case len(v) > MaxMetaValLen || !utf8.ValidString(v):
			return &FieldError{field + "." + k, fmt.Sprintf("expected at most %d bytes of UTF-8", MaxMetaValLen)}
		}
	}
	return nil
}

func (e *Configure) check() error {
	if len(e.Settings) == 0 {
		return &FieldError{"settings", "missing; expected at least one key=value"}
	}
	if len(e.Settings) > MaxSettings {
		return &FieldError{"settings", fmt.Sprintf("%d entries; at most %d", len(e.Settings), MaxSettings)}
	}
	for _, k := range sortedKeys(e.Settings) {
		if len(k) > MaxSettingLen || len(e.Settings[k]) > MaxSettingLen {
			return &FieldError{"settings", fmt.Sprintf("entry %.40q too long; keys and values have at most %d bytes", k, MaxSettingLen)}
		}
		if k == "seed" {
			if _, err := parseCount(e.Settings[k], 0, 1<<63); err != nil {
				return &FieldError{"settings.seed", err.Error()}
			}
		}
	}
	_, err := DefaultConfig().apply(e.Settings)
	return err
}

func (e *AddLearner) check() error {
	return errors.Join(checkNewID("id", e.ID, true), checkRole("role", e.Role), checkMeta("meta", e.Meta))
}

func (e *AddSnapshot) check() error {
	return errors.Join(checkNewID("id", e.ID, true), checkID("parent", e.Parent, false), checkRole("role", e.Role), checkMeta("meta", e.Meta))
}

func (e *SetRole) check() error {
	return errors.Join(checkID("id", e.ID, true), checkRole("role", e.Role))
}

func (e *ReportProgress) check() error { return checkID("id", e.ID, true) }

func (e *Checkpoint) check() error {
	return errors.Join(checkID("learner", e.Learner, true), checkNewID("id", e.ID, false), checkMeta("meta", e.Meta))
}

func (e *RecordResult) check() error {
	err := errors.Join(checkID("match", e.Match, true), checkID("a", e.A, true), checkID("b", e.B, true), checkID("worker", e.Worker, false))
	if err != nil {
		return err
	}
	if e.Outcome < OutcomeAWins || e.Outcome > OutcomeDraw {
		return &FieldError{"outcome", fmt.Sprintf("got %d; expected 1 (a wins), 2 (b wins) or 3 (draw)", e.Outcome)}
	}
	return nil
}

func (e *LeaseMatch) check() error {
	err := errors.Join(checkID("match", e.Match, false), checkID("worker", e.Worker, false), checkID("home", e.Home, false))
	if err != nil {
		return err
	}
	if e.Deadline <= e.Now {
		return &FieldError{"deadline", fmt.Sprintf("%d is not after now (%d)", e.Deadline, e.Now)}
	}
	return nil
}

func (e *ExpireLeases) check() error { return nil }

func (e *UnknownEvent) check() error {
	if _, known := eventNames[e.EventType]; known || e.EventType == 0 || e.EventType >= FlagIgnoreUnknown {
		return &FieldError{"type", fmt.Sprintf("%d is not an unknown event type", uint8(e.EventType))}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
