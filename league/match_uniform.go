package league

// uniformOpponents is the "uniform" matchmaking: every snapshot other than
// home equally likely (fictitious self-play over the population);
// self-play when there are none yet.
func uniformOpponents(s *State, home int) ([]choice, error) {
	cands := s.snapshots(home)
	if len(cands) == 0 {
		return only(home, "selfplay"), nil
	}
	out := make([]choice, len(cands))
	for k, j := range cands {
		out[k] = choice{j, 1 / float64(len(cands)), "uniform"}
	}
	return out, nil
}
