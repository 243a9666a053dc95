package cuda_test

import (
	"context"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/cuda"
)

// Magnetic mirror descent on two preference games at once (B = 2 contexts,
// K = 3 responses, one matrix per context): the exact regularized duality
// gap of each context falls to zero at the regularized Nash equilibrium.
func Example_mirrorStep() {
	be, err := cuda.Open("cpu", nil)
	if err != nil {
		panic(err)
	}
	defer be.Close()
	const k, b, eta, tau = 3, 2, 1.0, 0.1

	// P_b[i][j] in row i*K+j, column b: context 0 is rock-paper-scissors,
	// context 1 a transitive game (response 0 beats 1 beats 2).
	rps := [k * k]float64{0.5, 0, 1, 1, 0.5, 0, 0, 1, 0.5}
	chain := [k * k]float64{0.5, 0.8, 0.9, 0.2, 0.5, 0.7, 0.1, 0.3, 0.5}
	var p []float64
	for ij := 0; ij < k*k; ij++ {
		p = append(p, rps[ij], chain[ij])
	}
	uniform := make([]float64, k*b)
	for i := range uniform {
		uniform[i] = -math.Log(k)
	}
	P, _ := be.Alloc(k*k, b)
	pol, _ := be.Alloc(k, b)
	ref, _ := be.Alloc(k, b)
	gap, _ := be.Alloc(1, b)
	for _, w := range []struct {
		t *cuda.Tensor
		v []float64
	}{{P, p}, {pol, uniform}, {ref, uniform}} {
		if err := be.Write(w.t, w.v); err != nil {
			panic(err)
		}
	}

	// MMD: log π' = (log π + ητ log ref + η P·π)/(1+ητ) − log Z, fused with
	// the gap of π'.
	step := cuda.Step{Out: pol, Base: pol, A: 1 / (1 + eta*tau), Ref: ref, B: eta * tau / (1 + eta*tau),
		D: eta / (1 + eta*tau), P: P, Opp: []*cuda.Tensor{pol}, W: []float64{1}, Gap: gap, Tau: tau}
	gaps := make([]float64, b)
	for it := 1; it <= 300; it++ {
		if err := be.Mirror(&step); err != nil {
			panic(err)
		}
		if it == 1 || it == 300 {
			be.Read(gaps, gap)
			fmt.Printf("iteration %3d: gaps %.4f %.4f, both below 1e-12: %v\n", it, math.Abs(gaps[0]), gaps[1],
				math.Abs(gaps[0]) < 1e-12 && math.Abs(gaps[1]) < 1e-12)
		}
	}
	probs := make([]float64, k*b)
	be.Read(probs, pol)
	fmt.Printf("transitive game: π = %.3f %.3f %.3f\n", math.Exp(probs[0*b+1]), math.Exp(probs[1*b+1]), math.Exp(probs[2*b+1]))
	// Output:
	// iteration   1: gaps 0.0000 0.2090, both below 1e-12: false
	// iteration 300: gaps 0.0000 0.0000, both below 1e-12: true
	// transitive game: π = 0.936 0.047 0.016
}

// Optimistic multiplicative weights on a batch of zero-sum games: the last
// iterate of matching pennies converges to the mixed equilibrium.
func ExampleBackend_zeroSum() {
	be := cuda.NewCPU(1)
	defer be.Close()
	A, _ := be.Alloc(4, 1)
	x, _ := be.Alloc(2, 1)
	y, _ := be.Alloc(2, 1)
	gap, _ := be.Alloc(1, 1)
	be.Write(A, []float64{1, -1, -1, 1})
	be.Write(x, []float64{math.Log(0.9), math.Log(0.1)})
	be.Write(y, []float64{math.Log(0.5), math.Log(0.5)})
	z := cuda.ZeroSum{A: A, M: 2, N: 2, X: x, Y: y, Gap: gap, Eta: 0.2, Iters: 2000, Optimistic: true}
	if err := be.ZeroSum(context.Background(), &z); err != nil {
		panic(err)
	}
	v := make([]float64, 2)
	be.Read(v, x)
	g := make([]float64, 1)
	be.Read(g, gap)
	fmt.Printf("x = %.4f %.4f, gap below 1e-9: %v\n", math.Exp(v[0]), math.Exp(v[1]), g[0] < 1e-9)
	// Output:
	// x = 0.5000 0.5000, gap below 1e-9: true
}
