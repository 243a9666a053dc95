package agents

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/selfplay-lab/selfplay/cuda"
)

// Host-side kernels of the exact mode: the updates the batched engine has
// no operation for (the DPO and IPO gradient steps, the Nash-MD-PG policy
// gradient) run on the host copy of the policy, context by context, on all
// cores. Each context's result depends only on its own inputs, so the
// numbers do not depend on the number of goroutines or on scheduling.

// hostBlock is the number of contexts a goroutine takes at a time: large
// enough to amortize the hand-off, small enough to balance two cores when
// one of them is busy elsewhere.
const hostBlock = 256

// forBlocks runs f on consecutive blocks [c0, c1) covering [0, b), on up to
// GOMAXPROCS goroutines; worker (0 ≤ worker < workers) identifies the
// goroutine so that f can use its own scratch. It returns after every block
// is done.
func forBlocks(b int, workers int, f func(c0, c1, worker int)) {
	nblocks := (b + hostBlock - 1) / hostBlock
	workers = max(1, min(workers, nblocks))
	if workers == 1 {
		for c0 := 0; c0 < b; c0 += hostBlock {
			f(c0, min(b, c0+hostBlock), 0)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	run := func(worker int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= nblocks {
				return
			}
			c0 := i * hostBlock
			f(c0, min(b, c0+hostBlock), worker)
		}
	}
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			run(w)
		}()
	}
	run(0)
	wg.Wait()
}

// hostWorkers is the number of goroutines host kernels use.
func hostWorkers() int { return runtime.GOMAXPROCS(0) }

// Constants of expFast.
const (
	expShift     = 0x1.8p52              // adding it rounds to an integer held in the low mantissa bits
	expShiftBits = 0x4338000000000000    // math.Float64bits(expShift)
	expInvLn2    = 0x1.71547652b82fep+06 // 64/ln2
	expLn2Hi     = 0x1.62e42feep-07      // ln2/64 to 29 significant bits, so that k·expLn2Hi is exact
	expLn2Lo     = 0x1.a39ef35793c76p-39 // ln2/64 − expLn2Hi
)

// expFast returns e^x within about 1.5 ulp, about twice as fast as
// math.Exp: x = (64m + j)·ln2/64 + r with |r| ≤ ln2/128, so
// e^x = 2^m · 2^(j/64) · e^r with e^r − 1 from its degree-5 Taylor
// polynomial (truncation below 0.2 ulp), evaluated in Estrin's form to
// shorten the dependency chain. Arguments whose result is near the ends of
// the float64 range, and NaN, go to math.Exp.
func expFast(x float64) float64 {
	if !(x >= -708 && x <= 709) {
		return math.Exp(x)
	}
	t := x*expInvLn2 + expShift
	kf := t - expShift
	k := int64(math.Float64bits(t) - expShiftBits)
	r := (x - kf*expLn2Hi) - kf*expLn2Lo
	r2 := r * r
	p := r + r2*((1.0/2+r*(1.0/6))+r2*(1.0/24+r*(1.0/120)))
	s := exp2Table[k&63]
	return (s + s*p) * math.Float64frombits(uint64((k>>6)+1023)<<52)
}

// expVec sets dst[i] = e^src[i]; dst may alias src. It is the engine's
// vector exponential (cuda.ExpVec, about 2.5× expFast on AVX2), whose
// result depends only on the argument, not on its position in the slice,
// so that a context's numbers do not depend on how contexts are blocked.
func expVec(dst, src []float64) { cuda.ExpVec(dst, src) }

// exp2Table[j] is 2^(j/64) rounded to nearest (computed with math/big).
var exp2Table = [64]float64{
	0x1p+00, 0x1.02c9a3e778061p+00, 0x1.059b0d3158574p+00, 0x1.0874518759bc8p+00,
	0x1.0b5586cf9890fp+00, 0x1.0e3ec32d3d1a2p+00, 0x1.11301d0125b51p+00, 0x1.1429aaea92dep+00,
	0x1.172b83c7d517bp+00, 0x1.1a35beb6fcb75p+00, 0x1.1d4873168b9aap+00, 0x1.2063b88628cd6p+00,
	0x1.2387a6e756238p+00, 0x1.26b4565e27cddp+00, 0x1.29e9df51fdee1p+00, 0x1.2d285a6e4030bp+00,
	0x1.306fe0a31b715p+00, 0x1.33c08b26416ffp+00, 0x1.371a7373aa9cbp+00, 0x1.3a7db34e59ff7p+00,
	0x1.3dea64c123422p+00, 0x1.4160a21f72e2ap+00, 0x1.44e086061892dp+00, 0x1.486a2b5c13cdp+00,
	0x1.4bfdad5362a27p+00, 0x1.4f9b2769d2ca7p+00, 0x1.5342b569d4f82p+00, 0x1.56f4736b527dap+00,
	0x1.5ab07dd485429p+00, 0x1.5e76f15ad2148p+00, 0x1.6247eb03a5585p+00, 0x1.6623882552225p+00,
	0x1.6a09e667f3bcdp+00, 0x1.6dfb23c651a2fp+00, 0x1.71f75e8ec5f74p+00, 0x1.75feb564267c9p+00,
	0x1.7a11473eb0187p+00, 0x1.7e2f336cf4e62p+00, 0x1.82589994cce13p+00, 0x1.868d99b4492edp+00,
	0x1.8ace5422aa0dbp+00, 0x1.8f1ae99157736p+00, 0x1.93737b0cdc5e5p+00, 0x1.97d829fde4e5p+00,
	0x1.9c49182a3f09p+00, 0x1.a0c667b5de565p+00, 0x1.a5503b23e255dp+00, 0x1.a9e6b5579fdbfp+00,
	0x1.ae89f995ad3adp+00, 0x1.b33a2b84f15fbp+00, 0x1.b7f76f2fb5e47p+00, 0x1.bcc1e904bc1d2p+00,
	0x1.c199bdd85529cp+00, 0x1.c67f12e57d14bp+00, 0x1.cb720dcef9069p+00, 0x1.d072d4a07897cp+00,
	0x1.d5818dcfba487p+00, 0x1.da9e603db3285p+00, 0x1.dfc97337b9b5fp+00, 0x1.e502ee78b3ff6p+00,
	0x1.ea4afa2a490dap+00, 0x1.efa1bee615a27p+00, 0x1.f50765b6e454p+00, 0x1.fa7c1819e90d8p+00,
}

// normalizeLogFast is normalizeLog with expFast, for the hot host loops
// (same results for ±Inf and NaN entries). The host kernels normalize
// log-policies a step away from normalized ones, whose exponentials sum to
// a modest number: it tries the sum without the shift by the maximum, and
// takes the shifted path only when that sum leaves [2^−1000, 2^1000] (or
// is NaN), which also covers every ±Inf and NaN entry.
func normalizeLogFast(v []float64) {
	if len(v) == 0 {
		return
	}
	if s := sumExpShift(v, 0); s >= 0x1p-1000 && s <= 0x1p1000 {
		lse := math.Log(s)
		for i := range v {
			v[i] -= lse
		}
		return
	}
	m := v[0]
	for _, x := range v[1:] {
		if x > m {
			m = x
		}
	}
	lse := m
	if !math.IsInf(m, -1) {
		lse += math.Log(sumExpShift(v, m))
	}
	for i := range v {
		v[i] -= lse
	}
}

// normalizeLogProbs normalizes the log-probabilities v in place like
// normalizeLogFast and writes their probabilities into pi, from the same
// exponentials: a host kernel that needs π at its next step then reads it
// instead of exponentiating again.
func normalizeLogProbs(v, pi []float64) {
	pi = pi[:len(v)]
	expVec(pi, v)
	s := 0.0
	for _, e := range pi {
		s += e
	}
	if !(s >= 0x1p-1000 && s <= 0x1p1000) {
		normalizeLogFast(v)
		expVec(pi, v)
		return
	}
	lse, inv := math.Log(s), 1/s
	for i := range v {
		v[i] -= lse
		pi[i] *= inv
	}
}

// probCache keeps a host kernel's policy probabilities from one step to
// the next, context-major (B×K), so that the kernel exponentiates each
// log-probability once per step. It is valid for the tabular class only:
// other classes change the host policy after the kernel (projection).
type probCache struct {
	pi []float64 // B×K; nil when not in use
	k  int
}

// newProbCache returns a cache of the probabilities of the K×B log-policy
// host when tabular, else an unused one.
func newProbCache(host []float64, k, b int, tabular bool) probCache {
	if !tabular {
		return probCache{k: k}
	}
	pc := probCache{pi: make([]float64, k*b), k: k}
	for c0 := 0; c0 < b; c0 += hostBlock {
		c1 := min(b, c0+hostBlock)
		gather(pc.pi[c0*k:c1*k], host, k, b, c0, c1)
	}
	expVec(pc.pi, pc.pi)
	return pc
}

// of returns context c's probabilities and whether they are current; when
// the cache is unused it returns scratch (to be filled by the caller).
func (pc probCache) of(c int, scratch []float64) ([]float64, bool) {
	if pc.pi == nil {
		return scratch[:pc.k], false
	}
	return pc.pi[c*pc.k : (c+1)*pc.k], true
}

// sumExpShift returns Σ_i e^(v_i − m), evaluating expFast's body inline two
// elements at a time.
func sumExpShift(v []float64, m float64) float64 {
	var s0, s1 float64
	n := len(v) &^ 1
	for i := 0; i < n; i += 2 {
		x, y := v[i]-m, v[i+1]-m
		if !(x >= -708 && x <= 709 && y >= -708 && y <= 709) {
			s0 += expFast(x)
			s1 += expFast(y)
			continue
		}
		tx, ty := x*expInvLn2+expShift, y*expInvLn2+expShift
		kx, ky := tx-expShift, ty-expShift
		ix, iy := int64(math.Float64bits(tx)-expShiftBits), int64(math.Float64bits(ty)-expShiftBits)
		rx, ry := (x-kx*expLn2Hi)-kx*expLn2Lo, (y-ky*expLn2Hi)-ky*expLn2Lo
		rx2, ry2 := rx*rx, ry*ry
		px := rx + rx2*((1.0/2+rx*(1.0/6))+rx2*(1.0/24+rx*(1.0/120)))
		py := ry + ry2*((1.0/2+ry*(1.0/6))+ry2*(1.0/24+ry*(1.0/120)))
		sx, sy := exp2Table[ix&63], exp2Table[iy&63]
		s0 += (sx + sx*px) * math.Float64frombits(uint64((ix>>6)+1023)<<52)
		s1 += (sy + sy*py) * math.Float64frombits(uint64((iy>>6)+1023)<<52)
	}
	if n < len(v) {
		s0 += expFast(v[n] - m)
	}
	return s0 + s1
}

// gather copies contexts [c0, c1) of a K×B response-major array a into
// dst, context-major: dst[(c−c0)·K + y] = a[y·B + c]. Reading whole rows
// of the block instead of one strided column per context keeps the host
// loops off the TLB's back; four rows at a time fill half a cache line of
// dst per context.
func gather(dst, a []float64, k, b, c0, c1 int) {
	w := c1 - c0
	dst = dst[:w*k]
	y := 0
	for ; y+4 <= k; y += 4 {
		r0 := a[y*b+c0 : y*b+c1]
		r1 := a[(y+1)*b+c0:][:w]
		r2 := a[(y+2)*b+c0:][:w]
		r3 := a[(y+3)*b+c0:][:w]
		for i, v := range r0 {
			d := dst[i*k+y : i*k+y+4 : i*k+y+4]
			d[0], d[1], d[2], d[3] = v, r1[i], r2[i], r3[i]
		}
	}
	for ; y < k; y++ {
		for i, v := range a[y*b+c0 : y*b+c1] {
			dst[i*k+y] = v
		}
	}
}

// scatter is gather's inverse: a[y·B + c] = src[(c−c0)·K + y].
func scatter(a, src []float64, k, b, c0, c1 int) {
	w := c1 - c0
	src = src[:w*k]
	y := 0
	for ; y+4 <= k; y += 4 {
		r0 := a[y*b+c0 : y*b+c1]
		r1 := a[(y+1)*b+c0:][:w]
		r2 := a[(y+2)*b+c0:][:w]
		r3 := a[(y+3)*b+c0:][:w]
		for i := range r0 {
			s := src[i*k+y : i*k+y+4 : i*k+y+4]
			r0[i], r1[i], r2[i], r3[i] = s[0], s[1], s[2], s[3]
		}
	}
	for ; y < k; y++ {
		row := a[y*b+c0 : y*b+c1]
		for i := range row {
			row[i] = src[i*k+y]
		}
	}
}

// pairData holds the judgement statistics of DPO and IPO per context in
// pair form, context-major: for the unordered pairs i < j in row order,
// n_ij = W_ij + W_ji (the pair's weight), and per response the wins
// Σ_j W_ij and the net wins Σ_j (W_ij − W_ji), with W the judgement
// weights of pairStats. The losses' gradients need nothing else. When
// every context has the same statistics (the exact mode on a shared game
// with uniform pairs) one copy serves them all.
type pairData struct {
	k, np  int
	shared bool
	n      []float64 // B × np (1 × np when shared)
	won    []float64 // B × K
	net    []float64 // B × K
}

func newPairData(k, b int) *pairData {
	np := k * (k - 1) / 2
	return &pairData{k: k, np: np, n: make([]float64, b*np), won: make([]float64, b*k), net: make([]float64, b*k)}
}

// context returns context c's pair weights, wins and net wins.
func (d *pairData) context(c int) (n, won, net []float64) {
	if d.shared {
		c = 0
	}
	return d.n[c*d.np : (c+1)*d.np], d.won[c*d.k : (c+1)*d.k], d.net[c*d.k : (c+1)*d.k]
}

// fromWins fills n, won and net (one context) from K×K judgement weights.
func fromWins(wins []float64, k int, n, won, net []float64) {
	p := 0
	for i := range k {
		won[i], net[i] = 0, 0
	}
	for i := range k {
		for j := i + 1; j < k; j++ {
			wij, wji := wins[i*k+j], wins[j*k+i]
			n[p] = wij + wji
			p++
			won[i] += wij
			won[j] += wji
			net[i] += wij - wji
			net[j] += wji - wij
		}
	}
}

// collectPairs computes every context's pair statistics for the pair
// distribution named by pairs (exactly, or from n sampled judgements per
// context in the sampled mode).
func collectPairs(b *base, pairs string, n int, prob bool) *pairData {
	k := b.env.K
	if b.o.Mode == Exact && pairs == "uniform" && b.env.Game.Shared() {
		d := newPairData(k, 1)
		d.shared = true
		w := newWork(k)
		pairWeights(b.env, pairs, 0, w.m2)
		pairStats(b, w, 0, w.m2, n, prob, w.m)
		pn, won, net := d.context(0)
		fromWins(w.m, k, pn, won, net)
		return d
	}
	d := newPairData(k, b.env.B)
	b.smp.each(0, streamData, func(c int, w *work) {
		omega, wins := w.m2, w.m
		pairWeights(b.env, pairs, c, omega)
		pairStats(b, w, c, omega, n, prob, wins)
		pn, won, net := d.context(c)
		fromWins(wins, k, pn, won, net)
	})
	return d
}
