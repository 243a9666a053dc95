package nash_test

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/nash"
)

func ExampleMaximalLottery() {
	// Margins of a 3-cycle among a, b, c (a beats b beats c beats a), with
	// c duplicated as c′: the cycle's thirds are kept, and c's third is
	// split evenly between its copies.
	M := [][]float64{
		{0, 1, -1, -1},
		{-1, 0, 1, 1},
		{1, -1, 0, 0},
		{1, -1, 0, 0},
	}
	p, err := nash.MaximalLottery(M)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", p)
	// Output: [0.3333 0.3333 0.1667 0.1667]
}
