package nash

import (
	"bufio"
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

const lrsnashPath = "/usr/bin/lrsnash"

// lrsEquilibrium is one extreme equilibrium printed by lrsnash, with the
// payoffs it prints.
type lrsEquilibrium struct {
	profile game.MixedRat
	payoffs [2]*big.Rat
}

// runLrsnash solves g with lrsnash and returns its extreme equilibria.
//
// lrsnash prints, for each vertex x of the row player's polytope that is
// part of an equilibrium, a group of lines separated from the next by a
// blank line: one or more lines "2 y_1 … y_n v" (a column strategy y and the
// row player's payoff v), then one line "1 x_1 … x_m u" (x and the column
// player's payoff u). Every (x, y) in a group is an extreme equilibrium.
// Lines starting with '*' are comments.
func runLrsnash(t testing.TB, dir string, g *game.Normal) []lrsEquilibrium {
	t.Helper()
	path := filepath.Join(dir, "game.txt")
	if err := os.WriteFile(path, []byte(lrsFormat(g)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lrsnashPath, path).Output()
	if err != nil {
		t.Fatalf("lrsnash: %v\n%s", err, out)
	}
	m, n := g.NumStrategies(0), g.NumStrategies(1)
	parse := func(fields []string, want int) ([]*big.Rat, *big.Rat) {
		if len(fields) != want+2 {
			t.Fatalf("lrsnash line %q: %d fields, want %d", strings.Join(fields, " "), len(fields), want+2)
		}
		v := make([]*big.Rat, want+1)
		for i, f := range fields[1:] {
			r, ok := new(big.Rat).SetString(f)
			if !ok {
				t.Fatalf("lrsnash number %q", f)
			}
			v[i] = r
		}
		return v[:want], v[want]
	}
	var eqs []lrsEquilibrium
	type col struct {
		y []*big.Rat
		v *big.Rat
	}
	var ys []col
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0:
			ys = ys[:0]
		case strings.HasPrefix(fields[0], "*"):
		case fields[0] == "2":
			y, v := parse(fields, n)
			ys = append(ys, col{y, v})
		case fields[0] == "1":
			x, u := parse(fields, m)
			if len(ys) == 0 {
				t.Fatalf("lrsnash: row strategy without column strategies:\n%s", out)
			}
			for _, c := range ys {
				eqs = append(eqs, lrsEquilibrium{game.MixedRat{x, c.y}, [2]*big.Rat{c.v, u}})
			}
		default:
			t.Fatalf("lrsnash: unexpected line %q", sc.Text())
		}
	}
	return eqs
}

// TestEnumerateMatchesLrsnash checks on several hundred random games, from
// very degenerate ({0,1} payoffs) to generic ones and ones too large for
// i128 pivoting, that the extreme equilibria and their payoffs are exactly
// those lrsnash reports. (lrsnash 7.1 reads input integers into 64 bits,
// saturating larger ones, so payoffs stay below 2^60.)
func TestEnumerateMatchesLrsnash(t *testing.T) {
	requireExactOracle(t, lrsnashPath)
	r := rand.New(rand.NewPCG(2024, 7))
	dir := t.TempDir()
	games := 400
	if testing.Short() {
		games = 100
	}
	totalEq, continua, wide := 0, 0, 0
	for k := range games {
		m, n := 2+r.IntN(6), 2+r.IntN(6)
		kind := payoffKind(k % int(numPayoffKinds))
		g := randomBimatrix(r, m, n, kind)
		name := fmt.Sprintf("game %d (%dx%d, %v)", k, m, n, kind)
		res, err := EnumerateBimatrix(context.Background(), g)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.Complete {
			t.Fatalf("%s: incomplete", name)
		}
		want := runLrsnash(t, dir, g)
		wantKeys := map[string]lrsEquilibrium{}
		for _, e := range want {
			wantKeys[exactProfileKey(e.profile)] = e
		}
		got := map[string]Equilibrium{}
		for _, e := range res.Equilibria {
			key := exactProfileKey(e.Exact)
			if _, dup := got[key]; dup {
				t.Fatalf("%s: equilibrium %s reported twice", name, key)
			}
			got[key] = e
		}
		var missing, extra []string
		for key, w := range wantKeys {
			e, ok := got[key]
			if !ok {
				missing = append(missing, key)
				continue
			}
			if e.PayoffsRat[0].Cmp(w.payoffs[0]) != 0 || e.PayoffsRat[1].Cmp(w.payoffs[1]) != 0 {
				t.Errorf("%s: %s payoffs %v, lrsnash %v", name, key, e.PayoffsRat, w.payoffs)
			}
		}
		for key := range got {
			if _, ok := wantKeys[key]; !ok {
				extra = append(extra, key)
			}
		}
		if len(missing)+len(extra) > 0 {
			slices.Sort(missing)
			slices.Sort(extra)
			t.Fatalf("%s: differs from lrsnash\nmissing: %q\nextra: %q\ngame:\n%s", name, missing, extra, lrsFormat(g))
		}
		totalEq += len(res.Equilibria)
		if res.Continuum {
			continua++
		}
		if res.Stats.Wide {
			wide++
		}
	}
	// The sample must exercise degeneracy, or the test proves little.
	if continua < games/10 {
		t.Errorf("only %d of %d games have a continuum of equilibria", continua, games)
	}
	if wide < games/20 {
		t.Errorf("only %d of %d games needed big.Int arithmetic", wide, games)
	}
	t.Logf("%d games, %d extreme equilibria, %d with continua, %d in big.Int", games, totalEq, continua, wide)
}

// TestEnumerateManyStrategiesMatchesLrsnash covers label sets and bases of
// more than one and two machine words (m+n > 64 and > 128), and unbalanced
// games, generic and degenerate, solved through faces of the larger
// polytope.
func TestEnumerateManyStrategiesMatchesLrsnash(t *testing.T) {
	requireExactOracle(t, lrsnashPath)
	r := rand.New(rand.NewPCG(70, 2))
	dir := t.TempDir()
	for _, shape := range [][3]int{{2, 70, 5}, {70, 2, 5}, {2, 130, 5}, {3, 130, 5}, {130, 4, 999}, {5, 40, 2}} {
		g := game.RandomInt(r, 0, shape[2], shape[0], shape[1])
		res, err := EnumerateBimatrix(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, e := range res.Equilibria {
			got = append(got, exactProfileKey(e.Exact))
		}
		// lrsnash enumerates the row player's polytope, which is slow when
		// that player has the most strategies: give it the transposed game.
		if shape[0] > shape[1] {
			for _, e := range runLrsnash(t, dir, transpose(g)) {
				want = append(want, exactProfileKey(game.MixedRat{e.profile[1], e.profile[0]}))
			}
		} else {
			for _, e := range runLrsnash(t, dir, g) {
				want = append(want, exactProfileKey(e.profile))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%dx%d: %d equilibria, lrsnash %d\n got %q\nwant %q", shape[0], shape[1], len(got), len(want), got, want)
		}
	}
}

// transpose returns g with the players swapped.
func transpose(g *game.Normal) *game.Normal {
	A, B, err := g.MatricesRat()
	if err != nil {
		panic(err)
	}
	m, n := len(A), len(A[0])
	At, Bt := make([][]*big.Rat, n), make([][]*big.Rat, n)
	for j := range n {
		for i := range m {
			At[j] = append(At[j], B[i][j])
			Bt[j] = append(Bt[j], A[i][j])
		}
	}
	return game.BimatrixRat(At, Bt)
}
