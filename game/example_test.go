package game_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/selfplay-lab/selfplay/game"
)

func ExampleReadNFG() {
	const pd = `NFG 1 R "Prisoner's dilemma" { "Row" "Column" }
{ { "Cooperate" "Defect" } { "Cooperate" "Defect" } }
""
3 3  5 0  0 5  1 1
`
	g, err := game.ReadNFG(strings.NewReader(pd), "pd.nfg")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Profiles are indexed with player 1 varying fastest.
	k := g.Index(1, 0) // Row defects, Column cooperates
	fmt.Println(g.Players[0], g.Strategies[0][1], g.Payoff(0, k), g.Payoff(1, k))

	// Mutual defection is an equilibrium: no player gains by deviating.
	fmt.Println(g.Regret(game.Mixed{{0, 1}, {0, 1}}))

	_, err = game.ReadNFG(strings.NewReader(`NFG 1 R "t" { "a" } { 2 } 1 x`), "bad.nfg")
	fmt.Println(err)
	// Output:
	// Row Defect 5 0
	// [0 0]
	// bad.nfg:1:29: expected a number, found "x"
}

func ExampleNormal_WriteNFGForm() {
	g := game.Bimatrix([][]float64{{1, -1}, {-1, 1}}, [][]float64{{-1, 1}, {1, -1}})
	g.Title = "Matching pennies"
	g.Strategies = [][]string{{"Heads", "Tails"}, {"Heads", "Tails"}}
	// The outcome version, one outcome per profile, as Gambit writes a
	// game built profile by profile.
	if err := g.WriteNFGForm(os.Stdout, game.NFGOutcomes); err != nil {
		fmt.Println(err)
	}
	// Output:
	// NFG 1 R "Matching pennies" { "1" "2" }
	//
	// { { "Heads" "Tails" }
	// { "Heads" "Tails" }
	// }
	// ""
	//
	// {
	// { "" 1, -1 }
	// { "" -1, 1 }
	// { "" -1, 1 }
	// { "" 1, -1 }
	// }
	// 1 2 3 4
}

func ExampleNormal_Deviation() {
	rps := game.ZeroSum([][]float64{{0, -1, 1}, {1, 0, -1}, {-1, 1, 0}})
	// Payoffs of the row player's rock, paper and scissors against a column
	// player who plays rock half the time.
	x := game.Mixed{nil, {0.5, 0.25, 0.25}}
	fmt.Println(rps.Deviation(x, 0, nil))
	// Output:
	// [0 0.25 -0.25]
}

func ExampleNormal_RegretRat() {
	bos := game.BimatrixRat(
		[][]*big.Rat{{big.NewRat(2, 1), big.NewRat(0, 1)}, {big.NewRat(0, 1), big.NewRat(1, 1)}},
		[][]*big.Rat{{big.NewRat(1, 1), big.NewRat(0, 1)}, {big.NewRat(0, 1), big.NewRat(2, 1)}},
	)
	x := game.MixedRat{
		{big.NewRat(2, 3), big.NewRat(1, 3)},
		{big.NewRat(1, 3), big.NewRat(2, 3)},
	}
	fmt.Println(bos.RegretRat(x), bos.DeviationRat(x, 0))
	// Output:
	// [0/1 0/1] [2/3 2/3]
}

func ExampleNormal_SetOutcomes() {
	g := game.New(2, 2)
	win := game.Outcome{Label: "row wins", Payoffs: []*big.Rat{big.NewRat(1, 1), big.NewRat(-1, 1)}}
	// Profiles (0,0) and (1,1) lead to the same outcome; the others to
	// the null outcome, which pays nothing.
	if err := g.SetOutcomes([]game.Outcome{win}, []int{1, 0, 0, 1}); err != nil {
		fmt.Println(err)
		return
	}
	if err := g.WriteNFG(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// NFG 1 R "" { "1" "2" }
	//
	// { { "1" "2" }
	// { "1" "2" }
	// }
	// ""
	//
	// {
	// { "row wins" 1, -1 }
	// }
	// 1 0 0 1
}

func ExampleRandomInt() {
	rng := rand.New(rand.NewPCG(1, 2))
	g := game.RandomInt(rng, -2, 2, 3, 3)
	h := game.RandomInt(rand.New(rand.NewPCG(1, 2)), -2, 2, 3, 3)
	fmt.Println(g.IsRational(), g.Equal(h))
	// Output:
	// true true
}

func ExampleRandomCovariant() {
	// ρ = −1 in a two-player game: zero-sum up to rounding.
	g := game.RandomCovariant(rand.New(rand.NewPCG(3, 4)), -1, 4, 4)
	worst := 0.0
	for k := range g.NumProfiles() {
		worst = max(worst, abs(g.Payoff(0, k)+g.Payoff(1, k)))
	}
	fmt.Println(worst < 1e-15)
	// Output:
	// true
}

func abs(x float64) float64 { return max(x, -x) }
