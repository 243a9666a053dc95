package agents

import "github.com/selfplay-lab/selfplay/cuda"

func dnoPrctAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "dno_prct",
		Summary: "DNO-Prct: per context K on-policy samples (+ an optional gold response) judged pairwise; DPO steps on the (best, worst) pair with π_t as reference",
		Source:  "algorithms.md §4.4 [abs; K, β, margin unverified]; exact mode: the expected update with exact scores [derived]",
		Params: []Param{
			{Name: "beta", Default: 0.1, Unverified: true, Doc: "DPO temperature β = 1/η of the contrastive loss (reference π_t)"},
			{Name: "lr", Default: 1.0, Doc: "gradient-descent learning rate on the logits"},
			{Name: "steps", Default: 1, Doc: "gradient steps on each iteration's loss (from π_t; the first sees σ(0) = 1/2 on every pair)"},
			{Name: "samples", Default: 5, Unverified: true, Doc: "on-policy samples K per context and group (DNO-Prct's K; 5 is this simulator's default)"},
			{Name: "gold", Default: "none", Doc: "gold response added to every group: none, or borda (the context's Borda winner, standing in for the paper's teacher response)"},
			{Name: "margin", Default: 0.0, Unverified: true, Doc: "a (best, worst) pair is kept only when the best's win rate exceeds the worst's by more than this"},
			{Name: "groups", Default: 1, Sampled: true, Doc: "sampled groups (one pair each at most) per context and iteration"},
			paramLabels("bernoulli"),
		},
		build: newDNOPrct,
	}
}

// dnoPrct is DNO's practical algorithm on a tabular (or projected) policy.
// Sampled: each group draws K responses from π_t, appends the gold
// response if any, judges every pair once and scores each member by its
// win fraction against the other members; the first best and the first
// worst member form the pair (y_w, y_l), kept when the responses differ
// and the scores by more than margin. The iteration's loss is
//
//	L(θ) = (1/G) Σ_kept −log σ(β[(θ − θ_t)(y_w) − (θ − θ_t)(y_l)])
//
// and the learner takes steps gradient steps θ ← θ − lr·∇L from θ_t.
//
// Exact mode: the same loss in expectation over the K draws, with each
// response scored by its exact win rate r_t(y) = P(y ≻ π_t) (the judge's
// expectation against the whole policy rather than against the other
// members; ties go to the lower index). With the responses ordered by
// score and S the cumulative probability in that order, the chance that
// all members fall in positions (j, i] is H(i, j) = (S_i − S_j)^K (times
// [j < gold ≤ i] with a gold response), and inclusion–exclusion gives the
// law of the (best, worst) positions a > b:
//
//	q(a, b) = H(a, b−1) − H(a−1, b−1) − H(a, b) + H(a−1, b).
//
// With steps = 1 the update is θ += lr·β/2·(Pr[best = y, kept] − Pr[worst = y, kept]).
type dnoPrct struct {
	*base
	beta, lr, margin float64
	steps, n, groups int
	prob             bool
	gold             []int // per context, or nil
	g                *cuda.Tensor
	gHost            []float64
}

func newDNOPrct(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("beta", "lr"); err != nil {
		return nil, err
	}
	if err := p.nonNegative("margin"); err != nil {
		return nil, err
	}
	for _, n := range []string{"steps", "samples", "groups"} {
		lo := 1
		if n == "samples" {
			lo = 2
		}
		if err := p.atLeast(n, lo); err != nil {
			return nil, err
		}
	}
	if err := p.oneOf("gold", "none", "borda"); err != nil {
		return nil, err
	}
	if err := p.oneOf("labels", "bernoulli", "probability"); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	l := &dnoPrct{base: b, beta: p.Float("beta"), lr: p.Float("lr"), margin: p.Float("margin"),
		steps: p.Int("steps"), n: p.Int("samples"), groups: p.Int("groups"), prob: p.String("labels") == "probability"}
	if p.String("gold") == "borda" {
		l.gold = make([]int, env.B)
		for c := range l.gold {
			l.gold[c] = env.Game.BordaWinner(c)
		}
	}
	if o.Mode == Exact {
		if l.g, err = l.ts.policy(); err != nil {
			l.Close()
			return nil, err
		}
		l.host = append([]float64(nil), env.refHost...)
		l.gHost = make([]float64, env.K*env.B)
	}
	return l, nil
}

// goldOf returns context c's gold response, or −1.
func (l *dnoPrct) goldOf(c int) int {
	if l.gold == nil {
		return -1
	}
	return l.gold[c]
}

func (l *dnoPrct) Step(t int) error {
	k, b := l.env.K, l.env.B
	if l.o.Mode == Exact {
		if err := l.env.Backend.WinRates(l.g, l.env.P, []*cuda.Tensor{l.cur}, []float64{1}); err != nil {
			return err
		}
		if err := l.env.Backend.Read(l.gHost, l.g); err != nil {
			return err
		}
		weights := l.projectionWeights()
		l.smp.exactBlocks(func(c0, c1 int, w *work) {
			theta, r := w.blk[0], w.blk[1]
			gather(theta, l.host, k, b, c0, c1)
			gather(r, l.gHost, k, b, c0, c1)
			for c := c0; c < c1; c++ {
				i := (c - c0) * k
				q := w.m2
				bestWorstLaw(q, theta[i:i+k], r[i:i+k], l.n, l.goldOf(c), l.margin, w)
				contrastiveSteps(theta[i:i+k], q, l.beta, l.lr, l.steps, w.v[0], w.v[1])
			}
			scatter(l.host, theta, k, b, c0, c1)
		})
		return l.commitHost(weights)
	}
	weights := l.policyWeights()
	g := l.env.Game
	l.smp.each(t, streamMain, func(c int, w *work) {
		theta, pi, q := w.v[2], w.v[3], w.m2
		l.col(theta, l.host, c)
		expInto(pi, theta)
		clear(q[:k*k])
		gold := l.goldOf(c)
		m := l.n
		if gold >= 0 {
			m++
		}
		ys, score := w.ints(m), w.floats(m)
		for range l.groups {
			for i := range l.n {
				ys[i] = sampleFrom(w.rng, pi)
			}
			if gold >= 0 {
				ys[l.n] = gold
			}
			clear(score)
			for i := range m {
				for j := i + 1; j < m; j++ {
					z := label(g, w.rng, l.prob, c, ys[i], ys[j])
					score[i] += z
					score[j] += 1 - z
				}
			}
			hi, lo := 0, 0
			for i := range m {
				if score[i] > score[hi] {
					hi = i
				}
				if score[i] < score[lo] {
					lo = i
				}
			}
			// Scores share the denominator m − 1, so the margin applies to
			// the win fractions.
			if ys[hi] != ys[lo] && (score[hi]-score[lo])/float64(m-1) > l.margin {
				q[ys[hi]*k+ys[lo]] += 1 / float64(l.groups)
			}
		}
		contrastiveSteps(theta, q, l.beta, l.lr, l.steps, w.v[0], w.v[1])
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}

// bestWorstLaw writes into q (K×K, q[w·K + l]) the probability that
// (w, l) is the kept (best, worst) pair of K = n on-policy draws from
// π = exp(theta), plus the gold response when gold ≥ 0, scored by r (ties
// to the lower index), kept when r(w) − r(l) > margin (see dnoPrct).
func bestWorstLaw(q, theta, r []float64, n, gold int, margin float64, w *work) {
	k := len(theta)
	q = q[:k*k]
	clear(q)
	pi := w.v[4]
	expVec(pi, theta)
	// ord[0..k) ascending by (r, −index): the best response is last.
	ord := w.ints(k)
	for i := range ord {
		ord[i] = i
	}
	for i := 1; i < k; i++ {
		y := ord[i]
		j := i
		for ; j > 0 && (r[ord[j-1]] > r[y] || r[ord[j-1]] == r[y] && ord[j-1] < y); j-- {
			ord[j] = ord[j-1]
		}
		ord[j] = y
	}
	// Positions are 1…K; S[i] = Σ of π over positions ≤ i; gp is the
	// gold's position (0 without one).
	buf := w.floats((k + 1) * (k + 2))
	s, h := buf[:k+1], buf[k+1:]
	gp := 0
	for i, y := range ord {
		s[i+1] = s[i] + pi[y]
		if y == gold {
			gp = i + 1
		}
	}
	// h[i·(K+1) + j] = H(i, j) for j ≤ i (H(i, i) = 0).
	w1 := k + 1
	for i := 0; i <= k; i++ {
		row := h[i*w1 : i*w1+i+1]
		for j := range row {
			v := 0.0
			if gp == 0 || j < gp && gp <= i {
				v = powInt(s[i]-s[j], n)
			}
			row[j] = v
		}
	}
	for a := 2; a <= k; a++ {
		ya := ord[a-1]
		for bb := 1; bb < a; bb++ {
			yb := ord[bb-1]
			if !(r[ya]-r[yb] > margin) {
				continue
			}
			q[ya*k+yb] = h[a*w1+bb-1] - h[(a-1)*w1+bb-1] - h[a*w1+bb] + h[(a-1)*w1+bb]
		}
	}
}

// powInt returns x^n for n ≥ 1 by repeated squaring.
func powInt(x float64, n int) float64 {
	p := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			p *= x
		}
		x *= x
	}
	return p
}

// contrastiveSteps takes steps gradient steps from θ_t = theta (normalized
// in place at the end) on Σ_{w,l} q[w·K+l]·(−log σ(β[d(w) − d(l)])),
// d = θ − θ_t. d and grad are K-long scratch.
func contrastiveSteps(theta, q []float64, beta, lr float64, steps int, d, grad []float64) {
	k := len(theta)
	clear(d)
	for s := range steps {
		clear(grad)
		for i := range k {
			row := q[i*k : (i+1)*k]
			for j, qij := range row {
				if qij == 0 {
					continue
				}
				// −∂/∂d_i = β·σ(−β(d_i − d_j)), +∂/∂d_j the same.
				sg := 0.5
				if s > 0 {
					sg = sigmoid(-beta * (d[i] - d[j]))
				}
				grad[i] += qij * sg
				grad[j] -= qij * sg
			}
		}
		for y := range d {
			d[y] += lr * beta * grad[y]
		}
	}
	for y := range theta {
		theta[y] += d[y]
	}
	normalizeLogFast(theta)
}
