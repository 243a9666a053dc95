package nash

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// rpsMargins is rock–paper–scissors: rock beats scissors, scissors beat
// paper, paper beats rock.
func rpsMargins() [][]float64 {
	return [][]float64{{0, -1, 1}, {1, 0, -1}, {-1, 1, 0}}
}

// duplicateStrategies returns the symmetric game in which strategy k of M
// appears counts[k] ≥ 1 times, copies adjacent, and the map from new index
// to original strategy.
func duplicateStrategies(M [][]float64, counts []int) ([][]float64, []int) {
	var orig []int
	for k, c := range counts {
		for range c {
			orig = append(orig, k)
		}
	}
	D := make([][]float64, len(orig))
	for i, a := range orig {
		D[i] = make([]float64, len(orig))
		for j, b := range orig {
			D[i][j] = M[a][b]
		}
	}
	return D, orig
}

// duplicateFirst returns M with its first strategy duplicated.
func duplicateFirst(M [][]float64) [][]float64 {
	counts := make([]int, len(M))
	for k := range counts {
		counts[k] = 1
	}
	counts[0] = 2
	D, _ := duplicateStrategies(M, counts)
	return D
}

// randomSkew returns a random skew-symmetric matrix with entries drawn by
// draw above the diagonal.
func randomSkew(r *rand.Rand, n int, draw func(*rand.Rand) float64) [][]float64 {
	M := make([][]float64, n)
	for i := range M {
		M[i] = make([]float64, n)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := draw(r)
			M[i][j], M[j][i] = v, -v
		}
	}
	return M
}

// lotteryCheck verifies independently that p is an optimal strategy of the
// symmetric game M.
func lotteryCheck(t *testing.T, M [][]float64, p []float64) {
	t.Helper()
	sum := 0.0
	for i, v := range p {
		if !(v >= 0) {
			t.Fatalf("p[%d] = %v", i, v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Fatalf("p sums to %v", sum)
	}
	big := 0.0
	for _, row := range M {
		for _, v := range row {
			big = max(big, math.Abs(v))
		}
	}
	for j := range M {
		s := 0.0
		for i := range M {
			s += p[i] * M[i][j]
		}
		if s < -1e-9*big {
			t.Fatalf("p loses %v to strategy %d", -s, j)
		}
	}
}

func entropy(p []float64) float64 {
	h := 0.0
	for _, v := range p {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

func TestMaximalLotteryKnown(t *testing.T) {
	third := 1.0 / 3
	tests := []struct {
		name string
		M    [][]float64
		want []float64
		dim  int
	}{
		{"RPS", rpsMargins(), []float64{third, third, third}, 0},
		{"single", [][]float64{{0}}, []float64{1}, 0},
		{"all tied", [][]float64{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, []float64{.25, .25, .25, .25}, 3},
		{"Condorcet winner", [][]float64{
			{0, 0.2, 0.1, 0.3},
			{-0.2, 0, 0.5, -0.4},
			{-0.1, -0.5, 0, 0.6},
			{-0.3, 0.4, -0.6, 0},
		}, []float64{1, 0, 0, 0}, 0},
		{"weak Condorcet winners tie", [][]float64{
			{0, 0, 1, 1},
			{0, 0, 1, 1},
			{-1, -1, 0, 1},
			{-1, -1, -1, 0},
		}, []float64{.5, .5, 0, 0}, 1},
		{"two tied cycles", [][]float64{
			{0, -1, 1, 0, 0, 0},
			{1, 0, -1, 0, 0, 0},
			{-1, 1, 0, 0, 0, 0},
			{0, 0, 0, 0, -1, 1},
			{0, 0, 0, 1, 0, -1},
			{0, 0, 0, -1, 1, 0},
		}, []float64{1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6}, 1},
		// Rock duplicated (R1, R2), plus X which beats R2 by 2 and loses
		// to R1 by 1: X is never played, but it forces r1 ≥ 2·r2, which
		// binds at the maximum-entropy point (r1 = 2/9, r2 = 1/9).
		{"binding inequality", [][]float64{
			{0, 0, -1, 1, 1},
			{0, 0, -1, 1, -2},
			{1, 1, 0, -1, 0},
			{-1, -1, 1, 0, 0},
			{-1, 2, 0, 0, 0},
		}, []float64{2. / 9, 1. / 9, third, third, 0}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := MaximalLotteryFace(context.Background(), tc.M)
			if err != nil {
				t.Fatal(err)
			}
			lotteryCheck(t, tc.M, l.P)
			zsClose(t, "P", l.P, tc.want, 1e-9)
			if l.FaceDim != tc.dim {
				t.Fatalf("face dimension %d, want %d", l.FaceDim, tc.dim)
			}
			for _, i := range l.Essential {
				if !(l.P[i] > 0) {
					t.Fatalf("essential strategy %d has probability %v", i, l.P[i])
				}
			}
			p2, err := MaxEntropyNash(tc.M)
			if err != nil {
				t.Fatal(err)
			}
			zsClose(t, "MaxEntropyNash", p2, l.P, 0)
		})
	}
}

// A Condorcet winner (beats every other alternative) gets probability 1,
// on random margin matrices of several sizes.
func TestMaximalLotteryCondorcetRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for trial := range 40 {
		n := 2 + r.IntN(30)
		M := randomSkew(r, n, func(r *rand.Rand) float64 { return 2*r.Float64() - 1 })
		w := r.IntN(n)
		for j := range n {
			if j != w {
				v := 0.01 + r.Float64()
				M[w][j], M[j][w] = v, -v
			}
		}
		p, err := MaximalLottery(M)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p[w]-1) > 1e-12 {
			t.Fatalf("trial %d: Condorcet winner %d gets %v", trial, w, p[w])
		}
	}
}

// Duplicating strategies of a game with a unique optimal strategy splits
// each duplicated strategy's mass evenly among its copies and leaves the
// rest unchanged, and the Nash-averaged ratings (M·p) of every copy equal
// the original's.
func TestMaxEntropyNashDuplicationInvariance(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	for trial := range 60 {
		n := 3 + r.IntN(12)
		M := randomSkew(r, n, func(r *rand.Rand) float64 { return r.NormFloat64() })
		base, err := MaximalLotteryFace(context.Background(), M)
		if err != nil {
			t.Fatal(err)
		}
		if base.FaceDim != 0 {
			t.Fatalf("trial %d: a continuous random game has face dimension %d", trial, base.FaceDim)
		}
		counts := make([]int, n)
		for k := range counts {
			counts[k] = 1 + r.IntN(3)
		}
		D, orig := duplicateStrategies(M, counts)
		p, err := MaxEntropyNash(D)
		if err != nil {
			t.Fatal(err)
		}
		lotteryCheck(t, D, p)
		ratings := func(M [][]float64, p []float64) []float64 {
			out := make([]float64, len(M))
			for i := range M {
				for j := range M {
					out[i] += M[i][j] * p[j]
				}
			}
			return out
		}
		r0, r1 := ratings(M, base.P), ratings(D, p)
		for i, k := range orig {
			if want := base.P[k] / float64(counts[k]); math.Abs(p[i]-want) > 1e-9 {
				t.Fatalf("trial %d: copy %d of strategy %d has %v, want %v", trial, i, k, p[i], want)
			}
			if math.Abs(r1[i]-r0[k]) > 1e-9 {
				t.Fatalf("trial %d: rating of copy %d of %d is %v, originally %v", trial, i, k, r1[i], r0[k])
			}
		}
	}
}

// Duplicates of RPS strategies share their third evenly: the face of
// optimal strategies has a continuum, and maximum entropy picks its centre.
func TestMaxEntropyNashDuplicatedRPS(t *testing.T) {
	D, orig := duplicateStrategies(rpsMargins(), []int{3, 1, 2})
	l, err := MaximalLotteryFace(context.Background(), D)
	if err != nil {
		t.Fatal(err)
	}
	counts := []int{3, 1, 2}
	for i, k := range orig {
		if want := 1 / (3 * float64(counts[k])); math.Abs(l.P[i]-want) > 1e-9 {
			t.Fatalf("P = %v", l.P)
		}
	}
	if l.FaceDim != 3 { // (3−1) + (1−1) + (2−1) free splits
		t.Fatalf("face dimension %d, want 3", l.FaceDim)
	}
}

// Property on degenerate random games (small integer margins, many ties):
// the result is optimal, every essential strategy is played, and no
// optimal strategy found by perturbing the objective has higher entropy.
func TestMaximalLotteryDegenerateProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	for trial := range 150 {
		n := 2 + r.IntN(10)
		M := randomSkew(r, n, func(r *rand.Rand) float64 { return float64(r.IntN(3) - 1) })
		if trial%5 == 0 {
			M = duplicateFirst(M)
		}
		l, err := MaximalLotteryFace(context.Background(), M)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		lotteryCheck(t, M, l.P)
		for _, i := range l.Essential {
			if !(l.P[i] > 1e-12) {
				t.Fatalf("trial %d: essential %d has %v", trial, i, l.P[i])
			}
		}
		// Other optimal strategies: solutions of the game with a random
		// perturbation of tiny size are near the optimal face; mixing
		// them with P (both optimal) must not raise entropy.
		sol, err := SolveZeroSum(M)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range [][]float64{sol.Row, sol.Col} {
			for _, a := range []float64{0.01, 0.1, 0.5} {
				mix := make([]float64, len(q))
				for i := range mix {
					mix[i] = (1-a)*l.P[i] + a*q[i]
				}
				if entropy(mix) > entropy(l.P)+1e-9 {
					t.Fatalf("trial %d: optimal mixture has entropy %v > %v", trial, entropy(mix), entropy(l.P))
				}
			}
		}
	}
}

// Generic random games of larger size: unique optimal strategy, certified.
func TestMaximalLotteryLargeRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 19))
	for _, n := range []int{50, 200} {
		M := randomSkew(r, n, func(r *rand.Rand) float64 { return 2*r.Float64() - 1 })
		l, err := MaximalLotteryFace(context.Background(), M)
		if err != nil {
			t.Fatal(err)
		}
		lotteryCheck(t, M, l.P)
		if l.FaceDim != 0 {
			t.Fatalf("n=%d: face dimension %d", n, l.FaceDim)
		}
	}
}

func TestMaximalLotteryScipy(t *testing.T) {
	requireScipy(t)
	r := rand.New(rand.NewPCG(20, 21))
	var games [][][]float64
	for trial := range 12 {
		n := 3 + trial%6
		M := randomSkew(r, n, func(r *rand.Rand) float64 { return float64(r.IntN(3) - 1) })
		if trial%3 == 0 {
			M = duplicateFirst(M)
		}
		games = append(games, M)
	}
	// Independent computation: the essential strategies by one HiGHS LP
	// per strategy (maximise p_j over the optimal face), the face's affine
	// hull by scipy's SVD null space, then SLSQP on the free coordinates.
	const script = `
import sys, json
import numpy as np
from scipy.optimize import linprog, minimize
from scipy.linalg import null_space
out = []
for M in json.load(sys.stdin):
    M = np.array(M, dtype=float); n = len(M)
    E, pts = [], []
    for j in range(n):
        c = np.zeros(n); c[j] = -1
        r = linprog(c, A_ub=-M.T, b_ub=np.zeros(n), A_eq=np.ones((1, n)), b_eq=[1],
                    bounds=[(0, None)] * n, method="highs")
        if -r.fun > 1e-9:
            E.append(j); pts.append(r.x)
    E = np.array(E); rest = np.array([j for j in range(n) if j not in E], dtype=int)
    x0 = np.mean(pts, axis=0)[E]
    # affine hull: q = x0 + N u with M_EE^T (x0 + N u) = 0 and sum = 0 along N
    A = np.vstack([M[np.ix_(E, E)].T, np.ones((1, len(E)))])
    N = null_space(A)
    def p_of(u): return x0 + N @ u
    def negH(u):
        q = np.clip(p_of(u), 1e-300, None); return float(np.sum(q * np.log(q)))
    def grad(u): return N.T @ (np.log(np.clip(p_of(u), 1e-300, None)) + 1)
    cons = [{"type": "ineq", "fun": lambda u: p_of(u), "jac": lambda u: N}]
    if len(rest):
        G = M[np.ix_(E, rest)]
        cons.append({"type": "ineq", "fun": lambda u: p_of(u) @ G, "jac": lambda u: (N.T @ G).T})
    if N.shape[1] == 0:
        q = x0
    else:
        r = minimize(negH, np.zeros(N.shape[1]), jac=grad, constraints=cons, method="SLSQP",
                     options={"ftol": 1e-15, "maxiter": 1000})
        q = p_of(r.x)
    p = np.zeros(n); p[E] = q
    out.append(list(p))
json.dump(out, sys.stdout)
`
	var want [][]float64
	runScipy(t, script, games, &want)
	continua := 0
	for k, M := range games {
		l, err := MaximalLotteryFace(context.Background(), M)
		if err != nil {
			t.Fatal(err)
		}
		p := l.P
		if l.FaceDim > 0 {
			continua++
		}
		if math.Abs(entropy(p)-entropy(want[k])) > 1e-6 {
			t.Errorf("game %d: entropy %v, scipy %v (p=%v, scipy %v)", k, entropy(p), entropy(want[k]), p, want[k])
		}
		zsClose(t, "P vs scipy", p, want[k], 1e-5)
	}
	if continua < 3 {
		t.Fatalf("only %d of the games have a continuum of optimal strategies; the test needs more", continua)
	}
}

func TestMaximalLotteryBadInput(t *testing.T) {
	tests := []struct {
		name string
		M    [][]float64
		want error
	}{
		{"empty", nil, ErrEmptyMatrix},
		{"not square", [][]float64{{0, 1, 2}, {-1, 0, 3}}, ErrRagged},
		{"not skew", [][]float64{{0, 1}, {1, 0}}, ErrNotSkewSymmetric},
		{"diagonal", [][]float64{{1, 0}, {0, 0}}, ErrNotSkewSymmetric},
		{"NaN", [][]float64{{0, math.NaN()}, {0, 0}}, ErrNotFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := MaximalLottery(tc.M); !errors.Is(err, tc.want) {
				t.Fatalf("MaximalLottery error %v, want %v", err, tc.want)
			}
			if _, err := MaxEntropyNash(tc.M); !errors.Is(err, tc.want) {
				t.Fatalf("MaxEntropyNash error %v, want %v", err, tc.want)
			}
		})
	}
}

// A large face: 40 copies of each RPS strategy (face dimension 117); the
// maximum-entropy strategy is uniform over all 120.
func TestMaxEntropyNashLargeFace(t *testing.T) {
	D, _ := duplicateStrategies(rpsMargins(), []int{40, 40, 40})
	l, err := MaximalLotteryFace(context.Background(), D)
	if err != nil {
		t.Fatal(err)
	}
	if l.FaceDim != 117 || len(l.Essential) != 120 {
		t.Fatalf("face dimension %d, %d essential", l.FaceDim, len(l.Essential))
	}
	zsClose(t, "P", l.P, uniform(120), 1e-12)
}
