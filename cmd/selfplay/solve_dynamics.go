package main

import (
	"context"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

// dynamicsSolver is a learning dynamic of package nash.
type dynamicsSolver func(ctx context.Context, g *game.Normal, opts nash.DynamicsOptions) (nash.DynamicsResult, error)

// solveByDynamics runs a learning dynamic for req.iterations updates and
// reports whichever of its average and last iterate has the smaller largest
// regret. Dynamics only approach equilibria, so the answer counts as solved
// when that regret is at most req.tol times the payoff range; otherwise the
// profile is still printed and the method fails (exit 1).
func solveByDynamics(name string, run dynamicsSolver) func(context.Context, solveRequest) (*solveResult, error) {
	return func(ctx context.Context, req solveRequest) (*solveResult, error) {
		g := req.g
		r, err := run(ctx, g, nash.DynamicsOptions{Iterations: req.iterations})
		if err != nil {
			return nil, err
		}
		which, x := "average", r.Average
		if maxRegret(g, r.Last) < maxRegret(g, r.Average) {
			which, x = "last", r.Last
		}
		worst := maxRegret(g, x)
		eq := solvedEquilibrium{profile: x, payoffs: g.Expected(x), regret: worst}
		res := &solveResult{method: name, equilibria: []solvedEquilibrium{eq}}
		res.notes = append(res.notes, fmt.Sprintf("%s iterate after %d iterations, largest regret %.3g", which, req.iterations, worst))
		if bound := req.tol * payoffRange(g); worst > bound {
			return res, fmt.Errorf("%s did not converge: largest regret %.3g after %d iterations exceeds --tol %g × payoff range = %.3g (try more --iterations)",
				name, worst, req.iterations, req.tol, bound)
		}
		return res, nil
	}
}

func maxRegret(g *game.Normal, x game.Mixed) float64 {
	worst := 0.0
	for _, r := range g.Regret(x) {
		worst = max(worst, r)
	}
	return worst
}

// payoffRange is the spread of all payoffs, at least the smallest normal
// float so that a constant game has a positive scale.
func payoffRange(g *game.Normal) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.NumPlayers() {
		for _, v := range g.Payoffs(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return max(hi-lo, 0x1p-1022)
}
