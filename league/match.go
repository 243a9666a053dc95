package league

import (
	"fmt"
	"math/rand/v2"
)

// Opponent selection. Every matchmaking rule is written as a function from
// (state, home member) to an exact probability distribution over opponents;
// a lease then draws once from it with the state's generator. Writing the
// rules as distributions, rather than as the coin tosses of the AlphaStar
// pseudocode, lets tests compare them with hand-computed closed forms and
// lets the HTTP API show why an opponent is likely.

// Choice is one entry of an opponent distribution.
type Choice struct {
	ID     string
	P      float64
	Branch string // the rule's branch that produced it, e.g. "pfsp", "selfplay"
}

// choice is Choice with the member's index.
type choice struct {
	member int
	p      float64
	branch string
}

// matchmaker is one opponent rule.
type matchmaker func(s *State, home int) ([]choice, error)

func (s *State) matchmaker() matchmaker {
	switch s.cfg.Matchmaking {
	case "uniform":
		return uniformOpponents
	case "latest":
		return latestOpponents
	case "pastself":
		return pastSelfOpponents
	case "roles":
		return roleOpponents
	case "psro":
		return psroOpponents
	}
	return pfspOpponents
}

// Opponents returns the configured matchmaking's distribution over
// opponents for home, one entry per (opponent, branch) in member order.
func (s *State) Opponents(home string) ([]Choice, error) {
	i, err := s.member("home", home)
	if err != nil {
		return nil, fmt.Errorf("league: %w", err)
	}
	cs, err := s.matchmaker()(s, i)
	if err != nil {
		return nil, fmt.Errorf("league: opponents of %q: %w", home, err)
	}
	cs = mergeChoices(cs)
	out := make([]Choice, len(cs))
	for k, c := range cs {
		out[k] = Choice{ID: s.members[c.member].ID, P: c.p, Branch: c.branch}
	}
	return out, nil
}

// mergeChoices sums entries with the same member and branch, keeping the
// first occurrence's position, and drops zero-probability entries.
func mergeChoices(cs []choice) []choice {
	type key struct {
		m int
		b string
	}
	at := make(map[key]int, len(cs))
	out := cs[:0:0]
	for _, c := range cs {
		if c.p == 0 {
			continue
		}
		k := key{c.member, c.branch}
		if i, ok := at[k]; ok {
			out[i].p += c.p
			continue
		}
		at[k] = len(out)
		out = append(out, c)
	}
	return out
}

// sample draws one entry of cs with probability proportional to p, using
// one draw of the generator.
func sample(rng *rand.Rand, cs []choice) (choice, error) {
	var total float64
	for _, c := range cs {
		total += c.p
	}
	if len(cs) == 0 || !(total > 0) {
		return choice{}, fmt.Errorf("%w: empty opponent distribution", ErrNoOpponent)
	}
	u := rng.Float64() * total
	last := -1
	for k, c := range cs {
		if c.p <= 0 {
			continue
		}
		last = k
		if u < c.p {
			return c, nil
		}
		u -= c.p
	}
	return cs[last], nil // rounding left u just above the last mass
}

// scaled appends src to dst with every probability multiplied by w.
func scaled(dst []choice, w float64, src []choice) []choice {
	for _, c := range src {
		dst = append(dst, choice{c.member, w * c.p, c.branch})
	}
	return dst
}

// only is the distribution putting all mass on member i.
func only(i int, branch string) []choice { return []choice{{i, 1, branch}} }

// snapshots returns the indices of all frozen members other than home,
// AlphaStar's "historical" players.
func (s *State) snapshots(home int) []int {
	var out []int
	for i, m := range s.members {
		if m.Kind == KindSnapshot && i != home {
			out = append(out, i)
		}
	}
	return out
}

// snapshotsOf returns the indices of the snapshots whose parent is member p.
func (s *State) snapshotsOf(p int) []int {
	var out []int
	id := s.members[p].ID
	for i, m := range s.members {
		if m.Kind == KindSnapshot && m.Parent == id {
			out = append(out, i)
		}
	}
	return out
}

// learnersWith returns the indices of learners with role r.
func (s *State) learnersWith(r Role) []int {
	var out []int
	for i, m := range s.members {
		if m.Kind == KindLearner && m.Role == r {
			out = append(out, i)
		}
	}
	return out
}

// winRates returns home's win rates against each of idx.
func (s *State) winRates(home int, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, j := range idx {
		out[k] = s.winRate(home, j)
	}
	return out
}
