package leaguesim

import (
	"fmt"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// Judgement is one comparison inside a match: in context Context the home
// member answered Home, the away member Away, and the judge gave the home
// answer Score: 1 preferred, 0 not, ½ when both gave the same answer (a
// response is never preferred to itself).
type Judgement struct {
	Context    int
	Home, Away int
	Score      float64
}

// MatchOptions control PlayMatch.
type MatchOptions struct {
	// Judgements is the number of comparisons in the match (≥ 1). The
	// home member wins the match with more than half the points, loses
	// with fewer, and draws with exactly half.
	Judgements int
	// Seed is the run's seed. The match's generator is PCG(Seed, FNV-1a of
	// the match id), so a match plays the same wherever and whenever it is
	// played, and a re-issued lease (same match id) replays identically.
	Seed uint64
}

// MatchResult is what a match produced.
type MatchResult struct {
	// Event is the result to apply to the league (match id, players and
	// worker from the lease; Time left 0 for the proposer to set).
	Event *league.RecordResult
	// Judgements are the match's comparisons from the home member's view,
	// the data sampled-mode learners update from.
	Judgements []Judgement
	// Score is the home member's points (the sum of the judgements' scores).
	Score float64
}

// PlayMatch plays the leased match l between the home member's policy
// home and the away member's policy away on the preference game g: each
// judgement draws a context from g's context distribution, a response from
// each policy in that context, and a Bernoulli judgement with probability
// P(home ≻ away) from the game. It is a pure function of its arguments, so
// workers may play matches concurrently and in any order.
func PlayMatch(g *game.Preference, l league.Lease, home, away *Policy, opt MatchOptions) (MatchResult, error) {
	k, b := g.NumResponses(), g.NumContexts()
	for _, p := range []struct {
		name string
		pol  *Policy
	}{{"home", home}, {"away", away}} {
		if p.pol == nil {
			return MatchResult{}, fmt.Errorf("leaguesim: match %s: no %s policy", l.Match, p.name)
		}
		if p.pol.K != k || p.pol.B != b {
			return MatchResult{}, fmt.Errorf("leaguesim: match %s: %s policy is %d×%d, the game has %d responses and %d contexts",
				l.Match, p.name, p.pol.K, p.pol.B, k, b)
		}
	}
	if opt.Judgements < 1 {
		return MatchResult{}, fmt.Errorf("leaguesim: match %s: %d judgements, want at least 1", l.Match, opt.Judgements)
	}
	rng := matchRand(opt.Seed, l.Match)
	var rho []float64
	if b > 1 {
		rho = g.Weights()
	}
	buf := make([]float64, 2*k)
	ph, pa := buf[:k], buf[k:]
	js := make([]Judgement, opt.Judgements)
	score := 0.0
	for n := range js {
		c := 0
		if rho != nil {
			c = game.Sample(rng, rho)
		}
		y := game.Sample(rng, home.Prob(c, ph))
		z := game.Sample(rng, away.Prob(c, pa))
		s := 0.5
		if y != z {
			s = 0
			if g.Judge(rng, c, y, z) {
				s = 1
			}
		}
		js[n] = Judgement{Context: c, Home: y, Away: z, Score: s}
		score += s
	}
	half := float64(opt.Judgements) / 2
	outcome := league.OutcomeDraw
	switch {
	case score > half:
		outcome = league.OutcomeAWins
	case score < half:
		outcome = league.OutcomeBWins
	}
	ev := &league.RecordResult{Match: l.Match, A: l.Home, B: l.Away, Outcome: outcome, Worker: l.Worker}
	return MatchResult{Event: ev, Judgements: js, Score: score}, nil
}

// matchRand returns the generator of match id under the run's seed: PCG
// with the FNV-1a hash of the id as its stream.
func matchRand(seed uint64, id string) *rand.Rand {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return rand.New(rand.NewPCG(seed, h))
}
