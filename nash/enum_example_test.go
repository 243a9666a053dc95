package nash_test

import (
	"context"
	"fmt"
	"math/big"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

// A degenerate game with a continuum of equilibria: against the first row
// both columns are best responses, so the first row is met by a whole
// segment of column strategies.
func ExampleEnumerateBimatrix() {
	g := game.Bimatrix(
		[][]float64{{3, 3}, {2, 5}, {0, 6}},
		[][]float64{{3, 3}, {2, 6}, {3, 1}})
	res, err := nash.EnumerateBimatrix(context.Background(), g)
	if err != nil {
		panic(err)
	}
	for i, e := range res.Equilibria {
		fmt.Println(i, e.Exact, e.PayoffsRat)
	}
	fmt.Println("maximal Nash subsets:", res.Cliques)
	fmt.Println("continuum:", res.Continuum, "complete:", res.Complete)
	// Output:
	// 0 [[1/1 0/1 0/1] [1/1 0/1]] [3/1 3/1]
	// 1 [[1/1 0/1 0/1] [2/3 1/3]] [3/1 3/1]
	// 2 [[0/1 1/3 2/3] [1/3 2/3]] [4/1 8/3]
	// maximal Nash subsets: [[0 1] [2]]
	// continuum: true complete: true
}

// Lemke–Howson from every label of the battle of the sexes reaches only
// the two pure equilibria.
func ExampleLemkeHowsonAll() {
	g := game.Bimatrix([][]float64{{2, 0}, {0, 1}}, [][]float64{{1, 0}, {0, 2}})
	found, err := nash.LemkeHowsonAll(context.Background(), g)
	if err != nil {
		panic(err)
	}
	for _, e := range found {
		fmt.Println(e.Exact, "labels", e.Labels)
	}
	// Output:
	// [[1/1 0/1] [1/1 0/1]] labels [1 3]
	// [[0/1 1/1] [0/1 1/1]] labels [2 4]
}

func ExampleVerifyExact() {
	pennies := game.Bimatrix([][]float64{{1, -1}, {-1, 1}}, [][]float64{{-1, 1}, {1, -1}})
	half := big.NewRat(1, 2)
	fmt.Println(nash.VerifyExact(pennies, game.MixedRat{{half, half}, {half, half}}))
	fmt.Println(nash.VerifyExact(pennies, game.MixedRat{{big.NewRat(1, 1), new(big.Rat)}, {half, half}}))
	// Output:
	// <nil>
	// nash: not a Nash equilibrium: player 2 gains 1 by switching to strategy 2
}

func ExamplePureEquilibria() {
	// Prisoners' dilemma: strategy 0 cooperates, 1 defects.
	pd := game.Bimatrix([][]float64{{3, 0}, {5, 1}}, [][]float64{{3, 5}, {0, 1}})
	fmt.Println(nash.PureEquilibria(pd))
	// Output:
	// [[1 1]]
}
