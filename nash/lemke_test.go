package nash

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// checkLemkeHowsonAll checks that every label is reported exactly once and
// that each equilibrium verifies exactly and is an extreme equilibrium.
func checkLemkeHowsonAll(t *testing.T, name string, g *game.Normal, found []LHEquilibrium, extreme map[string]bool) {
	t.Helper()
	var labels []int
	for _, e := range found {
		if err := VerifyExact(g, e.Exact); err != nil {
			t.Fatalf("%s: labels %v: %v", name, e.Labels, err)
		}
		if extreme != nil && !extreme[exactProfileKey(e.Exact)] {
			t.Fatalf("%s: labels %v reach %s, not an extreme equilibrium", name, e.Labels, exactProfileKey(e.Exact))
		}
		labels = append(labels, e.Labels...)
	}
	slices.Sort(labels)
	m, n := g.NumStrategies(0), g.NumStrategies(1)
	for i, l := range labels {
		if l != i+1 || len(labels) != m+n {
			t.Fatalf("%s: labels %v, want each of 1..%d once", name, labels, m+n)
		}
	}
}

func enumerationKeys(t *testing.T, g *game.Normal) map[string]bool {
	t.Helper()
	res, err := EnumerateBimatrix(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, e := range res.Equilibria {
		keys[exactProfileKey(e.Exact)] = true
	}
	return keys
}

func TestLemkeHowsonClassicGames(t *testing.T) {
	for _, tc := range classicGames {
		g := bimatrixFromStrings(tc.A, tc.B)
		found, err := LemkeHowsonAll(context.Background(), g)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkLemkeHowsonAll(t, tc.name, g, found, enumerationKeys(t, g))
	}
	// In the battle of the sexes the paths from the artificial equilibrium
	// end at equilibria of index +1, the pure ones; the mixed one has
	// index −1 and is never reached.
	g := bimatrixFromStrings(classicGames[1].A, classicGames[1].B)
	found, _ := LemkeHowsonAll(context.Background(), g)
	for _, e := range found {
		if exactProfileKey(e.Exact) == "2/3 1/3 | 1/3 2/3" {
			t.Errorf("labels %v reach the mixed equilibrium of the battle of the sexes", e.Labels)
		}
	}
	if len(found) != 2 {
		t.Errorf("battle of the sexes: %d equilibria reached, want the 2 pure ones", len(found))
	}
}

// TestLemkeHowsonRandom runs every label on random games, degenerate ones
// included, where plain Lemke–Howson can stall on ties.
func TestLemkeHowsonRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 41))
	for k := range 120 {
		m, n := 1+r.IntN(7), 1+r.IntN(7)
		kind := payoffKind(k % int(numPayoffKinds))
		g := randomBimatrix(r, m, n, kind)
		name := fmt.Sprintf("game %d (%dx%d %v)", k, m, n, kind)
		found, err := LemkeHowsonAll(context.Background(), g)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkLemkeHowsonAll(t, name, g, found, enumerationKeys(t, g))
	}
}

// TestLemkeHowsonArithmetic checks that i128, big.Int and float64 pivoting
// follow the same paths on nondegenerate games, the float path's end point
// being recomputed exactly.
func TestLemkeHowsonArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for k := range 20 {
		size := 2 + r.IntN(10)
		g := randomBimatrix(r, size, size, payoffWide)
		s, err := newLHSolver(g)
		if err != nil {
			t.Fatal(err)
		}
		for label := range 2 * size {
			var keys []string
			for _, kind := range []numKind{numI128, numBig, numFloat} {
				x, y, err := s.path(context.Background(), label, kind)
				if err != nil {
					t.Fatalf("game %d label %d kind %d: %v", k, label+1, kind, err)
				}
				keys = append(keys, exactProfileKey(game.MixedRat{ratDistribution(x), ratDistribution(y)}))
			}
			if keys[0] != keys[1] || keys[0] != keys[2] {
				t.Fatalf("game %d label %d: i128, big.Int and float paths end at %q", k, label+1, keys)
			}
		}
	}
}

// TestLemkeHowsonLarge runs the float-first path of a large game and the
// i128 path of a medium one.
func TestLemkeHowsonLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	sizes := []int{25, 70}
	if testing.Short() {
		sizes = []int{25}
	}
	for _, size := range sizes {
		g := randomBimatrix(r, size, size, payoffWide)
		for _, label := range []int{1, size + 1, 2 * size} {
			e, err := LemkeHowson(context.Background(), g, label)
			if err != nil {
				t.Fatalf("%dx%d label %d: %v", size, size, label, err)
			}
			if err := VerifyExact(g, e.Exact); err != nil {
				t.Fatalf("%dx%d label %d: %v", size, size, label, err)
			}
			if label != 1 {
				continue
			}
			ref, err := LemkeHowsonWith(context.Background(), g, label, LHBigInt)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := exactProfileKey(e.Exact), exactProfileKey(ref.Exact); a != b {
				t.Errorf("%dx%d label 1: %s, big.Int pivoting %s", size, size, a, b)
			}
		}
	}
}

func TestLemkeHowsonErrors(t *testing.T) {
	g := bimatrixFromStrings(classicGames[0].A, classicGames[0].B)
	for _, label := range []int{0, 5} {
		if _, err := LemkeHowson(context.Background(), g, label); err == nil {
			t.Errorf("label %d accepted", label)
		}
	}
	if _, err := LemkeHowson(context.Background(), game.New(2, 2, 2), 1); !errors.Is(err, ErrNotBimatrix) {
		t.Errorf("3-player game: %v, want ErrNotBimatrix", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := randomBimatrix(rand.New(rand.NewPCG(1, 2)), 90, 90, payoffWide)
	if _, err := LemkeHowsonAll(ctx, big); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}
