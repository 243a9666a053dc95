package game

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestRandomAntisymmetricVariants(t *testing.T) {
	for _, v := range []AntisymmetricVariant{LowerRandom, LowerTie, LowerWin} {
		t.Run(v.String(), func(t *testing.T) {
			g := RandomAntisymmetric(rand.New(rand.NewPCG(1, 2)), 3, 6, v)
			if err := g.Validate(0); err != nil {
				t.Fatal(err)
			}
			h := RandomAntisymmetric(rand.New(rand.NewPCG(1, 2)), 3, 6, v)
			for c := range 3 {
				for i := range 6 {
					for j := range i {
						x := g.At(c, i, j)
						if x != h.At(c, i, j) {
							t.Fatalf("same seed, different games at (%d,%d,%d)", c, i, j)
						}
						switch v {
						case LowerTie:
							if x != 0.5 {
								t.Errorf("tie variant P[%d][%d] = %v", i, j, x)
							}
						case LowerWin:
							if x != 1 || g.At(c, j, i) != 0 {
								t.Errorf("lower_win variant P[%d][%d] = %v", i, j, x)
							}
						}
					}
				}
			}
			if v == LowerWin {
				if w, ok := g.CondorcetWinner(0, false); !ok || w != 5 {
					t.Errorf("lower_win Condorcet winner = %d, %v; want 5", w, ok)
				}
			}
		})
	}
	if _, err := ParseAntisymmetricVariant("upper"); err == nil {
		t.Error("ParseAntisymmetricVariant accepted an unknown variant")
	}
}

func TestBradleyTerry(t *testing.T) {
	g, err := BradleyTerry([][]float64{{0, 1, -2}, {3, 3, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(1e-15); err != nil {
		t.Fatal(err)
	}
	want := 1 / (1 + math.Exp(-3))
	if got := g.At(0, 1, 2); math.Abs(got-want) > 1e-16 {
		t.Errorf("P[1][2] = %v, want σ(3) = %v", got, want)
	}
	if got := g.At(1, 0, 1); got != 0.5 {
		t.Errorf("equal scores give %v, want 1/2", got)
	}
	// BT is transitive: the top-scored response is the Condorcet winner.
	if w, ok := g.CondorcetWinner(0, false); !ok || w != 1 {
		t.Errorf("Condorcet winner %d, %v; want 1", w, ok)
	}
	if _, err := BradleyTerry([][]float64{{0, 1}, {0}}); !errors.Is(err, ErrShape) {
		t.Errorf("ragged scores: err = %v, want ErrShape", err)
	}
}

func TestCyclic(t *testing.T) {
	rps, err := Cyclic(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Rock (0) beats scissors? In our convention 0 beats 1, 1 beats 2, 2 beats 0.
	if rps.At(0, 0, 1) != 1 || rps.At(0, 1, 2) != 1 || rps.At(0, 2, 0) != 1 {
		t.Errorf("RPS matrix %v", rps.Matrix(0))
	}
	for _, k := range []int{3, 4, 5, 8} {
		g, err := Cyclic(k, 0.6)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(0); err != nil {
			t.Fatal(err)
		}
		u := make([]float64, k)
		for i := range u {
			u[i] = 1 / float64(k)
		}
		// Uniform is a maximal lottery: every response wins exactly half.
		for y, v := range g.WinRates(0, u, nil) {
			if math.Abs(v-0.5) > 1e-15 {
				t.Errorf("K=%d: response %d wins %v against uniform", k, y, v)
			}
		}
		if _, ok := g.CondorcetWinner(0, true); ok {
			t.Errorf("K=%d: cyclic game has a weak Condorcet winner", k)
		}
	}
	if k := 4; true {
		g, _ := Cyclic(k, 1)
		if g.At(0, 0, 2) != 0.5 {
			t.Errorf("K=4: opposite responses should tie, got %v", g.At(0, 0, 2))
		}
	}
	if _, err := Cyclic(3, 1.5); err == nil {
		t.Error("margin 1.5 accepted")
	}
}

func TestDiscGame(t *testing.T) {
	g := RandomDiscGame(rand.New(rand.NewPCG(3, 4)), 4, 7)
	if err := g.Validate(1e-15); err != nil {
		t.Fatal(err)
	}
	// Three points at 120° on the unit circle: a rock-paper-scissors cycle
	// with margin sin(120°).
	pts := [][2]float64{{1, 0}, {math.Cos(2 * math.Pi / 3), math.Sin(2 * math.Pi / 3)}, {math.Cos(4 * math.Pi / 3), math.Sin(4 * math.Pi / 3)}}
	d, err := DiscGame(pts)
	if err != nil {
		t.Fatal(err)
	}
	want := (1 + math.Sin(2*math.Pi/3)) / 2
	for i := range 3 {
		if got := d.At(0, i, (i+1)%3); math.Abs(got-want) > 1e-15 {
			t.Errorf("P[%d][%d] = %v, want %v", i, (i+1)%3, got, want)
		}
	}
	if _, err := DiscGame([][2]float64{{2, 0}}); err == nil {
		t.Error("point outside the disc accepted")
	}
}

// The three-annotator example: its stated maximal lottery p makes every
// response win exactly half against p (checked directly, not through a
// solver), and the Borda winner flips with the sign of ε.
func TestThreeAnnotators(t *testing.T) {
	for _, eps := range []float64{-0.3, -0.05, 0.05, 0.2} {
		g, err := ThreeAnnotators(eps)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(1e-15); err != nil {
			t.Fatal(err)
		}
		p := []float64{1.0/3 + eps/2, 1.0/3 + eps/2, 1.0/3 - eps}
		for y, v := range g.WinRates(0, p, nil) {
			if math.Abs(v-0.5) > 1e-15 {
				t.Errorf("ε=%v: response %d wins %v against the stated lottery", eps, y, v)
			}
		}
		if _, ok := g.CondorcetWinner(0, true); ok {
			t.Errorf("ε=%v: has a Condorcet winner", eps)
		}
		want := 1
		if eps < 0 {
			want = 0
		}
		if b := g.BordaWinner(0); b != want {
			t.Errorf("ε=%v: Borda winner %d, want %d", eps, b, want)
		}
	}
	if _, err := ThreeAnnotators(0.5); err == nil {
		t.Error("ε = 0.5 accepted")
	}
}

func TestMixtureOfRankings(t *testing.T) {
	a, _ := Ranking([]int{0, 1, 2})
	b, _ := Ranking([]int{2, 1, 0})
	m, err := Mixture([]float64{3, 1}, []*Preference{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.At(0, 0, 2); got != 0.75 {
		t.Errorf("P[0][2] = %v, want 3/4", got)
	}
	if got := m.At(0, 1, 0); got != 0.25 {
		t.Errorf("P[1][0] = %v, want 1/4", got)
	}
	if _, err := Ranking([]int{0, 0, 1}); err == nil {
		t.Error("non-permutation ranking accepted")
	}
	h, err := HeterogeneousBT(rand.New(rand.NewPCG(5, 6)), 3, 5, 4, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(1e-14); err != nil {
		t.Fatal(err)
	}
	if h.NumContexts() != 3 || h.NumResponses() != 5 {
		t.Errorf("heterogeneous game is %d×%d", h.NumContexts(), h.NumResponses())
	}
}

func TestNoisyAndTempered(t *testing.T) {
	g, _ := BradleyTerry([][]float64{{0, 1, 3}})
	half, err := Noisy(g, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range half.Matrix(0) {
		if v != 0.5 {
			t.Fatalf("flip 1/2 should make ties, got %v", half.Matrix(0))
		}
	}
	n, _ := Noisy(g, 0.1)
	if got, want := n.At(0, 2, 0), 0.9*g.At(0, 2, 0)+0.1*g.At(0, 0, 2); math.Abs(got-want) > 1e-16 {
		t.Errorf("noisy P = %v, want %v", got, want)
	}
	tg, _ := Tempered(g, 2)
	h, _ := BradleyTerry([][]float64{{0, 0.5, 1.5}})
	for i, v := range tg.Matrix(0) {
		if math.Abs(v-h.Matrix(0)[i]) > 1e-15 {
			t.Fatalf("tempered BT %v, want %v", tg.Matrix(0), h.Matrix(0))
		}
	}
	if s := tg.Scores(0); s == nil || s[2] != 1.5 {
		t.Errorf("tempered scores %v", s)
	}
}

func TestJudgeFrequencies(t *testing.T) {
	g, _ := BradleyTerry([][]float64{{0, 1}})
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 200000
	wins := 0
	for range n {
		if g.Judge(rng, 0, 1, 0) {
			wins++
		}
	}
	p := g.At(0, 1, 0)
	if sd := math.Sqrt(p * (1 - p) / n); math.Abs(float64(wins)/n-p) > 5*sd {
		t.Errorf("frequency %v, want %v ± %v", float64(wins)/n, p, 5*sd)
	}
	pi := []float64{0.2, 0, 0.8}
	counts := make([]int, 3)
	for range n {
		counts[Sample(rng, pi)]++
	}
	if counts[1] != 0 || math.Abs(float64(counts[2])/n-0.8) > 0.005 {
		t.Errorf("Sample counts %v", counts)
	}
}

func TestVotingWinners(t *testing.T) {
	// 0 is the Condorcet winner though 1 has the higher Borda score.
	g, err := FromMatrices([][][]float64{{
		{0.5, 0.51, 0.51, 0.51},
		{0.49, 0.5, 1, 1},
		{0.49, 0, 0.5, 0.5},
		{0.49, 0, 0.5, 0.5},
	}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := g.CondorcetWinner(0, false); !ok || w != 0 {
		t.Errorf("Condorcet winner %d %v, want 0", w, ok)
	}
	if b := g.BordaWinner(0); b != 1 {
		t.Errorf("Borda winner %d, want 1", b)
	}
	if c := g.CopelandWinner(0); c != 0 {
		t.Errorf("Copeland winner %d, want 0", c)
	}
	if got := g.CopelandScores(0, nil); got[2] != 0.5 {
		t.Errorf("Copeland scores %v, want a half point for the tie", got)
	}
	if _, err := FromMatrices([][][]float64{{{0.5, 0.7}, {0.7, 0.5}}}, 1e-9); !errors.Is(err, ErrPreference) {
		t.Errorf("non-antisymmetric matrix: err = %v", err)
	}
}

func TestGroupAggregators(t *testing.T) {
	g, _ := BradleyTerry([][]float64{{0, 0.7, -1.2, 2}})
	// n = 2: all oracles are the pairwise P.
	for _, agg := range []Aggregator{MeanPairwise, BeatsAll, PlackettLuce} {
		for y := range 4 {
			for o := range 4 {
				v, err := g.GroupWin(agg, 0, y, []int{o})
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(v-g.At(0, y, o)) > 1e-15 {
					t.Errorf("%v n=2: %v, want P = %v", agg, v, g.At(0, y, o))
				}
			}
		}
	}
	// Group-win probabilities of BeatsAll and PlackettLuce sum to one.
	group := []int{0, 1, 3, 1}
	for _, agg := range []Aggregator{BeatsAll, PlackettLuce} {
		sum := 0.0
		for i, y := range group {
			others := append(append([]int(nil), group[:i]...), group[i+1:]...)
			v, _ := g.GroupWin(agg, 0, y, others)
			sum += v
		}
		if math.Abs(sum-1) > 1e-14 {
			t.Errorf("%v: group wins sum to %v", agg, sum)
		}
	}
	// PL closed form.
	v, _ := g.GroupWin(PlackettLuce, 0, 3, []int{0, 1})
	if want := math.Exp(2) / (1 + math.Exp(0.7) + math.Exp(2)); math.Abs(v-want) > 1e-15 {
		t.Errorf("PL = %v, want %v", v, want)
	}
	// Symmetric play: the self win rate is 1/n for the group oracles and 1/2
	// for mean-pairwise.
	pi := []float64{0.1, 0.4, 0.3, 0.2}
	for _, tc := range []struct {
		agg  Aggregator
		n    int
		want float64
	}{{MeanPairwise, 3, 0.5}, {BeatsAll, 3, 1.0 / 3}, {PlackettLuce, 4, 0.25}, {BeatsAll, 2, 0.5}} {
		opps := make([][]float64, tc.n-1)
		for j := range opps {
			opps[j] = pi
		}
		w, err := g.GroupWinRates(tc.agg, 0, opps, nil)
		if err != nil {
			t.Fatal(err)
		}
		self := 0.0
		for y, p := range pi {
			self += p * w[y]
		}
		if math.Abs(self-tc.want) > 1e-14 {
			t.Errorf("%v n=%d: self win %v, want %v", tc.agg, tc.n, self, tc.want)
		}
	}
	c3, _ := Cyclic(3, 1)
	if _, err := c3.GroupWin(PlackettLuce, 0, 0, []int{1}); !errors.Is(err, ErrNoScores) {
		t.Errorf("PL without scores: err = %v", err)
	}
	// A deterministic 3-cycle group has no undefeated member: 1/3 each.
	if v, _ := c3.GroupWin(BeatsAll, 0, 0, []int{1, 2}); math.Abs(v-1.0/3) > 1e-15 {
		t.Errorf("beats-all on a full cycle = %v, want 1/3", v)
	}
}

func TestRepeatConcatUnshare(t *testing.T) {
	c, _ := Cyclic(3, 0.5)
	r := c.Repeat(0, 4)
	if !r.Shared() || r.NumContexts() != 4 {
		t.Fatalf("Repeat: shared=%v n=%d", r.Shared(), r.NumContexts())
	}
	u := r.Unshare()
	v := 0.9
	u.Set(2, 0, 1, v)
	if r.At(2, 0, 1) == v || u.At(1, 0, 1) == v || u.At(2, 1, 0) != 1-v {
		t.Error("Unshare did not separate contexts")
	}
	bt, _ := BradleyTerry([][]float64{{0, 1, 2}})
	cat, err := Concat(r, bt)
	if err != nil {
		t.Fatal(err)
	}
	if cat.NumContexts() != 5 || cat.At(4, 2, 0) != bt.At(0, 2, 0) {
		t.Errorf("Concat wrong")
	}
	if err := cat.SetWeights([]float64{1, 1, 1, 1, 4}); err != nil {
		t.Fatal(err)
	}
	if cat.Weight(4) != 0.5 {
		t.Errorf("weight %v, want 1/2", cat.Weight(4))
	}
	if err := cat.SetWeights([]float64{1, -1, 1, 1, 1}); err == nil {
		t.Error("negative weight accepted")
	}
}
