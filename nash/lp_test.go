package nash

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestLPMaxOriginKnown(t *testing.T) {
	// max 3x + 2y s.t. x + y ≤ 4, x + 3y ≤ 6, x ≤ 3: optimum (3, 1), 11.
	x, err := lpMaxOrigin(context.Background(),
		[][]float64{{1, 1}, {1, 3}, {1, 0}}, []float64{4, 6, 3}, []float64{3, 2}, 1e-10)
	if err != nil {
		t.Fatal(err)
	}
	zsClose(t, "x", x, []float64{3, 1}, 1e-8)

	// Degenerate: many constraints through the origin.
	x, err = lpMaxOrigin(context.Background(),
		[][]float64{{1, -1}, {-1, 1}, {1, 1}, {2, -2}}, []float64{0, 0, 2, 0}, []float64{1, 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	zsClose(t, "x", x, []float64{1, 1}, 1e-8)

	if _, err := lpMaxOrigin(context.Background(), [][]float64{{1, -1}}, []float64{1}, []float64{0, 1}, 1e-10); !errors.Is(err, errLPUnbounded) {
		t.Fatalf("unbounded program: error %v", err)
	}
}

// Random programs against the matrix-game LP: max Σw s.t. Aw ≤ 1 with A > 0
// has optimum 1/v for the game value v of A.
func TestLPMaxOriginMatchesGameValue(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 23))
	for trial := range 30 {
		m, n := 1+r.IntN(15), 1+r.IntN(15)
		A := zsRandom(r, m, n, func(r *rand.Rand) float64 { return 1 + float64(r.IntN(4)) })
		b := make([]float64, m)
		for i := range b {
			b[i] = 1
		}
		c := make([]float64, n)
		for j := range c {
			c[j] = 1
		}
		w, err := lpMaxOrigin(context.Background(), A, b, c, 1e-10)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, v := range w {
			sum += v
		}
		sol := zsSolve(t, A)
		if math.Abs(sum-1/sol.Value) > 1e-8 {
			t.Fatalf("trial %d: LP optimum %v, 1/value %v", trial, sum, 1/sol.Value)
		}
	}
}
