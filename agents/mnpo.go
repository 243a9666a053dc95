package agents

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

func mnpoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "mnpo",
		Summary: "Multiplayer Nash Preference Optimization: ideal n-player update, TD-MNPO (past iterates as opponents) or HT-MNPO (heterogeneous oracles)",
		Source:  "algorithms.md §4.11 [paper][code:smiles724/MNPO]",
		Params: []Param{
			{Name: "variant", Default: "ideal", Doc: "ideal (eq. 10: n players, geometric mean of opponents), td (eq. 17: one policy, history of past iterates) or ht (eq. 18: n players, player i judged by oracle i)"},
			{Name: "players", Default: 3, Doc: "number of players n (ideal, ht; 2 ≤ n ≤ 9)"},
			{Name: "eta", Default: 1.0, Doc: "ideal: step size η of eq. 10"},
			{Name: "eta_inv", Default: 1.0, Doc: "td, ht: inverse step η of the loss target 1/(2η) (paper code: 0.0075)"},
			{Name: "r", Default: 1.0 / 3, Doc: "td, ht: weight of the reference among the anchors (paper code: 1/3)"},
			{Name: "depth", Default: 2, Doc: "td: number of past iterates π_t, π_{t−1}, … used as opponents (paper code: 2; fewer exist in early iterations)"},
			{Name: "weights", Default: []float64{}, Doc: "td: history weights w_j (normalized over the iterates that exist); empty means uniform, the official code's effective default"},
			{Name: "aggregator", Default: "mean_pairwise", Doc: "group oracle: mean_pairwise (the update's own), beats_all or plackett_luce (exact mode only)"},
			paramSamples(100),
			paramLabels("bernoulli"),
			{Name: "ridge", Default: 1e-3, Sampled: true, Doc: "ridge of the exact solve of the pairwise square loss"},
		},
		build: newMNPO,
	}
}

// mnpo implements the three variants on the generic mirror step:
//
//	ideal: log π_i' = (1/(n−1)) Σ_{j≠i} log π_j + η·G_i
//	ht:    log π_i' = r·log ref + (1−r)(1/(n−1)) Σ_{j≠i} log π_j + (1/η)·G_i   (G_i from oracle i)
//	td:    log π'   = r·log ref + (1−r) Σ_j λ_j log π_{t−j} + (1/η)·P·π_t
//
// with G_i the group win rate of each response against the other players
// (for mean_pairwise, (1/(n−1)) Σ_j P·π_j). Sampled: the pairwise square
// loss (h − 1/(2η))² of eqs. 12–17 on N judged pairs, solved exactly; pairs
// are drawn from the opponents' uniform mixture (ideal, ht — so the
// minimizer estimates the mean-pairwise win rate) or from π_t (td).
type mnpo struct {
	*base
	variant  string
	n, depth int
	step, r  float64
	lam      []float64
	agg      game.Aggregator
	samples  int
	prob     bool
	ridge    float64
	oracles  []*game.Preference
	oracleP  []*cuda.Tensor
	players  []*cuda.Tensor // ideal, ht: current policies (players[0] = cur)
	next     []*cuda.Tensor
	past     []*cuda.Tensor // td: past[0] = π_t
	spare    *cuda.Tensor
	gT       *cuda.Tensor
	hosts    [][]float64 // sampled: players' (or past iterates') log-policies
}

func newMNPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.oneOf("variant", "ideal", "td", "ht"); err != nil {
		return nil, err
	}
	if err := p.positive("eta", "eta_inv"); err != nil {
		return nil, err
	}
	if r := p.Float("r"); !(r >= 0 && r <= 1) {
		return nil, p.errf("r", "%v: want a number in [0, 1]", r)
	}
	if err := p.atLeast("depth", 1); err != nil {
		return nil, err
	}
	if p.Int("depth") > cuda.MaxTerms {
		return nil, p.errf("depth", "%d: at most %d past iterates", p.Int("depth"), cuda.MaxTerms)
	}
	agg, err := game.ParseAggregator(p.String("aggregator"))
	if err != nil {
		return nil, p.errf("aggregator", "%v", err)
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	if err := p.nonNegative("ridge"); err != nil {
		return nil, err
	}
	variant := p.String("variant")
	l := &mnpo{variant: variant, n: p.Int("players"), depth: p.Int("depth"), r: p.Float("r"), agg: agg,
		samples: p.Int("samples"), prob: p.String("labels") == "probability", ridge: p.Float("ridge")}
	if variant == "ideal" {
		l.step = p.Float("eta")
	} else {
		l.step = 1 / p.Float("eta_inv")
	}
	if variant == "td" {
		l.n = 2
		w := p.Floats("weights")
		if len(w) > 0 && len(w) != l.depth {
			return nil, p.errf("weights", "%d weights for depth %d", len(w), l.depth)
		}
		for i, v := range w {
			if !(v >= 0) {
				return nil, p.errf("weights", "weight %d is %v: want ≥ 0", i+1, v)
			}
		}
		if len(w) == 0 {
			w = make([]float64, l.depth)
			for i := range w {
				w[i] = 1
			}
		}
		l.lam = w
	} else {
		if l.n < 2 || l.n-1 > cuda.MaxTerms {
			return nil, p.errf("players", "%d: want 2 ≤ n ≤ %d", l.n, cuda.MaxTerms+1)
		}
		if o.Policy != nil && o.Policy.Name() != "tabular" {
			return nil, p.errf("variant", "%s MNPO trains several players and needs the tabular policy class", variant)
		}
	}
	if o.Mode == Sampled && agg != game.MeanPairwise {
		return nil, p.errf("aggregator", "%s: the sampled mode uses the paper's pairwise loss and supports mean_pairwise only", agg)
	}
	if agg == game.PlackettLuce && env.Game.Scores(0) == nil {
		return nil, p.errf("aggregator", "plackett_luce needs a Bradley–Terry game")
	}
	if variant == "ht" {
		if len(o.Oracles) != l.n {
			return nil, p.errf("variant", "ht MNPO needs one oracle game per player: %d oracles for %d players", len(o.Oracles), l.n)
		}
		for i, g := range o.Oracles {
			if g.NumResponses() != env.K || g.NumContexts() != env.B {
				return nil, p.errf("variant", "oracle %d is %d contexts × %d responses, the game %d × %d", i+1, g.NumContexts(), g.NumResponses(), env.B, env.K)
			}
		}
		l.oracles = o.Oracles
	} else {
		l.oracles = make([]*game.Preference, l.n)
		for i := range l.oracles {
			l.oracles[i] = env.Game
		}
	}
	if l.base, err = newBase(env, o); err != nil {
		return nil, err
	}
	if err := l.alloc(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *mnpo) alloc() error {
	env := l.env
	var err error
	if l.variant == "td" {
		if l.o.Mode == Exact {
			l.past = []*cuda.Tensor{l.cur}
			l.spare, err = l.ts.policy()
		}
		return err
	}
	l.players = []*cuda.Tensor{l.cur}
	for len(l.players) < l.n {
		t, err := l.ts.policy()
		if err != nil {
			return err
		}
		l.players = append(l.players, t)
	}
	if l.o.Mode == Sampled {
		l.hosts = [][]float64{l.host}
		for len(l.hosts) < l.n {
			l.hosts = append(l.hosts, append([]float64(nil), env.refHost...))
		}
		return nil
	}
	for range l.n {
		t, err := l.ts.policy()
		if err != nil {
			return err
		}
		l.next = append(l.next, t)
	}
	for _, g := range l.oracles {
		if g == env.Game {
			l.oracleP = append(l.oracleP, env.P)
			continue
		}
		t, err := uploadPreference(env.Backend, g)
		if err != nil {
			return err
		}
		l.ts.list = append(l.ts.list, t)
		l.oracleP = append(l.oracleP, t)
	}
	if l.agg != game.MeanPairwise {
		l.gT, err = l.ts.policy()
	}
	return err
}

// PlayerPolicies returns every player's current policy (td: the single
// policy).
func (l *mnpo) PlayerPolicies() []*cuda.Tensor {
	if l.variant == "td" {
		return []*cuda.Tensor{l.cur}
	}
	return l.players
}

// tdWeights returns the normalized history weights λ for the iterates that
// exist at iteration t.
func (l *mnpo) tdWeights(t int) []float64 {
	m := min(l.depth, t+1)
	lam := make([]float64, m)
	sum := 0.0
	for j := range m {
		sum += l.lam[j]
	}
	for j := range m {
		if sum > 0 {
			lam[j] = l.lam[j] / sum
		} else {
			lam[j] = 1 / float64(m)
		}
	}
	return lam
}

// anchors returns the coefficients (on ref, on each opponent log) of the
// update's anchor for n−1 opponents.
func (l *mnpo) anchors() (refCoef, oppCoef float64) {
	if l.variant == "ideal" {
		return 0, 1 / float64(l.n-1)
	}
	return l.r, (1 - l.r) / float64(l.n-1)
}

func (l *mnpo) Step(t int) error {
	if l.o.Mode == Sampled {
		return l.stepSampled(t)
	}
	env := l.env
	if l.variant == "td" {
		lam := l.tdWeights(t)
		hist := l.past[:len(lam)]
		c := make([]float64, len(lam))
		for j := range lam {
			c[j] = (1 - l.r) * lam[j]
		}
		s := cuda.Step{Out: l.spare, Ref: env.Ref, B: l.r, Hist: hist, C: c, D: l.step, P: env.P,
			Opp: []*cuda.Tensor{l.cur}, W: []float64{1}}
		if err := env.Backend.Mirror(&s); err != nil {
			return err
		}
		// The new iterate goes in front; the oldest beyond depth is recycled.
		l.past = append([]*cuda.Tensor{l.spare}, l.past...)
		l.spare = nil
		if len(l.past) > l.depth {
			l.spare = l.past[l.depth]
			l.past = l.past[:l.depth]
		} else {
			var err error
			if l.spare, err = l.ts.policy(); err != nil {
				return err
			}
		}
		l.cur = l.past[0]
		return l.afterExact(true)
	}
	refCoef, oppCoef := l.anchors()
	w := 1 / float64(l.n-1)
	var hostPol [][]float64
	if l.agg != game.MeanPairwise {
		hostPol = make([][]float64, l.n)
		for i, pt := range l.players {
			var err error
			if hostPol[i], err = env.read(pt); err != nil {
				return err
			}
		}
	}
	if l.symmetric() {
		return l.stepSymmetric(refCoef, oppCoef, hostPol)
	}
	for i := range l.n {
		var opps []*cuda.Tensor
		var cs, ws []float64
		for j := range l.n {
			if j != i {
				opps = append(opps, l.players[j])
				cs = append(cs, oppCoef)
				ws = append(ws, w)
			}
		}
		s := cuda.Step{Out: l.next[i], Ref: env.Ref, B: refCoef, Hist: opps, C: cs, D: l.step, P: l.oracleP[i], Opp: opps, W: ws}
		if l.agg != game.MeanPairwise {
			if err := l.groupRates(i, hostPol); err != nil {
				return err
			}
			s.Opp, s.W, s.G = nil, nil, l.gT
		}
		if err := env.Backend.Mirror(&s); err != nil {
			return err
		}
	}
	l.players, l.next = l.next, l.players
	l.cur = l.players[0]
	return nil
}

// symmetric reports whether every player is judged by the Env's own
// preferences. The players then start equal (at the reference) and take
// identical steps, so they stay equal: one player's step serves all.
func (l *mnpo) symmetric() bool {
	for _, p := range l.oracleP {
		if p != l.env.P {
			return false
		}
	}
	return true
}

// stepSymmetric is the exact step when every player holds the same policy
// π: the anchor Σ_{j≠i} c·log π_j is (n−1)c·log π and the opponents'
// mixture is π itself, so one mirror step computes every player's next
// policy (equal to the general step's up to rounding) and the others copy it.
func (l *mnpo) stepSymmetric(refCoef, oppCoef float64, hostPol [][]float64) error {
	env := l.env
	pi := l.players[0]
	s := cuda.Step{Out: l.next[0], Ref: env.Ref, B: refCoef, Hist: []*cuda.Tensor{pi}, C: []float64{float64(l.n-1) * oppCoef},
		D: l.step, P: env.P, Opp: []*cuda.Tensor{pi}, W: []float64{1}}
	if l.agg != game.MeanPairwise {
		if err := l.groupRates(0, hostPol); err != nil {
			return err
		}
		s.Opp, s.W, s.G = nil, nil, l.gT
	}
	if err := env.Backend.Mirror(&s); err != nil {
		return err
	}
	for _, t := range l.next[1:] {
		if err := env.Backend.Copy(t, l.next[0]); err != nil {
			return err
		}
	}
	l.players, l.next = l.next, l.players
	l.cur = l.players[0]
	return nil
}

// groupRates uploads to gT the expected group win rate of every response of
// player i against the other players (host computation).
func (l *mnpo) groupRates(i int, pol [][]float64) error {
	env := l.env
	k, b := env.K, env.B
	out := make([]float64, k*b)
	var firstErr error
	l.smp.each(0, 0, func(c int, w *work) {
		var opps [][]float64
		for j := range l.n {
			if j != i {
				q := make([]float64, k)
				getCol(q, pol[j], k, b, c)
				expInto(q, q)
				opps = append(opps, q)
			}
		}
		g, err := l.oracles[i].GroupWinRates(l.agg, c, opps, w.v[0])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return
		}
		setCol(out, g, k, b, c)
	})
	if firstErr != nil {
		return fmt.Errorf("agents: mnpo group oracle: %w", firstErr)
	}
	return env.Backend.Write(l.gT, out)
}

func (l *mnpo) stepSampled(t int) error {
	env := l.env
	k := env.K
	c2 := l.step / 2
	if l.variant == "td" {
		lam := l.tdWeights(t)
		weights := l.policyWeights()
		next := make([]float64, len(l.host))
		l.smp.each(t, streamMain, func(c int, w *work) {
			theta, ref, pi, anchor, past, u := w.v[0], w.v[1], w.v[2], w.v[3], w.v[4], w.v[5]
			l.col(theta, l.host, c)
			l.col(ref, env.refHost, c)
			expInto(pi, theta)
			for y := range anchor {
				anchor[y] = l.r*ref[y] + (1-l.r)*lam[0]*theta[y]
			}
			for j, lj := range lam[1:] {
				l.col(past, l.hosts[j], c)
				for y := range anchor {
					anchor[y] += (1 - l.r) * lj * past[y]
				}
			}
			pairSolve(env.Game, w, l.prob, c, pi, c2, l.samples, l.ridge, u)
			for y := range theta {
				theta[y] = anchor[y] + u[y]
			}
			normalizeLog(theta)
			setCol(next, theta, k, env.B, c)
		})
		// hosts holds π_{t−1}, π_{t−2}, … (depth − 1 of them).
		if l.depth > 1 {
			l.hosts = append([][]float64{append([]float64(nil), l.host...)}, l.hosts...)
			if len(l.hosts) > l.depth-1 {
				l.hosts = l.hosts[:l.depth-1]
			}
		}
		copy(l.host, next)
		return l.commitHost(weights)
	}
	refCoef, oppCoef := l.anchors()
	nextHosts := make([][]float64, l.n)
	for i := range l.n {
		nextHosts[i] = make([]float64, len(l.host))
	}
	for i := range l.n {
		l.smp.each(t, streamMain+uint64(i)<<8, func(c int, w *work) {
			theta, ref, mixture, q, u := w.v[0], w.v[1], w.v[2], w.v[3], w.v[5]
			l.col(ref, env.refHost, c)
			clear(mixture)
			for y := range theta {
				theta[y] = refCoef * ref[y]
			}
			for j := range l.n {
				if j == i {
					continue
				}
				l.col(q, l.hosts[j], c)
				for y := range theta {
					theta[y] += oppCoef * q[y]
				}
				expInto(q, q)
				for y := range mixture {
					mixture[y] += q[y] / float64(l.n-1)
				}
			}
			pairSolve(l.oracles[i], w, l.prob, c, mixture, c2, l.samples, l.ridge, u)
			for y := range theta {
				theta[y] += u[y]
			}
			normalizeLog(theta)
			setCol(nextHosts[i], theta, k, env.B, c)
		})
	}
	for i := range l.n {
		copy(l.hosts[i], nextHosts[i])
		if i > 0 {
			if err := env.Backend.Write(l.players[i], l.hosts[i]); err != nil {
				return err
			}
		}
	}
	return l.commitHost(nil)
}

// pairSolve writes into u the exact minimizer of the pairwise square loss
// with target gap c on n pairs drawn i.i.d. from dist and judged by g
// (identity §2.3: u → 2c(P(y ≻ dist) − 1/2)).
func pairSolve(g *game.Preference, w *work, prob bool, c int, dist []float64, gap float64, n int, ridge float64, u []float64) {
	k := len(u)
	lap := w.m
	clear(u)
	clear(lap)
	for range n {
		y, y2 := sampleFrom(w.rng, dist), sampleFrom(w.rng, dist)
		addPair(lap, u, k, y, y2, label(g, w.rng, prob, c, y, y2), gap)
	}
	if err := solvePairs(u, lap, k, ridge); err != nil {
		clear(u)
	}
}
