package nash

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// zsRandom returns an m×n matrix with entries drawn by draw.
func zsRandom(r *rand.Rand, m, n int, draw func(*rand.Rand) float64) [][]float64 {
	A := make([][]float64, m)
	for i := range A {
		A[i] = make([]float64, n)
		for j := range A[i] {
			A[i][j] = draw(r)
		}
	}
	return A
}

func zsUniform(r *rand.Rand) float64 { return r.Float64() }

// zsCheck verifies a solution independently of the solver: both strategies
// are distributions, and what each guarantees (recomputed here) brackets
// the value within tol.
func zsCheck(t *testing.T, A [][]float64, sol ZeroSumSolution, tol float64) {
	t.Helper()
	m, n := len(A), len(A[0])
	checkDist := func(name string, p []float64, size int) {
		t.Helper()
		if len(p) != size {
			t.Fatalf("%s has %d entries, want %d", name, len(p), size)
		}
		sum := 0.0
		for i, v := range p {
			if !(v >= 0) {
				t.Fatalf("%s[%d] = %v", name, i, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("%s sums to %v", name, sum)
		}
	}
	checkDist("Row", sol.Row, m)
	checkDist("Col", sol.Col, n)
	rowG := math.Inf(1)
	for j := range n {
		s := 0.0
		for i := range m {
			s += sol.Row[i] * A[i][j]
		}
		rowG = min(rowG, s)
	}
	colG := math.Inf(-1)
	for i := range m {
		s := 0.0
		for j := range n {
			s += A[i][j] * sol.Col[j]
		}
		colG = max(colG, s)
	}
	if colG-rowG > tol {
		t.Fatalf("duality gap %.3g > %.3g (row guarantees %v, column concedes %v)", colG-rowG, tol, rowG, colG)
	}
	if sol.Value < rowG-tol || sol.Value > colG+tol {
		t.Fatalf("value %v outside [%v, %v]", sol.Value, rowG, colG)
	}
	if math.Abs(sol.RowGuarantee-rowG) > tol || math.Abs(sol.ColGuarantee-colG) > tol {
		t.Fatalf("reported guarantees %v, %v; recomputed %v, %v", sol.RowGuarantee, sol.ColGuarantee, rowG, colG)
	}
}

func zsSolve(t *testing.T, A [][]float64) ZeroSumSolution {
	t.Helper()
	sol, err := SolveZeroSum(A)
	if err != nil {
		t.Fatal(err)
	}
	zsCheck(t, A, sol, zsTol(A))
	return sol
}

// zsTol is the gap tolerance: ZeroSumGapTol of the payoff range, plus
// rounding in the test's own sums.
func zsTol(A [][]float64) float64 {
	big := 0.0
	for _, row := range A {
		for _, v := range row {
			big = max(big, math.Abs(v))
		}
	}
	return ZeroSumGapTol*zsSpan(A) + 1e-13*big
}

func zsSpan(A [][]float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range A {
		for _, v := range row {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return max(hi-lo, 1e-300)
}

func zsClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

func TestSolveZeroSumClosedForms(t *testing.T) {
	third := 1.0 / 3
	tests := []struct {
		name     string
		A        [][]float64
		value    float64
		row, col []float64 // nil: not unique
	}{
		{"matching pennies", [][]float64{{1, -1}, {-1, 1}}, 0, []float64{0.5, 0.5}, []float64{0.5, 0.5}},
		{"rock paper scissors", [][]float64{{0, -1, 1}, {1, 0, -1}, {-1, 1, 0}}, 0,
			[]float64{third, third, third}, []float64{third, third, third}},
		{"weighted RPS", [][]float64{{0, -1, 2}, {1, 0, -1}, {-1, 1, 0}}, 1.0 / 12,
			// solved by hand from the indifference equations (see below)
			[]float64{1.0 / 4, 5.0 / 12, 1.0 / 3}, []float64{1.0 / 3, 5.0 / 12, 1.0 / 4}},
		{"pure saddle", [][]float64{{4, 2, 3}, {1, 0, 5}, {6, 1, 7}}, 2,
			[]float64{1, 0, 0}, []float64{0, 1, 0}},
		{"constant", [][]float64{{7, 7}, {7, 7}, {7, 7}}, 7, nil, nil},
		{"single entry", [][]float64{{-3}}, -3, []float64{1}, []float64{1}},
		{"one row", [][]float64{{5, 2, 8}}, 2, []float64{1}, []float64{0, 1, 0}},
		{"one column", [][]float64{{5}, {2}, {8}}, 8, []float64{0, 0, 1}, []float64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sol := zsSolve(t, tc.A)
			if math.Abs(sol.Value-tc.value) > 1e-12 {
				t.Fatalf("value %v, want %v", sol.Value, tc.value)
			}
			if tc.row != nil {
				zsClose(t, "Row", sol.Row, tc.row, 1e-12)
			}
			if tc.col != nil {
				zsClose(t, "Col", sol.Col, tc.col, 1e-12)
			}
		})
	}
}

// The weighted RPS case above: check the hand-solved strategies make the
// opponent indifferent at 1/12.
func TestWeightedRPSHandSolution(t *testing.T) {
	A := [][]float64{{0, -1, 2}, {1, 0, -1}, {-1, 1, 0}}
	x := []float64{1.0 / 4, 5.0 / 12, 1.0 / 3}
	y := []float64{1.0 / 3, 5.0 / 12, 1.0 / 4}
	for k := range 3 {
		sx, sy := 0.0, 0.0
		for l := range 3 {
			sx += x[l] * A[l][k]
			sy += A[k][l] * y[l]
		}
		if math.Abs(sx-1.0/12) > 1e-15 || math.Abs(sy-1.0/12) > 1e-15 {
			t.Fatalf("strategy %d pays %v against x and %v against y, want 1/12", k, sx, sy)
		}
	}
}

// A 2×2 game without a saddle point has the closed form
// v = (ad − bc)/(a + d − b − c), x₁ = (d − c)/(a + d − b − c),
// y₁ = (d − b)/(a + d − b − c).
func TestSolveZeroSum2x2Formula(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	done := 0
	for done < 200 {
		a, b, c, d := r.NormFloat64(), r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		// No saddle point: the diagonal beats the anti-diagonal or vice versa.
		if !((a > b && a > c && d > b && d > c) || (a < b && a < c && d < b && d < c)) {
			continue
		}
		done++
		den := a + d - b - c
		v := (a*d - b*c) / den
		x1 := (d - c) / den
		y1 := (d - b) / den
		A := [][]float64{{a, b}, {c, d}}
		sol := zsSolve(t, A)
		if math.Abs(sol.Value-v) > 1e-12 || math.Abs(sol.Row[0]-x1) > 1e-9 || math.Abs(sol.Col[0]-y1) > 1e-9 {
			t.Fatalf("A=%v: got v=%v x=%v y=%v, want v=%v x1=%v y1=%v", A, sol.Value, sol.Row, sol.Col, v, x1, y1)
		}
	}
}

// The identity game (the row player scores 1 by matching the column) has
// value 1/n and uniform optimal strategies; the negated identity has value
// −1/n, also with uniform strategies.
func TestSolveZeroSumIdentity(t *testing.T) {
	for _, n := range []int{1, 2, 5, 40, 200} {
		I := make([][]float64, n)
		N := make([][]float64, n)
		for i := range n {
			I[i] = make([]float64, n)
			N[i] = make([]float64, n)
			I[i][i] = 1
			N[i][i] = -1
		}
		u := uniform(n)
		sol := zsSolve(t, I)
		if math.Abs(sol.Value-1/float64(n)) > 1e-12 {
			t.Fatalf("n=%d: identity value %v", n, sol.Value)
		}
		zsClose(t, fmt.Sprintf("n=%d identity Row", n), sol.Row, u, 1e-12)
		zsClose(t, fmt.Sprintf("n=%d identity Col", n), sol.Col, u, 1e-12)
		if n == 1 {
			continue
		}
		sol = zsSolve(t, N)
		if math.Abs(sol.Value+1/float64(n)) > 1e-12 {
			t.Fatalf("n=%d: −identity value %v", n, sol.Value)
		}
		zsClose(t, fmt.Sprintf("n=%d −identity Row", n), sol.Row, u, 1e-12)
		zsClose(t, fmt.Sprintf("n=%d −identity Col", n), sol.Col, u, 1e-12)
	}
}

// Degenerate games: duplicated rows and columns, ties everywhere, rank-one
// payoffs, dominated blocks. The certificate must hold and the value match
// the game without the duplicates.
func TestSolveZeroSumDegenerate(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	smallInt := func(r *rand.Rand) float64 { return float64(r.IntN(3)) }
	for trial := range 300 {
		m, n := 1+r.IntN(12), 1+r.IntN(12)
		if trial%3 == 0 {
			m, n = 20+r.IntN(60), 20+r.IntN(60)
		}
		base := zsRandom(r, m, n, smallInt)
		// Duplicate some rows and columns (shuffled in).
		A := make([][]float64, 0, 2*m)
		for _, row := range base {
			A = append(A, row)
			if r.IntN(3) == 0 {
				A = append(A, row)
			}
		}
		dupCols := make([]int, 0, 2*n)
		for j := range n {
			dupCols = append(dupCols, j)
			if r.IntN(3) == 0 {
				dupCols = append(dupCols, j)
			}
		}
		for i, row := range A {
			nr := make([]float64, len(dupCols))
			for k, j := range dupCols {
				nr[k] = row[j]
			}
			A[i] = nr
		}
		s1 := zsSolve(t, base)
		s2 := zsSolve(t, A)
		if math.Abs(s1.Value-s2.Value) > 1e-9 {
			t.Fatalf("trial %d: duplicating strategies changed the value %v → %v", trial, s1.Value, s2.Value)
		}
	}
}

func TestSolveZeroSumRankOneAndShifts(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for trial := range 50 {
		m, n := 2+r.IntN(40), 2+r.IntN(40)
		u := make([]float64, m)
		v := make([]float64, n)
		for i := range u {
			u[i] = r.Float64() - 0.3
		}
		for j := range v {
			v[j] = r.Float64() - 0.3
		}
		A := make([][]float64, m)
		for i := range A {
			A[i] = make([]float64, n)
			for j := range A[i] {
				A[i][j] = u[i] * v[j]
			}
		}
		sol := zsSolve(t, A)
		// Affine invariance: 3A − 7 has value 3v − 7.
		B := make([][]float64, m)
		for i := range B {
			B[i] = make([]float64, n)
			for j := range B[i] {
				B[i][j] = 3*A[i][j] - 7
			}
		}
		sol2 := zsSolve(t, B)
		if math.Abs(sol2.Value-(3*sol.Value-7)) > 1e-9 {
			t.Fatalf("trial %d: value of 3A−7 is %v, want %v", trial, sol2.Value, 3*sol.Value-7)
		}
	}
}

// Property: on random games of many shapes the duality gap is within
// tolerance, and transposing and negating the game (swapping the players)
// negates the value.
func TestSolveZeroSumRandomCertificate(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 7))
	sizes := [][2]int{{2, 3}, {3, 2}, {7, 7}, {10, 30}, {30, 10}, {31, 33}, {64, 64}, {50, 200}, {200, 50}, {150, 150}}
	if !testing.Short() {
		sizes = append(sizes, [2]int{400, 400}, [2]int{300, 700})
	}
	draws := []func(*rand.Rand) float64{
		zsUniform,
		func(r *rand.Rand) float64 { return r.NormFloat64() * 1e6 },
		func(r *rand.Rand) float64 { return float64(r.IntN(5) - 2) },
		// heavy tails: payoffs spread over 10 orders of magnitude
		func(r *rand.Rand) float64 { return math.Exp(3 * r.NormFloat64()) },
	}
	for _, sz := range sizes {
		for d, draw := range draws {
			A := zsRandom(r, sz[0], sz[1], draw)
			sol := zsSolve(t, A)
			T := make([][]float64, sz[1])
			for j := range T {
				T[j] = make([]float64, sz[0])
				for i := range T[j] {
					T[j][i] = -A[i][j]
				}
			}
			solT := zsSolve(t, T)
			if math.Abs(sol.Value+solT.Value) > 2*zsTol(A) {
				t.Fatalf("%v draw %d: value %v, transposed negated %v", sz, d, sol.Value, solT.Value)
			}
		}
	}
}

// Payoffs spread over 20 orders of magnitude defeat float64 pivoting; the
// solver must then fail cleanly and quickly with ErrNumerical, never return
// an uncertified answer.
func TestSolveZeroSumExtremeRangeFailsCleanly(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	for range 2 {
		A := zsRandom(r, 300, 300, func(r *rand.Rand) float64 { return math.Exp(5 * r.NormFloat64()) })
		sol, err := SolveZeroSum(A)
		if err != nil {
			if !errors.Is(err, ErrNumerical) {
				t.Fatalf("error %v does not wrap ErrNumerical", err)
			}
			continue
		}
		zsCheck(t, A, sol, zsTol(A))
	}
}

func TestSolveZeroSumScipy(t *testing.T) {
	requireScipy(t)
	r := rand.New(rand.NewPCG(8, 9))
	var games [][][]float64
	sizes := [][2]int{{3, 4}, {10, 10}, {25, 40}, {60, 60}, {120, 80}}
	if !testing.Short() {
		sizes = append(sizes, [2]int{250, 250})
	}
	for _, sz := range sizes {
		games = append(games, zsRandom(r, sz[0], sz[1], zsUniform))
		games = append(games, zsRandom(r, sz[0], sz[1], func(r *rand.Rand) float64 { return float64(r.IntN(7) - 3) }))
	}
	want := scipyGameValues(t, games)
	for k, A := range games {
		sol := zsSolve(t, A)
		if math.Abs(sol.Value-want[k]) > 1e-8*zsSpan(A) {
			t.Errorf("game %d (%d×%d): value %.12g, scipy %.12g", k, len(A), len(A[0]), sol.Value, want[k])
		}
	}
}

func TestSolveZeroSumBadInput(t *testing.T) {
	tests := []struct {
		name string
		A    [][]float64
		want error
	}{
		{"nil", nil, ErrEmptyMatrix},
		{"empty row", [][]float64{{}}, ErrEmptyMatrix},
		{"ragged", [][]float64{{1, 2}, {3}}, ErrRagged},
		{"NaN", [][]float64{{1, math.NaN()}}, ErrNotFinite},
		{"Inf", [][]float64{{math.Inf(-1)}, {1}}, ErrNotFinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SolveZeroSum(tc.A)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSolveZeroSumCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	A := zsRandom(rand.New(rand.NewPCG(1, 2)), 300, 300, zsUniform)
	if _, err := SolveZeroSumContext(ctx, A); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestSolveZeroSumDeterministic(t *testing.T) {
	A := zsRandom(rand.New(rand.NewPCG(3, 3)), 120, 90, func(r *rand.Rand) float64 { return float64(r.IntN(4)) })
	s1 := zsSolve(t, A)
	s2 := zsSolve(t, A)
	for i := range s1.Row {
		if s1.Row[i] != s2.Row[i] {
			t.Fatal("row strategies differ between runs")
		}
	}
	for j := range s1.Col {
		if s1.Col[j] != s2.Col[j] {
			t.Fatal("column strategies differ between runs")
		}
	}
}
