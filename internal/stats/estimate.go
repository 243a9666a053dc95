package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Estimate is a point estimate with a confidence interval. N counts the
// observations it rests on (NaNs excluded); N == 0 means "no data", with
// every field NaN except N.
type Estimate struct {
	Point, Lo, Hi float64
	N             int
}

// NoData is the Estimate of an empty sample.
func NoData() Estimate { return Estimate{Point: math.NaN(), Lo: math.NaN(), Hi: math.NaN()} }

// Bootstrap configures a bootstrap: Resamples replicates drawn with a PCG
// generator seeded by Seed, and a two-sided percentile interval of
// confidence Level (0.95 when zero).
type Bootstrap struct {
	Resamples int     // 0 means DefaultResamples
	Level     float64 // 0 means 0.95
	Seed      uint64
}

// DefaultResamples is the number of bootstrap replicates used when
// Bootstrap.Resamples is zero.
const DefaultResamples = 10000

func (b Bootstrap) resamples() int {
	if b.Resamples <= 0 {
		return DefaultResamples
	}
	return b.Resamples
}

func (b Bootstrap) level() float64 {
	if b.Level <= 0 || b.Level >= 1 {
		return 0.95
	}
	return b.Level
}

func (b Bootstrap) rng() *rand.Rand {
	// The second PCG word is fixed so that Seed alone names the stream.
	return rand.New(rand.NewPCG(b.Seed, 0x5eed_b007_57a7_5001))
}

// Mean returns the arithmetic mean of xs, NaN for an empty slice.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// dropNaN returns xs without NaNs (xs itself when it has none).
func dropNaN(xs []float64) []float64 {
	if !slices.ContainsFunc(xs, math.IsNaN) {
		return xs
	}
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

// MeanCI returns the mean of xs over seeds with a percentile bootstrap
// confidence interval: b.Resamples times, draw len(xs) values with
// replacement and take their mean; the interval is the (1−level)/2 and
// (1+level)/2 quantiles (Quantile, linear interpolation) of those means.
// NaNs are ignored. With one observation the interval is that value.
func MeanCI(xs []float64, b Bootstrap) Estimate {
	xs = dropNaN(xs)
	n := len(xs)
	if n == 0 {
		return NoData()
	}
	rng := b.rng()
	reps := make([]float64, b.resamples())
	for r := range reps {
		s := 0.0
		for range n {
			s += xs[rng.IntN(n)]
		}
		reps[r] = s / float64(n)
	}
	lo, hi := percentileInterval(reps, b.level())
	return Estimate{Point: Mean(xs), Lo: lo, Hi: hi, N: n}
}

// percentileInterval sorts reps and returns its two-sided level quantiles.
func percentileInterval(reps []float64, level float64) (lo, hi float64) {
	slices.Sort(reps)
	a := (1 - level) / 2
	return quantileSorted(reps, a), quantileSorted(reps, 1-a)
}

// Quantile returns the q-quantile of xs (0 ≤ q ≤ 1) by linear interpolation
// between order statistics at position q·(n−1), the default of numpy and R
// type 7. It sorts a copy; NaN for an empty slice.
func Quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return quantileSorted(s, q)
}

func quantileSorted(s []float64, q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	if i < 0 {
		return s[0]
	}
	f := pos - float64(i)
	return s[i] + f*(s[i+1]-s[i])
}
