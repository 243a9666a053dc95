package nash

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

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
	}
}
