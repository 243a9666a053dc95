package nash

import (
	"context"
	"math"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// FuzzSolveNPlayer: small games of 1 to 4 players with few small-integer
// payoffs (ties everywhere, continua of equilibria) are solved to regret
// ≤ 1e-9 of the payoff range.
func FuzzSolveNPlayer(f *testing.F) {
	f.Add([]byte{3, 2, 2, 2, 0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{2, 3, 3, 0, 0, 0, 1})
	f.Add([]byte{4, 2, 2, 2, 2, 9, 8, 7, 6, 5, 4, 3, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		n := 1 + int(data[0]%4)
		if len(data) < 1+n {
			return
		}
		shape := make([]int, n)
		for i := range shape {
			shape[i] = 1 + int(data[1+i]%3)
		}
		g := game.New(shape...)
		pay := data[1+n:]
		k := 0
		for p := range g.NumProfiles() {
			for i := range n {
				v := 0.0
				if len(pay) > 0 {
					v = float64(int8(pay[k%len(pay)]) % 4)
					k++
				}
				g.SetPayoff(i, p, v)
			}
		}
		x, eps, err := SolveNPlayer(context.Background(), g, NPlayerOptions{})
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if err := g.CheckMixed(x, 1e-12); err != nil {
			t.Fatal(err)
		}
		// Tolerance: 1e-9 of the range, plus rounding of the payoffs' size.
		tol := 1e-9*payoffRange(g) + 1e-14*maxAbsPayoff(g)
		if r := maxRegret(g, x); r != eps || r > tol {
			t.Fatalf("%v: regret %v (reported %v) at %v", shape, r, eps, x)
		}
	})
}

func maxAbsPayoff(g *game.Normal) float64 {
	m := 0.0
	for i := range g.NumPlayers() {
		for _, v := range g.Payoffs(i) {
			m = max(m, math.Abs(v))
		}
	}
	return m
}
