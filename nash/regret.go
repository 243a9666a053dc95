package nash

import (
	"context"

	"github.com/selfplay-lab/selfplay/game"
)

// RegretMatching runs regret matching (Hart and Mas-Colell 2000) with
// simultaneous updates: each player keeps the cumulative regret
// R_i(s) = Σ_t u_i(s, x_−i^t) − u_i(x^t) of every strategy and plays
// x_i ∝ max(R_i, 0) (uniform when no regret is positive). Average, the
// uniform time-average of the iterates, converges to the set of coarse
// correlated equilibria, hence to Nash equilibria in two-player zero-sum
// games, at rate O(1/√T).
func RegretMatching(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	return regretMatching(ctx, g, opts, false)
}

// RegretMatchingPlus runs regret matching+ (Tammelin 2014, the matrix-game
// core of CFR+): cumulative regrets are clipped at zero after every update,
// R_i ← max(R_i + r_i, 0), players update in turn (alternating, each
// against the others' latest strategies), and Average weights iterate t by
// t. It typically converges much faster than regret matching in
// two-player zero-sum games.
func RegretMatchingPlus(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	return regretMatching(ctx, g, opts, true)
}

func regretMatching(ctx context.Context, g *game.Normal, opts DynamicsOptions, plus bool) (DynamicsResult, error) {
	opts.Init = nil // the first iterate is uniform: no regrets yet
	d, err := newDynamics(g, opts)
	if err != nil {
		return DynamicsResult{}, err
	}
	n := g.NumPlayers()
	R := zeroMixed(g)
	update := func(i int) {
		d.dev[i] = g.Deviation(d.x, i, d.dev[i])
		u := vdot(d.x[i], d.dev[i])
		for s, v := range d.dev[i] {
			R[i][s] += v - u
			if plus {
				R[i][s] = max(R[i][s], 0)
			}
		}
	}
	for t := 1; t <= d.opts.Iterations; t++ {
		if plus {
			// Alternating: player i's new strategy is seen by i+1.
			for i := range n {
				update(i)
				matchRegrets(d.x[i], R[i])
			}
			d.accumulate(float64(t))
		} else {
			d.accumulate(1)
			for i := range n {
				update(i)
			}
			for i := range n {
				matchRegrets(d.x[i], R[i])
			}
		}
		if err := d.step(ctx, t); err != nil {
			return d.result(), err
		}
	}
	return d.result(), nil
}

// matchRegrets sets x proportional to the positive part of R, or uniform
// when no entry is positive.
func matchRegrets(x, R []float64) {
	sum := 0.0
	for s, r := range R {
		x[s] = max(r, 0)
		sum += x[s]
	}
	if sum > 0 {
		for s := range x {
			x[s] /= sum
		}
		return
	}
	for s := range x {
		x[s] = 1 / float64(len(x))
	}
}
