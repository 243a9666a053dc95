package nash

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// npSolve runs SolveNPlayer and checks its claim independently: a valid
// profile whose largest regret, recomputed with g.Regret, is the reported
// one and within 1e-9 of the payoff range.
func npSolve(t *testing.T, g *game.Normal) game.Mixed {
	t.Helper()
	x, eps, err := SolveNPlayer(context.Background(), g, NPlayerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.CheckMixed(x, 1e-12); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, r := range g.Regret(x) {
		worst = max(worst, r)
	}
	if worst != eps {
		t.Fatalf("reported regret %v, recomputed %v", eps, worst)
	}
	if worst > 1e-9*max(payoffRange(g), 1e-300) {
		t.Fatalf("regret %v at %v", worst, x)
	}
	return x
}

// npJordanGame is Jordan's three-player matching pennies: player 1 wants to
// match player 2, player 2 to match player 3, player 3 to mismatch player
// 1. Its unique equilibrium has everyone mixing 1/2–1/2.
func npJordanGame() *game.Normal {
	g := game.New(2, 2, 2)
	for k := range g.NumProfiles() {
		s := g.Profile(k, nil)
		pay := func(match bool) float64 {
			if match {
				return 1
			}
			return -1
		}
		g.SetPayoff(0, k, pay(s[0] == s[1]))
		g.SetPayoff(1, k, pay(s[1] == s[2]))
		g.SetPayoff(2, k, pay(s[2] != s[0]))
	}
	return g
}

func TestSolveNPlayerClassic(t *testing.T) {
	half := []float64{0.5, 0.5}
	third := []float64{1. / 3, 1. / 3, 1. / 3}
	tests := []struct {
		name string
		g    *game.Normal
		want game.Mixed // nil: any equilibrium
	}{
		{"prisoner's dilemma", game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}}),
			game.Mixed{{0, 1}, {0, 1}}},
		{"matching pennies", game.ZeroSum([][]float64{{1, -1}, {-1, 1}}), game.Mixed{half, half}},
		{"RPS", game.ZeroSum(rpsMargins()), game.Mixed{third, third}},
		// Battle of the sexes: the logit path selects the mixed
		// equilibrium (2/3, 1/3), (1/3, 2/3).
		{"battle of the sexes", game.Bimatrix([][]float64{{2, 0}, {0, 1}}, [][]float64{{1, 0}, {0, 2}}), nil},
		{"Jordan", npJordanGame(), game.Mixed{half, half, half}},
		{"one player", func() *game.Normal {
			g := game.New(3)
			g.SetPayoff(0, 1, 2)
			return g
		}(), game.Mixed{{0, 1, 0}}},
		{"constant", game.New(2, 3, 2), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := npSolve(t, tc.g)
			if tc.want != nil {
				for i := range tc.want {
					zsClose(t, "profile", x[i], tc.want[i], 1e-9)
				}
			}
		})
	}
}

// seltensHorse is Selten's horse in normal form: player 1 chooses A or D,
// player 2 a or d (only reached after A), player 3 L or R (not knowing
// whether D or (A, d) was played). Payoffs: (A, a, ·) = (1, 1, 1),
// (D, ·, L) = (3, 3, 2), (D, ·, R) = (0, 0, 0), (A, d, L) = (4, 4, 0),
// (A, d, R) = (1, 1, 1). Its equilibria form continua, a classic
// degenerate case.
func seltensHorse() *game.Normal {
	g := game.New(2, 2, 2)
	for k := range g.NumProfiles() {
		s := g.Profile(k, nil)
		var u [3]float64
		switch {
		case s[0] == 0 && s[1] == 0:
			u = [3]float64{1, 1, 1}
		case s[0] == 1 && s[2] == 0:
			u = [3]float64{3, 3, 2}
		case s[0] == 1:
			u = [3]float64{0, 0, 0}
		case s[2] == 0:
			u = [3]float64{4, 4, 0}
		default:
			u = [3]float64{1, 1, 1}
		}
		for i, v := range u {
			g.SetPayoff(i, k, v)
		}
	}
	return g
}

func TestSolveNPlayerSeltensHorse(t *testing.T) {
	g := seltensHorse()
	x := npSolve(t, g)
	// Every equilibrium of the horse has player 2 playing a with
	// certainty whenever player 1 plays A with positive probability; in
	// all of them player 3's payoff is at least 1.
	if u := g.Expected(x); u[2] < 1-1e-9 {
		t.Fatalf("player 3 gets %v at %v", u[2], x)
	}
}

func TestSolveNPlayerVolunteersDilemma(t *testing.T) {
	g, err := game.ParseNFGFile("../game/testdata/nfg/volunteer3.nfg")
	if err != nil {
		t.Fatal(err)
	}
	x := npSolve(t, g)
	// The symmetric logit path ends at the symmetric mixed equilibrium,
	// ignoring with probability 1/√3.
	for i := range 3 {
		if math.Abs(x[i][1]-1/math.Sqrt(3)) > 1e-9 {
			t.Fatalf("player %d: %v", i+1, x[i])
		}
	}
}

func TestSolveNPlayerFixtures(t *testing.T) {
	for _, name := range []string{"bos", "degenerate", "matching_pennies", "pd", "rps", "gambit_style", "outcome_permuted"} {
		t.Run(name, func(t *testing.T) {
			g, err := game.ParseNFGFile("../game/testdata/nfg/" + name + ".nfg")
			if err != nil {
				t.Fatal(err)
			}
			npSolve(t, g)
		})
	}
}

// Property: on random games of 2 to 5 players, continuous and degenerate
// (payoffs in {0, 1, 2}), an equilibrium within tolerance is found.
func TestSolveNPlayerRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(40, 41))
	trials := 200
	if testing.Short() {
		trials = 40
	}
	for trial := range trials {
		n := 2 + r.IntN(4)
		shape := make([]int, n)
		for i := range shape {
			shape[i] = 2 + r.IntN(max(1, 5-n))
		}
		var g *game.Normal
		switch trial % 3 {
		case 0:
			g = game.RandomUniform(r, shape...)
		case 1:
			g = game.RandomInt(r, 0, 2, shape...)
		default:
			g = game.RandomCovariant(r, -0.9/float64(n-1), shape...)
		}
		npSolve(t, g)
	}
}

// A game without pure equilibria and with a support on which the
// indifference equations are singular for most starts: the zero-sum game
// solved by LP gives the value to check against.
func TestSolveNPlayerZeroSumValue(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 43))
	for range 20 {
		m, n := 2+r.IntN(6), 2+r.IntN(6)
		A := zsRandom(r, m, n, zsUniform)
		x := npSolve(t, game.ZeroSum(A))
		sol := zsSolve(t, A)
		v := 0.0
		for i := range m {
			for j := range n {
				v += x[0][i] * A[i][j] * x[1][j]
			}
		}
		if math.Abs(v-sol.Value) > 1e-8 {
			t.Fatalf("equilibrium payoff %v, LP value %v", v, sol.Value)
		}
	}
}

// Support enumeration alone (as after a failed path) finds equilibria too.
func TestSupportEnumeration(t *testing.T) {
	r := rand.New(rand.NewPCG(44, 45))
	for trial := range 60 {
		n := 2 + r.IntN(3)
		shape := make([]int, n)
		for i := range shape {
			shape[i] = 2 + r.IntN(2)
		}
		g := game.RandomUniform(r, shape...)
		if trial%2 == 1 {
			g = game.RandomInt(r, 0, 3, shape...)
		}
		s := newSupportSolver(g)
		s.tol = 1e-9 * s.scale
		s.best, s.bestRegret = g.Uniform(), math.Inf(1)
		x, ok, err := s.enumerate(context.Background(), 1<<20)
		if err != nil || !ok {
			t.Fatalf("trial %d %v: ok=%v err=%v", trial, shape, ok, err)
		}
		if r := maxRegret(g, x); r > s.tol {
			t.Fatalf("trial %d: regret %v", trial, r)
		}
	}
}

func TestSolveNPlayerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := game.RandomUniform(rand.New(rand.NewPCG(1, 1)), 3, 3, 3)
	x, eps, err := SolveNPlayer(ctx, g, NPlayerOptions{})
	if err == nil {
		t.Fatal("no error from a cancelled context")
	}
	if x == nil || eps < 0 {
		t.Fatalf("no best profile returned: %v %v", x, eps)
	}
}
