package cuda

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Errors callers may test with errors.Is.
var (
	// ErrShape reports tensors whose shapes do not fit the operation.
	ErrShape = errors.New("cuda: tensor shape mismatch")
	// ErrForeign reports a tensor allocated by another backend, or freed.
	ErrForeign = errors.New("cuda: tensor does not belong to this backend")
	// ErrArgument reports an invalid scalar argument (a NaN coefficient,
	// too many terms, a negative temperature, ...).
	ErrArgument = errors.New("cuda: invalid argument")
	// ErrNoDevice reports that no usable GPU (driver, device or module) was
	// found.
	ErrNoDevice = errors.New("cuda: no usable GPU")
	// ErrClosed reports a call on a closed backend.
	ErrClosed = errors.New("cuda: backend closed")
)

// MaxTerms bounds the number of opponent and of history terms of one Step,
// so that a GPU kernel takes them as fixed-size arguments.
const MaxTerms = 8

// Tensor is a rows×cols array of values owned by one Backend: float64 host
// memory on the CPU backend, float32 device memory on the GPU backend.
//
// Layout is row-major with contexts along the columns: element (r, c) is at
// r*cols + c. A batch of B policies over K responses is a K×B tensor, so the
// B contexts of one response are contiguous; a GPU thread per context then
// reads consecutive addresses across a warp (coalesced), and a CPU loop over
// a chunk of contexts streams each row. Per-context scalars (gaps, KLs) are
// 1×B tensors. Preference matrices are (K·K)×B tensors with P_b[i][j] in row
// i*K+j, or (K·K)×1 when one matrix is shared by all contexts.
//
// A Tensor is a handle: move values in and out with Backend.Write and
// Backend.Read.
type Tensor struct {
	rows, cols int
	host       []float64 // CPU backend storage
	dev        uintptr   // GPU backend device pointer (float32 values)
	owner      any       // the backend that allocated it; nil once freed
}

// Rows returns the number of rows (responses, or K·K for preferences).
func (t *Tensor) Rows() int { return t.rows }

// Cols returns the number of columns (contexts, or 1 for a shared matrix).
func (t *Tensor) Cols() int { return t.cols }

// Len returns rows*cols.
func (t *Tensor) Len() int { return t.rows * t.cols }

// Backend runs batched policy updates and their measures on one device.
//
// Policies are stored as normalized log-probabilities, K×B tensors (see
// Tensor). Every operation treats the B contexts independently: context b of
// an output depends only on column b of the inputs (and on a shared
// preference matrix), so outputs may alias inputs where a method says so.
//
// Precision: the CPU backend computes in float64 throughout. The GPU backend
// stores float32 and computes per-element arithmetic in float32 with the
// hardware's approximate exp2/log2; sums over responses inside a context
// (softmax normalizers, KL, log Z) and reductions over contexts accumulate in
// float64. Expect about 1e-6 relative agreement between the two, and GPU gaps
// accurate to about 1e-6 absolute (float32 cancellation in 2τ log Z + 2τ KL − 1).
//
// Concurrency: a Backend may be used from several goroutines; calls are
// serialized (each call already uses every core, or the whole GPU). Tensors
// passed to one call must not be written concurrently by anyone else.
// Calls do not allocate once the backend's scratch has grown to the largest
// shape used (the CPU backend's steady state is allocation-free).
type Backend interface {
	// Name identifies the device: "cpu" or "gpu:<device name>".
	Name() string

	// Alloc returns a zeroed rows×cols tensor.
	Alloc(rows, cols int) (*Tensor, error)
	// Free releases t; using t afterwards returns ErrForeign.
	Free(t *Tensor)
	// Write copies src (len rows*cols, layout of Tensor) into dst.
	Write(dst *Tensor, src []float64) error
	// Read copies src into dst (len rows*cols).
	Read(dst []float64, src *Tensor) error
	// Copy copies src into dst of the same shape.
	Copy(dst, src *Tensor) error

	// WinRates writes g = P·q for every context, q = Σ_k w[k]·exp(opp[k]):
	// g(y) = Σ_y' q(y') P[y][y'], the win rate of response y against the
	// opponent mixture. g may alias an opponent.
	WinRates(g, p *Tensor, opp []*Tensor, w []float64) error

	// Mirror runs one generic mirror step (see Step), fused with the optional
	// measures of the new policy, in one pass over memory.
	Mirror(s *Step) error

	// Measure computes the duality gap, exploitability and KL to the
	// reference of each context's policy (see Measure) and returns their
	// means over contexts.
	Measure(m *Measure) (Means, error)

	// MixLog writes dst = log(wx·exp(x) + wy·exp(y)) elementwise: the
	// mixture of two distributions held as logs, e.g. the running average
	// policy avg_{t+1} = (t·avg_t + π_{t+1})/(t+1) with wx = t/(t+1),
	// wy = 1/(t+1). Weights must be ≥ 0; dst may alias x or y.
	MixLog(dst, x, y *Tensor, wx, wy float64) error

	// Mean writes into dst (len t.Rows()) the mean over columns of each row
	// of t, accumulated in float64 in a fixed order (deterministic).
	Mean(dst []float64, t *Tensor) error

	// ZeroSum runs batched (optimistic) multiplicative weights on many
	// two-player zero-sum matrix games at once (see ZeroSum).
	ZeroSum(ctx context.Context, z *ZeroSum) error

	// Close releases the backend's workers, buffers and device context.
	Close() error
}

// Step is one generic mirror step for B contexts × K responses
// (algorithms.md §5):
//
//	log π'(y) = A·Base(y) + B·Ref(y) + Σ_j C[j]·Hist[j](y) + D·G(y) − log Z
//
// where Base, Ref and Hist[j] are log-probability tensors, log Z normalizes
// each context (a stable log-sum-exp), and G is the win-rate vector
//
//	G(y) = Σ_y' P[y][y'] q(y'),  q = Σ_k W[k]·exp(Opp[k])
//
// against a signed mixture of opponents, or the given tensor G when Opp is
// empty (sampled estimates). With neither, G = 0 and D is ignored.
// Terms with a zero coefficient or a nil tensor are skipped (so a zero
// coefficient never meets a −Inf log-probability).
//
// Every NLHF algorithm of the exact mode is coefficients plus opponents:
//
//	MW / SPO / SPPO:   A=1, D=η, Opp={π_t}
//	OMD = INPO:        A=1−ητ, B=ητ, D=η, Opp={π_t}
//	Nash-MD:           mix = step{A=1−ητ, B=ητ} (no G); then A=1−ητ, B=ητ, D=η, Opp={mix}
//	MMD:               A=1/(1+ητ), B=ητ/(1+ητ), D=η/(1+ητ), Opp={π_t}
//	optimistic:        Opp={π_t, π_{t−1}}, W={2, −1}
//	extragradient:     half = step(Opp={π_t}); then step(Base=π_t, Opp={half})
//	MNPO:              A=0, B=r, Hist={π_t, π_{t−1}, …}, C=(1−r)λ, D=1/η, Opp={π_t}
//	best response:     A=0, B=1, D=1/τ, Opp={π} (τ > 0)
//
// Out may alias Base, Ref, Hist or Opp: each context reads all its inputs
// before writing. A Step may be reused across calls; the backend does not
// retain it.
type Step struct {
	Out *Tensor // K×B: receives log π'

	Base *Tensor // K×B log π_t; nil means no base term
	A    float64

	Ref *Tensor // K×B log ref; also the reference for Gap and KL
	B   float64

	Hist []*Tensor // K×B log-probabilities, at most MaxTerms
	C    []float64 // len(Hist)

	D   float64
	P   *Tensor   // (K·K)×B or (K·K)×1 preference matrices; needed with Opp
	Opp []*Tensor // K×B log-probabilities of opponents, at most MaxTerms
	W   []float64 // len(Opp) mixture weights (may be negative)
	G   *Tensor   // K×B precomputed G, used only when Opp is empty

	// Optional measures of the new policy π', computed in the same pass
	// (definitions as in Measure; they need P and Ref).
	Gap, KL, Expl *Tensor // 1×B each, or nil
	Tau           float64 // regularization for Gap: 0 gives 2·exploitability
}

// Measure asks for exact measures of each context's policy π = exp(Pol)
// against its preference matrix, with g = P·π:
//
//	Expl = max_y g(y) − 1/2                          (one-sided, unregularized)
//	KL   = Σ_y π(y) (log π(y) − log ref(y))
//	Gap  = 2τ log Σ_y ref(y) exp(g(y)/τ) + 2τ KL − 1  (τ > 0, KL-regularized duality gap)
//	Gap  = 2·Expl                                     (τ = 0)
//
// Output tensors are 1×B and optional; the returned Means are computed
// regardless. Ref is needed for τ > 0 and for KL.
type Measure struct {
	Pol, Ref, P   *Tensor
	Tau           float64
	Gap, KL, Expl *Tensor
}

// Means are averages over contexts, accumulated in float64 in context order.
type Means struct {
	Gap, KL, Expl float64
}

// ZeroSum asks for Iters rounds of simultaneous multiplicative weights on B
// two-player zero-sum games with payoff matrices A_b (M×N, paid by the column
// player to the row player, who maximizes):
//
//	x_{t+1} ∝ x_t · exp(η u),  y_{t+1} ∝ y_t · exp(−η v)
//
// with u = A y_t, v = Aᵀ x_t for plain MW, and u = 2 A y_t − A y_{t−1},
// v = 2 Aᵀx_t − Aᵀx_{t−1} for optimistic MW (the first round uses u = A y_0).
// X and Y hold the starting log-strategies and receive the last iterate;
// XAvg and YAvg (optional) receive the log of the uniform average of the
// played strategies x_0 … x_{Iters−1}. Gap and GapAvg (optional, 1×B) receive
// the duality gap max_i (A y)_i − min_j (Aᵀx)_j of the last and the average
// iterate. XAvg/YAvg must be given for GapAvg.
type ZeroSum struct {
	A          *Tensor // (M·N)×B, A_b[i][j] in row i*N+j
	M, N       int
	X, Y       *Tensor // M×B and N×B log-strategies, updated in place
	XAvg, YAvg *Tensor // M×B and N×B, optional
	Gap        *Tensor // 1×B, optional
	GapAvg     *Tensor // 1×B, optional
	Eta        float64
	Iters      int
	Optimistic bool
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// shapeOf reports whether t has the given shape.
func shapeOf(t *Tensor, rows, cols int) bool {
	return t != nil && t.rows == rows && t.cols == cols
}

// stepShape validates s and returns K and B.
func (s *Step) validate() (k, b int, err error) {
	if s.Out == nil {
		return 0, 0, fmt.Errorf("%w: Step.Out is nil", ErrArgument)
	}
	k, b = s.Out.rows, s.Out.cols
	if k < 1 || b < 1 {
		return 0, 0, fmt.Errorf("%w: Step.Out is %d×%d", ErrShape, k, b)
	}
	check := func(name string, t *Tensor) error {
		if t != nil && !shapeOf(t, k, b) {
			return fmt.Errorf("%w: Step.%s is %d×%d, want %d×%d like Out", ErrShape, name, t.rows, t.cols, k, b)
		}
		return nil
	}
	for _, c := range []struct {
		name string
		t    *Tensor
	}{{"Base", s.Base}, {"Ref", s.Ref}, {"G", s.G}} {
		if err := check(c.name, c.t); err != nil {
			return 0, 0, err
		}
	}
	if len(s.Hist) != len(s.C) || len(s.Hist) > MaxTerms {
		return 0, 0, fmt.Errorf("%w: Step has %d history tensors and %d coefficients (at most %d)", ErrArgument, len(s.Hist), len(s.C), MaxTerms)
	}
	if len(s.Opp) != len(s.W) || len(s.Opp) > MaxTerms {
		return 0, 0, fmt.Errorf("%w: Step has %d opponents and %d weights (at most %d)", ErrArgument, len(s.Opp), len(s.W), MaxTerms)
	}
	for i, h := range s.Hist {
		if !shapeOf(h, k, b) {
			return 0, 0, fmt.Errorf("%w: Step.Hist[%d] is nil or not %d×%d like Out", ErrShape, i, k, b)
		}
	}
	for i, o := range s.Opp {
		if !shapeOf(o, k, b) {
			return 0, 0, fmt.Errorf("%w: Step.Opp[%d] is nil or not %d×%d like Out", ErrShape, i, k, b)
		}
	}
	for _, c := range [...]float64{s.A, s.B, s.D, s.Tau} {
		if !finite(c) {
			return 0, 0, fmt.Errorf("%w: Step coefficient %v is not finite", ErrArgument, c)
		}
	}
	for _, cs := range [...][]float64{s.C, s.W} {
		for _, c := range cs {
			if !finite(c) {
				return 0, 0, fmt.Errorf("%w: Step coefficient %v is not finite", ErrArgument, c)
			}
		}
	}
	needP := len(s.Opp) > 0 || s.Gap != nil || s.KL != nil || s.Expl != nil
	if needP {
		if err := checkPref(s.P, k, b); err != nil {
			return 0, 0, fmt.Errorf("Step.P: %w", err)
		}
	}
	for _, c := range []struct {
		name string
		t    *Tensor
	}{{"Gap", s.Gap}, {"KL", s.KL}, {"Expl", s.Expl}} {
		if c.t != nil && !shapeOf(c.t, 1, b) {
			return 0, 0, fmt.Errorf("%w: Step.%s is %d×%d, want 1×%d", ErrShape, c.name, c.t.rows, c.t.cols, b)
		}
	}
	if s.Tau < 0 {
		return 0, 0, fmt.Errorf("%w: Step.Tau = %v < 0", ErrArgument, s.Tau)
	}
	if (s.KL != nil || (s.Gap != nil && s.Tau > 0)) && s.Ref == nil {
		return 0, 0, fmt.Errorf("%w: Step.KL and a regularized Step.Gap need Step.Ref", ErrArgument)
	}
	return k, b, nil
}

// checkPref validates a preference tensor for K responses and B contexts.
func checkPref(p *Tensor, k, b int) error {
	if p == nil {
		return fmt.Errorf("%w: preference tensor is nil", ErrArgument)
	}
	if p.rows != k*k || (p.cols != 1 && p.cols != b) {
		return fmt.Errorf("%w: preference tensor is %d×%d, want %d×%d or %d×1", ErrShape, p.rows, p.cols, k*k, b, k*k)
	}
	return nil
}

func (m *Measure) validate() (k, b int, err error) {
	if m.Pol == nil {
		return 0, 0, fmt.Errorf("%w: Measure.Pol is nil", ErrArgument)
	}
	k, b = m.Pol.rows, m.Pol.cols
	if err := checkPref(m.P, k, b); err != nil {
		return 0, 0, fmt.Errorf("Measure.P: %w", err)
	}
	if m.Ref != nil && !shapeOf(m.Ref, k, b) {
		return 0, 0, fmt.Errorf("%w: Measure.Ref is %d×%d, want %d×%d", ErrShape, m.Ref.rows, m.Ref.cols, k, b)
	}
	if m.Tau < 0 || math.IsNaN(m.Tau) || math.IsInf(m.Tau, 0) {
		return 0, 0, fmt.Errorf("%w: Measure.Tau = %v, want finite ≥ 0", ErrArgument, m.Tau)
	}
	if m.Ref == nil && m.Tau > 0 {
		return 0, 0, fmt.Errorf("%w: Measure with Tau > 0 needs Ref", ErrArgument)
	}
	for _, c := range []struct {
		name string
		t    *Tensor
	}{{"Gap", m.Gap}, {"KL", m.KL}, {"Expl", m.Expl}} {
		if c.t != nil && !shapeOf(c.t, 1, b) {
			return 0, 0, fmt.Errorf("%w: Measure.%s is %d×%d, want 1×%d", ErrShape, c.name, c.t.rows, c.t.cols, b)
		}
	}
	return k, b, nil
}

func validateWinRates(g, p *Tensor, opp []*Tensor, w []float64) (k, b int, err error) {
	if g == nil {
		return 0, 0, fmt.Errorf("%w: WinRates output is nil", ErrArgument)
	}
	k, b = g.rows, g.cols
	if len(opp) == 0 || len(opp) != len(w) || len(opp) > MaxTerms {
		return 0, 0, fmt.Errorf("%w: WinRates has %d opponents and %d weights (want 1 to %d of each)", ErrArgument, len(opp), len(w), MaxTerms)
	}
	for i, o := range opp {
		if !shapeOf(o, k, b) {
			return 0, 0, fmt.Errorf("%w: WinRates opponent %d is not %d×%d", ErrShape, i, k, b)
		}
		if math.IsNaN(w[i]) || math.IsInf(w[i], 0) {
			return 0, 0, fmt.Errorf("%w: WinRates weight %d = %v", ErrArgument, i, w[i])
		}
	}
	if err := checkPref(p, k, b); err != nil {
		return 0, 0, fmt.Errorf("WinRates: %w", err)
	}
	return k, b, nil
}

func validateMixLog(dst, x, y *Tensor, wx, wy float64) error {
	if dst == nil || !shapeOf(x, dst.rows, dst.cols) || !shapeOf(y, dst.rows, dst.cols) {
		return fmt.Errorf("%w: MixLog tensors must all have one shape", ErrShape)
	}
	if !(wx >= 0) || !(wy >= 0) || math.IsInf(wx, 0) || math.IsInf(wy, 0) || wx+wy == 0 {
		return fmt.Errorf("%w: MixLog weights %v, %v: want finite, ≥ 0, not both 0", ErrArgument, wx, wy)
	}
	return nil
}

func (z *ZeroSum) validate() (b int, err error) {
	if z.A == nil || z.X == nil || z.Y == nil {
		return 0, fmt.Errorf("%w: ZeroSum needs A, X and Y", ErrArgument)
	}
	if z.M < 1 || z.N < 1 {
		return 0, fmt.Errorf("%w: ZeroSum game size %d×%d", ErrArgument, z.M, z.N)
	}
	b = z.A.cols
	if z.A.rows != z.M*z.N {
		return 0, fmt.Errorf("%w: ZeroSum.A is %d×%d, want %d×B", ErrShape, z.A.rows, z.A.cols, z.M*z.N)
	}
	if !shapeOf(z.X, z.M, b) || !shapeOf(z.Y, z.N, b) {
		return 0, fmt.Errorf("%w: ZeroSum.X must be %d×%d and Y %d×%d", ErrShape, z.M, b, z.N, b)
	}
	if (z.XAvg == nil) != (z.YAvg == nil) {
		return 0, fmt.Errorf("%w: ZeroSum.XAvg and YAvg go together", ErrArgument)
	}
	if z.XAvg != nil && (!shapeOf(z.XAvg, z.M, b) || !shapeOf(z.YAvg, z.N, b)) {
		return 0, fmt.Errorf("%w: ZeroSum.XAvg must be %d×%d and YAvg %d×%d", ErrShape, z.M, b, z.N, b)
	}
	if z.GapAvg != nil && z.XAvg == nil {
		return 0, fmt.Errorf("%w: ZeroSum.GapAvg needs XAvg and YAvg", ErrArgument)
	}
	for _, g := range []*Tensor{z.Gap, z.GapAvg} {
		if g != nil && !shapeOf(g, 1, b) {
			return 0, fmt.Errorf("%w: ZeroSum gap outputs must be 1×%d", ErrShape, b)
		}
	}
	if z.Iters < 1 || !(z.Eta > 0) || math.IsInf(z.Eta, 0) {
		return 0, fmt.Errorf("%w: ZeroSum needs Iters ≥ 1 (got %d) and finite Eta > 0 (got %v)", ErrArgument, z.Iters, z.Eta)
	}
	return b, nil
}
