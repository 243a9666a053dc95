package agents

import (
	"fmt"
	"math"
	"math/rand/v2"
)

func secParams() []Param {
	return []Param{
		{Name: "alpha", Default: 0.5, Unverified: true, Doc: "TD(0) step α in Q(c) ← α r(c) + (1 − α) Q(c) (the paper's value is not pinned; 0.5 is this simulator's choice)"},
		{Name: "temperature", Default: 1.0, Unverified: true, Doc: "Boltzmann temperature T in p(c) ∝ exp(Q(c)/T) (not pinned; mean |A| lies in [0, 1] for binary GRPO rewards, so T = 1 is a mild preference and smaller T concentrates)"},
	}
}

// SECTeacher is the Self-Evolving Curriculum teacher (algorithms.md §6.5):
// a non-stationary bandit over categories. Categories are sampled by
// Boltzmann p(c) ∝ exp(Q(c)/T); after each step, every category c that had
// rollouts in the batch gets r(c) = mean |advantage| over its rollouts and
// the TD(0) update Q(c) ← α r(c) + (1 − α) Q(c); other categories keep
// their Q. Q starts at 0 (uniform sampling). For binary rewards mean |A|
// is 2√(p(1−p)) under GRPO and 2p(1−p) under Dr.GRPO, both peaking at
// p = ½, so SEC drifts to the categories the solver is learning.
type SECTeacher struct {
	alpha, temp float64
	q           []float64
	cdf         []float64
	sum, weight []float64
}

func newSECTeacher(p Params, space TeacherSpace, _ uint64) (Teacher, error) {
	if a := p.Float("alpha"); !(a > 0 && a <= 1) {
		return nil, p.errf("alpha", "%v: want a number in (0, 1]", a)
	}
	if err := p.positive("temperature"); err != nil {
		return nil, err
	}
	if err := space.check(true, false); err != nil {
		return nil, err
	}
	c := space.Categories
	s := &SECTeacher{alpha: p.Float("alpha"), temp: p.Float("temperature"),
		q: make([]float64, c), cdf: make([]float64, c), sum: make([]float64, c), weight: make([]float64, c)}
	s.refresh()
	return s, nil
}

// Name implements Teacher.
func (*SECTeacher) Name() string { return TeacherSEC }

// Sample implements Teacher: a category by the Boltzmann distribution;
// Point is nil.
func (s *SECTeacher) Sample(rng *rand.Rand) TeacherTask {
	u := rng.Float64() * s.cdf[len(s.cdf)-1]
	for c, v := range s.cdf {
		if u < v {
			return TeacherTask{Category: c}
		}
	}
	return TeacherTask{Category: len(s.cdf) - 1}
}

// Update implements Teacher: one TD(0) step per category present in the
// batch. A category outside the space panics.
func (s *SECTeacher) Update(batch []TeacherObservation) {
	clear(s.sum)
	clear(s.weight)
	for _, o := range batch {
		c := o.Task.Category
		if c < 0 || c >= len(s.q) {
			panic(fmt.Sprintf("agents: SEC teacher update for category %d of %d", c, len(s.q)))
		}
		w := float64(max(o.Rollouts, 1))
		s.sum[c] += w * o.AbsAdvantage
		s.weight[c] += w
	}
	for c := range s.q {
		if s.weight[c] > 0 {
			s.q[c] = s.alpha*s.sum[c]/s.weight[c] + (1-s.alpha)*s.q[c]
		}
	}
	s.refresh()
}

// refresh recomputes the unnormalized cumulative Boltzmann weights
// (shifted by max Q so that exp cannot overflow).
func (s *SECTeacher) refresh() {
	m := math.Inf(-1)
	for _, v := range s.q {
		m = max(m, v)
	}
	acc := 0.0
	for c, v := range s.q {
		acc += math.Exp((v - m) / s.temp)
		s.cdf[c] = acc
	}
}

// Q returns a copy of the category values.
func (s *SECTeacher) Q() []float64 { return append([]float64(nil), s.q...) }

// Probabilities returns the current sampling distribution over categories.
func (s *SECTeacher) Probabilities() []float64 {
	p := make([]float64, len(s.cdf))
	prev, total := 0.0, s.cdf[len(s.cdf)-1]
	for c, v := range s.cdf {
		p[c] = (v - prev) / total
		prev = v
	}
	return p
}
