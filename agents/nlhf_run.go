package agents

import (
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// Record is the state of one learner at a logged iteration: exact metrics
// of the last iterate and of the running-average policy.
type Record struct {
	// Iter is the number of completed steps (0: the initial policy).
	Iter int     `json:"iter"`
	Last Metrics `json:"last"`
	Avg  Metrics `json:"avg"`
	// NPlayerGap is MNPO's n-player gap of the players' last iterates
	// (NaN for other learners).
	NPlayerGap float64 `json:"nplayer_gap"`
}

// Trainer steps a Learner and keeps its running-average policy, the
// uniform mixture of the iterates π_1 … π_T (an average of distributions,
// not of logits; π_0 before the first step).
type Trainer struct {
	env   *Env
	l     Learner
	ev    *Evaluator
	avg   *cuda.Tensor
	steps int

	// n-player gap settings (MNPO learners).
	agg     game.Aggregator
	oracles []*game.Preference
}

// NewTrainer prepares l for training on env with metrics from ev.
// aggregator and oracles (nil: the game) configure the n-player gap of
// learners that implement Players.
func NewTrainer(env *Env, l Learner, ev *Evaluator, aggregator game.Aggregator, oracles []*game.Preference) (*Trainer, error) {
	tr := &Trainer{env: env, l: l, ev: ev, agg: aggregator, oracles: oracles}
	var err error
	if tr.avg, err = env.Backend.Alloc(env.K, env.B); err != nil {
		return nil, err
	}
	if err := env.Backend.Copy(tr.avg, l.Policy()); err != nil {
		tr.Close()
		return nil, err
	}
	return tr, nil
}

// Close frees the average policy (not the learner).
func (tr *Trainer) Close() {
	if tr.avg != nil {
		tr.env.Backend.Free(tr.avg)
		tr.avg = nil
	}
}

// Steps returns the number of completed steps.
func (tr *Trainer) Steps() int { return tr.steps }

// Average returns the running-average policy (K×B log-probabilities).
func (tr *Trainer) Average() *cuda.Tensor { return tr.avg }

// Step runs one learner step and folds the new iterate into the average.
func (tr *Trainer) Step() error {
	if err := tr.l.Step(tr.steps); err != nil {
		return fmt.Errorf("step %d: %w", tr.steps+1, err)
	}
	tr.steps++
	t := float64(tr.steps)
	if tr.steps == 1 {
		return tr.env.Backend.Copy(tr.avg, tr.l.Policy())
	}
	return tr.env.Backend.MixLog(tr.avg, tr.avg, tr.l.Policy(), (t-1)/t, 1/t)
}

// Record measures the current last iterate and average.
func (tr *Trainer) Record() (Record, error) {
	r := Record{Iter: tr.steps, NPlayerGap: math.NaN()}
	var err error
	if r.Last, err = tr.ev.Measure(tr.l.Policy()); err != nil {
		return r, err
	}
	if r.Avg, err = tr.ev.Measure(tr.avg); err != nil {
		return r, err
	}
	if math.IsNaN(r.Last.Gap) || math.IsInf(r.Last.Gap, 0) {
		return r, fmt.Errorf("after %d steps: %w", tr.steps, errNotFinite)
	}
	if pl, ok := tr.l.(Players); ok {
		players := pl.PlayerPolicies()
		if len(players) >= 2 {
			host := make([][]float64, len(players))
			for i, p := range players {
				if host[i], err = tr.env.read(p); err != nil {
					return r, err
				}
			}
			if r.NPlayerGap, err = NPlayerGap(tr.env.Game, tr.env.refHost, host, tr.oracles, tr.agg, tr.ev.tau); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}
