package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestExpVec checks the vector exp (AVX2 where available) against
// math.Exp to 4 ulp, including special values, tails and aliasing.
func TestExpVec(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	src := []float64{0, 1, -1, math.Inf(-1), math.Inf(1), math.NaN(), -800, 800, 709.7, -708.3, 1e-300, -1e-300, -745, 2}
	for i := 0; i < 100003; i++ {
		switch i % 3 {
		case 0:
			src = append(src, (2*r.Float64()-1)*708)
		case 1:
			src = append(src, -40*r.Float64())
		default:
			src = append(src, (2*r.Float64()-1)*1e-3)
		}
	}
	dst := make([]float64, len(src))
	expVec(dst, src)
	for i, x := range src {
		want := math.Exp(x)
		if math.IsInf(want, 1) && x < 709.78 {
			// math.Exp on amd64 overflows early (above about 709.08).
			h := math.Exp(x / 2)
			want = h * h
		}
		switch {
		case math.IsNaN(x):
			if !math.IsNaN(dst[i]) {
				t.Fatalf("exp(NaN) = %v", dst[i])
			}
		case want < 0x1p-1022:
			if dst[i] != 0 && dst[i] != want {
				t.Fatalf("exp(%v) = %v, want %v or 0", x, dst[i], want)
			}
		case math.IsInf(want, 1):
			if !math.IsInf(dst[i], 1) {
				t.Fatalf("exp(%v) = %v, want +Inf", x, dst[i])
			}
		default:
			if ulps := math.Abs(dst[i]-want) / (want * 0x1p-52); ulps > 4 {
				t.Fatalf("exp(%v) = %v, want %v (%.1f ulp)", x, dst[i], want, ulps)
			}
		}
	}
	if dst[0] != 1 {
		t.Fatalf("exp(0) = %v, want exactly 1", dst[0])
	}

	// log, over the range of magnitudes and the special values.
	lsrc := []float64{1, 2, 0.5, math.Sqrt2, math.Sqrt2 * (1 + 0x1p-52), 0, -1, math.Inf(1), math.NaN(), 0x1p-1070, 0x1p-1022, math.MaxFloat64}
	for i := 0; i < 100000; i++ {
		lsrc = append(lsrc, math.Exp((2*r.Float64()-1)*700), 1+r.Float64()*1e-6, r.Float64()*100)
	}
	ldst := make([]float64, len(lsrc))
	logVec(ldst, lsrc)
	for i, x := range lsrc {
		want := math.Log(x)
		got := ldst[i]
		if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && math.Abs(got-want) > 2*0x1p-52*math.Abs(want) && got != want) {
			t.Fatalf("log(%v) = %v, want %v", x, got, want)
		}
	}
	// In place.
	cp := append([]float64(nil), src[20:1000]...)
	expVec(cp, cp)
	for i, v := range cp {
		if v != dst[20+i] {
			t.Fatalf("in-place exp differs at %d: %v vs %v", i, v, dst[20+i])
		}
	}
}

// TestGemmAcc checks the blocked win-rate kernel against the plain loops
// for shapes that exercise odd rows and context tails.
func TestGemmAcc(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, s := range []struct{ k, w int }{{1, 16}, {2, 16}, {3, 40}, {16, 128}, {17, 33}, {64, 64}, {5, 7}} {
		acc, q, coef := make([]float64, s.k*s.w), make([]float64, s.k*s.w), make([]float64, s.k*s.k)
		for i := range acc {
			acc[i], q[i] = r.NormFloat64(), r.Float64()
		}
		for i := range coef {
			coef[i] = r.NormFloat64()
		}
		want := append([]float64(nil), acc...)
		gemmAccGo(want, q, coef, s.k, s.w, 0, s.k, 0, s.w)
		gemmAcc(acc, q, coef, s.k, s.w)
		near(t, "gemmAcc", acc, want, 1e-13)
	}
}

// TestWinCtx checks the per-context win-rate kernel on chunks inside a
// wider tensor (k², w with and without tails, first and later chunks):
// it must give bit for bit what fmaAcc over every (y, j) gives, since it
// runs the same fused multiply-adds in the same order, and agree with the
// portable loop to rounding. Values outside the chunk must stay untouched.
func TestWinCtx(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, s := range []struct{ k, w, c0, cols int }{
		{1, 16, 0, 16}, {2, 8, 8, 40}, {3, 37, 3, 40}, {16, 256, 256, 600}, {16, 130, 0, 130}, {17, 64, 64, 200}, {4, 3, 5, 9}, {5, 12, 0, 12},
		{16, 520, 8, 600}, {4, 44, 0, 50}, {16, 512, 512, 1030},
	} {
		k, w := s.k, s.w
		p := &Tensor{rows: k * k, cols: s.cols, host: make([]float64, k*k*s.cols)}
		for i := range p.host {
			p.host[i] = r.Float64()
		}
		acc, q := make([]float64, k*w), make([]float64, k*w)
		for i := range acc {
			acc[i], q[i] = r.NormFloat64(), r.Float64()
		}
		exact, loose := clone(acc), clone(acc)
		for y := 0; y < k; y++ {
			for j := 0; j < k; j++ {
				fmaAcc(exact[y*w:y*w+w], row(p, y*k+j, s.c0, w), q[j*w:j*w+w])
				fmaAccGo(loose[y*w:y*w+w], row(p, y*k+j, s.c0, w), q[j*w:j*w+w])
			}
		}
		pBefore := clone(p.host)
		qBefore := clone(q)
		winCtx(acc, q, p, k, s.c0, w)
		name := fmt.Sprintf("winCtx k=%d w=%d c0=%d", k, w, s.c0)
		for i := range acc {
			if acc[i] != exact[i] {
				t.Fatalf("%s: acc[%d] = %v, fmaAcc loop gives %v", name, i, acc[i], exact[i])
			}
		}
		near(t, name+" vs portable loop", acc, loose, 1e-13)
		if !slices.Equal(p.host, pBefore) || !slices.Equal(q, qBefore) {
			t.Fatalf("%s: changed its inputs", name)
		}
	}
}

// TestSIMD checks every vector kernel against its portable loop on
// lengths with and without tails, with −Inf and zeros among the inputs.
func TestSIMD(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 3 * r.NormFloat64()
			switch r.IntN(10) {
			case 0:
				v[i] = math.Inf(-1)
			case 1:
				v[i] = 0
			}
		}
		return v
	}
	pos := func(n int) []float64 {
		v := vec(n)
		for i := range v {
			v[i] = math.Abs(v[i])
			if math.IsInf(v[i], 0) {
				v[i] = 0
			}
		}
		return v
	}
	same := func(what string, got, want []float64, tol float64) {
		t.Helper()
		for i := range got {
			g, w := got[i], want[i]
			if g == w || (math.IsNaN(g) && math.IsNaN(w)) || math.Abs(g-w) <= tol*(1+math.Abs(w)) {
				continue
			}
			t.Fatalf("%s[%d] = %v, want %v", what, i, g, w)
		}
	}
	for _, n := range []int{1, 3, 4, 7, 16, 33, 256} {
		x, y, z, m := vec(n), vec(n), vec(n), vec(n)
		for i := range m {
			if math.IsInf(m[i], 0) {
				m[i] = 1
			}
		}
		a, b := r.NormFloat64(), r.NormFloat64()

		d1, d2 := clone(y), clone(y)
		axpy(d1, a, x)
		axpyGo(d2, a, x)
		same("axpy", d1, d2, 1e-15)

		d1, d2 = make([]float64, n), make([]float64, n)
		axpby(d1, a, x, b, z)
		axpbyGo(d2, a, x, b, z)
		same("axpby", d1, d2, 1e-14)

		d1, d2 = clone(y), clone(y)
		maxAcc(d1, x)
		maxAccGo(d2, x)
		same("maxAcc", d1, d2, 0)

		d1, d2 = clone(y), clone(y)
		subVec(d1, m)
		subVecGo(d2, m)
		same("subVec", d1, d2, 0)

		s1, s2 := pos(n), pos(n)
		copy(s2, s1)
		d1, d2 = clone(y), clone(y)
		mulVec(d1, s1)
		mulVecGo(d2, s1)
		same("mulVec", d1, d2, 0)

		f1, f2 := clone(z), clone(z)
		fmaAcc(f1, x, m)
		fmaAccGo(f2, x, m)
		same("fmaAcc", f1, f2, 1e-14)

		e1, e2, o1, o2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		subExpAcc(o1, e1, x, m, s1)
		subExpAccGo(o2, e2, x, m, s2)
		same("subExpAcc dst", o1, o2, 0)
		same("subExpAcc e", e1, e2, 1e-15)
		same("subExpAcc s", s1, s2, 1e-15)

		p, k1 := pos(n), vec(n)
		for i := range k1 {
			k1[i] = 0
		}
		k2 := clone(k1)
		klAcc(k1, p, x, m)
		klAccGo(k2, p, x, m)
		same("klAcc", k1, k2, 1e-14)
	}
}

func clone(v []float64) []float64 { return append([]float64(nil), v...) }
