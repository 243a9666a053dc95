package league

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/vmihailenco/msgpack/v5"
)

// stateVersion is the version of the snapshot encoding.
const stateVersion = 1

// stateWire is the encoded form of a State. Everything held in maps inside
// State is written as sorted slices, and the remaining maps (metadata) are
// written with sorted keys, so equal states encode to equal bytes.
type stateWire struct {
	Version uint8         `msgpack:"version"`
	Config  Config        `msgpack:"config"`
	Members []*Member     `msgpack:"members"`
	Pairs   []pairWire    `msgpack:"pairs"`
	Leases  []*Lease      `msgpack:"leases"`
	Requeue []*Lease      `msgpack:"requeue"`
	Seen    []string      `msgpack:"seen"`
	Recent  []MatchRecord `msgpack:"recent"`
	// RecentNext is the ring position of the oldest recent result.
	RecentNext int      `msgpack:"recent_next"`
	RNG        []byte   `msgpack:"rng"`
	Counters   Counters `msgpack:"counters"`
}

type pairWire struct {
	Lo    uint32    `msgpack:"lo"`
	Hi    uint32    `msgpack:"hi"`
	Stats pairStats `msgpack:"stats"`
}

// Encode returns the state's canonical msgpack encoding: equal states give
// equal bytes, and DecodeState gives back an equal state.
func (s *State) Encode() ([]byte, error) {
	rng, err := s.rng.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("league: encode state: %w", err)
	}
	w := stateWire{
		Version:    stateVersion,
		Config:     s.cfg,
		Members:    s.members,
		Requeue:    s.requeue,
		Seen:       slices.Sorted(maps.Keys(s.seen)),
		Recent:     s.recent,
		RecentNext: s.recentNext,
		RNG:        rng,
		Counters:   s.count,
	}
	for _, k := range slices.Sorted(maps.Keys(s.payoff.pairs)) {
		lo, hi := splitPairKey(k)
		w.Pairs = append(w.Pairs, pairWire{uint32(lo), uint32(hi), *s.payoff.pairs[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(s.leases)) {
		w.Leases = append(w.Leases, s.leases[k])
	}
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(&w); err != nil {
		return nil, fmt.Errorf("league: encode state: %w", err)
	}
	return buf.Bytes(), nil
}

// Hash returns the sha256 of the state's encoding, for comparing replicas.
func (s *State) Hash() Hash {
	b, err := s.Encode()
	if err != nil {
		// Encoding fixed Go types into memory cannot fail.
		panic(err)
	}
	return sha256.Sum256(b)
}

// DecodeState decodes a state encoded by State.Encode and checks its
// invariants, so a corrupt or hostile snapshot is an error, never a state
// that panics later.
func DecodeState(b []byte) (*State, error) {
	var w stateWire
	d := msgpack.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&w); err != nil {
		return nil, fmt.Errorf("league: decode state: %w", err)
	}
	if w.Version != stateVersion {
		return nil, fmt.Errorf("league: decode state: version %d, expected %d", w.Version, stateVersion)
	}
	s, err := w.state()
	if err != nil {
		return nil, fmt.Errorf("league: decode state: %w", err)
	}
	return s, nil
}

func (w *stateWire) state() (*State, error) {
	if err := w.Config.validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s := NewState()
	s.cfg = w.Config
	s.count = w.Counters
	if err := s.rng.UnmarshalBinary(w.RNG); err != nil {
		return nil, fmt.Errorf("rng: %w", err)
	}
	if len(w.Members) > MaxMembers {
		return nil, fmt.Errorf("%d members: %w", len(w.Members), ErrLimit)
	}
	for k, m := range w.Members {
		if err := checkMember(m); err != nil {
			return nil, fmt.Errorf("member %d: %w", k, err)
		}
		if err := s.addMember(m); err != nil {
			return nil, fmt.Errorf("member %d: %w", k, err)
		}
		if len(m.Meta) == 0 {
			m.Meta = nil
		}
	}
	for _, m := range s.members {
		if _, ok := s.index[m.Parent]; m.Parent != "" && !ok {
			return nil, fmt.Errorf("member %q: parent %q: %w", m.ID, m.Parent, ErrUnknownMember)
		}
	}
	s.payoff.pairs = make(map[uint64]*pairStats, len(w.Pairs))
	for k, p := range w.Pairs {
		if p.Lo >= p.Hi || int(p.Hi) >= len(s.members) {
			return nil, fmt.Errorf("pair %d: members (%d, %d) of %d", k, p.Lo, p.Hi, len(s.members))
		}
		if k > 0 && pairKey(int(w.Pairs[k-1].Lo), int(w.Pairs[k-1].Hi)) >= pairKey(int(p.Lo), int(p.Hi)) {
			return nil, fmt.Errorf("pair %d: not in increasing order", k)
		}
		if !p.Stats.valid() {
			return nil, fmt.Errorf("pair %d: impossible statistics %+v", k, p.Stats)
		}
		st := p.Stats
		s.payoff.pairs[pairKey(int(p.Lo), int(p.Hi))] = &st
	}
	if len(w.Leases)+len(w.Requeue) > MaxLeases {
		return nil, fmt.Errorf("%d leases: %w", len(w.Leases)+len(w.Requeue), ErrLimit)
	}
	for k, l := range append(slices.Clip(w.Leases), w.Requeue...) {
		if err := s.checkLease(l); err != nil {
			return nil, fmt.Errorf("lease %d: %w", k, err)
		}
		if s.matchInUse(l.Match) {
			return nil, fmt.Errorf("lease %d: match %q: %w", k, l.Match, ErrExists)
		}
		if k < len(w.Leases) {
			s.leases[l.Match] = l
		} else {
			s.requeue = append(s.requeue, l)
		}
	}
	for k, id := range w.Seen {
		if err := checkID("seen", id, true); err != nil {
			return nil, fmt.Errorf("seen %d: %w", k, err)
		}
		if s.matchInUse(id) {
			return nil, fmt.Errorf("seen %d: match %q: %w", k, id, ErrExists)
		}
		s.seen[id] = struct{}{}
	}
	if len(w.Recent) > s.cfg.Recent {
		return nil, fmt.Errorf("%d recent results, config keeps %d", len(w.Recent), s.cfg.Recent)
	}
	for k, r := range w.Recent {
		ev := RecordResult(r)
		if err := ev.check(); err != nil {
			return nil, fmt.Errorf("recent %d: %w", k, err)
		}
	}
	if w.RecentNext < 0 || w.RecentNext > 0 && (w.RecentNext >= len(w.Recent) || len(w.Recent) != s.cfg.Recent) {
		return nil, fmt.Errorf("recent ring position %d of %d results, config keeps %d", w.RecentNext, len(w.Recent), s.cfg.Recent)
	}
	if len(w.Recent) > 0 {
		s.recent, s.recentNext = w.Recent, w.RecentNext
	}
	return s, nil
}

func checkMember(m *Member) error {
	if m == nil {
		return errors.New("missing")
	}
	err := errors.Join(checkID("id", m.ID, true), checkID("parent", m.Parent, false), checkRole("role", m.Role), checkMeta("meta", m.Meta))
	if err != nil {
		return err
	}
	if m.Kind != KindLearner && m.Kind != KindSnapshot {
		return fmt.Errorf("kind %d", m.Kind)
	}
	if m.CheckpointStep > m.Step {
		return fmt.Errorf("checkpoint step %d after step %d", m.CheckpointStep, m.Step)
	}
	if math.IsNaN(m.Quality) || math.IsInf(m.Quality, 0) {
		return fmt.Errorf("quality %v", m.Quality)
	}
	return nil
}

func (s *State) checkLease(l *Lease) error {
	if l == nil {
		return errors.New("missing")
	}
	if err := errors.Join(checkID("match", l.Match, true), checkID("worker", l.Worker, false)); err != nil {
		return err
	}
	if _, ok := s.index[l.Home]; !ok {
		return fmt.Errorf("home %q: %w", l.Home, ErrUnknownMember)
	}
	if _, ok := s.index[l.Away]; !ok {
		return fmt.Errorf("away %q: %w", l.Away, ErrUnknownMember)
	}
	if l.Attempt == 0 {
		return errors.New("attempt 0")
	}
	return nil
}
