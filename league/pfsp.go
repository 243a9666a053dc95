package league

import "math"

// Weighting is a PFSP weighting function f, applied to the home player's
// win rate x against each candidate: P(candidate) = f(x)/Σf.
type Weighting string

// PFSP weightings, named as in AlphaStar's pseudocode ("hard" is the
// paper's f_hard with a configurable exponent).
const (
	// WeightSquared f(x) = (1−x)²: focus on opponents the player loses to.
	WeightSquared Weighting = "squared"
	// WeightHard f(x) = (1−x)^p.
	WeightHard Weighting = "hard"
	// WeightVariance f(x) = x(1−x): opponents of similar strength.
	WeightVariance Weighting = "variance"
	// WeightLinear f(x) = 1−x.
	WeightLinear Weighting = "linear"
	// WeightLinearCapped f(x) = min(0.5, 1−x): like linear, but every
	// opponent beaten at most half the time weighs the same.
	WeightLinearCapped Weighting = "linear_capped"
)

var weightingNames = []string{"squared", "hard", "variance", "linear", "linear_capped"}

// pfspUniformBelow: when Σf falls below this, PFSP falls back to uniform
// (AlphaStar's threshold), e.g. a player that beats everyone under
// "squared".
const pfspUniformBelow = 1e-10

// Weight returns f(x); p is the exponent of WeightHard.
func (w Weighting) Weight(x, p float64) float64 {
	switch w {
	case WeightSquared:
		return (1 - x) * (1 - x)
	case WeightHard:
		return powWeight(1-x, p)
	case WeightVariance:
		return x * (1 - x)
	case WeightLinear:
		return 1 - x
	case WeightLinearCapped:
		return min(0.5, 1-x)
	}
	panic("league: unknown PFSP weighting " + string(w)) // settings validate names
}

// PFSP returns the prioritized fictitious self-play distribution over
// candidates given the home player's win rates against them:
// f(x_i)/Σ_j f(x_j), or uniform when Σf < 1e-10. p is the exponent of
// WeightHard.
func PFSP(winRates []float64, w Weighting, p float64) []float64 {
	probs := make([]float64, len(winRates))
	var sum float64
	for i, x := range winRates {
		probs[i] = w.Weight(x, p)
		sum += probs[i]
	}
	if sum < pfspUniformBelow {
		for i := range probs {
			probs[i] = 1 / float64(len(probs))
		}
		return probs
	}
	for i := range probs {
		probs[i] /= sum
	}
	return probs
}

// pfspOver returns the PFSP distribution of home over the candidates idx.
func (s *State) pfspOver(home int, idx []int, w Weighting, branch string) []choice {
	probs := PFSP(s.winRates(home, idx), w, s.cfg.PFSP.Exponent)
	out := make([]choice, len(idx))
	for k, j := range idx {
		out[k] = choice{j, probs[k], branch}
	}
	return out
}

// pfspOpponents is the "pfsp" matchmaking: PFSP with the configured
// weighting over all snapshots; self-play when there are none yet.
func pfspOpponents(s *State, home int) ([]choice, error) {
	cands := s.snapshots(home)
	if len(cands) == 0 {
		return only(home, "selfplay"), nil
	}
	return s.pfspOver(home, cands, s.cfg.PFSP.Weighting, "pfsp"), nil
}

// powWeight returns b^p, by repeated multiplication for an integer
// exponent, so the common weightings give the same bits on every machine
// (math.Pow goes through math.Exp, which may use FMA instructions).
func powWeight(b, p float64) float64 {
	if p != math.Trunc(p) || p < 0 || p > 64 {
		return math.Pow(b, p)
	}
	r := 1.0
	for range int(p) {
		r *= b
	}
	return r
}
