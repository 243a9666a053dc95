package league

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMultinomialMoments(t *testing.T) {
	weights := []int64{1, 0, 30, 500, 2, 467}
	const total = 1000
	rng := rand.New(rand.NewPCG(1, 1))
	const draws = 4000
	sum := make([]float64, len(weights))
	sq := make([]float64, len(weights))
	out := make([]int64, len(weights))
	for range draws {
		multinomial(rng, weights, total, out)
		var s int64
		for k, c := range out {
			if c < 0 || (weights[k] == 0 && c != 0) {
				t.Fatalf("draw %v", out)
			}
			s += c
			sum[k] += float64(c)
			sq[k] += float64(c) * float64(c)
		}
		if s != total {
			t.Fatalf("draw %v sums to %d", out, s)
		}
	}
	for k, w := range weights {
		p := float64(w) / total
		mean := sum[k] / draws
		v := sq[k]/draws - mean*mean
		// Mean within 5 standard errors; variance within 15% of N·p(1−p).
		if se := math.Sqrt(total * p * (1 - p) / draws); math.Abs(mean-total*p) > 5*se+1e-12 {
			t.Errorf("cell %d: mean %v, want %v", k, mean, total*p)
		}
		if want := total * p * (1 - p); want > 1 && math.Abs(v-want) > 0.15*want {
			t.Errorf("cell %d: variance %v, want %v", k, v, want)
		}
	}
}

func TestPercentileMatchesNumpyLinear(t *testing.T) {
	reps := [][]float64{{5}, {1}, {4}, {2}, {3}}
	// numpy.quantile([1..5], 0.025) = 1 + 0.1·1; 0.975 → 4 + 0.9·1.
	lo, hi := percentileCI(reps, 0, nil)
	if !near(lo, 1.1, 1e-12) || !near(hi, 4.9, 1e-12) {
		t.Fatalf("CI [%v, %v], want [1.1, 4.9]", lo, hi)
	}
	if lo, hi := percentileCI([][]float64{{7}}, 0, nil); lo != 7 || hi != 7 {
		t.Fatalf("one replicate: [%v, %v]", lo, hi)
	}
}

func TestBootstrapRunDeterministic(t *testing.T) {
	fn := func(r int, rng *rand.Rand) ([]float64, error) {
		return []float64{float64(r), rng.Float64()}, nil
	}
	ref, err := bootstrapRun(context.Background(), 50, 1, 9, fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 8, 100} {
		got, err := bootstrapRun(context.Background(), 50, w, 9, fn)
		if err != nil {
			t.Fatal(err)
		}
		for r := range ref {
			if !slices.Equal(ref[r], got[r]) {
				t.Fatalf("%d workers: replicate %d = %v, want %v", w, r, got[r], ref[r])
			}
		}
	}
	// The error reported is the lowest failing replicate's, whatever the
	// scheduling.
	fail := func(r int, _ *rand.Rand) ([]float64, error) {
		if r%7 == 3 {
			return nil, fmt.Errorf("replicate %d", r)
		}
		return []float64{0}, nil
	}
	for range 5 {
		_, err := bootstrapRun(context.Background(), 30, 4, 1, fail)
		if err == nil || err.Error() != "replicate 3" {
			t.Fatalf("error %v, want replicate 3", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := bootstrapRun(ctx, 10, 2, 1, fn); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestBinomialDistribution compares the sampler's histogram with the exact
// probability mass function by a chi-square statistic, in both regimes
// (inversion for np < 10, BTRS above) and for p > ½.
func TestBinomialDistribution(t *testing.T) {
	draws := 200000
	if testing.Short() {
		draws = 50000
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []struct {
		n int64
		p float64
	}{{5, 0.3}, {40, 0.1}, {100, 0.3}, {1000, 0.02}, {1_000_000, 0.4}, {50, 0.9}, {7, 0.5}, {20000, 0.0007}} {
		counts := map[int64]int{}
		for range draws {
			k := binomial(rng, tc.n, tc.p)
			if k < 0 || k > tc.n {
				t.Fatalf("Bin(%d, %v) drew %d", tc.n, tc.p, k)
			}
			counts[k]++
		}
		// Pool the tails into bins with expected count ≥ 5.
		lgN, _ := math.Lgamma(float64(tc.n) + 1)
		pmf := func(k int64) float64 {
			a, _ := math.Lgamma(float64(k) + 1)
			b, _ := math.Lgamma(float64(tc.n-k) + 1)
			return math.Exp(lgN - a - b + float64(k)*math.Log(tc.p) + float64(tc.n-k)*math.Log1p(-tc.p))
		}
		mean := float64(tc.n) * tc.p
		sd := math.Sqrt(mean * (1 - tc.p))
		lo := max(0, int64(mean-8*sd))
		hi := min(tc.n, int64(mean+8*sd)+1)
		var chi float64
		var bins int
		var expAcc, obsAcc float64
		for k := lo; k <= hi; k++ {
			expAcc += pmf(k) * float64(draws)
			obsAcc += float64(counts[k])
			if expAcc >= 5 || k == hi {
				chi += (obsAcc - expAcc) * (obsAcc - expAcc) / math.Max(expAcc, 1e-9)
				bins++
				expAcc, obsAcc = 0, 0
			}
		}
		df := float64(bins - 1)
		if limit := df + 6*math.Sqrt(2*df) + 10; chi > limit {
			t.Errorf("Bin(%d, %v): chi-square %.1f over %d bins (limit %.1f)", tc.n, tc.p, chi, bins, limit)
		}
	}
}

func TestLogFactorial(t *testing.T) {
	for _, k := range []float64{0, 1, 2, 10, 255, 256, 257, 1000, 123456, 1e7} {
		want, _ := math.Lgamma(k + 1)
		if got := logFactorial(k); math.Abs(got-want) > 1e-13*math.Max(1, want) {
			t.Errorf("ln %v! = %v, want %v", k, got, want)
		}
	}
}
