package nlhf_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// runFile loads and runs a shipped experiment on the CPU backend.
func runFile(t *testing.T, name string) (*agents.Experiment, *agents.Results) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := agents.LoadExperiment(name, data)
	if err != nil {
		t.Fatal(err)
	}
	be := cuda.NewCPU(0)
	defer be.Close()
	res, err := agents.RunExperiment(context.Background(), exp, agents.RunOptions{Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	return exp, res
}

// final returns the last record of label for the first seed.
func final(t *testing.T, res *agents.Results, label string) agents.Record {
	t.Helper()
	r, ok := res.Final[label]
	if !ok || len(r) == 0 {
		t.Fatalf("no results for %q", label)
	}
	return r[0]
}

// series returns the logged records of label for seed.
func series(res *agents.Results, label string, seed uint64) []agents.Record {
	var out []agents.Record
	for _, r := range res.Rows {
		if r.Algorithm == label && r.Seed == seed {
			out = append(out, r.Record)
		}
	}
	return out
}

// at returns the last logged record at or before iteration it.
func at(recs []agents.Record, it int) agents.Record {
	best := recs[0]
	for _, r := range recs {
		if r.Iter <= it {
			best = r
		}
	}
	return best
}

func TestEGPOProtocolTau01(t *testing.T) {
	exp, res := runFile(t, "egpo_tau0.1.yaml")
	tau := exp.Tau
	// Linear last-iterate convergence to π*_τ.
	for _, l := range []string{"mmd", "egpo", "omd"} {
		if g := final(t, res, l).Last.Gap; g > 1e-6 {
			t.Errorf("%s: final gap %.3g, want < 1e-6", l, g)
		}
	}
	// Nash-MD, constant step: the last iterate stalls at a KL(π*‖π) that is
	// positive, stable over the second half, inside the theory's ball
	// limsup KL ≤ 2η/τ, and smaller for a smaller step.
	plateau := map[float64]float64{}
	for _, c := range []struct {
		label string
		eta   float64
	}{{"nash_md_eta0.5", 0.5}, {"nash_md_eta0.25", 0.25}} {
		recs := series(res, c.label, exp.Seed)
		end, half := recs[len(recs)-1].Last.KLStar, at(recs, exp.Iterations/2).Last.KLStar
		if !(end > 1e-8) {
			t.Errorf("%s: KL(π*‖π_T) = %.3g: a constant step should not converge", c.label, end)
		}
		if math.Abs(end-half) > 0.01*end {
			t.Errorf("%s: KL %.4g at T/2 and %.4g at T: not a plateau", c.label, half, end)
		}
		if end > 2*c.eta/tau {
			t.Errorf("%s: KL %.3g outside the O(η/τ) ball 2η/τ = %.3g", c.label, end, 2*c.eta/tau)
		}
		plateau[c.eta] = end
	}
	if plateau[0.25] >= plateau[0.5]/2 {
		t.Errorf("halving η should shrink the stall: KL %.3g (η = 0.5) vs %.3g (η = 0.25)", plateau[0.5], plateau[0.25])
	}
	// Nash-MD with η_t = 2/(τ(t+2)): KL(π*‖π_t) ≤ 8/(τ²(t+1)) at every
	// logged t, and it keeps decreasing instead of stalling.
	recs := series(res, "nash_md_theory", exp.Seed)
	for _, r := range recs {
		if bound := 8 / (tau * tau * float64(r.Iter+1)); r.Last.KLStar > bound {
			t.Errorf("nash_md_theory: KL %.3g > 8/(τ²(t+1)) = %.3g at t = %d", r.Last.KLStar, bound, r.Iter)
		}
	}
	if end, q := recs[len(recs)-1].Last.KLStar, at(recs, exp.Iterations/4).Last.KLStar; end > q/2 {
		t.Errorf("nash_md_theory: KL %.3g at T/4, %.3g at T: not decreasing", q, end)
	}
	// Sampled modes approach their exact counterparts as samples grow.
	for _, a := range []string{"egpo", "nash_md", "omd"} {
		exact := final(t, res, a+"_exact_eta0.25").Last
		dist := func(n string) float64 {
			s := final(t, res, a+"_sampled_"+n).Last
			return math.Abs(s.Gap-exact.Gap) + math.Abs(s.KLStar-exact.KLStar)
		}
		if small, large := dist("100"), dist("3000"); large > small/5 {
			t.Errorf("%s: sampled distance to exact %.3g with 100 samples, %.3g with 3000", a, small, large)
		}
	}
}

func TestEGPOProtocolSmallTau(t *testing.T) {
	for _, f := range []string{"egpo_tau0.01.yaml", "egpo_tau0.001.yaml"} {
		if testing.Short() && f == "egpo_tau0.001.yaml" {
			continue // a million MMD steps
		}
		_, res := runFile(t, f)
		for _, l := range []string{"mmd", "egpo"} {
			if g := final(t, res, l).Last.Gap; !(g < 1e-6) {
				t.Errorf("%s %s: final gap %.3g, want < 1e-6", f, l, g)
			}
		}
	}
}

func TestThreeAnnotators(t *testing.T) {
	exp, res := runFile(t, "three_annotators.yaml")
	g, err := agents.BuildGame(&exp.Game, exp.Seed, ".")
	if err != nil {
		t.Fatal(err)
	}
	if w := g.BordaWinner(0); w != 1 {
		t.Fatalf("Borda winner %d, want response 2 (index 1)", w)
	}
	rlhf := final(t, res, "rlhf").Last
	if rlhf.MassBorda < 0.999 {
		t.Errorf("RLHF-BT puts %.4f on the Borda winner, want nearly all", rlhf.MassBorda)
	}
	if rlhf.Expl < 0.1 {
		t.Errorf("RLHF-BT exploitability %.3g: some response should beat it by a clear margin", rlhf.Expl)
	}
	mmd := final(t, res, "mmd").Last
	if mmd.Gap > 1e-9 || mmd.KLStar > 1e-9 {
		t.Errorf("MMD: gap %.3g, KL(π*‖π) %.3g; want the regularized Nash", mmd.Gap, mmd.KLStar)
	}
	if mmd.TVLottery > 0.02 || mmd.Expl > rlhf.Expl/10 {
		t.Errorf("MMD: %.3g from the maximal lottery, exploitability %.3g", mmd.TVLottery, mmd.Expl)
	}
	lot, dims, err := agents.MaximalLotteries(g)
	if err != nil {
		t.Fatal(err)
	}
	for y, want := range []float64{1.0/3 + 0.05, 1.0/3 + 0.05, 1.0/3 - 0.1} {
		if math.Abs(lot[y]-want) > 1e-9 {
			t.Errorf("maximal lottery %v, want (0.383, 0.383, 0.233)", lot)
		}
	}
	if dims[0] != 0 {
		t.Errorf("maximal lottery not unique (face dimension %d)", dims[0])
	}
}

func TestCyclicLastIterate(t *testing.T) {
	exp, res := runFile(t, "cyclic.yaml")
	mw := series(res, "spo", exp.Seed)
	start, end := mw[0].Last.Expl, mw[len(mw)-1]
	if end.Last.Expl < 0.2 || end.Last.Expl < start {
		t.Errorf("MW last iterate: exploitability %.3g → %.3g; want it to cycle away from the lottery", start, end.Last.Expl)
	}
	if end.Avg.Expl > 0.01 {
		t.Errorf("MW average: exploitability %.3g, want < 0.01", end.Avg.Expl)
	}
	if sppo := series(res, "sppo", exp.Seed); sppo[len(sppo)-1].Last.Gap != end.Last.Gap || sppo[len(sppo)-1].Last.Entropy != end.Last.Entropy {
		t.Errorf("exact SPPO and SPO are the same update but differ")
	}
	for _, l := range []string{"onpo", "egpo"} {
		if e := final(t, res, l).Last.Expl; e > 1e-6 {
			t.Errorf("%s last iterate: exploitability %.3g, want < 1e-6", l, e)
		}
	}
}

func TestComparisonDataGame(t *testing.T) {
	exp, res := runFile(t, "data.yaml")
	g, err := agents.BuildGame(&exp.Game, exp.Seed, ".")
	if err != nil {
		t.Fatal(err)
	}
	if g.NumContexts() != 2 || g.NumResponses() != 3 {
		t.Fatalf("estimated game is %d × %d, want 2 prompts × 3 responses", g.NumContexts(), g.NumResponses())
	}
	for c := range 2 {
		if w, ok := g.CondorcetWinner(c, true); ok {
			t.Errorf("prompt %s has a Condorcet winner %s", g.Contexts[c], g.Responses[w])
		}
	}
	// The estimate is the documented posterior mean.
	cs, err := readJudgements(filepath.Join("testdata", "judgements.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s, n := 0.0, 0.0
	for _, j := range cs {
		if j.Context != g.Contexts[0] {
			continue
		}
		switch {
		case j.A == g.Responses[0] && j.B == g.Responses[1]:
			s += map[game.Winner]float64{game.WinnerA: 1, game.WinnerTie: 0.5}[j.Winner]
			n++
		case j.A == g.Responses[1] && j.B == g.Responses[0]:
			s += map[game.Winner]float64{game.WinnerB: 1, game.WinnerTie: 0.5}[j.Winner]
			n++
		}
	}
	if want := (s + 0.5) / (n + 1); math.Abs(g.At(0, 0, 1)-want) > 1e-12 {
		t.Errorf("P[0][1] = %v, want (wins + 1/2)/(n + 1) = %v", g.At(0, 0, 1), want)
	}
	for _, l := range []string{"mmd", "egpo"} {
		if gap := final(t, res, l).Last.Gap; gap > 1e-9 {
			t.Errorf("%s: gap %.3g on the data game", l, gap)
		}
	}
	if r, m := final(t, res, "rlhf").Last, final(t, res, "mmd").Last; r.Expl < m.Expl+0.05 {
		t.Errorf("RLHF exploitability %.3g vs MMD %.3g: want RLHF clearly exploitable", r.Expl, m.Expl)
	}
	if s := final(t, res, "mmd_sampled").Last; s.KLStar > 0.01 {
		t.Errorf("sampled MMD ends %.3g (KL) from π*_τ", s.KLStar)
	}
}

func readJudgements(path string) ([]game.Comparison, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return game.ReadComparisons(f, path)
}

func TestMNPOIdentities(t *testing.T) {
	exp, res := runFile(t, "mnpo.yaml")
	for s := range uint64(exp.Seeds) {
		seed := exp.Seed + s
		same := func(a, b string, tol float64) {
			ra, rb := series(res, a, seed), series(res, b, seed)
			if len(ra) != len(rb) || len(ra) == 0 {
				t.Fatalf("%s and %s logged %d and %d rows", a, b, len(ra), len(rb))
			}
			for i := range ra {
				x, y := ra[i].Last, rb[i].Last
				if math.Abs(x.Gap-y.Gap) > tol || math.Abs(x.KLRef-y.KLRef) > tol || math.Abs(x.WinRef-y.WinRef) > tol || math.Abs(x.Entropy-y.Entropy) > tol {
					t.Errorf("seed %d iteration %d: %s %+v differs from %s %+v", seed, ra[i].Iter, a, x, b, y)
					return
				}
			}
		}
		same("mnpo_n2", "sppo", 0)
		same("td_depth1", "inpo", 1e-12)
		same("td_weights_1_0", "td_depth1", 0)
		// Uniform weights over two past iterates are a different rule with
		// the same fixed point.
		u, d := series(res, "td_uniform", seed), series(res, "td_depth1", seed)
		differ := false
		for i := range u {
			differ = differ || math.Abs(u[i].Last.Gap-d[i].Last.Gap) > 1e-6
		}
		if !differ {
			t.Errorf("seed %d: uniform history weights behave like depth 1", seed)
		}
		if g := u[len(u)-1].Last.Gap; g > 1e-9 {
			t.Errorf("seed %d: td_uniform gap %.3g at the end", seed, g)
		}
		if a, b := series(res, "mnpo_n3_beats_all", seed), series(res, "mnpo_n2", seed); a[len(a)-1].Last.Gap == b[len(b)-1].Last.Gap {
			t.Errorf("seed %d: three players with the beats-all oracle behave like two", seed)
		}
		for _, r := range series(res, "ht", seed) {
			if !(r.NPlayerGap >= -1e-12) || math.IsInf(r.NPlayerGap, 0) {
				t.Errorf("seed %d: ht n-player gap %v at iteration %d", seed, r.NPlayerGap, r.Iter)
			}
		}
	}
}
