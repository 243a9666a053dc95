package nash

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// classicGame is a game with equilibria worked out by hand.
type classicGame struct {
	name string
	A, B [][]string
	// want lists the extreme equilibria in canonical order as
	// "x_1 … x_m | y_1 … y_n" and payoffs as "u_1 u_2".
	want, pay  []string
	cliques    [][]int
	continuum  bool
	degenerate bool
}

var classicGames = []classicGame{
	{
		name: "matching pennies",
		A:    [][]string{{"1", "-1"}, {"-1", "1"}},
		B:    [][]string{{"-1", "1"}, {"1", "-1"}},
		want: []string{"1/2 1/2 | 1/2 1/2"}, pay: []string{"0 0"},
		cliques: [][]int{{0}},
	},
	{
		// Two pure equilibria and the mixed one: y makes the row player
		// indifferent (2y₁ = y₂), x the column player (x₁ = 2x₂).
		name:    "battle of the sexes",
		A:       [][]string{{"2", "0"}, {"0", "1"}},
		B:       [][]string{{"1", "0"}, {"0", "2"}},
		want:    []string{"1 0 | 1 0", "2/3 1/3 | 1/3 2/3", "0 1 | 0 1"},
		pay:     []string{"2 1", "2/3 2/3", "1 2"},
		cliques: [][]int{{0}, {1}, {2}},
	},
	{
		name: "prisoners' dilemma",
		A:    [][]string{{"3", "0"}, {"5", "1"}},
		B:    [][]string{{"3", "5"}, {"0", "1"}},
		want: []string{"0 1 | 0 1"}, pay: []string{"1 1"},
		cliques: [][]int{{0}},
	},
	{
		name: "rock-paper-scissors",
		A:    [][]string{{"0", "-1", "1"}, {"1", "0", "-1"}, {"-1", "1", "0"}},
		B:    [][]string{{"0", "1", "-1"}, {"-1", "0", "1"}, {"1", "-1", "0"}},
		want: []string{"1/3 1/3 1/3 | 1/3 1/3 1/3"}, pay: []string{"0 0"},
		cliques: [][]int{{0}},
	},
	{
		// A = B = I: both play uniformly on a common nonempty subset S,
		// earning 1/|S|: 2³ − 1 equilibria.
		name: "3×3 coordination",
		A:    [][]string{{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}},
		B:    [][]string{{"1", "0", "0"}, {"0", "1", "0"}, {"0", "0", "1"}},
		want: []string{
			"1 0 0 | 1 0 0", "1/2 1/2 0 | 1/2 1/2 0", "1/2 0 1/2 | 1/2 0 1/2",
			"1/3 1/3 1/3 | 1/3 1/3 1/3", "0 1 0 | 0 1 0", "0 1/2 1/2 | 0 1/2 1/2", "0 0 1 | 0 0 1",
		},
		pay:     []string{"1 1", "1/2 1/2", "1/2 1/2", "1/3 1/3", "1 1", "1/2 1/2", "1 1"},
		cliques: [][]int{{0}, {1}, {2}, {3}, {4}, {5}, {6}},
	},
	{
		// The example of lrsnash(1).
		name:    "lrsnash manual 3×2",
		A:       [][]string{{"0", "6"}, {"2", "5"}, {"3", "3"}},
		B:       [][]string{{"1", "0"}, {"0", "2"}, {"4", "3"}},
		want:    []string{"2/3 1/3 0 | 1/3 2/3", "0 1/3 2/3 | 2/3 1/3", "0 0 1 | 1 0"},
		pay:     []string{"4 2/3", "3 8/3", "3 4"},
		cliques: [][]int{{0}, {1}, {2}},
	},
	{
		// von Stengel's degenerate game: against the first row both columns
		// are best responses, and the first row stays a best response for
		// y₂ ≤ 1/3 (3 ≥ 2y₁ + 5y₂ and 3 ≥ 6y₂), so (e₁, y) is an equilibrium
		// for y on the segment from (1, 0) to (2/3, 1/3). Separately, x =
		// (0, 1/3, 2/3) makes both columns worth 8/3 and y = (1/3, 2/3) makes
		// rows 2 and 3 worth 4 > 3.
		name:    "von Stengel degenerate 3×2",
		A:       [][]string{{"3", "3"}, {"2", "5"}, {"0", "6"}},
		B:       [][]string{{"3", "3"}, {"2", "6"}, {"3", "1"}},
		want:    []string{"1 0 0 | 1 0", "1 0 0 | 2/3 1/3", "0 1/3 2/3 | 1/3 2/3"},
		pay:     []string{"3 3", "3 3", "4 8/3"},
		cliques: [][]int{{0, 1}, {2}}, continuum: true, degenerate: true,
	},
	{
		// The first row dominates and the column player is indifferent
		// against it: (e₁, y) is an equilibrium for every y.
		name:    "2×2 continuum",
		A:       [][]string{{"1", "1"}, {"0", "0"}},
		B:       [][]string{{"1", "1"}, {"0", "0"}},
		want:    []string{"1 0 | 1 0", "1 0 | 0 1"},
		pay:     []string{"1 1", "1 1"},
		cliques: [][]int{{0, 1}}, continuum: true, degenerate: true,
	},
	{
		// Every profile is an equilibrium: one maximal Nash subset, the
		// product of both simplices.
		name:    "2×3 zero game",
		A:       [][]string{{"0", "0", "0"}, {"0", "0", "0"}},
		B:       [][]string{{"0", "0", "0"}, {"0", "0", "0"}},
		want:    []string{"1 0 | 1 0 0", "1 0 | 0 1 0", "1 0 | 0 0 1", "0 1 | 1 0 0", "0 1 | 0 1 0", "0 1 | 0 0 1"},
		pay:     []string{"0 0", "0 0", "0 0", "0 0", "0 0", "0 0"},
		cliques: [][]int{{0, 1, 2, 3, 4, 5}}, continuum: true, degenerate: true,
	},
	{
		// The column player is indifferent everywhere; the row player picks
		// the column's likelier strategy and is indifferent at y = (1/2,
		// 1/2). Two extreme equilibria share y's support {1, 2}, and three
		// maximal Nash subsets form one component: {e₁} × [(1,0), (½,½)],
		// Δ × {(½,½)} and {e₂} × [(½,½), (0,1)].
		name:    "shared support",
		A:       [][]string{{"1", "0"}, {"0", "1"}},
		B:       [][]string{{"0", "0"}, {"0", "0"}},
		want:    []string{"1 0 | 1 0", "1 0 | 1/2 1/2", "0 1 | 1/2 1/2", "0 1 | 0 1"},
		pay:     []string{"1 0", "1/2 0", "1/2 0", "1 0"},
		cliques: [][]int{{0, 1}, {1, 2}, {2, 3}}, continuum: true, degenerate: true,
	},
}

func TestEnumerateClassicGames(t *testing.T) {
	for _, tc := range classicGames {
		t.Run(tc.name, func(t *testing.T) {
			g := bimatrixFromStrings(tc.A, tc.B)
			res, err := EnumerateBimatrix(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			var got, pay []string
			for _, e := range res.Equilibria {
				got = append(got, exactProfileKey(e.Exact))
				pay = append(pay, e.PayoffsRat[0].RatString()+" "+e.PayoffsRat[1].RatString())
				if err := VerifyExact(g, e.Exact); err != nil {
					t.Errorf("%s: %v", exactProfileKey(e.Exact), err)
				}
				for i := range e.Exact {
					for s, p := range e.Exact[i] {
						if f, _ := p.Float64(); f != e.Profile[i][s] {
							t.Errorf("float profile %v does not match %v", e.Profile, exactProfileKey(e.Exact))
						}
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("equilibria\n got %q\nwant %q", got, tc.want)
			}
			if !slices.Equal(pay, tc.pay) {
				t.Errorf("payoffs %q, want %q", pay, tc.pay)
			}
			if !slices.EqualFunc(res.Cliques, tc.cliques, slices.Equal) {
				t.Errorf("cliques %v, want %v", res.Cliques, tc.cliques)
			}
			if res.Continuum != tc.continuum || res.Stats.Degenerate != tc.degenerate || !res.Complete {
				t.Errorf("continuum %v degenerate %v complete %v, want %v %v true",
					res.Continuum, res.Stats.Degenerate, res.Complete, tc.continuum, tc.degenerate)
			}
			if !res.Continuum && len(res.Components) != len(res.Equilibria) {
				t.Errorf("%d components for %d isolated equilibria", len(res.Components), len(res.Equilibria))
			}
		})
	}
}

// TestComponentsJoinOverlappingCliques checks that cliques sharing an
// extreme equilibrium form one component and disjoint ones do not.
func TestComponentsJoinOverlappingCliques(t *testing.T) {
	for _, tc := range []struct {
		name string
		want [][]int
	}{
		{"shared support", [][]int{{0, 1, 2, 3}}},
		{"von Stengel degenerate 3×2", [][]int{{0, 1}, {2}}},
		{"battle of the sexes", [][]int{{0}, {1}, {2}}},
	} {
		i := slices.IndexFunc(classicGames, func(c classicGame) bool { return c.name == tc.name })
		res, err := EnumerateBimatrix(context.Background(), bimatrixFromStrings(classicGames[i].A, classicGames[i].B))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(res.Components, tc.want, slices.Equal) {
			t.Errorf("%s: components %v, want %v", tc.name, res.Components, tc.want)
		}
	}
}

// TestEnumerateProperties checks, on random games of every payoff kind,
// that each reported equilibrium verifies exactly (with the n-player
// verifier, independent of the enumeration), that nondegenerate games have
// an odd number of isolated equilibria, that every pure equilibrium is
// among the extreme ones, and that big.Int arithmetic gives the same vertex
// sets as i128.
func TestEnumerateProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	nondegenerate := 0
	for k := range 150 {
		m, n := 1+r.IntN(7), 1+r.IntN(7)
		kind := payoffKind(k % int(numPayoffKinds))
		g := randomBimatrix(r, m, n, kind)
		name := fmt.Sprintf("game %d (%dx%d %v)", k, m, n, kind)
		res, err := EnumerateBimatrix(context.Background(), g)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(res.Equilibria) == 0 {
			t.Fatalf("%s: no equilibrium", name)
		}
		scale := 1.0 // largest payoff magnitude, for float tolerances
		for i := range 2 {
			for _, v := range g.Payoffs(i) {
				scale = max(scale, math.Abs(v))
			}
		}
		extreme := map[string]bool{}
		for _, e := range res.Equilibria {
			if err := VerifyExact(g, e.Exact); err != nil {
				t.Fatalf("%s: %s: %v", name, exactProfileKey(e.Exact), err)
			}
			if r := g.Regret(e.Profile); r[0] > 1e-9*scale || r[1] > 1e-9*scale {
				t.Errorf("%s: float regret %v", name, r)
			}
			extreme[exactProfileKey(e.Exact)] = true
		}
		if !res.Stats.Degenerate && !useFaces(m, n) {
			nondegenerate++
			if len(res.Equilibria)%2 != 1 || res.Continuum {
				t.Errorf("%s: nondegenerate game with %d equilibria, continuum %v", name, len(res.Equilibria), res.Continuum)
			}
		}
		for _, s := range PureEquilibria(g) {
			x := game.MixedRat{unitRat(m, s[0]), unitRat(n, s[1])}
			if !extreme[exactProfileKey(x)] {
				t.Errorf("%s: pure equilibrium %v not enumerated", name, s)
			}
		}
		A, B, _ := g.MatricesRat()
		P, Q := bimatrixPolytopes(positiveIntegers(A), positiveIntegers(B))
		for _, poly := range []*polytope{P, Q} {
			narrow, err1 := poly.vertices(context.Background(), numI128)
			wide, err2 := poly.vertices(context.Background(), numBig)
			if errors.Is(err1, errOverflow) && kind == payoffHuge && err2 == nil {
				continue
			}
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", name, err1, err2)
			}
			if !slices.Equal(narrow.labels, wide.labels) || !wide.wide {
				t.Fatalf("%s: i128 and big.Int vertex sets differ", name)
			}
		}
	}
	if nondegenerate < 15 {
		t.Errorf("only %d nondegenerate games", nondegenerate)
	}
}

func unitRat(n, s int) []*big.Rat {
	v := make([]*big.Rat, n)
	for i := range v {
		v[i] = new(big.Rat)
	}
	v[s].SetInt64(1)
	return v
}

// TestEnumerateWideArithmetic uses payoffs too large for i128 pivoting, so
// the enumeration must redo its work in big.Int. (The lrsnash cross-check
// compares such games with the oracle too.)
func TestEnumerateWideArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for k := range 5 {
		g := randomBimatrix(r, 5, 5, payoffHuge)
		res, err := EnumerateBimatrix(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Stats.Wide {
			t.Errorf("game %d: 80-bit payoffs pivoted in i128", k)
		}
		if !res.Stats.Degenerate && len(res.Equilibria)%2 != 1 {
			t.Errorf("game %d: nondegenerate with %d equilibria", k, len(res.Equilibria))
		}
		for _, e := range res.Equilibria {
			if err := VerifyExact(g, e.Exact); err != nil {
				t.Fatalf("game %d: %s: %v", k, exactProfileKey(e.Exact), err)
			}
		}
	}
}

// TestEnumerateFloatPayoffs checks games built from float64 payoffs, whose
// exact values are the binary fractions of the floats.
func TestEnumerateFloatPayoffs(t *testing.T) {
	g := game.Bimatrix([][]float64{{0.1, 0.7}, {0.3, 0.2}}, [][]float64{{0.6, 0.1}, {0.2, 0.9}})
	res, err := EnumerateBimatrix(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Equilibria) != 1 {
		t.Fatalf("%d equilibria, want 1", len(res.Equilibria))
	}
	e := res.Equilibria[0]
	if err := VerifyExact(g, e.Exact); err != nil {
		t.Fatal(err)
	}
	// Closed form: y₁ = (0.2 − 0.7)/(0.1 − 0.7 − 0.3 + 0.2) = 5/7 and
	// x₁ = (0.9 − 0.2)/(0.6 − 0.1 − 0.2 + 0.9) = 7/12, up to float rounding.
	if d := e.Profile[1][0] - 5.0/7; d > 1e-12 || d < -1e-12 {
		t.Errorf("y₁ = %v, want 5/7", e.Profile[1][0])
	}
	if d := e.Profile[0][0] - 7.0/12; d > 1e-12 || d < -1e-12 {
		t.Errorf("x₁ = %v, want 7/12", e.Profile[0][0])
	}
}

func TestEnumerateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := randomBimatrix(rand.New(rand.NewPCG(1, 1)), 12, 12, payoffWide)
	res, err := EnumerateBimatrix(ctx, g)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if res == nil || res.Complete {
		t.Fatalf("result %+v, want an incomplete one", res)
	}
	for _, e := range res.Equilibria {
		if err := VerifyExact(g, e.Exact); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEnumerateRejectsNonBimatrix(t *testing.T) {
	if _, err := EnumerateBimatrix(context.Background(), game.New(2, 2, 2)); !errors.Is(err, ErrNotBimatrix) {
		t.Fatalf("error %v, want ErrNotBimatrix", err)
	}
}

func TestPositiveIntegers(t *testing.T) {
	in := [][]string{{"-1/2", "3/4"}, {"0", "-1/2"}}
	R := make([][]*big.Rat, len(in))
	for i, row := range in {
		for _, s := range row {
			v, _ := new(big.Rat).SetString(s)
			R[i] = append(R[i], v)
		}
	}
	// ×4: −2, 3, 0, −2; − min: 0, 5, 2, 0; gcd 1; + 1.
	got := fmt.Sprint(positiveIntegers(R))
	if want := "[[1 6] [3 1]]"; got != want {
		t.Errorf("positiveIntegers = %s, want %s", got, want)
	}
	var sb strings.Builder
	fmt.Fprint(&sb, positiveIntegers([][]*big.Rat{{big.NewRat(10, 1), big.NewRat(30, 1)}, {big.NewRat(20, 1), big.NewRat(10, 1)}}))
	if want := "[[1 3] [2 1]]"; sb.String() != want {
		t.Errorf("common factor not removed: %s, want %s", sb.String(), want)
	}
}
