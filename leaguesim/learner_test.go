package leaguesim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// hostStep is the closed form of one update on the host: per context,
// log π' = a·log π + b·log ref + d·G − log Z.
func hostStep(pol, ref, g []float64, k, b int, a, bb, d float64) []float64 {
	out := make([]float64, k*b)
	col := make([]float64, k)
	for c := range b {
		for y := range k {
			v := bb*ref[y*b+c] + d*g[y*b+c]
			if a != 0 {
				v += a * pol[y*b+c]
			}
			col[y] = v
		}
		lse := logSumExp(col)
		for y := range k {
			out[y*b+c] = col[y] - lse
		}
	}
	return out
}

// hostWinRates returns G = P·q per context (K×B).
func hostWinRates(g *game.Preference, q *Policy) []float64 {
	k, b := q.K, q.B
	out := make([]float64, k*b)
	for c := range b {
		w := g.WinRates(c, q.Prob(c, nil), nil)
		for y := range k {
			out[y*b+c] = w[y]
		}
	}
	return out
}

// TestUpdatesMatchClosedForms checks every update rule against its closed
// form on a three-context game with a non-uniform reference, against a mixed
// opponent and against a mixture holding pure policies (−Inf logs).
func TestUpdatesMatchClosedForms(t *testing.T) {
	const k, b = 4, 3
	rng := rand.New(rand.NewPCG(5, 6))
	g := game.RandomAntisymmetric(rng, b, k, game.LowerRandom)
	ref := agents.NormalRef(rng, k, b, 1)
	be := cuda.NewCPU(1)
	defer be.Close()
	env, err := agents.NewEnv(be, g, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	random := func() *Policy {
		l := make([]float64, k*b)
		for i := range l {
			l[i] = rng.NormFloat64()
		}
		p, _ := NewPolicy(k, b, l)
		return p
	}
	pure := &Policy{K: k, B: b, LogProb: make([]float64, k*b)}
	for i := range pure.LogProb {
		if i/b != 2 {
			pure.LogProb[i] = math.Inf(-1)
		}
	}
	mixWithPure, err := Mixture([]*Policy{pure, random()}, []float64{0.7, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for _, opp := range []*Policy{random(), pure, mixWithPure} {
		G := hostWinRates(g, opp)
		for _, tc := range []struct {
			cfg      LearnerConfig
			a, bb, d float64
		}{
			{LearnerConfig{Rule: RuleMirror, Eta: 0.4, Tau: 0.3}, 1 - 0.12, 0.12, 0.4},
			{LearnerConfig{Rule: RuleMirror, Eta: 2}, 1, 0, 2},
			{LearnerConfig{Rule: RuleBestResponse, Tau: 0.2}, 0, 1, 5},
			{LearnerConfig{Rule: RuleBestResponse}, 0, 0, 0},
		} {
			init := random()
			tr, err := newTrainer(env, tc.cfg, init)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.updateExact(opp); err != nil {
				t.Fatal(err)
			}
			var want []float64
			if tc.cfg.Rule == RuleBestResponse && tc.cfg.Tau == 0 {
				want = argmaxPolicy(G, k, b)
			} else {
				want = hostStep(init.LogProb, env.RefHost(), G, k, b, tc.a, tc.bb, tc.d)
			}
			if d := maxAbsDiff(tr.pol.LogProb, want); d > 1e-12 {
				t.Errorf("%+v against %v: differs from the closed form by %v", tc.cfg, opp.LogProb[:3], d)
			}
			// The tensor and the host copy agree.
			got := make([]float64, k*b)
			if err := be.Read(got, tr.cur); err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(got, tr.pol.LogProb); d > 0 {
				t.Errorf("%+v: tensor and host policy differ by %v", tc.cfg, d)
			}
			tr.close()
		}
	}
}

func argmaxPolicy(g []float64, k, b int) []float64 {
	out := make([]float64, k*b)
	for c := range b {
		best := 0
		for y := range k {
			if g[y*b+c] > g[best*b+c]+argmaxTolerance {
				best = y
			}
		}
		for y := range k {
			out[y*b+c] = math.Inf(-1)
		}
		out[best*b+c] = 0
	}
	return out
}

func TestBestResponseBreaksTiesTowardTheFirstResponse(t *testing.T) {
	g, _ := game.Cyclic(3, 1)
	be := cuda.NewCPU(1)
	defer be.Close()
	env, _ := agents.NewEnv(be, g, nil)
	defer env.Close()
	tr, err := newTrainer(env, LearnerConfig{Rule: RuleBestResponse}, Uniform(3, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	// Against the uniform mixture every response wins ½ up to rounding.
	if err := tr.updateExact(Uniform(3, 1)); err != nil {
		t.Fatal(err)
	}
	if y := pureResponse(tr.pol); y != 0 {
		t.Fatalf("best response to uniform rock-paper-scissors is %d, want 0 (tie broken low)", y)
	}
	rock, _ := NewPolicy(3, 1, pureLogits(3, 0))
	if err := tr.updateExact(rock); err != nil {
		t.Fatal(err)
	}
	// Cyclic: response i beats i+1, so the answer to rock (0) is 2.
	if y := pureResponse(tr.pol); y != 2 {
		t.Fatalf("best response to rock is %d, want 2", y)
	}
}

func TestSampledWinRates(t *testing.T) {
	const k, b = 3, 2
	js := []Judgement{
		{Context: 0, Home: 1, Away: 2, Score: 1},
		{Context: 0, Home: 1, Away: 0, Score: 0},
		{Context: 0, Home: 1, Away: 1, Score: 0.5},
		{Context: 1, Home: 2, Away: 0, Score: 1},
	}
	got := make([]float64, k*b)
	sampledWinRates(got, js, k, b)
	// (points + ½)/(games + 1), response-major.
	want := []float64{
		0.5, 0.5, // response 0 in contexts 0, 1: no games
		(1.5 + 0.5) / 4, 0.5, // response 1
		0.5, 1.5 / 2, // response 2
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Fatalf("estimates %v, want %v", got, want)
		}
	}
	g, _ := game.Cyclic(3, 1)
	g = g.Repeat(0, 2)
	be := cuda.NewCPU(1)
	defer be.Close()
	env, _ := agents.NewEnv(be, g, nil)
	defer env.Close()
	init := Uniform(k, b)
	tr, _ := newTrainer(env, LearnerConfig{Rule: RuleMirror, Eta: 0.7}, init)
	defer tr.close()
	if err := tr.updateSampled(js); err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(tr.pol.LogProb, hostStep(init.LogProb, env.RefHost(), want, k, b, 1, 0, 0.7)); d > 1e-12 {
		t.Fatalf("sampled mirror step differs from its closed form by %v", d)
	}
}
