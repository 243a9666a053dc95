package agents

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/selfplay-lab/selfplay/game"
)

// Random streams of a dual-play run, one per concern, so that (for
// example) turning the leak check on does not change which tasks are
// proposed.
const (
	streamPropose uint64 = 0xd0a1 + iota
	streamAttempt
	streamCheck
	streamReplay
)

// DualPlaySim simulates proposer/solver self-play on a game.TaskSpace
// (algorithms.md §6; issue 5). Each step:
//
//  1. a batch of N tasks comes from the proposer (or a teacher, or, with
//     PastProposerShare, a past proposer snapshot), or in the solver phase
//     of the alternating schedule from the replay buffer (with
//     ScheduleConfig.SolverTasks fresh, from the frozen proposer too);
//  2. the solver makes M attempts at each (game.TaskSpace.Attempts);
//  3. the validity and leak checks flag tasks, the verifier grades the
//     attempts, and each task's TaskOutcome (verified solve rate, flags,
//     PasoDoble diversity against the recently accepted tasks, R-Zero
//     repetition cluster within the batch) is scored by the proposer
//     reward; attempts are scored by the solver reward, whose band filter
//     (and the checks: flagged tasks are never trained on) picks the tasks
//     the solver trains on;
//  4. advantages (GRPO, Dr.GRPO, or TRR++ keyed by category per role) drive
//     the proposer's REINFORCE step (DualProposer.Update, on-policy tasks
//     only) and the solver's ability update (DualSolver), as the phase
//     allows; a teacher learns from the batch instead of a proposer;
//  5. every SnapshotEvery steps, both roles are copied into the
//     Population.
//
// DualMetrics are measured from the step's record when asked for
// (Metrics), after the updates: batch measures use the solver's success
// probabilities from before its update, state measures (ability, held-out
// pass rates, proposer entropy) the state after it.
//
// A run is deterministic for a config (seed included). Steps do not
// allocate, except the ALP-GMM teacher's samples and the snapshots. A
// DualPlaySim is not safe for concurrent use.
type DualPlaySim struct {
	cfg   DualPlayConfig
	space *game.TaskSpace
	eval  *game.EvalSet

	proposer *DualProposer // nil with a teacher
	teacher  Teacher
	solver   *DualSolver
	// phi is the proposer's own ability for the validity shift: the
	// solver's θ with a shared model, a frozen copy of the initial θ with
	// two models; phi0 the initial value. ref is the frozen reference
	// solver.
	phi, phi0, ref []float64

	propReward ProposerReward
	solvReward SolverReward
	// attemptReward[ok] is solvReward.Attempt(ok == 1, false), a pure
	// function of its arguments, looked up per attempt.
	attemptReward [2]float64
	// advP and advS turn the proposer's and the solver's rewards into
	// advantages.
	advP, advS roleAdvantage

	rPropose, rAttempt, rCheck, rReplay *rand.Rand

	// Batch buffers, sized N (tasks) or N·M (attempts).
	tasks    []game.Task
	actions  []int // proposer action of each task, −1 if not on-policy
	tt       []TeacherTask
	obs      []TeacherObservation
	atts     []game.Attempt
	resp     []float64 // solver's 3PL response per task (game.Task.Response)
	vrew     []float64 // verifier reward per attempt (0/1)
	srew     []float64 // solver reward per attempt
	sadv     []float64 // solver advantage per attempt
	skeys    []int     // TRR++ key per attempt
	outcomes []TaskOutcome
	votes    []game.Vote
	prew     []float64 // proposer reward per task
	padv     []float64
	crew     []float64 // on-policy compaction of prew
	cadv     []float64
	ckeys    []int
	trains   []bool
	// Format tokens (ProposerConfig.FormatTokens): L per task, and
	// whether the task failed to parse; nil without format tokens.
	tokens    []int
	malformed []bool

	// Diversity: a ring of recently accepted signature keys with counts,
	// and per-batch signature counts.
	ring      []int
	ringPos   int
	ringLen   int
	ringCount []int32
	batchCnt  []int32
	touched   []int
	distinct  int
	catCount  []int

	// buffer feeds the alternating schedule's solver phase; nil unless
	// its tasks are replayed (ScheduleConfig.SolverTasks).
	buffer *replayBuffer
	pop    DualPopulation

	step  int
	phase DualPhase
	n     int // the last step's batch size
	// metrics are the last step's, measured by Metrics when measured is
	// false.
	metrics  DualMetrics
	measured bool
	// The last held-out evaluation and the θ it was made at.
	evalTheta    []float64
	eval1, evalK float64
	evalOK       bool
}

// NewDualPlaySim validates cfg and builds a simulation at step 0.
func NewDualPlaySim(cfg DualPlayConfig) (*DualPlaySim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	space, err := game.NewTaskSpace(cfg.Task)
	if err != nil {
		return nil, fmt.Errorf("dual play: %w", err)
	}
	pr, err := NewProposerReward(cfg.ProposerReward, cfg.ProposerRewardParams)
	if err != nil {
		return nil, fmt.Errorf("dual play: proposer_reward: %w", err)
	}
	sr, err := NewSolverReward(cfg.SolverReward, cfg.SolverRewardParams)
	if err != nil {
		return nil, fmt.Errorf("dual play: solver_reward: %w", err)
	}
	n, m, c := cfg.Batch, cfg.Attempts, space.NumCategories()
	s := &DualPlaySim{cfg: cfg, space: space, eval: space.NewEvalSet(cfg.Eval.Seed, cfg.Eval.PerCell),
		solver: NewDualSolver(c, cfg.Solver), propReward: pr, solvReward: sr,
		rPropose: rand.New(rand.NewPCG(cfg.Seed, streamPropose)),
		rAttempt: rand.New(rand.NewPCG(cfg.Seed, streamAttempt)),
		rCheck:   rand.New(rand.NewPCG(cfg.Seed, streamCheck)),
		rReplay:  rand.New(rand.NewPCG(cfg.Seed, streamReplay)),
		tasks:    make([]game.Task, n), actions: make([]int, n),
		atts: make([]game.Attempt, n*m), resp: make([]float64, n), vrew: make([]float64, n*m), srew: make([]float64, n*m),
		sadv: make([]float64, n*m), skeys: make([]int, n*m),
		outcomes: make([]TaskOutcome, n), votes: make([]game.Vote, n),
		prew: make([]float64, n), padv: make([]float64, n), crew: make([]float64, n), cadv: make([]float64, n),
		ckeys: make([]int, n), trains: make([]bool, n),
		ring: make([]int, cfg.DiversityWindow), ringCount: make([]int32, space.NumSignatures()),
		batchCnt: make([]int32, space.NumSignatures()), touched: make([]int, 0, n), catCount: make([]int, c),
		pop: DualPopulation{Max: cfg.Population.Max}, evalTheta: make([]float64, 0, c)}
	s.attemptReward = [2]float64{sr.Attempt(false, false), sr.Attempt(true, false)}
	s.advS = newRoleAdvantage(cfg.Advantage, c)
	if cfg.ProposerAdvantage != "" {
		s.advP = newRoleAdvantage(cfg.ProposerAdvantage, c)
	} else {
		s.advP = newRoleAdvantage(cfg.Advantage, c) // its own TRR++ baselines
	}
	s.ref = append([]float64(nil), s.solver.theta...)
	s.phi0 = s.ref
	s.phi = s.ref
	if cfg.SharedModel {
		s.phi = s.solver.theta
	}
	if cfg.Teacher != "" {
		s.teacher, err = NewTeacher(cfg.Teacher, cfg.TeacherParams, dualTeacherSpace(&cfg), cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("dual play: %w", err)
		}
		s.tt = make([]TeacherTask, n)
		s.obs = make([]TeacherObservation, n)
	} else {
		s.proposer = NewDualProposer(space, cfg.Proposer)
		if l := s.proposer.FormatTokens(); l > 0 {
			s.tokens = make([]int, n*l)
			s.malformed = make([]bool, n)
		}
	}
	if cfg.Schedule.Kind == ScheduleAlternating && cfg.Schedule.SolverTasks != SolverTasksFresh {
		capacity := cfg.Schedule.BufferSize
		if capacity == 0 {
			capacity = 4 * n
		}
		s.buffer = newReplayBuffer(capacity, cfg.Schedule.ReuseLimit, n)
	}
	return s, nil
}

// Config returns the simulation's configuration.
func (s *DualPlaySim) Config() DualPlayConfig { return s.cfg }

// Space returns the task space.
func (s *DualPlaySim) Space() *game.TaskSpace { return s.space }

// EvalSet returns the held-out set.
func (s *DualPlaySim) EvalSet() *game.EvalSet { return s.eval }

// Proposer returns the proposer (nil with a teacher).
func (s *DualPlaySim) Proposer() *DualProposer { return s.proposer }

// Teacher returns the teacher (nil with a proposer).
func (s *DualPlaySim) Teacher() Teacher { return s.teacher }

// Solver returns the solver.
func (s *DualPlaySim) Solver() *DualSolver { return s.solver }

// Population returns the snapshots taken so far.
func (s *DualPlaySim) Population() *DualPopulation { return &s.pop }

// StepCount returns the number of steps taken.
func (s *DualPlaySim) StepCount() int { return s.step }

// Metrics returns the metrics of the last step (a view, overwritten by the
// next step; at step 0, the initial state's). They are measured on the
// first call after a step and kept: measuring is not part of the
// simulated dynamics, so a caller that records every tenth step can
// Advance and call Metrics only then, and results do not depend on when
// (or whether) it is called.
func (s *DualPlaySim) Metrics() *DualMetrics {
	if !s.measured {
		s.measure(s.n)
		s.finish()
		s.evaluate()
		s.measured = true
	}
	return &s.metrics
}

// Run takes steps steps, calling onStep (if not nil) after each with the
// step's metrics (valid during the call). It stops early, returning the
// context's error, when ctx is done, and returns onStep's error wrapped
// with the step.
func (s *DualPlaySim) Run(ctx context.Context, steps int, onStep func(*DualMetrics) error) error {
	for range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := s.Step()
		if onStep != nil {
			if err := onStep(m); err != nil {
				return fmt.Errorf("dual play step %d: %w", m.Step, err)
			}
		}
	}
	return nil
}

// Step takes one step and returns its metrics (a view, overwritten by the
// next step): Advance, then Metrics.
func (s *DualPlaySim) Step() *DualMetrics {
	s.Advance()
	return s.Metrics()
}

// Advance takes one step: proposals, attempts, checks, verifier,
// rewards, advantages and the phase's updates, everything but measuring
// the metrics (see Metrics).
func (s *DualPlaySim) Advance() {
	s.step++
	s.phase = phaseOf(&s.cfg.Schedule, s.step)
	var n int
	replay := s.phase == PhaseSolver && s.buffer != nil
	if replay {
		n = s.buffer.draw(s.rReplay, s.tasks)
		for i := range n {
			s.actions[i] = -1
		}
		clear(s.malformed) // only tasks that parsed are buffered
	} else {
		n = s.cfg.Batch
		s.propose(n)
	}
	s.grade(n)
	s.update(n)
	if replay {
		s.buffer.release()
	}
	if e := s.cfg.Population.SnapshotEvery; e > 0 && s.step%e == 0 {
		s.pop.Add(s.step, s.proposer, s.solver.theta)
	}
	s.n = n
	s.measured = false
}

// evaluate fills in the held-out metrics (PassAt1, PassAtK), reusing the
// previous evaluation when the solver has not moved since (the proposer
// phase of the alternating schedule).
func (s *DualPlaySim) evaluate() {
	theta := s.solver.theta
	if !s.evalOK || !slices.Equal(theta, s.evalTheta) {
		s.eval1, s.evalK = s.eval.PassAt1AndK(theta, s.cfg.Eval.K)
		s.evalTheta = append(s.evalTheta[:0], theta...)
		s.evalOK = true
	}
	s.metrics.PassAt1, s.metrics.PassAtK = s.eval1, s.evalK
}

// propose fills the batch with n proposed tasks.
func (s *DualPlaySim) propose(n int) {
	r := s.rPropose
	past := s.cfg.Population.PastProposerShare
	g := s.space.NumCells()
	for i := range n {
		t := &s.tasks[i]
		switch {
		case s.teacher != nil:
			tt := s.teacher.Sample(r)
			s.tt[i] = tt
			s.actions[i] = -1
			if tt.Point != nil {
				cat := min(max(int(tt.Point[0]), 0), s.space.NumCategories()-1)
				s.space.ProposeAt(r, cat, tt.Point[1], t)
			} else {
				s.space.ProposeCell(r, tt.Category/g, tt.Category%g, t)
			}
		case past > 0 && s.pop.Len() > 0 && r.Float64() < past:
			p := s.pop.Members[r.IntN(s.pop.Len())].Proposer
			cat, cell := p.Cell(p.Sample(r))
			s.space.ProposeCell(r, cat, cell, t)
			s.actions[i] = -1
			s.proposeFormat(r, p, i, t)
		default:
			a := s.proposer.Sample(r)
			cat, cell := s.proposer.Cell(a)
			s.space.ProposeCell(r, cat, cell, t)
			s.actions[i] = a
			s.proposeFormat(r, s.proposer, i, t)
		}
	}
}

// proposeFormat finishes proposal i, t, by p: the validity coupling's
// kind, then (with format tokens) its tokens, which, unless all are right,
// make it malformed, a task of kind Invalid.
func (s *DualPlaySim) proposeFormat(r *rand.Rand, p *DualProposer, i int, t *game.Task) {
	if k := s.cfg.Proposer.ValidityCoupling; k != 0 {
		if shift := k * (s.phi[t.Category] - s.phi0[t.Category]); shift != 0 {
			t.Kind = s.space.SampleKind(r, t.Difficulty-shift)
		}
	}
	if l := p.FormatTokens(); l > 0 {
		s.malformed[i] = !p.SampleFormat(r, s.tokens[i*l:(i+1)*l])
		if s.malformed[i] {
			t.Kind = game.Invalid
		}
	}
}

// grade runs attempts, checks, verifier and rewards on the batch.
func (s *DualPlaySim) grade(n int) {
	cfg := &s.cfg
	M := cfg.Attempts
	theta := s.solver.theta
	// Batch signature counts for R-Zero's repetition clusters.
	for _, k := range s.touched {
		s.batchCnt[k] = 0
	}
	s.touched = s.touched[:0]
	for i := range n {
		k := s.space.SignatureKey(&s.tasks[i])
		if s.batchCnt[k] == 0 {
			s.touched = append(s.touched, k)
		}
		s.batchCnt[k]++
	}
	s.distinct = len(s.touched)
	for i := range n {
		t := &s.tasks[i]
		atts := s.atts[i*M : (i+1)*M]
		vr := s.vrew[i*M : (i+1)*M]
		p := 0.0
		if t.Kind != game.Leaking {
			p = t.Response(theta[t.Category])
		}
		s.resp[i] = p
		correct, matches := s.space.AttemptsAt(s.rAttempt, t, p, atts)
		var accepted int
		switch cfg.Verifier {
		case VerifierExact:
			game.ExactRewards(atts, vr)
			accepted = correct
		case VerifierMajority:
			vote := game.MajorityVote(atts)
			s.votes[i] = vote
			vote.Rewards(atts, vr)
			accepted = vote.Count
		default:
			game.LabelRewards(atts, vr)
			accepted = matches
		}
		o := TaskOutcome{Attempts: M, Correct: accepted, Batch: n}
		switch {
		case s.malformed != nil && s.malformed[i]:
			// It did not parse: no check passes it, and the solver never
			// trains on it.
			o.Malformed, o.Invalid = true, true
		case cfg.ValidityCheck == CheckExact:
			o.Invalid = t.Kind == game.Invalid
		case cfg.ValidityCheck == CheckRetrieval:
			o.Invalid = !s.space.RetrievalCheck(s.rCheck, t)
		}
		if cfg.LeakCheck && t.Kind == game.Leaking {
			o.Leak = s.rCheck.Float64() < cfg.LeakDetect
		}
		key := s.space.SignatureKey(t)
		o.Cluster = int(s.batchCnt[key])
		o.Diversity = 1
		if s.ringLen > 0 {
			o.Diversity = 1 - float64(s.ringCount[key])/float64(s.ringLen)
		}
		s.outcomes[i] = o
		s.prew[i] = s.propReward.Reward(o)
		sr := s.srew[i*M : (i+1)*M]
		for j := range sr {
			sr[j] = s.attemptReward[b2i(vr[j] == 1)]
		}
		s.trains[i] = !o.Invalid && !o.Leak && s.solvReward.Trains(o)
	}
	// Tasks accepted this step join the diversity window after the whole
	// batch was scored, so a batch is compared with its past only.
	for i := range n {
		if !s.trains[i] {
			continue
		}
		key := s.space.SignatureKey(&s.tasks[i])
		if s.ringLen == len(s.ring) {
			s.ringCount[s.ring[s.ringPos]]--
		} else {
			s.ringLen++
		}
		s.ring[s.ringPos] = key
		s.ringCount[key]++
		s.ringPos = (s.ringPos + 1) % len(s.ring)
	}
}

// update applies the phase's updates: solver, proposer or teacher, and the
// replay buffer (if any).
func (s *DualPlaySim) update(n int) {
	if n == 0 {
		return
	}
	cfg := &s.cfg
	M := cfg.Attempts
	nm := n * M
	if s.advS.keyed != nil {
		for i := range n {
			for j := range M {
				s.skeys[i*M+j] = s.tasks[i].Category
			}
		}
	}
	s.advS.advantages(s.sadv[:nm], s.srew[:nm], M, s.skeys[:nm])
	if s.phase != PhaseProposer {
		for i := range n {
			if s.trains[i] {
				// s.resp[i] is the response at the θ this batch was
				// graded at, which Apply has not moved yet.
				t := &s.tasks[i]
				s.solver.accumulateAt(t, informationAt(t, s.resp[i]), s.atts[i*M:(i+1)*M], s.sadv[i*M:(i+1)*M])
			}
		}
		s.solver.Apply(n)
	}
	if s.phase == PhaseSolver {
		return
	}
	if s.teacher != nil {
		for i := range n {
			s.obs[i] = TeacherObservation{Task: s.tt[i], Reward: s.outcomes[i].SolveRate(),
				AbsAdvantage: MeanAbs(s.sadv[i*M : (i+1)*M]), Rollouts: M}
		}
		s.teacher.Update(s.obs[:n])
	} else if cfg.Schedule.Kind != ScheduleFrozen {
		s.updateProposer(n)
	}
	if s.phase == PhaseProposer && s.buffer != nil {
		for i := range n {
			if s.trains[i] {
				s.buffer.push(&s.tasks[i])
			}
		}
		s.buffer.trim(s.buffer.cap)
	}
}

// updateProposer normalizes the on-policy tasks' rewards and takes the
// proposer's REINFORCE step.
func (s *DualPlaySim) updateProposer(n int) {
	k := 0
	for i := range n {
		if s.actions[i] >= 0 {
			s.crew[k] = s.prew[i]
			s.ckeys[k] = s.tasks[i].Category
			k++
		}
	}
	if k == 0 {
		return
	}
	s.advP.advantages(s.cadv[:k], s.crew[:k], k, s.ckeys[:k])
	k = 0
	for i := range n {
		s.padv[i] = 0
		if s.actions[i] >= 0 {
			s.padv[i] = s.cadv[k]
			k++
		}
	}
	var tokens []int
	if s.tokens != nil {
		tokens = s.tokens[:n*s.proposer.FormatTokens()]
	}
	s.proposer.UpdateFormat(s.actions[:n], tokens, s.padv[:n])
}

// roleAdvantage is one role's advantage estimator (DualPlayConfig.Advantage,
// ProposerAdvantage): group-normalized (GRPO, Dr.GRPO), keyed TRR++
// baselines, or the raw reward (none).
type roleAdvantage struct {
	raw   bool
	norm  Normalization
	keyed *KeyedNormalizer // TRR++ only
}

func newRoleAdvantage(name string, categories int) roleAdvantage {
	switch name {
	case AdvantageDrGRPO:
		return roleAdvantage{norm: NormDrGRPO}
	case AdvantageTRR:
		return roleAdvantage{keyed: NewKeyedNormalizer(categories, NormGRPO, DefaultAdvantageEps)}
	case AdvantageNone:
		return roleAdvantage{raw: true}
	}
	return roleAdvantage{norm: NormGRPO}
}

// advantages writes the advantages of rewards into dst: per group of
// groupSize (GRPO, Dr.GRPO), per key (TRR++), or the rewards themselves.
func (a *roleAdvantage) advantages(dst, rewards []float64, groupSize int, keys []int) {
	switch {
	case a.raw:
		copy(dst, rewards)
	case a.keyed != nil:
		a.keyed.Advantages(dst, rewards, keys)
	default:
		GroupAdvantages(dst, rewards, groupSize, a.norm, DefaultAdvantageEps)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
