package game

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTaskStep measures one simulated dual-play step on the issue's
// batch: 256 proposals in random cells, 8 solver attempts each, graded by
// the proposer's label, ground truth and a majority vote, plus the
// retrieval check ("step"), and each part alone. The steps/s metric of
// "step" is the throughput target (≥ 10⁴ steps/s).
func BenchmarkTaskStep(b *testing.B) {
	const batch, m = 256, 8
	s, err := NewTaskSpace(DefaultTaskConfig())
	if err != nil {
		b.Fatal(err)
	}
	theta := []float64{0.3, -0.2, 0.8, 0}
	tasks := make([]Task, batch)
	atts := make([]Attempt, batch*m)
	rewards := make([]float64, batch*m)
	sink := 0.0
	propose := func(r *rand.Rand) {
		for i := range tasks {
			s.ProposeCell(r, r.IntN(s.NumCategories()), r.IntN(s.NumCells()), &tasks[i])
		}
	}
	attempt := func(r *rand.Rand) {
		for i := range tasks {
			s.Attempts(r, &tasks[i], theta, atts[i*m:(i+1)*m])
		}
	}
	verify := func(r *rand.Rand) {
		for i := range tasks {
			a := atts[i*m : (i+1)*m]
			sink += LabelRewards(a, rewards[i*m:])
			sink += ExactRewards(a, rewards[i*m:])
			sink += MajorityVote(a).PHat()
			if s.RetrievalCheck(r, &tasks[i]) {
				sink++
			}
		}
	}
	for _, bc := range []struct {
		name string
		run  func(*rand.Rand)
	}{
		{"propose", propose},
		{"attempts", attempt},
		{"verify", verify},
		{"step", func(r *rand.Rand) { propose(r); attempt(r); verify(r) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			propose(r)
			attempt(r)
			b.ReportAllocs()
			for b.Loop() {
				bc.run(r)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
	if sink < 0 {
		b.Fatal(sink)
	}
}
