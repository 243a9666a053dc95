package league

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
)

// Member is one player of the league: a learner (trainable; its parameters
// change as it reports progress) or a frozen snapshot (AlphaStar's
// "historical" player).
type Member struct {
	ID     string            `msgpack:"id"`
	Kind   Kind              `msgpack:"kind"`
	Role   Role              `msgpack:"role"`
	Parent string            `msgpack:"parent"` // the member a snapshot was taken from
	Step   uint64            `msgpack:"step"`
	Params Hash              `msgpack:"params"`
	Meta   map[string]string `msgpack:"meta"`

	// Learners only.
	Initial        Hash   `msgpack:"initial"`         // parameters a reset returns to
	CheckpointStep uint64 `msgpack:"checkpoint_step"` // Step at the last checkpoint
	Checkpoints    uint64 `msgpack:"checkpoints"`     // snapshots taken so far

	// Leased counts leases issued with this member at home.
	Leased uint64 `msgpack:"leased"`
	// Quality is OpenAI Five's past-self quality score, kept for snapshots
	// while matchmaking is "pastself".
	Quality float64 `msgpack:"quality"`
}

func (m *Member) clone() *Member {
	c := *m
	c.Meta = maps.Clone(m.Meta)
	return &c
}

// Lease is a match handed to a worker, outstanding until its result arrives
// or it expires.
type Lease struct {
	Match    string `msgpack:"match"`
	Home     string `msgpack:"home"`
	Away     string `msgpack:"away"`
	Worker   string `msgpack:"worker"`
	Branch   string `msgpack:"branch"` // why this opponent: "pfsp", "selfplay", "verification", …
	Issued   int64  `msgpack:"issued"`
	Deadline int64  `msgpack:"deadline"`
	Attempt  uint32 `msgpack:"attempt"` // 1 when first issued, +1 per re-issue
}

// MatchRecord is one recorded result, as kept in the recent-results list.
type MatchRecord struct {
	Match   string  `msgpack:"match"`
	A       string  `msgpack:"a"`
	B       string  `msgpack:"b"`
	Outcome Outcome `msgpack:"outcome"`
	Worker  string  `msgpack:"worker"`
	Time    int64   `msgpack:"time"`
}

// Counters summarise the league's history.
type Counters struct {
	Results     uint64 `msgpack:"results"`     // distinct results recorded
	Leases      uint64 `msgpack:"leases"`      // leases issued, re-issues included
	Expired     uint64 `msgpack:"expired"`     // leases that expired
	Checkpoints uint64 `msgpack:"checkpoints"` // snapshots taken from learners
	Resets      uint64 `msgpack:"resets"`      // learners reset to initial parameters
	NextMatch   uint64 `msgpack:"next_match"`  // sequence of generated match ids
}

// Effect reports what an applied event did beyond changing the state.
type Effect struct {
	// Duplicate: a RecordResult whose match id was already recorded; the
	// state did not change.
	Duplicate bool
	// Ignored: an UnknownEvent; the state did not change.
	Ignored bool
	// Lease: the lease a LeaseMatch issued.
	Lease *Lease
	// Expired: the match ids an ExpireLeases expired, by deadline then id.
	Expired []string
	// Snapshot: the id of the snapshot AddSnapshot, Checkpoint, AddLearner
	// (role main) or ReportProgress (snapshot rule) created, if any.
	Snapshot string
	// Reset: the learner was reset to its initial parameters, which its
	// trainer must load (ReportProgress, per the AlphaStar reset rule).
	Reset bool
}

// State is the league: members, payoff table, leases, recorded match ids,
// configuration and a seeded random generator. It changes only through
// Apply, which is deterministic: the same events in the same order give the
// same state, bit for bit (see Hash), on any machine.
//
// A State is not safe for concurrent use; callers serialise Apply and
// reads (a Raft FSM does; Clone gives a reader its own copy).
type State struct {
	cfg     Config
	members []*Member
	index   map[string]int
	payoff  payoffTable
	leases  map[string]*Lease // active, by match id
	requeue []*Lease          // expired, waiting to be re-issued, oldest first
	seen    map[string]struct{}
	recent  []MatchRecord // ring of the latest results, at most cfg.Recent
	// recentNext is where the next result goes once the ring is full; the
	// oldest result is recent[recentNext].
	recentNext int
	rng        rand.PCG
	count      Counters
}

// Default seed of a new State's generator; Configure "seed" replaces it.
const (
	defaultSeed = 0x5e1f_91a7
	seedStream  = 0x9e37_79b9_7f4a_7c15
)

// NewState returns an empty league with DefaultConfig.
func NewState() *State {
	s := &State{
		cfg:    DefaultConfig(),
		index:  make(map[string]int),
		payoff: payoffTable{pairs: make(map[uint64]*pairStats)},
		leases: make(map[string]*Lease),
		seen:   make(map[string]struct{}),
	}
	s.rng.Seed(defaultSeed, seedStream)
	return s
}

// Apply applies one event. It is pure: no clock, no I/O, randomness only
// from the state's own generator. An invalid event returns an error wrapping
// one of the package's sentinels and leaves the state unchanged.
func (s *State) Apply(ev Event) (Effect, error) {
	if ev == nil {
		return Effect{}, fmt.Errorf("league: %w: nil event", ErrInvalidEvent)
	}
	if err := ev.check(); err != nil {
		return Effect{}, fmt.Errorf("league: %s: %w", ev.Type(), err)
	}
	var (
		eff Effect
		err error
	)
	switch e := ev.(type) {
	case *Configure:
		err = s.applyConfigure(e)
	case *AddLearner:
		eff, err = s.applyAddLearner(e)
	case *AddSnapshot:
		eff, err = s.applyAddSnapshot(e)
	case *SetRole:
		err = s.applySetRole(e)
	case *ReportProgress:
		eff, err = s.applyReportProgress(e)
	case *Checkpoint:
		eff, err = s.applyCheckpoint(e)
	case *RecordResult:
		eff, err = s.applyRecordResult(e)
	case *LeaseMatch:
		eff, err = s.applyLeaseMatch(e)
	case *ExpireLeases:
		eff = s.applyExpireLeases(e)
	case *UnknownEvent:
		eff.Ignored = true
	default:
		err = fmt.Errorf("%w: unexpected event type %T", ErrInvalidEvent, ev)
	}
	if err != nil {
		return Effect{}, fmt.Errorf("league: %s: %w", ev.Type(), err)
	}
	return eff, nil
}

func (s *State) applyConfigure(e *Configure) error {
	cfg, err := s.cfg.apply(e.Settings)
	if err != nil {
		return err
	}
	if v, ok := e.Settings["seed"]; ok {
		seed, _ := parseCount(v, 0, 1<<63) // checked by Configure.check
		s.rng.Seed(seed, seedStream)
	}
	if cfg.Recent != s.cfg.Recent {
		// Re-lay the ring in order, keeping the latest results that fit.
		logical := s.Recent()
		s.recent = slices.Clip(logical[max(0, len(logical)-cfg.Recent):])
		s.recentNext = 0
		if len(s.recent) == 0 {
			s.recent = nil
		}
	}
	s.cfg = cfg
	return nil
}

func (s *State) addMember(m *Member) error {
	if _, ok := s.index[m.ID]; ok {
		return fmt.Errorf("%w: member %q", ErrExists, m.ID)
	}
	if len(s.members) >= MaxMembers {
		return fmt.Errorf("%w: %d members", ErrLimit, MaxMembers)
	}
	s.index[m.ID] = len(s.members)
	s.members = append(s.members, m)
	return nil
}

func (s *State) applyAddLearner(e *AddLearner) (Effect, error) {
	if _, ok := s.index[e.ID]; ok {
		return Effect{}, fmt.Errorf("%w: member %q", ErrExists, e.ID)
	}
	// A main agent is checkpointed at once: make sure both fit.
	if need := 1 + b2i(e.Role == RoleMain); len(s.members)+need > MaxMembers {
		return Effect{}, fmt.Errorf("%w: %d members", ErrLimit, MaxMembers)
	}
	m := &Member{ID: e.ID, Kind: KindLearner, Role: e.Role, Step: e.Step, Params: e.Params,
		Initial: e.Params, CheckpointStep: e.Step, Meta: maps.Clone(e.Meta)}
	if err := s.addMember(m); err != nil {
		return Effect{}, err
	}
	var eff Effect
	if e.Role == RoleMain {
		eff.Snapshot = s.checkpoint(len(s.members)-1, "", nil)
	}
	return eff, nil
}

func (s *State) applyAddSnapshot(e *AddSnapshot) (Effect, error) {
	if e.Parent != "" {
		if _, ok := s.index[e.Parent]; !ok {
			return Effect{}, fmt.Errorf("%w: parent %q", ErrUnknownMember, e.Parent)
		}
	}
	m := &Member{ID: e.ID, Kind: KindSnapshot, Role: e.Role, Parent: e.Parent, Step: e.Step,
		Params: e.Params, Meta: maps.Clone(e.Meta)}
	if err := s.addMember(m); err != nil {
		return Effect{}, err
	}
	return Effect{Snapshot: e.ID}, nil
}

func (s *State) applySetRole(e *SetRole) error {
	i, err := s.learner(e.ID)
	if err != nil {
		return err
	}
	s.members[i].Role = e.Role
	return nil
}

// member returns the index of id.
func (s *State) member(field, id string) (int, error) {
	i, ok := s.index[id]
	if !ok {
		return 0, fmt.Errorf("%w: %s %q", ErrUnknownMember, field, id)
	}
	return i, nil
}

// learner returns the index of the learner id.
func (s *State) learner(id string) (int, error) {
	i, err := s.member("id", id)
	if err != nil {
		return 0, err
	}
	if s.members[i].Kind != KindLearner {
		return 0, fmt.Errorf("%w: %q is a snapshot", ErrNotLearner, id)
	}
	return i, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Config returns the current configuration.
func (s *State) Config() Config { return s.cfg }

// Counters returns the league's counters.
func (s *State) Counters() Counters { return s.count }

// Len returns the number of members.
func (s *State) Len() int { return len(s.members) }

// Members returns copies of all members in the order they were added.
func (s *State) Members() []Member {
	out := make([]Member, len(s.members))
	for i, m := range s.members {
		out[i] = *m.clone()
	}
	return out
}

// Member returns a copy of the member id.
func (s *State) Member(id string) (Member, bool) {
	i, ok := s.index[id]
	if !ok {
		return Member{}, false
	}
	return *s.members[i].clone(), true
}

// WinRate returns the decayed probability that a beats b (draws count
// half; 0.5 for an unplayed pair).
func (s *State) WinRate(a, b string) (float64, error) {
	i, err := s.member("a", a)
	if err != nil {
		return 0, fmt.Errorf("league: %w", err)
	}
	j, err := s.member("b", b)
	if err != nil {
		return 0, fmt.Errorf("league: %w", err)
	}
	return s.winRate(i, j), nil
}

func (s *State) winRate(i, j int) float64 { return s.payoff.winRate(i, j, s.cfg.MinGames) }

// WinRates returns home's win rates against each of opponents.
func (s *State) WinRates(home string, opponents []string) ([]float64, error) {
	i, err := s.member("home", home)
	if err != nil {
		return nil, fmt.Errorf("league: %w", err)
	}
	out := make([]float64, len(opponents))
	for k, id := range opponents {
		j, err := s.member("opponent", id)
		if err != nil {
			return nil, fmt.Errorf("league: %w", err)
		}
		out[k] = s.winRate(i, j)
	}
	return out, nil
}

// PayoffMatrix returns W with W[i][j] the win rate of ids[i] against ids[j]
// (0.5 on the diagonal), so W + Wᵀ = 1.
func (s *State) PayoffMatrix(ids []string) ([][]float64, error) {
	idx := make([]int, len(ids))
	for k, id := range ids {
		i, err := s.member("id", id)
		if err != nil {
			return nil, fmt.Errorf("league: %w", err)
		}
		idx[k] = i
	}
	return s.payoffMatrix(idx), nil
}

func (s *State) payoffMatrix(idx []int) [][]float64 {
	w := make([][]float64, len(idx))
	for a, i := range idx {
		w[a] = make([]float64, len(idx))
		for b, j := range idx {
			w[a][b] = s.winRate(i, j)
		}
	}
	return w
}

// Games returns the decayed number of games between a and b.
func (s *State) Games(a, b string) (float64, error) {
	i, err := s.member("a", a)
	if err != nil {
		return 0, fmt.Errorf("league: %w", err)
	}
	j, err := s.member("b", b)
	if err != nil {
		return 0, fmt.Errorf("league: %w", err)
	}
	return s.payoff.games(i, j), nil
}

// Tally is the undecayed record of one pair, for ratings.
type Tally struct {
	A, B                string
	WinsA, Draws, WinsB uint64
}

// Tallies returns the undecayed results of every pair that played, A being
// the member added first; pairs in order of (A, B) insertion index.
func (s *State) Tallies() []Tally {
	keys := slices.Sorted(maps.Keys(s.payoff.pairs))
	out := make([]Tally, 0, len(keys))
	for _, k := range keys {
		lo, hi := splitPairKey(k)
		p := s.payoff.pairs[k]
		out = append(out, Tally{A: s.members[lo].ID, B: s.members[hi].ID,
			WinsA: p.TotalWins, Draws: p.TotalDraws, WinsB: p.TotalLosses})
	}
	return out
}

// Battles returns every recorded result as battles for the rating methods
// (Rate): all members interned in the order they were added, then the
// results pair by pair in Tallies order. The order is not chronological,
// so it suits the order-free methods (Bradley–Terry, Nash averaging,
// maximal lotteries, α-Rank); online Elo would need the results in time
// order, which the state does not keep beyond Recent.
func (s *State) Battles() *Battles {
	bs := NewBattles()
	for _, m := range s.members {
		bs.Intern(m.ID)
	}
	for _, t := range s.Tallies() {
		for range t.WinsA {
			bs.Add(t.A, t.B, AWins)
		}
		for range t.Draws {
			bs.Add(t.A, t.B, Tie)
		}
		for range t.WinsB {
			bs.Add(t.A, t.B, BWins)
		}
	}
	return bs
}

// Leases returns the active leases sorted by match id, then the expired
// ones waiting to be re-issued in queue order.
func (s *State) Leases() (active, queued []Lease) {
	for _, k := range slices.Sorted(maps.Keys(s.leases)) {
		active = append(active, *s.leases[k])
	}
	for _, l := range s.requeue {
		queued = append(queued, *l)
	}
	return active, queued
}

// Recent returns the latest recorded results, oldest first.
func (s *State) Recent() []MatchRecord {
	return append(slices.Clone(s.recent[s.recentNext:]), s.recent[:s.recentNext]...)
}

// remember adds a result to the ring of recent results.
func (s *State) remember(r MatchRecord) {
	switch {
	case s.cfg.Recent == 0:
	case len(s.recent) < s.cfg.Recent:
		s.recent = append(s.recent, r)
	default:
		s.recent[s.recentNext] = r
		s.recentNext = (s.recentNext + 1) % len(s.recent)
	}
}

// Seen reports whether a result with this match id was recorded.
func (s *State) Seen(match string) bool {
	_, ok := s.seen[match]
	return ok
}

// Clone returns a deep copy, e.g. for a Raft snapshot taken while Apply
// continues on the original.
func (s *State) Clone() *State {
	c := &State{
		cfg:        s.cfg,
		members:    make([]*Member, len(s.members)),
		index:      maps.Clone(s.index),
		payoff:     s.payoff.clone(),
		leases:     make(map[string]*Lease, len(s.leases)),
		seen:       maps.Clone(s.seen),
		recent:     slices.Clone(s.recent),
		recentNext: s.recentNext,
		rng:        s.rng,
		count:      s.count,
	}
	for i, m := range s.members {
		c.members[i] = m.clone()
	}
	for k, l := range s.leases {
		l := *l
		c.leases[k] = &l
	}
	for _, l := range s.requeue {
		l := *l
		c.requeue = append(c.requeue, &l)
	}
	return c
}
