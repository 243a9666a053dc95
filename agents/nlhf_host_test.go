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
	// expVec gives each element the same value whatever the slice around
	// it (odd lengths, special values mixed with ordinary ones), within a
	// few ulp of math.Exp; below 2^−1022 it may flush to 0.
	src := []float64{0.3, math.NaN(), -1, -800, 2, 720, -3.5, math.Inf(-1), 1e-9}
	alone := make([]float64, len(src))
	for i := range src {
		expVec(alone[i:i+1], src[i:i+1])
		want := math.Exp(src[i])
		switch v := alone[i]; {
		case math.IsNaN(want) || math.IsInf(want, 0) || want < 0x1p-1022:
			if v != want && !(math.IsNaN(v) && math.IsNaN(want)) && v != 0 {
				t.Errorf("expVec(%v) = %v, want %v", src[i], v, want)
			}
		case math.Abs(v-want) > 8e-16*want:
			t.Errorf("expVec(%v) = %v, math.Exp %v", src[i], v, want)
		}
	}
	for n := range len(src) + 1 {
		dst := make([]float64, n)
		expVec(dst, src[:n])
		for i, v := range dst {
			if want := alone[i]; v != want && !(math.IsNaN(v) && math.IsNaN(want)) {
				t.Errorf("expVec element %d of %d: %v, want %v as computed alone", i, n, v, want)
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

// dpoGradRows, the blocked kernel of the exact DPO learner, gives every
// context the same bits as dpoGradStep on that context alone: ordinary
// contexts, contexts whose implicit rewards are so far apart that pairs
// underflow, odd K, a block narrower than hostBlock, and shared pair data.
func TestDPOGradRowsMatchesPerContext(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct {
		k, b, c0, c1 int
		spread       float64
		shared       bool
	}{
		{16, 300, 0, 256, 1, false},
		{16, 300, 256, 300, 1, false},
		{5, 70, 3, 70, 300, false},
		{7, 40, 0, 40, 3, true},
		{2, 9, 1, 8, 50, false},
	} {
		k, b := tc.k, tc.b
		host, ref := make([]float64, k*b), make([]float64, k*b)
		col := make([]float64, k)
		for c := range b {
			for y := range col {
				col[y] = tc.spread * rng.NormFloat64()
			}
			normalizeLog(col)
			setCol(host, col, k, b, c)
			for y := range col {
				col[y] = rng.NormFloat64()
			}
			normalizeLog(col)
			setCol(ref, col, k, b, c)
		}
		nctx := b
		if tc.shared {
			nctx = 1
		}
		d := newPairData(k, nctx)
		d.shared = tc.shared
		wins := make([]float64, k*k)
		for c := range nctx {
			for i := range wins {
				wins[i] = rng.Float64()
			}
			n, won, net := d.context(c)
			fromWins(wins, k, n, won, net)
		}
		const beta, lr = 2.0, 0.7
		want := append([]float64(nil), host...)
		th, r := make([]float64, k), make([]float64, k)
		for c := tc.c0; c < tc.c1; c++ {
			getCol(th, want, k, b, c)
			getCol(r, ref, k, b, c)
			n, won, _ := d.context(c)
			dpoGradStep(th, r, n, won, beta, lr, make([]float64, k), make([]float64, k))
			setCol(want, th, k, b, c)
		}
		got := append([]float64(nil), host...)
		dpoGradRows(got, ref, newPairRows(d, b), b, tc.c0, tc.c1, beta, lr, newWork(k))
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("K = %d, contexts [%d, %d): element %d (context %d) = %v, per context %v", k, tc.c0, tc.c1, i, i%b, got[i], want[i])
			}
		}
	}
}

func BenchmarkDPOGradRows(b *testing.B) {
	const k, nc = 16, hostBlock
	rng := rand.New(rand.NewPCG(1, 2))
	host, ref := make([]float64, k*nc), make([]float64, k*nc)
	for i := range host {
		host[i], ref[i] = rng.NormFloat64()-3, -math.Log(k)
	}
	d := newPairData(k, nc)
	wins := make([]float64, k*k)
	for c := range nc {
		for i := range wins {
			wins[i] = rng.Float64()
		}
		n, won, net := d.context(c)
		fromWins(wins, k, n, won, net)
	}
	rows, w := newPairRows(d, nc), newWork(k)
	b.ReportAllocs()
	for b.Loop() {
		dpoGradRows(host, ref, rows, nc, 0, nc, 0.1, 0.01, w)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nc), "ns/context")
}
