package cuda

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestGPUMatchesCPU runs the conformance suite and a long comparison on a
// real device. It skips where there is none (every CI machine so far), so
// it runs unchanged on a machine with one.
func TestGPUMatchesCPU(t *testing.T) {
	g, err := NewGPU()
	if errors.Is(err, ErrNoDevice) {
		t.Skipf("no GPU: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	t.Logf("device %s", g.Name())
	conformance(t, g, 1e-5)
	c := NewCPU(0)
	defer c.Close()
	if err := matchBackends(t, c, g, 1e-5); err != nil {
		t.Fatal(err)
	}
}

// matchBackends runs the same sequence of NLHF-style steps on two backends
// from the same random batch and compares the policies and measures after
// every step.
func matchBackends(t *testing.T, want, got Backend, tol float64) error {
	t.Helper()
	r := rand.New(rand.NewPCG(11, 12))
	k, b := 16, 3000
	if testing.Short() {
		b = 700
	}
	pv, pol, ref := randPref(r, k, b), randPolicies(r, k, b, 1), randPolicies(r, k, b, 1)
	type side struct {
		h                harness
		P, Pol, Prev, Rf *Tensor
		Gap, KL          *Tensor
	}
	mk := func(be Backend) side {
		h := harness{t, be}
		return side{h: h, P: h.tensor(k*k, b, pv), Pol: h.tensor(k, b, pol), Prev: h.tensor(k, b, pol),
			Rf: h.tensor(k, b, ref), Gap: h.tensor(1, b, nil), KL: h.tensor(1, b, nil)}
	}
	sides := [2]side{mk(want), mk(got)}
	eta, tau := 0.5, 0.05
	for it := 0; it < 10; it++ {
		var means [2]Means
		for i, s := range sides {
			be := s.h.be
			if err := be.Copy(s.Prev, s.Pol); err != nil {
				return err
			}
			// Optimistic OMD with the gap of the new policy, fused.
			st := Step{Out: s.Pol, Base: s.Pol, A: 1 - eta*tau, Ref: s.Rf, B: eta * tau, D: eta, P: s.P,
				Opp: []*Tensor{s.Pol, s.Prev}, W: []float64{2, -1}, Gap: s.Gap, KL: s.KL, Tau: tau}
			if it == 0 {
				st.Opp, st.W = st.Opp[:1], st.W[:1]
			}
			if err := be.Mirror(&st); err != nil {
				return err
			}
			m, err := be.Measure(&Measure{Pol: s.Pol, Ref: s.Rf, P: s.P, Tau: tau})
			if err != nil {
				return err
			}
			means[i] = m
		}
		for _, pair := range []struct {
			what string
			w, g *Tensor
		}{{"policy", sides[0].Pol, sides[1].Pol}, {"gap", sides[0].Gap, sides[1].Gap}, {"KL", sides[0].KL, sides[1].KL}} {
			near(t, fmt.Sprintf("step %d %s", it, pair.what), sides[1].h.read(pair.g), sides[0].h.read(pair.w), tol)
		}
		near(t, fmt.Sprintf("step %d means", it), []float64{means[1].Gap, means[1].KL, means[1].Expl},
			[]float64{means[0].Gap, means[0].KL, means[0].Expl}, tol)
	}
	return nil
}

func TestOpen(t *testing.T) {
	be, err := Open("cpu", nil)
	if err != nil || be.Name() != "cpu" {
		t.Fatalf("Open(cpu) = %v, %v", be, err)
	}
	be.Close()

	var lines []string
	be, err = Open("auto", func(s string) { lines = append(lines, s) })
	if err != nil {
		t.Fatalf("Open(auto): %v", err)
	}
	defer be.Close()
	_, gpuErr := NewGPU()
	switch {
	case gpuErr == nil:
		if !strings.HasPrefix(be.Name(), "gpu:") || len(lines) != 0 {
			t.Fatalf("auto with a GPU: backend %s, log %q", be.Name(), lines)
		}
	default:
		if be.Name() != "cpu" || len(lines) != 1 || !strings.Contains(lines[0], "CPU") {
			t.Fatalf("auto without a GPU: backend %s, log %q; want cpu and one line", be.Name(), lines)
		}
		g, err := Open("gpu", nil)
		if g != nil || !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "gpu") {
			t.Fatalf("Open(gpu) without a GPU = %v, %v; want a clear ErrNoDevice", g, err)
		}
	}

	if _, err := Open("tpu", nil); !errors.Is(err, ErrArgument) || !strings.Contains(err.Error(), "auto, cpu or gpu") {
		t.Fatalf("Open(tpu): %v", err)
	}
}

// TestMissingDriver checks the error for a driver library that is not
// there names the library.
func TestMissingDriver(t *testing.T) {
	_, err := openCUDA("/nonexistent/libcuda.so.1")
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "/nonexistent/libcuda.so.1") {
		t.Fatalf("openCUDA(missing) = %v", err)
	}
}
