package nash

import (
	"context"
	"math"

	"github.com/selfplay-lab/selfplay/game"
)

// Replicator runs the discrete-time replicator dynamic with simultaneous
// updates, x_i(s) ← x_i(s)·(1 + η·(u_i(s, x_−i) − u_i(x))), which keeps
// every iterate in the simplex for η ≤ 1/range (opts.Step; default
// 0.5/range, range the payoff range). Strategies absent from Init stay
// absent. In potential games (common interest, congestion) the potential
// rises along the way and the last iterate converges to an equilibrium;
// in zero-sum games it cycles outward, and only Average says something.
func Replicator(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	d, err := newDynamics(g, opts)
	if err != nil {
		return DynamicsResult{}, err
	}
	eta := opts.Step
	if eta == 0 {
		eta = 0.5 / d.scale
	}
	for t := 1; t <= d.opts.Iterations; t++ {
		d.accumulate(1)
		d.deviations()
		for i, xi := range d.x {
			u := vdot(xi, d.dev[i])
			for s, v := range d.dev[i] {
				xi[s] *= max(0, 1+eta*(v-u))
			}
			normalizeNonneg(xi)
		}
		if err := d.step(ctx, t); err != nil {
			return d.result(), err
		}
	}
	return d.result(), nil
}

// ProjectedReplicator runs projected replicator dynamics, the PSRO
// meta-solver of Lanctot et al. (2017): Euler steps of the replicator
// equation, x_i ← P(x_i + dt·x_i⊙(u_i(·, x_−i) − u_i(x))), where P projects
// onto the simplex with every probability at least opts.Gamma/m_i, which
// keeps exploring strategies the dynamic would otherwise extinguish.
// opts.Step is dt, default 0.1/range (so that the default 1000 iterations
// integrate the equation to time 100 in payoff units). PSRO uses Average
// (or Last) as the meta-strategy.
func ProjectedReplicator(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	d, err := newDynamics(g, opts)
	if err != nil {
		return DynamicsResult{}, err
	}
	dt := opts.Step
	if dt == 0 {
		dt = 0.1 / d.scale
	}
	gamma := d.opts.Gamma
	buf := make([]float64, 0)
	for i := range d.x {
		projectFloor(d.x[i], gamma/float64(len(d.x[i])), &buf)
	}
	for t := 1; t <= d.opts.Iterations; t++ {
		d.accumulate(1)
		d.deviations()
		for i, xi := range d.x {
			u := vdot(xi, d.dev[i])
			for s, v := range d.dev[i] {
				xi[s] += dt * xi[s] * (v - u)
			}
			projectFloor(xi, gamma/float64(len(xi)), &buf)
		}
		if err := d.step(ctx, t); err != nil {
			return d.result(), err
		}
	}
	return d.result(), nil
}

// projectFloor replaces x by its Euclidean projection onto
// {y : Σy = 1, y ≥ floor}, which is floor + the projection of x − floor
// onto the simplex scaled to mass 1 − m·floor.
func projectFloor(x []float64, floor float64, buf *[]float64) {
	m := float64(len(x))
	mass := 1 - m*floor
	if cap(*buf) < 2*len(x) {
		*buf = make([]float64, 2*len(x))
	}
	v := (*buf)[:len(x)]
	for s := range x {
		v[s] = (x[s] - floor) / mass
	}
	projectSimplex(x, v, (*buf)[len(x):2*len(x)])
	for s := range x {
		x[s] = floor + mass*x[s]
		if math.IsNaN(x[s]) {
			x[s] = 1 / m
		}
	}
}
