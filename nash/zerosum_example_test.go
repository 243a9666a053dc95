package nash_test

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/nash"
)

func ExampleSolveZeroSum() {
	// The row player wins 2 by matching on the first strategy, 1 on the
	// second, and loses 1 otherwise.
	sol, err := nash.SolveZeroSum([][]float64{{2, -1}, {-1, 1}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("value %.4f, row %.4f, column %.4f, gap < 1e-12: %v\n",
		sol.Value, sol.Row, sol.Col, sol.Gap() < 1e-12)
	// Output: value 0.2000, row [0.4000 0.6000], column [0.4000 0.6000], gap < 1e-12: true
}
