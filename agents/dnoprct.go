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
	gold             []int   // per context, or nil
	ord              []int32 // exact: B×K, each context's responses by score (last iteration's)
	pc               probCache
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
		l.ord = make([]int32, env.K*env.B)
		for i := range l.ord {
			l.ord[i] = int32(i % env.K)
		}
		l.pc = newProbCache(l.host, env.K, env.B, l.real.tabular())
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
			var bw bestWorst
			for c := c0; c < c1; c++ {
				i := (c - c0) * k
				th := theta[i : i+k]
				pi, ok := l.pc.of(c, w.v[4])
				if !ok {
					expVec(pi, th)
				}
				bw.prepare(pi, r[i:i+k], l.ord[c*k:(c+1)*k], l.n, l.goldOf(c), w)
				if l.steps == 1 {
					// One step from θ_t sees σ(0) = 1/2 on every pair.
					g := w.v[0]
					clear(g)
					bw.marginals(g, l.margin)
					for y := range th {
						th[y] += l.lr * l.beta / 2 * g[y]
					}
					normalizeLogProbs(th, pi)
					continue
				}
				bw.law(w.m2, l.margin)
				contrastiveSteps(th, w.m2, l.beta, l.lr, l.steps, w.v[0], w.v[1], pi)
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
			judgePairs(score, g, w.rng, l.prob, c, ys)
			hi, lo := extremes(score)
			// Scores share the denominator m − 1, so the margin applies to
			// the win fractions.
			if ys[hi] != ys[lo] && (score[hi]-score[lo])/float64(m-1) > l.margin {
				q[ys[hi]*k+ys[lo]] += 1 / float64(l.groups)
			}
		}
		contrastiveSteps(theta, q, l.beta, l.lr, l.steps, w.v[0], w.v[1], w.v[4])
		l.setCol(l.host, theta, c)
	})
	return l.commitHost(weights)
}

// bestWorst holds one context's draws law of DNO-Prct's exact mode: the
// responses ordered by score, the cumulative probabilities and the gold's
// position (see dnoPrct).
type bestWorst struct {
	r          []float64 // scores by response
	ord        []int32   // ord[i−1] is the response at position i, ascending by (r, −index)
	s          []float64 // s[i] = Σ of π over positions ≤ i, i = 0…K
	rs         []float64 // rs[i−1] = r at position i
	p0, pk, dg []float64 // marginals' scratch, K+1 each
	n, gp      int       // draws; gold position (0 without one)
	strict     bool      // scores strictly ascend with the position (no ties)
}

// prepare orders the responses of one context by r (ties to the lower
// index, which ranks above) and accumulates the probabilities pi in that
// order.
// ord holds the previous iteration's order on entry (any permutation does:
// the order is unique) and the new one on return; scores move little from
// one iteration to the next, so the insertion sort has little to do.
func (bw *bestWorst) prepare(pi, r []float64, ord []int32, n, gold int, w *work) {
	k := len(pi)
	for i := 1; i < k; i++ {
		y := ord[i]
		j := i
		for ; j > 0 && (r[ord[j-1]] > r[y] || r[ord[j-1]] == r[y] && ord[j-1] < y); j-- {
			ord[j] = ord[j-1]
		}
		ord[j] = y
	}
	buf := w.floats(5 * (k + 1))
	s, rs := buf[:k+1], buf[4*(k+1):4*(k+1)+k]
	bw.p0, bw.pk, bw.dg = buf[k+1:2*(k+1)], buf[2*(k+1):3*(k+1)], buf[3*(k+1):4*(k+1)]
	s[0] = 0
	bw.gp = 0
	acc := 0.0
	for i, y := range ord {
		acc += pi[y]
		s[i+1] = acc
		rs[i] = r[y]
		if int(y) == gold {
			bw.gp = i + 1
		}
	}
	bw.strict = true
	for i := 1; i < k; i++ {
		if !(rs[i] > rs[i-1]) {
			bw.strict = false
		}
	}
	bw.rs = rs
	bw.r, bw.ord, bw.s, bw.n = r, ord, s, n
}

// h is H(i, j): the chance that every member falls in positions (j, i],
// for 0 ≤ j ≤ i ≤ K.
func (bw *bestWorst) h(i, j int) float64 {
	if i == j || bw.gp != 0 && !(j < bw.gp && bw.gp <= i) {
		return 0
	}
	return powInt(bw.s[i]-bw.s[j], bw.n)
}

// marginals adds to g, for every response y, Pr[best = y, kept] −
// Pr[worst = y, kept]. For a fixed best position a the kept worst
// positions are a prefix b ≤ B_a (scores ascend with the position), and
// the sum of q(a, b) over it telescopes to
// H(a, 0) − H(a−1, 0) − H(a, B_a) + H(a−1, B_a); likewise for a fixed
// worst b over the kept suffix a ≥ A_b. The terms H(i, 0), H(K, j) and
// H(i, i−1) — all of them when no margin or tie drops a pair — are
// vectors of powers; the rest come one by one.
func (bw *bestWorst) marginals(g []float64, margin float64) {
	k, ord, n, gp := len(bw.ord), bw.ord, bw.n, bw.gp
	s, p0, pk, dg := bw.s[:k+1], bw.p0[:k+1], bw.pk[:k+1], bw.dg[:k+1]
	dg[0] = 0
	for i := range s {
		p0[i] = s[i]
		pk[i] = s[k] - s[i]
		if i > 0 {
			dg[i] = s[i] - s[i-1]
		}
	}
	powVec(p0, n)
	powVec(pk, n)
	powVec(dg, n)
	if gp != 0 { // H(i, j) needs the gold in (j, i]
		for i := range s {
			if i < gp {
				p0[i] = 0
			} else {
				pk[i] = 0
			}
			if i != gp {
				dg[i] = 0
			}
		}
	}
	if bw.strict && margin == 0 {
		// Every pair of positions a > b is kept.
		for a := 2; a <= k; a++ {
			g[ord[a-1]] += p0[a] - p0[a-1] - dg[a]
		}
		for b := 1; b < k; b++ {
			g[ord[b-1]] -= pk[b-1] - pk[b] - dg[b]
		}
		return
	}
	rs := bw.rs
	// Best at position a: kept worsts are b ≤ ba (ba < a, non-decreasing in a).
	ba := 0
	for a := 1; a <= k; a++ {
		ra := rs[a-1]
		for ba < a-1 && ra-rs[ba] > margin {
			ba++
		}
		if ba == 0 {
			continue
		}
		v := p0[a] - p0[a-1]
		if ba == a-1 {
			v -= dg[a]
		} else {
			v += bw.h(a-1, ba) - bw.h(a, ba)
		}
		g[ord[a-1]] += v
	}
	// Worst at position b: kept bests are a ≥ ab (ab > b, non-decreasing in b).
	ab := 1
	for b := 1; b < k; b++ {
		rb := rs[b-1]
		ab = max(ab, b+1)
		for ab <= k && !(rs[ab-1]-rb > margin) {
			ab++
		}
		if ab > k {
			break
		}
		v := pk[b-1] - pk[b]
		if ab == b+1 {
			v -= dg[b]
		} else {
			v += bw.h(ab-1, b) - bw.h(ab-1, b-1)
		}
		g[ord[b-1]] -= v
	}
}

// law writes into q (K×K, q[w·K + l]) the probability that (w, l) is the
// kept (best, worst) pair: by inclusion–exclusion,
// q(a, b) = H(a, b−1) − H(a−1, b−1) − H(a, b) + H(a−1, b) for positions a > b.
func (bw *bestWorst) law(q []float64, margin float64) {
	k, r, ord := len(bw.ord), bw.r, bw.ord
	q = q[:k*k]
	clear(q)
	for a := 2; a <= k; a++ {
		ya := int(ord[a-1])
		for b := 1; b < a; b++ {
			yb := int(ord[b-1])
			if r[ya]-r[yb] > margin {
				q[ya*k+yb] = bw.h(a, b-1) - bw.h(a-1, b-1) - bw.h(a, b) + bw.h(a-1, b)
			}
		}
	}
}

// powVec raises every element of x to the power n ≥ 1.
func powVec(x []float64, n int) {
	switch n {
	case 2:
		for i, v := range x {
			x[i] = v * v
		}
	case 3:
		for i, v := range x {
			x[i] = v * v * v
		}
	case 4:
		for i, v := range x {
			v2 := v * v
			x[i] = v2 * v2
		}
	case 5:
		for i, v := range x {
			v2 := v * v
			x[i] = v2 * v2 * v
		}
	default:
		for i, v := range x {
			x[i] = powInt(v, n)
		}
	}
}

// powInt returns x^n for n ≥ 1 by repeated squaring (small n unrolled:
// the group sizes of DNO-Prct).
func powInt(x float64, n int) float64 {
	switch n {
	case 2:
		return x * x
	case 3:
		return x * x * x
	case 4:
		x2 := x * x
		return x2 * x2
	case 5:
		x2 := x * x
		return x2 * x2 * x
	}
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
// d = θ − θ_t. d and grad are K-long scratch; pi receives the new
// policy's probabilities.
func contrastiveSteps(theta, q []float64, beta, lr float64, steps int, d, grad, pi []float64) {
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
	normalizeLogProbs(theta, pi)
}
