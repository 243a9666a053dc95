package game

import (
	"fmt"
	"math/rand/v2"
)

// evalStream is the PCG stream of held-out sets, apart from any stream a
// runner is likely to use for training with the same seed.
const evalStream = 0x6576616c // "eval"

// EvalSet is a fixed held-out set of valid tasks, graded by ground truth.
// Its pass rates are exact expectations under the 3PL model, so held-out
// curves carry no evaluation noise unless a runner asks for it
// (SampleCorrect). Safe for concurrent reads.
type EvalSet struct {
	Tasks []Task
}

// NewEvalSet returns perCell valid tasks for every (category, cell) of s,
// drawn as ProposeCell draws them but always valid, from a generator seeded
// by seed alone: the same seed and configuration give the same set. It
// panics if perCell < 1.
func (s *TaskSpace) NewEvalSet(seed uint64, perCell int) *EvalSet {
	if perCell < 1 {
		panic(fmt.Sprintf("game: held-out set with %d tasks per cell", perCell))
	}
	r := rand.New(rand.NewPCG(seed, evalStream))
	e := &EvalSet{Tasks: make([]Task, 0, s.cfg.Categories*s.cfg.Cells*perCell)}
	for c := range s.cfg.Categories {
		for g := range s.cfg.Cells {
			for range perCell {
				var t Task
				s.ProposeCell(r, c, g, &t)
				t.Kind = Valid
				e.Tasks = append(e.Tasks, t)
			}
		}
	}
	return e
}

// PassAt1 returns the expected pass@1 of a solver of per-category
// abilities theta: the mean 3PL success probability over the set.
func (e *EvalSet) PassAt1(theta []float64) float64 { return e.PassAtK(theta, 1) }

// PassAtK returns the expected pass@k, the mean over tasks of
// 1 − (1 − p)^k. A solver that only sharpens (raises p where it is already
// high) gains pass@1 but little pass@k at large k.
func (e *EvalSet) PassAtK(theta []float64, k int) float64 {
	if len(e.Tasks) == 0 {
		return 0
	}
	sum := 0.0
	for i := range e.Tasks {
		t := &e.Tasks[i]
		sum += PassAtKProb(t.Response(theta[t.Category]), k)
	}
	return sum / float64(len(e.Tasks))
}

// PassAt1AndK returns PassAt1(theta) and PassAtK(theta, k), bit for bit,
// computing each task's success probability once.
func (e *EvalSet) PassAt1AndK(theta []float64, k int) (pass1, passK float64) {
	if len(e.Tasks) == 0 {
		return 0, 0
	}
	for i := range e.Tasks {
		t := &e.Tasks[i]
		p := t.Response(theta[t.Category])
		pass1 += PassAtKProb(p, 1)
		passK += PassAtKProb(p, k)
	}
	n := float64(len(e.Tasks))
	return pass1 / n, passK / n
}

// PassAtKByCategory writes the expected pass@k of each category's tasks
// into dst (len ≥ the largest category + 1; categories without tasks get
// 0) and returns dst.
func (e *EvalSet) PassAtKByCategory(theta []float64, k int, dst []float64) []float64 {
	var counts [64]int
	var n []int
	if len(dst) <= len(counts) {
		n = counts[:len(dst)]
	} else {
		n = make([]int, len(dst))
	}
	for c := range dst {
		dst[c] = 0
	}
	for i := range e.Tasks {
		t := &e.Tasks[i]
		dst[t.Category] += PassAtKProb(t.Response(theta[t.Category]), k)
		n[t.Category]++
	}
	for c := range dst {
		if n[c] > 0 {
			dst[c] /= float64(n[c])
		}
	}
	return dst
}

// SampleCorrect samples n attempts at every task and writes the number of
// correct ones into dst (len ≥ len(Tasks)), the data from which
// EstimatePassAtK estimates pass@k as on a real benchmark.
func (e *EvalSet) SampleCorrect(r *rand.Rand, theta []float64, n int, dst []int) {
	for i := range e.Tasks {
		t := &e.Tasks[i]
		p := t.Response(theta[t.Category])
		c := 0
		for range n {
			if r.Float64() < p {
				c++
			}
		}
		dst[i] = c
	}
}

// EstimatePassAtK returns the mean over tasks of PassAtKEstimate(n,
// correct[i], k).
func EstimatePassAtK(correct []int, n, k int) float64 {
	if len(correct) == 0 {
		return 0
	}
	sum := 0.0
	for _, c := range correct {
		sum += PassAtKEstimate(n, c, k)
	}
	return sum / float64(len(correct))
}

// PassAtKEstimate is the unbiased estimator of pass@k from n attempts of
// which c were correct (Chen et al. 2021), 1 − C(n−c, k)/C(n, k), computed
// as 1 − ∏_{i=n−c+1}^{n} (1 − k/i), which neither overflows nor cancels
// catastrophically. Its expectation over c ~ Binomial(n, p) is exactly
// 1 − (1 − p)^k. It panics unless 0 ≤ c ≤ n and 1 ≤ k ≤ n.
func PassAtKEstimate(n, c, k int) float64 {
	if c < 0 || c > n || k < 1 || k > n {
		panic(fmt.Sprintf("game: pass@%d estimate from %d of %d attempts", k, c, n))
	}
	if n-c < k {
		return 1 // every k-subset contains a correct attempt
	}
	q := 1.0
	for i := n - c + 1; i <= n; i++ {
		q *= 1 - float64(k)/float64(i)
	}
	return 1 - q
}
