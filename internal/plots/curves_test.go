package plots

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

func TestCurves(t *testing.T) {
	var rows []results.Row
	add := func(alg string, seed uint64, step int, gap float64) {
		rows = append(rows, results.Row{Run: "r", Algorithm: alg, Seed: seed, Step: step, Metrics: map[string]float64{"gap": gap}})
	}
	for seed, g := range []float64{1e-2, 1e-4, 1e-6} {
		add("mmd", uint64(seed), 10, g)
		add("mmd", uint64(seed), 0, 1)
	}
	add("spo", 0, 0, 0.5)
	add("spo", 1, 0, math.NaN()) // left out
	rows = append(rows, results.Row{Run: "r", Algorithm: "other", Metrics: map[string]float64{"kl": 1}})

	b := stats.Bootstrap{Seed: 1, Resamples: 2000}
	arith := Curves(rows, "gap", CurveOptions{Bootstrap: b})
	if len(arith) != 2 || arith[0].Name != "mmd" || arith[1].Name != "spo" {
		t.Fatalf("series %+v", arith)
	}
	mmd := arith[0]
	if len(mmd.X) != 2 || mmd.X[0] != 0 || mmd.X[1] != 10 || mmd.Y[0] != 1 {
		t.Fatalf("mmd = %+v", mmd)
	}
	if want := (1e-2 + 1e-4 + 1e-6) / 3; math.Abs(mmd.Y[1]-want) > 1e-15 {
		t.Errorf("arithmetic mean %v, want %v", mmd.Y[1], want)
	}
	if !(mmd.Lo[1] >= 1e-6 && mmd.Lo[1] <= mmd.Y[1] && mmd.Hi[1] >= mmd.Y[1] && mmd.Hi[1] <= 1e-2) {
		t.Errorf("band [%v, %v] around %v", mmd.Lo[1], mmd.Hi[1], mmd.Y[1])
	}
	if spo := arith[1]; len(spo.X) != 1 || spo.Y[0] != 0.5 {
		t.Errorf("spo = %+v; the NaN seed must be left out", spo)
	}

	geo := Curves(rows, "gap", CurveOptions{Bootstrap: b, Geometric: true})
	// Geometric mean of 1e-2, 1e-4, 1e-6 is 1e-4; the band lies within 1e-6..1e-2.
	if g := geo[0]; math.Abs(math.Log10(g.Y[1])+4) > 1e-12 || g.Lo[1] < 1e-6*(1-1e-9) || g.Hi[1] > 1e-2*(1+1e-9) {
		t.Errorf("geometric: %v [%v, %v]", g.Y[1], g.Lo[1], g.Hi[1])
	}
	base := filepath.Join(t.TempDir(), "gap")
	if err := (Lines{LogY: true, Series: geo, XLabel: "iteration"}).Save(base); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, base, "mmd", "spo")
}
