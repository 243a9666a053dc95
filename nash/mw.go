package nash

import (
	"context"
	"math"

	"github.com/selfplay-lab/selfplay/game"
)

// Hedge runs multiplicative weights (Hedge, Freund and Schapire 1997) with
// simultaneous updates: each player plays x_i ∝ x_i⁰·exp(η·U_i), U_i the
// cumulative payoff of each strategy against the others' past iterates.
// opts.Step is η, default √(8 ln m / T)/range (m the largest number of
// strategies, T the iterations, range the payoff range), the rate that
// bounds each player's average regret by range·√(ln m / (2T)). Average
// therefore converges to the coarse correlated equilibria, to Nash
// equilibria in two-player zero-sum games.
func Hedge(ctx context.Context, g *game.Normal, opts DynamicsOptions) (DynamicsResult, error) {
	d, err := newDynamics(g, opts)
	if err != nil {
		return DynamicsResult{}, err
	}
	eta := opts.Step
	if eta == 0 {
		m := 2
		for i := range g.NumPlayers() {
			m = max(m, g.NumStrategies(i))
		}
		eta = math.Sqrt(8*math.Log(float64(m))/float64(d.opts.Iterations)) / d.scale
	}
	logw := make([][]float64, len(d.x))
	for i, xi := range d.x {
		logw[i] = make([]float64, len(xi))
		for s, p := range xi {
			logw[i][s] = math.Log(p) // −Inf keeps an absent strategy absent
		}
	}
	for t := 1; t <= d.opts.Iterations; t++ {
		d.accumulate(1)
		d.deviations()
		for i := range d.x {
			vaxpy(logw[i], eta, d.dev[i])
			softmaxInto(d.x[i], logw[i])
		}
		if err := d.step(ctx, t); err != nil {
			return d.result(), err
		}
	}
	return d.result(), nil
}

// softmaxInto writes the distribution proportional to exp(l) into p.
func softmaxInto(p, l []float64) {
	hi := math.Inf(-1)
	for _, v := range l {
		hi = max(hi, v)
	}
	sum := 0.0
	for s, v := range l {
		p[s] = math.Exp(v - hi)
		sum += p[s]
	}
	for s := range p {
		p[s] /= sum
	}
}
