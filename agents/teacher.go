package agents

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// TeacherTask is the task parameters a teacher chooses: a skill category,
// a point in a continuous task box, or both, depending on the teacher and
// its TeacherSpace.
type TeacherTask struct {
	// Category is the chosen category, or −1 when the teacher does not
	// choose one (ALP-GMM chooses only a point; a runner that wants
	// ALP-GMM over categories makes the category a box dimension).
	Category int
	// Point is the chosen point in the box [Low, High], nil when the
	// space has no box.
	Point []float64
}

// TeacherSpace is the task space a teacher samples from.
type TeacherSpace struct {
	// Categories is the number of skill categories (0 for none).
	Categories int
	// Low and High bound a box of continuous task parameters (for example
	// difficulty); both nil for none.
	Low, High []float64
}

func (s TeacherSpace) check(needCategories, needBox bool) error {
	if s.Categories < 0 || needCategories && s.Categories == 0 {
		return fmt.Errorf("task space: %d categories: want at least 1", s.Categories)
	}
	if len(s.Low) != len(s.High) {
		return fmt.Errorf("task space: box bounds of %d and %d dimensions", len(s.Low), len(s.High))
	}
	if needBox && len(s.Low) == 0 {
		return fmt.Errorf("task space: no box: want low and high bounds of at least one dimension")
	}
	for i := range s.Low {
		if !(s.Low[i] < s.High[i]) || s.High[i]-s.Low[i] > 1e300 {
			return fmt.Errorf("task space: dimension %d: bounds [%v, %v]: want finite low < high", i, s.Low[i], s.High[i])
		}
	}
	return nil
}

// uniformPoint draws a point uniformly from the box (nil without a box).
func (s TeacherSpace) uniformPoint(rng *rand.Rand) []float64 {
	if len(s.Low) == 0 {
		return nil
	}
	x := make([]float64, len(s.Low))
	for i := range x {
		x[i] = s.Low[i] + rng.Float64()*(s.High[i]-s.Low[i])
	}
	return x
}

// TeacherObservation is what a teacher learns from one task of a batch.
type TeacherObservation struct {
	Task TeacherTask
	// Reward is the task's episode return, ALP-GMM's signal: typically the
	// solver's success rate on the task.
	Reward float64
	// AbsAdvantage is the mean |A| over the task's rollouts, SEC's signal.
	AbsAdvantage float64
	// Rollouts weights AbsAdvantage in a category's mean over rollouts;
	// 0 counts as 1.
	Rollouts int
}

// Teacher is a curriculum over tasks without a learned proposer: it
// samples task parameters and learns from the batch's outcomes. Given the
// same construction seed, the same rng stream and the same observations, a
// teacher makes the same choices. A Teacher is not safe for concurrent
// use.
type Teacher interface {
	// Name is the registry name of the teacher.
	Name() string
	// Sample draws the parameters of one task.
	Sample(rng *rand.Rand) TeacherTask
	// Update learns from the observations of one training step's batch,
	// in order.
	Update(batch []TeacherObservation)
}

// Teachers, by registry name.
const (
	TeacherUniform = "uniform"
	TeacherSEC     = "sec"
	TeacherALPGMM  = "alp_gmm"
)

type teacherScheme struct {
	Scheme
	build func(p Params, space TeacherSpace, seed uint64) (Teacher, error)
}

func teacherSchemes() []teacherScheme {
	return []teacherScheme{
		{Scheme{Name: TeacherUniform, Source: "algorithms.md §6 (issue 5 baseline)",
			Summary: "uniform over categories (and over the box, if any)"}, newUniformTeacher},
		{Scheme{Name: TeacherSEC, Source: "algorithms.md §6.5 [abs][secondary]",
			Summary: "bandit over categories: Boltzmann p(c) ∝ exp(Q(c)/T), TD(0) on the mean |advantage|",
			Params:  secParams()}, newSECTeacher},
		{Scheme{Name: TeacherALPGMM, Source: "algorithms.md §6.6 [code:flowersteam/TeachMyAgent]",
			Summary: "absolute learning progress with Gaussian mixtures over (task, ALP)",
			Params:  alpGMMParams()}, newALPGMMTeacher},
	}
}

// TeacherSchemes returns the teacher registry in listing order.
func TeacherSchemes() []Scheme {
	s := teacherSchemes()
	out := make([]Scheme, len(s))
	for i := range s {
		out[i] = s[i].Scheme
	}
	return out
}

// NewTeacher builds the teacher called name over space with the given
// parameter values (nil for defaults); seed drives the teacher's internal
// randomness (ALP-GMM's EM initialization), never the sampling, which uses
// the rng passed to Sample. An unknown name is an error listing the known
// ones; a bad parameter is a *ParamError naming it.
func NewTeacher(name string, values map[string]any, space TeacherSpace, seed uint64) (Teacher, error) {
	var names []string
	for _, s := range teacherSchemes() {
		if s.Name == name {
			p, err := s.Resolve(values)
			if err != nil {
				return nil, err
			}
			t, err := s.build(p, space, seed)
			if err != nil {
				return nil, fmt.Errorf("teacher %s: %w", name, err)
			}
			return t, nil
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown teacher %q (known: %s)", name, strings.Join(names, ", "))
}

// UniformTeacher samples categories (and box points) uniformly and learns
// nothing: the random-curriculum baseline.
type UniformTeacher struct {
	space TeacherSpace
}

func newUniformTeacher(_ Params, space TeacherSpace, _ uint64) (Teacher, error) {
	if err := space.check(false, false); err != nil {
		return nil, err
	}
	if space.Categories == 0 && len(space.Low) == 0 {
		return nil, fmt.Errorf("task space: no categories and no box")
	}
	return &UniformTeacher{space: space}, nil
}

// Name implements Teacher.
func (*UniformTeacher) Name() string { return TeacherUniform }

// Sample implements Teacher.
func (u *UniformTeacher) Sample(rng *rand.Rand) TeacherTask {
	t := TeacherTask{Category: -1}
	if u.space.Categories > 0 {
		t.Category = rng.IntN(u.space.Categories)
	}
	t.Point = u.space.uniformPoint(rng)
	return t
}

// Update implements Teacher; the uniform teacher ignores feedback.
func (*UniformTeacher) Update([]TeacherObservation) {}
