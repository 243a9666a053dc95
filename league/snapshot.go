package league

import (
	"fmt"
	"maps"
	"strconv"
)

// checkpoint freezes learner i into a new snapshot and returns its id: id,
// or "<learner>@<n>" (n counting the learner's checkpoints from 0). The
// caller has checked that the id is free and the member limit. The new
// snapshot's quality is the highest quality among the learner's earlier
// snapshots, as OpenAI Five adds past versions.
func (s *State) checkpoint(i int, id string, meta map[string]string) string {
	l := s.members[i]
	if id == "" {
		id = l.ID + "@" + strconv.FormatUint(l.Checkpoints, 10)
	}
	if meta == nil {
		meta = l.Meta
	}
	q, first := 0.0, true
	for _, m := range s.members {
		if m.Kind == KindSnapshot && m.Parent == l.ID && (first || m.Quality > q) {
			q, first = m.Quality, false
		}
	}
	snap := &Member{ID: id, Kind: KindSnapshot, Role: l.Role, Parent: l.ID, Step: l.Step,
		Params: l.Params, Meta: maps.Clone(meta), Quality: q}
	if err := s.addMember(snap); err != nil {
		// Callers check both conditions first; reaching this is a bug.
		panic(fmt.Sprintf("league: checkpoint %q: %v", id, err))
	}
	l.CheckpointStep = l.Step
	l.Checkpoints++
	s.count.Checkpoints++
	return id
}

// nextSnapshotID returns the id checkpoint would generate for learner i.
func (s *State) nextSnapshotID(i int) string {
	l := s.members[i]
	return l.ID + "@" + strconv.FormatUint(l.Checkpoints, 10)
}

func (s *State) applyCheckpoint(e *Checkpoint) (Effect, error) {
	i, err := s.learner(e.Learner)
	if err != nil {
		return Effect{}, err
	}
	id := e.ID
	if id == "" {
		id = s.nextSnapshotID(i)
	}
	if _, ok := s.index[id]; ok {
		return Effect{}, fmt.Errorf("%w: member %q", ErrExists, id)
	}
	if len(s.members) >= MaxMembers {
		return Effect{}, fmt.Errorf("%w: %d members", ErrLimit, MaxMembers)
	}
	return Effect{Snapshot: s.checkpoint(i, id, e.Meta)}, nil
}

// applyReportProgress records a learner's step and parameters, then applies
// the AlphaStar snapshot and reset rules to learners with a role.
func (s *State) applyReportProgress(e *ReportProgress) (Effect, error) {
	i, err := s.learner(e.ID)
	if err != nil {
		return Effect{}, err
	}
	l := s.members[i]
	if e.Step < l.Step {
		return Effect{}, &FieldError{"step", fmt.Sprintf("%d is before the learner's current step %d", e.Step, l.Step)}
	}
	ready := l.Role != RoleNone && s.readyToCheckpoint(i, e.Step)
	if ready {
		if _, taken := s.index[s.nextSnapshotID(i)]; taken {
			return Effect{}, fmt.Errorf("%w: member %q", ErrExists, s.nextSnapshotID(i))
		}
		if len(s.members) >= MaxMembers {
			return Effect{}, fmt.Errorf("%w: %d members, cannot checkpoint %q", ErrLimit, MaxMembers, l.ID)
		}
	}
	l.Step = e.Step
	if !e.Params.IsZero() {
		l.Params = e.Params
	}
	if !ready {
		return Effect{}, nil
	}
	eff := Effect{Snapshot: s.checkpoint(i, "", nil)}
	if s.resetAfterCheckpoint(l.Role) {
		l.Params = l.Initial
		s.count.Resets++
		eff.Reset = true
	}
	return eff, nil
}
