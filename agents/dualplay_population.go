package agents

import (
	"fmt"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

// DualSnapshot is a frozen copy of both roles of a dual-play run at a step.
type DualSnapshot struct {
	Step int
	// Proposer is the frozen proposer; nil when a teacher proposed.
	Proposer *DualProposer
	// Theta is the solver's abilities, one per category.
	Theta []float64
}

// DualPopulation is a minimal population of dual-play snapshots, oldest
// first, until package league offers a common one. It is not safe for
// concurrent use.
type DualPopulation struct {
	// Max bounds the number of snapshots (oldest dropped first); 0 for no
	// bound.
	Max     int
	Members []DualSnapshot
}

// Len returns the number of snapshots.
func (p *DualPopulation) Len() int { return len(p.Members) }

// Add stores a snapshot of proposer (nil for none) and theta, copying
// both.
func (p *DualPopulation) Add(step int, proposer *DualProposer, theta []float64) {
	s := DualSnapshot{Step: step, Theta: append([]float64(nil), theta...)}
	if proposer != nil {
		s.Proposer = proposer.clone()
	}
	if p.Max > 0 && len(p.Members) >= p.Max {
		k := copy(p.Members, p.Members[len(p.Members)-p.Max+1:])
		clear(p.Members[k:])
		p.Members = p.Members[:k]
	}
	p.Members = append(p.Members, s)
}

// SolveMatrix evaluates every snapshot's solver on tasks from every
// snapshot's proposer: entry [i][j] is the mean ground-truth success
// probability (game.TaskSpace.SuccessProb, exact given the tasks) of
// solver j on n tasks sampled from proposer i, and valid[i] the share of
// proposer i's tasks that are valid. The same tasks serve every solver.
// Rows of snapshots without a proposer are nil. Task kinds follow the task
// space's validity curve, without a shared model's ability shift
// (ProposerConfig.ValidityCoupling). The sample is seeded by seed alone.
func (p *DualPopulation) SolveMatrix(space *game.TaskSpace, n int, seed uint64) (solve [][]float64, valid []float64) {
	if n < 1 {
		panic(fmt.Sprintf("agents: SolveMatrix with %d tasks per proposer", n))
	}
	r := rand.New(rand.NewPCG(seed, 0x5017e))
	solve = make([][]float64, len(p.Members))
	valid = make([]float64, len(p.Members))
	var t game.Task
	for i, pi := range p.Members {
		if pi.Proposer == nil {
			continue
		}
		row := make([]float64, len(p.Members))
		nv := 0
		for range n {
			cat, cell := pi.Proposer.Cell(pi.Proposer.Sample(r))
			space.ProposeCell(r, cat, cell, &t)
			if t.Kind == game.Valid {
				nv++
			}
			for j, sj := range p.Members {
				row[j] += space.SuccessProb(&t, sj.Theta)
			}
		}
		for j := range row {
			row[j] /= float64(n)
		}
		solve[i], valid[i] = row, float64(nv)/float64(n)
	}
	return solve, valid
}
