package nash

import (
	"context"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

func TestRankMatchesRationalElimination(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 28))
	for range 300 {
		k, d := 1+r.IntN(5), 1+r.IntN(5)
		M := make([][]*big.Int, k)
		for i := range M {
			for range d {
				M[i] = append(M[i], big.NewInt(int64(r.IntN(3))))
			}
		}
		if r.IntN(3) == 0 && k > 1 { // force a dependent row
			for c := range d {
				M[k-1][c] = new(big.Int).Add(M[0][c], M[k-2][c])
			}
		}
		rows, cols := make([]int, k), make([]int, d)
		for i := range rows {
			rows[i] = i
		}
		for i := range cols {
			cols[i] = i
		}
		// Reference: Gaussian elimination in big.Rat.
		a := make([][]*big.Rat, k)
		for i := range a {
			for c := range d {
				a[i] = append(a[i], new(big.Rat).SetInt(M[i][c]))
			}
		}
		want := 0
		for c := 0; c < d && want < k; c++ {
			p := want
			for p < k && a[p][c].Sign() == 0 {
				p++
			}
			if p == k {
				continue
			}
			a[want], a[p] = a[p], a[want]
			for i := want + 1; i < k; i++ {
				f := new(big.Rat).Quo(a[i][c], a[want][c])
				for j := c; j < d; j++ {
					a[i][j].Sub(a[i][j], new(big.Rat).Mul(f, a[want][j]))
				}
			}
			want++
		}
		if got := rank(M, rows, cols); got != want {
			t.Fatalf("rank %v = %d, want %d", M, got, want)
		}
	}
}

func TestForSubsets(t *testing.T) {
	for n := range 7 {
		for k := range n + 1 {
			count, last := 0, []int(nil)
			forSubsets(n, k, func(pick []int) bool {
				count++
				for i := 1; i < len(pick); i++ {
					if pick[i] <= pick[i-1] {
						t.Fatalf("subset %v not increasing", pick)
					}
				}
				last = append(last[:0], pick...)
				return true
			})
			if count != binomial(n, k) {
				t.Errorf("C(%d,%d): %d subsets, binomial says %d", n, k, count, binomial(n, k))
			}
			if k > 0 && last[0] != n-k {
				t.Errorf("C(%d,%d): last subset %v", n, k, last)
			}
		}
	}
}

// TestFaceBudgetFallback uses an unbalanced zero game, where every face is
// huge, so the face method gives up and both polytopes are enumerated: all
// 4·60 pure profiles are the extreme equilibria, in one maximal Nash subset.
func TestFaceBudgetFallback(t *testing.T) {
	g := game.New(4, 60)
	A, B, _ := g.MatricesRat()
	P, Q := bimatrixPolytopes(positiveIntegers(A), positiveIntegers(B))
	vp, err := exactVertices(context.Background(), P)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := partnerVertices(context.Background(), vp, Q); !errors.Is(err, errFaceBudget) {
		t.Fatalf("partnerVertices: %v, want errFaceBudget", err)
	}
	res, err := EnumerateBimatrix(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Equilibria) != 240 || len(res.Cliques) != 1 || len(res.Cliques[0]) != 240 || !res.Continuum {
		t.Fatalf("%d equilibria, %d cliques, continuum %v", len(res.Equilibria), len(res.Cliques), res.Continuum)
	}
	for _, e := range res.Equilibria {
		if err := VerifyExact(g, e.Exact); err != nil {
			t.Fatal(err)
		}
	}
}
