package agents

import (
	"math"
	"testing"
)

// With as many generic features as responses (one context), the log-linear
// class is every softmax policy, so it must follow the tabular learner
// exactly; with fewer features it must stay in its class and lose accuracy.
func TestLogLinearSpansTabular(t *testing.T) {
	g, ref := egpoGame(51, 1, 5)
	env := newTestEnv(t, g, ref)
	params := map[string]any{"eta": 0.8, "tau": 0.3}
	tab := runSteps(t, env, build(t, env, "omd", params, Options{}), 25)
	full := runSteps(t, env, build(t, env, "omd", params, Options{Policy: LogLinear{Dim: 5, Scale: 1, Seed: 3}}), 25)
	if d := probDiff(tab, full); d > 1e-8 {
		t.Errorf("full-rank log-linear differs from tabular by %.3g", d)
	}
	low := runSteps(t, env, build(t, env, "omd", params, Options{Policy: LogLinear{Dim: 1, Scale: 1, Seed: 3, IncludeRef: true}}), 25)
	if d := probDiff(tab, low); d < 1e-3 {
		t.Errorf("two-feature log-linear matches tabular to %.3g: the class is too small for that", d)
	}
	// Sampled learners realize their targets in the class too.
	smp := runSteps(t, env, build(t, env, "omd", with(params, map[string]any{"samples": 5000}), Options{Mode: Sampled, Seed: 2, Policy: LogLinear{Dim: 5, Scale: 1, Seed: 3}}), 25)
	if d := probDiff(tab, smp); d > 0.05 {
		t.Errorf("sampled full-rank log-linear is %.3g from exact tabular", d)
	}
}

// Host-kernel learners keep the tabular policy's probabilities from one
// step to the next; the log-linear class, which projects after the kernel,
// recomputes them. With full-rank features both paths must agree.
func TestLogLinearSpansTabularHostKernels(t *testing.T) {
	g, ref := egpoGame(53, 1, 5)
	env := newTestEnv(t, g, ref)
	for _, tc := range []struct {
		algo   string
		params map[string]any
	}{
		{"nash_md_pg", map[string]any{"lr": 2.0, "beta": 0.3, "tau": 0.2}},
		{"nash_ema_pg", map[string]any{"lr": 2.0, "ema": 0.5, "tau": 0.2}},
		{"dno_prct", map[string]any{"beta": 1.0, "lr": 2.0}},
		{"dno_prct", map[string]any{"beta": 1.0, "lr": 2.0, "steps": 3, "gold": "borda"}},
	} {
		tab := runSteps(t, env, build(t, env, tc.algo, tc.params, Options{}), 25)
		full := runSteps(t, env, build(t, env, tc.algo, tc.params, Options{Policy: LogLinear{Dim: 5, Scale: 1, Seed: 3}}), 25)
		if d := probDiff(tab, full); d > 1e-8 {
			t.Errorf("%s %v: full-rank log-linear differs from tabular by %.3g", tc.algo, tc.params, d)
		}
		if d := probDiff(tab, env.RefHost()); d < 1e-2 {
			t.Errorf("%s %v: policy barely moved (%.3g)", tc.algo, tc.params, d)
		}
	}
}

// The realized policy is the weighted least-squares projection: the
// residual target − θᵀφ is orthogonal to every centred feature.
func TestLogLinearProjectionIsOrthogonal(t *testing.T) {
	g, ref := egpoGame(53, 4, 6)
	env := newTestEnv(t, g, ref)
	cls := LogLinear{Dim: 3, Scale: 1, Seed: 9, IncludeRef: true}
	r, err := cls.bind(env)
	if err != nil {
		t.Fatal(err)
	}
	ll := r.(*logLinear)
	k, b, d := env.K, env.B, ll.d
	target := make([]float64, k*b)
	for i := range target {
		target[i] = math.Sin(float64(3*i + 1))
	}
	orig := append([]float64(nil), target...)
	w := make([]float64, k*b)
	for i := range w {
		w[i] = 0.05 + float64(i%7)/10
	}
	if err := ll.realize(target, w); err != nil {
		t.Fatal(err)
	}
	grad := make([]float64, d)
	for c := range b {
		wsum, lbar, fbar := 0.0, 0.0, make([]float64, d)
		for y := range k {
			wy := w[y*b+c]
			wsum += wy
			lbar += wy * orig[y*b+c]
			for j := range d {
				fbar[j] += wy * ll.phi[(c*k+y)*d+j]
			}
		}
		for y := range k {
			wy := w[y*b+c] / wsum
			fit := 0.0
			for j := range d {
				fit += ll.theta[j] * (ll.phi[(c*k+y)*d+j] - fbar[j]/wsum)
			}
			res := (orig[y*b+c] - lbar/wsum) - fit
			for j := range d {
				grad[j] += env.rho[c] * wy * res * (ll.phi[(c*k+y)*d+j] - fbar[j]/wsum)
			}
		}
	}
	for j, v := range grad {
		if math.Abs(v) > 1e-8 {
			t.Errorf("feature %d: residual correlation %.3g", j, v)
		}
	}
	// The realized policy is normalized and given by θᵀφ.
	for c := range b {
		s := 0.0
		for y := range k {
			s += math.Exp(target[y*b+c])
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("context %d sums to %v", c, s)
		}
	}
}
