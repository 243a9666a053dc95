package nash

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// bruteVertex is a vertex of {z ≥ 0, Mz ≤ 1} with the labels tight there.
type bruteVertex struct {
	z      []*big.Rat
	labels []bool
}

// bruteVertices enumerates the vertices of {z ∈ R^d : z ≥ 0, Mz ≤ 1} by
// trying every choice of d tight inequalities among the d + k, in big.Rat
// Gaussian elimination: an oracle sharing nothing with the pivoting code.
// Inequality v < d is z_v ≥ 0; d + j is row j of M.
func bruteVertices(M [][]*big.Rat) []bruteVertex {
	k, d := len(M), len(M[0])
	var out []bruteVertex
	seen := map[string]bool{}
	choice := make([]int, d)
	var rec func(at, from int)
	rec = func(at, from int) {
		if at == d {
			z := solveTight(M, choice)
			if z == nil {
				return
			}
			lab := make([]bool, d+k)
			for v, x := range z {
				if x.Sign() < 0 {
					return
				}
				lab[v] = x.Sign() == 0
			}
			one := big.NewRat(1, 1)
			for j, row := range M {
				s := new(big.Rat)
				for v, x := range z {
					s.Add(s, new(big.Rat).Mul(row[v], x))
				}
				switch s.Cmp(one) {
				case 1:
					return
				case 0:
					lab[d+j] = true
				}
			}
			key := fmt.Sprint(z)
			if !seen[key] {
				seen[key] = true
				out = append(out, bruteVertex{z, lab})
			}
			return
		}
		for c := from; c < d+k; c++ {
			choice[at] = c
			rec(at+1, c+1)
		}
	}
	rec(0, 0)
	return out
}

// solveTight solves the d equations of the chosen inequalities, returning
// nil when they are singular.
func solveTight(M [][]*big.Rat, choice []int) []*big.Rat {
	d := len(M[0])
	a := make([][]*big.Rat, d)
	for r, c := range choice {
		a[r] = make([]*big.Rat, d+1)
		for v := range d {
			a[r][v] = new(big.Rat)
		}
		if c < d {
			a[r][c].SetInt64(1)
			a[r][d] = new(big.Rat)
		} else {
			for v := range d {
				a[r][v].Set(M[c-d][v])
			}
			a[r][d] = big.NewRat(1, 1)
		}
	}
	for col := range d {
		p := col
		for p < d && a[p][col].Sign() == 0 {
			p++
		}
		if p == d {
			return nil
		}
		a[col], a[p] = a[p], a[col]
		for r := range d {
			if r == col || a[r][col].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Quo(a[r][col], a[col][col])
			for v := col; v <= d; v++ {
				a[r][v].Sub(a[r][v], new(big.Rat).Mul(f, a[col][v]))
			}
		}
	}
	z := make([]*big.Rat, d)
	for v := range d {
		z[v] = new(big.Rat).Quo(a[v][d], a[v][v])
	}
	return z
}

// bruteEquilibria returns the extreme equilibria of g as canonical keys:
// pairs of nonzero vertices of P = {x ≥ 0 : B'ᵀx ≤ 1} and Q = {y ≥ 0 :
// A'y ≤ 1}, with A', B' the payoffs shifted to be positive, whose labels
// cover every strategy.
func bruteEquilibria(g *game.Normal) []string {
	A, B, _ := g.MatricesRat()
	m, n := len(A), len(A[0])
	shift := func(M [][]*big.Rat) [][]*big.Rat {
		lo := M[0][0]
		for _, row := range M {
			for _, v := range row {
				if v.Cmp(lo) < 0 {
					lo = v
				}
			}
		}
		c := new(big.Rat).Sub(big.NewRat(1, 1), lo)
		out := make([][]*big.Rat, len(M))
		for i, row := range M {
			for _, v := range row {
				out[i] = append(out[i], new(big.Rat).Add(v, c))
			}
		}
		return out
	}
	A, B = shift(A), shift(B)
	Bt := make([][]*big.Rat, n)
	for j := range n {
		for i := range m {
			Bt[j] = append(Bt[j], B[i][j])
		}
	}
	xs, ys := bruteVertices(Bt), bruteVertices(A)
	dist := func(z []*big.Rat) []*big.Rat {
		s := new(big.Rat)
		for _, v := range z {
			s.Add(s, v)
		}
		if s.Sign() == 0 {
			return nil
		}
		out := make([]*big.Rat, len(z))
		for i, v := range z {
			out[i] = new(big.Rat).Quo(v, s)
		}
		return out
	}
	var keys []string
	for _, x := range xs {
		px := dist(x.z)
		if px == nil {
			continue
		}
		for _, y := range ys {
			py := dist(y.z)
			if py == nil {
				continue
			}
			// Label i: x_i = 0 or row i is a best response (Q's slack i);
			// label m+j: y_j = 0 or column j is a best response (P's slack j).
			complete := true
			for i := range m {
				complete = complete && (x.labels[i] || y.labels[n+i])
			}
			for j := range n {
				complete = complete && (y.labels[j] || x.labels[m+j])
			}
			if complete {
				keys = append(keys, exactProfileKey(game.MixedRat{px, py}))
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// TestEnumerateMatchesBruteForce compares the enumeration with brute-force
// vertex enumeration on small games of every payoff kind, many of them
// degenerate.
func TestEnumerateMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	for k := range 150 {
		m, n := 1+r.IntN(5), 1+r.IntN(5)
		kind := payoffKind(k % int(numPayoffKinds))
		g := randomBimatrix(r, m, n, kind)
		res, err := EnumerateBimatrix(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Equilibria {
			got = append(got, exactProfileKey(e.Exact))
		}
		slices.Sort(got)
		if want := bruteEquilibria(g); !slices.Equal(got, want) {
			t.Fatalf("game %d (%dx%d %v):\n got %q\nwant %q\n%s", k, m, n, kind, got, want, lrsFormat(g))
		}
	}
}
