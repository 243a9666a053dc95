package nash

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

type dynamicsFunc func(context.Context, *game.Normal, DynamicsOptions) (DynamicsResult, error)

var allDynamics = []struct {
	name string
	run  dynamicsFunc
}{
	{"FictitiousPlay", FictitiousPlay},
	{"RegretMatching", RegretMatching},
	{"RegretMatchingPlus", RegretMatchingPlus},
	{"Replicator", Replicator},
	{"Hedge", Hedge},
	{"ProjectedReplicator", ProjectedReplicator},
}

func runDyn(t *testing.T, f dynamicsFunc, g *game.Normal, opts DynamicsOptions) DynamicsResult {
	t.Helper()
	res, err := f(context.Background(), g, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []game.Mixed{res.Average, res.Last} {
		if err := g.CheckMixed(x, 1e-9); err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// The trace is logged at the requested steps and its last point describes
// the returned profiles.
func TestDynamicsTrace(t *testing.T) {
	g := game.RandomUniform(rand.New(rand.NewPCG(50, 51)), 3, 4, 2)
	for _, d := range allDynamics {
		t.Run(d.name, func(t *testing.T) {
			res := runDyn(t, d.run, g, DynamicsOptions{Iterations: 95, LogEvery: 10})
			if len(res.Trace) != 10 {
				t.Fatalf("%d trace points, want 10 (every 10 and the last)", len(res.Trace))
			}
			for k, p := range res.Trace[:9] {
				if p.Iteration != 10*(k+1) {
					t.Fatalf("point %d at iteration %d", k, p.Iteration)
				}
			}
			last := res.Trace[9]
			if last.Iteration != 95 {
				t.Fatalf("last point at %d", last.Iteration)
			}
			if math.Abs(last.AverageNashConv-g.NashConv(res.Average)) > 1e-12 ||
				math.Abs(last.LastNashConv-g.NashConv(res.Last)) > 1e-12 {
				t.Fatalf("last point %+v; recomputed %v, %v", last, g.NashConv(res.Average), g.NashConv(res.Last))
			}
			again := runDyn(t, d.run, g, DynamicsOptions{Iterations: 95, LogEvery: 10})
			if fmt.Sprint(again) != fmt.Sprint(res) {
				t.Fatal("not deterministic")
			}
		})
	}
}

// In two-player zero-sum games the no-regret dynamics' averages obey the
// regret bounds: NashConv(average) ≤ (R₁ + R₂)/T, with each player's
// regret R ≤ range·√(T ln m / 2) for Hedge with its default step and
// R ≤ range·√(m T) for regret matching (Hart and Mas-Colell).
func TestNoRegretBoundsZeroSum(t *testing.T) {
	r := rand.New(rand.NewPCG(52, 53))
	for trial := range 5 {
		m := 2 + r.IntN(6)
		A := zsRandom(r, m, m, zsUniform)
		g := game.ZeroSum(A)
		// The default step uses the range of all payoffs, an upper bound
		// on each player's, and the bounds hold with it.
		rng := payoffRange(g)
		const T = 4000
		hedge := runDyn(t, Hedge, g, DynamicsOptions{Iterations: T})
		bound := 2 * rng * math.Sqrt(math.Log(float64(m))/(2*T))
		if nc := g.NashConv(hedge.Average); nc > bound {
			t.Fatalf("trial %d: Hedge average NashConv %v > bound %v", trial, nc, bound)
		}
		rm := runDyn(t, RegretMatching, g, DynamicsOptions{Iterations: T})
		bound = 2 * rng * math.Sqrt(float64(m)/T)
		if nc := g.NashConv(rm.Average); nc > bound {
			t.Fatalf("trial %d: RM average NashConv %v > bound %v", trial, nc, bound)
		}
	}
}

// Averages converge to the equilibrium of zero-sum games: the value of the
// average profile approaches the LP value, and NashConv shrinks with T.
func TestDynamicsConvergeZeroSum(t *testing.T) {
	r := rand.New(rand.NewPCG(54, 55))
	A := zsRandom(r, 6, 5, zsUniform)
	g := game.ZeroSum(A)
	sol := zsSolve(t, A)
	cases := []struct {
		name string
		run  dynamicsFunc
		tol  float64 // NashConv after 20000 iterations
	}{
		{"FictitiousPlay", FictitiousPlay, 0.02},
		{"RegretMatching", RegretMatching, 0.01},
		{"RegretMatchingPlus", RegretMatchingPlus, 1e-3},
		{"Hedge", Hedge, 0.02},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			short := runDyn(t, c.run, g, DynamicsOptions{Iterations: 200})
			long := runDyn(t, c.run, g, DynamicsOptions{Iterations: 20000})
			ncS, ncL := g.NashConv(short.Average), g.NashConv(long.Average)
			if !(ncL < ncS) || ncL > c.tol {
				t.Fatalf("NashConv %v after 200, %v after 20000 (want ≤ %v)", ncS, ncL, c.tol)
			}
			if v := g.Expected(long.Average)[0]; math.Abs(v-sol.Value) > ncL {
				t.Fatalf("average's value %v, LP value %v, NashConv %v", v, sol.Value, ncL)
			}
		})
	}
}

// Regret matching+ converges fast on rock–paper–scissors from a biased
// start... its first iterate is uniform, so use weighted RPS instead,
// whose equilibrium (1/4, 5/12, 1/3) is not the start.
func TestRegretMatchingPlusWeightedRPS(t *testing.T) {
	A := [][]float64{{0, -1, 2}, {1, 0, -1}, {-1, 1, 0}}
	g := game.ZeroSum(A)
	res := runDyn(t, RegretMatchingPlus, g, DynamicsOptions{Iterations: 5000})
	zsClose(t, "row", res.Average[0], []float64{1.0 / 4, 5.0 / 12, 1.0 / 3}, 1e-3)
	zsClose(t, "column", res.Average[1], []float64{1.0 / 3, 5.0 / 12, 1.0 / 4}, 1e-3)
}

// Fictitious play does not converge in Shapley's game (Shapley 1964): the
// empirical frequencies keep cycling, far from the unique (uniform)
// equilibrium. This pins down the documented limitation.
func TestFictitiousPlayShapleyCycles(t *testing.T) {
	A := [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	B := [][]float64{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}}
	g := game.Bimatrix(A, B)
	res := runDyn(t, FictitiousPlay, g, DynamicsOptions{Iterations: 20000, LogEvery: 1000})
	far := 0
	for _, p := range res.Trace[5:] {
		if p.AverageNashConv > 0.1 {
			far++
		}
	}
	if far < len(res.Trace[5:])/2 {
		t.Fatalf("fictitious play settled in Shapley's game: %+v", res.Trace)
	}
}

// In a common-interest (potential) game the replicator's last iterate
// converges to an equilibrium and the common payoff does not decrease.
func TestReplicatorPotentialGame(t *testing.T) {
	r := rand.New(rand.NewPCG(56, 57))
	for trial := range 10 {
		m, n := 2+r.IntN(4), 2+r.IntN(4)
		A := zsRandom(r, m, n, zsUniform)
		g := game.Bimatrix(A, A)
		init := g.Uniform()
		u0 := g.Expected(init)[0]
		prev := u0
		var res DynamicsResult
		for _, T := range []int{10, 100, 1000, 20000} {
			res = runDyn(t, Replicator, g, DynamicsOptions{Iterations: T})
			u := g.Expected(res.Last)[0]
			if u < prev-1e-12 {
				t.Fatalf("trial %d: common payoff fell from %v to %v by iteration %d", trial, prev, u, T)
			}
			prev = u
		}
		if nc := g.NashConv(res.Last); nc > 1e-6 {
			t.Fatalf("trial %d: last iterate NashConv %v", trial, nc)
		}
	}
}

// Projected replicator dynamics: the floor holds, and on rock–paper–
// scissors-like cyclic games the average approaches the equilibrium.
func TestProjectedReplicator(t *testing.T) {
	A := [][]float64{{0, -1, 2}, {1, 0, -1}, {-1, 1, 0}}
	g := game.ZeroSum(A)
	res := runDyn(t, ProjectedReplicator, g, DynamicsOptions{Iterations: 20000, Step: 0.01, Gamma: 1e-3})
	for _, xi := range res.Last {
		for _, p := range xi {
			if p < 1e-3/3-1e-15 {
				t.Fatalf("probability %v below the floor", p)
			}
		}
	}
	zsClose(t, "row", res.Average[0], []float64{1.0 / 4, 5.0 / 12, 1.0 / 3}, 0.02)
	if nc := g.NashConv(res.Average); nc > 0.05 {
		t.Fatalf("average NashConv %v", nc)
	}
	// Defaults run, and a dominated strategy is driven to the floor.
	g2 := game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}})
	res = runDyn(t, ProjectedReplicator, g2, DynamicsOptions{})
	if res.Last[0][0] > 1e-3 || res.Last[1][0] > 1e-3 {
		t.Fatalf("prisoner's dilemma: last %v", res.Last)
	}
}

func TestDynamicsBadOptions(t *testing.T) {
	g := game.ZeroSum(rpsMargins())
	bad := []DynamicsOptions{
		{Iterations: -1},
		{LogEvery: -2},
		{Step: math.NaN()},
		{Step: -1},
		{Gamma: 1},
		{Init: game.Mixed{{1, 0, 0}}},
		{Init: game.Mixed{{0.5, 0.6, 0}, {1, 0, 0}}},
	}
	for _, d := range allDynamics {
		for k, o := range bad {
			if d.name == "RegretMatching" || d.name == "RegretMatchingPlus" {
				if o.Init != nil {
					continue // ignored by regret matching
				}
			}
			if _, err := d.run(context.Background(), g, o); !errors.Is(err, ErrBadOptions) {
				t.Errorf("%s case %d: error %v", d.name, k, err)
			}
		}
	}
}

func TestDynamicsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := game.RandomUniform(rand.New(rand.NewPCG(1, 2)), 3, 3)
	for _, d := range allDynamics {
		if _, err := d.run(ctx, g, DynamicsOptions{Iterations: 100000}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v", d.name, err)
		}
	}
}
