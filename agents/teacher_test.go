package agents

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func mustTeacher(t *testing.T, name string, values map[string]any, space TeacherSpace, seed uint64) Teacher {
	t.Helper()
	tc, err := NewTeacher(name, values, space, seed)
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

func TestTeacherRegistryErrors(t *testing.T) {
	cats := TeacherSpace{Categories: 4}
	box := TeacherSpace{Low: []float64{0}, High: []float64{1}}
	tests := []struct {
		name   string
		params map[string]any
		space  TeacherSpace
		param  string
		want   string
	}{
		{"sec_bandit", nil, cats, "", `unknown teacher "sec_bandit" (known: uniform, sec, alp_gmm)`},
		{TeacherSEC, map[string]any{"alpha": 0}, cats, "alpha", "want a number in (0, 1]"},
		{TeacherSEC, map[string]any{"temperature": -1}, cats, "temperature", "want a finite number > 0"},
		{TeacherSEC, map[string]any{"temp": 1}, cats, "temp", "unknown parameter"},
		{TeacherSEC, nil, box, "", "teacher sec: task space: 0 categories: want at least 1"},
		{TeacherALPGMM, nil, cats, "", "teacher alp_gmm: task space: no box"},
		{TeacherALPGMM, map[string]any{"max_k": 1}, box, "max_k", "want an integer ≥ 2"},
		{TeacherALPGMM, map[string]any{"fit_rate": 5}, box, "max_k", "want at most fit_rate = 5"},
		{TeacherALPGMM, map[string]any{"fit_rate": 2.5}, box, "fit_rate", "want an integer"},
		{TeacherALPGMM, map[string]any{"random_ratio": 2}, box, "random_ratio", "want a number in [0, 1]"},
		{TeacherALPGMM, map[string]any{"reward_low": 1}, box, "reward_high", "want a finite number > reward_low = 1"},
		{TeacherALPGMM, nil, TeacherSpace{Low: []float64{0, 1}, High: []float64{1, 1}}, "", "dimension 1: bounds [1, 1]"},
		{TeacherUniform, nil, TeacherSpace{}, "", "no categories and no box"},
	}
	for _, tc := range tests {
		_, err := NewTeacher(tc.name, tc.params, tc.space, 1)
		if err == nil {
			t.Errorf("%s %v: no error", tc.name, tc.params)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %q, want it to contain %q", tc.name, tc.params, err, tc.want)
		}
		var pe *ParamError
		if got := errors.As(err, &pe); got != (tc.param != "") || (got && pe.Param != tc.param) {
			t.Errorf("%s %v: error %q does not name parameter %q", tc.name, tc.params, err, tc.param)
		}
	}
}

func TestUniformTeacher(t *testing.T) {
	space := TeacherSpace{Categories: 5, Low: []float64{-1, 10}, High: []float64{1, 20}}
	u := mustTeacher(t, TeacherUniform, nil, space, 0)
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 50000
	count := make([]int, space.Categories)
	var mean [2]float64
	for range n {
		task := u.Sample(rng)
		count[task.Category]++
		for i, x := range task.Point {
			if x < space.Low[i] || x > space.High[i] {
				t.Fatalf("point %v outside the box", task.Point)
			}
			mean[i] += x / n
		}
	}
	// Each count is Binomial(n, 1/5): sd ≈ 89; 5 sd.
	for c, k := range count {
		if math.Abs(float64(k)-n/5) > 450 {
			t.Errorf("category %d drawn %d times of %d", c, k, n)
		}
	}
	if math.Abs(mean[0]) > 0.02 || math.Abs(mean[1]-15) > 0.1 {
		t.Errorf("box means %v, want ≈ (0, 15)", mean)
	}
}

// TestTeachersDeterministic runs every teacher twice with the same seeds
// through sampling and updates and checks the choices are identical, and
// that another sampling seed changes them.
func TestTeachersDeterministic(t *testing.T) {
	space := TeacherSpace{Categories: 4, Low: []float64{0, 0}, High: []float64{1, 2}}
	run := func(name string, seed uint64) []TeacherTask {
		te := mustTeacher(t, name, map[string]any{}, space, 3)
		if name == TeacherALPGMM {
			te = mustTeacher(t, name, map[string]any{"fit_rate": 40, "max_k": 4}, space, 3)
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		env := rand.New(rand.NewPCG(seed, 2))
		var all []TeacherTask
		for range 12 {
			batch := make([]TeacherObservation, 16)
			for i := range batch {
				task := te.Sample(rng)
				all = append(all, task)
				batch[i] = TeacherObservation{Task: task, Reward: env.Float64(), AbsAdvantage: env.Float64(), Rollouts: 8}
			}
			te.Update(batch)
		}
		return all
	}
	equal := func(a, b []TeacherTask) bool {
		return slices.EqualFunc(a, b, func(x, y TeacherTask) bool { return x.Category == y.Category && slices.Equal(x.Point, y.Point) })
	}
	for _, s := range TeacherSchemes() {
		a, b, c := run(s.Name, 1), run(s.Name, 1), run(s.Name, 2)
		if !equal(a, b) {
			t.Errorf("%s: two runs with the same seeds differ", s.Name)
		}
		if equal(a, c) {
			t.Errorf("%s: runs with different seeds agree", s.Name)
		}
	}
}
