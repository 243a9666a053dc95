package league

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// bootstrapRun computes reps replicates of a statistic in parallel. The
// replicate r draws from its own generator PCG(seed, r), so the results do
// not depend on the number of workers or their scheduling. fn must be safe
// to call from several goroutines at once.
func bootstrapRun(ctx context.Context, reps, workers int, seed uint64,
	fn func(r int, rng *rand.Rand) ([]float64, error)) ([][]float64, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, reps)
	out := make([][]float64, reps)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, reps)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r := int(next.Add(1) - 1)
				if r >= reps || ctx.Err() != nil {
					return
				}
				rng := rand.New(rand.NewPCG(seed, uint64(r)))
				v, err := fn(r, rng)
				if err != nil {
					errs[r] = err
					cancel()
					return
				}
				out[r] = v
			}
		}()
	}
	wg.Wait()
	// Report the first failing replicate, not whichever failed first in
	// time, so the error is deterministic too.
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// multinomial draws total items over categories with probabilities
// proportional to weights (which sum to total) into out, by a chain of
// conditional binomials: O(categories), not O(total).
func multinomial(rng *rand.Rand, weights []int64, total int64, out []int64) {
	left, mass := total, total
	for k, w := range weights {
		switch {
		case left == 0 || w == 0:
			out[k] = 0
		case w >= mass:
			out[k] = left
		default:
			out[k] = binomial(rng, left, float64(w)/float64(mass))
		}
		left -= out[k]
		mass -= w
	}
}

// binomial draws from Binomial(n, p) exactly: by inversion when the mean
// is small, otherwise by Hörmann's transformed rejection with squeeze
// (BTRS, "The generation of binomial random variates", 1993), which costs
// two uniforms per draw and rarely a log-gamma.
func binomial(rng *rand.Rand, n int64, p float64) int64 {
	switch {
	case p <= 0 || n == 0:
		return 0
	case p >= 1:
		return n
	case p > 0.5:
		return n - binomial(rng, n, 1-p)
	}
	if float64(n)*p < 10 {
		return binomialInversion(rng, n, p)
	}
	return binomialBTRS(rng, n, p)
}

// binomialInversion walks the CDF from 0: O(np) steps, for np < 10.
func binomialInversion(rng *rand.Rand, n int64, p float64) int64 {
	q := 1 - p
	s := p / q
	a := float64(n+1) * s
	r := math.Exp(float64(n) * math.Log1p(-p)) // P(X = 0)
	u := rng.Float64()
	var x int64
	for u > r && x < n {
		u -= r
		x++
		r *= a/float64(x) - s
	}
	return x
}

// binomialBTRS is Hörmann's BTRS for p ≤ ½ and np ≥ 10.
func binomialBTRS(rng *rand.Rand, n int64, p float64) int64 {
	nf := float64(n)
	q := 1 - p
	spq := math.Sqrt(nf * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	alpha := (2.83 + 5.1/b) * spq
	lpq := math.Log(p / q)
	m := math.Floor((nf + 1) * p)
	h := logFactorial(m) + logFactorial(nf-m)
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > nf {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		v = math.Log(v * alpha / (a/(us*us) + b))
		if v <= h-logFactorial(k)-logFactorial(nf-k)+(k-m)*lpq {
			return int64(k)
		}
	}
}

// logFactTable holds ln k! for small k.
var logFactTable = func() []float64 {
	t := make([]float64, 256)
	for k := 1; k < len(t); k++ {
		t[k] = t[k-1] + math.Log(float64(k))
	}
	return t
}()

// logFactorial is ln k! for an integer k ≥ 0: a table below 256, above it
// Stirling's series to the k⁻⁵ term, accurate to about 1e-16 relative.
func logFactorial(k float64) float64 {
	if k < float64(len(logFactTable)) {
		return logFactTable[int(k)]
	}
	x := k + 1
	r := 1 / (x * x)
	return (x-0.5)*math.Log(x) - x + 0.5*math.Log(2*math.Pi) +
		(1.0/12-r*(1.0/360-r*(1.0/1260-r/1680)))/x
}

// resampleIndices fills out with len(out) indices drawn uniformly with
// replacement from [0, n), in draw order: a bootstrap resample of an
// ordered sequence, used for online methods that depend on order.
func resampleIndices(rng *rand.Rand, n int, out []int) {
	for i := range out {
		out[i] = rng.IntN(n)
	}
}

// ciLevel is the coverage of reported confidence intervals.
const ciLevel = 0.95

// percentileCI returns the (1−ciLevel)/2 and (1+ciLevel)/2 quantiles of
// column j of reps, interpolated linearly between order statistics (the
// default of numpy and pandas).
func percentileCI(reps [][]float64, j int, buf []float64) (lo, hi float64) {
	buf = buf[:0]
	for _, r := range reps {
		buf = append(buf, r[j])
	}
	slices.Sort(buf)
	return quantileSorted(buf, (1-ciLevel)/2), quantileSorted(buf, (1+ciLevel)/2)
}

func quantileSorted(x []float64, q float64) float64 {
	pos := q * float64(len(x)-1)
	i := int(math.Floor(pos))
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	f := pos - float64(i)
	return x[i] + f*(x[i+1]-x[i])
}
