package agents

import (
	"math"

	"github.com/selfplay-lab/selfplay/cuda"
)

// base holds what every NLHF learner shares: the Env, its current policy
// tensor, the policy class, and in the sampled mode (or for non-tabular
// classes) a host copy of the policy.
type base struct {
	env  *Env
	o    Options
	ts   tensors
	cur  *cuda.Tensor
	real realizer
	smp  *sampler
	host []float64 // K×B log π_t; nil in the exact tabular mode
}

func newBase(env *Env, o Options) (*base, error) {
	b := &base{env: env, o: o, ts: tensors{env: env}, smp: &sampler{env: env, seed: o.Seed}}
	cls := o.Policy
	if cls == nil {
		cls = Tabular{}
	}
	var err error
	if b.real, err = cls.bind(env); err != nil {
		return nil, err
	}
	if b.cur, err = b.ts.policy(); err != nil {
		b.ts.free()
		return nil, err
	}
	if o.Mode == Sampled || !b.real.tabular() {
		b.host = append([]float64(nil), env.refHost...)
	}
	return b, nil
}

// Policy returns the current policy tensor.
func (b *base) Policy() *cuda.Tensor { return b.cur }

// Close frees the learner's tensors.
func (b *base) Close() { b.ts.free() }

// pullHost moves the host log-policy avg (K×B, a sampled-mode opponent or
// magnet) toward the host policy θ: per context, avg ← a·avg + c·θ,
// normalized.
func (b *base) pullHost(avg []float64, a, c float64) {
	b.smp.exact(func(ctx int, w *work) {
		theta, v := w.v[0], w.v[1]
		b.col(theta, b.host, ctx)
		b.col(v, avg, ctx)
		for y := range v {
			v[y] = a*v[y] + c*theta[y]
		}
		normalizeLog(v)
		b.setCol(avg, v, ctx)
	})
}

// policyWeights returns the probabilities of the host policy (K×B).
func (b *base) policyWeights() []float64 {
	w := make([]float64, len(b.host))
	expInto(w, b.host)
	return w
}

// projectionWeights returns the probabilities of the host policy when the
// policy class projects on-policy (nil for the tabular class, which needs
// none).
func (b *base) projectionWeights() []float64 {
	if b.real.tabular() {
		return nil
	}
	return b.policyWeights()
}

// commitHost realizes the host policy in the policy class (with sampling
// weights w, nil for uniform), checks it and uploads it to cur.
func (b *base) commitHost(w []float64) error {
	if !b.real.tabular() {
		if err := b.real.realize(b.host, w); err != nil {
			return err
		}
	}
	for _, v := range b.host {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return errNotFinite
		}
	}
	return b.env.Backend.Write(b.cur, b.host)
}

// afterExact realizes an exact update already in cur when the policy class
// is not tabular. onPolicy selects the previous policy as the projection's
// weights (else uniform).
func (b *base) afterExact(onPolicy bool) error {
	if b.real.tabular() {
		return nil
	}
	var w []float64
	if onPolicy {
		w = b.policyWeights()
	}
	if err := b.env.Backend.Read(b.host, b.cur); err != nil {
		return err
	}
	return b.commitHost(w)
}

// col copies column c of a host K×B array into dst.
func (b *base) col(dst, a []float64, c int) { getCol(dst, a, b.env.K, b.env.B, c) }

// setCol writes src into column c of a host K×B array.
func (b *base) setCol(a, src []float64, c int) { setCol(a, src, b.env.K, b.env.B, c) }

// paramSchedule describes the step-size schedules.
func paramSchedule(def string, extra string) Param {
	return Param{Name: "schedule", Default: def,
		Doc: "step size over iterations: constant (η), sqrt (η/√(t+1))" + extra}
}

// stepSize returns η_t for the schedule.
func stepSize(schedule string, eta, tau float64, t int) float64 {
	switch schedule {
	case "sqrt":
		return eta / math.Sqrt(float64(t+1))
	case "theory":
		return 2 / (tau * float64(t+2))
	}
	return eta
}

// pairWeights returns the K×K weights ω[i][j] (summing to 1 over ordered
// pairs of distinct responses) of the pair distribution named by kind in
// context c: "uniform" (all ordered pairs of distinct responses) or "ref"
// (y, y' i.i.d. from the reference, conditioned on y ≠ y').
func pairWeights(env *Env, kind string, c int, dst []float64) {
	k := env.K
	ref := make([]float64, k)
	if kind == "ref" {
		getCol(ref, env.refHost, k, env.B, c)
		expInto(ref, ref)
	} else {
		for i := range ref {
			ref[i] = 1
		}
	}
	sum := 0.0
	for i := range k {
		for j := range k {
			v := 0.0
			if i != j {
				v = ref[i] * ref[j]
			}
			dst[i*k+j] = v
			sum += v
		}
	}
	for i := range dst[:k*k] {
		dst[i] /= sum
	}
}

// samplePair draws an ordered pair of distinct responses from the weights ω
// of pairWeights by inversion.
func samplePair(w *work, omega []float64, k int) (int, int) {
	u := w.rng.Float64()
	acc := 0.0
	for i := range k * k {
		acc += omega[i]
		if u < acc {
			return i / k, i % k
		}
	}
	for i := k*k - 1; i >= 0; i-- {
		if omega[i] > 0 {
			return i / k, i % k
		}
	}
	panic("agents: pair distribution without mass")
}

// checkTau validates a regularization parameter that may be zero.
func checkTau(p Params) error { return p.nonNegative("tau") }

// sampledParams validates the common sampled-mode parameters.
func sampledParams(p Params) error {
	if err := p.atLeast("samples", 1); err != nil {
		return err
	}
	return p.oneOf("labels", "bernoulli", "probability")
}
