package agents

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

// ErrNoConvergence reports a ground-truth solve that missed its tolerance.
var ErrNoConvergence = errors.New("agents: ground truth did not converge")

// NashTolerance is the residual to which RegularizedNash solves the fixed
// point log π = log ref + P·π/τ + c (max-norm, in logits); below τ ≈ 1e-3
// the rounding of the 1/τ-sized terms sets the floor instead, 1e-15/τ.
const NashTolerance = 1e-12

// RegularizedNash returns the regularized Nash equilibrium π*_τ of every
// context as K×B log-probabilities: the unique fixed point
// π*(y) ∝ ref(y)·exp(P(y ≻ π*)/τ) (algorithms.md §1.2), solved by Newton's
// method on (log π, c) with a backtracking line search and continuation in
// τ (from max(τ, 1) down by halves, or smaller ratios where a half fails),
// to a residual below NashTolerance.
// logRef is K×B log-probabilities. Contexts that share their matrix and
// reference are solved once.
func RegularizedNash(g *game.Preference, logRef []float64, tau float64) ([]float64, error) {
	if !(tau > 0) || math.IsInf(tau, 0) {
		return nil, fmt.Errorf("agents: regularized Nash needs a finite τ > 0, got %v", tau)
	}
	k, b := g.NumResponses(), g.NumContexts()
	out := make([]float64, k*b)
	sameRef := true
	for y := range k {
		for c := 1; c < b && sameRef; c++ {
			sameRef = logRef[y*b+c] == logRef[y*b]
		}
	}
	if g.Shared() && sameRef {
		l := make([]float64, k)
		r := make([]float64, k)
		getCol(r, logRef, k, b, 0)
		if err := regularizedNash(g.Matrix(0), r, tau, l); err != nil {
			return nil, fmt.Errorf("context 1: %w", err)
		}
		for c := range b {
			setCol(out, l, k, b, c)
		}
		return out, nil
	}
	var mu sync.Mutex
	var firstErr error
	parallelFor(b, func(c int) {
		l, r := make([]float64, k), make([]float64, k)
		getCol(r, logRef, k, b, c)
		if err := regularizedNash(g.Matrix(c), r, tau, l); err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = fmt.Errorf("context %d: %w", c+1, err)
			}
			mu.Unlock()
			return
		}
		setCol(out, l, k, b, c)
	})
	return out, firstErr
}

// parallelFor runs f(i) for i in [0, n) on GOMAXPROCS goroutines.
func parallelFor(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// regularizedNash solves one context: p is K×K row-major, logRef the
// normalized reference, l receives log π*_τ. It runs Newton's method on the
// scaled system t·(log π − log ref) − c − P·π = 0, Σπ = 1 (well conditioned
// even for tiny t) with continuation in t from max(τ, 1) down to τ, halving
// t while that converges and taking smaller ratios when it does not.
func regularizedNash(p, logRef []float64, tau float64, l []float64) error {
	k := len(logRef)
	n := k + 1
	copy(l, logRef)
	normalizeLog(l)
	c := 0.0 // the scaled constant t·c
	f, trial, jac, delta := make([]float64, n), make([]float64, n), make([]float64, n*n), make([]float64, n)
	pi, lt := make([]float64, k), make([]float64, k)
	refMax := 0.0
	for _, v := range logRef {
		refMax = max(refMax, math.Abs(v))
	}
	// resid writes the scaled residual into out and returns its max-norm
	// and the unscaled (logit) max-norm of its first K entries.
	resid := func(l []float64, c, t float64, out []float64) (scaled, logit float64) {
		expInto(pi, l)
		sum := 0.0
		for y := range k {
			g := 0.0
			row := p[y*k : (y+1)*k]
			for j, q := range pi {
				g += row[j] * q
			}
			out[y] = t*(l[y]-logRef[y]) - c - g
			sum += pi[y]
			logit = max(logit, math.Abs(out[y])/t)
		}
		out[k] = sum - 1
		for _, v := range out {
			scaled = max(scaled, math.Abs(v))
		}
		return scaled, max(logit, math.Abs(out[k]))
	}
	newton := func(t, tol float64) error {
		// Rounding floor of the logit residual: its terms are up to 1/t.
		tol = max(tol, 1e-15*(1/t+refMax))
		norm, logit := resid(l, c, t, f)
		for iter := 0; logit > tol; iter++ {
			if iter == 200 {
				return fmt.Errorf("%w: residual %.3g after %d Newton steps at τ = %v", ErrNoConvergence, logit, iter, t)
			}
			clear(jac)
			for y := range k {
				for j := range k {
					jac[y*n+j] = -p[y*k+j] * pi[j]
				}
				jac[y*n+y] += t
				jac[y*n+k] = -1
				jac[k*n+y] = pi[y]
			}
			for i := range n {
				delta[i] = -f[i]
			}
			if err := solveDense(jac, delta, n); err != nil {
				return fmt.Errorf("%w: %v at τ = %v", ErrNoConvergence, err, t)
			}
			// Keep exp(log π) in range: no log-probability may rise more
			// than 20 above max(0, max log π); falling is harmless (the
			// equations of negligible responses are nearly linear, so their
			// full Newton step is right). Then backtrack.
			top := 0.0
			for _, v := range l {
				top = max(top, v)
			}
			alpha := 1.0
			for y, d := range delta[:k] {
				if d > 0 && l[y]+d > top+20 {
					alpha = min(alpha, (top+20-l[y])/d)
				}
			}
			accepted := false
			for ; alpha > 1e-14; alpha /= 2 {
				for y := range k {
					lt[y] = l[y] + alpha*delta[y]
				}
				ct := c + alpha*delta[k]
				if nt, lg := resid(lt, ct, t, trial); nt < norm || lg <= tol {
					copy(l, lt)
					c = ct
					copy(f, trial)
					norm, logit = nt, lg
					accepted = true
					break
				}
			}
			if !accepted {
				if logit <= 100*tol {
					return nil // rounding floor reached
				}
				return fmt.Errorf("%w: line search failed at residual %.3g, τ = %v", ErrNoConvergence, logit, t)
			}
			if norm == 0 {
				return nil
			}
		}
		return nil
	}
	t := max(tau, 1)
	if err := newton(t, 1e-9); err != nil {
		return err
	}
	saveL, saveC := make([]float64, k), 0.0
	for t > tau {
		next := max(tau, t/2)
		for {
			copy(saveL, l)
			saveC = c
			err := newton(next, 1e-9)
			if err == nil {
				break
			}
			copy(l, saveL)
			c = saveC
			next = math.Sqrt(t * next)
			if t/next < 1+1e-9 {
				return err
			}
		}
		t = next
	}
	if err := newton(tau, NashTolerance); err != nil {
		return err
	}
	normalizeLog(l)
	return nil
}

// MaximalLotteries returns the maximal lottery (the Nash equilibrium of the
// unregularized game, via nash.MaximalLotteryFace on the margins 2P − 1) of
// every context as K×B probabilities, and each context's dimension of the
// set of maximal lotteries (0 when unique; the maximum-entropy member is
// returned otherwise). Contexts sharing a matrix are solved once.
func MaximalLotteries(g *game.Preference) ([]float64, []int, error) {
	k, b := g.NumResponses(), g.NumContexts()
	out := make([]float64, k*b)
	dims := make([]int, b)
	solve := func(c int) ([]float64, int, error) {
		l, err := nash.MaximalLotteryFace(context.Background(), g.Margins(c))
		if err != nil {
			return nil, 0, fmt.Errorf("context %d: maximal lottery: %w", c+1, err)
		}
		return l.P, l.FaceDim, nil
	}
	if g.Shared() {
		p, d, err := solve(0)
		if err != nil {
			return nil, nil, err
		}
		for c := range b {
			setCol(out, p, k, b, c)
			dims[c] = d
		}
		return out, dims, nil
	}
	var mu sync.Mutex
	var firstErr error
	parallelFor(b, func(c int) {
		p, d, err := solve(c)
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		setCol(out, p, k, b, c)
		dims[c] = d
	})
	return out, dims, firstErr
}

// Metrics are exact measures of one policy, averaged over contexts with the
// game's context distribution ρ.
type Metrics struct {
	// Gap is the duality gap of the KL-regularized game at the evaluation
	// τ, 2τ log Z(π) + 2τ KL(π‖ref) − 1 (τ > 0), or 2·Expl at τ = 0.
	Gap float64 `json:"gap"`
	// Expl is the one-sided unregularized exploitability max_y P(y ≻ π) − 1/2;
	// the unregularized duality gap is 2·Expl.
	Expl float64 `json:"expl"`
	// KLRef is KL(π‖ref).
	KLRef float64 `json:"kl_ref"`
	// KLStar is KL(π*_τ‖π) (NaN without ground truth).
	KLStar float64 `json:"kl_star"`
	// WinRef is P(π ≻ ref); WinStar is P(π ≻ π*_τ) (NaN without ground truth).
	WinRef  float64 `json:"win_ref"`
	WinStar float64 `json:"win_star"`
	// Entropy of π in nats.
	Entropy float64 `json:"entropy"`
	// TVLottery is the total-variation distance from π to the maximal
	// lottery (NaN without ground truth).
	TVLottery float64 `json:"tv_lottery"`
	// MassCondorcet is the probability π puts on the Condorcet winner, over
	// contexts that have one (NaN if none does); MassBorda and
	// MassCopeland the mass on the Borda and Copeland winners.
	MassCondorcet float64 `json:"mass_condorcet"`
	MassBorda     float64 `json:"mass_borda"`
	MassCopeland  float64 `json:"mass_copeland"`
}

// Evaluator computes Metrics of policies on an Env at a fixed evaluation τ.
type Evaluator struct {
	env       *Env
	tau       float64
	star      []float64 // K×B log π*_τ (the maximal lottery at τ = 0), nil without ground truth
	lottery   []float64 // K×B maximal-lottery probabilities, nil without ground truth
	faceDims  []int
	gRef      []float64 // K×B P·ref
	gStar     []float64 // K×B P·π*
	condorcet []int     // per context, −1 when none
	borda     []int
	copeland  []int

	gap, kl, expl *cuda.Tensor
	gapH, klH     []float64
	explH, polH   []float64
}

// NewEvaluator prepares exact measures at regularization tau ≥ 0. With
// groundTruth (and τ > 0) it solves for π*_τ (RegularizedNash) so that
// KLStar and WinStar are available.
func NewEvaluator(env *Env, tau float64, groundTruth bool) (*Evaluator, error) {
	if !(tau >= 0) || math.IsInf(tau, 0) {
		return nil, fmt.Errorf("agents: evaluation τ = %v: want a finite number ≥ 0", tau)
	}
	k, b := env.K, env.B
	ev := &Evaluator{env: env, tau: tau}
	var err error
	for _, t := range []**cuda.Tensor{&ev.gap, &ev.kl, &ev.expl} {
		if *t, err = env.alloc(1); err != nil {
			return nil, err
		}
	}
	ev.gapH, ev.klH, ev.explH = make([]float64, b), make([]float64, b), make([]float64, b)
	ev.polH = make([]float64, k*b)
	refProb := make([]float64, k*b)
	expInto(refProb, env.refHost)
	ev.gRef = winRatesHost(env.Game, refProb, k, b)
	if groundTruth {
		if ev.lottery, ev.faceDims, err = MaximalLotteries(env.Game); err != nil {
			return nil, err
		}
		if tau > 0 {
			ev.star, err = RegularizedNash(env.Game, env.refHost, tau)
		} else {
			ev.star = make([]float64, k*b)
			for i, p := range ev.lottery {
				ev.star[i] = math.Log(p)
			}
		}
		if err != nil {
			return nil, err
		}
		sp := make([]float64, k*b)
		expInto(sp, ev.star)
		ev.gStar = winRatesHost(env.Game, sp, k, b)
	}
	ev.condorcet, ev.borda, ev.copeland = make([]int, b), make([]int, b), make([]int, b)
	for c := range b {
		if w, ok := env.Game.CondorcetWinner(c, false); ok {
			ev.condorcet[c] = w
		} else {
			ev.condorcet[c] = -1
		}
		ev.borda[c] = env.Game.BordaWinner(c)
		ev.copeland[c] = env.Game.CopelandWinner(c)
	}
	return ev, nil
}

// Tau returns the evaluation τ.
func (ev *Evaluator) Tau() float64 { return ev.tau }

// Star returns the K×B log-probabilities of π*_τ (of the maximal lottery
// when τ = 0), or nil without ground truth.
func (ev *Evaluator) Star() []float64 { return ev.star }

// Lottery returns the K×B maximal-lottery probabilities and each context's
// dimension of the set of maximal lotteries, or nil without ground truth.
func (ev *Evaluator) Lottery() ([]float64, []int) { return ev.lottery, ev.faceDims }

// winRatesHost returns P·π for K×B probabilities on the host.
func winRatesHost(g *game.Preference, prob []float64, k, b int) []float64 {
	out := make([]float64, k*b)
	col, gcol := make([]float64, k), make([]float64, k)
	for c := range b {
		getCol(col, prob, k, b, c)
		g.WinRates(c, col, gcol)
		setCol(out, gcol, k, b, c)
	}
	return out
}

// Measure returns the exact metrics of the K×B log-policy pol.
func (ev *Evaluator) Measure(pol *cuda.Tensor) (Metrics, error) {
	env := ev.env
	m := cuda.Measure{Pol: pol, Ref: env.Ref, P: env.P, Tau: ev.tau, Gap: ev.gap, KL: ev.kl, Expl: ev.expl}
	if _, err := env.Backend.Measure(&m); err != nil {
		return Metrics{}, err
	}
	for _, rd := range []struct {
		dst []float64
		src *cuda.Tensor
	}{{ev.gapH, ev.gap}, {ev.klH, ev.kl}, {ev.explH, ev.expl}, {ev.polH, pol}} {
		if err := env.Backend.Read(rd.dst, rd.src); err != nil {
			return Metrics{}, err
		}
	}
	return ev.measureHost(ev.polH), nil
}

// MeasureHost returns the metrics of K×B log-probabilities held on the
// host (computed on the host; used for policies that never were tensors).
func (ev *Evaluator) MeasureHost(logPol []float64) Metrics {
	env := ev.env
	k, b := env.K, env.B
	pi, ref := make([]float64, k), make([]float64, k)
	g := make([]float64, k)
	for c := range b {
		getCol(pi, logPol, k, b, c)
		getCol(ref, env.refHost, k, b, c)
		prob := make([]float64, k)
		expInto(prob, pi)
		env.Game.WinRates(c, prob, g)
		best, kl := math.Inf(-1), 0.0
		for y := range k {
			best = max(best, g[y])
			if prob[y] > 0 {
				kl += prob[y] * (pi[y] - ref[y])
			}
		}
		ev.explH[c] = best - 0.5
		ev.klH[c] = kl
		if ev.tau > 0 {
			z := make([]float64, k)
			for y := range k {
				z[y] = ref[y] + g[y]/ev.tau
			}
			ev.gapH[c] = 2*ev.tau*logSumExp(z) + 2*ev.tau*kl - 1
		} else {
			ev.gapH[c] = 2 * (best - 0.5)
		}
	}
	return ev.measureHost(logPol)
}

func (ev *Evaluator) measureHost(logPol []float64) Metrics {
	env := ev.env
	k, b := env.K, env.B
	var mt Metrics
	hasStar := ev.star != nil
	condW := 0.0
	pi := make([]float64, k)
	for c := range b {
		rho := env.rho[c]
		mt.Gap += rho * ev.gapH[c]
		mt.KLRef += rho * ev.klH[c]
		mt.Expl += rho * ev.explH[c]
		getCol(pi, logPol, k, b, c)
		ent, win, winStar, klStar, tv := 0.0, 0.0, 0.0, 0.0, 0.0
		for y, l := range pi {
			p := math.Exp(l)
			if p > 0 {
				ent -= p * l
			}
			win += p * ev.gRef[y*b+c]
			if ev.lottery != nil {
				tv += math.Abs(p-ev.lottery[y*b+c]) / 2
			}
			if hasStar {
				winStar += p * ev.gStar[y*b+c]
				if s := ev.star[y*b+c]; !math.IsInf(s, -1) {
					klStar += math.Exp(s) * (s - l)
				}
			}
		}
		mt.Entropy += rho * ent
		mt.WinRef += rho * win
		mt.WinStar += rho * winStar
		mt.KLStar += rho * klStar
		mt.TVLottery += rho * tv
		if w := ev.condorcet[c]; w >= 0 {
			mt.MassCondorcet += rho * math.Exp(pi[w])
			condW += rho
		}
		mt.MassBorda += rho * math.Exp(pi[ev.borda[c]])
		mt.MassCopeland += rho * math.Exp(pi[ev.copeland[c]])
	}
	if condW > 0 {
		mt.MassCondorcet /= condW
	} else {
		mt.MassCondorcet = math.NaN()
	}
	if !hasStar {
		mt.WinStar, mt.KLStar = math.NaN(), math.NaN()
	}
	if ev.lottery == nil {
		mt.TVLottery = math.NaN()
	}
	return mt
}

// WinRateMatrix returns W[a][b] = E_ρ[π_aᵀ P π_b] for the K×B log-policies
// pols (host arrays): the probability that policy a's response is preferred
// to policy b's. W + Wᵀ = 1 and the diagonal is 1/2.
func WinRateMatrix(g *game.Preference, pols [][]float64) [][]float64 {
	k, b := g.NumResponses(), g.NumContexts()
	n := len(pols)
	w := make([][]float64, n)
	for i := range w {
		w[i] = make([]float64, n)
	}
	pa, pb := make([]float64, k), make([]float64, k)
	for c := range b {
		rho := g.Weight(c)
		for i := range n {
			getCol(pa, pols[i], k, b, c)
			expInto(pa, pa)
			for j := range n {
				getCol(pb, pols[j], k, b, c)
				expInto(pb, pb)
				w[i][j] += rho * g.Value(c, pa, pb)
			}
		}
	}
	return w
}

// NPlayerGap returns MNPO's unified duality gap (algorithms.md §4.11) of a
// profile of n ≥ 2 players given as K×B log-policies: for each player i, the
// gain max_π' J_i(π', O) − J_i(π_i, O) of a best unilateral deviation against
// the others, with J_i(π, O) = E_ρ[Σ_y π(y) ḡ_i(y) − τ KL(π‖ref)] and ḡ_i the
// group win rate of each response against the other players under
// oracles[i] (the game itself when oracles is nil) and the aggregator. The
// deviation value is τ log Σ ref·exp(ḡ/τ) for τ > 0 and max ḡ for τ = 0.
// It returns the largest player gap.
func NPlayerGap(g *game.Preference, logRef []float64, players [][]float64, oracles []*game.Preference, agg game.Aggregator, tau float64) (float64, error) {
	n := len(players)
	if n < 2 {
		return 0, fmt.Errorf("agents: n-player gap of %d players", n)
	}
	if oracles != nil && len(oracles) != n {
		return 0, fmt.Errorf("agents: %d oracles for %d players", len(oracles), n)
	}
	k, b := g.NumResponses(), g.NumContexts()
	worst := math.Inf(-1)
	ref := make([]float64, k)
	for i := range n {
		oracle := g
		if oracles != nil {
			oracle = oracles[i]
		}
		gap := 0.0
		for c := range b {
			var opps [][]float64
			for j := range n {
				if j != i {
					q := make([]float64, k)
					getCol(q, players[j], k, b, c)
					expInto(q, q)
					opps = append(opps, q)
				}
			}
			gbar, err := oracle.GroupWinRates(agg, c, opps, nil)
			if err != nil {
				return 0, err
			}
			getCol(ref, logRef, k, b, c)
			li := make([]float64, k)
			getCol(li, players[i], k, b, c)
			val, kl := 0.0, 0.0
			for y := range k {
				p := math.Exp(li[y])
				val += p * gbar[y]
				if p > 0 {
					kl += p * (li[y] - ref[y])
				}
			}
			var dev float64
			if tau > 0 {
				z := make([]float64, k)
				for y := range k {
					z[y] = ref[y] + gbar[y]/tau
				}
				dev = tau * logSumExp(z)
			} else {
				dev = math.Inf(-1)
				for _, v := range gbar {
					dev = max(dev, v)
				}
			}
			gap += g.Weight(c) * (dev - (val - tau*kl))
		}
		worst = max(worst, gap)
	}
	return worst, nil
}
