package cuda

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// device is what the GPU backend needs from a device: the CUDA driver
// (driver.go) in production, or the host-compiled kernels in tests. Device
// pointers are opaque; kernel arguments are one struct passed by value.
type device interface {
	name() string
	alloc(bytes int) (uintptr, error)
	free(p uintptr)
	htod(dst uintptr, src unsafe.Pointer, bytes int) error
	dtoh(dst unsafe.Pointer, src uintptr, bytes int) error
	dtod(dst, src uintptr, bytes int) error
	// launch runs kernel k on grid×block threads; args points to its
	// argument struct, which must stay valid (and pinned) for the call.
	launch(k kernel, grid, block int, args unsafe.Pointer) error
	close() error
}

// blockSize is the threads per block: one thread per context, so it only
// needs to fill the multiprocessors; 128 keeps registers per thread high.
const blockSize = 128

// sumParts is the number of partial sums per row for reductions.
const sumParts = 1024

// GPU is the Backend on a CUDA device. Tensors are float32 device memory;
// see Backend for the precision contract. Calls are serialized; device
// buffers (scratch, staging) grow to the largest shape and are reused.
type GPU struct {
	mu      sync.Mutex
	dev     device
	closed  bool
	staging []float32 // host side of Write/Read
	scratch [nScratch]devBuf
	parts   []float64
}

// devBuf is a reusable device buffer.
type devBuf struct {
	ptr   uintptr
	bytes int
}

// Scratch buffers by purpose.
const (
	scrQ       = iota // K×B float: opponent mixtures, probabilities
	scrMeasure        // 3×B float: measures nobody asked to keep
	scrSums           // 3×sumParts double: partial sums
	scrZeroSum        // 4(M+N)×B float
	nScratch
)

func newGPU(dev device) *GPU { return &GPU{dev: dev} }

// Name returns "gpu:" and the device name.
func (g *GPU) Name() string { return "gpu:" + g.dev.name() }

func (g *GPU) lock() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return ErrClosed
	}
	return nil
}

func (g *GPU) own(ts ...*Tensor) error {
	for _, t := range ts {
		if t != nil && t.owner != any(g) {
			return ErrForeign
		}
	}
	return nil
}

// ptr returns t's device pointer, or 0 for nil.
func ptr(t *Tensor) uintptr {
	if t == nil {
		return 0
	}
	return t.dev
}

// buf returns scratch buffer i with at least bytes bytes.
func (g *GPU) buf(i, bytes int) (uintptr, error) {
	b := &g.scratch[i]
	if b.bytes >= bytes {
		return b.ptr, nil
	}
	if b.ptr != 0 {
		g.dev.free(b.ptr)
		*b = devBuf{}
	}
	p, err := g.dev.alloc(bytes)
	if err != nil {
		return 0, err
	}
	*b = devBuf{ptr: p, bytes: bytes}
	return p, nil
}

func gridFor(n int) int { return (n + blockSize - 1) / blockSize }

// Alloc returns a zeroed rows×cols tensor in device memory.
func (g *GPU) Alloc(rows, cols int) (*Tensor, error) {
	if rows < 1 || cols < 1 || rows*cols > math.MaxInt32 {
		return nil, fmt.Errorf("%w: Alloc(%d, %d)", ErrShape, rows, cols)
	}
	if err := g.lock(); err != nil {
		return nil, err
	}
	defer g.mu.Unlock()
	p, err := g.dev.alloc(4 * rows * cols)
	if err != nil {
		return nil, fmt.Errorf("Alloc(%d, %d): %w", rows, cols, err)
	}
	t := &Tensor{rows: rows, cols: cols, dev: p, owner: g}
	zero := g.stage(rows * cols)
	clear(zero)
	if err := g.dev.htod(p, unsafe.Pointer(&zero[0]), 4*len(zero)); err != nil {
		g.dev.free(p)
		return nil, err
	}
	return t, nil
}

// Free releases t's device memory.
func (g *GPU) Free(t *Tensor) {
	if t == nil || t.owner != any(g) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.dev.free(t.dev)
	}
	t.dev, t.owner = 0, nil
}

// Write converts src to float32 and copies it to dst.
func (g *GPU) Write(dst *Tensor, src []float64) error {
	if dst == nil || g.own(dst) != nil {
		return fmt.Errorf("Write: %w", ErrForeign)
	}
	if len(src) != dst.Len() {
		return fmt.Errorf("%w: Write of %d values into a %d×%d tensor", ErrShape, len(src), dst.rows, dst.cols)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	st := g.stage(len(src))
	for i, v := range src {
		st[i] = float32(v)
	}
	return g.dev.htod(dst.dev, unsafe.Pointer(&st[0]), 4*len(st))
}

// Read copies src to the host and converts it to float64.
func (g *GPU) Read(dst []float64, src *Tensor) error {
	if src == nil || g.own(src) != nil {
		return fmt.Errorf("Read: %w", ErrForeign)
	}
	if len(dst) != src.Len() {
		return fmt.Errorf("%w: Read of a %d×%d tensor into %d values", ErrShape, src.rows, src.cols, len(dst))
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	st := g.stage(len(dst))
	if err := g.dev.dtoh(unsafe.Pointer(&st[0]), src.dev, 4*len(st)); err != nil {
		return err
	}
	for i, v := range st {
		dst[i] = float64(v)
	}
	return nil
}

func (g *GPU) stage(n int) []float32 {
	if len(g.staging) < n {
		g.staging = make([]float32, n)
	}
	return g.staging[:n]
}

// Copy copies src to dst on the device.
func (g *GPU) Copy(dst, src *Tensor) error {
	if dst == nil || src == nil || g.own(dst, src) != nil {
		return fmt.Errorf("Copy: %w", ErrForeign)
	}
	if dst.rows != src.rows || dst.cols != src.cols {
		return fmt.Errorf("%w: Copy %d×%d into %d×%d", ErrShape, src.rows, src.cols, dst.rows, dst.cols)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	return g.dev.dtod(dst.dev, src.dev, 4*dst.Len())
}

// Close frees the scratch buffers and releases the device. Tensors not
// freed before are released with the context.
func (g *GPU) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	for i := range g.scratch {
		if g.scratch[i].ptr != 0 {
			g.dev.free(g.scratch[i].ptr)
		}
	}
	return g.dev.close()
}

// Mirror runs one fused mirror step; see Step.
func (g *GPU) Mirror(s *Step) error {
	k, b, err := s.validate()
	if err != nil {
		return err
	}
	if g.own(s.Out, s.Base, s.Ref, s.P, s.G, s.Gap, s.KL, s.Expl) != nil || g.own(s.Hist...) != nil || g.own(s.Opp...) != nil {
		return fmt.Errorf("Mirror: %w", ErrForeign)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	q, err := g.buf(scrQ, 4*k*b)
	if err != nil {
		return err
	}
	a := mirrorArgs{
		out: s.Out.dev, base: ptr(s.Base), ref: ptr(s.Ref), g: ptr(s.G), p: ptr(s.P), q: q,
		gap: ptr(s.Gap), kl: ptr(s.KL), expl: ptr(s.Expl),
		a: s.A, b: s.B, d: s.D, tau: s.Tau,
		k: int32(k), n: int32(b), nhist: int32(len(s.Hist)), nopp: int32(len(s.Opp)),
	}
	for i, h := range s.Hist {
		a.hist[i], a.c[i] = h.dev, s.C[i]
	}
	for i, o := range s.Opp {
		a.opp[i], a.w[i] = o.dev, s.W[i]
	}
	if s.P != nil && s.P.cols == 1 {
		a.pshared = 1
	}
	return g.dev.launch(kMirror, gridFor(b), blockSize, unsafe.Pointer(&a))
}

// Measure computes per-context measures and their means; see Measure.
func (g *GPU) Measure(m *Measure) (Means, error) {
	k, b, err := m.validate()
	if err != nil {
		return Means{}, err
	}
	if err := g.own(m.Pol, m.Ref, m.P, m.Gap, m.KL, m.Expl); err != nil {
		return Means{}, fmt.Errorf("Measure: %w", err)
	}
	if err := g.lock(); err != nil {
		return Means{}, err
	}
	defer g.mu.Unlock()
	q, err := g.buf(scrQ, 4*k*b)
	if err != nil {
		return Means{}, err
	}
	own, err := g.buf(scrMeasure, 3*4*b)
	if err != nil {
		return Means{}, err
	}
	outs := [3]uintptr{ptr(m.Gap), ptr(m.KL), ptr(m.Expl)}
	for i := range outs {
		if outs[i] == 0 {
			outs[i] = own + uintptr(4*b*i)
		}
	}
	a := measureArgs{logp: m.Pol.dev, ref: ptr(m.Ref), p: m.P.dev, q: q, gap: outs[0], kl: outs[1], expl: outs[2],
		tau: m.Tau, k: int32(k), n: int32(b)}
	if m.P.cols == 1 {
		a.pshared = 1
	}
	if err := g.dev.launch(kMeasure, gridFor(b), blockSize, unsafe.Pointer(&a)); err != nil {
		return Means{}, err
	}
	var sums [3]float64
	for i, p := range outs {
		if sums[i], err = g.rowSums(p, 1, b, i); err != nil {
			return Means{}, err
		}
	}
	fb := float64(b)
	return Means{Gap: sums[0] / fb, KL: sums[1] / fb, Expl: sums[2] / fb}, nil
}

// rowSums returns the sum over the columns of row 0 of the rows×cols
// tensor at p, using partial-sum slot slot (of 3). The partial sums are
// added on the host in a fixed order.
func (g *GPU) rowSums(p uintptr, rows, cols, slot int) (float64, error) {
	v, err := g.partialSums(p, rows, cols, slot)
	if err != nil {
		return 0, err
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s, nil
}

// partialSums runs the partial-sum kernel and returns rows×parts sums.
func (g *GPU) partialSums(p uintptr, rows, cols, slot int) ([]float64, error) {
	parts := min(cols, sumParts)
	n := rows * parts
	out, err := g.buf(scrSums, 8*max(3*sumParts, n))
	if err != nil {
		return nil, err
	}
	out += uintptr(8 * slot * sumParts)
	a := sumArgs{x: p, out: out, rows: int32(rows), cols: int32(cols), parts: int32(parts)}
	if err := g.dev.launch(kPartialSums, gridFor(n), blockSize, unsafe.Pointer(&a)); err != nil {
		return nil, err
	}
	if len(g.parts) < n {
		g.parts = make([]float64, n)
	}
	v := g.parts[:n]
	if err := g.dev.dtoh(unsafe.Pointer(&v[0]), out, 8*n); err != nil {
		return nil, err
	}
	return v, nil
}

// WinRates writes g = P·Σ w_k exp(opp_k); see Backend.
func (g *GPU) WinRates(out, p *Tensor, opp []*Tensor, w []float64) error {
	k, b, err := validateWinRates(out, p, opp, w)
	if err != nil {
		return err
	}
	if g.own(out, p) != nil || g.own(opp...) != nil {
		return fmt.Errorf("WinRates: %w", ErrForeign)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	q, err := g.buf(scrQ, 4*k*b)
	if err != nil {
		return err
	}
	a := winRatesArgs{g: out.dev, p: p.dev, q: q, k: int32(k), n: int32(b), nopp: int32(len(opp))}
	for i, o := range opp {
		a.opp[i], a.w[i] = o.dev, w[i]
	}
	if p.cols == 1 {
		a.pshared = 1
	}
	return g.dev.launch(kWinRates, gridFor(b), blockSize, unsafe.Pointer(&a))
}

// MixLog writes dst = log(wx·exp(x) + wy·exp(y)).
func (g *GPU) MixLog(dst, x, y *Tensor, wx, wy float64) error {
	if err := validateMixLog(dst, x, y, wx, wy); err != nil {
		return err
	}
	if err := g.own(dst, x, y); err != nil {
		return fmt.Errorf("MixLog: %w", err)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	n := dst.Len()
	a := mixArgs{dst: dst.dev, x: x.dev, y: y.dev, wx: wx, wy: wy, n: int64(n)}
	return g.dev.launch(kMixLog, gridFor(n), blockSize, unsafe.Pointer(&a))
}

// Mean writes the per-row means of t over its columns.
func (g *GPU) Mean(dst []float64, t *Tensor) error {
	if t == nil || g.own(t) != nil {
		return fmt.Errorf("Mean: %w", ErrForeign)
	}
	if len(dst) != t.rows {
		return fmt.Errorf("%w: Mean of a %d×%d tensor into %d values", ErrShape, t.rows, t.cols, len(dst))
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	v, err := g.partialSums(t.dev, t.rows, t.cols, 0)
	if err != nil {
		return err
	}
	parts := len(v) / t.rows
	for r := range dst {
		var s float64
		for _, x := range v[r*parts : (r+1)*parts] {
			s += x
		}
		dst[r] = s / float64(t.cols)
	}
	return nil
}

// ZeroSum runs batched (optimistic) multiplicative weights; see ZeroSum.
// The GPU runs all iterations in one launch, so ctx is checked only before.
func (g *GPU) ZeroSum(ctx context.Context, z *ZeroSum) error {
	b, err := z.validate()
	if err != nil {
		return err
	}
	if err := g.own(z.A, z.X, z.Y, z.XAvg, z.YAvg, z.Gap, z.GapAvg); err != nil {
		return fmt.Errorf("ZeroSum: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ZeroSum: %w", err)
	}
	if err := g.lock(); err != nil {
		return err
	}
	defer g.mu.Unlock()
	scr, err := g.buf(scrZeroSum, 4*4*(z.M+z.N)*b)
	if err != nil {
		return err
	}
	a := zeroSumArgs{a: z.A.dev, x: z.X.dev, y: z.Y.dev, xavg: ptr(z.XAvg), yavg: ptr(z.YAvg),
		gap: ptr(z.Gap), gapavg: ptr(z.GapAvg), scratch: scr, eta: z.Eta,
		m: int32(z.M), nn: int32(z.N), n: int32(b), iters: int32(z.Iters)}
	if z.Optimistic {
		a.optimistic = 1
	}
	return g.dev.launch(kZeroSum, gridFor(b), blockSize, unsafe.Pointer(&a))
}
