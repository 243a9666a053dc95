package stats

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkIQMCI: 10 tasks × 10 seeds, 10000 stratified resamples (what
// "selfplay compare" does per algorithm).
func BenchmarkIQMCI(b *testing.B) {
	s := normalScores(rand.New(rand.NewPCG(1, 1)), 10, 10, 0, 1)
	for b.Loop() {
		if _, err := IQMCI(s, Bootstrap{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeanCIBaseline: the plain bootstrap of the mean of the same 100
// scores, the baseline for BenchmarkIQMCI (IQM sorts every replicate).
func BenchmarkMeanCIBaseline(b *testing.B) {
	s := normalScores(rand.New(rand.NewPCG(1, 1)), 1, 100, 0, 1)
	for b.Loop() {
		MeanCI(s[0], Bootstrap{Seed: 1})
	}
}

// BenchmarkSequential: one pair, 1 task × 30 seeds, 6 interims, 10000
// permutations (the compare default).
func BenchmarkSequential(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := normalScores(rng, 1, 30, 0, 1), normalScores(rng, 1, 30, 0, 1)
	for b.Loop() {
		if _, err := (Sequential{Seed: 1}).Test(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
