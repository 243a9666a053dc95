package agents

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// Mode selects how an NLHF learner sees the preferences.
type Mode int

const (
	// Exact learners use expected updates computed from P itself.
	Exact Mode = iota
	// Sampled learners see finitely many sampled responses and Bernoulli
	// judgements per context and iteration, and update through the sample
	// loss of their paper.
	Sampled
)

// ParseMode maps "exact" and "sampled".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "exact", "":
		return Exact, nil
	case "sampled":
		return Sampled, nil
	}
	return 0, fmt.Errorf("mode %q: want exact or sampled", s)
}

func (m Mode) String() string {
	if m == Sampled {
		return "sampled"
	}
	return "exact"
}

// Learner is one NLHF algorithm running on an Env. Step and Policy are
// called from one goroutine at a time.
type Learner interface {
	// Step runs iteration t (0, 1, 2, … in order).
	Step(t int) error
	// Policy returns the current (last-iterate) policy as K×B normalized
	// log-probabilities. The tensor belongs to the learner and holds the
	// policy until the next Step.
	Policy() *cuda.Tensor
	// Close releases the learner's tensors.
	Close()
}

// Players is implemented by learners that train several policies at once
// (multiplayer MNPO); Policy is then the first player's.
type Players interface {
	PlayerPolicies() []*cuda.Tensor
}

// Env is a preference game loaded on a batched backend: the B contexts'
// preference matrices, the reference policy, and host copies the sampled
// learners and the metrics use. Policies are K×B tensors of normalized
// log-probabilities (see cuda.Tensor).
//
// An Env is used by one goroutine at a time.
type Env struct {
	Game    *game.Preference
	Backend cuda.Backend
	K, B    int
	P       *cuda.Tensor // (K·K)×B, or (K·K)×1 when the game is shared
	Ref     *cuda.Tensor // K×B log ref

	refHost []float64 // K×B log ref
	refCtx  []float64 // B×K log ref, context-major (host kernels)
	rho     []float64 // context distribution
	owned   []*cuda.Tensor
}

// NewEnv uploads g's preferences and the reference policy to backend.
// logRef holds K×B log-probabilities (response-major, see cuda.Tensor; any
// per-context constant is normalized away); nil means uniform.
func NewEnv(backend cuda.Backend, g *game.Preference, logRef []float64) (*Env, error) {
	k, b := g.NumResponses(), g.NumContexts()
	e := &Env{Game: g, Backend: backend, K: k, B: b, rho: g.Weights()}
	if logRef == nil {
		logRef = UniformRef(k, b)
	}
	if len(logRef) != k*b {
		return nil, fmt.Errorf("agents: reference has %d values, want K·B = %d", len(logRef), k*b)
	}
	e.refHost = append([]float64(nil), logRef...)
	col := make([]float64, k)
	for c := range b {
		getCol(col, e.refHost, k, b, c)
		for y, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 1) {
				return nil, fmt.Errorf("agents: reference log-probability of response %d in context %d is %v", y+1, c+1, v)
			}
		}
		if lse := logSumExp(col); math.IsInf(lse, -1) {
			return nil, fmt.Errorf("agents: reference of context %d has no probability mass", c+1)
		} else {
			for y := range col {
				col[y] -= lse
			}
		}
		setCol(e.refHost, col, k, b, c)
	}
	e.refCtx = make([]float64, k*b)
	for c0 := 0; c0 < b; c0 += hostBlock {
		c1 := min(b, c0+hostBlock)
		gather(e.refCtx[c0*k:c1*k], e.refHost, k, b, c0, c1)
	}
	var err error
	if e.Ref, err = e.alloc(k); err != nil {
		return nil, err
	}
	if err := backend.Write(e.Ref, e.refHost); err != nil {
		e.Close()
		return nil, err
	}
	if e.P, err = uploadPreference(backend, g); err != nil {
		e.Close()
		return nil, err
	}
	e.owned = append(e.owned, e.P)
	return e, nil
}

// uploadPreference copies g's matrices into a (K·K)×B tensor, or (K·K)×1
// when the game is shared.
func uploadPreference(backend cuda.Backend, g *game.Preference) (*cuda.Tensor, error) {
	k, cols := g.NumResponses(), g.NumContexts()
	if g.Shared() {
		cols = 1
	}
	t, err := backend.Alloc(k*k, cols)
	if err != nil {
		return nil, err
	}
	host := make([]float64, k*k*cols)
	for c := range cols {
		for i, v := range g.Matrix(c) {
			host[i*cols+c] = v
		}
	}
	if err := backend.Write(t, host); err != nil {
		backend.Free(t)
		return nil, err
	}
	return t, nil
}

// Close frees the Env's tensors (not the backend).
func (e *Env) Close() {
	for _, t := range e.owned {
		e.Backend.Free(t)
	}
	e.owned = nil
}

// RefHost returns the K×B reference log-probabilities. Do not modify.
func (e *Env) RefHost() []float64 { return e.refHost }

// refOf returns context c's reference log-probabilities (a view).
func (e *Env) refOf(c int) []float64 { return e.refCtx[c*e.K : (c+1)*e.K] }

// Rho returns the context distribution. Do not modify.
func (e *Env) Rho() []float64 { return e.rho }

// alloc returns a rows×B tensor owned by the Env (freed by Close).
func (e *Env) alloc(rows int) (*cuda.Tensor, error) {
	t, err := e.Backend.Alloc(rows, e.B)
	if err != nil {
		return nil, err
	}
	e.owned = append(e.owned, t)
	return t, nil
}

// tensors allocates learner-owned K×B tensors initialized to the reference.
type tensors struct {
	env  *Env
	list []*cuda.Tensor
}

func (ts *tensors) policy() (*cuda.Tensor, error) {
	t, err := ts.env.Backend.Alloc(ts.env.K, ts.env.B)
	if err != nil {
		return nil, err
	}
	ts.list = append(ts.list, t)
	if err := ts.env.Backend.Copy(t, ts.env.Ref); err != nil {
		return nil, err
	}
	return t, nil
}

func (ts *tensors) free() {
	for _, t := range ts.list {
		ts.env.Backend.Free(t)
	}
	ts.list = nil
}

// UniformRef returns K×B log-probabilities of the uniform policy.
func UniformRef(k, b int) []float64 {
	r := make([]float64, k*b)
	for i := range r {
		r[i] = -math.Log(float64(k))
	}
	return r
}

// NormalRef returns K×B log-probabilities whose logits are i.i.d. N(0, σ²)
// (the EGPO simulation protocol uses σ = 1), drawn context by context.
func NormalRef(rng *rand.Rand, k, b int, sigma float64) []float64 {
	r := make([]float64, k*b)
	col := make([]float64, k)
	for c := range b {
		for y := range col {
			col[y] = sigma * rng.NormFloat64()
		}
		normalizeLog(col)
		setCol(r, col, k, b, c)
	}
	return r
}

// read copies a tensor to a new host slice.
func (e *Env) read(t *cuda.Tensor) ([]float64, error) {
	out := make([]float64, t.Len())
	return out, e.Backend.Read(out, t)
}

// step runs one generic mirror step with the Env's preferences and
// reference: out = a·base + b·ref + d·P·Σ w_k exp(opp_k), normalized.
func (e *Env) step(out, base *cuda.Tensor, a, b, d float64, opp []*cuda.Tensor, w []float64) error {
	s := cuda.Step{Out: out, Base: base, A: a, Ref: e.Ref, B: b, D: d, P: e.P, Opp: opp, W: w}
	if d == 0 {
		s.Opp, s.W = nil, nil
	}
	return e.Backend.Mirror(&s)
}

// errNotFinite reports a policy that left the floating-point range.
var errNotFinite = errors.New("agents: policy became non-finite (step too large?)")

// getCol copies column c of a K×B response-major array into dst (len K).
func getCol(dst, a []float64, k, b, c int) {
	for y := range k {
		dst[y] = a[y*b+c]
	}
}

// setCol writes src (len K) into column c of a K×B array.
func setCol(a, src []float64, k, b, c int) {
	for y := range k {
		a[y*b+c] = src[y]
	}
}

// logSumExp returns log Σ exp(v), stably; −Inf for an empty or all −Inf v.
func logSumExp(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

// normalizeLog subtracts log Σ exp(v) from v in place.
func normalizeLog(v []float64) {
	lse := logSumExp(v)
	for i := range v {
		v[i] -= lse
	}
}

// expInto writes exp(src) into dst.
func expInto(dst, src []float64) {
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}
