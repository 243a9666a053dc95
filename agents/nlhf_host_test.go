package agents

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expFast agrees with math.Exp to a few ulp over the whole range and
// hands the ends of the range and special values to it.
func TestExpFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	worst := 0.0
	check := func(x float64) {
		got, want := expFast(x), math.Exp(x)
		if want == 0 || math.IsInf(want, 0) || math.IsNaN(want) {
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("expFast(%v) = %v, want %v", x, got, want)
			}
			return
		}
		rel := math.Abs(got-want) / want
		worst = max(worst, rel)
		if rel > 4e-16 {
			t.Errorf("expFast(%v) = %v, math.Exp %v: relative difference %.3g", x, got, want, rel)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, 1e-300, -1e-300, 0.5 * math.Ln2 / 64, -0.5 * math.Ln2 / 64, math.Ln2, 700, -700,
		-708, -708.0000001, 709, 709.0000001, 709.78, 710, -745.2, -746, math.Inf(1), math.Inf(-1), math.NaN()} {
		check(x)
	}
	for range 1_000_000 {
		check(-708 + 1417*rng.Float64())
		check(rng.NormFloat64())
		check(-40 * rng.Float64())
	}
	// expVec is expFast element by element, including odd lengths and
	// special values mixed with ordinary ones.
	src := []float64{0.3, math.NaN(), -1, -800, 2, 720, -3.5, math.Inf(-1), 1e-9}
	for n := range len(src) + 1 {
		dst := make([]float64, n)
		expVec(dst, src[:n])
		for i, v := range dst {
			if want := expFast(src[i]); v != want && !(math.IsNaN(v) && math.IsNaN(want)) {
				t.Errorf("expVec element %d of %d: %v, want expFast(%v) = %v", i, n, v, src[i], want)
			}
		}
	}
	t.Logf("worst relative difference from math.Exp: %.3g", worst)
}

func TestForBlocksCoversEveryContextOnce(t *testing.T) {
	for _, b := range []int{1, hostBlock - 1, hostBlock, 5*hostBlock + 3} {
		for _, workers := range []int{1, 2, 7} {
			seen := make([]int32, b)
			forBlocks(b, workers, func(c0, c1, worker int) {
				if worker < 0 || worker >= workers {
					t.Errorf("worker %d of %d", worker, workers)
				}
				for c := c0; c < c1; c++ {
					seen[c]++
				}
			})
			for c, n := range seen {
				if n != 1 {
					t.Fatalf("b = %d, %d workers: context %d visited %d times", b, workers, c, n)
				}
			}
		}
	}
}

func BenchmarkExpFast(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -float64(i) / 100
	}
	y := make([]float64, len(x))
	b.Run("expFast", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = expFast(v)
			}
		}
	})
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = math.Exp(v)
			}
		}
	})
}

func BenchmarkExpVec(b *testing.B) {
	x := make([]float64, 1024)
	for i := range x {
		x[i] = -float64(i) / 100
	}
	y := make([]float64, len(x))
	for b.Loop() {
		expVec(y, x)
	}
}

func TestGatherScatter(t *testing.T) {
	for _, k := range []int{2, 3, 4, 7, 16} {
		const b = 37
		a := make([]float64, k*b)
		for i := range a {
			a[i] = float64(i)
		}
		c0, c1 := 5, 30
		blk := make([]float64, (c1-c0)*k)
		gather(blk, a, k, b, c0, c1)
		for c := c0; c < c1; c++ {
			for y := range k {
				if got := blk[(c-c0)*k+y]; got != a[y*b+c] {
					t.Fatalf("K = %d: gather context %d response %d = %v, want %v", k, c, y, got, a[y*b+c])
				}
			}
		}
		out := make([]float64, k*b)
		scatter(out, blk, k, b, c0, c1)
		for y := range k {
			for c := range b {
				want := 0.0
				if c >= c0 && c < c1 {
					want = a[y*b+c]
				}
				if out[y*b+c] != want {
					t.Fatalf("K = %d: scatter wrote %v at response %d context %d, want %v", k, out[y*b+c], y, c, want)
				}
			}
		}
	}
}
