package game

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Answer identifies a solver's final answer to a task. Equal answers to the
// same task are the same answer, which is what majority voting counts.
type Answer uint8

const (
	// AnswerKey is the reference answer: the truth of a valid or leaking
	// task, the proposer's (correct) label of a non-unique task, and on an
	// invalid task the answer a careful solver gives, which disagrees with
	// the proposer's wrong label (and is not graded correct: the task has
	// no usable ground truth).
	AnswerKey Answer = 0
	// AnswerAlternative is a correct answer of a non-unique task other than
	// the proposer's label.
	AnswerAlternative Answer = 1
	// AnswerBogus is the wrong label of an invalid task; solvers give it
	// only by a coincident mistake (TaskConfig.InvalidMatch).
	AnswerBogus Answer = 2
	// Distractors (wrong answers) are firstDistractor + j, j < Distractors.
	firstDistractor Answer = 3
)

// Distractor returns the answer identity of wrong answer j (0-based; j = 0
// is the most common misconception).
func Distractor(j int) Answer { return firstDistractor + Answer(j) }

// IsDistractor reports whether a is one of the wrong answers Distractor(j).
func (a Answer) IsDistractor() bool { return a >= firstDistractor }

func (a Answer) String() string {
	switch a {
	case AnswerKey:
		return "key"
	case AnswerAlternative:
		return "alternative"
	case AnswerBogus:
		return "bogus"
	}
	return fmt.Sprintf("distractor%d", int(a-firstDistractor))
}

// Attempt is one sampled solver attempt at a task.
type Attempt struct {
	Answer Answer
	// Correct: the answer is correct by ground truth (Task.IsCorrect).
	Correct bool
	// MatchesLabel: the answer equals the proposer's label (Task.Label),
	// which is what a verifier comparing to the proposer's answer sees.
	MatchesLabel bool
}

// ItemResponse is the 3PL item-response function: the probability that a
// solver of ability theta answers an item of discrimination a, difficulty b
// and guessing c correctly, c + (1−c)·σ(a(θ − b)). With c = 0 it is the
// 2PL model, with a = 1 as well the 1PL (Rasch) model.
func ItemResponse(a, b, c, theta float64) float64 {
	return c + (1-c)*sigmoid(a*(theta-b))
}

// Response returns the 3PL success probability of a solver of ability
// theta on t's item parameters, whatever t's kind.
func (t *Task) Response(theta float64) float64 {
	return ItemResponse(t.Discrimination, t.Difficulty, t.Guessing, theta)
}

// SuccessProb returns the probability that one attempt at t by a solver of
// per-category abilities theta is correct by ground truth: the 3PL response
// on valid and non-unique tasks, LeakSuccess on leaking ones, 0 on invalid
// ones.
func (s *TaskSpace) SuccessProb(t *Task, theta []float64) float64 {
	switch t.Kind {
	case Invalid:
		return 0
	case Leaking:
		return s.cfg.LeakSuccess
	default:
		return t.Response(theta[t.Category])
	}
}

// LabelMatchProb returns the probability that one attempt at t matches the
// proposer's label: the 3PL response on valid tasks, LeakSuccess on leaking
// ones, InvalidMatch on invalid ones, and the response times NonUniqueMatch
// on non-unique ones.
func (s *TaskSpace) LabelMatchProb(t *Task, theta []float64) float64 {
	switch t.Kind {
	case Invalid:
		return s.cfg.InvalidMatch
	case Leaking:
		return s.cfg.LeakSuccess
	case NonUnique:
		return t.Response(theta[t.Category]) * s.cfg.NonUniqueMatch
	default:
		return t.Response(theta[t.Category])
	}
}

// NumAnswers returns the number of distinct answer identities,
// 3 + Distractors; answers are below it.
func (s *TaskSpace) NumAnswers() int { return int(firstDistractor) + s.cfg.Distractors }

// answerModel holds the thresholds that map one uniform u to an answer:
// u < bogus → AnswerBogus, u < key → AnswerKey, u < alt →
// AnswerAlternative, else a distractor drawn with (u − alt)·scale, scale =
// 1/(1 − alt).
type answerModel struct{ bogus, key, alt, scale float64 }

func newAnswerModel(bogus, key, alt float64) answerModel {
	scale := 0.0
	if alt < 1 {
		scale = 1 / (1 - alt)
	}
	return answerModel{bogus, key, alt, scale}
}

// answerModel returns the answer model of an attempt at t by a solver
// whose 3PL response on t is p (t.Response(θ_c); unused on leaking tasks).
func (s *TaskSpace) answerModel(t *Task, p float64) answerModel {
	switch t.Kind {
	case Invalid:
		e := s.cfg.InvalidMatch
		k := e + (1-e)*p
		return newAnswerModel(e, k, k)
	case Leaking:
		l := s.cfg.LeakSuccess
		return newAnswerModel(0, l, l)
	case NonUnique:
		return newAnswerModel(0, p*s.cfg.NonUniqueMatch, p)
	default:
		return newAnswerModel(0, p, p)
	}
}

// response returns t.Response(θ_c), or 0 on a leaking task, whose answers
// do not depend on the solver's ability (one exp saved).
func (t *Task) response(theta []float64) float64 {
	if t.Kind == Leaking {
		return 0
	}
	return t.Response(theta[t.Category])
}

// SuccessProbAt returns SuccessProb(t, θ) from the solver's 3PL response
// p = t.Response(θ_c) on t, for a caller that already has it.
func (s *TaskSpace) SuccessProbAt(t *Task, p float64) float64 {
	switch t.Kind {
	case Invalid:
		return 0
	case Leaking:
		return s.cfg.LeakSuccess
	default:
		return p
	}
}

// AnswerProbs writes into dst (len ≥ NumAnswers) the probability of each
// answer identity for one attempt at t and returns dst[:NumAnswers()].
// Attempts samples from exactly this distribution.
func (s *TaskSpace) AnswerProbs(t *Task, theta []float64, dst []float64) []float64 {
	dst = dst[:s.NumAnswers()]
	m := s.answerModel(t, t.response(theta))
	dst[AnswerBogus] = m.bogus
	dst[AnswerKey] = m.key - m.bogus
	dst[AnswerAlternative] = m.alt - m.key
	prev := 0.0
	for j, c := range s.distCum {
		dst[int(firstDistractor)+j] = (1 - m.alt) * (c - prev)
		prev = c
	}
	return dst
}

// Attempts samples len(dst) independent attempts at t by a solver of
// per-category abilities theta into dst and returns how many are correct
// and how many match the proposer's label. It does not allocate.
//
// Each attempt uses 32 random bits (one 64-bit draw serves two attempts):
// probabilities are resolved to 2⁻³², far below any sampling error.
func (s *TaskSpace) Attempts(r *rand.Rand, t *Task, theta []float64, dst []Attempt) (correct, matches int) {
	return s.AttemptsAt(r, t, t.response(theta), dst)
}

// AttemptsAt is Attempts for a solver whose 3PL response on t is p =
// t.Response(θ_c) (ignored on leaking tasks), for a caller that needs p
// too: the same draws, one exp fewer.
func (s *TaskSpace) AttemptsAt(r *rand.Rand, t *Task, p float64, dst []Attempt) (correct, matches int) {
	m := s.answerModel(t, p)
	label := t.Label()
	if len(s.distCum) > maxFastDistractors {
		var bits uint64
		for i := range dst {
			if i&1 == 0 {
				bits = r.Uint64()
			} else {
				bits <<= 32
			}
			a := s.drawAnswer(m, float64(bits>>32)*0x1p-32)
			ok := t.IsCorrect(a)
			dst[i] = Attempt{Answer: a, Correct: ok, MatchesLabel: a == label}
			correct += int(b2u(ok))
			matches += int(b2u(a == label))
		}
		return correct, matches
	}

	// Branch-free draws: the answer's rank is the number of thresholds at
	// or below the 32-bit uniform x (ranks 0, 1, 2 are bogus, key and
	// alternative, rank 3+j distractor j); x < th exactly when x − th
	// wraps around, which sets the top bit. Random outcomes would
	// otherwise mispredict a branch or two per attempt.
	var th [maxFastDistractors + 2]uint64
	n := s.thresholds(m, &th)
	var correctRank uint64 // bit r set when rank r is a correct answer
	labelRank := uint64(1)
	switch t.Kind {
	case Invalid:
		labelRank = 0
	case NonUnique:
		correctRank = 1<<1 | 1<<2
	default:
		correctRank = 1 << 1
	}
	var bits uint64
	for i := range dst {
		if i&1 == 0 {
			bits = r.Uint64()
		} else {
			bits <<= 32
		}
		x := bits >> 32
		rank := uint64(n)
		for _, v := range th[:n] {
			rank -= (x - v) >> 63
		}
		ok := correctRank>>rank&1 == 1
		hit := rank == labelRank
		dst[i] = Attempt{Answer: rankAnswers[rank], Correct: ok, MatchesLabel: hit}
		correct += int(b2u(ok))
		matches += int(b2u(hit))
	}
	return correct, matches
}

// maxFastDistractors bounds the distractor count of branch-free sampling.
const maxFastDistractors = 14

// thresholds writes the 32-bit fixed-point cumulative thresholds of m's
// answer ranks into th and returns how many there are (2 + Distractors).
func (s *TaskSpace) thresholds(m answerModel, th *[maxFastDistractors + 2]uint64) int {
	fix := func(p float64) uint64 { return uint64(min(max(p, 0), 1) * (1 << 32)) }
	th[0], th[1], th[2] = fix(m.bogus), fix(m.key), fix(m.alt)
	n := 3
	for _, c := range s.distCum[:len(s.distCum)-1] {
		th[n] = fix(m.alt + (1-m.alt)*c)
		n++
	}
	return n
}

// rankAnswers maps a sampling rank to its answer: bogus, key, alternative,
// then the distractors in order. A table, not a branch: ranks are random.
var rankAnswers = [maxFastDistractors + 3]Answer{AnswerBogus, AnswerKey, AnswerAlternative,
	3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func (s *TaskSpace) drawAnswer(m answerModel, u float64) Answer {
	switch {
	case u < m.bogus:
		return AnswerBogus
	case u < m.key:
		return AnswerKey
	case u < m.alt:
		return AnswerAlternative
	}
	// Reuse u: given u ≥ alt it is uniform on [alt, 1). A linear scan is
	// faster than a binary search for the few distractors of interest.
	v := (u - m.alt) * m.scale
	for j, c := range s.distCum {
		if v < c {
			return firstDistractor + Answer(j)
		}
	}
	return firstDistractor + Answer(len(s.distCum)-1)
}

// ItemInformation returns the Fisher information a²·p(1−p) of a 2PL item of
// discrimination a at a solver whose success probability is p: how much one
// graded attempt tells about (and, in the simulator, teaches) the solver's
// ability. It peaks at p = 1/2, like the learnability rewards.
func ItemInformation(a, p float64) float64 { return a * a * p * (1 - p) }

// ItemInformation3PL returns the Fisher information of a 3PL item with
// guessing c at success probability p,
// a²·(1−p)/p·((p−c)/(1−c))², which is ItemInformation when c = 0.
func ItemInformation3PL(a, c, p float64) float64 {
	if p <= 0 {
		return 0
	}
	q := (p - c) / (1 - c)
	return a * a * (1 - p) / p * q * q
}

// PassAtKProb returns 1 − (1 − p)^k, the probability that at least one of k
// independent attempts with success probability p succeeds, computed
// without cancellation for small p.
func PassAtKProb(p float64, k int) float64 {
	if p >= 1 {
		return 1
	}
	return -math.Expm1(float64(k) * math.Log1p(-p))
}
