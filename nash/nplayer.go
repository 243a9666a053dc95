package nash

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/selfplay-lab/selfplay/game"
)

// NPlayerOptions controls SolveNPlayer. The zero value gives the defaults.
type NPlayerOptions struct {
	// Tol is the largest regret accepted, relative to the payoff range
	// (max − min over all payoffs). Default 1e-9.
	Tol float64
	// MaxSupports bounds the support profiles tried by the final support
	// enumeration. Default 200000.
	MaxSupports int
}

// SolveNPlayer returns an ε-Nash equilibrium of the n-player game g and
// ε, the largest regret of any player (max_i Regret(x)_i), which is at most
// opts.Tol times the payoff range unless the error is non-nil.
//
// It tries, in order:
//
//  1. the logit QRE path (LogitQREPath) followed towards large λ; from
//     its last points it guesses the supports of the equilibrium the path
//     approaches (strategies above a probability threshold, for several
//     thresholds, plus best replies), and solves each support's
//     indifference equations (every strategy in a player's support earns
//     the same, its best, payoff; probabilities sum to one) by
//     Levenberg–Marquardt from the path point. This finds the limiting
//     logit equilibrium, the path's principled choice among several;
//  2. the pure-strategy equilibria (PureEquilibria);
//  3. support enumeration in the order of Porter, Nudelman and Shoham
//     (small and balanced supports first, supports with a conditionally
//     dominated strategy skipped), solving each support's equations from
//     the uniform point on it.
//
// Every candidate is checked on g itself with Regret. If none passes, it
// returns the profile of smallest regret it saw, that regret, and an error
// wrapping ErrNumerical.
func SolveNPlayer(ctx context.Context, g *game.Normal, opts NPlayerOptions) (game.Mixed, float64, error) {
	if opts.Tol <= 0 {
		opts.Tol = 1e-9
	}
	if opts.MaxSupports <= 0 {
		opts.MaxSupports = 200000
	}
	s := newSupportSolver(g)
	if s.scale == 0 {
		// Every profile is an equilibrium; the regret is rounding.
		return g.Uniform(), maxRegret(g, g.Uniform()), nil
	}
	s.tol = opts.Tol * s.scale
	s.best, s.bestRegret = g.Uniform(), maxRegret(g, g.Uniform())

	if x, ok := s.fromQREPath(ctx); ok {
		return x, maxRegret(g, x), nil
	}
	if err := ctx.Err(); err != nil {
		return s.best, s.bestRegret, err
	}
	if pure := PureEquilibria(g); len(pure) > 0 {
		x := make(game.Mixed, s.n)
		for i, si := range pure[0] {
			x[i] = make([]float64, s.m[i])
			x[i][si] = 1
		}
		return x, maxRegret(g, x), nil
	}
	x, ok, err := s.enumerate(ctx, opts.MaxSupports)
	if err != nil {
		return s.best, s.bestRegret, err
	}
	if ok {
		return x, maxRegret(g, x), nil
	}
	return s.best, s.bestRegret, fmt.Errorf("%w: no equilibrium with regret ≤ %g found (best %g)",
		ErrNumerical, s.tol, s.bestRegret)
}

// maxRegret returns the largest regret of any player at x.
func maxRegret(g *game.Normal, x game.Mixed) float64 {
	r := 0.0
	for _, v := range g.Regret(x) {
		r = max(r, v)
	}
	return r
}

// supportSolver solves the indifference equations of support profiles.
type supportSolver struct {
	g     *game.Normal
	n     int
	m     []int
	scale float64
	tol   float64 // absolute regret tolerance

	best       game.Mixed // lowest-regret profile seen
	bestRegret float64
	tried      map[string]bool
}

func newSupportSolver(g *game.Normal) *supportSolver {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.NumPlayers() {
		for _, v := range g.Payoffs(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return &supportSolver{g: g, n: g.NumPlayers(), m: g.Shape(), scale: hi - lo, tried: map[string]bool{}}
}

// fromQREPath follows the logit QRE path and tries the supports its last
// points suggest.
func (s *supportSolver) fromQREPath(ctx context.Context) (game.Mixed, bool) {
	path, err := LogitQREPath(ctx, s.g, QREOptions{MaxLambda: 1e7 / s.scale, StopNashConv: 1e-7})
	if len(path) == 0 {
		return nil, false
	}
	_ = err // a path that stopped early still suggests supports
	// The last few points, latest first.
	var starts []game.Mixed
	for k := len(path) - 1; k >= 0 && len(starts) < 6; k -= max(1, len(path)/12) {
		starts = append(starts, path[k].Profile)
	}
	for _, x := range starts {
		s.consider(x)
		for _, thr := range []float64{1e-2, 1e-3, 1e-4, 1e-6, 1e-9} {
			if ctx.Err() != nil {
				return nil, false
			}
			sup := supportAbove(x, thr)
			if y, ok := s.solve(sup, x); ok {
				return y, true
			}
			// Nearby supports: add each player's best reply.
			grown := s.withBestReplies(sup, x)
			if y, ok := s.solve(grown, x); ok {
				return y, true
			}
		}
	}
	return nil, false
}

// consider records x as the best profile so far if its regret is lower.
func (s *supportSolver) consider(x game.Mixed) {
	if r := maxRegret(s.g, x); r < s.bestRegret {
		s.best, s.bestRegret = x, r
	}
}

// supportAbove returns, per player, the strategies with probability above
// thr (at least the most likely one).
func supportAbove(x game.Mixed, thr float64) [][]int {
	sup := make([][]int, len(x))
	for i, xi := range x {
		top := 0
		for k, p := range xi {
			if p > thr {
				sup[i] = append(sup[i], k)
			}
			if p > xi[top] {
				top = k
			}
		}
		if len(sup[i]) == 0 {
			sup[i] = []int{top}
		}
	}
	return sup
}

// withBestReplies adds to each player's support its best pure reply to x.
func (s *supportSolver) withBestReplies(sup [][]int, x game.Mixed) [][]int {
	out := make([][]int, s.n)
	for i := range s.n {
		dev := s.g.Deviation(x, i, nil)
		b := 0
		for k, v := range dev {
			if v > dev[b] {
				b = k
			}
		}
		out[i] = append([]int(nil), sup[i]...)
		if !slices.Contains(out[i], b) {
			out[i] = append(out[i], b)
			slices.Sort(out[i])
		}
	}
	return out
}

// solve solves the indifference equations on the support profile sup from
// the start x (restricted to sup and renormalised; uniform on sup if x is
// nil) and reports the equilibrium if the solution is a distribution
// whose regret in g is within tolerance.
func (s *supportSolver) solve(sup [][]int, x game.Mixed) (game.Mixed, bool) {
	if x == nil {
		key := fmt.Sprint(sup)
		if s.tried[key] {
			return nil, false
		}
		s.tried[key] = true
	}
	sigma := make(game.Mixed, s.n)
	for i := range s.n {
		sigma[i] = make([]float64, s.m[i])
		sum := 0.0
		for _, k := range sup[i] {
			if x != nil {
				sigma[i][k] = x[i][k]
			} else {
				sigma[i][k] = 1
			}
			sum += sigma[i][k]
		}
		for _, k := range sup[i] {
			if sum > 0 {
				sigma[i][k] /= sum
			} else {
				sigma[i][k] = 1 / float64(len(sup[i]))
			}
		}
	}
	y, ok := s.newton(sup, sigma)
	if !ok {
		return nil, false
	}
	for i := range s.n {
		for k := range y[i] {
			if y[i][k] < -1e-12 {
				return nil, false
			}
		}
		if !normalizeNonneg(y[i]) {
			return nil, false
		}
	}
	r := maxRegret(s.g, y)
	if r < s.bestRegret {
		s.best, s.bestRegret = y, r
	}
	return y, r <= s.tol
}

// newton solves, by Levenberg–Marquardt steps, the equations
// u_i(k, σ_−i) = v_i for k in sup[i] and Σ_{k∈sup[i]} σ_i(k) = 1, in the
// unknowns σ_i(k) (k in sup[i]) and v_i, from sigma (zero off sup). The
// damping makes it converge to some solution also when a continuum of
// them (a degenerate game) makes the Jacobian singular. It returns the
// profile and whether the residual vanished.
func (s *supportSolver) newton(sup [][]int, sigma game.Mixed) (game.Mixed, bool) {
	n := s.n
	off := make([]int, n+1)
	for i := range n {
		off[i+1] = off[i] + len(sup[i])
	}
	K := off[n] + n // unknowns: probabilities, then values
	z := make([]float64, K)
	for i := range n {
		for a, k := range sup[i] {
			z[off[i]+a] = sigma[i][k]
		}
	}
	ev := newSupportEval(s.g, sup, s.scale)
	ev.payoffs(z[:off[n]])
	for i := range n {
		v := 0.0
		for a := range sup[i] {
			v += z[off[i]+a] * ev.u[i][a]
		}
		z[off[n]+i] = v
	}
	res := make([]float64, K)
	jac := make([]float64, K*K)
	normal := make([]float64, K*K)
	damped := make([]float64, K*K)
	step := make([]float64, K)
	rhs := make([]float64, K)
	trial := make([]float64, K)
	tres := make([]float64, K)
	mu := 1e-6
	cost := ev.residual(z, res, jac)
	for it := 0; it < 100; it++ {
		if cost < 1e-30 {
			break
		}
		// (JᵀJ + μ·diag) δ = −Jᵀr
		for a := range K {
			for b := 0; b <= a; b++ {
				sum := 0.0
				for r := range K {
					sum += jac[r*K+a] * jac[r*K+b]
				}
				normal[a*K+b], normal[b*K+a] = sum, sum
			}
			g := 0.0
			for r := range K {
				g += jac[r*K+a] * res[r]
			}
			rhs[a] = -g
		}
		improved := false
		for range 30 {
			copy(damped, normal)
			for a := range K {
				damped[a*K+a] += mu * (1 + normal[a*K+a])
			}
			copy(step, rhs)
			if !choleskySolve(damped, step, step, K) {
				mu *= 10
				continue
			}
			copy(trial, z)
			vaxpy(trial, 1, step)
			if tc := ev.residual(trial, tres, nil); tc < cost {
				copy(z, trial)
				cost = ev.residual(z, res, jac)
				mu = max(mu/10, 1e-15)
				improved = true
				break
			}
			mu *= 10
		}
		if !improved {
			break
		}
	}
	if cost > 1e-24 {
		return nil, false
	}
	out := make(game.Mixed, n)
	for i := range n {
		out[i] = make([]float64, s.m[i])
		for a, k := range sup[i] {
			out[i][k] = z[off[i]+a]
		}
	}
	return out, true
}

// supportEval evaluates the payoffs of a support profile: u[i][a] is
// player i's payoff (divided by scale) for strategy sup[i][a] against the
// others' mixtures, and pair[i][j][a*|sup j|+b] for sup[i][a] against
// sup[j][b] with the rest mixing, summing only over the supports.
type supportEval struct {
	g     *game.Normal
	sup   [][]int
	n     int
	scale float64
	sig   [][]float64 // probabilities on the supports
	u     [][]float64
	pair  [][][]float64
}

func newSupportEval(g *game.Normal, sup [][]int, scale float64) *supportEval {
	n := len(sup)
	e := &supportEval{g: g, sup: sup, n: n, scale: scale,
		sig: make([][]float64, n), u: make([][]float64, n), pair: make([][][]float64, n)}
	for i := range n {
		e.sig[i] = make([]float64, len(sup[i]))
		e.u[i] = make([]float64, len(sup[i]))
		e.pair[i] = make([][]float64, n)
		for j := range n {
			if j != i {
				e.pair[i][j] = make([]float64, len(sup[i])*len(sup[j]))
			}
		}
	}
	return e
}

// payoffs fills sig from the probabilities p (supports concatenated) and
// computes u and pair.
func (e *supportEval) payoffs(p []float64) {
	n := e.n
	at := 0
	for i := range n {
		copy(e.sig[i], p[at:at+len(e.sup[i])])
		at += len(e.sup[i])
		clear(e.u[i])
		for j := range n {
			clear(e.pair[i][j])
		}
	}
	idx := make([]int, n) // position in each support
	for {
		k := 0
		for l := range n {
			k += e.sup[l][idx[l]] * e.g.Stride(l)
		}
		for i := range n {
			a := e.g.Payoff(i, k) / e.scale
			if n == 1 {
				e.u[i][idx[i]] += a
				continue
			}
			for j := range n {
				if j == i {
					continue
				}
				w := a
				for l := range n {
					if l != i && l != j {
						w *= e.sig[l][idx[l]]
					}
				}
				e.pair[i][j][idx[i]*len(e.sup[j])+idx[j]] += w
			}
		}
		l := 0
		for ; l < n; l++ {
			idx[l]++
			if idx[l] < len(e.sup[l]) {
				break
			}
			idx[l] = 0
		}
		if l == n {
			break
		}
	}
	if n == 1 {
		return
	}
	for i := range n {
		j := 0
		if i == 0 {
			j = 1
		}
		kj := len(e.sup[j])
		for a := range e.sup[i] {
			e.u[i][a] = vdot(e.pair[i][j][a*kj:(a+1)*kj], e.sig[j])
		}
	}
}

// residual evaluates the equations at z into res (and their Jacobian into
// jac when not nil) and returns ½‖res‖².
func (e *supportEval) residual(z, res, jac []float64) float64 {
	n := e.n
	off := make([]int, n+1)
	for i := range n {
		off[i+1] = off[i] + len(e.sup[i])
	}
	K := off[n] + n
	e.payoffs(z[:off[n]])
	if jac != nil {
		clear(jac)
	}
	r := 0
	for i := range n {
		v := z[off[n]+i]
		for a := range e.sup[i] {
			res[r] = e.u[i][a] - v
			if jac != nil {
				row := jac[r*K : (r+1)*K]
				row[off[n]+i] = -1
				for j := range n {
					if j == i {
						continue
					}
					kj := len(e.sup[j])
					copy(row[off[j]:off[j]+kj], e.pair[i][j][a*kj:(a+1)*kj])
				}
			}
			r++
		}
	}
	for i := range n {
		sum := -1.0
		for a := range e.sup[i] {
			sum += z[off[i]+a]
			if jac != nil {
				jac[r*K+off[i]+a] = 1
			}
		}
		res[r] = sum
		r++
	}
	return vdot(res, res) / 2
}

// enumerate tries support profiles in the order of Porter, Nudelman and
// Shoham: by total size, then by imbalance (largest minus smallest
// support), skipping those in which some supported strategy is strictly
// dominated given the others' supports.
func (s *supportSolver) enumerate(ctx context.Context, maxSupports int) (game.Mixed, bool, error) {
	n := s.n
	total := 0
	for _, mi := range s.m {
		total += mi
	}
	tried := 0
	sizes := make([]int, n)
	for sum := n; sum <= total; sum++ {
		var profiles [][]int
		var gen func(i, left int)
		gen = func(i, left int) {
			if i == n {
				if left == 0 {
					profiles = append(profiles, append([]int(nil), sizes...))
				}
				return
			}
			for k := 1; k <= min(s.m[i], left-(n-1-i)); k++ {
				sizes[i] = k
				gen(i+1, left-k)
			}
		}
		gen(0, sum)
		slices.SortStableFunc(profiles, func(a, b []int) int {
			return (slices.Max(a) - slices.Min(a)) - (slices.Max(b) - slices.Min(b))
		})
		for _, sz := range profiles {
			x, ok, err := s.enumerateSizes(ctx, sz, &tried, maxSupports)
			if err != nil || ok {
				return x, ok, err
			}
			if tried >= maxSupports {
				return nil, false, nil
			}
		}
	}
	return nil, false, nil
}

// enumerateSizes tries every support profile with the given sizes.
func (s *supportSolver) enumerateSizes(ctx context.Context, sizes []int, tried *int, maxSupports int) (game.Mixed, bool, error) {
	n := s.n
	sup := make([][]int, n)
	var found game.Mixed
	var rec func(i int) (bool, error)
	rec = func(i int) (bool, error) {
		if i == n {
			if *tried >= maxSupports {
				return true, nil
			}
			*tried++
			if *tried&255 == 0 {
				if err := ctx.Err(); err != nil {
					return true, err
				}
			}
			if s.dominated(sup) {
				return false, nil
			}
			if x, ok := s.solve(sup, nil); ok {
				found = x
				return true, nil
			}
			return false, nil
		}
		var stop bool
		var err error
		combinations(s.m[i], sizes[i], func(c []int) bool {
			sup[i] = c
			stop, err = rec(i + 1)
			return stop
		})
		return stop, err
	}
	_, err := rec(0)
	return found, found != nil, err
}

// combinations calls f with every increasing k-subset of 0..m−1 (a fresh
// slice each time) until f returns true.
func combinations(m, k int, f func([]int) bool) {
	c := make([]int, k)
	for i := range c {
		c[i] = i
	}
	for {
		if f(append([]int(nil), c...)) {
			return
		}
		i := k - 1
		for i >= 0 && c[i] == m-k+i {
			i--
		}
		if i < 0 {
			return
		}
		c[i]++
		for j := i + 1; j < k; j++ {
			c[j] = c[j-1] + 1
		}
	}
}

// dominated reports whether some strategy in a player's support is
// strictly dominated by another of that player's strategies against every
// pure profile of the others' supports; such a support cannot carry an
// equilibrium.
func (s *supportSolver) dominated(sup [][]int) bool {
	g := s.g
	n := s.n
	idx := make([]int, n)
	for i := range n {
		for _, a := range sup[i] {
			for b := range s.m[i] {
				if b == a {
					continue
				}
				// Does b beat a against every profile of the others?
				beats := true
				clear(idx)
				for beats {
					k := 0
					for l := range n {
						if l != i {
							k += sup[l][idx[l]] * g.Stride(l)
						}
					}
					if g.Payoff(i, k+b*g.Stride(i)) <= g.Payoff(i, k+a*g.Stride(i)) {
						beats = false
						break
					}
					l := 0
					for ; l < n; l++ {
						if l == i {
							continue
						}
						idx[l]++
						if idx[l] < len(sup[l]) {
							break
						}
						idx[l] = 0
					}
					if l == n {
						break
					}
				}
				if beats {
					return true
				}
			}
		}
	}
	return false
}
