package agents

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// BenchmarkNLHFExact times one exact step of every algorithm on
// B = 10^4 contexts × K = 16 responses (one preference matrix per context),
// and reports steps×contexts per second, the fraction of a same-run STREAM
// triad moving one step's compulsory bytes (BenchBytes), and the step in
// units of one engine win-rate pass g = P·π (one read of P), the engine
// primitive every exact step is built on.
func BenchmarkNLHFExact(b *testing.B) {
	const contexts, k = 10_000, 16
	rng := rand.New(rand.NewPCG(1, 2))
	g := game.RandomAntisymmetric(rng, contexts, k, game.LowerRandom)
	ref := NormalRef(rng, k, contexts, 1)
	be := cuda.NewCPU(0)
	defer be.Close()
	env, err := NewEnv(be, g, ref)
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	bytes := BenchBytes(contexts, k)
	n := int(bytes / 24)
	ta, tb, tc := make([]float64, n), make([]float64, n), make([]float64, n)
	rates, err := env.alloc(k)
	if err != nil {
		b.Fatal(err)
	}
	median := func(f func()) time.Duration {
		d := make([]time.Duration, 15)
		for i := range d {
			t0 := time.Now()
			f()
			d[i] = time.Since(t0)
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	for _, a := range Algorithms() {
		b.Run(a.Name, func(b *testing.B) {
			l, err := a.New(env, BenchParams(a.Name), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			if err := l.Step(0); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				if err := l.Step(i + 1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			triad := median(func() { cuda.Triad(ta, tb, tc, 0.5, 0) })
			pass := median(func() {
				if err := be.WinRates(rates, env.P, []*cuda.Tensor{env.Ref}, []float64{1}); err != nil {
					b.Fatal(err)
				}
			})
			step := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(contexts)/step.Seconds(), "ctx-steps/s")
			b.ReportMetric(triad.Seconds()/step.Seconds(), "of-triad")
			b.ReportMetric(step.Seconds()/pass.Seconds(), "P-passes")
		})
	}
}
