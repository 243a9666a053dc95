package nash

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
)

// DynamicsOptions controls the learning dynamics (FictitiousPlay,
// RegretMatching, RegretMatchingPlus, Replicator, Hedge,
// ProjectedReplicator). The zero value gives each method's defaults.
type DynamicsOptions struct {
	// Iterations is the number of updates. Default 1000.
	Iterations int
	// LogEvery records a trace point every LogEvery iterations (and at
	// the last one). Default: Iterations/100, at least 1.
	LogEvery int
	// Step is the step size where the method has one: η of Hedge and of
	// the discrete replicator, dt of the projected replicator. Its
	// default is method-specific and scaled by the payoff range.
	Step float64
	// Gamma is the projected replicator's exploration floor: every
	// strategy keeps probability at least Gamma/m. Default 1e-6.
	Gamma float64
	// Init is the starting profile (Replicator, Hedge, ProjectedReplicator,
	// RegretMatching's first iterate is uniform regardless). Default
	// uniform.
	Init game.Mixed
}

// DynamicsPoint is one logged step of a learning dynamic.
type DynamicsPoint struct {
	Iteration int // updates done so far (1-based)
	// NashConv of the average and of the last iterate at this step.
	AverageNashConv, LastNashConv float64
}

// DynamicsResult is the outcome of a learning dynamic.
type DynamicsResult struct {
	// Average is the time-average of the iterates (the empirical
	// frequencies for fictitious play; iteration-weighted for regret
	// matching+). In two-player zero-sum games it is what converges to a
	// Nash equilibrium.
	Average game.Mixed
	// Last is the final iterate.
	Last  game.Mixed
	Trace []DynamicsPoint
}

// ErrBadOptions reports invalid solver options.
var ErrBadOptions = errors.New("nash: invalid options")

// dynamics is the state shared by the learning dynamics: the current
// iterate, the running average, the trace.
type dynamics struct {
	g       *game.Normal
	opts    DynamicsOptions
	scale   float64 // payoff range (1 when all payoffs are equal)
	x       game.Mixed
	avg     game.Mixed
	weight  float64 // total averaging weight so far
	trace   []DynamicsPoint
	dev     [][]float64 // scratch: per player, payoff of each strategy
	counter int
}

func newDynamics(g *game.Normal, opts DynamicsOptions) (*dynamics, error) {
	if opts.Iterations < 0 || opts.LogEvery < 0 || opts.Step < 0 || opts.Gamma < 0 ||
		math.IsNaN(opts.Step) || math.IsInf(opts.Step, 0) || math.IsNaN(opts.Gamma) || opts.Gamma >= 1 {
		return nil, fmt.Errorf("%w: iterations %d, log every %d, step %v, gamma %v",
			ErrBadOptions, opts.Iterations, opts.LogEvery, opts.Step, opts.Gamma)
	}
	if opts.Iterations == 0 {
		opts.Iterations = 1000
	}
	if opts.LogEvery == 0 {
		opts.LogEvery = max(1, opts.Iterations/100)
	}
	if opts.Gamma == 0 {
		opts.Gamma = 1e-6
	}
	d := &dynamics{g: g, opts: opts, scale: 1}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.NumPlayers() {
		for _, v := range g.Payoffs(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi > lo {
		d.scale = hi - lo
	}
	if opts.Init != nil {
		if err := g.CheckMixed(opts.Init, 1e-9); err != nil {
			return nil, fmt.Errorf("%w: Init: %w", ErrBadOptions, err)
		}
		d.x = cloneMixed(opts.Init)
		for _, xi := range d.x {
			normalizeNonneg(xi)
		}
	} else {
		d.x = g.Uniform()
	}
	d.avg = zeroMixed(g)
	d.dev = make([][]float64, g.NumPlayers())
	return d, nil
}

func cloneMixed(x game.Mixed) game.Mixed {
	c := make(game.Mixed, len(x))
	for i, xi := range x {
		c[i] = append([]float64(nil), xi...)
	}
	return c
}

func zeroMixed(g *game.Normal) game.Mixed {
	x := make(game.Mixed, g.NumPlayers())
	for i := range x {
		x[i] = make([]float64, g.NumStrategies(i))
	}
	return x
}

// deviations fills dev[i] with player i's payoff for each strategy against
// the current iterate of the others.
func (d *dynamics) deviations() {
	for i := range d.x {
		d.dev[i] = d.g.Deviation(d.x, i, d.dev[i])
	}
}

// accumulate adds the current iterate to the average with weight w.
func (d *dynamics) accumulate(w float64) {
	d.weight += w
	for i, xi := range d.x {
		vaxpy(d.avg[i], w, xi)
	}
}

// average returns the normalised running average.
func (d *dynamics) average() game.Mixed {
	a := cloneMixed(d.avg)
	for _, ai := range a {
		if !normalizeNonneg(ai) {
			for s := range ai {
				ai[s] = 1 / float64(len(ai))
			}
		}
	}
	return a
}

// step ends iteration t (1-based): it logs a trace point when due and
// checks the context every so often.
func (d *dynamics) step(ctx context.Context, t int) error {
	if t%d.opts.LogEvery == 0 || t == d.opts.Iterations {
		d.trace = append(d.trace, DynamicsPoint{
			Iteration:       t,
			AverageNashConv: d.g.NashConv(d.average()),
			LastNashConv:    d.g.NashConv(d.x),
		})
	}
	if d.counter++; d.counter&255 == 0 {
		return ctx.Err()
	}
	return nil
}

func (d *dynamics) result() DynamicsResult {
	return DynamicsResult{Average: d.average(), Last: cloneMixed(d.x), Trace: d.trace}
}
