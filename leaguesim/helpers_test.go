package leaguesim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// cyclicDisc returns the presets' random 7-point-style disc game on k
// points drawn from seed.
func cyclicDisc(t testing.TB, seed uint64, k int) *game.Preference {
	t.Helper()
	return cyclicDiscGame(rand.New(rand.NewPCG(seed, 0xd15c)), k)
}

// randomLogits returns K×1 logits drawn i.i.d. N(0, 2²) from seed.
func randomLogits(seed uint64, k int) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x1091))
	l := make([]float64, k)
	for i := range l {
		l[i] = 2 * rng.NormFloat64()
	}
	return l
}

// pureResponse returns the response a one-context policy always gives, or
// −1 if it is mixed.
func pureResponse(p *Policy) int {
	for y, l := range p.LogProb {
		if l == 0 {
			return y
		}
	}
	return -1
}

func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}
