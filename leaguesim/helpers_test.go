package leaguesim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// cyclicDisc returns a one-context disc game on k points drawn from seed:
// random angles whose gaps are all below 0.8π (so the origin is inside
// their hull and the game has no pure equilibrium) and radii in [0.2, 1]
// (so the uniform policy is not an equilibrium either).
func cyclicDisc(t testing.TB, seed uint64, k int) *game.Preference {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0xd15c))
	for {
		ang := make([]float64, k)
		for i := range ang {
			ang[i] = 2 * math.Pi * rng.Float64()
		}
		slices.Sort(ang)
		ok := true
		for i := range ang {
			next := ang[(i+1)%k]
			if i == k-1 {
				next += 2 * math.Pi
			}
			ok = ok && next-ang[i] < 0.8*math.Pi
		}
		if !ok {
			continue
		}
		pts := make([][2]float64, k)
		for i, a := range ang {
			r := 0.2 + 0.8*rng.Float64()
			pts[i] = [2]float64{r * math.Cos(a), r * math.Sin(a)}
		}
		g, err := game.DiscGame(pts)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
}

// pureLogits returns the K×1 log-probabilities of response y.
func pureLogits(k, y int) []float64 {
	l := make([]float64, k)
	for i := range l {
		l[i] = math.Inf(-1)
	}
	l[y] = 0
	return l
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
