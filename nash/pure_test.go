package nash

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func TestPureEquilibria(t *testing.T) {
	// Everyone gets 1 when all three agree. In a split profile two players
	// agree and the third gains by joining them, so only (0,0,0) and
	// (1,1,1) are equilibria.
	agree := game.New(2, 2, 2)
	for k := range agree.NumProfiles() {
		s := agree.Profile(k, nil)
		if s[0] == s[1] && s[1] == s[2] {
			for i := range 3 {
				agree.SetPayoff(i, k, 1)
			}
		}
	}
	// Row 2 beats row 1 by 2^-60, which float64 cannot see.
	tiny := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 60))
	nearTie := game.BimatrixRat(
		[][]*big.Rat{{big.NewRat(1, 1)}, {new(big.Rat).Add(big.NewRat(1, 1), tiny)}},
		[][]*big.Rat{{big.NewRat(0, 1)}, {big.NewRat(0, 1)}})
	for _, tc := range []struct {
		name string
		g    *game.Normal
		want [][]int
	}{
		{"matching pennies", bimatrixFromStrings(classicGames[0].A, classicGames[0].B), nil},
		{"battle of the sexes", bimatrixFromStrings(classicGames[1].A, classicGames[1].B), [][]int{{0, 0}, {1, 1}}},
		{"prisoners' dilemma", bimatrixFromStrings(classicGames[2].A, classicGames[2].B), [][]int{{1, 1}}},
		{"2×3 zero game", game.New(2, 3), [][]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2}, {1, 2}}},
		{"three-player agreement", agree, [][]int{{0, 0, 0}, {1, 1, 1}}},
		{"jordan", jordanGame(), nil},
		{"exact tie-break", nearTie, [][]int{{1, 0}}},
	} {
		got := PureEquilibria(tc.g)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPureEquilibriaMatchesVerify compares with exact verification of every
// pure profile on random three- and four-player games with many ties.
func TestPureEquilibriaMatchesVerify(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	found := 0
	for k := range 40 {
		shape := []int{1 + r.IntN(3), 1 + r.IntN(3), 1 + r.IntN(3)}
		if k%2 == 1 {
			shape = append(shape, 1+r.IntN(2))
		}
		g := game.New(shape...)
		for i := range shape {
			for p := range g.NumProfiles() {
				g.SetPayoffRat(i, p, big.NewRat(int64(r.IntN(3)), int64(1+r.IntN(2))))
			}
		}
		var want [][]int
		for p := range g.NumProfiles() {
			s := g.Profile(p, nil)
			x := make(game.MixedRat, len(shape))
			for i, si := range s {
				x[i] = unitRat(shape[i], si)
			}
			if VerifyExact(g, x) == nil {
				want = append(want, s)
			}
		}
		if got := PureEquilibria(g); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("game %d %v: %v, want %v", k, shape, got, want)
		}
		found += len(want)
	}
	if found < 20 {
		t.Errorf("only %d pure equilibria in the sample", found)
	}
}
