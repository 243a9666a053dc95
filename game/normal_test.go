package game

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// naiveDeviation is the definition of Deviation, visiting every profile:
// dst[s_i] += Π_{j≠i} x_j[s_j] · u_i(s). It is the oracle for Deviation
// and its benchmark baseline.
func naiveDeviation(g *Normal, x Mixed, i int) []float64 {
	dst := make([]float64, g.NumStrategies(i))
	var s []int
	for k := range g.NumProfiles() {
		s = g.Profile(k, s)
		w := 1.0
		for j, sj := range s {
			if j != i {
				w *= x[j][sj]
			}
		}
		dst[s[i]] += w * g.Payoff(i, k)
	}
	return dst
}

// naiveDeviationRat is naiveDeviation in exact arithmetic.
func naiveDeviationRat(g *Normal, x MixedRat, i int) []*big.Rat {
	dst := make([]*big.Rat, g.NumStrategies(i))
	for s := range dst {
		dst[s] = new(big.Rat)
	}
	var s []int
	for k := range g.NumProfiles() {
		s = g.Profile(k, s)
		w := big.NewRat(1, 1)
		for j, sj := range s {
			if j != i {
				w.Mul(w, x[j][sj])
			}
		}
		dst[s[i]].Add(dst[s[i]], w.Mul(w, g.PayoffRat(i, k)))
	}
	return dst
}

// randomMixed returns a profile with some zero probabilities (to exercise
// the support skipping) for every player with more than one strategy.
func randomMixed(rng *rand.Rand, shape []int) Mixed {
	x := make(Mixed, len(shape))
	for i, m := range shape {
		x[i] = make([]float64, m)
		sum := 0.0
		for s := range x[i] {
			if m > 1 && rng.IntN(3) == 0 {
				continue
			}
			x[i][s] = rng.Float64()
			sum += x[i][s]
		}
		if sum == 0 {
			x[i][rng.IntN(m)], sum = 1, 1
		}
		for s := range x[i] {
			x[i][s] /= sum
		}
	}
	return x
}

// randomMixedRat returns a rational profile with denominators up to 12 and
// some zeros.
func randomMixedRat(rng *rand.Rand, shape []int) MixedRat {
	x := make(MixedRat, len(shape))
	for i, m := range shape {
		w := make([]int64, m)
		var sum int64
		for s := range w {
			if m > 1 && rng.IntN(3) == 0 {
				continue
			}
			w[s] = 1 + rng.Int64N(4)
			sum += w[s]
		}
		if sum == 0 {
			w[0], sum = 1, 1
		}
		x[i] = make([]*big.Rat, m)
		for s := range w {
			x[i][s] = big.NewRat(w[s], sum)
		}
	}
	return x
}

func ratMixedToFloat(x MixedRat) Mixed {
	y := make(Mixed, len(x))
	for i, xi := range x {
		y[i] = make([]float64, len(xi))
		for s, p := range xi {
			y[i][s], _ = p.Float64()
		}
	}
	return y
}

var testShapes = [][]int{{1}, {4}, {1, 1}, {3, 2}, {2, 7}, {5, 5}, {9, 1}, {2, 2, 2}, {3, 1, 4}, {4, 3, 2}, {2, 3, 2, 3}, {1, 3, 1, 2, 2}}

func TestNewShapeAndIndexing(t *testing.T) {
	for _, shape := range testShapes {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			g := New(shape...)
			want := 1
			for i, m := range shape {
				if g.Stride(i) != want {
					t.Errorf("stride %d = %d, want %d", i, g.Stride(i), want)
				}
				want *= m
				if g.NumStrategies(i) != m || len(g.Strategies[i]) != m {
					t.Errorf("player %d: %d strategies, %d labels; want %d", i, g.NumStrategies(i), len(g.Strategies[i]), m)
				}
				if g.Players[i] != fmt.Sprint(i+1) || g.Strategies[i][m-1] != fmt.Sprint(m) {
					t.Errorf("default labels %q, %q", g.Players[i], g.Strategies[i])
				}
			}
			if g.NumProfiles() != want || g.NumPlayers() != len(shape) {
				t.Fatalf("%d profiles, %d players", g.NumProfiles(), g.NumPlayers())
			}
			var s []int
			for k := range g.NumProfiles() {
				s = g.Profile(k, s)
				if got := g.Index(s...); got != k {
					t.Fatalf("Index(Profile(%d)) = %d", k, got)
				}
			}
			// Player 1 varies fastest.
			if len(shape) > 1 && shape[0] > 1 {
				if p := g.Profile(1, nil); p[0] != 1 || p[1] != 0 {
					t.Errorf("Profile(1) = %v, want player 1 at strategy 2", p)
				}
			}
			if !g.IsRational() || g.PayoffRat(0, 0).Sign() != 0 {
				t.Error("new game is not all exact zeros")
			}
			sh := g.Shape()
			sh[0] = 99
			if g.NumStrategies(0) == 99 {
				t.Error("Shape returned the game's own slice")
			}
		})
	}
}

func TestNewPanics(t *testing.T) {
	for _, shape := range [][]int{nil, {0}, {3, -1}, {MaxProfiles, 2}, {10000, 10000, 10000}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%v) did not panic", shape)
				}
			}()
			New(shape...)
		}()
	}
}

func TestPayoffExactness(t *testing.T) {
	g := New(2, 2)
	third := big.NewRat(1, 3)
	g.SetPayoffRat(0, 1, third)
	third.SetInt64(7) // the game keeps its own copy
	if got := g.PayoffRat(0, 1); got.Cmp(big.NewRat(1, 3)) != 0 {
		t.Errorf("PayoffRat = %v, want 1/3", got)
	}
	if g.Payoff(0, 1) != 1.0/3 {
		t.Errorf("Payoff = %v, want nearest float to 1/3", g.Payoff(0, 1))
	}
	g.PayoffRat(0, 1).SetInt64(5) // a copy: must not change the game
	if g.PayoffRat(0, 1).Cmp(big.NewRat(1, 3)) != 0 {
		t.Error("PayoffRat returned the game's own rational")
	}
	g.SetPayoffRat(1, 2, big.NewRat(-5, 4))
	if g.exact[1] != nil {
		t.Error("a rational that is a float was stored as big.Rat")
	}
	if g.Payoff(1, 2) != -1.25 || g.PayoffRat(1, 2).Cmp(big.NewRat(-5, 4)) != 0 {
		t.Errorf("payoff -5/4 read back as %v, %v", g.Payoff(1, 2), g.PayoffRat(1, 2))
	}
	if !g.IsRational() {
		t.Error("game of rationals reports IsRational false")
	}
	g.SetPayoff(0, 1, 0.1)
	want := new(big.Rat).SetFloat64(0.1) // the float's own binary value, not 1/10
	if g.PayoffRat(0, 1).Cmp(want) != 0 || g.PayoffRat(0, 1).Cmp(big.NewRat(1, 10)) == 0 {
		t.Errorf("PayoffRat after SetPayoff(0.1) = %v", g.PayoffRat(0, 1))
	}
	if g.IsRational() {
		t.Error("IsRational true after SetPayoff")
	}
	g.SetPayoffRat(0, 1, big.NewRat(1, 10))
	if !g.IsRational() || g.PayoffRat(0, 1).Cmp(big.NewRat(1, 10)) != 0 {
		t.Error("overwriting the only float payoff with a rational did not restore IsRational")
	}
	for _, v := range []float64{math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetPayoff(%v) did not panic", v)
				}
			}()
			g.SetPayoff(0, 0, v)
		}()
	}
}

func TestCloneAndEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	g := RandomInt(rng, -3, 3, 2, 3, 2)
	g.SetPayoffRat(2, 5, big.NewRat(2, 7))
	g.SetPayoff(1, 4, 0.3)
	g.Title, g.Players[1] = "t", "Bob"
	c := g.Clone()
	if !c.Equal(g) || !g.Equal(c) {
		t.Fatal("clone differs")
	}
	if c.IsRational() != g.IsRational() {
		t.Error("clone changed IsRational")
	}
	c.Strategies[0][1] = "x"
	if g.Strategies[0][1] == "x" || c.Equal(g) {
		t.Error("clone shares labels or Equal ignores them")
	}
	c = g.Clone()
	c.SetPayoffRat(2, 5, big.NewRat(3, 7))
	if g.PayoffRat(2, 5).Cmp(big.NewRat(2, 7)) != 0 || c.Equal(g) {
		t.Error("clone shares payoffs or Equal ignores them")
	}
	c = g.Clone()
	c.SetPayoffRat(0, 0, new(big.Rat).Add(g.PayoffRat(0, 0), big.NewRat(1, 1<<60)))
	if c.Equal(g) {
		t.Error("Equal ignores a difference below float resolution")
	}
	if New(2, 3).Equal(New(3, 2)) {
		t.Error("Equal ignores the shape")
	}
}

func TestDeviationMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for _, shape := range testShapes {
		g := RandomUniform(rng, shape...)
		for trial := range 5 {
			x := randomMixed(rng, shape)
			if trial == 0 {
				x = g.Uniform()
			}
			for i := range shape {
				got := g.Deviation(x, i, nil)
				want := naiveDeviation(g, x, i)
				for s := range want {
					if math.Abs(got[s]-want[s]) > 1e-14 {
						t.Fatalf("%v player %d: Deviation %v, definition %v", shape, i, got, want)
					}
				}
			}
			u := g.Expected(x)
			for i := range shape {
				want := 0.0
				for s, v := range naiveDeviation(g, x, i) {
					want += x[i][s] * v
				}
				if math.Abs(u[i]-want) > 1e-14 {
					t.Fatalf("%v: Expected[%d] = %v, want %v", shape, i, u[i], want)
				}
			}
		}
	}
}

func TestDeviationReusesDst(t *testing.T) {
	g := RandomUniform(rand.New(rand.NewPCG(4, 4)), 3, 4, 2)
	x := g.Uniform()
	buf := make([]float64, 10)
	for i := range buf {
		buf[i] = 99 // stale values must be cleared
	}
	got := g.Deviation(x, 1, buf)
	if &got[0] != &buf[0] || len(got) != 4 {
		t.Fatalf("Deviation did not reuse dst (len %d)", len(got))
	}
	want := naiveDeviation(g, x, 1)
	for s := range want {
		if math.Abs(got[s]-want[s]) > 1e-14 {
			t.Fatalf("with a stale dst: %v, want %v", got, want)
		}
	}
}

func TestDeviationDoesNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, shape := range [][]int{{20, 30}, {6, 5, 4}, {2, 2, 2, 2, 2}} {
		g := RandomUniform(rng, shape...)
		x := randomMixed(rng, shape)
		dst := make([]float64, 30)
		for i := range shape {
			if n := testing.AllocsPerRun(20, func() { g.Deviation(x, i, dst) }); n != 0 {
				t.Errorf("%v player %d: %v allocations per Deviation", shape, i, n)
			}
		}
	}
}

// Exact and float deviations agree: DeviationRat equals the exact
// definition, and Deviation is within rounding of it.
func TestDeviationRatAgreesWithFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	for _, shape := range testShapes {
		g := RandomInt(rng, -9, 9, shape...)
		// One payoff no float represents, to exercise the stored rationals.
		g.SetPayoffRat(len(shape)-1, g.NumProfiles()-1, big.NewRat(10, 3))
		for range 4 {
			x := randomMixedRat(rng, shape)
			xf := ratMixedToFloat(x)
			for i := range shape {
				got := g.DeviationRat(x, i)
				want := naiveDeviationRat(g, x, i)
				fl := g.Deviation(xf, i, nil)
				for s := range want {
					if got[s].Cmp(want[s]) != 0 {
						t.Fatalf("%v player %d strategy %d: DeviationRat %v, definition %v", shape, i, s, got[s], want[s])
					}
					w, _ := want[s].Float64()
					if math.Abs(fl[s]-w) > 1e-12 {
						t.Fatalf("%v player %d: float %v vs exact %v", shape, i, fl[s], w)
					}
				}
			}
			r, rr := g.Regret(xf), g.RegretRat(x)
			for i := range r {
				w, _ := rr[i].Float64()
				if rr[i].Sign() < 0 || math.Abs(r[i]-w) > 1e-12 {
					t.Fatalf("%v: Regret %v, RegretRat %v", shape, r, rr)
				}
			}
		}
	}
}

func TestRegretClassicGames(t *testing.T) {
	pd := Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}}) // row 0/col 0 cooperate
	mp := ZeroSum([][]float64{{1, -1}, {-1, 1}})
	bos := BimatrixRat(ratMatrix([][]int64{{2, 0}, {0, 1}}), ratMatrix([][]int64{{1, 0}, {0, 2}}))
	tests := []struct {
		name string
		g    *Normal
		x    Mixed
		want []float64
	}{
		{"PD defect-defect", pd, Mixed{{0, 1}, {0, 1}}, []float64{0, 0}},
		{"PD cooperate-cooperate", pd, Mixed{{1, 0}, {1, 0}}, []float64{2, 2}},
		{"PD half-half", pd, Mixed{{0.5, 0.5}, {0.5, 0.5}}, []float64{0.75, 0.75}},
		{"pennies uniform", mp, Mixed{{0.5, 0.5}, {0.5, 0.5}}, []float64{0, 0}},
		{"pennies pure", mp, Mixed{{1, 0}, {1, 0}}, []float64{0, 2}},
		{"BoS mixed equilibrium", bos, Mixed{{2.0 / 3, 1.0 / 3}, {1.0 / 3, 2.0 / 3}}, []float64{0, 0}},
	}
	for _, tc := range tests {
		r := tc.g.Regret(tc.x)
		for i := range r {
			if math.Abs(r[i]-tc.want[i]) > 1e-15 {
				t.Errorf("%s: Regret = %v, want %v", tc.name, r, tc.want)
			}
		}
		if nc, want := tc.g.NashConv(tc.x), tc.want[0]+tc.want[1]; math.Abs(nc-want) > 1e-15 {
			t.Errorf("%s: NashConv = %v, want %v", tc.name, nc, want)
		}
	}
	// The mixed equilibrium of battle of the sexes is exact in rationals.
	x := MixedRat{{big.NewRat(2, 3), big.NewRat(1, 3)}, {big.NewRat(1, 3), big.NewRat(2, 3)}}
	for i, r := range bos.RegretRat(x) {
		if r.Sign() != 0 {
			t.Errorf("BoS exact regret of player %d = %v, want 0", i+1, r)
		}
	}
	x[0][0], x[0][1] = big.NewRat(1, 2), big.NewRat(1, 2)
	if r := bos.RegretRat(x); r[1].Cmp(big.NewRat(1, 6)) != 0 { // best 1 minus (1/3·1/2 + 2/3·1)
		t.Errorf("BoS regret of player 2 against (1/2,1/2) = %v, want 1/6", r[1])
	}
	if u := pd.Expected(Mixed{{0.5, 0.5}, {0.25, 0.75}}); math.Abs(u[0]-(0.5*(0.25*3+0.75*0)+0.5*(0.25*5+0.75*1))) > 1e-15 {
		t.Errorf("PD expected payoffs %v", u)
	}
}

func ratMatrix(a [][]int64) [][]*big.Rat {
	out := make([][]*big.Rat, len(a))
	for r, row := range a {
		out[r] = make([]*big.Rat, len(row))
		for c, v := range row {
			out[r][c] = big.NewRat(v, 1)
		}
	}
	return out
}

func TestCheckMixed(t *testing.T) {
	g := New(2, 3)
	tests := []struct {
		x     Mixed
		shape bool // want ErrShape
		ok    bool
	}{
		{Mixed{{0.5, 0.5}, {0, 0, 1}}, false, true},
		{Mixed{{0.5, 0.5}}, true, false},
		{Mixed{{0.5, 0.5}, {0.5, 0.5}}, true, false},
		{Mixed{{0.6, 0.5}, {0, 0, 1}}, false, false},
		{Mixed{{1.5, -0.5}, {0, 0, 1}}, false, false},
		{Mixed{{math.NaN(), 1}, {0, 0, 1}}, false, false},
	}
	for _, tc := range tests {
		err := g.CheckMixed(tc.x, 1e-9)
		if (err == nil) != tc.ok || errors.Is(err, ErrShape) != tc.shape {
			t.Errorf("CheckMixed(%v) = %v", tc.x, err)
		}
	}
	half := big.NewRat(1, 2)
	if err := g.CheckMixedRat(MixedRat{{half, half}, {big.NewRat(1, 3), big.NewRat(1, 3), big.NewRat(1, 3)}}); err != nil {
		t.Error(err)
	}
	if err := g.CheckMixedRat(MixedRat{{half, half}, {big.NewRat(1, 3), big.NewRat(1, 3), big.NewRat(1, 4)}}); err == nil {
		t.Error("CheckMixedRat accepted a sum of 11/12")
	}
	if err := g.CheckMixedRat(MixedRat{{half, half}, {half, nil, half}}); err == nil {
		t.Error("CheckMixedRat accepted a nil probability")
	}
	if err := g.CheckMixedRat(MixedRat{{half, half}}); !errors.Is(err, ErrShape) {
		t.Errorf("CheckMixedRat on one player: %v", err)
	}
}

func TestBimatrixHelpers(t *testing.T) {
	A := [][]float64{{1, 2, 3}, {4, 5, 6}}
	B := [][]float64{{-1, 0, 1}, {7, 8, 9}}
	g := Bimatrix(A, B)
	if g.NumStrategies(0) != 2 || g.NumStrategies(1) != 3 {
		t.Fatalf("shape %v", g.Shape())
	}
	if g.Payoff(0, g.Index(1, 2)) != 6 || g.Payoff(1, g.Index(0, 1)) != 0 {
		t.Error("Bimatrix stored payoffs at the wrong profiles")
	}
	A2, B2, err := g.Matrices()
	if err != nil || fmt.Sprint(A2, B2) != fmt.Sprint(A, B) {
		t.Errorf("Matrices = %v %v, %v", A2, B2, err)
	}
	Ar, _, err := g.MatricesRat()
	if err != nil || Ar[1][2].Cmp(big.NewRat(6, 1)) != 0 {
		t.Errorf("MatricesRat = %v, %v", Ar, err)
	}
	if _, _, err := New(2, 2, 2).Matrices(); !errors.Is(err, ErrShape) {
		t.Errorf("Matrices on 3 players: %v", err)
	}
	if g.IsZeroSum() {
		t.Error("general-sum game reported zero-sum")
	}
	if !ZeroSum(A).IsZeroSum() {
		t.Error("ZeroSum game not zero-sum")
	}
	// Constant-sum (not zero) counts; the float fast path and the rational
	// path must agree, including when float sums round.
	cs := Bimatrix([][]float64{{0.1, 0.7}}, [][]float64{{0.9, 0.3}})
	if got, want := cs.IsZeroSum(), new(big.Rat).Add(cs.PayoffRat(0, 0), cs.PayoffRat(1, 0)).Cmp(new(big.Rat).Add(cs.PayoffRat(0, 1), cs.PayoffRat(1, 1))) == 0; got != want {
		t.Errorf("0.1+0.9 vs 0.7+0.3: IsZeroSum %v, exact comparison %v", got, want)
	}
	if !Bimatrix([][]float64{{1, 2}}, [][]float64{{4, 3}}).IsZeroSum() {
		t.Error("constant-sum 5 game not reported")
	}
	huge := Bimatrix([][]float64{{math.MaxFloat64, math.MaxFloat64}}, [][]float64{{math.MaxFloat64, math.MaxFloat64}})
	if !huge.IsZeroSum() {
		t.Error("overflowing float sums broke IsZeroSum")
	}
	three := New(2, 2, 2)
	for k := range three.NumProfiles() {
		three.SetPayoffRat(0, k, big.NewRat(int64(k), 3))
		three.SetPayoffRat(1, k, big.NewRat(-int64(k), 3))
		three.SetPayoffRat(2, k, big.NewRat(1, 7))
	}
	if !three.IsZeroSum() {
		t.Error("3-player constant-sum game not reported")
	}
	three.SetPayoffRat(2, 3, big.NewRat(1, 8))
	if three.IsZeroSum() {
		t.Error("3-player game with one different sum reported constant-sum")
	}
	for _, bad := range [][2][][]float64{{{{1}}, {{1}, {2}}}, {{{1, 2}}, {{1}}}, {{}, {}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Bimatrix(%v, %v) did not panic", bad[0], bad[1])
				}
			}()
			Bimatrix(bad[0], bad[1])
		}()
	}
}

func TestOutcomeTable(t *testing.T) {
	g := New(2, 2)
	win := Outcome{Label: "win", Payoffs: []*big.Rat{big.NewRat(1, 3), big.NewRat(-1, 1)}}
	tie := Outcome{Label: "tie", Payoffs: []*big.Rat{big.NewRat(1, 2), big.NewRat(1, 2)}}
	if err := g.SetOutcomes([]Outcome{win, tie}, []int{1, 0, 2, 1}); err != nil {
		t.Fatal(err)
	}
	win.Payoffs[0].SetInt64(9) // SetOutcomes copies
	if !g.HasOutcomes() {
		t.Fatal("no outcome table after SetOutcomes")
	}
	for _, c := range []struct {
		k, i int
		want *big.Rat
	}{{0, 0, big.NewRat(1, 3)}, {3, 0, big.NewRat(1, 3)}, {1, 0, new(big.Rat)}, {1, 1, new(big.Rat)}, {2, 1, big.NewRat(1, 2)}} {
		if got := g.PayoffRat(c.i, c.k); got.Cmp(c.want) != 0 {
			t.Errorf("payoff (%d,%d) = %v, want %v", c.i, c.k, got, c.want)
		}
	}
	outs, idx := g.Outcomes()
	if len(outs) != 2 || outs[0].Label != "win" || fmt.Sprint(idx) != "[1 0 2 1]" {
		t.Errorf("Outcomes = %v, %v", outs, idx)
	}
	outs[1].Payoffs[0].SetInt64(5)
	if o, _ := g.Outcomes(); o[1].Payoffs[0].Cmp(big.NewRat(1, 2)) != 0 {
		t.Error("Outcomes returned the game's own rationals")
	}
	c := g.Clone()
	if !c.Equal(g) || !c.HasOutcomes() {
		t.Error("clone lost the outcome table")
	}
	c.SetPayoff(0, 1, 0)
	if c.HasOutcomes() || !g.HasOutcomes() {
		t.Error("SetPayoff did not drop the clone's outcome table alone")
	}
	if c.Equal(g) {
		t.Error("Equal ignores the outcome table")
	}
	for _, bad := range []struct {
		outs []Outcome
		idx  []int
	}{
		{[]Outcome{win}, []int{1, 1, 1}},
		{[]Outcome{win}, []int{1, 2, 1, 1}},
		{[]Outcome{win}, []int{1, -1, 1, 1}},
		{[]Outcome{{Payoffs: []*big.Rat{big.NewRat(1, 1)}}}, []int{1, 1, 1, 1}},
		{[]Outcome{{Payoffs: []*big.Rat{big.NewRat(1, 1), nil}}}, []int{1, 1, 1, 1}},
	} {
		if err := g.SetOutcomes(bad.outs, bad.idx); !errors.Is(err, ErrShape) {
			t.Errorf("SetOutcomes(%v, %v) = %v, want ErrShape", bad.outs, bad.idx, err)
		}
	}
	if _, idx := g.Outcomes(); fmt.Sprint(idx) != "[1 0 2 1]" {
		t.Error("a failed SetOutcomes changed the game")
	}
}
