package game

import (
	"math/rand/v2"
)

// Judge draws one Bernoulli judgement of response i against response j in
// context c: it returns true (i preferred) with probability P[i][j]. All
// randomness comes from rng, so a seeded generator gives reproducible labels.
func (g *Preference) Judge(rng *rand.Rand, c, i, j int) bool {
	return rng.Float64() < g.At(c, i, j)
}

// Sample draws a response from the distribution pi (len K, summing to 1)
// by inversion with one uniform draw from rng.
func Sample(rng *rand.Rand, pi []float64) int {
	u := rng.Float64()
	acc := 0.0
	last := -1
	for y, p := range pi {
		if p <= 0 {
			continue
		}
		acc += p
		last = y
		if u < acc {
			return y
		}
	}
	if last < 0 {
		panic("game: Sample from a distribution without mass")
	}
	return last // rounding left u ≥ Σ pi
}

// SampleComparisons simulates an annotation campaign on g: in every context,
// each unordered pair of distinct responses is judged perPair times with
// labels drawn from rng. Records are produced context by context, pair by
// pair, in index order, and carry the given annotator name.
//
// Ties: when tieProb > 0, each judgement is first a tie with probability
// tieProb, and otherwise a Bernoulli judgement from P rescaled so that the
// expected score of i (win 1, tie 1/2) stays P[i][j]; that rescaling needs
// tieProb ≤ 2·min(P[i][j], P[j][i]) and is capped otherwise.
func (g *Preference) SampleComparisons(rng *rand.Rand, perPair int, tieProb float64, annotator string) []Comparison {
	var out []Comparison
	for c := range g.n {
		for i := range g.k {
			for j := i + 1; j < g.k; j++ {
				p := g.At(c, i, j)
				t := min(tieProb, 2*min(p, 1-p))
				for range perPair {
					rec := Comparison{Context: g.Contexts[c], A: g.Responses[i], B: g.Responses[j], Annotator: annotator}
					switch {
					case t > 0 && rng.Float64() < t:
						rec.Winner = WinnerTie
					case rng.Float64() < (p-t/2)/(1-t):
						rec.Winner = WinnerA
					default:
						rec.Winner = WinnerB
					}
					out = append(out, rec)
				}
			}
		}
	}
	return out
}
