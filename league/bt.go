package league

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ErrNoMLE reports data for which the Bradley–Terry maximum-likelihood
// estimate does not exist for any two players: no player both beat (or
// tied) and lost to (or tied) the others in one strongly connected group.
var ErrNoMLE = errors.New("bradley-terry: the maximum-likelihood estimate does not exist")

// BTConfig parameterises the Bradley–Terry fit.
type BTConfig struct {
	// Prior adds this many virtual games, each a tie, between every player
	// and a fixed average player (β = 0). Any Prior > 0 makes every
	// strength finite, so every player is rated; 0 fits the exact maximum
	// likelihood over the largest strongly connected group of players and
	// excludes the others.
	Prior float64
}

func (c BTConfig) validate() error {
	if !(c.Prior >= 0) || math.IsInf(c.Prior, 0) {
		return fmt.Errorf("bt: prior %v: expected a number ≥ 0", c.Prior)
	}
	return nil
}

// btNewtonMax is the largest player count fitted by Newton's method with a
// dense Hessian; larger fits use minorisation–maximisation, whose steps
// cost O(pairs) instead of O(players³).
const btNewtonMax = 1000

// btFit holds strengths β (natural-log odds scale) for players 0..n−1 of a
// pair list, and the covariance of β when it was computed.
type btFit struct {
	beta  []float64
	iters int
	cov   *mat.SymDense // nil unless requested
}

// fitBT maximises the Bradley–Terry likelihood
//
//	Σ_pairs S_ij log σ(β_i − β_j) + (G_ij − S_ij) log σ(β_j − β_i)
//
// (ties are half a win each way) plus, when prior > 0, prior/2 log σ(β_i) +
// prior/2 log σ(−β_i) per player. Without a prior the players must be
// strongly connected and β is returned with mean zero.
//
// start, when not nil, is the starting point (the default is β = 0).
func fitBT(pairs []pairStat, n int, prior float64, wantCov bool, start []float64) (btFit, error) {
	if n <= btNewtonMax {
		return btNewton(pairs, n, prior, wantCov, start)
	}
	return btMM(pairs, n, prior, start)
}

// btLogSigmoid is log σ(x), accurate for large |x|.
func btLogSigmoid(x float64) float64 {
	if x >= 0 {
		return -math.Log1p(math.Exp(-x))
	}
	return x - math.Log1p(math.Exp(x))
}

func btSigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// btLogLik is the objective of fitBT.
func btLogLik(pairs []pairStat, beta []float64, prior float64) float64 {
	var ll float64
	for _, p := range pairs {
		d := beta[p.I] - beta[p.J]
		ll += p.ScoreI*btLogSigmoid(d) + (p.Games-p.ScoreI)*btLogSigmoid(-d)
	}
	if prior > 0 {
		for _, b := range beta {
			ll += prior / 2 * (btLogSigmoid(b) + btLogSigmoid(-b))
		}
	}
	return ll
}

// btNewton is Newton's method with backtracking. The negative Hessian is a
// weighted graph Laplacian, singular along 1 without a prior; adding 11ᵀ
// fixes that direction, and since the gradient sums to zero the step keeps
// Σβ = 0.
func btNewton(pairs []pairStat, n int, prior float64, wantCov bool, start []float64) (btFit, error) {
	beta := make([]float64, n)
	copy(beta, start)
	grad := make([]float64, n)
	h := mat.NewSymDense(n, nil)
	step := mat.NewVecDense(n, nil)
	g := mat.NewVecDense(n, grad)
	var chol mat.Cholesky
	ll := btLogLik(pairs, beta, prior)
	const maxIter = 200
	for it := 1; it <= maxIter; it++ {
		btHessian(pairs, beta, prior, grad, h)
		if err := dampedSolve(&chol, h, g, step); err != nil {
			return btFit{}, fmt.Errorf("bradley-terry: iteration %d: %w", it, err)
		}
		// Far from the optimum (a warm start from another data set, a
		// player whose record changed completely) a Newton step on the
		// logistic likelihood can be huge, and out there the curvature
		// vanishes; cap it at btMaxStep nats, the line search does the rest.
		var big float64
		for i := range n {
			big = max(big, math.Abs(step.AtVec(i)))
		}
		if big > btMaxStep {
			step.ScaleVec(btMaxStep/big, step)
		}
		// Backtrack until the likelihood does not fall: far from the
		// optimum a full Newton step can overshoot.
		t := 1.0
		next := make([]float64, n)
		var llNext float64
		for {
			for i := range beta {
				next[i] = beta[i] + t*step.AtVec(i)
			}
			llNext = btLogLik(pairs, next, prior)
			if llNext >= ll-1e-12*math.Abs(ll) || t < 1e-10 {
				break
			}
			t /= 2
		}
		var move float64
		for i := range beta {
			move = max(move, math.Abs(next[i]-beta[i]))
		}
		beta, ll = next, llNext
		if move < 1e-10 {
			fit := btFit{beta: beta, iters: it}
			if prior == 0 {
				btCentre(beta)
			}
			if wantCov {
				btHessian(pairs, beta, prior, grad, h)
				cov, err := btCovariance(h, n, prior == 0)
				if err != nil {
					return btFit{}, err
				}
				fit.cov = cov
			}
			return fit, nil
		}
	}
	return btFit{}, fmt.Errorf("bradley-terry: Newton did not converge in %d iterations", maxIter)
}

// btMaxStep caps one Newton step, in natural-log odds (about 870 rating
// points).
const btMaxStep = 5

// dampedSolve solves h·x = g by Cholesky. When h is not numerically
// positive definite (nearly separated data drive some curvatures to
// zero), it adds λI with λ growing from 10⁻¹⁰ of the mean diagonal until
// the factorisation succeeds: a Levenberg–Marquardt step, still an ascent
// direction. h is modified only in that case.
func dampedSolve(chol *mat.Cholesky, h *mat.SymDense, g, x *mat.VecDense) error {
	n := h.SymmetricDim()
	var lambda float64
	for !chol.Factorize(h) {
		if lambda == 0 {
			var tr float64
			for i := range n {
				tr += h.At(i, i)
			}
			lambda = 1e-10 * max(tr/float64(n), 1)
		} else {
			lambda *= 100
		}
		if lambda > 1e12 {
			return errors.New("the Hessian cannot be made positive definite")
		}
		for i := range n {
			h.SetSym(i, i, h.At(i, i)+lambda)
		}
	}
	// Ill-conditioning alone is fine: gonum still solves and reports a
	// mat.Condition, and the line search keeps the step safe.
	if err := chol.SolveVecTo(x, g); err != nil && !isCondition(err) {
		return err
	}
	return nil
}

// btHessian fills grad with the gradient of btLogLik at beta and h with
// the negative Hessian, plus 11ᵀ when there is no prior.
func btHessian(pairs []pairStat, beta []float64, prior float64, grad []float64, h *mat.SymDense) {
	n := len(beta)
	raw := h.RawSymmetric()
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		for j := range row {
			row[j] = 0
		}
		grad[i] = 0
	}
	for _, p := range pairs {
		q := btSigmoid(beta[p.I] - beta[p.J])
		gi := p.ScoreI - p.Games*q
		w := p.Games * q * (1 - q)
		grad[p.I] += gi
		grad[p.J] -= gi
		i, j := int(p.I), int(p.J) // i < j: the upper triangle
		raw.Data[i*raw.Stride+i] += w
		raw.Data[j*raw.Stride+j] += w
		raw.Data[i*raw.Stride+j] -= w
	}
	for i := range n {
		if prior > 0 {
			q := btSigmoid(beta[i])
			grad[i] += prior * (0.5 - q)
			raw.Data[i*raw.Stride+i] += prior * q * (1 - q)
			continue
		}
		for j := i; j < n; j++ {
			raw.Data[i*raw.Stride+j]++
		}
	}
}

// btCovariance inverts the information matrix h (as filled by btHessian).
// Without a prior h = L + 11ᵀ and the covariance of the mean-zero MLE is
// the pseudo-inverse L⁺ = h⁻¹ − 11ᵀ/n².
func btCovariance(h *mat.SymDense, n int, gauge bool) (*mat.SymDense, error) {
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return nil, errors.New("bradley-terry: information matrix is singular")
	}
	var cov mat.SymDense
	if err := chol.InverseTo(&cov); err != nil && !isCondition(err) {
		return nil, fmt.Errorf("bradley-terry: covariance: %w", err)
	}
	if gauge {
		k := 1 / float64(n*n)
		for i := range n {
			for j := i; j < n; j++ {
				cov.SetSym(i, j, cov.At(i, j)-k)
			}
		}
	}
	return &cov, nil
}

// isCondition reports whether err only warns of ill-conditioning.
func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}

// btCentre shifts beta to mean zero.
func btCentre(beta []float64) {
	var m float64
	for _, b := range beta {
		m += b
	}
	m /= float64(len(beta))
	for i := range beta {
		beta[i] -= m
	}
}

// btMM is Hunter's (2004) minorisation–maximisation iteration
// γ_i ← W_i / Σ_j G_ij/(γ_i + γ_j), with W_i player i's total score and
// the prior's virtual ties against a player of strength γ = 1.
func btMM(pairs []pairStat, n int, prior float64, start []float64) (btFit, error) {
	gamma := make([]float64, n)
	wins := make([]float64, n)
	den := make([]float64, n)
	for i := range gamma {
		gamma[i] = 1
		if start != nil {
			gamma[i] = math.Exp(start[i])
		}
		wins[i] = prior / 2
	}
	for _, p := range pairs {
		wins[p.I] += p.ScoreI
		wins[p.J] += p.Games - p.ScoreI
	}
	const maxIter = 100000
	for it := 1; it <= maxIter; it++ {
		for i := range den {
			den[i] = prior / (gamma[i] + 1)
		}
		for _, p := range pairs {
			d := p.Games / (gamma[p.I] + gamma[p.J])
			den[p.I] += d
			den[p.J] += d
		}
		// Stop once every gradient component W_i − γ_i·den_i is tiny
		// relative to the player's score: MM converges linearly, so a
		// small step alone does not mean a small error.
		var grad float64
		for i := range gamma {
			grad = max(grad, math.Abs(wins[i]-gamma[i]*den[i])/(1+wins[i]))
		}
		if grad < 1e-12 {
			beta := make([]float64, n)
			for i, g := range gamma {
				beta[i] = math.Log(g)
			}
			if prior == 0 {
				btCentre(beta)
			}
			return btFit{beta: beta, iters: it}, nil
		}
		var logSum float64
		for i := range gamma {
			next := wins[i] / den[i]
			if !(next > 0) || math.IsInf(next, 0) {
				return btFit{}, fmt.Errorf("bradley-terry: MM reached strength %v for player %d (players not strongly connected?)", next, i)
			}
			gamma[i] = next
			logSum += math.Log(next)
		}
		if prior == 0 { // rescale: only ratios matter
			s := math.Exp(-logSum / float64(n))
			for i := range gamma {
				gamma[i] *= s
			}
		}
	}
	return btFit{}, fmt.Errorf("bradley-terry: MM did not converge in %d iterations", maxIter)
}

// strongComponents returns the strongly connected components of the graph
// on n nodes with an edge i→j when i scored against j (won or tied), in
// reverse topological order (Tarjan), each sorted ascending.
func strongComponents(pairs []pairStat, n int) [][]int32 {
	adj := make([][]int32, n)
	for _, p := range pairs {
		if p.ScoreI > 0 {
			adj[p.I] = append(adj[p.I], p.J)
		}
		if p.Games-p.ScoreI > 0 {
			adj[p.J] = append(adj[p.J], p.I)
		}
	}
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int32
	var comps [][]int32
	next := int32(0)
	type frame struct{ v, edge int32 }
	for root := range int32(n) {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if int(f.edge) < len(adj[f.v]) {
				w := adj[f.v][f.edge]
				f.edge++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				var comp []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				slices.Sort(comp)
				comps = append(comps, comp)
			}
		}
	}
	return comps
}

// stronglyConnected reports whether the players 0..n−1 of pairs form one
// strongly connected component.
func stronglyConnected(pairs []pairStat, n int) bool {
	return len(strongComponents(pairs, n)) == 1
}
