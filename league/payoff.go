package league

import "math"

// pairStats holds the results between two members, from the view of the one
// added first (the lower index). The decayed fields follow AlphaStar's
// payoff table; the totals are plain counts, kept for ratings, which need
// every result with equal weight.
type pairStats struct {
	Games  float64 `msgpack:"g"`
	Wins   float64 `msgpack:"w"`
	Draws  float64 `msgpack:"d"`
	Losses float64 `msgpack:"l"`

	TotalWins   uint64 `msgpack:"tw"`
	TotalDraws  uint64 `msgpack:"td"`
	TotalLosses uint64 `msgpack:"tl"`
}

// payoffTable maps an unordered pair of member indices to its statistics.
// Only played pairs are stored, so a large population costs memory in
// proportion to the pairs that actually met.
type payoffTable struct {
	pairs map[uint64]*pairStats
}

func pairKey(lo, hi int) uint64 { return uint64(lo)<<32 | uint64(hi) }

func splitPairKey(k uint64) (lo, hi int) { return int(k >> 32), int(k & 0xffffffff) }

// decayed returns x·decay rounded to float64, written as an explicit
// conversion so no platform fuses it with the following addition: every
// replica must compute bit-identical payoffs.
func decayed(x, decay float64) float64 { return float64(x * decay) }

// update records one result of a against b with the given outcome for a.
// As in AlphaStar's pseudocode, the pair's games, wins, draws and losses are
// all multiplied by decay and then the new game is added. A member against
// itself carries no information and is not recorded.
func (t *payoffTable) update(a, b int, o Outcome, decay float64) {
	if a == b {
		return
	}
	if a > b {
		a, b, o = b, a, o.swap()
	}
	k := pairKey(a, b)
	p := t.pairs[k]
	if p == nil {
		p = &pairStats{}
		t.pairs[k] = p
	}
	p.Games = decayed(p.Games, decay) + 1
	p.Wins = decayed(p.Wins, decay)
	p.Draws = decayed(p.Draws, decay)
	p.Losses = decayed(p.Losses, decay)
	switch o {
	case OutcomeAWins:
		p.Wins++
		p.TotalWins++
	case OutcomeBWins:
		p.Losses++
		p.TotalLosses++
	case OutcomeDraw:
		p.Draws++
		p.TotalDraws++
	}
}

// winRate returns the decayed probability that a beats b, draws counting
// half: (wins + draws/2)/games, or 0.5 when the pair's decayed games are at
// most minGames (0 means: only when never played), and 0.5 against itself.
func (t *payoffTable) winRate(a, b int, minGames float64) float64 {
	if a == b {
		return 0.5
	}
	p, flip := t.get(a, b)
	if p == nil || p.Games <= minGames || p.Games == 0 {
		return 0.5
	}
	w := p.Wins
	if flip {
		w = p.Losses
	}
	return (w + float64(0.5*p.Draws)) / p.Games // no fused multiply-add: same bits everywhere
}

// games returns the decayed number of games between a and b.
func (t *payoffTable) games(a, b int) float64 {
	p, _ := t.get(a, b)
	if p == nil {
		return 0
	}
	return p.Games
}

func (t *payoffTable) get(a, b int) (p *pairStats, flip bool) {
	if a == b {
		return nil, false
	}
	if a > b {
		a, b, flip = b, a, true
	}
	return t.pairs[pairKey(a, b)], flip
}

func (t *payoffTable) clone() payoffTable {
	c := payoffTable{pairs: make(map[uint64]*pairStats, len(t.pairs))}
	for k, p := range t.pairs {
		q := *p
		c.pairs[k] = &q
	}
	return c
}

// valid reports whether decoded statistics are possible: finite,
// non-negative, and no more wins, draws or losses than games (up to
// rounding).
func (p *pairStats) valid() bool {
	for _, x := range []float64{p.Games, p.Wins, p.Draws, p.Losses} {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return false
		}
	}
	return p.Wins+p.Draws+p.Losses <= p.Games*(1+1e-9)+1e-9
}
