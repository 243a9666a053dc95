package league

import (
	"fmt"
	"slices"
)

// applyRecordResult records one match result, once per match id.
func (s *State) applyRecordResult(e *RecordResult) (Effect, error) {
	if _, dup := s.seen[e.Match]; dup {
		return Effect{Duplicate: true}, nil
	}
	a, err := s.member("a", e.A)
	if err != nil {
		return Effect{}, err
	}
	b, err := s.member("b", e.B)
	if err != nil {
		return Effect{}, err
	}
	lease, queued := s.leases[e.Match], -1
	if lease == nil {
		queued = slices.IndexFunc(s.requeue, func(l *Lease) bool { return l.Match == e.Match })
		if queued >= 0 {
			lease = s.requeue[queued]
		}
	}
	if lease != nil && !(lease.Home == e.A && lease.Away == e.B || lease.Home == e.B && lease.Away == e.A) {
		return Effect{}, fmt.Errorf("%w: match %q leased as %s vs %s, result names %s vs %s",
			ErrLeaseMismatch, e.Match, lease.Home, lease.Away, e.A, e.B)
	}

	if lease != nil {
		if queued >= 0 {
			s.unqueue(queued)
		} else {
			delete(s.leases, e.Match)
		}
	}
	s.updateQuality(a, b, e.Outcome)
	s.payoff.update(a, b, e.Outcome, s.cfg.Decay)
	s.seen[e.Match] = struct{}{}
	s.count.Results++
	s.remember(MatchRecord(*e))
	return Effect{}, nil
}
