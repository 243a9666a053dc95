package league

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// AlphaStar league roles (Vinyals et al. 2019; the rules of the published
// pseudocode, ../shared/research/league.md §1), as the "roles" matchmaking.
//
// Main agent: with probability 0.5 PFSP ("squared") over all snapshots.
// Otherwise pick a main agent o uniformly (possibly itself); with
// probability 0.15 try verification: PFSP ("squared") over snapshots of
// main exploiters if the lowest win rate against them is below 0.3, else
// over o's snapshots (after removing the monotonically decreasing suffix of
// win rates) if the lowest is below 0.7; if neither applies, or with the
// remaining 0.35, self-play: o itself if the win rate against it exceeds
// 0.3, else PFSP ("variance") over o's snapshots as a curriculum.
//
// Main exploiter: pick a main agent o uniformly; o itself if the win rate
// against it exceeds 0.1, else PFSP ("variance") over o's snapshots.
//
// League exploiter: PFSP ("linear_capped") over all snapshots.
//
// Snapshot rule, for every role: no checkpoint until MinSteps (2e9) steps
// since the last one; then checkpoint when the lowest win rate against the
// reference set exceeds 0.7 (main agent and league exploiter: all
// snapshots; main exploiter: the main agents) or MaxSteps (4e9) passed.
// Reset rule: a main exploiter always returns to its initial parameters
// after a checkpoint, a league exploiter with probability 0.25, a main agent
// never. All numbers are RolesConfig settings.
//
// Two deliberate choices where the pseudocode is silent or would fail: a
// snapshot is taken before the reset (the pseudocode resets the weights
// first, which would freeze the initial parameters), and where a rule
// needs snapshots that do not exist yet it falls back to the learner or
// main agent itself rather than drawing from an empty set.

// roleOpponents is the "roles" matchmaking. A home member without a role, or
// a snapshot, gets the plain "pfsp" rule.
func roleOpponents(s *State, home int) ([]choice, error) {
	m := s.members[home]
	if m.Kind != KindLearner {
		return pfspOpponents(s, home)
	}
	switch m.Role {
	case RoleMain:
		return s.mainAgentOpponents(home), nil
	case RoleMainExploiter:
		return s.mainExploiterOpponents(home)
	case RoleLeagueExploiter:
		hist := s.snapshots(home)
		if len(hist) == 0 {
			return only(home, "selfplay"), nil
		}
		return s.pfspOver(home, hist, WeightLinearCapped, "pfsp"), nil
	}
	return pfspOpponents(s, home)
}

func (s *State) mainAgentOpponents(home int) []choice {
	rc := s.cfg.Roles
	var out []choice
	if hist := s.snapshots(home); len(hist) > 0 {
		out = scaled(out, rc.PFSPProb, s.pfspOver(home, hist, WeightSquared, "pfsp"))
	} else {
		out = scaled(out, rc.PFSPProb, only(home, "selfplay"))
	}
	rest := 1 - rc.PFSPProb
	verify := min(rc.VerifyProb, rest)
	mains := s.learnersWith(RoleMain)
	n := float64(len(mains))
	for _, o := range mains {
		selfplay := s.mainSelfPlay(home, o)
		verification := s.verification(home, o)
		if verification == nil {
			verification = selfplay
		}
		out = scaled(out, verify/n, verification)
		out = scaled(out, (rest-verify)/n, selfplay)
	}
	return out
}

// mainSelfPlay is the main agent's self-play branch against main agent o.
func (s *State) mainSelfPlay(home, o int) []choice {
	if s.winRate(home, o) > s.cfg.Roles.SelfPlayMin {
		return only(o, "selfplay")
	}
	hist := s.snapshotsOf(o)
	if len(hist) == 0 {
		return only(o, "selfplay")
	}
	return s.pfspOver(home, hist, WeightVariance, "curriculum")
}

// verification is the main agent's verification branch, or nil when
// neither check finds a weakness.
func (s *State) verification(home, o int) []choice {
	rc := s.cfg.Roles
	var exploiterHist []int
	for i, m := range s.members {
		if m.Kind != KindSnapshot || m.Parent == "" {
			continue
		}
		if p := s.members[s.index[m.Parent]]; p.Kind == KindLearner && p.Role == RoleMainExploiter {
			exploiterHist = append(exploiterHist, i)
		}
	}
	if wr := s.winRates(home, exploiterHist); len(wr) > 0 && slices.Min(wr) < rc.ExploitMax {
		return s.pfspOver(home, exploiterHist, WeightSquared, "verification")
	}
	hist := s.snapshotsOf(o)
	wr, hist := removeMonotonicSuffix(s.winRates(home, hist), hist)
	if len(wr) > 0 && slices.Min(wr) < rc.ForgetMax {
		return s.pfspOver(home, hist, WeightSquared, "verification")
	}
	return nil
}

// removeMonotonicSuffix drops the trailing run of snapshots against which
// the win rate keeps falling (newer snapshots being harder is expected, not
// forgetting): it keeps the prefix up to the last i with
// winRates[i−1] < winRates[i], or nothing if there is no such i.
func removeMonotonicSuffix(winRates []float64, idx []int) ([]float64, []int) {
	for i := len(winRates) - 1; i > 0; i-- {
		if winRates[i-1] < winRates[i] {
			return winRates[:i+1], idx[:i+1]
		}
	}
	return nil, nil
}

func (s *State) mainExploiterOpponents(home int) ([]choice, error) {
	mains := s.learnersWith(RoleMain)
	if len(mains) == 0 {
		return nil, fmt.Errorf("%w: main exploiter %q has no main agent to exploit", ErrNoOpponent, s.members[home].ID)
	}
	var out []choice
	for _, o := range mains {
		var c []choice
		if hist := s.snapshotsOf(o); s.winRate(home, o) > s.cfg.Roles.ExploiterMin || len(hist) == 0 {
			c = only(o, "exploit")
		} else {
			c = s.pfspOver(home, hist, WeightVariance, "curriculum")
		}
		out = scaled(out, 1/float64(len(mains)), c)
	}
	return out, nil
}

// readyToCheckpoint applies the snapshot rule to learner i at step.
func (s *State) readyToCheckpoint(i int, step uint64) bool {
	rc := s.cfg.Roles
	m := s.members[i]
	passed := step - m.CheckpointStep
	if passed < rc.MinSteps {
		return false
	}
	var ref []int
	switch m.Role {
	case RoleMainExploiter:
		ref = s.learnersWith(RoleMain)
	default:
		ref = s.snapshots(i)
	}
	wr := s.winRates(i, ref)
	return (len(wr) > 0 && slices.Min(wr) > rc.CheckpointWinRate) || passed > rc.MaxSteps
}

// resetAfterCheckpoint applies the reset rule, drawing from the state's
// generator only for a league exploiter.
func (s *State) resetAfterCheckpoint(r Role) bool {
	switch r {
	case RoleMainExploiter:
		return true
	case RoleLeagueExploiter:
		return rand.New(&s.rng).Float64() < s.cfg.Roles.ResetProb
	}
	return false
}
