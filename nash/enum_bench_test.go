package nash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// benchGames returns count random size×size games with integer payoffs
// uniform on 0..999, the family of the lrsnash timings in
// /work/shared/research/nash.md (and of "selfplay bench nash").
func benchGames(size, count int) []*game.Normal {
	return benchShapes(size, size, count)
}

// benchShapes is benchGames for m×n games.
func benchShapes(m, n, count int) []*game.Normal {
	rng := rand.New(rand.NewPCG(1, uint64(m*1000+n)))
	if m == n {
		rng = rand.New(rand.NewPCG(1, uint64(m)))
	}
	gs := make([]*game.Normal, count)
	for i := range gs {
		gs[i] = game.RandomInt(rng, 0, 999, m, n)
	}
	return gs
}

// benchSizes are the shapes of the enumeration benchmarks: square games and
// an unbalanced one, solved through faces of the larger polytope.
var benchSizes = [][2]int{{8, 8}, {10, 10}, {12, 12}, {4, 60}}

// BenchmarkEnumerateBimatrix times all-extreme-equilibria enumeration; one
// op is one game, cycling over five. Compare with BenchmarkLrsnash, which
// solves the same games in the same run.
func BenchmarkEnumerateBimatrix(b *testing.B) {
	for _, size := range benchSizes {
		gs := benchShapes(size[0], size[1], 5)
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := EnumerateBimatrix(context.Background(), gs[i%len(gs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLrsnash is the baseline of BenchmarkEnumerateBimatrix: lrsnash
// (process start included, about 1 ms) on the same games.
func BenchmarkLrsnash(b *testing.B) {
	requireExactOracle(b, lrsnashPath)
	for _, size := range benchSizes {
		gs := benchShapes(size[0], size[1], 5)
		dir := b.TempDir()
		paths := make([]string, len(gs))
		for i, g := range gs {
			paths[i] = filepath.Join(dir, fmt.Sprintf("game%d.txt", i))
			if err := os.WriteFile(paths[i], []byte(lrsFormat(g)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if out, err := exec.Command(lrsnashPath, paths[i%len(paths)]).CombinedOutput(); err != nil {
					b.Fatalf("lrsnash: %v\n%s", err, out)
				}
			}
		})
	}
}

// BenchmarkLemkeHowson times one path (label 1) and all 200 paths of a
// random 100×100 game; label1-bigint is the same-run baseline, textbook
// exact pivoting in big.Int.
func BenchmarkLemkeHowson(b *testing.B) {
	g := benchGames(100, 1)[0]
	for _, arith := range []LHArithmetic{LHAuto, LHBigInt} {
		name := "100x100/label1"
		if arith == LHBigInt {
			name += "-bigint"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := LemkeHowsonWith(context.Background(), g, 1, arith); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("100x100/all", func(b *testing.B) {
		for b.Loop() {
			if _, err := LemkeHowsonAll(context.Background(), g); err != nil {
				b.Fatal(err)
			}
		}
	})
}
