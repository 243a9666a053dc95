package nash

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// requireExactOracle skips the test when an external oracle is missing, unless
// SELFPLAY_REQUIRE_ORACLES=1 (as in CI), where a missing oracle fails it.
func requireExactOracle(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("oracle %s required (SELFPLAY_REQUIRE_ORACLES=1): %v", path, err)
		}
		t.Skipf("oracle %s not installed", path)
	}
}

// bimatrixFromStrings builds a bimatrix game from payoffs written as rationals ("3",
// "-1/2"), rows of A then rows of B.
func bimatrixFromStrings(A, B [][]string) *game.Normal {
	conv := func(M [][]string) [][]*big.Rat {
		out := make([][]*big.Rat, len(M))
		for i, row := range M {
			out[i] = make([]*big.Rat, len(row))
			for j, s := range row {
				v, ok := new(big.Rat).SetString(s)
				if !ok {
					panic("bad rational " + s)
				}
				out[i][j] = v
			}
		}
		return out
	}
	return game.BimatrixRat(conv(A), conv(B))
}

// payoffKind is a family of random payoffs, from very degenerate to generic.
type payoffKind int

const (
	payoff01       payoffKind = iota // {0, 1}
	payoff012                        // {0, 1, 2}
	payoffSigned                     // −3..3
	payoffWide                       // 0..999
	payoffRational                   // p/q, |p| ≤ 6, 1 ≤ q ≤ 4
	payoffHuge                       // |v| < 2^60: beyond i128 pivoting, within what lrsnash 7.1 reads (int64)
	payoffTwins                      // game.RandomDegenerate: {0,1,2} with duplicated best responses
	numPayoffKinds
)

func (k payoffKind) String() string {
	return [...]string{"{0,1}", "{0,1,2}", "-3..3", "0..999", "p/q", "60-bit", "twins"}[k]
}

// randomBimatrix returns an m×n game with payoffs of the given kind.
func randomBimatrix(r *rand.Rand, m, n int, kind payoffKind) *game.Normal {
	if kind == payoffTwins {
		return game.RandomDegenerate(r, m, n)
	}
	draw := func() *big.Rat {
		switch kind {
		case payoff01:
			return big.NewRat(int64(r.IntN(2)), 1)
		case payoff012:
			return big.NewRat(int64(r.IntN(3)), 1)
		case payoffSigned:
			return big.NewRat(int64(r.IntN(7)-3), 1)
		case payoffWide:
			return big.NewRat(int64(r.IntN(1000)), 1)
		case payoffHuge:
			v := new(big.Int).SetUint64(r.Uint64() >> 4)
			if r.IntN(2) == 0 {
				v.Neg(v)
			}
			return new(big.Rat).SetInt(v)
		default:
			return big.NewRat(int64(r.IntN(13)-6), int64(1+r.IntN(4)))
		}
	}
	A := make([][]*big.Rat, m)
	B := make([][]*big.Rat, m)
	for i := range m {
		A[i] = make([]*big.Rat, n)
		for j := range n {
			A[i][j] = draw()
		}
	}
	for i := range m {
		B[i] = make([]*big.Rat, n)
		for j := range n {
			B[i][j] = draw()
		}
	}
	return game.BimatrixRat(A, B)
}

// lrsFormat writes g in lrsnash's input format: "m n", a blank line, the
// rows of A, a blank line, the rows of B.
func lrsFormat(g *game.Normal) string {
	A, B, err := g.MatricesRat()
	if err != nil {
		panic(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d %d\n", len(A), len(A[0]))
	for _, M := range [][][]*big.Rat{A, B} {
		sb.WriteString("\n")
		for _, row := range M {
			for j, v := range row {
				if j > 0 {
					sb.WriteString(" ")
				}
				sb.WriteString(v.RatString())
			}
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// exactProfileKey is a canonical text form of an exact profile.
func exactProfileKey(x game.MixedRat) string {
	var sb strings.Builder
	for i, xi := range x {
		if i > 0 {
			sb.WriteString(" | ")
		}
		for s, p := range xi {
			if s > 0 {
				sb.WriteString(" ")
			}
			sb.WriteString(p.RatString())
		}
	}
	return sb.String()
}
