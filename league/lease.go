package league

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Leases. A worker asks for a match (LeaseMatch); the league answers with a
// lease naming the match id, the two members and a deadline the proposer
// chose. The result comes back as RecordResult with that match id, which
// ends the lease. ExpireLeases, proposed with the current time, moves
// overdue leases to a queue; the next LeaseMatch re-issues the oldest one
// under the same match id, so a slow worker and its replacement cannot both
// be counted (the second result is a duplicate).

// matchInUse reports whether id names a recorded result or a lease.
func (s *State) matchInUse(id string) bool {
	if _, ok := s.seen[id]; ok {
		return true
	}
	if _, ok := s.leases[id]; ok {
		return true
	}
	return slices.ContainsFunc(s.requeue, func(l *Lease) bool { return l.Match == id })
}

func (s *State) applyLeaseMatch(e *LeaseMatch) (Effect, error) {
	if e.Match != "" && s.matchInUse(e.Match) {
		return Effect{}, fmt.Errorf("%w: match %q", ErrExists, e.Match)
	}
	home := -1
	if e.Home != "" {
		i, err := s.member("home", e.Home)
		if err != nil {
			return Effect{}, err
		}
		home = i
	}
	if k := slices.IndexFunc(s.requeue, func(l *Lease) bool { return e.Home == "" || l.Home == e.Home }); k >= 0 {
		l := s.requeue[k]
		s.unqueue(k)
		l.Worker, l.Issued, l.Deadline = e.Worker, e.Now, e.Deadline
		l.Attempt++
		s.leases[l.Match] = l
		s.members[s.index[l.Home]].Leased++
		s.count.Leases++
		issued := *l
		return Effect{Lease: &issued}, nil
	}
	if len(s.leases)+len(s.requeue) >= MaxLeases {
		return Effect{}, fmt.Errorf("%w: %d outstanding leases", ErrLimit, MaxLeases)
	}

	saved := s.rng // restored on failure, so a failed lease changes nothing
	rng := rand.New(&s.rng)
	if home < 0 {
		i, err := s.pickHome(rng)
		if err != nil {
			s.rng = saved
			return Effect{}, err
		}
		home = i
	}
	cs, err := s.matchmaker()(s, home)
	var c choice
	if err == nil {
		c, err = sample(rng, cs)
	}
	if err != nil {
		s.rng = saved
		return Effect{}, err
	}

	id := e.Match
	for id == "" || s.matchInUse(id) {
		s.count.NextMatch++
		id = "m" + strconv.FormatUint(s.count.NextMatch, 10)
	}
	l := &Lease{Match: id, Home: s.members[home].ID, Away: s.members[c.member].ID, Worker: e.Worker,
		Branch: c.branch, Issued: e.Now, Deadline: e.Deadline, Attempt: 1}
	s.leases[id] = l
	s.members[home].Leased++
	s.count.Leases++
	issued := *l
	return Effect{Lease: &issued}, nil
}

// unqueue removes entry k of the re-issue queue. An emptied queue is nil,
// so equal states are equal Go values, not only equal encodings.
func (s *State) unqueue(k int) {
	s.requeue = slices.Delete(s.requeue, k, k+1)
	if len(s.requeue) == 0 {
		s.requeue = nil
	}
}

// pickHome chooses the home member of a new match: the learner with the
// fewest leases (the earliest added on ties), or, in a league without
// learners, a uniformly drawn member.
func (s *State) pickHome(rng *rand.Rand) (int, error) {
	best := -1
	for i, m := range s.members {
		if m.Kind == KindLearner && (best < 0 || m.Leased < s.members[best].Leased) {
			best = i
		}
	}
	if best >= 0 {
		return best, nil
	}
	if len(s.members) == 0 {
		return 0, fmt.Errorf("%w: the league is empty", ErrNoOpponent)
	}
	return rng.IntN(len(s.members)), nil
}

func (s *State) applyExpireLeases(e *ExpireLeases) Effect {
	var expired []*Lease
	for _, l := range s.leases {
		if l.Deadline <= e.Now {
			expired = append(expired, l)
		}
	}
	if len(expired) == 0 {
		return Effect{}
	}
	slices.SortFunc(expired, func(a, b *Lease) int {
		return cmp.Or(cmp.Compare(a.Deadline, b.Deadline), cmp.Compare(a.Match, b.Match))
	})
	ids := make([]string, len(expired))
	for k, l := range expired {
		ids[k] = l.Match
		delete(s.leases, l.Match)
		if s.cfg.Reissue {
			s.requeue = append(s.requeue, l)
		}
	}
	s.count.Expired += uint64(len(expired))
	return Effect{Expired: ids}
}
