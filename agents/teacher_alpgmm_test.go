package agents

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

var testEM = emConfig{maxIter: 200, tol: 1e-6, reg: 1e-6}

// TestGMMRecoversMixture draws from a known two-component mixture with
// correlated covariances and checks that EM recovers the weights, means and
// covariances, and that AIC prefers two components to one.
func TestGMMRecoversMixture(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	type comp struct {
		w    float64
		mean [2]float64
		l    [2][2]float64 // Cholesky factor of the covariance
	}
	truth := []comp{
		{0.3, [2]float64{-2, 0}, [2][2]float64{{0.5, 0}, {0.3, 0.4}}},
		{0.7, [2]float64{3, 1}, [2][2]float64{{0.3, 0}, {-0.2, 0.6}}},
	}
	const n = 3000
	x := make([]float64, 0, 2*n)
	for range n {
		c := truth[0]
		if rng.Float64() >= truth[0].w {
			c = truth[1]
		}
		z0, z1 := rng.NormFloat64(), rng.NormFloat64()
		x = append(x, c.mean[0]+c.l[0][0]*z0, c.mean[1]+c.l[1][0]*z0+c.l[1][1]*z1)
	}
	g, ll := fitGMM(x, 2, 2, rand.New(rand.NewPCG(1, 1)), testEM)
	order := []int{0, 1}
	sort.Slice(order, func(i, j int) bool { return g.mean[order[i]*2] < g.mean[order[j]*2] })
	for i, c := range order {
		tr := truth[i]
		if math.Abs(g.weight[c]-tr.w) > 0.03 {
			t.Errorf("component %d: weight %v, want %v", i, g.weight[c], tr.w)
		}
		for j := range 2 {
			if math.Abs(g.mean[c*2+j]-tr.mean[j]) > 0.06 {
				t.Errorf("component %d: mean %v, want %v", i, g.mean[c*2:c*2+2], tr.mean)
			}
		}
		// Σ = L Lᵀ against the fitted factor's product.
		l := g.chol[c*4 : c*4+4]
		for a := range 2 {
			for b := range 2 {
				want := tr.l[a][0]*tr.l[b][0] + tr.l[a][1]*tr.l[b][1]
				got := l[a*2]*l[b*2] + l[a*2+1]*l[b*2+1]
				if math.Abs(got-want) > 0.05 {
					t.Errorf("component %d: Σ[%d][%d] = %v, want %v", i, a, b, got, want)
				}
			}
		}
	}
	g1, ll1 := fitGMM(x, 2, 1, rand.New(rand.NewPCG(1, 1)), testEM)
	if g.aic(ll) >= g1.aic(ll1) {
		t.Errorf("AIC with 2 components %v not below 1 component %v", g.aic(ll), g1.aic(ll1))
	}
	if g.nParams() != 11 || g1.nParams() != 5 {
		t.Errorf("parameter counts %d, %d; want 11, 5", g.nParams(), g1.nParams())
	}
}

// TestGMMLogDensity checks the Cholesky-based density against the 2×2
// closed form with the explicit inverse and determinant.
func TestGMMLogDensity(t *testing.T) {
	cov := []float64{2, 0.7, 0.7, 0.5}
	g := &gaussianMixture{k: 1, d: 2, weight: []float64{1}, mean: []float64{1, -1}, chol: make([]float64, 4), logDet: make([]float64, 1)}
	g.logDet[0] = choleskyReg(g.chol, cov, 2, 0)
	det := cov[0]*cov[3] - cov[1]*cov[2]
	for _, x := range [][]float64{{1, -1}, {0, 0}, {3.5, 2}} {
		dx, dy := x[0]-1, x[1]+1
		maha := (cov[3]*dx*dx - 2*cov[1]*dx*dy + cov[0]*dy*dy) / det
		want := -math.Log(2*math.Pi) - 0.5*math.Log(det) - 0.5*maha
		if got := g.logDensity(0, x, make([]float64, 2)); math.Abs(got-want) > 1e-12 {
			t.Errorf("log N(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestALPByNearestNeighbour(t *testing.T) {
	a := mustTeacher(t, TeacherALPGMM, map[string]any{"fit_rate": 10, "max_k": 2, "reward_low": -1.0, "reward_high": 1.0},
		TeacherSpace{Low: []float64{0}, High: []float64{1}}, 0).(*ALPGMMTeacher)
	obs := func(x, r float64) TeacherObservation {
		return TeacherObservation{Task: TeacherTask{Category: -1, Point: []float64{x}}, Reward: r}
	}
	lastALP := func() float64 { return a.recent[len(a.recent)-1] }
	// Six records (rescaled rewards (r+1)/2): ALP stays 0 until more than five exist.
	for i, r := range []float64{-1, 0, 1, 0.5, -0.5, 3} {
		a.Update([]TeacherObservation{obs(float64(i)/10, r)})
		if lastALP() != 0 {
			t.Fatalf("record %d: ALP %v before the sixth record", i, lastALP())
		}
	}
	// Nearest to 0.31 is 0.3 (rescaled 0.75): ALP = |0.5 − 0.75|.
	a.Update([]TeacherObservation{obs(0.31, 0)})
	if got := lastALP(); math.Abs(got-0.25) > 1e-15 {
		t.Errorf("ALP = %v, want 0.25", got)
	}
	// Nearest to 0.9 is 0.5, whose reward 3 was clipped to 1: ALP = |0 − 1|.
	a.Update([]TeacherObservation{obs(0.9, -1)})
	if got := lastALP(); got != 1 {
		t.Errorf("ALP = %v, want 1 (clipped reward)", got)
	}
	if a.Components() != nil {
		t.Error("a mixture before the first fit")
	}
	a.Update([]TeacherObservation{obs(0.2, 0), obs(0.7, 0)})
	if c := a.Components(); len(c) != 2 {
		t.Errorf("after %d episodes: %d components, want 2", a.episodes, len(c))
	}
}

// TestALPGMMConcentrates runs ALP-GMM on a 1-D task box where progress only
// happens in [0.6, 0.8] (rewards there are noisy, so ALP is high; elsewhere
// the reward is constant and ALP is 0) and checks that sampling moves its
// mass there, far above the region's uniform share of 0.2, and that the
// mixture's highest-ALP component sits in the region.
func TestALPGMMConcentrates(t *testing.T) {
	a := mustTeacher(t, TeacherALPGMM, map[string]any{"fit_rate": 100, "max_k": 4},
		TeacherSpace{Low: []float64{0}, High: []float64{1}}, 9).(*ALPGMMTeacher)
	rng := rand.New(rand.NewPCG(21, 22))
	env := rand.New(rand.NewPCG(23, 24))
	inRegion := func(x float64) bool { return x >= 0.6 && x <= 0.8 }
	obs := make([]TeacherObservation, 50)
	share := 0.0
	const steps = 40
	for step := range steps {
		hits := 0
		for i := range obs {
			task := a.Sample(rng)
			r := 0.0
			if inRegion(task.Point[0]) {
				r = env.Float64()
				hits++
			}
			obs[i] = TeacherObservation{Task: task, Reward: r}
		}
		if step >= steps-10 {
			share += float64(hits) / float64(len(obs)) / 10
		}
		a.Update(obs)
	}
	if share < 0.6 {
		t.Errorf("share of tasks in the learning region %v, want > 0.6 (uniform 0.2)", share)
	}
	best := ALPComponent{ALP: -1}
	for _, c := range a.Components() {
		if c.ALP > best.ALP {
			best = c
		}
	}
	if !inRegion(best.Mean[0]) {
		t.Errorf("highest-ALP component %+v outside [0.6, 0.8]", best)
	}
}
