package agents

import (
	"fmt"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

// DualPhase says which roles a dual-play step updates.
type DualPhase int

const (
	// PhaseJoint: a proposed batch updates both roles (the frozen
	// schedule's steps are joint steps whose proposer update is skipped).
	PhaseJoint DualPhase = iota
	// PhaseProposer: alternating schedule, proposer steps with the solver
	// frozen; tasks the solver would train on go to the replay buffer
	// (when the solver phase replays them, ScheduleConfig.SolverTasks).
	PhaseProposer
	// PhaseSolver: alternating schedule, solver steps with the proposer
	// frozen, on tasks drawn from the replay buffer or (SolverTasks
	// fresh) proposed anew by the frozen proposer.
	PhaseSolver
)

// String returns the phase's metric name.
func (p DualPhase) String() string {
	switch p {
	case PhaseJoint:
		return "joint"
	case PhaseProposer:
		return "proposer"
	case PhaseSolver:
		return "solver"
	}
	return fmt.Sprintf("DualPhase(%d)", int(p))
}

// phaseOf returns the phase of step (1-based) under schedule c.
func phaseOf(c *ScheduleConfig, step int) DualPhase {
	if c.Kind != ScheduleAlternating {
		return PhaseJoint
	}
	if (step-1)%(c.ProposerSteps+c.SolverSteps) < c.ProposerSteps {
		return PhaseProposer
	}
	return PhaseSolver
}

// replayEntry is a buffered task and the number of solver batches it was
// drawn into.
type replayEntry struct {
	task game.Task
	uses int
}

// replayBuffer holds the tasks of the proposer phase of the alternating
// schedule for the solver phase (ScheduleConfig.SolverTasks replay).
// Tasks are dropped after reuse solver batches (PasoDoble drops a
// question after 3 uses) or, when the buffer is over capacity, oldest
// first. It allocates only at construction.
type replayBuffer struct {
	entries []replayEntry // oldest first
	cap     int
	reuse   int
	perm    []int
	drawn   []int
}

func newReplayBuffer(capacity, reuse, batch int) *replayBuffer {
	return &replayBuffer{entries: make([]replayEntry, 0, capacity+batch), cap: capacity, reuse: reuse,
		perm: make([]int, 0, capacity+batch), drawn: make([]int, 0, batch)}
}

// push appends a task, dropping the oldest past capacity at trim.
func (b *replayBuffer) push(t *game.Task) {
	if len(b.entries) == cap(b.entries) {
		b.trim(cap(b.entries) - 1)
	}
	b.entries = append(b.entries, replayEntry{task: *t})
}

// trim keeps the newest n entries.
func (b *replayBuffer) trim(n int) {
	if len(b.entries) > n {
		k := copy(b.entries, b.entries[len(b.entries)-n:])
		b.entries = b.entries[:k]
	}
}

// draw copies up to len(dst) distinct entries chosen uniformly at random
// into dst, remembers them for release, and returns how many it drew.
func (b *replayBuffer) draw(r *rand.Rand, dst []game.Task) int {
	b.trim(b.cap)
	n := min(len(dst), len(b.entries))
	b.perm = b.perm[:0]
	for i := range b.entries {
		b.perm = append(b.perm, i)
	}
	b.drawn = b.drawn[:0]
	for i := range n {
		j := i + r.IntN(len(b.perm)-i)
		b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
		b.drawn = append(b.drawn, b.perm[i])
		dst[i] = b.entries[b.perm[i]].task
	}
	return n
}

// release counts one use of every drawn entry and drops those that
// reached the reuse limit, keeping the order of the rest.
func (b *replayBuffer) release() {
	for _, i := range b.drawn {
		b.entries[i].uses++
	}
	b.drawn = b.drawn[:0]
	k := 0
	for _, e := range b.entries {
		if e.uses < b.reuse {
			b.entries[k] = e
			k++
		}
	}
	b.entries = b.entries[:k]
}

// len returns the number of buffered tasks.
func (b *replayBuffer) len() int { return min(len(b.entries), b.cap) }
