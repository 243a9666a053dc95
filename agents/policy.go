package agents

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PolicyClass is the family an NLHF learner's policies live in
// (algorithms.md §2.1). Every update first computes tabular target
// log-probabilities per context; the class then realizes the target as its
// closest member.
type PolicyClass interface {
	// Name is "tabular" or "loglinear".
	Name() string
	bind(env *Env) (realizer, error)
}

// realizer turns tabular targets into members of a policy class.
type realizer interface {
	// tabular reports whether every target is already a member.
	tabular() bool
	// realize replaces the K×B target log-probabilities by the member that
	// fits them best in weighted least squares, with per-context sampling
	// weights w (K×B probabilities; nil means uniform).
	realize(target, w []float64) error
}

// Tabular is the softmax policy with one free logit per context and
// response: every target is reachable, so updates are exact.
type Tabular struct{}

// Name returns "tabular".
func (Tabular) Name() string { return "tabular" }

func (Tabular) bind(*Env) (realizer, error) { return tabularRealizer{}, nil }

type tabularRealizer struct{}

func (tabularRealizer) tabular() bool                { return true }
func (tabularRealizer) realize(_, _ []float64) error { return nil }

// LogLinear is the policy π_θ(y|x) ∝ exp(θᵀφ(x,y)) with parameters θ ∈ R^d
// shared by all contexts. Features are i.i.d. N(0, Scale²) per context and
// response, drawn from Seed; with IncludeRef the reference log-probability
// is appended as one more feature, so the reference itself (θ = e_ref) is in
// the class and learners start from it exactly.
//
// A tabular target l* is realized as the weighted least-squares projection
// argmin_θ Σ_x ρ(x) Σ_y w_x(y) (θᵀφ(x,y) − l*(y) − c_x)², with the per-context
// constant c_x free and w the method's sampling distribution (the current
// policy for on-policy losses, uniform for uniform-probe losses), plus a
// ridge Ridge·|θ − θ_prev|² that keeps directions without data where they
// were.
type LogLinear struct {
	Dim        int
	Scale      float64
	Seed       uint64
	IncludeRef bool
	Ridge      float64
}

// Name returns "loglinear".
func (LogLinear) Name() string { return "loglinear" }

func (l LogLinear) bind(env *Env) (realizer, error) {
	if l.Dim < 1 && !l.IncludeRef {
		return nil, fmt.Errorf("agents: log-linear policy with %d features", l.Dim)
	}
	if l.Dim < 0 || !(l.Scale >= 0) || !(l.Ridge >= 0) || math.IsInf(l.Scale, 0) || math.IsInf(l.Ridge, 0) {
		return nil, fmt.Errorf("agents: log-linear policy: dim %d, scale %v, ridge %v: want dim ≥ 0, finite scale and ridge ≥ 0", l.Dim, l.Scale, l.Ridge)
	}
	d := l.Dim
	if l.IncludeRef {
		d++
		for _, v := range env.refHost {
			if math.IsInf(v, -1) {
				return nil, fmt.Errorf("agents: log-linear policy with include_ref needs a reference with full support")
			}
		}
	}
	k, b := env.K, env.B
	r := &logLinear{env: env, d: d, ridge: l.Ridge, phi: make([]float64, b*k*d), theta: make([]float64, d)}
	rng := rand.New(rand.NewPCG(l.Seed, 0x6c6f676c696e))
	for c := range b {
		for y := range k {
			f := r.phi[(c*k+y)*d : (c*k+y+1)*d]
			for j := range l.Dim {
				f[j] = l.Scale * rng.NormFloat64()
			}
			if l.IncludeRef {
				f[d-1] = env.refHost[y*b+c]
			}
		}
	}
	if l.IncludeRef {
		r.theta[d-1] = 1
	}
	return r, nil
}

// logLinear realizes targets by weighted least squares in feature space.
type logLinear struct {
	env   *Env
	d     int
	ridge float64
	phi   []float64 // context-major: phi[(c·K + y)·d + j]
	theta []float64
}

func (*logLinear) tabular() bool { return false }

func (r *logLinear) realize(target, w []float64) error {
	k, b, d := r.env.K, r.env.B, r.d
	a := make([]float64, d*d)
	rhs := make([]float64, d)
	mean := make([]float64, d)
	ft := make([]float64, d)
	for c := range b {
		rho := r.env.rho[c]
		wsum, lbar := 0.0, 0.0
		clear(mean)
		for y := range k {
			wy := 1.0
			if w != nil {
				wy = w[y*b+c]
			}
			if wy <= 0 || math.IsInf(target[y*b+c], 0) {
				continue
			}
			wsum += wy
			lbar += wy * target[y*b+c]
			f := r.phi[(c*k+y)*d : (c*k+y+1)*d]
			for j := range d {
				mean[j] += wy * f[j]
			}
		}
		if wsum == 0 {
			continue
		}
		lbar /= wsum
		for j := range mean {
			mean[j] /= wsum
		}
		for y := range k {
			wy := 1.0
			if w != nil {
				wy = w[y*b+c]
			}
			if wy <= 0 || math.IsInf(target[y*b+c], 0) {
				continue
			}
			f := r.phi[(c*k+y)*d : (c*k+y+1)*d]
			for j := range d {
				ft[j] = f[j] - mean[j]
			}
			s := rho * wy / wsum
			t := target[y*b+c] - lbar
			for i := range d {
				rhs[i] += s * ft[i] * t
				for j := range d {
					a[i*d+j] += s * ft[i] * ft[j]
				}
			}
		}
	}
	// Ridge toward the previous parameters: (A + λI)θ = rhs + λθ_prev.
	lambda := r.ridge
	if lambda == 0 {
		lambda = 1e-10
	}
	for i := range d {
		a[i*d+i] += lambda
		rhs[i] += lambda * r.theta[i]
	}
	if err := solveDense(a, rhs, d); err != nil {
		return fmt.Errorf("agents: log-linear projection: %w", err)
	}
	copy(r.theta, rhs)
	col := make([]float64, k)
	for c := range b {
		for y := range k {
			f := r.phi[(c*k+y)*d : (c*k+y+1)*d]
			s := 0.0
			for j, v := range f {
				s += v * r.theta[j]
			}
			col[y] = s
		}
		normalizeLog(col)
		setCol(target, col, k, b, c)
	}
	return nil
}
