package cuda_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/cuda"
)

// TestExportedExpVec checks ExpVec against math.Exp (3 ulp) and the special values,
// and that an element's result does not depend on its position: the same
// arguments exponentiated one at a time, or in slices of every length
// (vector part and padded tail), give the same bits.
func TestExportedExpVec(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	src := make([]float64, 203)
	for i := range src {
		src[i] = 1400*r.Float64() - 700
	}
	copy(src, []float64{0, 1, -1, math.Inf(-1), math.Inf(1), math.NaN(), 709, -708, 1e-300, -745.2, 800})
	all := make([]float64, len(src))
	cuda.ExpVec(all, src)
	for i, got := range all {
		x, want := src[i], math.Exp(src[i])
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(got) {
				t.Errorf("exp(%v) = %v, want NaN", x, got)
			}
		case want < 0x1p-1022: // flushed or exactly 0
			if got != 0 && got != want {
				t.Errorf("exp(%v) = %v, want 0 or %v", x, got, want)
			}
		case math.IsInf(want, 1):
			if !math.IsInf(got, 1) {
				t.Errorf("exp(%v) = %v, want +Inf", x, got)
			}
		default:
			if math.Abs(got-want) > 3*ulp(want) {
				t.Errorf("exp(%v) = %v, want %v (%.2g ulp)", x, got, want, math.Abs(got-want)/ulp(want))
			}
		}
	}
	one := make([]float64, 1)
	for i := range src {
		cuda.ExpVec(one, src[i:i+1])
		if math.Float64bits(one[0]) != math.Float64bits(all[i]) {
			t.Fatalf("exp(%v): %v alone, %v in a slice", src[i], one[0], all[i])
		}
	}
	for n := 1; n <= 9; n++ {
		for lo := 0; lo+n <= len(src); lo += n {
			part := make([]float64, n)
			cuda.ExpVec(part, src[lo:lo+n])
			for j, v := range part {
				if math.Float64bits(v) != math.Float64bits(all[lo+j]) {
					t.Fatalf("length %d at %d: exp(%v) = %v, %v in the whole slice", n, lo, src[lo+j], v, all[lo+j])
				}
			}
		}
	}
	// In place.
	inPlace := append([]float64(nil), src...)
	cuda.ExpVec(inPlace, inPlace)
	for i := range inPlace {
		if math.Float64bits(inPlace[i]) != math.Float64bits(all[i]) {
			t.Fatalf("in place: exp(%v) = %v, want %v", src[i], inPlace[i], all[i])
		}
	}
}

func ulp(x float64) float64 { return math.Nextafter(x, math.Inf(1)) - x }

func BenchmarkExpVec(b *testing.B) {
	src := make([]float64, 16*256)
	for i := range src {
		src[i] = -float64(i%37) / 3
	}
	dst := make([]float64, len(src))
	b.SetBytes(int64(8 * len(src)))
	for b.Loop() {
		cuda.ExpVec(dst, src)
	}
}

func ExampleExpVec() {
	logp := []float64{math.Log(0.5), math.Log(0.25), math.Log(0.25)}
	p := make([]float64, len(logp))
	cuda.ExpVec(p, logp)
	fmt.Printf("%.6f\n", p)
	// Output: [0.500000 0.250000 0.250000]
}
