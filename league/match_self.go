package league

import "math"

// latestOpponents is the "latest" matchmaking: naive self-play, home
// against its own current parameters.
func latestOpponents(_ *State, home int) ([]choice, error) {
	return only(home, "selfplay"), nil
}

// pastSelfOpponents is OpenAI Five's "pastself" matchmaking: the current
// self with probability PastSelf.Latest (0.8), otherwise one of home's own
// snapshots drawn from the softmax of their quality scores. With no
// snapshots yet, always the current self.
func pastSelfOpponents(s *State, home int) ([]choice, error) {
	past := s.snapshotsOf(home)
	if len(past) == 0 {
		return only(home, "selfplay"), nil
	}
	out := []choice{{home, s.cfg.PastSelf.Latest, "selfplay"}}
	probs := s.qualitySoftmax(past)
	return scaled(out, 1-s.cfg.PastSelf.Latest, qualityChoices(past, probs)), nil
}

func qualityChoices(idx []int, probs []float64) []choice {
	out := make([]choice, len(idx))
	for k, j := range idx {
		out[k] = choice{j, probs[k], "past"}
	}
	return out
}

// qualitySoftmax returns softmax(q) over the members idx.
func (s *State) qualitySoftmax(idx []int) []float64 {
	qmax := math.Inf(-1)
	for _, j := range idx {
		qmax = max(qmax, s.members[j].Quality)
	}
	probs := make([]float64, len(idx))
	var sum float64
	for k, j := range idx {
		probs[k] = math.Exp(s.members[j].Quality - qmax)
		sum += probs[k]
	}
	for k := range probs {
		probs[k] /= sum
	}
	return probs
}

// updateQuality applies OpenAI Five's quality update after a result
// between a learner and one of its own snapshots: when the learner wins,
// the snapshot's quality drops by η/(N·p), N being the number of the
// learner's snapshots and p the snapshot's current sampling probability,
// so past selves that are easy to beat are sampled less.
func (s *State) updateQuality(a, b int, o Outcome) {
	if s.cfg.Matchmaking != "pastself" {
		return
	}
	if s.members[a].Kind == KindSnapshot {
		a, b, o = b, a, o.swap()
	}
	learner, snap := s.members[a], s.members[b]
	if o != OutcomeAWins || learner.Kind != KindLearner || snap.Kind != KindSnapshot || snap.Parent != learner.ID {
		return
	}
	past := s.snapshotsOf(a)
	probs := s.qualitySoftmax(past)
	for k, j := range past {
		if j == b {
			snap.Quality -= s.cfg.PastSelf.LR / (float64(len(past)) * probs[k])
			return
		}
	}
}
