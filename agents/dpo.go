package agents

import "math"

func dpoAlgorithm() *Algorithm {
	return &Algorithm{
		Name:    "dpo",
		Summary: "Direct Preference Optimization: logistic loss on β·log-ratio gaps over pairs from μ_s; optimum π ∝ ref·exp(r̂_BT/β)",
		Source:  "algorithms.md §3.2 [derived/standard]",
		Params: []Param{
			{Name: "beta", Default: 0.1, Doc: "DPO temperature β"},
			{Name: "lr", Default: 0.0, Doc: "gradient-descent learning rate per iteration on the DPO loss; 0 means the minimizer at the first iteration (the closed form in the exact mode)"},
			paramPairs(),
			{Name: "ridge", Default: 1e-4, Doc: "ridge on the implicit reward β·log(π/ref) when solving for the minimizer (lr = 0)"},
			paramSamples(1000),
			paramLabels("bernoulli"),
		},
		build: newDPO,
	}
}

// dpo minimizes E_{(y,y')~μ_s}[−log σ(β(h(y_w) − h(y_l)))], h = log π/ref:
// exactly with soft labels P (exact mode) or on a fixed data set of N
// Bernoulli-labelled pairs per context drawn at the first iteration
// (sampled mode). lr = 0 jumps to the minimizer, π ∝ ref·exp(r̂/β) with r̂
// the (ridge-regularized) Bradley–Terry fit; lr > 0 takes one full-batch
// gradient step per iteration.
type dpo struct {
	*base
	beta, lr, ridge float64
	pairs           string
	samples         int
	prob            bool
	data            *pairData // the judgements in pair form (lr > 0)
	rows            *pairRows // data laid out for dpoGradRows
}

func newDPO(env *Env, p Params, o Options) (Learner, error) {
	if err := p.positive("beta"); err != nil {
		return nil, err
	}
	if err := p.nonNegative("lr", "ridge"); err != nil {
		return nil, err
	}
	if err := p.oneOf("pairs", "uniform", "ref"); err != nil {
		return nil, err
	}
	if err := sampledParams(p); err != nil {
		return nil, err
	}
	b, err := newBase(env, o)
	if err != nil {
		return nil, err
	}
	if b.host == nil {
		b.host = append([]float64(nil), env.refHost...)
	}
	return &dpo{base: b, beta: p.Float("beta"), lr: p.Float("lr"), ridge: p.Float("ridge"), pairs: p.String("pairs"),
		samples: p.Int("samples"), prob: p.String("labels") == "probability"}, nil
}

func (l *dpo) Step(t int) error {
	k, bb := l.env.K, l.env.B
	if l.lr == 0 {
		if t > 0 {
			return nil
		}
		r := fitRewards(l.base, l.pairs, l.samples, l.prob, l.ridge)
		for i := range l.host {
			l.host[i] = l.env.refHost[i] + r[i]/l.beta
		}
		col := make([]float64, k)
		for c := range bb {
			l.col(col, l.host, c)
			normalizeLog(col)
			l.setCol(l.host, col, c)
		}
		return l.commitHost(nil)
	}
	if t == 0 {
		l.data = collectPairs(l.base, l.pairs, l.samples, l.prob)
		l.rows = newPairRows(l.data, bb)
	}
	l.smp.exactBlocks(func(c0, c1 int, w *work) {
		dpoGradRows(l.host, l.env.refHost, l.rows, bb, c0, c1, l.beta, l.lr, w)
	})
	return l.commitHost(nil)
}

// pairRows is pairData laid out for dpoGradRows: the pair weights
// pair-major (np×B, pair p of context c at p·B + c) and the wins
// response-major (K×B), so that one pair's or one response's values over
// a block of contexts are contiguous; a shared game keeps one value each.
type pairRows struct {
	shared bool
	n, won []float64 // np×B and K×B, or np and K when shared
}

func newPairRows(d *pairData, b int) *pairRows {
	if d.shared {
		n, won, _ := d.context(0)
		return &pairRows{shared: true, n: n, won: won}
	}
	r := &pairRows{n: make([]float64, d.np*b), won: make([]float64, d.k*b)}
	for c := range b {
		n, won, _ := d.context(c)
		for p, v := range n {
			r.n[p*b+c] = v
		}
		for y, v := range won {
			r.won[y*b+c] = v
		}
	}
	return r
}

// row returns contexts [c0, c1) of row i of a (rows×B) array a, or fills
// fill with a's i-th value when shared.
func (r *pairRows) row(a []float64, i, b, c0, c1 int, fill []float64) []float64 {
	if r.shared {
		fill = fill[:c1-c0]
		for c := range fill {
			fill[c] = a[i]
		}
		return fill
	}
	return a[i*b+c0 : i*b+c1]
}

// dpoGradRows is dpoGradStep on contexts [c0, c1) of the K×B log-policy
// host, in place, working on rows (one response or one pair over the
// block's contexts) instead of one context at a time: the loops are long
// and free of loop-carried dependencies, so the divisions of different
// contexts overlap, and the policy needs no gather and scatter. Every
// context sees the same operations in the same order as dpoGradStep, so
// the numbers are the same.
func dpoGradRows(host, ref []float64, d *pairRows, b, c0, c1 int, beta, lr float64, w *work) {
	k, nw := len(host)/b, c1-c0
	e, grad := w.blk[0][:k*nw], w.blk[1][:k*nw]
	m, gi := w.blk[2][:nw], w.blk[2][nw:2*nw]
	fill, s := w.blk[3][:nw], w.blk[3][nw:2*nw]
	for c := range m {
		m[c] = math.Inf(-1)
	}
	for y := range k {
		ey, th, rf := e[y*nw:(y+1)*nw], host[y*b+c0:y*b+c1], ref[y*b+c0:y*b+c1]
		for c := range ey {
			ey[c] = beta * (th[c] - rf[c])
			m[c] = max(m[c], ey[c])
		}
	}
	for y := range k {
		ey := e[y*nw : (y+1)*nw]
		for c := range ey {
			ey[c] -= m[c]
		}
		copy(grad[y*nw:(y+1)*nw], d.row(d.won, y, b, c0, c1, fill))
	}
	expVec(e, e)
	p := 0
	for i := range k {
		ei := e[i*nw : (i+1)*nw]
		clear(gi)
		for j := i + 1; j < k; j++ {
			n := d.row(d.n, p, b, c0, c1, fill)
			p++
			ej, gj := e[j*nw:(j+1)*nw], grad[j*nw:(j+1)*nw]
			ej, gj, gi := ej[:len(n)], gj[:len(n)], gi[:len(n)]
			ei := ei[:len(n)]
			for c, nij := range n {
				var v float64
				if den := ei[c] + ej[c]; den >= 0x1p-1000 {
					v = nij * ei[c] / den
				} else { // both far below the largest: see dpoGradStep
					v = nij * dpoSigmoid(host, ref, b, c0+c, i, j, beta)
				}
				gi[c] -= v
				gj[c] -= nij - v
			}
		}
		gy := grad[i*nw : (i+1)*nw]
		for c, v := range gi {
			gy[c] += v
		}
	}
	step := lr * beta
	clear(s)
	for y := range k {
		th, gy, ey := host[y*b+c0:y*b+c1], grad[y*nw:(y+1)*nw], e[y*nw:(y+1)*nw]
		for c := range th {
			th[c] += step * gy[c]
		}
		expVec(ey, th)
		for c, v := range ey {
			s[c] += v
		}
	}
	// Normalize as normalizeLogProbs does: by the sum of the exponentials
	// when it is a modest number, else by the shifted path.
	col := w.v[0]
	for c, sc := range s {
		if sc >= 0x1p-1000 && sc <= 0x1p1000 {
			s[c] = math.Log(sc)
			continue
		}
		getCol(col, host, k, b, c0+c)
		normalizeLogFast(col)
		setCol(host, col, k, b, c0+c)
		s[c] = 0
	}
	for y := range k {
		th := host[y*b+c0 : y*b+c1]
		for c := range th {
			th[c] -= s[c]
		}
	}
}

// dpoSigmoid is σ(β(h_i − h_j)) of context c, h = θ − log ref, for the
// pairs whose exponentials both underflow.
func dpoSigmoid(host, ref []float64, b, c, i, j int, beta float64) float64 {
	return sigmoid(beta * ((host[i*b+c] - ref[i*b+c]) - (host[j*b+c] - ref[j*b+c])))
}

// dpoGradStep takes one gradient step of the DPO loss on one context's
// log-policy theta (normalized in place), with pair weights n and wins won
// (see pairData). The gradient in the implicit reward h = β(θ − log ref) is
//
//	∂/∂h_i = Σ_j W_ij − Σ_j n_ij σ(h_i − h_j),
//
// and σ(h_i − h_j) = e_i/(e_i + e_j) with e = exp(h − max h): K
// exponentials and one division per pair instead of a sigmoid per pair.
// e and grad are K-long scratch.
func dpoGradStep(theta, ref, n, won []float64, beta, lr float64, e, grad []float64) {
	k := len(theta)
	m := math.Inf(-1)
	for y := range e {
		e[y] = beta * (theta[y] - ref[y])
		m = max(m, e[y])
	}
	for y := range e {
		e[y] -= m
	}
	expVec(e, e)
	copy(grad, won)
	p := 0
	for i := range k {
		// Pairs (i, j > i), resliced so that the loop runs without bounds
		// checks. With e_i ≥ 2^−1000 no denominator e_i + e_j is tiny.
		nn := n[p : p+k-1-i]
		p += len(nn)
		ej, gj := e[i+1:i+1+len(nn)], grad[i+1:i+1+len(nn)]
		ei, gi := e[i], 0.0
		if ei >= 0x1p-1000 {
			for j, nij := range nn {
				s := nij * ei / (ei + ej[j])
				gi -= s
				gj[j] -= nij - s
			}
		} else {
			for j, nij := range nn {
				var s float64
				if den := ei + ej[j]; den >= 0x1p-1000 {
					s = nij * ei / den
				} else { // both far below the largest: the ratio would lose its digits
					s = nij * sigmoid(beta*((theta[i]-ref[i])-(theta[i+1+j]-ref[i+1+j])))
				}
				gi -= s
				gj[j] -= nij - s
			}
		}
		grad[i] += gi
	}
	for y := range theta {
		theta[y] += lr * beta * grad[y]
	}
	normalizeLogProbs(theta, e) // e is free now: one vector exp

}
