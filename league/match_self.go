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

// qualitySoftmax returns softmax(q) over the members idx. It feeds the
// quality update, whose result is replicated state, so it uses
// expPortable rather than math.Exp.
func (s *State) qualitySoftmax(idx []int) []float64 {
	qmax := math.Inf(-1)
	for _, j := range idx {
		qmax = max(qmax, s.members[j].Quality)
	}
	probs := make([]float64, len(idx))
	var sum float64
	for k, j := range idx {
		probs[k] = expPortable(s.members[j].Quality - qmax)
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

// expPortable returns e^x using only explicitly rounded float64 operations,
// so every machine computes the same bits: math.Exp on amd64 uses FMA
// instructions when the CPU has them, and Go may fuse a multiply-add on
// other architectures, either of which would let replicas of the state
// drift apart in the last bit. x = k·ln2 + r with |r| ≤ ln2/2, e^r by its
// Taylor series (15 terms; truncation below 1e-18), then scaled by 2^k;
// within a few ulps of math.Exp.
func expPortable(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709.78:
		return math.Inf(1)
	case x < -745.2:
		return 0
	}
	const (
		log2e = 1.4426950408889634         // 1/ln 2
		ln2Hi = 6.93147180369123816490e-01 // ln 2 rounded to 32 bits, so k·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10 // ln 2 − ln2Hi
	)
	k := math.Floor(float64(x*log2e) + 0.5)
	r := float64(x-float64(k*ln2Hi)) - float64(k*ln2Lo)
	sum, term := 1.0, 1.0
	for i := 1; i <= 15; i++ {
		term = float64(term*r) / float64(i)
		sum += term
	}
	return math.Ldexp(sum, int(k))
}
