package league

import (
	"context"
	"fmt"
	"math/bits"
)

// SingleElimination plays a seeded single-elimination bracket, as ArenaRL
// (Zhang et al. 2026) ranks a group of trajectories with O(n) comparisons.
//
// Seeding: with anchor < 0 the list order is the seed order (player 0 is
// the top seed). With anchor ≥ 0, a seeding round first plays the anchor
// against every other player; players are seeded by their score against
// the anchor (the anchor itself counts as a draw), ties by list order.
// The bracket has the next power of two P ≥ n slots; seed s meets seed
// P+1−s in the first round (top seeds get the byes), and the standard
// bracket order keeps the top seeds apart until the late rounds. A drawn
// match advances the better seed.
//
// Final order: by the round in which a player was eliminated (the champion
// last), then by seeding score, then by seed. Matches: n−1 in the bracket,
// plus n−1 seeding matches with an anchor.
func SingleElimination(ctx context.Context, players []string, anchor int, play PlayFunc) (*TournamentResult, error) {
	n := len(players)
	if n < 2 || anchor >= n {
		return nil, fmt.Errorf("league: single elimination of %d players with anchor %d", n, anchor)
	}
	t := newTable(players)
	seedScore := make([]float64, n)
	if anchor >= 0 {
		var pairs []Pairing
		for i := range n {
			if i != anchor {
				pairs = append(pairs, Pairing{i, anchor})
			}
		}
		out, err := t.play(ctx, play, pairs)
		if err != nil {
			return nil, err
		}
		for k, p := range pairs {
			seedScore[p.A] = out[k].ScoreA()
		}
		seedScore[anchor] = 0.5
	}
	// seeds[s] is the player with seed s (0-based); stable by list order.
	seeds := make([]int, 0, n)
	for _, v := range []float64{1, 0.5, 0} {
		for i := range n {
			if seedScore[i] == v {
				seeds = append(seeds, i)
			}
		}
	}
	seedOf := make([]int, n)
	for s, i := range seeds {
		seedOf[i] = s
	}

	slots := 1 << bits.Len(uint(n-1)) // next power of two ≥ n
	alive := make([]int, slots)       // players in bracket order, −1 for a bye
	for k, s := range bracketOrder(slots) {
		alive[k] = -1
		if s < n {
			alive[k] = seeds[s]
		}
	}
	out := make([]float64, n) // round of elimination, 1-based; champion: rounds+1
	for round := 1; len(alive) > 1; round++ {
		var pairs []Pairing
		next := make([]int, len(alive)/2)
		for k := range next {
			a, b := alive[2*k], alive[2*k+1]
			switch {
			case b < 0:
				next[k] = a
			case a < 0:
				next[k] = b
			default:
				next[k] = -2 // decided by a match
				pairs = append(pairs, Pairing{a, b})
			}
		}
		res, err := t.play(ctx, play, pairs)
		if err != nil {
			return nil, err
		}
		m := 0
		for k := range next {
			if next[k] != -2 {
				continue
			}
			p, o := pairs[m], res[m]
			m++
			winner, loser := p.A, p.B
			if o == OutcomeBWins || (o == OutcomeDraw && seedOf[p.B] < seedOf[p.A]) {
				winner, loser = p.B, p.A
			}
			next[k] = winner
			out[loser] = float64(round)
		}
		alive = next
		if len(alive) == 1 {
			out[alive[0]] = float64(round + 1)
		}
	}
	return t.standings("elimination",
		func(i int) float64 { return out[i] },
		func(i int) float64 { return seedScore[i] },
		func(i int) float64 { return -float64(seedOf[i]) }), nil
}

// bracketOrder returns the 0-based seeds in bracket slot order for a
// bracket of size p (a power of two): [0 1] → [0 3 1 2] → [0 7 3 4 1 6 2 5]
// …, so that slot pairs (2k, 2k+1) sum to p−1 and seeds 0 and 1 can meet
// only in the final.
func bracketOrder(p int) []int {
	order := []int{0}
	for size := 2; size <= p; size *= 2 {
		next := make([]int, 0, size)
		for _, s := range order {
			next = append(next, s, size-1-s)
		}
		order = next
	}
	return order
}
