package league

import (
	"math"
	"slices"
	"testing"
)

// winMatrix builds a win-rate matrix from the upper triangle of P(i beats j).
func winMatrix(upper map[[2]int]float64, n int) [][]float64 {
	w := make([][]float64, n)
	for i := range w {
		w[i] = make([]float64, n)
		w[i][i] = 0.5
	}
	for k, p := range upper {
		w[k[0]][k[1]] = p
		w[k[1]][k[0]] = 1 - p
	}
	return w
}

// Generalised rock-paper-scissors A = [[0,−a,b],[a,0,−c],[−b,c,0]] has the
// unique equilibrium (c, b, a)/(a+b+c). Replicator orbits circle it, so the
// average of the iterates approaches it.
func TestProjectedReplicatorCyclicGame(t *testing.T) {
	a, b, c := 1.0, 2.0, 3.0
	game := [][]float64{{0, -a, b}, {a, 0, -c}, {-b, c, 0}}
	want := []float64{c / 6, b / 6, a / 6}
	got := ProjectedReplicator(game, 100000, 1e-3, 1e-6) // OpenSpiel's defaults
	for i := range want {
		if !within(got[i], want[i], 0.01) {
			t.Errorf("σ = %.4f, want %.4f", got, want)
			break
		}
	}
	if s := got[0] + got[1] + got[2]; !within(s, 1, 1e-12) {
		t.Errorf("σ sums to %v", s)
	}
	// From the uniform start in symmetric rock-paper-scissors the payoffs are
	// all equal, so the dynamics stay exactly uniform.
	rps := [][]float64{{0, -1, 1}, {1, 0, -1}, {-1, 1, 0}}
	for i, x := range ProjectedReplicator(rps, 1000, 0.01, 1e-6) {
		if !within(x, 1.0/3, 1e-12) {
			t.Errorf("RPS σ[%d] = %v, want 1/3", i, x)
		}
	}
}

// A dominant strategy takes (almost) all the mass; the floor keeps the
// others at ≥ γ on each iterate.
func TestProjectedReplicatorDominance(t *testing.T) {
	w := winMatrix(map[[2]int]float64{{0, 1}: 0.9, {0, 2}: 0.8, {1, 2}: 0.5}, 3)
	sigma := ProjectedReplicator(antisymmetrise(w), 10000, 0.01, 1e-6)
	if sigma[0] < 0.9 {
		t.Errorf("dominant strategy has %.4f", sigma[0])
	}
	for _, x := range sigma {
		if x < 1e-6*0.99 {
			t.Errorf("σ = %v falls below the floor", sigma)
		}
	}
}

func TestMetaSolve(t *testing.T) {
	// Transitive: 0 ≻ 1 ≻ 2.
	w := winMatrix(map[[2]int]float64{{0, 1}: 0.7, {0, 2}: 0.9, {1, 2}: 0.6}, 3)
	cfg := DefaultConfig().PSRO
	uni, err := MetaSolve("uniform", w, cfg)
	if err != nil || !slices.Equal(uni, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}) {
		t.Errorf("uniform: %v, %v", uni, err)
	}
	ar, err := MetaSolve("alpharank", w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := AlphaRank(w, AlphaRankConfig{Alpha: cfg.Alpha, PopulationSize: cfg.PopSize})
	if !slices.Equal(ar, direct) || ar[0] < 0.99 {
		t.Errorf("alpharank: %v (direct %v), want the top strategy", ar, direct)
	}
	prd, err := MetaSolve("prd", w, cfg)
	if err != nil || prd[0] < 0.9 {
		t.Errorf("prd on a transitive game: %v, %v", prd, err)
	}
	if _, err := MetaSolve("best", w, cfg); err == nil {
		t.Error("unknown solver accepted")
	}
	if _, err := MetaSolve("uniform", [][]float64{{0.5, 0.5}}, cfg); err == nil {
		t.Error("ragged matrix accepted")
	}
}

// The "psro" matchmaking draws from the meta-strategy over the snapshots
// other than home, computed on the league's own payoff table.
func TestPSROMatchmaking(t *testing.T) {
	s := NewState()
	mustApply(t, s, configEvent("decay", "1", "matchmaking", "psro", "psro.solver", "prd"),
		&AddLearner{ID: "BR"}, &AddSnapshot{ID: "rock"}, &AddSnapshot{ID: "paper"}, &AddSnapshot{ID: "scissors"})
	// A cyclic population with uneven margins: paper beats rock 3:1,
	// scissors beats paper 2:1... as win rates 0.75, 2/3 and 0.8.
	recordResults(t, s, "paper", "rock", 3, 0, 1)
	recordResults(t, s, "scissors", "paper", 2, 0, 1)
	recordResults(t, s, "rock", "scissors", 4, 0, 1)
	ids, sigma, err := s.MetaStrategy()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"rock", "paper", "scissors"}) {
		t.Fatalf("meta-strategy over %v", ids)
	}
	w, _ := s.PayoffMatrix(ids)
	want, _ := MetaSolve("prd", w, s.Config().PSRO)
	cs, err := s.Opponents("BR")
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range cs {
		if c.ID != ids[k] || c.Branch != "psro" || c.P != want[k] || c.P != sigma[k] {
			t.Errorf("choice %d = %+v, want %s with %v", k, c, ids[k], want[k])
		}
	}
	// Margins a = 0.5 (paper over rock: 0.75−0.25), b = 0.6 (rock over
	// scissors), c = 1/3 (scissors over paper), in the order rock, paper,
	// scissors: A = [[0,−a,b],[a,0,−c],[−b,c,0]], equilibrium (c, b, a)/Σ.
	a, b, c := 0.5, 0.6, 1.0/3
	nash := []float64{c / (a + b + c), b / (a + b + c), a / (a + b + c)}
	for i := range nash {
		if math.Abs(sigma[i]-nash[i]) > 0.01 {
			t.Errorf("σ = %.3f, want about %.3f", sigma, nash)
			break
		}
	}
}

// The Nash meta-solver solves the antisymmetrised game exactly: the
// generalised rock-paper-scissors equilibrium (c, b, a)/(a+b+c), and the
// dominant strategy of a transitive game.
func TestMetaSolveNash(t *testing.T) {
	cfg := DefaultConfig().PSRO
	// Win rates whose antisymmetrisation is [[0,−a,b],[a,0,−c],[−b,c,0]]
	// with a = 0.5, b = 0.6, c = 1/3.
	w := winMatrix(map[[2]int]float64{{0, 1}: 0.25, {0, 2}: 0.8, {1, 2}: 1.0 / 3}, 3)
	sigma, err := MetaSolve("nash", w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := 0.5, 0.6, 1.0/3
	want := []float64{c / (a + b + c), b / (a + b + c), a / (a + b + c)}
	for i := range want {
		if !within(sigma[i], want[i], 1e-9) {
			t.Errorf("σ = %v, want %v", sigma, want)
			break
		}
	}
	w = winMatrix(map[[2]int]float64{{0, 1}: 0.3, {0, 2}: 0.6, {1, 2}: 0.9}, 3) // 1 ≻ 0 ≻ 2, 1 dominant
	sigma, err = MetaSolve("nash", w, cfg)
	if err != nil || !within(sigma[1], 1, 1e-9) {
		t.Errorf("transitive game: σ = %v, %v; want all on strategy 1", sigma, err)
	}
}

// With a duplicated strategy, the maximum-entropy equilibrium splits the
// strategy's equilibrium mass evenly between the copies.
func TestMetaSolveMaxEnt(t *testing.T) {
	// rock, paper, scissors, rock′ (a copy of rock): the RPS margins of
	// TestMetaSolveNash, rock′ ties rock.
	w := winMatrix(map[[2]int]float64{{0, 1}: 0.25, {0, 2}: 0.8, {1, 2}: 1.0 / 3,
		{0, 3}: 0.5, {1, 3}: 0.75, {2, 3}: 0.2}, 4)
	sigma, err := MetaSolve("maxent", w, DefaultConfig().PSRO)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := 0.5, 0.6, 1.0/3
	rock := c / (a + b + c)
	want := []float64{rock / 2, b / (a + b + c), a / (a + b + c), rock / 2}
	for i := range want {
		if !within(sigma[i], want[i], 1e-6) {
			t.Errorf("σ = %v, want %v", sigma, want)
			break
		}
	}
}
