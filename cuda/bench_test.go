package cuda

import (
	"context"
	"fmt"

	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestScalarBaselines checks the benchmarks' scalar references against
// the oracle, so the speed-ups are against correct code.
func TestScalarBaselines(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	k, b := 5, 40
	for _, pcols := range []int{1, b} {
		p, pol, ref := randPref(r, k, pcols), randPolicies(r, k, b, 1), randPolicies(r, k, b, 1)
		got, gap := slices.Clone(pol), make([]float64, b)
		ScalarMirrorOMD(got, ref, p, k, b, benchEta, benchTau, gap)
		want, wgap, _, _ := refStep{k: k, b: b, p: p, base: pol, a: 1 - benchEta*benchTau, ref: ref, bc: benchEta * benchTau,
			d: benchEta, opp: [][]float64{pol}, w: []float64{1}, tau: benchTau, wantMeasur: true}.run()
		name := fmt.Sprintf("ScalarMirrorOMD (%d preference columns)", pcols)
		near(t, name, got, want, 1e-12)
		near(t, name+" gap", gap, wgap, 1e-12)
		got2 := slices.Clone(pol)
		ScalarMirrorOMD(got2, ref, p, k, b, benchEta, benchTau, nil)
		near(t, name+" without gap", got2, want, 1e-12)
	}

	m, n := 3, 4
	a := randMatrix(r, m, n, b)
	zgap := make([]float64, b)
	ScalarZeroSum(a, m, n, b, 30, 0.1, zgap)
	for c := 0; c < b; c++ {
		_, _, _, _, g, _ := refZeroSum(a, m, n, b, c, uniformLog(m, 1), uniformLog(n, 1), 0.1, 30, true)
		near(t, fmt.Sprint("ScalarZeroSum game ", c), zgap[c:c+1], []float64{g}, 1e-12)
	}
}

// TestBenchMirrorRuns checks the CLI's benchmark driver on a small case:
// it must time all three subjects and leave a valid step behind.
func TestBenchMirrorRuns(t *testing.T) {
	be := NewCPU(2)
	defer be.Close()
	s, err := BenchMirror(context.Background(), be, MirrorBench{B: 300, K: 4, Gap: true}, 2, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Step <= 0 || s.Triad <= 0 || s.Scalr <= 0 || s.Bytes != 3*8*4*300+8*300 {
		t.Fatalf("BenchMirror = %+v", s)
	}
	s, err = BenchMirror(context.Background(), be, MirrorBench{B: 300, K: 4, PerContext: true}, 2, true, 0)
	if err != nil || s.Step <= 0 || s.Scalr <= 0 || s.Bytes != 3*8*4*300+8*16*300 {
		t.Fatalf("BenchMirror per context = %+v, %v", s, err)
	}
	z, err := BenchZeroSum(context.Background(), be, ZeroSumBench{B: 50, M: 3, N: 3, Iters: 10}, 2, true, 0)
	if err != nil || z.Step <= 0 || z.Scalr <= 0 || z.Bytes != 8*9*50*10 {
		t.Fatalf("BenchZeroSum = %+v, %v", z, err)
	}
}

// timeMedian returns the median duration of reps calls of f.
func timeMedian(f func(), reps int) time.Duration {
	d := make([]time.Duration, reps)
	for i := range d {
		t0 := time.Now()
		f()
		d[i] = time.Since(t0)
	}
	return median(d)
}

// BenchmarkMirror times the OMD step (shared P, in place), alone and fused
// with the regularized gap, on the CPU backend, and reports from the same
// run the fraction of the triad bandwidth over the same bytes and the
// speed-up over the scalar reference (skipped where one scalar step would
// take seconds), both against the median of steps timed in alternation
// with the triad after the timed loop.
func BenchmarkMirror(b *testing.B) {
	for _, nb := range []int{1e3, 1e4, 1e5, 1e6} {
		for _, k := range []int{4, 16, 64} {
			for _, gap := range []bool{false, true} {
				m := MirrorBench{B: nb, K: k, Gap: gap}
				name := fmt.Sprintf("B=%d/K=%d/step", nb, k)
				if gap {
					name += "+gap"
				}
				b.Run(name, func(b *testing.B) { benchMirror(b, m) })
			}
		}
	}
}

// BenchmarkMirrorPerContext is BenchmarkMirror with one preference matrix
// per context, the memory-bound case: the step streams B·K² values of P
// (counted in the bytes). Shapes stop at 10^8 values of P (0.8 GB).
func BenchmarkMirrorPerContext(b *testing.B) {
	for _, nb := range []int{1e3, 1e4, 1e5, 1e6} {
		for _, k := range []int{4, 16, 64} {
			if nb*k*k > 1e8 {
				continue
			}
			for _, gap := range []bool{false, true} {
				m := MirrorBench{B: nb, K: k, Gap: gap, PerContext: true}
				name := fmt.Sprintf("B=%d/K=%d/step", nb, k)
				if gap {
					name += "+gap"
				}
				b.Run(name, func(b *testing.B) { benchMirror(b, m) })
			}
		}
	}
}

func benchMirror(b *testing.B, m MirrorBench) {
	be := NewCPU(0)
	defer be.Close()
	mb, err := newMirrorBench(be, m, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.Bytes())
	for b.Loop() {
		if err := be.Mirror(&mb.step); err != nil {
			b.Fatal(err)
		}
	}
	// The ratios use medians of step and triad timed in alternation after
	// the loop, as BenchMirror does, so that load from other jobs on a
	// shared machine falls on both alike.
	triad := triadFor(m.Bytes(), runtime.GOMAXPROCS(0))
	steps, triads := make([]time.Duration, 7), make([]time.Duration, 7)
	for i := range steps {
		steps[i] = timeMedian(func() {
			if err := be.Mirror(&mb.step); err != nil {
				b.Fatal(err)
			}
		}, 1)
		triads[i] = timeMedian(triad, 1)
	}
	step := median(steps)
	b.ReportMetric(median(triads).Seconds()/step.Seconds(), "frac-of-triad")
	if m.B*m.K*m.K <= 1e8 {
		var gap []float64
		if m.Gap {
			gap = mb.gapVs
		}
		scalar := timeMedian(func() {
			ScalarMirrorOMD(mb.hostPol, mb.ref, mb.p, m.K, m.B, benchEta, benchTau, gap)
		}, 3)
		b.ReportMetric(scalar.Seconds()/step.Seconds(), "x-scalar")
	}
}

// BenchmarkZeroSum times 100 rounds of optimistic MW on 10^4 random games
// of 16×16, with the triad over the same logical bytes and the scalar
// reference's time from the same run.
func BenchmarkZeroSum(b *testing.B) {
	be := NewCPU(0)
	defer be.Close()
	z := ZeroSumBench{B: 10000, M: 16, N: 16, Iters: 100}
	zb, err := newZeroSumBench(be, z)
	if err != nil {
		b.Fatal(err)
	}
	defer zb.free()
	ctx := context.Background()
	b.SetBytes(z.Bytes())
	for b.Loop() {
		if err := zb.run(ctx); err != nil {
			b.Fatal(err)
		}
	}
	step := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(z.B*z.Iters)/step.Seconds(), "game-rounds/s")
	triad := triadFor(z.Bytes()/int64(z.Iters), runtime.GOMAXPROCS(0))
	b.ReportMetric(timeMedian(func() {
		for i := 0; i < z.Iters; i++ {
			triad()
		}
	}, 3).Seconds()/step.Seconds(), "frac-of-triad")
	gap := make([]float64, z.B)
	b.ReportMetric(timeMedian(func() { ScalarZeroSum(zb.a, z.M, z.N, z.B, z.Iters, 0.1, gap) }, 1).Seconds()/step.Seconds(), "x-scalar")
}
