package nash

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func TestMeasuresClosedForm(t *testing.T) {
	mp := [][]float64{{1, -1}, {-1, 1}}
	g := game.ZeroSum(mp)
	x := game.Mixed{{1, 0}, {1, 0}} // both play heads: column loses 2 by not switching
	regrets, err := Regrets(g, x)
	if err != nil {
		t.Fatal(err)
	}
	zsClose(t, "regrets", regrets, []float64{0, 2}, 0)
	if nc, _ := NashConv(g, x); nc != 2 {
		t.Fatalf("NashConv %v", nc)
	}
	if mr, _ := MaxRegret(g, x); mr != 2 {
		t.Fatalf("MaxRegret %v", mr)
	}
	if e, _ := Exploitability(g, x); e != 1 {
		t.Fatalf("Exploitability %v", e)
	}
	if e, _ := ExploitabilityMatrix(mp, x[0], x[1]); e != 1 {
		t.Fatalf("ExploitabilityMatrix %v", e)
	}
}

// On random zero-sum games the two exploitability forms agree, equal
// NashConv/2, and vanish at the LP solution.
func TestExploitabilityZeroSum(t *testing.T) {
	r := rand.New(rand.NewPCG(60, 61))
	for range 20 {
		m, n := 1+r.IntN(8), 1+r.IntN(8)
		A := zsRandom(r, m, n, zsUniform)
		g := game.ZeroSum(A)
		x := game.Mixed{randomDist(r, m), randomDist(r, n)}
		e1, err := Exploitability(g, x)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := ExploitabilityMatrix(A, x[0], x[1])
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e1-e2) > 1e-12 || math.Abs(e1-g.NashConv(x)/2) > 1e-12 || e1 < 0 {
			t.Fatalf("exploitability %v / %v, NashConv/2 %v", e1, e2, g.NashConv(x)/2)
		}
		sol := zsSolve(t, A)
		if e, _ := ExploitabilityMatrix(A, sol.Row, sol.Col); e > 1e-9 {
			t.Fatalf("LP solution exploitable by %v", e)
		}
	}
}

func randomDist(r *rand.Rand, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = r.ExpFloat64()
	}
	normalizeNonneg(p)
	return p
}

func TestMeasuresBadInput(t *testing.T) {
	g := game.ZeroSum(rpsMargins())
	if _, err := NashConv(g, game.Mixed{{1, 0, 0}}); !errors.Is(err, game.ErrShape) {
		t.Fatalf("NashConv: %v", err)
	}
	if _, err := Regrets(g, game.Mixed{{0.5, 0.6, 0}, {1, 0, 0}}); err == nil {
		t.Fatal("Regrets accepted probabilities summing to 1.1")
	}
	if _, err := MaxRegret(g, game.Mixed{{1, 0}, {1, 0, 0}}); !errors.Is(err, game.ErrShape) {
		t.Fatalf("MaxRegret: %v", err)
	}
	pd := game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}})
	if _, err := Exploitability(pd, pd.Uniform()); !errors.Is(err, ErrNotBimatrix) {
		t.Fatalf("Exploitability of a general-sum game: %v", err)
	}
	if _, err := Exploitability(game.New(2, 2, 2), game.New(2, 2, 2).Uniform()); !errors.Is(err, ErrNotBimatrix) {
		t.Fatalf("Exploitability of a 3-player game: %v", err)
	}
	if _, err := ExploitabilityMatrix([][]float64{{1, 2}}, []float64{1}, []float64{1}); !errors.Is(err, game.ErrShape) {
		t.Fatalf("ExploitabilityMatrix shape: %v", err)
	}
}
