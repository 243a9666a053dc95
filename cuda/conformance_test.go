package cuda

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// conformance checks every Backend operation of be against the scalar
// reference on random batches, to |got − want| ≤ tol·max(1, |want|).
// It is run for the CPU backend, the host-emulated GPU kernels and, when a
// device exists, the real GPU.
func conformance(t *testing.T, be Backend, tol float64) {
	t.Helper()
	shapes := []struct{ k, b int }{{1, 3}, {2, 1}, {3, 37}, {5, 300}, {16, 130}, {17, 64}, {16, 530}}
	if !testing.Short() {
		shapes = append(shapes, struct{ k, b int }{64, 70}, struct{ k, b int }{4, 2500})
	}
	for _, sh := range shapes {
		for _, shared := range []bool{true, false} {
			name := fmt.Sprintf("K%d_B%d_shared%v", sh.k, sh.b, shared)
			t.Run(name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(sh.k), uint64(sh.b)))
				conformMirror(t, be, r, sh.k, sh.b, shared, tol)
				conformMeasure(t, be, r, sh.k, sh.b, shared, tol)
				conformMisc(t, be, r, sh.k, sh.b, shared, tol)
			})
		}
	}
	t.Run("ZeroSum", func(t *testing.T) { conformZeroSum(t, be, tol) })
}

// harness uploads values and compares results for one backend.
type harness struct {
	t  *testing.T
	be Backend
}

func (h harness) tensor(rows, cols int, v []float64) *Tensor {
	h.t.Helper()
	x, err := h.be.Alloc(rows, cols)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { h.be.Free(x) })
	if v != nil {
		if err := h.be.Write(x, v); err != nil {
			h.t.Fatal(err)
		}
	}
	return x
}

func (h harness) read(x *Tensor) []float64 {
	h.t.Helper()
	v := make([]float64, x.Len())
	if err := h.be.Read(v, x); err != nil {
		h.t.Fatal(err)
	}
	return v
}

// near fails if got and want differ by more than tol·max(1, |want|).
func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %.12g, want %.12g (tol %g)", what, i, got[i], want[i], tol)
		}
	}
}

func conformMirror(t *testing.T, be Backend, r *rand.Rand, k, b int, shared bool, tol float64) {
	h := harness{t, be}
	pcols := b
	if shared {
		pcols = 1
	}
	pv := randPref(r, k, pcols)
	P := h.tensor(k*k, pcols, pv)
	pol, prev, ref := randPolicies(r, k, b, 1), randPolicies(r, k, b, 1), randPolicies(r, k, b, 0.5)
	gv := randPolicies(r, k, b, 1) // any K×B values serve as a given G
	Pol, Prev, Ref, G := h.tensor(k, b, pol), h.tensor(k, b, prev), h.tensor(k, b, ref), h.tensor(k, b, gv)
	Out, Mix := h.tensor(k, b, nil), h.tensor(k, b, nil)
	Gap, KL, Expl := h.tensor(1, b, nil), h.tensor(1, b, nil), h.tensor(1, b, nil)
	eta, tau := 0.7, 0.1

	type tcase struct {
		name string
		step Step
		ref  refStep
	}
	base := refStep{k: k, b: b, p: pv}
	with := func(f func(*refStep)) refStep { s := base; f(&s); return s }
	cases := []tcase{
		{"MW", Step{Out: Out, Base: Pol, A: 1, D: eta, P: P, Opp: []*Tensor{Pol}, W: []float64{1}},
			with(func(s *refStep) { s.base, s.a, s.d, s.opp, s.w = pol, 1, eta, [][]float64{pol}, []float64{1} })},
		{"OMD_measures", Step{Out: Out, Base: Pol, A: 1 - eta*tau, Ref: Ref, B: eta * tau, D: eta, P: P, Opp: []*Tensor{Pol}, W: []float64{1},
			Gap: Gap, KL: KL, Expl: Expl, Tau: tau},
			with(func(s *refStep) {
				s.base, s.a, s.ref, s.bc, s.d, s.opp, s.w, s.tau, s.wantMeasur = pol, 1-eta*tau, ref, eta*tau, eta, [][]float64{pol}, []float64{1}, tau, true
			})},
		{"MMD_unregularized_gap", Step{Out: Out, Base: Pol, A: 1 / (1 + eta*tau), Ref: Ref, B: eta * tau / (1 + eta*tau), D: eta / (1 + eta*tau),
			P: P, Opp: []*Tensor{Pol}, W: []float64{1}, Gap: Gap, KL: KL, Expl: Expl},
			with(func(s *refStep) {
				s.base, s.a, s.ref, s.bc, s.d, s.opp, s.w, s.wantMeasur = pol, 1/(1+eta*tau), ref, eta*tau/(1+eta*tau), eta/(1+eta*tau), [][]float64{pol}, []float64{1}, true
			})},
		{"optimistic", Step{Out: Out, Base: Pol, A: 1, D: eta, P: P, Opp: []*Tensor{Pol, Prev}, W: []float64{2, -1}},
			with(func(s *refStep) {
				s.base, s.a, s.d, s.opp, s.w = pol, 1, eta, [][]float64{pol, prev}, []float64{2, -1}
			})},
		{"MNPO_history", Step{Out: Out, Ref: Ref, B: 1.0 / 3, Hist: []*Tensor{Pol, Prev}, C: []float64{1.0 / 3, 1.0 / 3}, D: 2, P: P,
			Opp: []*Tensor{Pol}, W: []float64{1}},
			with(func(s *refStep) {
				s.ref, s.bc, s.hist, s.c, s.d, s.opp, s.w = ref, 1.0/3, [][]float64{pol, prev}, []float64{1.0 / 3, 1.0 / 3}, 2, [][]float64{pol}, []float64{1}
			})},
		{"given_G", Step{Out: Out, Base: Pol, A: 1, D: 0.3, G: G},
			with(func(s *refStep) { s.base, s.a, s.d, s.g = pol, 1, 0.3, gv })},
		{"no_G", Step{Out: Out, Base: Pol, A: 1 - eta*tau, Ref: Ref, B: eta * tau},
			with(func(s *refStep) { s.base, s.a, s.ref, s.bc = pol, 1-eta*tau, ref, eta*tau })},
		{"best_response", Step{Out: Out, Ref: Ref, B: 1, D: 1 / tau, P: P, Opp: []*Tensor{Pol}, W: []float64{1}},
			with(func(s *refStep) { s.ref, s.bc, s.d, s.opp, s.w = ref, 1, 1/tau, [][]float64{pol}, []float64{1} })},
	}
	for _, c := range cases {
		if err := be.Mirror(&c.step); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		out, gap, kl, expl := c.ref.run()
		near(t, c.name+" out", h.read(Out), out, tol)
		if c.ref.wantMeasur {
			near(t, c.name+" gap", h.read(Gap), gap, tol)
			near(t, c.name+" KL", h.read(KL), kl, tol)
			near(t, c.name+" expl", h.read(Expl), expl, tol)
		}
	}

	// Nash-MD: geometric mixture, then a step against it; in place.
	if err := be.Mirror(&Step{Out: Mix, Base: Pol, A: 1 - eta*tau, Ref: Ref, B: eta * tau}); err != nil {
		t.Fatal(err)
	}
	mix, _, _, _ := with(func(s *refStep) { s.base, s.a, s.ref, s.bc = pol, 1-eta*tau, ref, eta*tau }).run()
	near(t, "NashMD mixture", h.read(Mix), mix, tol)
	if err := be.Mirror(&Step{Out: Pol, Base: Pol, A: 1 - eta*tau, Ref: Ref, B: eta * tau, D: eta, P: P, Opp: []*Tensor{Mix}, W: []float64{1}}); err != nil {
		t.Fatal(err)
	}
	nmd, _, _, _ := with(func(s *refStep) {
		s.base, s.a, s.ref, s.bc, s.d, s.opp, s.w = pol, 1-eta*tau, ref, eta*tau, eta, [][]float64{mix}, []float64{1}
	}).run()
	near(t, "NashMD in place", h.read(Pol), nmd, tol)

	// Extragradient: half step against π_t, full step from π_t against it,
	// written over the opponent.
	if err := be.Write(Pol, pol); err != nil {
		t.Fatal(err)
	}
	half := Step{Out: Mix, Base: Pol, A: 1, D: eta, P: P, Opp: []*Tensor{Pol}, W: []float64{1}}
	full := Step{Out: Mix, Base: Pol, A: 1, D: eta, P: P, Opp: []*Tensor{Mix}, W: []float64{1}}
	if err := be.Mirror(&half); err != nil {
		t.Fatal(err)
	}
	if err := be.Mirror(&full); err != nil {
		t.Fatal(err)
	}
	hv, _, _, _ := with(func(s *refStep) { s.base, s.a, s.d, s.opp, s.w = pol, 1, eta, [][]float64{pol}, []float64{1} }).run()
	eg, _, _, _ := with(func(s *refStep) { s.base, s.a, s.d, s.opp, s.w = pol, 1, eta, [][]float64{hv}, []float64{1} }).run()
	near(t, "extragradient", h.read(Mix), eg, tol)
}

func conformMeasure(t *testing.T, be Backend, r *rand.Rand, k, b int, shared bool, tol float64) {
	h := harness{t, be}
	pcols := b
	if shared {
		pcols = 1
	}
	pv := randPref(r, k, pcols)
	pol, ref := randPolicies(r, k, b, 2), randPolicies(r, k, b, 1)
	P, Pol, Ref := h.tensor(k*k, pcols, pv), h.tensor(k, b, pol), h.tensor(k, b, ref)
	Gap, KL, Expl := h.tensor(1, b, nil), h.tensor(1, b, nil), h.tensor(1, b, nil)
	for _, tau := range []float64{0, 0.01, 0.5} {
		m := Measure{Pol: Pol, Ref: Ref, P: P, Tau: tau, Gap: Gap, KL: KL, Expl: Expl}
		means, err := be.Measure(&m)
		if err != nil {
			t.Fatal(err)
		}
		wg, wk, we := make([]float64, b), make([]float64, b), make([]float64, b)
		var sg, sk, se float64
		for ctx := 0; ctx < b; ctx++ {
			wg[ctx], wk[ctx], we[ctx] = refMeasures(pv, k, pcols, min(ctx, pcols-1), col(pol, k, b, ctx), col(ref, k, b, ctx), tau)
			sg, sk, se = sg+wg[ctx], sk+wk[ctx], se+we[ctx]
		}
		what := fmt.Sprintf("tau=%g", tau)
		near(t, what+" gap", h.read(Gap), wg, tol)
		near(t, what+" KL", h.read(KL), wk, tol)
		near(t, what+" expl", h.read(Expl), we, tol)
		fb := float64(b)
		near(t, what+" means", []float64{means.Gap, means.KL, means.Expl}, []float64{sg / fb, sk / fb, se / fb}, tol)
		for ctx, g := range wg {
			if g < -1e-9 {
				t.Fatalf("%s: reference gap[%d] = %g < 0", what, ctx, g)
			}
		}
	}
}

func conformMisc(t *testing.T, be Backend, r *rand.Rand, k, b int, shared bool, tol float64) {
	h := harness{t, be}
	pcols := b
	if shared {
		pcols = 1
	}
	pv := randPref(r, k, pcols)
	x, y := randPolicies(r, k, b, 1), randPolicies(r, k, b, 3)
	P, X, Y, Out := h.tensor(k*k, pcols, pv), h.tensor(k, b, x), h.tensor(k, b, y), h.tensor(k, b, nil)

	// WinRates against the mixture 0.25·x + 0.75·y.
	if err := be.WinRates(Out, P, []*Tensor{X, Y}, []float64{0.25, 0.75}); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, k*b)
	for ctx := 0; ctx < b; ctx++ {
		q := make([]float64, k)
		for j := range q {
			q[j] = 0.25*math.Exp(x[j*b+ctx]) + 0.75*math.Exp(y[j*b+ctx])
		}
		for yy, v := range refWinRates(pv, k, pcols, min(ctx, pcols-1), q) {
			want[yy*b+ctx] = v
		}
	}
	near(t, "WinRates", h.read(Out), want, tol)

	// MixLog, in place over x.
	if err := be.MixLog(X, X, Y, 0.3, 0.7); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i] = math.Log(0.3*math.Exp(x[i]) + 0.7*math.Exp(y[i]))
	}
	near(t, "MixLog", h.read(X), want, tol)

	// Mean over contexts, per row.
	got := make([]float64, k)
	if err := be.Mean(got, Y); err != nil {
		t.Fatal(err)
	}
	mean := make([]float64, k)
	for yy := range mean {
		for ctx := 0; ctx < b; ctx++ {
			mean[yy] += y[yy*b+ctx]
		}
		mean[yy] /= float64(b)
	}
	near(t, "Mean", got, mean, tol)

	// Copy.
	if err := be.Copy(Out, Y); err != nil {
		t.Fatal(err)
	}
	near(t, "Copy", h.read(Out), y, tol)
}

func conformZeroSum(t *testing.T, be Backend, tol float64) {
	h := harness{t, be}
	for _, c := range []struct {
		m, n, b, iters int
		optimistic     bool
	}{{2, 2, 5, 40, false}, {3, 4, 70, 30, true}, {16, 16, 40, 25, false}, {16, 16, 40, 25, true}, {1, 3, 9, 5, true}} {
		r := rand.New(rand.NewPCG(uint64(c.m*100+c.n), uint64(c.b)))
		a := randMatrix(r, c.m, c.n, c.b)
		x0, y0 := randPolicies(r, c.m, c.b, 0.5), randPolicies(r, c.n, c.b, 0.5)
		A, X, Y := h.tensor(c.m*c.n, c.b, a), h.tensor(c.m, c.b, x0), h.tensor(c.n, c.b, y0)
		XA, YA := h.tensor(c.m, c.b, nil), h.tensor(c.n, c.b, nil)
		Gap, GapAvg := h.tensor(1, c.b, nil), h.tensor(1, c.b, nil)
		z := ZeroSum{A: A, M: c.m, N: c.n, X: X, Y: Y, XAvg: XA, YAvg: YA, Gap: Gap, GapAvg: GapAvg,
			Eta: 0.2, Iters: c.iters, Optimistic: c.optimistic}
		if err := be.ZeroSum(context.Background(), &z); err != nil {
			t.Fatal(err)
		}
		gx, gy, gxa, gya, gg, gga := h.read(X), h.read(Y), h.read(XA), h.read(YA), h.read(Gap), h.read(GapAvg)
		for ctx := 0; ctx < c.b; ctx++ {
			x, y, xa, ya, gap, gapAvg := refZeroSum(a, c.m, c.n, c.b, ctx, col(x0, c.m, c.b, ctx), col(y0, c.n, c.b, ctx), 0.2, c.iters, c.optimistic)
			what := fmt.Sprintf("%dx%d opt=%v game %d", c.m, c.n, c.optimistic, ctx)
			near(t, what+" x", expAll(col(gx, c.m, c.b, ctx)), x, tol)
			near(t, what+" y", expAll(col(gy, c.n, c.b, ctx)), y, tol)
			near(t, what+" xavg", expAll(col(gxa, c.m, c.b, ctx)), xa, tol)
			near(t, what+" yavg", expAll(col(gya, c.n, c.b, ctx)), ya, tol)
			near(t, what+" gaps", []float64{gg[ctx], gga[ctx]}, []float64{gap, gapAvg}, tol)
		}
	}
}

func expAll(v []float64) []float64 {
	for i := range v {
		v[i] = math.Exp(v[i])
	}
	return v
}
