package league

import (
	"fmt"
	"math"
)

// PSRO meta-solvers (Lanctot et al. 2017; OpenSpiel psro_v2). The
// empirical meta-game is the win-rate matrix W among the snapshots; the
// meta-solver turns it into a meta-strategy σ, and the "psro" matchmaking
// draws the learner's opponent from σ.

// MetaSolve returns the meta-strategy of the symmetric meta-game with
// win-rate matrix w (w[i][j] = P(i beats j), w + wᵀ = 1) under the named
// solver:
//
//   - "uniform": 1/n each;
//   - "nash": a Nash equilibrium of the antisymmetrised zero-sum game
//     A = w − wᵀ;
//   - "maxent": the maximum-entropy Nash equilibrium of A, which is unique
//     and splits a strategy's mass evenly among copies of it (Balduzzi et
//     al.'s Nash averaging uses it);
//   - "prd": projected replicator dynamics on A (see ProjectedReplicator);
//   - "alpharank": α-Rank's stationary distribution on w.
func MetaSolve(solver string, w [][]float64, cfg PSROConfig) ([]float64, error) {
	n := len(w)
	if n == 0 {
		return nil, fmt.Errorf("league: meta-solve %s: empty meta-game", solver)
	}
	for i, row := range w {
		if len(row) != n {
			return nil, fmt.Errorf("league: meta-solve %s: row %d has %d entries, want %d", solver, i, len(row), n)
		}
	}
	switch solver {
	case "uniform":
		sigma := make([]float64, n)
		for i := range sigma {
			sigma[i] = 1 / float64(n)
		}
		return sigma, nil
	case "nash":
		return metaNash(antisymmetrise(w))
	case "maxent":
		return metaMaxEnt(antisymmetrise(w))
	case "prd":
		return ProjectedReplicator(antisymmetrise(w), cfg.Iterations, cfg.Step, cfg.Floor), nil
	case "alpharank":
		return AlphaRank(w, AlphaRankConfig{Alpha: cfg.Alpha, PopulationSize: cfg.PopSize})
	}
	return nil, fmt.Errorf("league: unknown meta-solver %q", solver)
}

// antisymmetrise returns A = w − wᵀ, the zero-sum form of a win-rate matrix.
func antisymmetrise(w [][]float64) [][]float64 {
	a := make([][]float64, len(w))
	for i := range w {
		a[i] = make([]float64, len(w))
		for j := range w {
			a[i][j] = w[i][j] - w[j][i]
		}
	}
	return a
}

// ProjectedReplicator runs projected replicator dynamics (Lanctot et al.
// 2017) on the symmetric game with payoff matrix a (a[i][j] = payoff of i
// against j) from the uniform strategy: each Euler step
//
//	x ← x + step · x ∘ (a·x − xᵀa·x),
//
// then every probability is raised to at least floor and x renormalised,
// which keeps every strategy alive. It returns the average of the
// iterations' strategies, as OpenSpiel does: in zero-sum games the iterates
// cycle around an equilibrium and their average approaches it.
func ProjectedReplicator(a [][]float64, iterations int, step, floor float64) []float64 {
	n := len(a)
	flat := make([]float64, 0, n*n) // row-major copy: one contiguous sweep per step
	for _, row := range a {
		flat = append(flat, row...)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	avg := make([]float64, n)
	v := make([]float64, n)
	for range iterations {
		var mean float64
		for i := range n {
			row := flat[i*n : i*n+n]
			var s float64
			for j, aij := range row {
				s += float64(aij * x[j]) // explicit rounding: no fused multiply-add
			}
			v[i] = s
			mean += float64(x[i] * s)
		}
		var sum float64
		for i := range n {
			x[i] += float64(step * x[i] * (v[i] - mean))
			x[i] = max(x[i], floor)
			sum += x[i]
		}
		for i := range n {
			x[i] /= sum
			avg[i] += x[i]
		}
	}
	if iterations <= 0 {
		return x
	}
	for i := range avg {
		avg[i] /= float64(iterations)
	}
	return avg
}

// clipNormalise zeroes negative or non-finite entries (a solver's rounding)
// and rescales to sum 1.
func clipNormalise(p []float64) ([]float64, error) {
	var sum float64
	for i, x := range p {
		if !(x > 0) || math.IsInf(x, 0) {
			p[i] = 0
		}
		sum += p[i]
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("league: meta-strategy has no positive mass")
	}
	for i := range p {
		p[i] /= sum
	}
	return p, nil
}

// MetaStrategy returns the snapshots (all frozen members) and the
// meta-strategy over them under the configured PSRO solver.
func (s *State) MetaStrategy() (ids []string, sigma []float64, err error) {
	idx := s.snapshots(-1)
	if len(idx) == 0 {
		return nil, nil, fmt.Errorf("league: meta-strategy: %w: no snapshots", ErrNoOpponent)
	}
	sigma, err = MetaSolve(s.cfg.PSRO.Solver, s.payoffMatrix(idx), s.cfg.PSRO)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range idx {
		ids = append(ids, s.members[i].ID)
	}
	return ids, sigma, nil
}

// psroOpponents is the "psro" matchmaking: the opponent is drawn from the
// meta-strategy over all snapshots other than home; self-play when there
// are none yet.
func psroOpponents(s *State, home int) ([]choice, error) {
	cands := s.snapshots(home)
	if len(cands) == 0 {
		return only(home, "selfplay"), nil
	}
	sigma, err := MetaSolve(s.cfg.PSRO.Solver, s.payoffMatrix(cands), s.cfg.PSRO)
	if err != nil {
		return nil, err
	}
	out := make([]choice, len(cands))
	for k, j := range cands {
		out[k] = choice{j, sigma[k], "psro"}
	}
	return out, nil
}
