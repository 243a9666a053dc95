package nash

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func ratProfile(rows ...[]string) game.MixedRat {
	x := make(game.MixedRat, len(rows))
	for i, row := range rows {
		for _, s := range row {
			v, ok := new(big.Rat).SetString(s)
			if !ok {
				panic(s)
			}
			x[i] = append(x[i], v)
		}
	}
	return x
}

// jordanGame is the three-player game in which player 1 wants to match
// player 2, player 2 to match player 3 and player 3 to mismatch player 1.
// Its only equilibrium has everyone mixing uniformly: each player's payoff
// then depends on a uniform opponent alone.
func jordanGame() *game.Normal {
	g := game.New(2, 2, 2)
	for k := range g.NumProfiles() {
		s := g.Profile(k, nil)
		b := func(ok bool) *big.Rat {
			if ok {
				return big.NewRat(1, 1)
			}
			return big.NewRat(-1, 1)
		}
		g.SetPayoffRat(0, k, b(s[0] == s[1]))
		g.SetPayoffRat(1, k, b(s[1] == s[2]))
		g.SetPayoffRat(2, k, b(s[2] != s[0]))
	}
	return g
}

func TestVerifyExact(t *testing.T) {
	pennies := bimatrixFromStrings(classicGames[0].A, classicGames[0].B)
	jordan := jordanGame()
	for _, tc := range []struct {
		name    string
		g       *game.Normal
		x       game.MixedRat
		wantErr string // substring; "" for an equilibrium
		is      error
	}{
		{"pennies equilibrium", pennies, ratProfile([]string{"1/2", "1/2"}, []string{"1/2", "1/2"}), "", nil},
		{"pennies pure", pennies, ratProfile([]string{"1", "0"}, []string{"1", "0"}),
			"player 2 gains 2 by switching to strategy 2", ErrNotEquilibrium},
		{"pennies almost", pennies, ratProfile([]string{"1/2", "1/2"}, []string{"1000001/2000000", "999999/2000000"}),
			"player 1 gains 1/1000000 by switching to strategy 1", ErrNotEquilibrium},
		{"jordan equilibrium", jordan, ratProfile([]string{"1/2", "1/2"}, []string{"1/2", "1/2"}, []string{"1/2", "1/2"}), "", nil},
		{"jordan off", jordan, ratProfile([]string{"1", "0"}, []string{"1/2", "1/2"}, []string{"1/2", "1/2"}),
			"player 3 gains 1 by switching to strategy 2", ErrNotEquilibrium},
		{"too few players", jordan, ratProfile([]string{"1/2", "1/2"}), "profile has 1 players", game.ErrShape},
		{"short vector", pennies, ratProfile([]string{"1"}, []string{"1/2", "1/2"}), "player 1 has 1 probabilities", game.ErrShape},
		{"nil probability", pennies, game.MixedRat{{big.NewRat(1, 1), nil}, {big.NewRat(1, 2), big.NewRat(1, 2)}}, "strategy 2 has no probability", game.ErrShape},
		{"negative", pennies, ratProfile([]string{"3/2", "-1/2"}, []string{"1/2", "1/2"}), "negative probability -1/2", nil},
		{"sum", pennies, ratProfile([]string{"1/2", "1/3"}, []string{"1/2", "1/2"}), "sum to 5/6, not 1", nil},
	} {
		err := VerifyExact(tc.g, tc.x)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		case tc.is != nil && !errors.Is(err, tc.is):
			t.Errorf("%s: error %v does not wrap %v", tc.name, err, tc.is)
		}
	}
}
