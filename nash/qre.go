package nash

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

// QREOptions controls logit QRE path following. The zero value gives the
// defaults.
type QREOptions struct {
	// MaxLambda ends the path once λ exceeds it, in the game's payoff units
	// (λ multiplies payoffs). Default: 1e8 divided by the payoff range.
	MaxLambda float64
	// StopNashConv ends the path early once the profile's NashConv is at
	// most StopNashConv times the payoff range. Default 0: follow the path
	// to MaxLambda.
	StopNashConv float64
	// Tol is the corrector's tolerance on the step in log-probabilities,
	// absolute until they exceed 1e5 in size (far along the path, where
	// rounding in λ·u grows), relative to 1e-5 of their size after. Default
	// 1e-10.
	Tol float64
	// MaxSteps bounds the number of accepted path steps. Default 100000.
	MaxSteps int
	// Keep, when set, is called with every accepted point; if it reports
	// false the point is not stored in the returned path (the path is
	// still followed). Nil keeps every point.
	Keep func(QREPoint) bool
}

func (o QREOptions) withDefaults(scale float64) QREOptions {
	if o.MaxLambda <= 0 {
		o.MaxLambda = 1e8 / scale
	}
	if o.Tol <= 0 {
		o.Tol = 1e-10
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 100000
	}
	return o
}

// QREPoint is one point of the logit QRE path.
type QREPoint struct {
	Lambda   float64
	Profile  game.Mixed
	NashConv float64 // NashConv of Profile in g
	// Perturbation is 0 for a point of g's own path, or ε > 0 for a point
	// of the path of a perturbed game, followed because g's own path met a
	// branch point (see LogitQREPath): a QRE of a game whose payoffs differ
	// from g's by at most ε times their range.
	Perturbation float64
}

// ErrBadLambda reports a negative or non-finite logit precision λ.
var ErrBadLambda = errors.New("nash: logit precision λ must be finite and ≥ 0")

// LogitQRE returns the logit quantal response equilibrium of g at
// precision lambda on the principal branch: the profile σ with
// σ_i(s) ∝ exp(λ·u_i(s, σ_{−i})) for every player i and strategy s that is
// reached from the uniform profile (λ = 0) by following the QRE path. A
// game can have several QRE at one λ; this is the one the path meets
// first, the one that QRE-based equilibrium selection (the limiting logit
// equilibrium) follows. In a degenerate game whose path meets a branch
// point, the path of a slightly perturbed game (see QREPoint.Perturbation)
// leads there, and the point is then solved on g itself.
// opts.MaxLambda and opts.StopNashConv are ignored.
func LogitQRE(ctx context.Context, g *game.Normal, lambda float64, opts QREOptions) (game.Mixed, error) {
	if math.IsNaN(lambda) || math.IsInf(lambda, 0) || lambda < 0 {
		return nil, fmt.Errorf("%w: got %v", ErrBadLambda, lambda)
	}
	sys := newQRESystem(g, 0)
	if sys.scale == 0 || lambda == 0 {
		return g.Uniform(), nil
	}
	opts = opts.withDefaults(sys.scale)
	opts.MaxLambda = lambda
	opts.StopNashConv = 0
	x, err := sys.follow(ctx, opts, nil, lambda)
	for _, eps := range qrePerturb {
		if !errors.Is(err, errQREBranch) {
			break
		}
		var xp []float64
		if xp, err = newQRESystem(g, eps).follow(ctx, opts, nil, lambda); err == nil {
			var ok bool
			if x, ok = sys.fixedLambda(xp, opts.Tol); !ok {
				err = fmt.Errorf("%w: logit QRE at λ = %g not found near the perturbed path", ErrNumerical, lambda)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return sys.profile(x), nil
}

// LogitQREPath follows the principal branch of the logit QRE
// correspondence of g from λ = 0 (every player uniform) towards a Nash
// equilibrium, by predictor–corrector continuation in the arc length of
// the curve in (log σ, λ) space, as McKelvey and Palfrey and Turocy
// describe: a tangent predictor, Newton correctors on the hyperplane
// orthogonal to the tangent, and a step size that doubles after easy
// corrections and halves after failed ones or sharp turns. Working in
// log-probabilities keeps the strategies that vanish as λ grows accurate,
// and arc length carries the path around turning points in λ.
//
// In degenerate games (ties in payoffs) the path can run into a branch
// point, where it may loop back; when that is detected the path of a game
// whose payoffs are moved by at most 1e-7 of their range (1e-5, 1e-3 if
// needed) is followed instead, and its points record the perturbation.
//
// The path ends at opts.MaxLambda or once the NashConv is small enough
// (opts.StopNashConv). It returns the accepted points in order (see
// opts.Keep).
func LogitQREPath(ctx context.Context, g *game.Normal, opts QREOptions) ([]QREPoint, error) {
	sys := newQRESystem(g, 0)
	if sys.scale == 0 {
		return []QREPoint{{Lambda: 0, Profile: g.Uniform()}}, nil
	}
	opts = opts.withDefaults(sys.scale)
	var path []QREPoint
	perturbed := 0.0
	visit := func(p QREPoint) {
		p.Perturbation = perturbed
		if opts.Keep == nil || opts.Keep(p) {
			path = append(path, p)
		}
	}
	_, err := sys.follow(ctx, opts, visit, math.Inf(1))
	for _, eps := range qrePerturb {
		if !errors.Is(err, errQREBranch) {
			break
		}
		path, perturbed = path[:0], eps
		_, err = newQRESystem(g, eps).follow(ctx, opts, visit, math.Inf(1))
	}
	return path, err
}

// qrePerturb lists the payoff perturbations, relative to the payoff
// range, tried in turn when a degenerate game's QRE path meets a branch
// point: the smallest that lets the path through is used. Near-branch
// points of a slightly perturbed game can still trap the tracker, hence
// the larger ones.
var qrePerturb = [...]float64{1e-7, 1e-5, 1e-3}

// errQREBranch reports that path following met a branch point: the path
// came back below λ = 0, stopped making progress in λ, or stalled.
var errQREBranch = errors.New("logit QRE path met a branch point")

// qreSystem is the QRE equations of a game in the unknowns
// x = (v, λ'), v the log-probabilities of every strategy of every player
// (player by player) and λ' = λ·scale, payoffs divided by scale (the
// payoff range) so that λ' is unitless. For each player i, with strategy 0
// as reference:
//
//	Σ_s exp(v_is) − 1 = 0,
//	v_is − v_i0 − λ'·(u_i(s, σ_−i) − u_i(0, σ_−i)) = 0   (s ≥ 1),
//
// with σ = exp(v): as many equations as strategies, one unknown more, so
// the solutions form curves.
type qreSystem struct {
	g     *game.Normal
	pay   [][]float64 // pay[i][k]: player i's payoff at profile k, divided by scale
	scale float64
	n     int
	m     []int // strategies per player
	off   []int // offset of player i's strategies in v
	size  int   // Σ m
	sigma game.Mixed
	// pair[i][j][s*m_j+t] = u_i(s, t, σ_−ij)/scale, the payoff to i of s
	// when j plays t and the others mix; dev[i][s] = u_i(s, σ_−i)/scale.
	pair [][][]float64
	dev  [][]float64
	prof []int
	lu   denseLU
}

// newQRESystem sets up the equations of g. With perturb > 0 every payoff
// is moved by a seeded random amount of at most perturb times the payoff
// range, which makes the QRE correspondence regular (no branch points) with
// probability one.
func newQRESystem(g *game.Normal, perturb float64) *qreSystem {
	q := &qreSystem{g: g, n: g.NumPlayers(), m: g.Shape()}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range q.n {
		for _, v := range g.Payoffs(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	q.scale = hi - lo
	q.pay = make([][]float64, q.n)
	r := rand.New(rand.NewPCG(0x9e3779b9, uint64(g.NumProfiles())))
	for i := range q.n {
		q.pay[i] = make([]float64, g.NumProfiles())
		if q.scale == 0 {
			continue
		}
		for k, v := range g.Payoffs(i) {
			q.pay[i][k] = v / q.scale
			if perturb > 0 {
				q.pay[i][k] += perturb * (2*r.Float64() - 1)
			}
		}
	}
	q.off = make([]int, q.n+1)
	for i, mi := range q.m {
		q.off[i+1] = q.off[i] + mi
	}
	q.size = q.off[q.n]
	q.sigma = g.Uniform()
	q.pair = make([][][]float64, q.n)
	q.dev = make([][]float64, q.n)
	for i := range q.n {
		q.pair[i] = make([][]float64, q.n)
		for j := range q.n {
			if j != i {
				q.pair[i][j] = make([]float64, q.m[i]*q.m[j])
			}
		}
		q.dev[i] = make([]float64, q.m[i])
	}
	q.prof = make([]int, q.n)
	return q
}

// payoffs fills sigma = exp(v), pair and dev.
func (q *qreSystem) payoffs(v []float64) {
	for i := range q.n {
		for s := range q.m[i] {
			q.sigma[i][s] = math.Exp(v[q.off[i]+s])
		}
		for j := range q.n {
			clear(q.pair[i][j])
		}
		clear(q.dev[i])
	}
	g := q.g
	for k := range g.NumProfiles() {
		s := g.Profile(k, q.prof)
		for i := range q.n {
			a := q.pay[i][k]
			if q.n == 1 {
				q.dev[i][s[i]] += a
				continue
			}
			for j := range q.n {
				if j == i {
					continue
				}
				w := a
				for l := range q.n {
					if l != i && l != j {
						w *= q.sigma[l][s[l]]
					}
				}
				q.pair[i][j][s[i]*q.m[j]+s[j]] += w
			}
		}
	}
	if q.n == 1 {
		return
	}
	for i := range q.n {
		j := 0
		if i == 0 {
			j = 1
		}
		mj := q.m[j]
		for s := range q.m[i] {
			q.dev[i][s] = vdot(q.pair[i][j][s*mj:(s+1)*mj], q.sigma[j])
		}
	}
}

// eval writes the equations' values at x into h (len size) and, if jac is
// not nil, their Jacobian (size × (size+1), row-major) into jac.
func (q *qreSystem) eval(x, h, jac []float64) {
	v, lam := x[:q.size], x[q.size]
	q.payoffs(v)
	w := q.size + 1
	if jac != nil {
		clear(jac)
	}
	for i := range q.n {
		r0 := q.off[i]
		sum := -1.0
		for s, p := range q.sigma[i] {
			sum += p
			if jac != nil {
				jac[r0*w+r0+s] = p
			}
		}
		h[r0] = sum
		d0 := q.dev[i][0]
		for s := 1; s < q.m[i]; s++ {
			r := r0 + s
			h[r] = v[r0+s] - v[r0] - lam*(q.dev[i][s]-d0)
			if jac == nil {
				continue
			}
			row := jac[r*w : (r+1)*w]
			row[r0+s] = 1
			row[r0] = -1
			row[q.size] = -(q.dev[i][s] - d0)
			for j := range q.n {
				if j == i {
					continue
				}
				mj := q.m[j]
				ps, p0 := q.pair[i][j][s*mj:(s+1)*mj], q.pair[i][j][:mj]
				for t := range mj {
					row[q.off[j]+t] = -lam * (ps[t] - p0[t]) * q.sigma[j][t]
				}
			}
		}
	}
}

// profile returns the normalised mixed profile of the point x.
func (q *qreSystem) profile(x []float64) game.Mixed {
	p := make(game.Mixed, q.n)
	for i := range q.n {
		p[i] = make([]float64, q.m[i])
		hi := math.Inf(-1)
		for s := range q.m[i] {
			hi = max(hi, x[q.off[i]+s])
		}
		sum := 0.0
		for s := range q.m[i] {
			p[i][s] = math.Exp(x[q.off[i]+s] - hi)
			sum += p[i][s]
		}
		for s := range p[i] {
			p[i][s] /= sum
		}
	}
	return p
}

func (q *qreSystem) point(x []float64) QREPoint {
	p := q.profile(x)
	return QREPoint{Lambda: x[q.size] / q.scale, Profile: p, NashConv: q.g.NashConv(p)}
}

// follow traces the path from λ = 0. It calls visit (if not nil) with
// every accepted point and stops at opts.MaxLambda or opts.StopNashConv;
// when target is finite it instead stops where the path first reaches
// λ = target and returns the point there, solved at fixed λ.
func (q *qreSystem) follow(ctx context.Context, opts QREOptions, visit func(QREPoint), target float64) ([]float64, error) {
	N := q.size
	W := N + 1
	x := make([]float64, W)
	for i := range q.n {
		for s := range q.m[i] {
			x[q.off[i]+s] = -math.Log(float64(q.m[i]))
		}
	}
	targetS := target * q.scale
	maxS := opts.MaxLambda * q.scale
	h := make([]float64, N)
	jac := make([]float64, N*W)
	aug := make([]float64, W*W)
	t := make([]float64, W)
	t[N] = 1
	if err := q.tangent(x, t, jac, aug); err != nil {
		return nil, err
	}
	if visit != nil {
		visit(q.point(x))
	}
	step := 0.05
	y := make([]float64, W)
	d := make([]float64, W)
	prev := make([]float64, W)
	tNew := make([]float64, W)
	maxLam, sinceMax := 0.0, 0
	for accepted := 0; accepted < opts.MaxSteps; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Predictor.
		copy(y, x)
		vaxpy(y, step, t)
		ok, first := q.correct(y, y, t, h, jac, aug, d, opts.Tol, step)
		if ok {
			// Reject steps whose tangent turned by more than 8°, or that
			// move a probability by more than 0.05: the corrector may
			// have jumped to a nearby sheet. (Far along the path the
			// tangent is dominated by the log-probabilities of vanishing
			// strategies, so the angle alone misses such jumps.)
			copy(tNew, t)
			if err := q.tangent(y, tNew, jac, aug); err != nil || vdot(tNew, t) < 0.99 || probJump(x[:N], y[:N]) > 0.05 {
				ok = false
			}
		}
		if !ok {
			step /= 2
			if step < 1e-12*(1+maxAbs(x)) {
				// A singular point the steps cannot pass: a branch point
				// of a degenerate game, or a failure.
				return nil, fmt.Errorf("%w: %w: logit QRE path stalls at λ = %g", ErrNumerical, errQREBranch, x[N]/q.scale)
			}
			continue
		}
		accepted++
		copy(prev, x)
		copy(x, y)
		copy(t, tNew)
		if x[N] > maxLam {
			maxLam, sinceMax = x[N], 0
		} else if sinceMax++; sinceMax > 1000 || x[N] < 0 {
			return nil, errQREBranch
		}
		if x[N] >= targetS {
			return q.solveAt(prev, x, targetS, opts.Tol)
		}
		if visit != nil || opts.StopNashConv > 0 {
			p := q.point(x)
			if visit != nil {
				visit(p)
			}
			if opts.StopNashConv > 0 && p.NashConv <= opts.StopNashConv*q.scale {
				return x, nil
			}
		}
		if x[N] >= maxS {
			return x, nil
		}
		// Grow the step only where the predictor was nearly exact; near
		// folds, where the curve bends, a long step can land on another
		// sheet of the correspondence.
		switch {
		case first <= 0.02*step:
			step = min(2*step, max(1, maxAbs(x)))
		case first > 0.1*step:
			step *= 0.7
		}
	}
	if !math.IsInf(target, 1) {
		return nil, fmt.Errorf("%w: logit QRE path did not reach λ = %g in %d steps", ErrNumerical, target, opts.MaxSteps)
	}
	return x, nil
}

// correct runs Newton's method on the equations plus tᵀ(y − base) = 0
// from y, in place. It reports false when the iteration diverges,
// contracts too slowly, or moves farther than a quarter of the predictor
// step (a sign of converging to another branch), so that the caller
// shortens the step; first is the size of the first correction.
func (q *qreSystem) correct(y, base, t, h, jac, aug, d []float64, tol, step float64) (ok bool, first float64) {
	N := q.size
	W := N + 1
	anchor := append([]float64(nil), base...)
	prevNorm := math.Inf(1)
	for it := 0; it < 12; it++ {
		q.eval(y, h, jac)
		for r := range N {
			copy(aug[r*W:(r+1)*W], jac[r*W:(r+1)*W])
			d[r] = -h[r]
		}
		copy(aug[N*W:], t)
		d[N] = 0
		for k := range W {
			d[N] -= t[k] * (y[k] - anchor[k])
		}
		if !q.lu.factor(aug, W) {
			return false, first
		}
		q.lu.solve(d)
		norm := maxAbs(d)
		if it == 0 {
			first = norm
		}
		lim := tol * max(1, 1e-5*maxAbs(y))
		if it > 0 && norm > 0.5*prevNorm && norm <= max(1e3*lim, 1e-4*step) {
			// Rounding noise of an ill-conditioned Jacobian (a strategy
			// vanishing like 1/λ, at a tie in the limit): as accurate as
			// it gets, and close enough to the curve to follow it.
			return true, first
		}
		if math.IsNaN(norm) || (it > 0 && norm > 0.5*prevNorm) || (it == 0 && norm > 0.25*step) {
			return false, first
		}
		vaxpy(y, 1, d)
		if norm <= lim {
			return true, first
		}
		prevNorm = norm
	}
	return false, first
}

// tangent replaces t by the unit tangent of the path at x oriented like
// t: the solution z of [J; tᵀ] z = e_last, normalised.
func (q *qreSystem) tangent(x, t, jac, aug []float64) error {
	N := q.size
	W := N + 1
	h := make([]float64, N)
	q.eval(x, h, jac)
	copy(aug, jac[:N*W])
	copy(aug[N*W:], t)
	if !q.lu.factor(aug, W) {
		return fmt.Errorf("%w: logit QRE path has a singular point at λ = %g", ErrNumerical, x[N]/q.scale)
	}
	z := make([]float64, W)
	z[N] = 1
	q.lu.solve(z)
	nz := math.Sqrt(vdot(z, z))
	for k := range z {
		t[k] = z[k] / nz
	}
	return nil
}

// solveAt returns the point of the path at λ' = lam between the accepted
// points a (λ' below) and b (λ' above): Newton's method on the equations
// at fixed λ' from the linear interpolation, retried from points closer to
// the crossing if that fails.
func (q *qreSystem) solveAt(a, b []float64, lam, tol float64) ([]float64, error) {
	N := q.size
	for range 60 {
		f := (lam - a[N]) / (b[N] - a[N])
		x := make([]float64, N+1)
		for k := range x {
			x[k] = a[k] + f*(b[k]-a[k])
		}
		x[N] = lam
		if y, ok := q.fixedLambda(x, tol); ok {
			return y, nil
		}
		mid := make([]float64, N+1)
		for k := range mid {
			mid[k] = (a[k] + b[k]) / 2
		}
		if mid[N] < lam {
			a = mid
		} else {
			b = mid
		}
	}
	return nil, fmt.Errorf("%w: logit QRE at λ = %g not found near the path", ErrNumerical, lam/q.scale)
}

// fixedLambda solves the equations for v at the λ' of x0 by Newton's
// method from x0, returning the solution and whether it converged.
func (q *qreSystem) fixedLambda(x0 []float64, tol float64) ([]float64, bool) {
	N := q.size
	h := make([]float64, N)
	jac := make([]float64, N*(N+1))
	sq := make([]float64, N*N)
	x := append([]float64(nil), x0...)
	for range 30 {
		q.eval(x, h, jac)
		for r := range N {
			copy(sq[r*N:(r+1)*N], jac[r*(N+1):r*(N+1)+N])
		}
		if !q.lu.factor(sq, N) {
			return nil, false
		}
		for r := range h {
			h[r] = -h[r]
		}
		q.lu.solve(h)
		vaxpy(x[:N], 1, h)
		norm := maxAbs(h)
		if math.IsNaN(norm) {
			return nil, false
		}
		if norm <= tol*max(1, 1e-5*maxAbs(x)) {
			return x, true
		}
	}
	return nil, false
}

// probJump returns the largest change of exp between the log-probability
// vectors u and v.
func probJump(u, v []float64) float64 {
	m := 0.0
	for k := range u {
		m = max(m, math.Abs(math.Exp(u[k])-math.Exp(v[k])))
	}
	return m
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
