package agents

import (
	"fmt"
	"math"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// The scalar reference below restates every exact rule of algorithms.md
// §4–§5 per context with plain loops, independent of the learners and of
// the batched backend; the learners must reproduce it step for step.

type refCtx struct {
	p   []float64 // K×K
	ref []float64 // log ref
}

func (r refCtx) win(pi []float64) []float64 {
	k := len(pi)
	g := make([]float64, k)
	for y := range k {
		for j := range k {
			g[y] += r.p[y*k+j] * pi[j]
		}
	}
	return g
}

func probs(l []float64) []float64 {
	out := make([]float64, len(l))
	for i, v := range l {
		out[i] = math.Exp(v)
	}
	return out
}

func norm(l []float64) []float64 {
	out := append([]float64(nil), l...)
	normalizeLog(out)
	return out
}

// lin returns a·x + b·ref + d·g, normalized.
func (r refCtx) lin(a float64, x []float64, b float64, d float64, g []float64) []float64 {
	out := make([]float64, len(x))
	for y := range out {
		out[y] = d * g[y]
		if a != 0 {
			out[y] += a * x[y]
		}
		if b != 0 {
			out[y] += b * r.ref[y]
		}
	}
	return norm(out)
}

// scalarRun returns the reference trajectory's final log-policy of one
// context for the named rule.
func scalarRun(t *testing.T, r refCtx, name string, p map[string]float64, steps int) []float64 {
	k := len(r.ref)
	cur := append([]float64(nil), r.ref...)
	prev := cur
	var hist [][]float64
	avg := cur // Nash-EMA-PG's θ̄
	for s := range steps {
		eta, tau := p["eta"], p["tau"]
		var next []float64
		switch name {
		case "mw":
			next = r.lin(1, cur, 0, eta, r.win(probs(cur)))
		case "omd":
			next = r.lin(1-eta*tau, cur, eta*tau, eta, r.win(probs(cur)))
		case "mmd":
			next = r.lin(1/(1+eta*tau), cur, eta*tau/(1+eta*tau), eta/(1+eta*tau), r.win(probs(cur)))
		case "nash_md":
			if p["theory"] == 1 {
				eta = 2 / (tau * float64(s+2))
			}
			mix := r.lin(1-eta*tau, cur, eta*tau, 0, make([]float64, k))
			next = r.lin(1, mix, 0, eta, r.win(probs(mix)))
		case "onpo":
			g, gp := r.win(probs(cur)), r.win(probs(prev))
			opt := make([]float64, k)
			for y := range opt {
				opt[y] = 2*g[y] - gp[y]
			}
			next = r.lin(1-eta*tau, cur, eta*tau, eta, opt)
		case "egpo":
			half := r.lin(1-eta*tau, cur, eta*tau, eta, r.win(probs(cur)))
			next = r.lin(1-eta*tau, cur, eta*tau, eta, r.win(probs(half)))
		case "nash_mp":
			a, b, d := 1/(1+eta*tau), eta*tau/(1+eta*tau), eta/(1+eta*tau)
			half := r.lin(a, cur, b, d, r.win(probs(cur)))
			next = r.lin(a, cur, b, d, r.win(probs(half)))
		case "td":
			// λ over the iterates that exist: π_t, π_{t−1}, …
			hist = append([][]float64{cur}, hist...)
			depth := int(p["depth"])
			if len(hist) > depth {
				hist = hist[:depth]
			}
			w := []float64{p["w0"], p["w1"]}[:len(hist)]
			sum := 0.0
			for _, v := range w {
				sum += v
			}
			rr := p["r"]
			out := make([]float64, k)
			g := r.win(probs(cur))
			for y := range out {
				out[y] = rr*r.ref[y] + g[y]/p["eta_inv"]
				for j, h := range hist {
					out[y] += (1 - rr) * w[j] / sum * h[y]
				}
			}
			next = norm(out)
		case "nash_md_pg", "nash_ema_pg":
			pi := probs(cur)
			mix := r.lin(1-p["beta"], cur, p["beta"], 0, make([]float64, k))
			if name == "nash_ema_pg" {
				mix = avg
			}
			g := r.win(probs(mix))
			c := make([]float64, k)
			mean := 0.0
			for y := range c {
				c[y] = g[y] - tau*(cur[y]-r.ref[y])
				mean += pi[y] * c[y]
			}
			out := make([]float64, k)
			for y := range out {
				out[y] = cur[y] + p["lr"]*pi[y]*(c[y]-mean)
			}
			next = norm(out)
			if name == "nash_ema_pg" {
				ema := make([]float64, k)
				for y := range ema {
					ema[y] = p["ema"]*avg[y] + (1-p["ema"])*next[y]
				}
				avg = norm(ema)
			}
		default:
			t.Fatalf("no scalar rule %q", name)
		}
		prev, cur = cur, next
	}
	return cur
}

func TestExactRulesMatchScalarReference(t *testing.T) {
	g, ref := egpoGame(5, 3, 5)
	env := newTestEnv(t, g, ref)
	const steps = 30
	for _, tc := range []struct {
		algo   string
		params map[string]any
		rule   string
		rp     map[string]float64
	}{
		{"spo", map[string]any{"eta": 0.7}, "mw", map[string]float64{"eta": 0.7}},
		{"sppo", map[string]any{"eta": 0.7}, "mw", map[string]float64{"eta": 0.7}},
		{"dno", map[string]any{"eta": 0.7}, "mw", map[string]float64{"eta": 0.7}},
		{"mnpo", map[string]any{"eta": 0.7, "players": 2}, "mw", map[string]float64{"eta": 0.7}},
		{"mnpo", map[string]any{"eta": 0.7, "players": 4}, "mw", map[string]float64{"eta": 0.7}},
		{"omd", map[string]any{"eta": 0.8, "tau": 0.3}, "omd", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"inpo", map[string]any{"eta_inv": 2.0, "tau": 0.5}, "omd", map[string]float64{"eta": 0.5, "tau": 0.5}},
		{"mmd", map[string]any{"eta": 0.8, "tau": 0.3}, "mmd", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"nash_md", map[string]any{"eta": 0.8, "tau": 0.3}, "nash_md", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"nash_md", map[string]any{"tau": 0.3, "schedule": "theory"}, "nash_md", map[string]float64{"tau": 0.3, "theory": 1}},
		{"onpo", map[string]any{"eta": 0.8, "tau": 0.3}, "onpo", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"onpo", map[string]any{"eta": 0.8}, "onpo", map[string]float64{"eta": 0.8}},
		{"egpo", map[string]any{"eta": 0.8, "tau": 0.3}, "egpo", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"nash_mp", map[string]any{"eta": 0.8, "tau": 0.3}, "nash_mp", map[string]float64{"eta": 0.8, "tau": 0.3}},
		{"mnpo", map[string]any{"variant": "td", "eta_inv": 1.5, "r": 0.25, "depth": 2, "weights": []any{3, 1}},
			"td", map[string]float64{"eta_inv": 1.5, "r": 0.25, "depth": 2, "w0": 3, "w1": 1}},
		{"mnpo", map[string]any{"variant": "td", "eta_inv": 1.5, "r": 0.25, "depth": 1},
			"td", map[string]float64{"eta_inv": 1.5, "r": 0.25, "depth": 1, "w0": 1}},
		// TD-MNPO with depth 1 is INPO with τ = r·η_I (algorithms.md §4.11 Table 1).
		{"mnpo", map[string]any{"variant": "td", "eta_inv": 2.0, "r": 0.5, "depth": 1}, "omd", map[string]float64{"eta": 0.5, "tau": 1}},
		{"nash_md_pg", map[string]any{"lr": 0.9, "beta": 0.3, "tau": 0.2}, "nash_md_pg", map[string]float64{"lr": 0.9, "beta": 0.3, "tau": 0.2}},
		{"nash_ema_pg", map[string]any{"lr": 0.9, "ema": 0.7, "tau": 0.2}, "nash_ema_pg", map[string]float64{"lr": 0.9, "ema": 0.7, "tau": 0.2}},
		// EMA rate 0 is Nash-MD-PG's self-play (β = 0); rate 1 keeps θ̄ = log ref,
		// Nash-MD-PG's best response to ref (β = 1).
		{"nash_ema_pg", map[string]any{"lr": 0.9, "ema": 0, "tau": 0.2}, "nash_md_pg", map[string]float64{"lr": 0.9, "beta": 0, "tau": 0.2}},
		{"nash_ema_pg", map[string]any{"lr": 0.9, "ema": 1, "tau": 0.2}, "nash_md_pg", map[string]float64{"lr": 0.9, "beta": 1, "tau": 0.2}},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.algo, tc.params), func(t *testing.T) {
			l := build(t, env, tc.algo, tc.params, Options{})
			got := runSteps(t, env, l, steps)
			k, b := env.K, env.B
			for c := range b {
				r := refCtx{p: g.Matrix(c), ref: make([]float64, k)}
				getCol(r.ref, env.refHost, k, b, c)
				want := scalarRun(t, r, tc.rule, tc.rp, steps)
				col := make([]float64, k)
				getCol(col, got, k, b, c)
				if d := probDiff(col, want); d > 1e-12 {
					t.Errorf("context %d: differs from the scalar rule %s by %.3g\n got %v\nwant %v", c, tc.rule, d, probs(col), probs(want))
				}
			}
		})
	}
}

// Regularized learners converge to the ground truth π*_τ in the last
// iterate, and the ground truth has zero gap.
func TestRegularizedLearnersReachGroundTruth(t *testing.T) {
	g, ref := egpoGame(7, 4, 8)
	env := newTestEnv(t, g, ref)
	const tau = 0.2
	ev, err := NewEvaluator(env, tau, true)
	if err != nil {
		t.Fatal(err)
	}
	star := ev.Star()
	if m := ev.MeasureHost(star); m.Gap > 1e-12 || m.KLStar > 1e-15 {
		t.Fatalf("ground truth: gap %.3g, KL %.3g", m.Gap, m.KLStar)
	}
	for _, tc := range []struct {
		algo   string
		params map[string]any
		steps  int
	}{
		{"omd", map[string]any{"eta": 1.0, "tau": tau}, 400},
		{"inpo", map[string]any{"eta_inv": 1.0, "tau": tau}, 400},
		{"mmd", map[string]any{"eta": 1.0, "tau": tau}, 400},
		{"egpo", map[string]any{"eta": 1.0, "tau": tau}, 400},
		{"nash_mp", map[string]any{"eta": 1.0, "tau": tau}, 400},
		{"onpo", map[string]any{"eta": 1.0, "tau": tau}, 400},
		{"nash_ema_pg", map[string]any{"lr": 2.0, "ema": 0.5, "tau": tau}, 4000},
		{"ipo", map[string]any{"tau": tau, "sampling": "online", "lr": 0.5}, 4000},
		{"mnpo", map[string]any{"variant": "td", "eta_inv": 1.0, "r": tau, "depth": 1}, 400},
	} {
		l := build(t, env, tc.algo, tc.params, Options{})
		runSteps(t, env, l, tc.steps)
		m, err := ev.Measure(l.Policy())
		if err != nil {
			t.Fatal(err)
		}
		if m.Gap > 1e-9 || m.KLStar > 1e-9 {
			t.Errorf("%s: gap %.3g, KL(π*‖π) %.3g after %d steps", tc.algo, m.Gap, m.KLStar, tc.steps)
		}
	}
}

// Reward-model baselines: the BT fit is stationary, DPO's closed form is
// ref·exp(r/β), gradient descent on the DPO loss reaches it, and offline
// IPO's optimum is ref·exp(P(y ≻ μ)/τ).
func TestRewardModelBaselines(t *testing.T) {
	g, ref := egpoGame(9, 3, 5)
	env := newTestEnv(t, g, ref)
	k, b := env.K, env.B
	l := build(t, env, "rlhf", map[string]any{"tau": 0.5, "ridge": 1e-12}, Options{})
	runSteps(t, env, l, 1)
	r := l.(*rlhf).Rewards()
	for c := range b {
		// Uniform ordered pairs: Σ_j (P_kj − σ(r_k − r_j)) = 0.
		for y := range k {
			s := 0.0
			for j := range k {
				if j != y {
					s += g.At(c, y, j) - sigmoid(r[y*b+c]-r[j*b+c])
				}
			}
			if math.Abs(s) > 1e-9 {
				t.Errorf("context %d response %d: BT gradient %.3g", c, y, s)
			}
		}
	}
	// eta = 0 means one step to π ∝ ref·exp(r/τ).
	got, _ := env.read(l.Policy())
	for c := range b {
		want := make([]float64, k)
		for y := range want {
			want[y] = env.refHost[y*b+c] + r[y*b+c]/0.5
		}
		normalizeLog(want)
		col := make([]float64, k)
		getCol(col, got, k, b, c)
		if d := probDiff(col, want); d > 1e-12 {
			t.Errorf("rlhf context %d: %v, want %v", c, col, want)
		}
	}

	closed := runSteps(t, env, build(t, env, "dpo", map[string]any{"beta": 0.5, "ridge": 1e-12}, Options{}), 1)
	if d := probDiff(closed, got); d > 1e-9 {
		t.Errorf("DPO closed form with β = τ differs from RLHF by %.3g", d)
	}
	gd := runSteps(t, env, build(t, env, "dpo", map[string]any{"beta": 0.5, "lr": 20.0}, Options{}), 3000)
	if d := probDiff(closed, gd); d > 1e-6 {
		t.Errorf("gradient descent on the DPO loss ends %.3g from the closed form", d)
	}

	ipo := runSteps(t, env, build(t, env, "ipo", map[string]any{"tau": 0.25, "ridge": 1e-12}, Options{}), 1)
	uni := make([]float64, k)
	for i := range uni {
		uni[i] = 1 / float64(k)
	}
	for c := range b {
		want := make([]float64, k)
		gu := g.WinRates(c, uni, nil)
		for y := range want {
			want[y] = env.refHost[y*b+c] + gu[y]/0.25
		}
		normalizeLog(want)
		col := make([]float64, k)
		getCol(col, ipo, k, b, c)
		if d := probDiff(col, want); d > 1e-9 {
			t.Errorf("ipo context %d: %v, want %v", c, probs(col), probs(want))
		}
	}
	ipoGD := runSteps(t, env, build(t, env, "ipo", map[string]any{"tau": 0.25, "lr": 0.5}, Options{}), 3000)
	if d := probDiff(ipo, ipoGD); d > 1e-6 {
		t.Errorf("gradient descent on the IPO loss ends %.3g from its minimizer", d)
	}
}

// MNPO identities: heterogeneous players with identical oracles and r = 0
// are the ideal update; beats-all with two players is mean-pairwise.
func TestMNPOIdentities(t *testing.T) {
	g, ref := egpoGame(11, 2, 4)
	env := newTestEnv(t, g, ref)
	ideal := runSteps(t, env, build(t, env, "mnpo", map[string]any{"eta": 0.6, "players": 3}, Options{}), 20)
	ht := runSteps(t, env, build(t, env, "mnpo", map[string]any{"variant": "ht", "eta_inv": 1 / 0.6, "r": 0, "players": 3},
		Options{Oracles: []*game.Preference{g, g, g}}), 20)
	if d := probDiff(ideal, ht); d > 1e-12 {
		t.Errorf("ht with equal oracles and r = 0 differs from ideal by %.3g", d)
	}
	two := runSteps(t, env, build(t, env, "mnpo", map[string]any{"eta": 0.6, "players": 2}, Options{}), 20)
	ba := runSteps(t, env, build(t, env, "mnpo", map[string]any{"eta": 0.6, "players": 2, "aggregator": "beats_all"}, Options{}), 20)
	if d := probDiff(two, ba); d > 1e-12 {
		t.Errorf("beats_all with n = 2 differs from mean_pairwise by %.3g", d)
	}
	three := runSteps(t, env, build(t, env, "mnpo", map[string]any{"eta": 0.6, "players": 3, "aggregator": "beats_all"}, Options{}), 20)
	if d := probDiff(ideal, three); d < 1e-6 {
		t.Errorf("beats_all with n = 3 should differ from mean_pairwise (diff %.3g)", d)
	}
}

// With one oracle for all, MNPO's players stay equal and one mirror step
// serves them all; judged by copies of the game (other tensors, same
// numbers), the general per-player step runs and must agree, for every
// player and aggregator.
func TestMNPOSymmetricStepMatchesGeneral(t *testing.T) {
	g, ref := egpoGame(13, 3, 5)
	env := newTestEnv(t, g, ref)
	for _, agg := range []string{"mean_pairwise", "beats_all"} {
		for _, n := range []int{3, 4} {
			params := map[string]any{"variant": "ht", "eta_inv": 1.5, "r": 0.2, "players": n, "aggregator": agg}
			same, copies := make([]*game.Preference, n), make([]*game.Preference, n)
			for i := range n {
				same[i], copies[i] = g, g.Clone()
			}
			fast := build(t, env, "mnpo", params, Options{Oracles: same})
			slow := build(t, env, "mnpo", params, Options{Oracles: copies})
			if !fast.(*mnpo).symmetric() || slow.(*mnpo).symmetric() {
				t.Fatalf("%s, n = %d: symmetric() does not tell the cases apart", agg, n)
			}
			runSteps(t, env, fast, 15)
			runSteps(t, env, slow, 15)
			fp, sp := fast.(Players).PlayerPolicies(), slow.(Players).PlayerPolicies()
			for i := range n {
				a, err := env.read(fp[i])
				if err != nil {
					t.Fatal(err)
				}
				b, err := env.read(sp[i])
				if err != nil {
					t.Fatal(err)
				}
				if d := probDiff(a, b); d > 1e-13 {
					t.Errorf("%s, n = %d, player %d: symmetric step differs from the general one by %.3g", agg, n, i, d)
				}
				if d := probDiff(a, env.RefHost()); d < 1e-3 {
					t.Errorf("%s, n = %d, player %d: did not move (%.3g)", agg, n, i, d)
				}
			}
		}
	}
}

// At a symmetric profile of the regularized Nash, the n-player gap with the
// mean-pairwise oracle is half the two-player regularized gap (§4.11).
func TestNPlayerGapIsHalfTheTwoPlayerGap(t *testing.T) {
	g, ref := egpoGame(13, 3, 6)
	env := newTestEnv(t, g, ref)
	ev, _ := NewEvaluator(env, 0.3, false)
	pol := runSteps(t, env, build(t, env, "spo", map[string]any{"eta": 0.3}, Options{}), 5)
	m := ev.MeasureHost(pol)
	for _, n := range []int{2, 3, 5} {
		players := make([][]float64, n)
		for i := range players {
			players[i] = pol
		}
		gap, err := NPlayerGap(g, env.refHost, players, nil, game.MeanPairwise, 0.3)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(gap-m.Gap/2) > 1e-12 {
			t.Errorf("n = %d: n-player gap %v, half the two-player gap %v", n, gap, m.Gap/2)
		}
	}
}

// MMD with a moving magnet heads to the unregularized Nash (the maximal
// lottery) while the fixed magnet stops at π*_τ; on a cyclic game the
// moving magnet's exploitability ends far below the fixed one's.
func TestMMDMovingMagnet(t *testing.T) {
	c, _ := game.Cyclic(5, 0.8)
	g := c.Repeat(0, 2)
	env := newTestEnv(t, g, NormalRef(rngFor(9), 5, 2, 1))
	ev, _ := NewEvaluator(env, 0, true)
	fixed := runSteps(t, env, build(t, env, "mmd", map[string]any{"eta": 2.0, "tau": 0.5}, Options{}), 15000)
	moving := runSteps(t, env, build(t, env, "mmd", map[string]any{"eta": 2.0, "tau": 0.5, "magnet": "moving", "magnet_rate": 0.2}, Options{}), 15000)
	mf, mm := ev.MeasureHost(fixed), ev.MeasureHost(moving)
	if mf.Expl < 0.01 {
		t.Fatalf("fixed magnet exploitability %.3g: π*_τ should be visibly exploitable at τ = 0.5", mf.Expl)
	}
	if mm.Expl > 1e-6 || mm.TVLottery > 1e-6 {
		t.Errorf("moving magnet: exploitability %.3g, %.3g from the maximal lottery", mm.Expl, mm.TVLottery)
	}
}

// scalarPairWeights returns ω (K×K) of the pair distribution: uniform over
// ordered pairs of distinct responses, the reference's conditioned on
// y ≠ y', or π ⊗ π (online IPO, diagonal included).
func scalarPairWeights(kind string, ref, pi []float64) []float64 {
	k := len(ref)
	w := make([]float64, k*k)
	sum := 0.0
	for i := range k {
		for j := range k {
			switch {
			case kind == "online":
				w[i*k+j] = math.Exp(pi[i]) * math.Exp(pi[j])
			case i == j:
			case kind == "ref":
				w[i*k+j] = math.Exp(ref[i]) * math.Exp(ref[j])
			default:
				w[i*k+j] = 1
			}
			sum += w[i*k+j]
		}
	}
	if kind != "online" {
		for i := range w {
			w[i] /= sum
		}
	}
	return w
}

// scalarGradStep is one full-batch gradient step of the DPO (β > 0) or IPO
// (c = 1/(2τ)) loss with judgement weights W_ij = 2ω_ij·P_ij, written
// pair by pair from the losses' definitions.
func scalarGradStep(theta, ref, p, omega []float64, dpo bool, beta, c, lr float64) []float64 {
	k := len(theta)
	grad := make([]float64, k)
	for i := range k {
		for j := range k {
			if i == j {
				continue
			}
			wij, wji := 2*omega[i*k+j]*p[i*k+j], 2*omega[j*k+i]*p[j*k+i]
			d := (theta[i] - ref[i]) - (theta[j] - ref[j])
			if dpo {
				// ∂/∂θ_i of −Σ W log σ(β d): ascent direction.
				grad[i] += beta * (wij - (wij+wji)*sigmoid(beta*d))
			} else {
				// ∂/∂θ_i of Σ_{i<j} n d² − 2c d (W_ij − W_ji): descent.
				grad[i] -= 2 * ((wij+wji)*d - c*(wij-wji))
			}
		}
	}
	out := make([]float64, k)
	for y := range out {
		out[y] = theta[y] + lr*grad[y]
	}
	return norm(out)
}

// The host gradient steps of DPO and IPO (offline with either pair
// distribution, and online IPO) follow the losses' per-pair gradients step
// for step.
func TestGradientStepsMatchScalarReference(t *testing.T) {
	g, ref := egpoGame(21, 5, 6)
	env := newTestEnv(t, g, ref)
	k, b := env.K, env.B
	const steps = 25
	for _, tc := range []struct {
		algo   string
		params map[string]any
		pairs  string
	}{
		{"dpo", map[string]any{"beta": 0.7, "lr": 1.5}, "uniform"},
		{"dpo", map[string]any{"beta": 0.7, "lr": 1.5, "pairs": "ref"}, "ref"},
		{"ipo", map[string]any{"tau": 0.3, "lr": 0.4}, "uniform"},
		{"ipo", map[string]any{"tau": 0.3, "lr": 0.4, "pairs": "ref"}, "ref"},
		{"ipo", map[string]any{"tau": 0.3, "lr": 0.4, "sampling": "online"}, "online"},
	} {
		t.Run(fmt.Sprintf("%s/%v", tc.algo, tc.params), func(t *testing.T) {
			got := runSteps(t, env, build(t, env, tc.algo, tc.params, Options{}), steps)
			dpo := tc.algo == "dpo"
			beta, c := 0.0, 0.0
			if dpo {
				beta = tc.params["beta"].(float64)
			} else {
				c = 1 / (2 * tc.params["tau"].(float64))
			}
			lr := tc.params["lr"].(float64)
			for ctx := range b {
				r := make([]float64, k)
				getCol(r, env.refHost, k, b, ctx)
				cur := append([]float64(nil), r...)
				for range steps {
					cur = scalarGradStep(cur, r, g.Matrix(ctx), scalarPairWeights(tc.pairs, r, cur), dpo, beta, c, lr)
				}
				col := make([]float64, k)
				getCol(col, got, k, b, ctx)
				if d := probDiff(col, cur); d > 1e-12 {
					t.Errorf("context %d: differs from the scalar gradient steps by %.3g", ctx, d)
				}
			}
		})
	}
}

// dpoGradStep keeps its digits when the implicit rewards are so far apart
// that exp(β(h − max h)) underflows for both members of a pair.
func TestDPOGradStepExtremeRewards(t *testing.T) {
	rng := rngFor(3)
	const k = 7
	for trial := range 200 {
		theta, ref := make([]float64, k), make([]float64, k)
		for y := range theta {
			theta[y] = 300 * rng.NormFloat64()
			ref[y] = rng.NormFloat64()
		}
		normalizeLog(theta)
		normalizeLog(ref)
		p := make([]float64, k*k)
		for i := range k {
			p[i*k+i] = 0.5
			for j := range i {
				p[i*k+j] = rng.Float64()
				p[j*k+i] = 1 - p[i*k+j]
			}
		}
		omega := scalarPairWeights("uniform", ref, nil)
		const beta, lr = 5.0, 0.3
		want := scalarGradStep(theta, ref, p, omega, true, beta, 0, lr)
		wins := make([]float64, k*k)
		for i := range wins {
			wins[i] = 2 * omega[i] * p[i]
		}
		d := newPairData(k, 1)
		n, won, net := d.context(0)
		fromWins(wins, k, n, won, net)
		got := append([]float64(nil), theta...)
		dpoGradStep(got, ref, n, won, beta, lr, make([]float64, k), make([]float64, k))
		for y := range got {
			if diff := math.Abs(got[y] - want[y]); diff > 1e-9*max(1, math.Abs(want[y])) || math.IsNaN(got[y]) {
				t.Fatalf("trial %d response %d: log-probability %v, want %v", trial, y, got[y], want[y])
			}
		}
	}
}

// On a shared game the exact DPO and IPO learners keep one copy of the pair
// statistics for all contexts, with the same results as on the unshared
// copy (where every context has its own).
func TestGradientStepsSharedGame(t *testing.T) {
	c, err := game.Cyclic(5, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	shared := c.Repeat(0, 4)
	if !shared.Shared() {
		t.Fatal("Repeat should share the matrix")
	}
	ref := NormalRef(rngFor(7), 5, 4, 1)
	for _, tc := range []struct {
		algo   string
		params map[string]any
	}{
		{"dpo", map[string]any{"beta": 0.5, "lr": 2.0}},
		{"ipo", map[string]any{"tau": 0.4, "lr": 0.3}},
		{"ipo", map[string]any{"tau": 0.4, "lr": 0.3, "pairs": "ref"}},
	} {
		envS, envU := newTestEnv(t, shared, ref), newTestEnv(t, shared.Unshare(), ref)
		ls := build(t, envS, tc.algo, tc.params, Options{})
		got := runSteps(t, envS, ls, 40)
		want := runSteps(t, envU, build(t, envU, tc.algo, tc.params, Options{}), 40)
		if d := probDiff(got, want); d != 0 {
			t.Errorf("%s %v: shared game differs from its unshared copy by %.3g", tc.algo, tc.params, d)
		}
		uniform := tc.params["pairs"] == nil
		var d *pairData
		switch l := ls.(type) {
		case *dpo:
			d = l.data
		case *ipo:
			d = l.data
		}
		if d.shared != uniform {
			t.Errorf("%s %v: pair statistics shared = %v, want %v", tc.algo, tc.params, d.shared, uniform)
		}
	}
}
