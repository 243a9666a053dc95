package leaguesim_test

import (
	"context"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// A PSRO league on a cyclic disc game: each round the learner answers the
// Nash mixture of the snapshots, and its answer joins them. The exact
// exploitability of that mixture falls toward zero (up to the noise of
// the sampled meta-game).
func ExampleRun() {
	cfg, _ := leaguesim.Preset("psro", 1)
	cfg.Rounds, cfg.EvalMatches, cfg.Bootstrap = 12, 0, 0
	cfg.Ratings = []league.RatingMethod{league.MethodNashAvg}
	res, err := leaguesim.Run(context.Background(), cfg, func(r leaguesim.Round) {
		if r.Round%3 == 0 {
			fmt.Printf("round %d: %d snapshots, meta-Nash exploitability %.3f\n", r.Round, r.Snapshots, r.MetaExpl)
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("matches:", res.Matches)
	// Output:
	// round 3: 4 snapshots, meta-Nash exploitability 0.051
	// round 6: 7 snapshots, meta-Nash exploitability 0.010
	// round 9: 10 snapshots, meta-Nash exploitability 0.038
	// round 12: 13 snapshots, meta-Nash exploitability 0.008
	// matches: 7896
}

// A worker plays one leased match between two members' policies and
// reports the result under the lease's match id.
func ExamplePlayMatch() {
	g, _ := game.Cyclic(3, 1) // response i beats i+1: paper, rock, scissors
	never := math.Inf(-1)
	s := league.NewState()
	s.Apply(&league.AddSnapshot{ID: "paper"})
	s.Apply(&league.AddSnapshot{ID: "rock"})
	eff, _ := s.Apply(&league.LeaseMatch{Home: "rock", Worker: "w1", Now: 1, Deadline: 2})

	policies := map[string]*leaguesim.Policy{}
	policies["paper"], _ = leaguesim.NewPolicy(3, 1, []float64{0, never, never})
	policies["rock"], _ = leaguesim.NewPolicy(3, 1, []float64{never, 0, never})
	l := *eff.Lease
	mr, err := leaguesim.PlayMatch(g, l, policies[l.Home], policies[l.Away], leaguesim.MatchOptions{Judgements: 5, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Apply(mr.Event)
	fmt.Printf("%s: %s vs %s, score %.1f of 5, outcome %s\n", l.Match, l.Home, l.Away, mr.Score, mr.Event.Outcome)
	// Output: m1: rock vs paper, score 0.0 of 5, outcome b
}
