package cuda

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// This file measures the engine's speed next to baselines taken in the same
// run ("selfplay bench engine" and the package benchmarks): a STREAM-like
// triad over the same number of bytes, and a plain scalar implementation.

// MirrorBench is one mirror-step benchmark: B contexts × K responses, a
// preference matrix shared by all contexts or (PerContext) one per context,
// and the OMD/INPO step log π' = (1−ητ) log π + ητ log ref + η P·π − log Z
// written in place, optionally fused with the regularized duality gap of π'.
type MirrorBench struct {
	B, K       int
	Gap        bool
	PerContext bool
}

// Bytes is the step's compulsory memory traffic: 8 bytes for every value
// of log π read, log ref read and log π' written, plus the gap written,
// plus with PerContext every value of the B preference matrices read once
// (8·B·K²; the gap's second product may reread them from cache). It is the
// least any implementation must move between memory and the cores; a
// shared K×K matrix is not counted. The triad baseline moves the same
// number of bytes.
func (m MirrorBench) Bytes() int64 {
	n := int64(3 * 8 * m.K * m.B)
	if m.Gap {
		n += int64(8 * m.B)
	}
	if m.PerContext {
		n += int64(8 * m.K * m.K * m.B)
	}
	return n
}

// Speed is the outcome of a benchmark: the median time of one operation
// for the subject, the triad over the same bytes and the scalar reference
// (0 when not run).
type Speed struct {
	Bytes              int64
	Step, Triad, Scalr time.Duration
}

// Bandwidth returns bytes per second for duration d.
func (s Speed) Bandwidth(d time.Duration) float64 {
	return float64(s.Bytes) / d.Seconds()
}

// Fraction is the achieved fraction of the triad's bandwidth: Triad/Step.
func (s Speed) Fraction() float64 { return s.Triad.Seconds() / s.Step.Seconds() }

// Speedup is the scalar reference's time over the subject's (0 if absent).
func (s Speed) Speedup() float64 {
	if s.Scalr == 0 {
		return 0
	}
	return s.Scalr.Seconds() / s.Step.Seconds()
}

// mirrorBench holds a benchmark's inputs on a backend.
type mirrorBench struct {
	be             Backend
	step           Step
	p, pol, ref    []float64 // host copies for the scalar reference
	hostPol, gapVs []float64
	tensors        []*Tensor
}

const benchEta, benchTau = 0.5, 0.05

func newMirrorBench(be Backend, m MirrorBench, seed uint64) (*mirrorBench, error) {
	if m.B < 1 || m.K < 1 {
		return nil, fmt.Errorf("%w: benchmark shape %d×%d", ErrArgument, m.K, m.B)
	}
	r := rand.New(rand.NewPCG(seed, uint64(m.K)))
	mb := &mirrorBench{be: be}
	alloc := func(rows, cols int, v []float64) (*Tensor, error) {
		t, err := be.Alloc(rows, cols)
		if err != nil {
			return nil, err
		}
		mb.tensors = append(mb.tensors, t)
		if v != nil {
			err = be.Write(t, v)
		}
		return t, err
	}
	pcols := 1
	if m.PerContext {
		pcols = m.B
	}
	mb.p = benchPref(r, m.K, pcols)
	mb.pol, mb.ref = benchPolicies(r, m.K, m.B), benchPolicies(r, m.K, m.B)
	P, err := alloc(m.K*m.K, pcols, mb.p)
	if err != nil {
		return nil, err
	}
	Pol, err := alloc(m.K, m.B, mb.pol)
	if err != nil {
		return nil, err
	}
	Ref, err := alloc(m.K, m.B, mb.ref)
	if err != nil {
		return nil, err
	}
	mb.step = Step{Out: Pol, Base: Pol, A: 1 - benchEta*benchTau, Ref: Ref, B: benchEta * benchTau, D: benchEta,
		P: P, Opp: []*Tensor{Pol}, W: []float64{1}, Tau: benchTau}
	if m.Gap {
		if mb.step.Gap, err = alloc(1, m.B, nil); err != nil {
			return nil, err
		}
		mb.gapVs = make([]float64, m.B)
	}
	mb.hostPol = slices.Clone(mb.pol)
	return mb, nil
}

func (mb *mirrorBench) free() {
	for _, t := range mb.tensors {
		mb.be.Free(t)
	}
}

// benchPref returns cols random K×K preference matrices with P + Pᵀ = 1,
// as a (K·K)×cols tensor.
func benchPref(r *rand.Rand, k, cols int) []float64 {
	p := make([]float64, k*k*cols)
	for i := 0; i < k; i++ {
		d := p[(i*k+i)*cols:][:cols]
		for c := range d {
			d[c] = 0.5
		}
		for j := 0; j < i; j++ {
			a, b := p[(i*k+j)*cols:][:cols], p[(j*k+i)*cols:][:cols]
			for c := range a {
				u := r.Float64()
				a[c], b[c] = u, 1-u
			}
		}
	}
	return p
}

// benchPolicies returns K×B log-probabilities of random softmax policies.
func benchPolicies(r *rand.Rand, k, b int) []float64 {
	v := make([]float64, k*b)
	l := make([]float64, k)
	for c := 0; c < b; c++ {
		m, s := math.Inf(-1), 0.0
		for y := range l {
			l[y] = r.NormFloat64()
			m = max(m, l[y])
		}
		for _, x := range l {
			s += math.Exp(x - m)
		}
		for y, x := range l {
			v[y*b+c] = x - m - math.Log(s)
		}
	}
	return v
}

// ScalarMirrorOMD is the plain scalar reference the benchmarks compare
// with: the OMD/INPO step of MirrorBench (and the regularized gap of the
// new policy when gap is not nil), one context at a time on one goroutine,
// with straightforward loops. pol (K×B log-probabilities, layout of Tensor)
// is updated in place; p is the shared K×K matrix (K² values) or one matrix
// per context ((K·K)×B values, layout of Tensor), which the scalar loop
// copies out of its column for each context.
func ScalarMirrorOMD(pol, ref, p []float64, k, b int, eta, tau float64, gap []float64) {
	l, q, g := make([]float64, k), make([]float64, k), make([]float64, k)
	perContext := len(p) != k*k
	if perContext && len(p) != k*k*b {
		panic(fmt.Sprintf("cuda: ScalarMirrorOMD with %d preference values for K = %d, B = %d", len(p), k, b))
	}
	pc := p
	if perContext {
		pc = make([]float64, k*k)
	}
	for c := 0; c < b; c++ {
		if perContext {
			for i := range pc {
				pc[i] = p[i*b+c]
			}
		}
		for y := 0; y < k; y++ {
			q[y] = math.Exp(pol[y*b+c])
		}
		m := math.Inf(-1)
		for y := 0; y < k; y++ {
			var gy float64
			for j := 0; j < k; j++ {
				gy += pc[y*k+j] * q[j]
			}
			l[y] = (1-eta*tau)*pol[y*b+c] + eta*tau*ref[y*b+c] + eta*gy
			m = max(m, l[y])
		}
		var s float64
		for y := 0; y < k; y++ {
			s += math.Exp(l[y] - m)
		}
		lse := m + math.Log(s)
		for y := 0; y < k; y++ {
			pol[y*b+c] = l[y] - lse
			q[y] = math.Exp(pol[y*b+c])
		}
		if gap == nil {
			continue
		}
		var kl float64
		zm := math.Inf(-1)
		for y := 0; y < k; y++ {
			g[y] = 0
			for j := 0; j < k; j++ {
				g[y] += pc[y*k+j] * q[j]
			}
			kl += q[y] * (pol[y*b+c] - ref[y*b+c])
			g[y] = ref[y*b+c] + g[y]/tau
			zm = max(zm, g[y])
		}
		var z float64
		for y := 0; y < k; y++ {
			z += math.Exp(g[y] - zm)
		}
		gap[c] = 2*tau*(zm+math.Log(z)) + 2*tau*kl - 1
	}
}

// Triad runs the STREAM triad a[i] = b[i] + s·c[i] split over workers
// goroutines (GOMAXPROCS-like parallelism, like the backend); it moves
// 24 bytes per element.
func Triad(a, b, c []float64, s float64, workers int) {
	workers = max(1, workers)
	var wg sync.WaitGroup
	n := len(a)
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b, c := a[lo:hi], b[lo:hi:hi], c[lo:hi:hi]
			for i := range a {
				a[i] = b[i] + s*c[i]
			}
		}()
	}
	wg.Wait()
}

// triadFor returns a triad closure over arrays moving the given bytes.
func triadFor(bytes int64, workers int) func() {
	n := int(bytes / 24)
	a, b, c := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range b {
		b[i], c[i] = 1, float64(i%7)
	}
	return func() { Triad(a, b, c, 0.5, workers) }
}

// BenchMirror times m's step on be, the triad over the same bytes (with
// workers goroutines) and, if scalar, the scalar reference, interleaving
// them for rounds rounds (at least one, and until minTime has passed) and
// returning the median of each.
func BenchMirror(ctx context.Context, be Backend, m MirrorBench, workers int, scalar bool, minTime time.Duration) (Speed, error) {
	mb, err := newMirrorBench(be, m, 1)
	if err != nil {
		return Speed{}, err
	}
	defer mb.free()
	triad := triadFor(m.Bytes(), workers)
	var gap []float64
	if m.Gap {
		gap = mb.gapVs
	}
	var steps, triads, scalars []time.Duration
	start := time.Now()
	// One untimed round warms caches, pages and the backend's scratch.
	if err := be.Mirror(&mb.step); err != nil {
		return Speed{}, err
	}
	triad()
	for round := 0; round < 3 || time.Since(start) < minTime; round++ {
		if err := ctx.Err(); err != nil {
			return Speed{}, err
		}
		t0 := time.Now()
		if err := be.Mirror(&mb.step); err != nil {
			return Speed{}, err
		}
		steps = append(steps, time.Since(t0))
		t0 = time.Now()
		triad()
		triads = append(triads, time.Since(t0))
		if scalar && round < 5 {
			t0 = time.Now()
			ScalarMirrorOMD(mb.hostPol, mb.ref, mb.p, m.K, m.B, benchEta, benchTau, gap)
			scalars = append(scalars, time.Since(t0))
		}
	}
	return Speed{Bytes: m.Bytes(), Step: median(steps), Triad: median(triads), Scalr: median(scalars)}, nil
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}

// ZeroSumBench is one batched zero-sum benchmark: B random games of M×N
// (entries U(−1, 1)) run for Iters rounds of optimistic MW from uniform
// strategies, with the gaps of the last and average iterates.
type ZeroSumBench struct {
	B, M, N, Iters int
}

// Bytes is the logical traffic: every round reads each game's payoff
// matrix once (8 bytes per entry). The CPU backend keeps a chunk of games
// in cache across rounds, so its achieved fraction of the triad can exceed 1.
func (z ZeroSumBench) Bytes() int64 { return int64(8 * z.M * z.N * z.B * z.Iters) }

// ScalarZeroSum is the scalar reference for ZeroSumBench: optimistic MW
// one game at a time on one goroutine; a is (M·N)×B in Tensor layout. It
// returns the last iterate's gap of every game in gap.
func ScalarZeroSum(a []float64, m, n, b, iters int, eta float64, gap []float64) {
	x, y := make([]float64, m), make([]float64, n)
	lx, ly := make([]float64, m), make([]float64, n)
	u, v, pu, pv := make([]float64, m), make([]float64, n), make([]float64, m), make([]float64, n)
	norm := func(l, p []float64) {
		mx := math.Inf(-1)
		for _, e := range l {
			mx = max(mx, e)
		}
		var s float64
		for i, e := range l {
			p[i] = math.Exp(e - mx)
			s += p[i]
		}
		for i := range l {
			l[i] -= mx + math.Log(s)
			p[i] /= s
		}
	}
	grads := func(c int) {
		clear(v)
		for i := 0; i < m; i++ {
			u[i] = 0
			for j := 0; j < n; j++ {
				aij := a[(i*n+j)*b+c]
				u[i] += aij * y[j]
				v[j] += aij * x[i]
			}
		}
	}
	for c := 0; c < b; c++ {
		for i := range lx {
			lx[i], x[i] = -math.Log(float64(m)), 1/float64(m)
		}
		for j := range ly {
			ly[j], y[j] = -math.Log(float64(n)), 1/float64(n)
		}
		for it := 0; it < iters; it++ {
			grads(c)
			if it == 0 {
				copy(pu, u)
				copy(pv, v)
			}
			for i := range lx {
				lx[i] += eta * (2*u[i] - pu[i])
				pu[i] = u[i]
			}
			for j := range ly {
				ly[j] -= eta * (2*v[j] - pv[j])
				pv[j] = v[j]
			}
			norm(lx, x)
			norm(ly, y)
		}
		grads(c)
		gap[c] = slices.Max(u) - slices.Min(v)
	}
}

// zeroSumBench holds a zero-sum benchmark's inputs on a backend.
type zeroSumBench struct {
	be     Backend
	z      ZeroSumBench
	op     ZeroSum
	a      []float64 // payoffs, for the scalar reference
	ux, uy []float64 // uniform starting strategies
	ts     []*Tensor
}

func newZeroSumBench(be Backend, z ZeroSumBench) (*zeroSumBench, error) {
	if z.B < 1 || z.M < 1 || z.N < 1 || z.Iters < 1 {
		return nil, fmt.Errorf("%w: zero-sum benchmark %d games of %d×%d, %d rounds", ErrArgument, z.B, z.M, z.N, z.Iters)
	}
	r := rand.New(rand.NewPCG(2, uint64(z.M*z.N)))
	zb := &zeroSumBench{be: be, z: z, a: make([]float64, z.M*z.N*z.B)}
	for i := range zb.a {
		zb.a[i] = 2*r.Float64() - 1
	}
	uniform := func(k int) []float64 {
		v := make([]float64, k*z.B)
		for i := range v {
			v[i] = -math.Log(float64(k))
		}
		return v
	}
	zb.ux, zb.uy = uniform(z.M), uniform(z.N)
	zb.op = ZeroSum{M: z.M, N: z.N, Eta: 0.1, Iters: z.Iters, Optimistic: true}
	op := &zb.op
	for _, t := range []struct {
		dst  **Tensor
		rows int
		v    []float64
	}{{&op.A, z.M * z.N, zb.a}, {&op.X, z.M, nil}, {&op.Y, z.N, nil}, {&op.XAvg, z.M, nil}, {&op.YAvg, z.N, nil},
		{&op.Gap, 1, nil}, {&op.GapAvg, 1, nil}} {
		x, err := be.Alloc(t.rows, z.B)
		if err != nil {
			zb.free()
			return nil, err
		}
		zb.ts = append(zb.ts, x)
		*t.dst = x
		if t.v != nil {
			if err := be.Write(x, t.v); err != nil {
				zb.free()
				return nil, err
			}
		}
	}
	return zb, nil
}

// run restarts from uniform strategies and runs all rounds.
func (zb *zeroSumBench) run(ctx context.Context) error {
	if err := zb.be.Write(zb.op.X, zb.ux); err != nil {
		return err
	}
	if err := zb.be.Write(zb.op.Y, zb.uy); err != nil {
		return err
	}
	return zb.be.ZeroSum(ctx, &zb.op)
}

func (zb *zeroSumBench) free() {
	for _, t := range zb.ts {
		zb.be.Free(t)
	}
}

// BenchZeroSum times z on be next to the triad over the same logical bytes
// and, if scalar, the scalar reference; see BenchMirror.
func BenchZeroSum(ctx context.Context, be Backend, z ZeroSumBench, workers int, scalar bool, minTime time.Duration) (Speed, error) {
	zb, err := newZeroSumBench(be, z)
	if err != nil {
		return Speed{}, err
	}
	defer zb.free()
	triad := triadFor(z.Bytes()/int64(z.Iters), workers)
	gap := make([]float64, z.B)
	var steps, triads, scalars []time.Duration
	if err := zb.run(ctx); err != nil {
		return Speed{}, err
	}
	start := time.Now()
	for round := 0; round < 3 || time.Since(start) < minTime; round++ {
		t0 := time.Now()
		if err := zb.run(ctx); err != nil {
			return Speed{}, err
		}
		steps = append(steps, time.Since(t0))
		t0 = time.Now()
		for i := 0; i < z.Iters; i++ {
			triad()
		}
		triads = append(triads, time.Since(t0))
		if scalar && round < 3 {
			t0 = time.Now()
			ScalarZeroSum(zb.a, z.M, z.N, z.B, z.Iters, 0.1, gap)
			scalars = append(scalars, time.Since(t0))
		}
	}
	return Speed{Bytes: z.Bytes(), Step: median(steps), Triad: median(triads), Scalr: median(scalars)}, nil
}
