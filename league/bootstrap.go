package league

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
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

// binomial draws from Binomial(n, p).
func binomial(rng *rand.Rand, n int64, p float64) int64 {
	switch {
	case p <= 0:
		return 0
	case p >= 1:
		return n
	}
	return int64(distuv.Binomial{N: float64(n), P: p, Src: rng}.Rand())
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
