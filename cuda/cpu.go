package cuda

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// CPU is the default Backend: float64 host memory, contexts split into
// fixed-width chunks that a pool of worker goroutines takes in turn. Each
// chunk is processed in one pass with its working set in cache (the fused
// step reads the inputs of a chunk once and writes its outputs once).
//
// Results do not depend on the number of workers: chunk boundaries depend
// only on the shape, and reductions add per-chunk partial sums in chunk
// order.
type CPU struct {
	mu      sync.Mutex // serializes calls; guards everything below
	workers int
	start   []chan struct{} // one per extra worker goroutine
	done    sync.WaitGroup
	closed  bool

	// The current call, read by the workers between start and done.
	task    chunkTask
	nchunks int
	width   int // contexts per chunk
	cols    int // contexts in the call
	next    atomic.Int64

	scratch []*scratch // one per worker (index 0 is the calling goroutine)
	partial []float64  // per-chunk partial sums, chunk-major
	dP      []float64  // D·P of the current Mirror call (shared P)

	// Task values reused across calls so that dispatch does not allocate.
	mirror  mirrorTask
	measure measureTask
	winRate winRateTask
	mix     mixTask
	mean    meanTask
	zs      zeroSumTask
}

// scratch is one worker's chunk-local memory, grown to the largest shape.
type scratch struct {
	a, b    []float64 // K×width each
	m, s, t []float64 // width each
	zs      []float64 // zero-sum state
}

// chunkTask processes contexts [c0, c1), the chunk-th chunk.
type chunkTask interface {
	run(c0, c1, chunk int, s *scratch)
}

// NewCPU returns a CPU backend with the given number of workers
// (GOMAXPROCS when workers < 1). Close it to stop the workers.
func NewCPU(workers int) *CPU {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	c := &CPU{workers: workers}
	c.scratch = make([]*scratch, workers)
	for i := range c.scratch {
		c.scratch[i] = &scratch{}
	}
	c.start = make([]chan struct{}, workers-1)
	for i := range c.start {
		ch := make(chan struct{})
		c.start[i] = ch
		go c.work(ch, c.scratch[i+1])
	}
	return c
}

// work is an extra worker's loop: wait for a call, take chunks until none
// are left, report done.
func (c *CPU) work(start chan struct{}, s *scratch) {
	for range start {
		c.takeChunks(s)
		c.done.Done()
	}
}

func (c *CPU) takeChunks(s *scratch) {
	for {
		i := int(c.next.Add(1) - 1)
		if i >= c.nchunks {
			return
		}
		c0 := i * c.width
		c.task.run(c0, min(c0+c.width, c.cols), i, s)
	}
}

// dispatch runs t over cols contexts in chunks of width, on all workers.
// The caller holds c.mu.
func (c *CPU) dispatch(t chunkTask, cols, width int) {
	c.task, c.cols, c.width = t, cols, width
	c.nchunks = (cols + width - 1) / width
	c.next.Store(0)
	extra := min(len(c.start), c.nchunks-1)
	c.done.Add(extra)
	for i := 0; i < extra; i++ {
		c.start[i] <- struct{}{}
	}
	c.takeChunks(c.scratch[0])
	c.done.Wait()
	c.task = nil
}

// grow makes every worker's scratch hold at least ab values in a and b,
// w in m and s, zs in zs, and the partial sums nparts values.
func (c *CPU) grow(ab, w, zs, nparts int) {
	for _, s := range c.scratch {
		if len(s.a) < ab {
			s.a, s.b = make([]float64, ab), make([]float64, ab)
		}
		if len(s.m) < w {
			s.m, s.s, s.t = make([]float64, w), make([]float64, w), make([]float64, w)
		}
		if len(s.zs) < zs {
			s.zs = make([]float64, zs)
		}
	}
	if len(c.partial) < nparts {
		c.partial = make([]float64, nparts)
	}
}

// chunkWidth picks the contexts per chunk for K responses: the chunk's K×w
// working arrays stay in the L1/L2 caches, rows stay long enough to stream,
// and the width is a multiple of 16 (the blocked win-rate kernel's block).
// With one preference matrix per context (p has more than one column) the
// chunk is twice as wide: each of its K² row segments of P is then 4 KB at
// K = 16 rather than 2 KB, longer runs for the memory system, which made
// the step 5–12% faster on the machine of BENCHMARKS.md (shared P is
// compute-bound there and a little slower with the wider chunk). The width
// depends only on the shape, so results do not depend on the workers.
func chunkWidth(k int, p *Tensor) int {
	n := 4096
	if p != nil && p.cols > 1 {
		n = 8192
	}
	return max(16, min(512, n/k)) &^ 15
}

// Name returns "cpu".
func (c *CPU) Name() string { return "cpu" }

func (c *CPU) lock() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// own checks that every non-nil tensor was allocated here.
func (c *CPU) own(ts ...*Tensor) error {
	for _, t := range ts {
		if t != nil && t.owner != any(c) {
			return ErrForeign
		}
	}
	return nil
}

// Alloc returns a zeroed rows×cols tensor in host memory.
func (c *CPU) Alloc(rows, cols int) (*Tensor, error) {
	if rows < 1 || cols < 1 {
		return nil, fmt.Errorf("%w: Alloc(%d, %d)", ErrShape, rows, cols)
	}
	return &Tensor{rows: rows, cols: cols, host: make([]float64, rows*cols), owner: c}, nil
}

// Free drops t's memory.
func (c *CPU) Free(t *Tensor) {
	if t != nil && t.owner == any(c) {
		t.host, t.owner = nil, nil
	}
}

// Write copies src into dst.
func (c *CPU) Write(dst *Tensor, src []float64) error {
	if err := c.own(dst); err != nil || dst == nil {
		return fmt.Errorf("Write: %w", ErrForeign)
	}
	if len(src) != dst.Len() {
		return fmt.Errorf("%w: Write of %d values into a %d×%d tensor", ErrShape, len(src), dst.rows, dst.cols)
	}
	copy(dst.host, src)
	return nil
}

// Read copies src into dst.
func (c *CPU) Read(dst []float64, src *Tensor) error {
	if err := c.own(src); err != nil || src == nil {
		return fmt.Errorf("Read: %w", ErrForeign)
	}
	if len(dst) != src.Len() {
		return fmt.Errorf("%w: Read of a %d×%d tensor into %d values", ErrShape, src.rows, src.cols, len(dst))
	}
	copy(dst, src.host)
	return nil
}

// Copy copies src into dst.
func (c *CPU) Copy(dst, src *Tensor) error {
	if dst == nil || src == nil || c.own(dst, src) != nil {
		return fmt.Errorf("Copy: %w", ErrForeign)
	}
	if dst.rows != src.rows || dst.cols != src.cols {
		return fmt.Errorf("%w: Copy %d×%d into %d×%d", ErrShape, src.rows, src.cols, dst.rows, dst.cols)
	}
	copy(dst.host, src.host)
	return nil
}

// Close stops the workers. Tensors stay readable as Go memory but the
// backend refuses further calls.
func (c *CPU) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		for _, ch := range c.start {
			close(ch)
		}
	}
	return nil
}

// Mirror runs one fused mirror step; see Step.
func (c *CPU) Mirror(s *Step) error {
	k, b, err := s.validate()
	if err != nil {
		return err
	}
	if c.own(s.Out, s.Base, s.Ref, s.P, s.G, s.Gap, s.KL, s.Expl) != nil || c.own(s.Hist...) != nil || c.own(s.Opp...) != nil {
		return fmt.Errorf("Mirror: %w", ErrForeign)
	}
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	w := chunkWidth(k, s.P)
	c.grow(k*w, w, 0, 0)
	c.mirror = mirrorTask{s: s, k: k, b: b}
	if s.P != nil && s.P.cols == 1 {
		if len(c.dP) < k*k {
			c.dP = make([]float64, k*k)
		}
		c.mirror.dP = c.dP[:k*k]
		for i, v := range s.P.host {
			c.mirror.dP[i] = s.D * v
		}
	}
	c.dispatch(&c.mirror, b, w)
	c.mirror = mirrorTask{}
	return nil
}

// Measure computes per-context measures and their means; see Measure.
func (c *CPU) Measure(m *Measure) (Means, error) {
	k, b, err := m.validate()
	if err != nil {
		return Means{}, err
	}
	if err := c.own(m.Pol, m.Ref, m.P, m.Gap, m.KL, m.Expl); err != nil {
		return Means{}, fmt.Errorf("Measure: %w", err)
	}
	if err := c.lock(); err != nil {
		return Means{}, err
	}
	defer c.mu.Unlock()
	w := chunkWidth(k, m.P)
	n := (b + w - 1) / w
	c.grow(k*w, w, 0, 3*n)
	c.measure = measureTask{m: m, k: k, b: b, partial: c.partial[:3*n]}
	c.dispatch(&c.measure, b, w)
	c.measure = measureTask{}
	var sum [3]float64
	for i := 0; i < n; i++ {
		for j := range sum {
			sum[j] += c.partial[3*i+j]
		}
	}
	fb := float64(b)
	return Means{Gap: sum[0] / fb, KL: sum[1] / fb, Expl: sum[2] / fb}, nil
}

// WinRates writes g = P·Σ w_k exp(opp_k); see Backend.
func (c *CPU) WinRates(g, p *Tensor, opp []*Tensor, w []float64) error {
	k, b, err := validateWinRates(g, p, opp, w)
	if err != nil {
		return err
	}
	if c.own(g, p) != nil || c.own(opp...) != nil {
		return fmt.Errorf("WinRates: %w", ErrForeign)
	}
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	cw := chunkWidth(k, p)
	c.grow(k*cw, cw, 0, 0)
	c.winRate = winRateTask{g: g, p: p, opp: opp, w: w, k: k, b: b}
	c.dispatch(&c.winRate, b, cw)
	c.winRate = winRateTask{}
	return nil
}

// MixLog writes dst = log(wx·exp(x) + wy·exp(y)).
func (c *CPU) MixLog(dst, x, y *Tensor, wx, wy float64) error {
	if err := validateMixLog(dst, x, y, wx, wy); err != nil {
		return err
	}
	if err := c.own(dst, x, y); err != nil {
		return fmt.Errorf("MixLog: %w", err)
	}
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	c.grow(mixBlock, mixBlock, 0, 0)
	c.mix = mixTask{dst: dst.host, x: x.host, y: y.host, wx: wx, wy: wy}
	c.dispatch(&c.mix, dst.Len(), 4096)
	c.mix = mixTask{}
	return nil
}

// Mean writes the per-row means of t over its columns.
func (c *CPU) Mean(dst []float64, t *Tensor) error {
	if t == nil || c.own(t) != nil {
		return fmt.Errorf("Mean: %w", ErrForeign)
	}
	if len(dst) != t.rows {
		return fmt.Errorf("%w: Mean of a %d×%d tensor into %d values", ErrShape, t.rows, t.cols, len(dst))
	}
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	const w = 2048
	n := (t.cols + w - 1) / w
	c.grow(0, 0, 0, n*t.rows)
	c.mean = meanTask{t: t, partial: c.partial[:n*t.rows]}
	c.dispatch(&c.mean, t.cols, w)
	c.mean = meanTask{}
	for r := range dst {
		var s float64
		for i := 0; i < n; i++ {
			s += c.partial[i*t.rows+r]
		}
		dst[r] = s / float64(t.cols)
	}
	return nil
}

// ZeroSum runs batched (optimistic) multiplicative weights; see ZeroSum.
// ctx is checked between blocks of iterations.
func (c *CPU) ZeroSum(ctx context.Context, z *ZeroSum) error {
	b, err := z.validate()
	if err != nil {
		return err
	}
	if err := c.own(z.A, z.X, z.Y, z.XAvg, z.YAvg, z.Gap, z.GapAvg); err != nil {
		return fmt.Errorf("ZeroSum: %w", err)
	}
	if err := c.lock(); err != nil {
		return err
	}
	defer c.mu.Unlock()
	w := zeroSumWidth(z.M, z.N)
	c.grow(0, 0, zeroSumScratch(z.M, z.N, w), 0)
	c.zs = zeroSumTask{z: z, b: b, ctx: ctx}
	c.dispatch(&c.zs, b, w)
	stopped := c.zs.stopped.Load()
	c.zs = zeroSumTask{}
	if stopped {
		return fmt.Errorf("ZeroSum: %w", context.Cause(ctx))
	}
	return nil
}
