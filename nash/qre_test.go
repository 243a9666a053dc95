package nash

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// qre2x2 solves the logit QRE of a 2×2 game whose best-response
// composition is decreasing (a matching-pennies-like game, unique QRE) by
// bisection on the row player's probability of strategy 0.
func qre2x2(A, B [][]float64, lambda float64) (p, q float64) {
	Q := func(p float64) float64 {
		u0 := B[0][0]*p + B[1][0]*(1-p)
		u1 := B[0][1]*p + B[1][1]*(1-p)
		return 1 / (1 + math.Exp(lambda*(u1-u0)))
	}
	P := func(q float64) float64 {
		u0 := A[0][0]*q + A[0][1]*(1-q)
		u1 := A[1][0]*q + A[1][1]*(1-q)
		return 1 / (1 + math.Exp(lambda*(u1-u0)))
	}
	lo, hi := 0.0, 1.0
	for range 200 {
		mid := (lo + hi) / 2
		if mid-P(Q(mid)) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	p = (lo + hi) / 2
	return p, Q(p)
}

func TestLogitQRE2x2AgainstBisection(t *testing.T) {
	// Asymmetric matching pennies (the QRE moves with λ) and a random
	// matching-pennies-like game.
	games := [][2][][]float64{
		{{{9, 0}, {0, 1}}, {{0, 1}, {1, 0}}},
		{{{2.5, -1}, {-0.3, 1.7}}, {{-2, 0.4}, {1.1, -0.8}}},
	}
	for gi, AB := range games {
		g := game.Bimatrix(AB[0], AB[1])
		for _, lambda := range []float64{0.01, 0.5, 1, 3, 10, 40} {
			x, err := LogitQRE(context.Background(), g, lambda, QREOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p, q := qre2x2(AB[0], AB[1], lambda)
			if math.Abs(x[0][0]-p) > 1e-9 || math.Abs(x[1][0]-q) > 1e-9 {
				t.Fatalf("game %d λ=%v: QRE %v, bisection (%v, %v)", gi, lambda, x, p, q)
			}
		}
	}
}

// qreResidual returns the largest violation of the logit response
// equations log σ_i(s) − log σ_i(0) = λ(u_i(s) − u_i(0)), computed with the
// game's own Deviation, relative to the payoff gap, over strategies whose
// probability has not underflowed.
func qreResidual(g *game.Normal, x game.Mixed, lambda float64) float64 {
	worst := 0.0
	for i := range g.NumPlayers() {
		dev := g.Deviation(x, i, nil)
		ref := 0
		for s := range dev {
			if x[i][s] > x[i][ref] {
				ref = s
			}
		}
		for s := range dev {
			if x[i][s] < 1e-200 {
				continue
			}
			lhs := math.Log(x[i][s]) - math.Log(x[i][ref])
			rhs := lambda * (dev[s] - dev[ref])
			worst = max(worst, math.Abs(lhs-rhs)/(1+math.Abs(rhs)))
		}
	}
	return worst
}

func TestLogitQREFixedPointNPlayer(t *testing.T) {
	r := rand.New(rand.NewPCG(30, 31))
	shapes := [][]int{{3}, {2, 3}, {3, 2, 4}, {2, 2, 2, 2}, {3, 3, 2, 2, 2}}
	for _, shape := range shapes {
		g := game.RandomUniform(r, shape...)
		for _, lambda := range []float64{0.3, 2, 15, 80} {
			x, err := LogitQRE(context.Background(), g, lambda, QREOptions{})
			if err != nil {
				t.Fatalf("%v λ=%v: %v", shape, lambda, err)
			}
			if err := g.CheckMixed(x, 1e-12); err != nil {
				t.Fatal(err)
			}
			if res := qreResidual(g, x, lambda); res > 1e-8 {
				t.Fatalf("%v λ=%v: residual %v", shape, lambda, res)
			}
		}
	}
}

func TestLogitQRELimits(t *testing.T) {
	g := game.RandomUniform(rand.New(rand.NewPCG(32, 33)), 3, 4, 2)
	x, err := LogitQRE(context.Background(), g, 0, QREOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, xi := range x {
		zsClose(t, "λ=0", xi, uniform(len(xi)), 0)
		_ = i
	}
	x, err = LogitQRE(context.Background(), g, 1e-7, QREOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, xi := range x {
		zsClose(t, "λ=1e-7", xi, uniform(len(xi)), 1e-7)
	}
	// Matching pennies: the QRE is uniform at every λ.
	mp := game.ZeroSum([][]float64{{1, -1}, {-1, 1}})
	for _, lambda := range []float64{0.5, 50, 5000} {
		x, err := LogitQRE(context.Background(), mp, lambda, QREOptions{})
		if err != nil {
			t.Fatal(err)
		}
		zsClose(t, "matching pennies", x[0], []float64{.5, .5}, 1e-12)
		zsClose(t, "matching pennies", x[1], []float64{.5, .5}, 1e-12)
	}
	// A game with constant payoffs has every profile as QRE; uniform.
	c := game.New(2, 3)
	x, err = LogitQRE(context.Background(), c, 7, QREOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zsClose(t, "constant", x[1], uniform(3), 0)
}

// The path starts uniform, ends near a Nash equilibrium, and λ grows.
func TestLogitQREPathReachesNash(t *testing.T) {
	r := rand.New(rand.NewPCG(34, 35))
	games := map[string]*game.Normal{
		"prisoners dilemma": game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}}),
		"RPS":               game.ZeroSum(rpsMargins()),
		"battle of sexes":   game.Bimatrix([][]float64{{2, 0}, {0, 1}}, [][]float64{{1, 0}, {0, 2}}),
		"random 3x3":        game.RandomUniform(r, 3, 3),
		"random 2x3x2":      game.RandomUniform(r, 2, 3, 2),
		"random 4x4x4":      game.RandomUniform(r, 4, 4, 4),
		"random int 3x3x3":  game.RandomInt(r, 0, 3, 3, 3, 3),
	}
	for name, g := range games {
		path, err := LogitQREPath(context.Background(), g, QREOptions{StopNashConv: 1e-7})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(path) < 2 {
			t.Fatalf("%s: path of %d points", name, len(path))
		}
		for i, xi := range path[0].Profile {
			zsClose(t, name+" start", xi, uniform(g.NumStrategies(i)), 0)
		}
		end := path[len(path)-1]
		if end.NashConv > 1e-7*payoffRange(g) {
			t.Fatalf("%s: path ends at λ=%v with NashConv %v", name, end.Lambda, end.NashConv)
		}
		if math.Abs(end.NashConv-g.NashConv(end.Profile)) > 1e-15 {
			t.Fatalf("%s: reported NashConv %v, recomputed %v", name, end.NashConv, g.NashConv(end.Profile))
		}
		if !(end.Lambda > path[(len(path)-1)/2].Lambda) {
			t.Fatalf("%s: λ does not grow along the path", name)
		}
		// Every point of the path is a QRE at its λ.
		for _, p := range path[1:] {
			if res := qreResidual(g, p.Profile, p.Lambda); res > 1e-7 {
				t.Fatalf("%s: point at λ=%v has residual %v", name, p.Lambda, res)
			}
		}
	}
}

// The prisoner's dilemma path ends at mutual defection.
func TestLogitQREPathPrisonersDilemma(t *testing.T) {
	g := game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}})
	path, err := LogitQREPath(context.Background(), g, QREOptions{MaxLambda: 100})
	if err != nil {
		t.Fatal(err)
	}
	end := path[len(path)-1]
	if end.Profile[0][1] < 1-1e-12 || end.Profile[1][1] < 1-1e-12 {
		t.Fatalf("end %v", end.Profile)
	}
	if end.Lambda < 100 {
		t.Fatalf("path stopped at λ=%v before MaxLambda", end.Lambda)
	}
}

func TestLogitQREBadLambda(t *testing.T) {
	g := game.ZeroSum(rpsMargins())
	for _, l := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := LogitQRE(context.Background(), g, l, QREOptions{}); !errors.Is(err, ErrBadLambda) {
			t.Fatalf("λ=%v: error %v", l, err)
		}
	}
}

func payoffRange(g *game.Normal) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.NumPlayers() {
		for _, v := range g.Payoffs(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return hi - lo
}

// Property: the path succeeds on many random games, continuous and
// degenerate (small integer payoffs), and ends with small NashConv.
func TestLogitQREPathRandomGames(t *testing.T) {
	r := rand.New(rand.NewPCG(36, 37))
	trials := 150
	if testing.Short() {
		trials = 30
	}
	for trial := range trials {
		n := 2 + r.IntN(4)
		shape := make([]int, n)
		for i := range shape {
			shape[i] = 2 + r.IntN(3)
		}
		var g *game.Normal
		if trial%2 == 0 {
			g = game.RandomUniform(r, shape...)
		} else {
			g = game.RandomInt(r, 0, 2, shape...)
		}
		path, err := LogitQREPath(context.Background(), g, QREOptions{StopNashConv: 1e-6})
		if err != nil {
			t.Fatalf("trial %d %v: %v", trial, shape, err)
		}
		end := path[len(path)-1]
		// The path of a perturbed game ends at an equilibrium of that
		// game, an ε-equilibrium of g.
		tol := max(1e-6, 2*float64(n)*end.Perturbation)
		if end.NashConv > tol*max(payoffRange(g), 1e-300) {
			t.Fatalf("trial %d %v: NashConv %v at λ=%v", trial, shape, end.NashConv, end.Lambda)
		}
	}
}
