package league_test

import (
	"context"
	"fmt"

	"github.com/selfplay-lab/selfplay/league"
)

// A league is driven by events. A worker leases a match, plays it and
// reports the result under the lease's match id; a retried report is
// recognised as a duplicate.
func ExampleState() {
	s := league.NewState()
	for _, ev := range []league.Event{
		&league.Configure{Settings: map[string]string{"matchmaking": "pfsp", "seed": "1"}},
		&league.AddLearner{ID: "agent"},
		&league.AddSnapshot{ID: "old", Parent: "agent"},
	} {
		if _, err := s.Apply(ev); err != nil {
			fmt.Println(err)
		}
	}
	eff, _ := s.Apply(&league.LeaseMatch{Worker: "w1", Now: 0, Deadline: 60e9})
	l := eff.Lease
	fmt.Printf("lease %s: %s vs %s (%s)\n", l.Match, l.Home, l.Away, l.Branch)

	result := &league.RecordResult{Match: l.Match, A: l.Home, B: l.Away, Outcome: league.OutcomeAWins}
	s.Apply(result)
	again, _ := s.Apply(result)
	wr, _ := s.WinRate("agent", "old")
	fmt.Println("duplicate:", again.Duplicate, "win rate:", wr)
	// Output:
	// lease m1: agent vs old (pfsp)
	// duplicate: true win rate: 1
}

// Events travel through a log as bytes: a type byte and a msgpack body.
func ExampleDecodeEvent() {
	b, _ := league.EncodeEvent(&league.ExpireLeases{Now: 42})
	ev, _ := league.DecodeEvent(b)
	fmt.Printf("%x %T %+v\n", b, ev, ev)

	_, err := league.DecodeEvent([]byte{byte(league.EventRecordResult), 0x81, 0xa1, 'a', 0x07})
	fmt.Println(err)
	// Output:
	// 0981a36e6f772a *league.ExpireLeases &{Now:42}
	// league: decode event RecordResult, field "a" at byte 4: expected a string: msgpack: invalid code=7 decoding string/bytes length
}

// PFSP with the "squared" weighting favours the opponents the player
// struggles against.
func ExamplePFSP() {
	probs := league.PFSP([]float64{0.2, 0.5, 0.9}, league.WeightSquared, 0)
	fmt.Printf("%.3f\n", probs)
	// Output: [0.711 0.278 0.011]
}

// In an AlphaStar league, a main exploiter plays the main agent while it
// can still win some games against it.
func ExampleState_Opponents() {
	s := league.NewState()
	s.Apply(&league.Configure{Settings: map[string]string{"matchmaking": "roles"}})
	s.Apply(&league.AddLearner{ID: "main", Role: league.RoleMain})
	s.Apply(&league.AddLearner{ID: "exploiter", Role: league.RoleMainExploiter})
	for _, home := range []string{"main", "exploiter"} {
		cs, _ := s.Opponents(home)
		for _, c := range cs {
			fmt.Printf("%s: %s %.2f (%s)\n", home, c.ID, c.P, c.Branch)
		}
	}
	// Output:
	// main: main@0 0.50 (pfsp)
	// main: main 0.50 (selfplay)
	// exploiter: main 1.00 (exploit)
}

// A Swiss tournament among players whose strength is their position in the
// list (the earlier player always wins).
func ExampleSwiss() {
	players := []string{"ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal"}
	play := func(_ context.Context, _ int, pairs []league.Pairing) ([]league.Outcome, error) {
		out := make([]league.Outcome, len(pairs))
		for k, p := range pairs {
			out[k] = league.OutcomeBWins
			if p.A < p.B {
				out[k] = league.OutcomeAWins
			}
		}
		return out, nil
	}
	res, _ := league.Swiss(context.Background(), players, 3, play)
	for _, s := range res.Standings[:3] {
		fmt.Printf("%d. %s %.0f points\n", s.Rank, s.Name, s.Score)
	}
	fmt.Println("matches:", res.Matches())
	// Output:
	// 1. ann 3 points
	// 2. bob 2 points
	// 3. cid 2 points
	// matches: 12
}
