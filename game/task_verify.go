package game

import "math/rand/v2"

// The verifiers below turn a group of attempts at one task into rewards.
// They differ in what they can see: Exact sees ground truth, LabelMatch
// sees the proposer's label (PasoDoble), MajorityVote sees only the
// attempts (R-Zero), and RetrievalCheck judges the task itself (SSP).

// ExactRewards writes 1 for each attempt that is correct by ground truth and
// 0 otherwise into dst (len ≥ len(atts)) and returns the mean; 0 for no
// attempts.
func ExactRewards(atts []Attempt, dst []float64) float64 {
	n := 0
	for i, a := range atts {
		dst[i] = b2f(a.Correct)
		if a.Correct {
			n++
		}
	}
	return fraction(n, len(atts))
}

// LabelRewards writes 1 for each attempt that matches the proposer's label
// and 0 otherwise into dst (len ≥ len(atts)) and returns the mean: the
// solve rate p a proposer-labelled verifier reports.
func LabelRewards(atts []Attempt, dst []float64) float64 {
	n := 0
	for i, a := range atts {
		dst[i] = b2f(a.MatchesLabel)
		if a.MatchesLabel {
			n++
		}
	}
	return fraction(n, len(atts))
}

// Vote is the outcome of a majority vote over a group of attempts.
type Vote struct {
	// Label is the pseudo-label: the most frequent answer, ties going to
	// the answer given first.
	Label Answer
	// Count is how many attempts gave Label; N is the group size.
	Count, N int
	// Correct reports whether Label is correct by ground truth (the
	// pseudo-label accuracy the simulator can measure and R-Zero cannot).
	Correct bool
}

// PHat returns Count/N, R-Zero's estimate of the solve rate; 0 for an empty
// group.
func (v Vote) PHat() float64 { return fraction(v.Count, v.N) }

// Rewards writes 1 for each attempt agreeing with the pseudo-label and 0
// otherwise into dst (len ≥ len(atts)) and returns their mean, PHat.
func (v Vote) Rewards(atts []Attempt, dst []float64) float64 {
	for i, a := range atts {
		dst[i] = b2f(a.Answer == v.Label)
	}
	return v.PHat()
}

// MajorityVote returns the majority answer of atts (R-Zero's pseudo-label)
// and whether it is correct. An empty group votes for AnswerKey with Count
// 0 and Correct false. It does not allocate.
func MajorityVote(atts []Attempt) Vote {
	if len(atts) == 0 {
		return Vote{}
	}
	var best, top int
	if len(atts) <= 32 {
		// Small groups (the usual m ≤ 16): count each answer at its first
		// occurrence; cheaper than clearing a table of all 256 answers.
		for i, a := range atts {
			if len(atts)-i <= top {
				break // no later answer can beat the leader
			}
			if contains(atts[:i], a.Answer) {
				continue // counted at its first occurrence
			}
			n := 1
			for _, b := range atts[i+1:] {
				if b.Answer == a.Answer {
					n++
				}
			}
			if n > top {
				best, top = i, n
			}
		}
	} else {
		var counts [256]int32
		for _, a := range atts {
			counts[a.Answer]++
			top = max(top, int(counts[a.Answer]))
		}
		for int(counts[atts[best].Answer]) != top {
			best++
		}
	}
	w := atts[best]
	return Vote{Label: w.Answer, Count: top, N: len(atts), Correct: w.Correct}
}

// RetrievalPassProb returns the probability that the retrieval validity
// check (RetrievalCheck) passes a task of kind k: RetrievalValidPass ·
// (1 − RetrievalDerail)^d for valid, leaking and non-unique tasks (the
// check recovers the proposer's answer, so non-unique tasks pass: SSP's
// known failure mode), RetrievalInvalidPass · (1 − RetrievalExpose)^d for
// invalid ones, with d = RetrievalDistractors.
func (s *TaskSpace) RetrievalPassProb(k TaskKind) float64 { return s.retrieval[k] }

// RetrievalCheck samples SSP's retrieval-augmented validity check of t: a
// solver without search, given the proposer's documents and d unrelated
// ones, must recover the proposer's label.
func (s *TaskSpace) RetrievalCheck(r *rand.Rand, t *Task) bool {
	return r.Float64() < s.retrieval[t.Kind]
}

// contains reports whether answer x occurs in atts.
func contains(atts []Attempt, x Answer) bool {
	for _, a := range atts {
		if a.Answer == x {
			return true
		}
	}
	return false
}

// b2f converts through an integer so that the compiler emits no branch:
// the outcomes are random, so a branch would often be mispredicted.
func b2f(b bool) float64 { return float64(b2u(b)) }

func fraction(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
