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
