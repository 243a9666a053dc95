package cuda

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestCPUConformance(t *testing.T) {
	for _, workers := range []int{1, 3} {
		be := NewCPU(workers)
		t.Cleanup(func() { be.Close() })
		conformance(t, be, 1e-11)
	}
}

// TestCPUDeterministic checks that results, including reductions, are
// bit-identical for any number of workers, with a shared P and with one P
// per context (which uses wider chunks).
func TestCPUDeterministic(t *testing.T) {
	for _, perContext := range []bool{false, true} {
		r := rand.New(rand.NewPCG(1, 2))
		k, b := 7, 5000
		pcols := 1
		if perContext {
			pcols = b
		}
		pv, pol, ref := randPref(r, k, pcols), randPolicies(r, k, b, 1), randPolicies(r, k, b, 1)
		run := func(workers int) ([]float64, Means) {
			be := NewCPU(workers)
			defer be.Close()
			h := harness{t, be}
			P, Pol, Ref := h.tensor(k*k, pcols, pv), h.tensor(k, b, pol), h.tensor(k, b, ref)
			s := Step{Out: Pol, Base: Pol, A: 0.99, Ref: Ref, B: 0.01, D: 0.1, P: P, Opp: []*Tensor{Pol}, W: []float64{1}}
			for i := 0; i < 5; i++ {
				if err := be.Mirror(&s); err != nil {
					t.Fatal(err)
				}
			}
			m, err := be.Measure(&Measure{Pol: Pol, Ref: Ref, P: P, Tau: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			return h.read(Pol), m
		}
		p1, m1 := run(1)
		p4, m4 := run(4)
		if m1 != m4 {
			t.Fatalf("P per context %v: means differ across workers: %+v vs %+v", perContext, m1, m4)
		}
		for i := range p1 {
			if p1[i] != p4[i] {
				t.Fatalf("P per context %v: policy[%d] differs across workers: %v vs %v", perContext, i, p1[i], p4[i])
			}
		}
	}
}

// TestCPUMirrorNoAlloc checks the steady state allocates nothing.
func TestCPUMirrorNoAlloc(t *testing.T) {
	be := NewCPU(2)
	defer be.Close()
	h := harness{t, be}
	r := rand.New(rand.NewPCG(3, 4))
	k, b := 16, 3000
	P, Pol, Ref := h.tensor(k*k, 1, randPref(r, k, 1)), h.tensor(k, b, randPolicies(r, k, b, 1)), h.tensor(k, b, randPolicies(r, k, b, 1))
	Gap := h.tensor(1, b, nil)
	s := Step{Out: Pol, Base: Pol, A: 0.9, Ref: Ref, B: 0.1, D: 0.5, P: P, Opp: []*Tensor{Pol}, W: []float64{1}, Gap: Gap, Tau: 0.2}
	m := Measure{Pol: Pol, Ref: Ref, P: P, Tau: 0.2}
	allocs := testing.AllocsPerRun(20, func() {
		if err := be.Mirror(&s); err != nil {
			t.Fatal(err)
		}
		if _, err := be.Measure(&m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Mirror+Measure allocate %v times per call, want 0", allocs)
	}
}

// TestMMDReachesRegularizedNash iterates MMD, whose fixed point is the
// regularized Nash π ∝ ref·exp(Pπ/τ): the regularized gap must fall to
// round-off, and the fixed-point equation must hold there.
func TestMMDReachesRegularizedNash(t *testing.T) {
	be := NewCPU(2)
	defer be.Close()
	h := harness{t, be}
	r := rand.New(rand.NewPCG(5, 6))
	k, b, tau, eta := 6, 50, 0.1, 1.0
	pv, ref := randPref(r, k, b), randPolicies(r, k, b, 1)
	P, Pol, Ref, G := h.tensor(k*k, b, pv), h.tensor(k, b, uniformLog(k, b)), h.tensor(k, b, ref), h.tensor(k, b, nil)
	s := Step{Out: Pol, Base: Pol, A: 1 / (1 + eta*tau), Ref: Ref, B: eta * tau / (1 + eta*tau), D: eta / (1 + eta*tau),
		P: P, Opp: []*Tensor{Pol}, W: []float64{1}}
	m := Measure{Pol: Pol, Ref: Ref, P: P, Tau: tau}
	first, err := be.Measure(&m)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400; i++ {
		if err := be.Mirror(&s); err != nil {
			t.Fatal(err)
		}
	}
	last, err := be.Measure(&m)
	if err != nil {
		t.Fatal(err)
	}
	if !(first.Gap > 1e-3) || !(math.Abs(last.Gap) < 1e-12) {
		t.Fatalf("mean gap %g → %g, want a clear start and < 1e-12 at the end", first.Gap, last.Gap)
	}
	// Fixed point: log π = log ref + g/τ − log Z, so log π − log ref − g/τ
	// is the same constant for every response.
	if err := be.WinRates(G, P, []*Tensor{Pol}, []float64{1}); err != nil {
		t.Fatal(err)
	}
	pol, g := h.read(Pol), h.read(G)
	for ctx := 0; ctx < b; ctx++ {
		c0 := pol[ctx] - ref[ctx] - g[ctx]/tau
		for y := 1; y < k; y++ {
			if c := pol[y*b+ctx] - ref[y*b+ctx] - g[y*b+ctx]/tau; math.Abs(c-c0) > 1e-9 {
				t.Fatalf("context %d response %d: fixed-point residual %g", ctx, y, c-c0)
			}
		}
	}
}

// TestRockPaperScissors checks closed forms: the uniform policy of
// rock-paper-scissors has exploitability 0, a pure policy 1/2; and
// optimistic MW's last iterate converges where plain MW's does not.
func TestRockPaperScissors(t *testing.T) {
	be := NewCPU(1)
	defer be.Close()
	h := harness{t, be}
	rps := []float64{0.5, 0, 1, 1, 0.5, 0, 0, 1, 0.5} // P[i][j]: i beats j
	P := h.tensor(9, 1, rps)
	pure := []float64{0, math.Inf(-1), math.Inf(-1)}
	Pol := h.tensor(3, 1, uniformLog(3, 1))
	Expl := h.tensor(1, 1, nil)
	m, err := be.Measure(&Measure{Pol: Pol, P: P, Expl: Expl})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Expl) > 1e-15 || math.Abs(m.Gap) > 1e-15 {
		t.Fatalf("uniform RPS: expl %g gap %g, want 0", m.Expl, m.Gap)
	}
	if err := be.Write(Pol, pure); err != nil {
		t.Fatal(err)
	}
	if m, err = be.Measure(&Measure{Pol: Pol, P: P}); err != nil || m.Expl != 0.5 || m.Gap != 1 {
		t.Fatalf("pure rock: %+v, %v; want expl 1/2, gap 1", m, err)
	}

	// Zero-sum RPS with payoff M = 2P − 1, from a skewed start.
	a := make([]float64, 9)
	for i, p := range rps {
		a[i] = 2*p - 1
	}
	start := []float64{math.Log(0.6), math.Log(0.3), math.Log(0.1)}
	gaps := func(optimistic bool) (last, avg float64) {
		A, X, Y := h.tensor(9, 1, a), h.tensor(3, 1, start), h.tensor(3, 1, start)
		XA, YA, Gap, GapAvg := h.tensor(3, 1, nil), h.tensor(3, 1, nil), h.tensor(1, 1, nil), h.tensor(1, 1, nil)
		z := ZeroSum{A: A, M: 3, N: 3, X: X, Y: Y, XAvg: XA, YAvg: YA, Gap: Gap, GapAvg: GapAvg, Eta: 0.3, Iters: 3000, Optimistic: optimistic}
		if err := be.ZeroSum(context.Background(), &z); err != nil {
			t.Fatal(err)
		}
		return h.read(Gap)[0], h.read(GapAvg)[0]
	}
	if last, _ := gaps(true); last > 1e-9 {
		t.Fatalf("optimistic MW last-iterate gap %g, want < 1e-9", last)
	}
	if last, avg := gaps(false); last < 0.1 || avg > 0.03 {
		t.Fatalf("plain MW gaps: last %g (want > 0.1: it cycles), average %g (want < 0.03)", last, avg)
	}
}

func TestCPUErrors(t *testing.T) {
	be := NewCPU(1)
	other := NewCPU(1)
	defer other.Close()
	h := harness{t, be}
	P, Pol, Bad := h.tensor(4, 1, nil), h.tensor(2, 5, nil), h.tensor(3, 5, nil)
	alien, _ := other.Alloc(2, 5)
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"shape", be.Mirror(&Step{Out: Pol, Base: Bad, A: 1}), ErrShape},
		{"pref shape", be.Mirror(&Step{Out: Pol, D: 1, P: Bad, Opp: []*Tensor{Pol}, W: []float64{1}}), ErrShape},
		{"weights", be.Mirror(&Step{Out: Pol, D: 1, P: P, Opp: []*Tensor{Pol}}), ErrArgument},
		{"NaN", be.Mirror(&Step{Out: Pol, Base: Pol, A: math.NaN()}), ErrArgument},
		{"foreign", be.Mirror(&Step{Out: Pol, Base: alien, A: 1}), ErrForeign},
		{"too many", be.Mirror(&Step{Out: Pol, Hist: make([]*Tensor, MaxTerms+1), C: make([]float64, MaxTerms+1)}), ErrArgument},
		{"KL without ref", be.Mirror(&Step{Out: Pol, KL: h.tensor(1, 5, nil)}), ErrArgument},
		{"measure tau", func() error { _, err := be.Measure(&Measure{Pol: Pol, P: P, Tau: 1}); return err }(), ErrArgument},
		{"write length", be.Write(Pol, make([]float64, 3)), ErrShape},
		{"mix weights", be.MixLog(Pol, Pol, Pol, -1, 1), ErrArgument},
		{"zero-sum eta", be.ZeroSum(context.Background(), &ZeroSum{A: P, M: 2, N: 2, X: h.tensor(2, 1, nil), Y: h.tensor(2, 1, nil), Iters: 1}), ErrArgument},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, c.err, c.want)
		}
	}
	be.Close()
	if err := be.Mirror(&Step{Out: Pol, Base: Pol, A: 1}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

func TestZeroSumCancel(t *testing.T) {
	be := NewCPU(2)
	defer be.Close()
	h := harness{t, be}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := rand.New(rand.NewPCG(7, 8))
	z := ZeroSum{A: h.tensor(4, 10, randMatrix(r, 2, 2, 10)), M: 2, N: 2, X: h.tensor(2, 10, uniformLog(2, 10)),
		Y: h.tensor(2, 10, uniformLog(2, 10)), Eta: 0.1, Iters: 1000}
	if err := be.ZeroSum(ctx, &z); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ZeroSum: %v, want context.Canceled", err)
	}
}

// TestCPUConcurrentCallers runs steps from several goroutines on one
// backend (calls are serialized) and checks each result against a
// sequential run; with -race it also checks the worker hand-off.
func TestCPUConcurrentCallers(t *testing.T) {
	be := NewCPU(2)
	defer be.Close()
	h := harness{t, be}
	k, b := 8, 700
	type job struct {
		step Step
		pol  *Tensor
		init []float64
	}
	jobs := make([]job, 4)
	for i := range jobs {
		r := rand.New(rand.NewPCG(uint64(i), 99))
		init := randPolicies(r, k, b, 1)
		pol := h.tensor(k, b, init)
		P := h.tensor(k*k, 1, randPref(r, k, 1))
		jobs[i] = job{Step{Out: pol, Base: pol, A: 1, D: 0.3, P: P, Opp: []*Tensor{pol}, W: []float64{1}}, pol, init}
	}
	done := make(chan error)
	for i := range jobs {
		go func() {
			for it := 0; it < 20; it++ {
				if err := be.Mirror(&jobs[i].step); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range jobs {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for i, j := range jobs {
		got := h.read(j.pol)
		if err := be.Write(j.pol, j.init); err != nil {
			t.Fatal(err)
		}
		for it := 0; it < 20; it++ {
			if err := be.Mirror(&jobs[i].step); err != nil {
				t.Fatal(err)
			}
		}
		want := h.read(j.pol)
		for n := range got {
			if got[n] != want[n] {
				t.Fatalf("job %d: concurrent result differs at %d: %v vs %v", i, n, got[n], want[n])
			}
		}
	}
	// A freed tensor is refused.
	be.Free(jobs[0].pol)
	if err := be.Mirror(&jobs[0].step); !errors.Is(err, ErrForeign) {
		t.Fatalf("step on a freed tensor: %v, want ErrForeign", err)
	}
}

// TestMixLogMatchesScalar checks the vectorized MixLog against the scalar
// formula mixLog, elementwise, on ordinary log-probabilities and on the
// special values (−Inf on one or both sides, +Inf, NaN, arguments whose
// exponentials underflow), for several weights, on a length that is
// neither a multiple of the vector width nor of the block.
func TestMixLogMatchesScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	k, b := 7, 301 // 2107 elements: 4 blocks and a ragged tail
	x, y := make([]float64, k*b), make([]float64, k*b)
	special := []float64{math.Inf(-1), math.Inf(1), math.NaN(), -800, -1e300, 0, 700, -745.5}
	for i := range x {
		x[i], y[i] = -30*r.Float64(), -30*r.Float64()
		if i%5 == 0 {
			x[i] = special[r.IntN(len(special))]
		}
		if i%7 == 0 {
			y[i] = special[r.IntN(len(special))]
		}
	}
	x[1], y[1] = math.Inf(-1), math.Inf(-1)
	be := NewCPU(2)
	defer be.Close()
	h := harness{t, be}
	X, Y, D := h.tensor(k, b, x), h.tensor(k, b, y), h.tensor(k, b, nil)
	for _, w := range [][2]float64{{0.5, 0.5}, {0.999, 0.001}, {1e-9, 1}, {0, 1}, {3, 0}} {
		if err := be.MixLog(D, X, Y, w[0], w[1]); err != nil {
			t.Fatal(err)
		}
		for i, got := range h.read(D) {
			want := mixLog(x[i], y[i], w[0], w[1])
			ok := got == want || (math.IsNaN(got) && math.IsNaN(want)) ||
				math.Abs(got-want) <= 4e-16*math.Max(4, math.Abs(want))
			if !ok {
				t.Fatalf("weights %v, x = %v, y = %v: got %v, want %v", w, x[i], y[i], got, want)
			}
		}
	}
	// In place over x, as the running average of an NLHF run calls it.
	want := make([]float64, len(x))
	for i := range x {
		want[i] = mixLog(x[i], y[i], 0.75, 0.25)
	}
	if err := be.MixLog(X, X, Y, 0.75, 0.25); err != nil {
		t.Fatal(err)
	}
	for i, got := range h.read(X) {
		if !(got == want[i] || (math.IsNaN(got) && math.IsNaN(want[i])) || math.Abs(got-want[i]) <= 4e-16*math.Max(4, math.Abs(want[i]))) {
			t.Fatalf("in place, element %d: got %v, want %v", i, got, want[i])
		}
	}
}

func BenchmarkMixLog(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	k, n := 16, 10_000
	be := NewCPU(0)
	defer be.Close()
	X, _ := be.Alloc(k, n)
	Y, _ := be.Alloc(k, n)
	pol := randPolicies(r, k, n, 1)
	if err := be.Write(X, pol); err != nil {
		b.Fatal(err)
	}
	if err := be.Write(Y, randPolicies(r, k, n, 1)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(8 * 3 * k * n))
	for i := 0; b.Loop(); i++ {
		if err := be.MixLog(X, X, Y, float64(i+1)/float64(i+2), 1/float64(i+2)); err != nil {
			b.Fatal(err)
		}
	}
}
