package nash

import (
	"context"

	"github.com/selfplay-lab/selfplay/game"
)

// FictitiousPlay runs simultaneous fictitious play (Brown 1951): at each
// iteration every player plays a pure best response (lowest index among
// ties) to the empirical frequencies of the others' past plays. Average is
// the empirical frequencies, which converge to a Nash equilibrium in
// two-player zero-sum games (Robinson 1951), in potential games and in
// 2×n games, but not in general (Shapley's 3×3 game cycles). Last is the
// final pure profile. The first play is a best response to Init (default
// uniform).
func FictitiousPlay(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	d, err := newDynamics(g, opts)
	if err != nil {
		return DynamicsResult{}, err
	}
	belief := cloneMixed(d.x) // what each player is believed to play
	for t := 1; t <= d.opts.Iterations; t++ {
		for i := range d.x {
			d.dev[i] = g.Deviation(belief, i, d.dev[i])
		}
		for i, xi := range d.x {
			clear(xi)
			xi[argmax(d.dev[i])] = 1
		}
		d.accumulate(1)
		for i := range belief {
			for s := range belief[i] {
				belief[i][s] = d.avg[i][s] / d.weight
			}
		}
		if err := d.step(ctx, t); err != nil {
			return d.result(), err
		}
	}
	return d.result(), nil
}

// argmax returns the index of the largest entry (the first among ties).
func argmax(v []float64) int {
	b := 0
	for k, x := range v {
		if x > v[b] {
			b = k
		}
	}
	return b
}
