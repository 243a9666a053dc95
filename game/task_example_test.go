package game_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/selfplay-lab/selfplay/game"
)

func ExampleTaskSpace() {
	space, err := game.NewTaskSpace(game.DefaultTaskConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	// Proposals get harder to make valid as they get harder to solve.
	fmt.Printf("valid rate at b = -2: %.3f, at b = 2: %.3f\n", space.ValidProb(-2), space.ValidProb(2))

	// A proposer picks a (category, difficulty cell); a solver of ability
	// θ per category makes 8 attempts.
	r := rand.New(rand.NewPCG(6, 2))
	theta := []float64{0.5, 0, 0, 0}
	var task game.Task
	space.ProposeCell(r, 0, space.CellOf(0.5), &task)
	atts := make([]game.Attempt, 8)
	correct, matches := space.Attempts(r, &task, theta, atts)
	fmt.Printf("%v task, b = %.2f: %d/8 correct, %d/8 match the label\n", task.Kind, task.Difficulty, correct, matches)

	// R-Zero's pseudo-label is the majority answer; here a common wrong
	// answer outvotes the correct one.
	vote := game.MajorityVote(atts)
	fmt.Printf("pseudo-label %v, p̂ = %.3f, correct: %v\n", vote.Label, vote.PHat(), vote.Correct)

	// pass@k: exact for a known success rate, unbiased from samples.
	fmt.Printf("pass@4 at p = 0.25: %.4f\n", game.PassAtKProb(0.25, 4))
	fmt.Printf("pass@4 estimate from 2 of 8 correct: %.4f\n", game.PassAtKEstimate(8, 2, 4))

	// Bad configurations name the field.
	cfg := game.DefaultTaskConfig()
	cfg.LeakShare = 0.5
	_, err = game.NewTaskSpace(cfg)
	fmt.Println(err)
	// Output:
	// valid rate at b = -2: 0.905, at b = 2: 0.255
	// valid task, b = 0.73: 1/8 correct, 1/8 match the label
	// pseudo-label distractor0, p̂ = 0.375, correct: false
	// pass@4 at p = 0.25: 0.6836
	// pass@4 estimate from 2 of 8 correct: 0.7857
	// game: task config non_unique_share = 0.2: want invalid_share + leak_share + non_unique_share = 1 (sum is 1.3)
}
