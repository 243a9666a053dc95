package nash

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkSolveZeroSum times SolveZeroSum on random n×n games with
// uniform payoffs; the gonum sub-benchmarks time gonum's lp.Simplex on the
// same games in the same run (only where it finishes in reasonable time),
// for the ratio recorded in BENCHMARKS.md.
func BenchmarkSolveZeroSum(b *testing.B) {
	for _, n := range []int{10, 100, 500, 1000} {
		A := zsRandom(rand.New(rand.NewPCG(uint64(n), 1)), n, n, zsUniform)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := SolveZeroSum(A); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n > 100 {
			continue
		}
		b.Run(fmt.Sprintf("gonum/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := gonumGameValue(A); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The baseline must solve the same problem: same value as SolveZeroSum.
func TestBenchZeroSumBaselineAgrees(t *testing.T) {
	for _, n := range []int{5, 40} {
		res, err := BenchZeroSum(context.Background(), n, 1, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.ValueDiff > 1e-8 || res.Gap > 1e-9 || !(res.Ratio > 0) || math.IsInf(res.Ratio, 0) {
			t.Fatalf("n=%d: %+v", n, res)
		}
	}
	if _, err := BenchZeroSum(context.Background(), 0, 1, 1, false); err == nil {
		t.Fatal("n = 0 accepted")
	}
}
