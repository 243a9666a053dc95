package game

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoScores reports a Plackett–Luce aggregation on a game that has no
// Bradley–Terry scores.
var ErrNoScores = errors.New("game: Plackett–Luce aggregation needs a game built from Bradley–Terry scores")

// Aggregator turns pairwise preferences into the probability that one
// response wins a group comparison against n − 1 others (the group oracle
// of multiplayer Nash preference optimization). All three agree with P for
// n = 2.
type Aggregator int

// Group oracles.
const (
	// MeanPairwise scores y against the group {y_j} as the mean of its
	// pairwise win probabilities, (1/(n−1)) Σ_j P[y][y_j]; this is the
	// quantity the MNPO update uses. A symmetric group scores 1/2 each.
	MeanPairwise Aggregator = iota
	// BeatsAll plays a round robin of independent pairwise judgements and
	// lets y win when it beats every other member, conditioned on some
	// member doing so: ∏_j P[y][y_j] / Σ_i ∏_{j≠i} P[y_i][y_j]. When no
	// member can beat all others (a deterministic cycle) every member
	// wins with probability 1/n. Group win probabilities sum to 1.
	BeatsAll
	// PlackettLuce picks the group winner with probability proportional to
	// exp(score), e^{s_y} / Σ_i e^{s_{y_i}}; it needs Bradley–Terry scores.
	PlackettLuce
)

// ParseAggregator maps "mean_pairwise", "beats_all" and "plackett_luce".
func ParseAggregator(s string) (Aggregator, error) {
	switch s {
	case "mean_pairwise", "":
		return MeanPairwise, nil
	case "beats_all":
		return BeatsAll, nil
	case "plackett_luce":
		return PlackettLuce, nil
	}
	return 0, fmt.Errorf("game: group aggregator %q: want mean_pairwise, beats_all or plackett_luce", s)
}

func (a Aggregator) String() string {
	switch a {
	case MeanPairwise:
		return "mean_pairwise"
	case BeatsAll:
		return "beats_all"
	case PlackettLuce:
		return "plackett_luce"
	}
	return fmt.Sprintf("Aggregator(%d)", int(a))
}

// GroupWin returns the probability that response y wins the group
// comparison against the responses opps (at least one) in context c.
func (g *Preference) GroupWin(agg Aggregator, c, y int, opps []int) (float64, error) {
	if len(opps) == 0 {
		return 0, fmt.Errorf("%w: group comparison without opponents", ErrShape)
	}
	for _, o := range append([]int{y}, opps...) {
		if o < 0 || o >= g.k {
			return 0, fmt.Errorf("%w: response %d out of range [0, %d)", ErrShape, o, g.k)
		}
	}
	m := g.Matrix(c)
	k := g.k
	switch agg {
	case MeanPairwise:
		s := 0.0
		for _, o := range opps {
			s += m[y*k+o]
		}
		return s / float64(len(opps)), nil
	case BeatsAll:
		return beatsAll(m, k, y, opps), nil
	case PlackettLuce:
		sc := g.Scores(c)
		if sc == nil {
			return 0, ErrNoScores
		}
		top := sc[y]
		for _, o := range opps {
			top = max(top, sc[o])
		}
		den := math.Exp(sc[y] - top)
		num := den
		for _, o := range opps {
			den += math.Exp(sc[o] - top)
		}
		return num / den, nil
	}
	return 0, fmt.Errorf("game: unknown aggregator %d", int(agg))
}

func beatsAll(m []float64, k, y int, opps []int) float64 {
	num := 1.0
	for _, o := range opps {
		num *= m[y*k+o]
	}
	den := num
	for i, oi := range opps {
		p := m[oi*k+y]
		for j, oj := range opps {
			if j != i {
				p *= m[oi*k+oj]
			}
		}
		den += p
	}
	if den == 0 {
		return 1 / float64(len(opps)+1)
	}
	return num / den
}

// maxGroupProfiles bounds the opponent profiles GroupWinRates enumerates.
const maxGroupProfiles = 1 << 22

// GroupWinRates writes into dst (allocated if short) the expected group win
// probability of every response y in context c when opponent j plays the
// distribution opps[j] independently, and returns it. MeanPairwise is the
// mean of the pairwise win-rate vectors; the other aggregators enumerate the
// opponents' joint supports (at most 2^22 profiles).
func (g *Preference) GroupWinRates(agg Aggregator, c int, opps [][]float64, dst []float64) ([]float64, error) {
	k := g.k
	if len(opps) == 0 {
		return nil, fmt.Errorf("%w: group comparison without opponents", ErrShape)
	}
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	clear(dst)
	supports := make([][]int, len(opps))
	profiles := 1.0
	for j, q := range opps {
		if len(q) != k {
			return nil, fmt.Errorf("%w: opponent %d has %d probabilities for %d responses", ErrShape, j+1, len(q), k)
		}
		for y, p := range q {
			if p > 0 {
				supports[j] = append(supports[j], y)
			}
		}
		if len(supports[j]) == 0 {
			return nil, fmt.Errorf("game: opponent %d has no probability mass", j+1)
		}
		profiles *= float64(len(supports[j]))
	}
	if agg == MeanPairwise {
		tmp := make([]float64, k)
		for _, q := range opps {
			g.WinRates(c, q, tmp)
			for y, v := range tmp {
				dst[y] += v / float64(len(opps))
			}
		}
		return dst, nil
	}
	if agg == PlackettLuce && g.Scores(c) == nil {
		return nil, ErrNoScores
	}
	if profiles > maxGroupProfiles {
		return nil, fmt.Errorf("game: %v opponent profiles exceed the limit of %d", profiles, maxGroupProfiles)
	}
	prof := make([]int, len(opps))
	idx := make([]int, len(opps))
	for {
		w := 1.0
		for j, i := range idx {
			prof[j] = supports[j][i]
			w *= opps[j][prof[j]]
		}
		for y := range k {
			v, err := g.GroupWin(agg, c, y, prof)
			if err != nil {
				return nil, err
			}
			dst[y] += w * v
		}
		j := 0
		for ; j < len(idx); j++ {
			idx[j]++
			if idx[j] < len(supports[j]) {
				break
			}
			idx[j] = 0
		}
		if j == len(idx) {
			return dst, nil
		}
	}
}
