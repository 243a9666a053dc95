package league

import (
	"context"
	"fmt"
	"slices"
)

// swissBudget bounds the backtracking of one round's pairing.
const swissBudget = 1 << 20

// Swiss plays the given number of rounds of a Swiss tournament. Before each
// round the players are ordered by score, then Buchholz (the sum of their
// opponents' scores), then list order (the seed order: put the strongest
// first if known). Each score group is paired as in the Dutch system, the
// top half against the bottom half in order (in a group of 8: 1–5, 2–6,
// 3–7, 4–8); the odd player of a group floats down to the next. A pairing
// that would be a rematch is repaired by backtracking: each player tries
// the partners nearest its ideal one first. With an odd number of players
// the lowest-ordered player who has not had a bye sits out and scores 1
// point without a game (FIDE's pairing-allocated bye). The final order is
// by score, then Buchholz.
//
// Pairing equals with equals concentrates the matches on the comparisons
// the current standings are least sure of, which is why a few Swiss rounds
// rank a field far better than the same number of round-robin rounds.
func Swiss(ctx context.Context, players []string, rounds int, play PlayFunc) (*TournamentResult, error) {
	n := len(players)
	if n < 2 || rounds < 1 || rounds > n-1+n%2 {
		return nil, fmt.Errorf("league: Swiss with %d players needs 1..%d rounds, got %d", n, n-1+n%2, rounds)
	}
	t := newTable(players)
	bye := make([]bool, n)
	for r := range rounds {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		bh := make([]float64, n)
		for i := range bh {
			bh[i] = t.buchholz(i)
		}
		slices.SortStableFunc(order, func(a, b int) int {
			if t.score[a] != t.score[b] {
				return -cmpFloat(t.score[a], t.score[b])
			}
			return -cmpFloat(bh[a], bh[b])
		})
		if n%2 == 1 {
			k := len(order) - 1
			for k >= 0 && bye[order[k]] {
				k--
			}
			if k < 0 {
				return nil, fmt.Errorf("%w: round %d: everyone had a bye", ErrNoPairing, r)
			}
			bye[order[k]] = true
			t.score[order[k]]++
			order = slices.Delete(order, k, k+1)
		}
		pairs, ok := pairSwiss(dutchOrder(order, t.score), t.met)
		if !ok {
			return nil, fmt.Errorf("%w: round %d of %d players", ErrNoPairing, r, n)
		}
		if _, err := t.play(ctx, play, pairs); err != nil {
			return nil, err
		}
	}
	return t.standings("swiss", func(i int) float64 { return t.score[i] }, t.buchholz), nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dutchOrder rearranges players (sorted best first) so that pairing
// neighbours gives the Dutch pairing: within each score group the top half
// is interleaved with the bottom half. A group of odd size sends its last
// player down to the next group.
func dutchOrder(order []int, score []float64) []int {
	out := make([]int, 0, len(order))
	var carry []int
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && score[order[j]] == score[order[i]] {
			j++
		}
		group := append(carry, order[i:j]...)
		carry = nil
		if len(group)%2 == 1 && j < len(order) {
			carry = []int{group[len(group)-1]}
			group = group[:len(group)-1]
		}
		half := len(group) / 2
		for k := range half {
			out = append(out, group[k], group[k+half])
		}
		if len(group)%2 == 1 { // the last group of an odd field; cannot happen after a bye
			out = append(out, group[len(group)-1])
		}
		i = j
	}
	return append(out, carry...)
}

// pairSwiss pairs neighbours (0–1, 2–3, …) of order, avoiding rematches:
// the first unpaired player takes the nearest available player after it
// who is not a rematch, backtracking within a step budget.
func pairSwiss(order []int, met map[[2]int]bool) ([]Pairing, bool) {
	pairs := make([]Pairing, 0, len(order)/2)
	used := make([]bool, len(order))
	steps := 0
	var rec func(from int) bool
	rec = func(from int) bool {
		for from < len(order) && used[from] {
			from++
		}
		if from == len(order) {
			return true
		}
		if steps++; steps > swissBudget {
			return false
		}
		used[from] = true
		for j := from + 1; j < len(order); j++ {
			if used[j] || met[orderedPair(order[from], order[j])] {
				continue
			}
			used[j] = true
			pairs = append(pairs, Pairing{order[from], order[j]})
			if rec(from + 1) {
				return true
			}
			pairs = pairs[:len(pairs)-1]
			used[j] = false
		}
		used[from] = false
		return false
	}
	return pairs, rec(0)
}
