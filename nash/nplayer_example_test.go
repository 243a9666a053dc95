package nash_test

import (
	"context"
	"fmt"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

func ExampleSolveNPlayer() {
	// Battle of the sexes: the logit QRE path selects the mixed
	// equilibrium.
	g := game.Bimatrix([][]float64{{2, 0}, {0, 1}}, [][]float64{{1, 0}, {0, 2}})
	x, eps, err := nash.SolveNPlayer(context.Background(), g, nash.NPlayerOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f regret ≤ 1e-9: %v\n", x, eps <= 1e-9)
	// Output: [[0.6667 0.3333] [0.3333 0.6667]] regret ≤ 1e-9: true
}

func ExampleLogitQREPath() {
	// The prisoner's dilemma: the path leaves the uniform profile and
	// ends at mutual defection.
	g := game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}})
	path, err := nash.LogitQREPath(context.Background(), g, nash.QREOptions{StopNashConv: 1e-6})
	if err != nil {
		panic(err)
	}
	first, last := path[0], path[len(path)-1]
	fmt.Printf("λ=%g: %.2f\n", first.Lambda, first.Profile)
	fmt.Printf("last: %.2f, NashConv ≤ 1e-6·range: %v\n", last.Profile, last.NashConv <= 5e-6)
	// Output:
	// λ=0: [[0.50 0.50] [0.50 0.50]]
	// last: [[0.00 1.00] [0.00 1.00]], NashConv ≤ 1e-6·range: true
}
