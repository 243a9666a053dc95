package agents

import (
	"math"
	"strconv"

	"github.com/selfplay-lab/selfplay/game"
)

// DualMetrics are the measurements of one dual-play step (algorithms.md
// §7, curriculum side). Batch measures describe the step's batch: the
// proposed tasks in joint and proposer phases, the tasks drawn from the
// replay buffer in solver phases. "True" solve rates are closed-form
// ground-truth success probabilities (game.TaskSpace.SuccessProb) given
// the batch's tasks, so they carry the noise of the task draw only.
type DualMetrics struct {
	Step  int
	Phase DualPhase
	// Tasks is the batch size this step (smaller than Batch when the
	// replay buffer runs short; 0 when it is empty).
	Tasks int

	// PassAt1 and PassAtK are the solver's held-out pass rates after the
	// step's update (exact expectations over the EvalSet).
	PassAt1, PassAtK float64
	// Ability is θ per category after the update (a view, valid during
	// the step callback); AbilityMean its mean.
	Ability     []float64
	AbilityMean float64

	// RefSolveRate is the mean true solve rate of the batch by the frozen
	// reference solver (initial θ): the proposer's difficulty on a fixed
	// scale. RefSolveRateValid is the same over valid tasks only.
	RefSolveRate, RefSolveRateValid float64
	// SolveRate is the current solver's mean true solve rate on the batch
	// (before the update); VerifiedRate the mean solve rate p the
	// verifier reported to the rewards.
	SolveRate, VerifiedRate float64
	// BandShare is the share of tasks the current solver solves at a true
	// rate strictly inside (BandLow, BandHigh).
	BandShare float64

	// ValidRate is the share of Valid tasks; Invalid, Leaks and NonUnique
	// count the broken kinds. The hacking counters: InvalidRewarded and
	// LeaksRewarded count broken tasks with a positive proposer reward,
	// NonUniquePassed non-unique tasks the validity check let through,
	// Flagged the tasks the validity or leak checks rejected. Malformed
	// counts the proposals that did not parse (ProposerConfig.FormatTokens);
	// they are of kind Invalid and flagged, so Invalid and Flagged count
	// them too.
	ValidRate                                       float64
	Invalid, Leaks, NonUnique                       int
	InvalidRewarded, LeaksRewarded, NonUniquePassed int
	Flagged, Malformed                              int

	// LabelAccuracy is the share of tasks whose reference label, as the
	// verifier in use sees it, is correct by ground truth: the proposer's
	// label (label verifier: all but invalid tasks), the majority answer
	// (majority verifier), or 1 (exact). MajorityAccuracy is the majority
	// vote's accuracy whatever the verifier (R-Zero's pseudo-label
	// accuracy).
	LabelAccuracy, MajorityAccuracy float64

	// CategoryEntropy is the entropy of the batch's categories divided by
	// log C (1 when C = 1); DistinctSignatures the number of distinct task
	// signatures in the batch; RepetitionMass the share of tasks repeating
	// an earlier task of the batch, 1 − distinct/Tasks.
	CategoryEntropy    float64
	DistinctSignatures int
	RepetitionMass     float64

	// EffectiveGroups is the share of tasks whose solver rewards are not
	// all equal (effective prompt ratio); TrainedShare the share the
	// solver trained on (0 in proposer phases and with a zero rate).
	EffectiveGroups, TrainedShare float64
	// ProposerReward is the mean proposer reward of the batch,
	// SolverReward the mean solver reward per attempt.
	ProposerReward, SolverReward float64
	// TrainedSolverReward is the mean solver reward per attempt over the
	// tasks the solver trains on (NaN when it trains on none, as in
	// proposer phases). It is the training reward a paper plots: SSP's
	// solver is rewarded only on questions that passed the validity check,
	// so its reward curve never includes the tasks the check rejected or
	// the band filter dropped, whereas SolverReward averages over the whole
	// batch.
	TrainedSolverReward float64
	// ProposerEntropy is H(π) of the proposer policy in nats after the
	// update (0 with a teacher): the cell policy's, format tokens
	// excluded. FormatEntropy is the mean over the format positions of
	// their softmax's entropy, in nats (0 without format tokens): the
	// flattening of the format a "death spiral" would show.
	ProposerEntropy, FormatEntropy float64
	// BufferLen and PopulationLen are the replay buffer and population
	// sizes after the step.
	BufferLen, PopulationLen int
}

// dualMetricNames are the fixed metric names in AppendValues order; the
// per-category abilities follow.
var dualMetricNames = [...]string{
	"step", "phase", "tasks", "pass_at_1", "pass_at_k", "ability_mean",
	"ref_solve_rate", "ref_solve_rate_valid", "solve_rate", "verified_rate", "band_share",
	"valid_rate", "invalid", "leaks", "non_unique", "invalid_rewarded", "leaks_rewarded", "non_unique_passed", "flagged", "malformed",
	"label_accuracy", "majority_accuracy",
	"category_entropy", "distinct_signatures", "repetition_mass",
	"effective_groups", "trained_share", "proposer_reward", "solver_reward", "trained_solver_reward", "proposer_entropy", "format_entropy",
	"buffer_len", "population_len",
}

// DualMetricNames returns the names of the values AppendValues appends for
// a task space of the given number of categories: the fixed metrics,
// then ability_0 … ability_{C−1}. phase is encoded as its DualPhase value.
func DualMetricNames(categories int) []string {
	names := append([]string(nil), dualMetricNames[:]...)
	for c := range categories {
		names = append(names, "ability_"+strconv.Itoa(c))
	}
	return names
}

// AppendValues appends m's values in DualMetricNames order to dst and
// returns it; it does not allocate when dst has room.
func (m *DualMetrics) AppendValues(dst []float64) []float64 {
	dst = append(dst,
		float64(m.Step), float64(m.Phase), float64(m.Tasks), m.PassAt1, m.PassAtK, m.AbilityMean,
		m.RefSolveRate, m.RefSolveRateValid, m.SolveRate, m.VerifiedRate, m.BandShare,
		m.ValidRate, float64(m.Invalid), float64(m.Leaks), float64(m.NonUnique),
		float64(m.InvalidRewarded), float64(m.LeaksRewarded), float64(m.NonUniquePassed), float64(m.Flagged), float64(m.Malformed),
		m.LabelAccuracy, m.MajorityAccuracy,
		m.CategoryEntropy, float64(m.DistinctSignatures), m.RepetitionMass,
		m.EffectiveGroups, m.TrainedShare, m.ProposerReward, m.SolverReward, m.TrainedSolverReward, m.ProposerEntropy, m.FormatEntropy,
		float64(m.BufferLen), float64(m.PopulationLen))
	return append(dst, m.Ability...)
}

// measure fills the batch metrics of the last step's batch of n tasks from
// its record (tasks, outcomes, rewards, and the solver's responses before
// its update, s.resp), so it may run after the updates.
func (s *DualPlaySim) measure(n int) {
	m := &s.metrics
	*m = DualMetrics{Step: s.step, Phase: s.phase, Tasks: n, Ability: s.solver.theta}
	if n == 0 {
		return
	}
	cfg := &s.cfg
	clear(s.catCount)
	var refSum, refValid, solve, verified float64
	var nValid, band, labelOK, majOK, eff, trained int
	var pr, sr, tsr float64
	M := cfg.Attempts
	for i := range n {
		t := &s.tasks[i]
		s.catCount[t.Category]++
		ref := s.space.SuccessProb(t, s.ref)
		refSum += ref
		p := s.space.SuccessProbAt(t, s.resp[i])
		solve += p
		if p > cfg.Eval.BandLow && p < cfg.Eval.BandHigh {
			band++
		}
		o := &s.outcomes[i]
		verified += o.SolveRate()
		switch t.Kind {
		case game.Valid:
			nValid++
			refValid += ref
		case game.Invalid:
			m.Invalid++
			if s.prew[i] > 0 {
				m.InvalidRewarded++
			}
		case game.Leaking:
			m.Leaks++
			if s.prew[i] > 0 {
				m.LeaksRewarded++
			}
		case game.NonUnique:
			m.NonUnique++
			if !o.Invalid {
				m.NonUniquePassed++
			}
		}
		if o.Invalid || o.Leak {
			m.Flagged++
		}
		if o.Malformed {
			m.Malformed++
		}
		v := &s.votes[i]
		if cfg.Verifier != VerifierMajority {
			// Only the majority verifier needs the vote to grade.
			*v = game.MajorityVote(s.atts[i*M : (i+1)*M])
		}
		if v.Correct {
			majOK++
		}
		switch cfg.Verifier {
		case VerifierExact:
			labelOK++
		case VerifierMajority:
			if v.Correct {
				labelOK++
			}
		default:
			if t.Kind != game.Invalid {
				labelOK++
			}
		}
		if EffectiveGroup(s.srew[i*M : (i+1)*M]) {
			eff++
		}
		if s.trains[i] {
			trained++
		}
		pr += s.prew[i]
		for _, x := range s.srew[i*M : (i+1)*M] {
			sr += x
			if s.trains[i] {
				tsr += x
			}
		}
	}
	fn := float64(n)
	m.RefSolveRate, m.SolveRate, m.VerifiedRate = refSum/fn, solve/fn, verified/fn
	if nValid > 0 {
		m.RefSolveRateValid = refValid / float64(nValid)
	}
	m.BandShare = float64(band) / fn
	m.ValidRate = float64(nValid) / fn
	m.LabelAccuracy, m.MajorityAccuracy = float64(labelOK)/fn, float64(majOK)/fn
	if c := len(s.catCount); c > 1 {
		h := 0.0
		for _, k := range s.catCount {
			if k > 0 {
				q := float64(k) / fn
				h -= q * math.Log(q)
			}
		}
		m.CategoryEntropy = h / math.Log(float64(c))
	} else {
		m.CategoryEntropy = 1
	}
	m.DistinctSignatures = s.distinct
	m.RepetitionMass = 1 - float64(s.distinct)/fn
	m.EffectiveGroups = float64(eff) / fn
	if s.phase != PhaseProposer {
		m.TrainedShare = float64(trained) / fn
	}
	m.ProposerReward = pr / fn
	m.SolverReward = sr / (fn * float64(M))
	m.TrainedSolverReward = math.NaN()
	if trained > 0 && s.phase != PhaseProposer {
		m.TrainedSolverReward = tsr / float64(trained*M)
	}
}

// finish fills the metrics that describe the state after the step's
// updates.
func (s *DualPlaySim) finish() {
	m := &s.metrics
	theta := s.solver.theta
	m.Ability = theta
	sum := 0.0
	for _, x := range theta {
		sum += x
	}
	m.AbilityMean = sum / float64(len(theta))
	if s.proposer != nil {
		m.ProposerEntropy = s.proposer.Entropy()
		m.FormatEntropy = s.proposer.FormatEntropy()
	}
	if s.buffer != nil {
		m.BufferLen = s.buffer.len()
	}
	m.PopulationLen = s.pop.Len()
}
