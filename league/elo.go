package league

import (
	"fmt"
	"math"
)

// EloConfig parameterises online Elo.
type EloConfig struct {
	// K is the step size: a rating moves by K·(score − expected score).
	K float64
	// Initial is every player's starting rating.
	Initial float64
}

// DefaultEloConfig is Chatbot Arena's online Elo: K = 4, start at 1000.
func DefaultEloConfig() EloConfig { return EloConfig{K: 4, Initial: 1000} }

func (c EloConfig) validate() error {
	if !(c.K > 0) || math.IsInf(c.K, 0) {
		return fmt.Errorf("elo: K = %v: expected a positive number", c.K)
	}
	if math.IsNaN(c.Initial) || math.IsInf(c.Initial, 0) {
		return fmt.Errorf("elo: initial rating %v: expected a finite number", c.Initial)
	}
	return nil
}

// EloExpected is the expected score of a player rated ra against one rated
// rb: 1/(1 + 10^((rb−ra)/400)).
func EloExpected(ra, rb float64) float64 {
	return 1 / (1 + math.Pow(10, (rb-ra)/400))
}

// Elo rates n players by online Elo over battles in order: both sides move
// from their pre-battle ratings, a tie scores ½. The result depends on the
// order of the battles, which is why Chatbot Arena moved to Bradley–Terry.
func Elo(battles []Battle, n int, cfg EloConfig) []float64 {
	r := make([]float64, n)
	for i := range r {
		r[i] = cfg.Initial
	}
	for _, b := range battles {
		eloUpdate(r, b, cfg.K)
	}
	return r
}

func eloUpdate(r []float64, b Battle, k float64) {
	d := k * (b.Outcome.scoreA() - EloExpected(r[b.A], r[b.B]))
	r[b.A] += d
	r[b.B] -= d
}
