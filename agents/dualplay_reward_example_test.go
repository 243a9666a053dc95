package agents_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/agents"
)

// A runner builds the reward schemes from config, scores a batch of
// proposed tasks, and normalizes the rewards within each group.
func ExampleNewProposerReward() {
	proposer, err := agents.NewProposerReward("pasodoble", map[string]any{"tau_low": 0.2})
	if err != nil {
		panic(err)
	}
	solver, _ := agents.NewSolverReward("pasodoble", nil)
	for _, o := range []agents.TaskOutcome{
		{Attempts: 6, Correct: 3, Diversity: 0.5},             // in the band
		{Attempts: 6, Correct: 1, Diversity: 0.5},             // p ≤ τ_low: treated as invalid
		{Attempts: 6, Correct: 3, Diversity: 0.5, Leak: true}, // answer in the question
	} {
		fmt.Printf("p=%.2f reward=%.2f solver trains: %v\n", o.SolveRate(), proposer.Reward(o), solver.Trains(o))
	}

	rewards := []float64{1, 0, 0, 0, 1, 1, 1, 1} // two groups of four attempts
	adv := make([]float64, len(rewards))
	eff := agents.GroupAdvantages(adv, rewards, 4, agents.NormDrGRPO, 0)
	fmt.Println("advantages:", adv, "effective groups:", eff)

	_, err = agents.NewProposerReward("r_zero", map[string]any{"variant": "both"})
	fmt.Println(err)
	// Output:
	// p=0.50 reward=0.70 solver trains: true
	// p=0.17 reward=0.00 solver trains: false
	// p=0.50 reward=0.00 solver trains: false
	// advantages: [0.75 -0.25 -0.25 -0.25 0 0 0 0] effective groups: 1
	// algorithm r_zero: parameter variant: "both": want one of code, paper
}

// A teacher without a proposer: SEC samples categories and learns from the
// mean |advantage| of each category's rollouts.
func ExampleNewTeacher() {
	teacher, err := agents.NewTeacher("sec", map[string]any{"temperature": 0.1}, agents.TeacherSpace{Categories: 3}, 1)
	if err != nil {
		panic(err)
	}
	teacher.Update([]agents.TeacherObservation{
		{Task: agents.TeacherTask{Category: 1}, AbsAdvantage: 1, Rollouts: 8},
		{Task: agents.TeacherTask{Category: 2}, AbsAdvantage: 0, Rollouts: 8},
	})
	sec := teacher.(*agents.SECTeacher)
	fmt.Printf("Q = %.2f\n", sec.Q())
	count := make([]int, 3)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		count[teacher.Sample(rng).Category]++
	}
	fmt.Println("most sampled category:", maxIndex(count))
	// Output:
	// Q = [0.00 0.50 0.00]
	// most sampled category: 1
}

func maxIndex(v []int) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
