package league

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
)

// Tournaments rank a fixed list of players by playing matches between
// them: round robin (every pair), Swiss (a few rounds, each pairing players
// with equal scores who have not met) and seeded single elimination (as in
// ArenaRL). Each format builds its schedule round by round and asks a
// PlayFunc for the outcomes, so the same code drives simulated players,
// real agents, or human judges. Ties in the final order are broken by the
// format's tiebreak and then by the order of the player list, so shuffle
// the list first if that order carries no information.

// Pairing is one match: players by index into the tournament's list.
type Pairing struct {
	A, B int
}

// PlayFunc plays one round of a tournament. The round's pairings do not
// depend on each other's outcomes and may be played concurrently; they are
// disjoint except in the seeding round of an anchored single elimination,
// where the anchor meets everyone. It returns one outcome per pairing, from
// the point of view of its A player. Tournaments call it from one
// goroutine.
type PlayFunc func(ctx context.Context, round int, pairs []Pairing) ([]Outcome, error)

// Standing is one player's line in a tournament's final order.
type Standing struct {
	Player              int // index into the player list
	Name                string
	Rank                int     // 1-based position in the final order
	Score               float64 // points (round robin, Swiss) or rounds survived (elimination)
	Tiebreak            float64 // the format's tiebreak (see each format)
	Wins, Draws, Losses int
}

// TournamentResult is what a tournament played and how it ranked.
type TournamentResult struct {
	Format    string
	Rounds    [][]Pairing // the schedule, round by round
	Outcomes  [][]Outcome // outcome of each pairing, from A's view
	Standings []Standing  // best first
}

// Matches returns the number of matches played.
func (r *TournamentResult) Matches() int {
	n := 0
	for _, round := range r.Rounds {
		n += len(round)
	}
	return n
}

// Order returns the player indices best first.
func (r *TournamentResult) Order() []int {
	out := make([]int, len(r.Standings))
	for k, s := range r.Standings {
		out[k] = s.Player
	}
	return out
}

// ErrNoPairing: Swiss pairing found no round without a rematch.
var ErrNoPairing = errors.New("league: no pairing without rematches")

// table accumulates scores while a tournament runs.
type table struct {
	names    []string
	score    []float64
	w, d, l  []int
	met      map[[2]int]bool
	opps     [][]int     // opponents met, in order
	results  [][]float64 // score against each opponent in opps
	rounds   [][]Pairing
	outcomes [][]Outcome
}

func newTable(players []string) *table {
	n := len(players)
	return &table{names: players, score: make([]float64, n), w: make([]int, n), d: make([]int, n), l: make([]int, n),
		met: map[[2]int]bool{}, opps: make([][]int, n), results: make([][]float64, n)}
}

func orderedPair(a, b int) [2]int { return [2]int{min(a, b), max(a, b)} }

// play runs one round through fn and records it.
func (t *table) play(ctx context.Context, fn PlayFunc, pairs []Pairing) ([]Outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	round := len(t.rounds)
	out, err := fn(ctx, round, slices.Clone(pairs))
	if err != nil {
		return nil, fmt.Errorf("league: tournament round %d: %w", round, err)
	}
	if len(out) != len(pairs) {
		return nil, fmt.Errorf("league: tournament round %d: %d outcomes for %d pairings", round, len(out), len(pairs))
	}
	for k, p := range pairs {
		o := out[k]
		if o < OutcomeAWins || o > OutcomeDraw {
			return nil, fmt.Errorf("league: tournament round %d, pairing %d: invalid outcome %d", round, k, o)
		}
		sa := o.ScoreA()
		t.score[p.A] += sa
		t.score[p.B] += 1 - sa
		switch o {
		case OutcomeAWins:
			t.w[p.A]++
			t.l[p.B]++
		case OutcomeBWins:
			t.l[p.A]++
			t.w[p.B]++
		default:
			t.d[p.A]++
			t.d[p.B]++
		}
		t.met[orderedPair(p.A, p.B)] = true
		t.opps[p.A] = append(t.opps[p.A], p.B)
		t.opps[p.B] = append(t.opps[p.B], p.A)
		t.results[p.A] = append(t.results[p.A], sa)
		t.results[p.B] = append(t.results[p.B], 1-sa)
	}
	t.rounds = append(t.rounds, slices.Clone(pairs))
	t.outcomes = append(t.outcomes, slices.Clone(out))
	return out, nil
}

// sonnebornBerger is Σ over opponents of (score against them × their score):
// wins against strong players count more.
func (t *table) sonnebornBerger(i int) float64 {
	var sb float64
	for k, o := range t.opps[i] {
		sb += t.results[i][k] * t.score[o]
	}
	return sb
}

// buchholz is the sum of the scores of i's opponents.
func (t *table) buchholz(i int) float64 {
	var b float64
	for _, o := range t.opps[i] {
		b += t.score[o]
	}
	return b
}

// standings orders players by the keys, each descending (the first is
// the Score, the second the Tiebreak), then by list order.
func (t *table) standings(format string, keys ...func(i int) float64) *TournamentResult {
	n := len(t.names)
	st := make([]Standing, n)
	vals := make([][]float64, n)
	for i := range st {
		vals[i] = make([]float64, len(keys))
		for k, key := range keys {
			vals[i][k] = key(i)
		}
		st[i] = Standing{Player: i, Name: t.names[i], Score: vals[i][0], Tiebreak: vals[i][1], Wins: t.w[i], Draws: t.d[i], Losses: t.l[i]}
	}
	slices.SortStableFunc(st, func(a, b Standing) int {
		for k := range keys {
			if c := cmp.Compare(vals[b.Player][k], vals[a.Player][k]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Player, b.Player)
	})
	for k := range st {
		st[k].Rank = k + 1
	}
	return &TournamentResult{Format: format, Rounds: t.rounds, Outcomes: t.outcomes, Standings: st}
}

// RoundRobinSchedule returns the circle-method schedule for n players:
// n−1 rounds (n rounds for odd n, one player resting each round) in which
// every pair meets exactly once.
func RoundRobinSchedule(n int) [][]Pairing {
	if n < 2 {
		return nil
	}
	m := n + n%2 // a phantom player n rests whoever it meets
	ring := make([]int, m)
	for i := range ring {
		ring[i] = i
	}
	rounds := make([][]Pairing, 0, m-1)
	for r := range m - 1 {
		var round []Pairing
		for k := range m / 2 {
			a, b := ring[k], ring[m-1-k]
			if a == n || b == n {
				continue
			}
			// Alternate sides so nobody is always A.
			if (r+k)%2 == 1 {
				a, b = b, a
			}
			round = append(round, Pairing{a, b})
		}
		rounds = append(rounds, round)
		// Rotate all but the first position.
		last := ring[m-1]
		copy(ring[2:], ring[1:m-1])
		ring[1] = last
	}
	return rounds
}

// RoundRobin plays every pair cycles times (sides swapped on alternate
// cycles) and ranks by score, then by the Sonneborn–Berger tiebreak.
// rounds, if positive, stops after that many rounds (a partial round
// robin, for comparing formats at equal numbers of matches).
func RoundRobin(ctx context.Context, players []string, cycles, rounds int, play PlayFunc) (*TournamentResult, error) {
	if len(players) < 2 || cycles < 1 {
		return nil, fmt.Errorf("league: round robin needs at least 2 players and 1 cycle, got %d and %d", len(players), cycles)
	}
	t := newTable(players)
	sched := RoundRobinSchedule(len(players))
	played := 0
	for c := range cycles {
		for _, round := range sched {
			if rounds > 0 && played == rounds {
				break
			}
			pairs := slices.Clone(round)
			if c%2 == 1 {
				for k := range pairs {
					pairs[k].A, pairs[k].B = pairs[k].B, pairs[k].A
				}
			}
			if _, err := t.play(ctx, play, pairs); err != nil {
				return nil, err
			}
			played++
		}
	}
	return t.standings("roundrobin", func(i int) float64 { return t.score[i] }, t.sonnebornBerger), nil
}
