package agents

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// fixedPointResidual recomputes max_y |log π(y) − log ref(y) − g(y)/τ − c|
// with c the mean offset, independently of the solver.
func fixedPointResidual(p, logRef, l []float64, tau float64) float64 {
	k := len(l)
	pi := probs(l)
	r := make([]float64, k)
	mean := 0.0
	for y := range k {
		g := 0.0
		for j := range k {
			g += p[y*k+j] * pi[j]
		}
		r[y] = l[y] - logRef[y] - g/tau
		mean += r[y] / float64(k)
	}
	worst := 0.0
	for y := range k {
		worst = max(worst, math.Abs(r[y]-mean))
	}
	return worst
}

func TestRegularizedNashAccuracy(t *testing.T) {
	for _, k := range []int{3, 10, 16} {
		for _, tau := range []float64{1e-7, 1e-5, 1e-3, 1e-2, 0.1, 1, 10} {
			g, ref := egpoGame(uint64(17*k), 3, k)
			star, err := RegularizedNash(g, ref, tau)
			if err != nil {
				t.Fatalf("K=%d τ=%v: %v", k, tau, err)
			}
			env := newTestEnv(t, g, ref)
			ev, _ := NewEvaluator(env, tau, false)
			m := ev.MeasureHost(star)
			if m.Gap > 1e-11 || m.Gap < -1e-12 {
				t.Errorf("K=%d τ=%v: gap of π*_τ = %.3g", k, tau, m.Gap)
			}
			for c := range 3 {
				l, r := make([]float64, k), make([]float64, k)
				getCol(l, star, k, 3, c)
				getCol(r, ref, k, 3, c)
				if res := fixedPointResidual(g.Matrix(c), r, l, tau); res > max(NashTolerance, 1e-14/tau) {
					t.Errorf("K=%d τ=%v context %d: fixed-point residual %.3g", k, tau, c, res)
				}
			}
		}
	}
}

// As τ → 0 the regularized Nash of the three-annotator example approaches
// its maximal lottery (1/3 + ε/2, 1/3 + ε/2, 1/3 − ε), and a deterministic
// Condorcet winner attracts all the mass.
func TestRegularizedNashSmallTau(t *testing.T) {
	g, _ := game.ThreeAnnotators(0.1)
	star, err := RegularizedNash(g, UniformRef(3, 1), 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1.0/3 + 0.05, 1.0/3 + 0.05, 1.0/3 - 0.1}
	for y, l := range star {
		if math.Abs(math.Exp(l)-want[y]) > 1e-3 {
			t.Errorf("π*_τ(%d) = %v, maximal lottery %v", y, math.Exp(l), want[y])
		}
	}
	lw := game.RandomAntisymmetric(rand.New(rand.NewPCG(1, 1)), 1, 6, game.LowerWin)
	star, err = RegularizedNash(lw, UniformRef(6, 1), 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if p := math.Exp(star[5]); p < 1-1e-12 {
		t.Errorf("mass on the Condorcet winner %v", p)
	}
}

// Oracle: scipy's hybrid Powell root finder on the same fixed point.
func TestRegularizedNashAgainstScipy(t *testing.T) {
	py := "/usr/bin/python3"
	check := exec.Command(py, "-c", "import scipy.optimize, numpy")
	if err := check.Run(); err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("scipy oracle unavailable: %v", err)
		}
		t.Skipf("scipy oracle unavailable: %v", err)
	}
	const script = `
import json, sys
import numpy as np
from scipy.optimize import root
d = json.load(sys.stdin)
out = []
for case in d:
    P, lr, tau = np.array(case["p"]), np.array(case["ref"]), case["tau"]
    def F(l):
        pi = np.exp(l - l.max()); pi /= pi.sum()
        r = l - lr - P @ pi / tau
        r = r - r.mean()
        r[-1] = l.mean()
        return r
    l0 = lr + P @ np.exp(lr) / tau
    s = root(F, l0 - l0.mean(), method="hybr", tol=1e-14)
    l = s.x - s.x.max()
    pi = np.exp(l); pi /= pi.sum()
    out.append(list(pi))
json.dump(out, sys.stdout)
`
	type tcase struct {
		P   [][]float64 `json:"p"`
		Ref []float64   `json:"ref"`
		Tau float64     `json:"tau"`
	}
	var cases []tcase
	var stars [][]float64
	for i, tau := range []float64{0.05, 0.3, 2} {
		g, ref := egpoGame(uint64(100+i), 1, 7)
		star, err := RegularizedNash(g, ref, tau)
		if err != nil {
			t.Fatal(err)
		}
		stars = append(stars, probs(star))
		cases = append(cases, tcase{P: g.Margins(0), Ref: ref, Tau: tau})
		for r := range cases[i].P {
			for j := range cases[i].P[r] {
				cases[i].P[r][j] = g.At(0, r, j)
			}
		}
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scipy: %v", err)
	}
	var got [][]float64
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for i := range cases {
		for y := range got[i] {
			if d := math.Abs(got[i][y] - stars[i][y]); d > 1e-9 {
				t.Errorf("τ=%v response %d: scipy %v, ours %v", cases[i].Tau, y, got[i][y], stars[i][y])
			}
		}
	}
}

func TestWinRateMatrixAndMetrics(t *testing.T) {
	g, ref := egpoGame(21, 4, 5)
	env := newTestEnv(t, g, ref)
	ev, err := NewEvaluator(env, 0.1, true)
	if err != nil {
		t.Fatal(err)
	}
	a := runSteps(t, env, build(t, env, "spo", map[string]any{"eta": 1.0}, Options{}), 10)
	w := WinRateMatrix(g, [][]float64{a, env.refHost, ev.Star()})
	for i := range w {
		if math.Abs(w[i][i]-0.5) > 1e-15 {
			t.Errorf("W[%d][%d] = %v", i, i, w[i][i])
		}
		for j := range w {
			if math.Abs(w[i][j]+w[j][i]-1) > 1e-14 {
				t.Errorf("W[%d][%d] + W[%d][%d] = %v", i, j, j, i, w[i][j]+w[j][i])
			}
		}
	}
	m := ev.MeasureHost(a)
	if math.Abs(m.WinRef-w[0][1]) > 1e-14 || math.Abs(m.WinStar-w[0][2]) > 1e-14 {
		t.Errorf("metrics win rates %v %v, matrix %v %v", m.WinRef, m.WinStar, w[0][1], w[0][2])
	}
	// The backend and the host agree on the measures.
	pt := build(t, env, "spo", map[string]any{"eta": 1.0}, Options{})
	runSteps(t, env, pt, 10)
	mb, err := ev.Measure(pt.Policy())
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(mb.Gap-m.Gap) > 1e-12 || math.Abs(mb.KLRef-m.KLRef) > 1e-12 || math.Abs(mb.Expl-m.Expl) > 1e-12 {
		t.Errorf("backend measures %+v, host %+v", mb, m)
	}
	// Regularized gap ≥ 0, and exploitability of π*_τ's unregularized game is
	// within [0, 1/2].
	if m.Gap < 0 || m.Expl < 0 || m.Expl > 0.5 {
		t.Errorf("gap %v expl %v", m.Gap, m.Expl)
	}
}

func TestMaximalLotteries(t *testing.T) {
	three, _ := game.ThreeAnnotators(0.2)
	bt, _ := game.BradleyTerry([][]float64{{0, 2, 1}})
	g, err := game.Concat(three, bt)
	if err != nil {
		t.Fatal(err)
	}
	lot, dims, err := MaximalLotteries(g)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{1.0/3 + 0.1, 1.0/3 + 0.1, 1.0/3 - 0.2}, {0, 1, 0}}
	for c, w := range want {
		for y, p := range w {
			if got := lot[y*2+c]; math.Abs(got-p) > 1e-9 {
				t.Errorf("context %d: lottery(%d) = %v, want %v", c, y, got, p)
			}
		}
		if dims[c] != 0 {
			t.Errorf("context %d: face dimension %d, want 0 (unique)", c, dims[c])
		}
	}
	env := newTestEnv(t, g, nil)
	ev, err := NewEvaluator(env, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	m := ev.MeasureHost(ev.Star())
	if m.TVLottery > 1e-12 || m.Expl > 1e-9 {
		t.Errorf("at τ = 0 the ground truth is the lottery: tv %v, expl %v", m.TVLottery, m.Expl)
	}
	// A tie between two copies spreads the mass evenly (maximum entropy).
	tie := mustMatrices(t, [][][]float64{{{0.5, 0.5, 1}, {0.5, 0.5, 1}, {0, 0, 0.5}}})
	lot, dims, _ = MaximalLotteries(tie)
	if math.Abs(lot[0]-0.5) > 1e-9 || math.Abs(lot[1]-0.5) > 1e-9 || dims[0] != 1 {
		t.Errorf("tied pair: lottery %v, face dim %d", lot, dims[0])
	}
}

func mustMatrices(t *testing.T, m [][][]float64) *game.Preference {
	t.Helper()
	g, err := game.FromMatrices(m, 0)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
