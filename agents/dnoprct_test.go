package agents

import (
	"fmt"
	"math"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// dnoPrctOracle computes the law of DNO-Prct's kept (best, worst) pair in
// one context by enumerating every tuple of n draws from pi (K^n of them),
// with the gold response appended when gold ≥ 0. scoring "policy" scores
// a response by its exact win rate against pi (ties to the lower index,
// the exact mode's rule); "group" by its mean judgement P against the
// other members, the first best and first worst member winning ties (the
// sampled mode with probability labels).
func dnoPrctOracle(p, pi []float64, n, gold int, margin float64, scoring string) []float64 {
	k := len(pi)
	r := refCtx{p: p}.win(pi)
	q := make([]float64, k*k)
	tuple := make([]int, n)
	for idx := range int(math.Pow(float64(k), float64(n))) {
		prob := 1.0
		for i, x := 0, idx; i < n; i, x = i+1, x/k {
			tuple[i] = x % k
			prob *= pi[tuple[i]]
		}
		members := append([]int(nil), tuple...)
		if gold >= 0 {
			members = append(members, gold)
		}
		m := len(members)
		score := make([]float64, m)
		for i, y := range members {
			if scoring == "policy" {
				score[i] = r[y]
				continue
			}
			for j, y2 := range members {
				if j != i {
					score[i] += p[y*k+y2] / float64(m-1)
				}
			}
		}
		better := func(i, j int) bool { // member i ranks above member j
			if score[i] != score[j] || scoring == "group" {
				return score[i] > score[j]
			}
			return members[i] < members[j]
		}
		hi, lo := 0, 0
		for i := range m {
			if better(i, hi) {
				hi = i
			}
			if better(lo, i) {
				lo = i
			}
		}
		if members[hi] != members[lo] && score[hi]-score[lo] > margin {
			q[members[hi]*k+members[lo]] += prob
		}
	}
	return q
}

// dnoPrctScalarStep is the reference update: steps gradient steps of
// Σ q·(−log σ(β·Δ)) from theta, then normalization.
func dnoPrctScalarStep(theta, q []float64, beta, lr float64, steps int) []float64 {
	k := len(theta)
	d := make([]float64, k)
	for range steps {
		grad := make([]float64, k)
		for w := range k {
			for l := range k {
				if q[w*k+l] == 0 {
					continue
				}
				s := 1 / (1 + math.Exp(beta*(d[w]-d[l])))
				grad[w] += q[w*k+l] * s
				grad[l] -= q[w*k+l] * s
			}
		}
		for y := range d {
			d[y] += lr * beta * grad[y]
		}
	}
	out := make([]float64, k)
	for y := range out {
		out[y] = theta[y] + d[y]
	}
	return norm(out)
}

// The exact mode's closed-form law of the (best, worst) pair matches
// enumeration over every tuple of draws, step after step — with and without
// a gold response, a margin, several gradient steps, and exact ties of the
// scores (responses 0 and 1 of the Bradley–Terry game are equally strong).
func TestDNOPrctExactMatchesEnumeration(t *testing.T) {
	rand, ref := egpoGame(51, 3, 4)
	bt, err := game.BradleyTerry([][]float64{{0.3, 0.3, -1, 1.2}, {2, 0, 0, -1}})
	if err != nil {
		t.Fatal(err)
	}
	_, btRef := egpoGame(52, 2, 4)
	for _, g := range []struct {
		name string
		g    *game.Preference
		ref  []float64
	}{{"random", rand, ref}, {"bt-ties", bt, btRef}} {
		env := newTestEnv(t, g.g, g.ref)
		for _, tc := range []map[string]any{
			{"samples": 3, "beta": 1.0, "lr": 1.5},
			{"samples": 3, "beta": 1.5, "lr": 1.0, "gold": "borda", "margin": 0.03},
			{"samples": 5, "beta": 1.5, "lr": 1.0, "margin": 0.1},
			{"samples": 2, "beta": 0.7, "lr": 2.0, "gold": "borda", "margin": 0.05, "steps": 3},
			{"samples": 4, "beta": 2.0, "lr": 0.5, "gold": "borda", "steps": 2},
		} {
			t.Run(fmt.Sprintf("%s/%v", g.name, tc), func(t *testing.T) {
				const iters = 6
				got := runSteps(t, env, build(t, env, "dno_prct", tc, Options{}), iters)
				k, b := env.K, env.B
				p := with(map[string]any{"gold": "none", "margin": 0.0, "steps": 1}, tc)
				moved := 0.0
				for c := range b {
					gold := -1
					if p["gold"] == "borda" {
						gold = g.g.BordaWinner(c)
					}
					theta := make([]float64, k)
					getCol(theta, env.RefHost(), k, b, c)
					start := append([]float64(nil), theta...)
					for range iters {
						q := dnoPrctOracle(g.g.Matrix(c), probs(theta), p["samples"].(int), gold, p["margin"].(float64), "policy")
						theta = dnoPrctScalarStep(theta, q, p["beta"].(float64), p["lr"].(float64), p["steps"].(int))
					}
					col := make([]float64, k)
					getCol(col, got, k, b, c)
					if d := probDiff(col, theta); d > 1e-12 {
						t.Errorf("context %d: differs from enumeration by %.3g\n got %v\nwant %v", c, d, probs(col), probs(theta))
					}
					moved = max(moved, probDiff(theta, start))
				}
				if moved < 1e-3 {
					t.Errorf("policy barely moved (%.3g): the comparison is vacuous", moved)
				}
			})
		}
	}
}

// The sampled mode with probability labels approaches the expected update
// of its own within-group scoring as the number of groups grows.
func TestDNOPrctSampledApproachesExpectation(t *testing.T) {
	g, ref := egpoGame(53, 3, 4)
	env := newTestEnv(t, g, ref)
	const iters = 3
	params := map[string]any{"samples": 3, "gold": "borda", "beta": 1.0, "lr": 2.0, "labels": "probability", "margin": 0.02}
	k, b := env.K, env.B
	want := make([]float64, k*b)
	for c := range b {
		theta := make([]float64, k)
		getCol(theta, env.RefHost(), k, b, c)
		for range iters {
			q := dnoPrctOracle(g.Matrix(c), probs(theta), 3, g.BordaWinner(c), 0.02, "group")
			theta = dnoPrctScalarStep(theta, q, 1, 2, 1)
		}
		setCol(want, theta, k, b, c)
	}
	var errs []float64
	for _, groups := range []int{30, 30000} {
		worst := 0.0
		for seed := range uint64(2) {
			l := build(t, env, "dno_prct", with(params, map[string]any{"groups": groups}), Options{Mode: Sampled, Seed: seed + 1})
			worst = max(worst, probDiff(want, runSteps(t, env, l, iters)))
		}
		errs = append(errs, worst)
	}
	if errs[1] > errs[0]/3 || errs[1] > 0.01 {
		t.Errorf("sampled error %.3g with 30 groups, %.3g with 30000: want a clear decrease", errs[0], errs[1])
	}
}

// On a transitive (Bradley–Terry) game the exact win rates order the
// responses by strength whatever the policy, so the best of the draws is
// never the strongest response's loss: DNO-Prct concentrates on the
// Bradley–Terry winner.
func TestDNOPrctConcentratesOnBTWinner(t *testing.T) {
	scores := [][]float64{{0, 1, 0.5, -1, 0.8}, {1, 0.2, -0.3, 0.9, 0}, {-2, -1, 0, 1, 2}}
	g, err := game.BradleyTerry(scores)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, g, nil)
	for _, gold := range []string{"none", "borda"} {
		l := build(t, env, "dno_prct", map[string]any{"beta": 1.0, "lr": 2.0, "gold": gold}, Options{})
		got := runSteps(t, env, l, 300)
		b := env.B
		for c := range b {
			best := 0
			for y, s := range scores[c] {
				if s > scores[c][best] {
					best = y
				}
			}
			if m := math.Exp(got[best*b+c]); m < 0.99 {
				t.Errorf("gold %s, context %d: mass %.4f on the Bradley–Terry winner %d, want ≥ 0.99", gold, c, m, best)
			}
		}
	}
}
