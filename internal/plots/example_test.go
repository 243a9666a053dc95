package plots_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

// A runner's two figures: the gap curve of each algorithm with its 95% band
// over seeds on a log axis, and the final win-rate matrix.
func Example() {
	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)

	iters := []float64{0, 10, 20, 30}
	gap := plots.Lines{
		Title: "duality gap", XLabel: "iteration", YLabel: "gap", LogY: true,
		Series: []plots.Series{
			{Name: "mmd", X: iters, Y: []float64{1, 1e-3, 1e-6, 1e-9},
				Lo: []float64{0.8, 5e-4, 4e-7, 2e-10}, Hi: []float64{1.2, 2e-3, 3e-6, 5e-9}},
			{Name: "spo", X: iters, Y: []float64{1, 0.3, 0.2, 0.15}},
		},
	}
	if err := gap.Save(filepath.Join(dir, "gap")); err != nil {
		fmt.Println(err)
		return
	}
	names := []string{"mmd", "spo"}
	win := plots.Heatmap{Title: "win rate of row against column", RowLabels: names, ColLabels: names,
		Values: [][]float64{{0.5, 0.7}, {0.3, 0.5}}, Min: 0, Max: 1}
	if err := win.Save(filepath.Join(dir, "winrate")); err != nil {
		fmt.Println(err)
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// gap.png
	// gap.svg
	// winrate.png
	// winrate.svg
}

// From metrics rows to the gap figure: one curve per algorithm, the
// geometric mean over seeds with its 95% bootstrap band.
func ExampleCurves() {
	var rows []results.Row
	for seed := range uint64(3) {
		for step := 0; step <= 100; step += 10 {
			for _, a := range []struct {
				name string
				rate float64
			}{{"mmd", 0.2}, {"spo", 0.02}} {
				gap := math.Exp(-a.rate * float64(step) * (1 + 0.1*float64(seed)))
				rows = append(rows, results.Row{Run: "demo", Algorithm: a.name, Seed: seed, Step: step,
					Metrics: map[string]float64{"gap": gap}})
			}
		}
	}
	series := plots.Curves(rows, "gap", plots.CurveOptions{Bootstrap: stats.Bootstrap{Seed: 1}, Geometric: true})
	dir, _ := os.MkdirTemp("", "curves")
	defer os.RemoveAll(dir)
	fig := plots.Lines{Title: "duality gap", XLabel: "iteration", YLabel: "gap", LogY: true, Series: series}
	if err := fig.Save(filepath.Join(dir, "gap")); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range series {
		fmt.Printf("%s: %d points, final gap %.2g\n", s.Name, len(s.X), s.Y[len(s.Y)-1])
	}
	// Output:
	// mmd: 11 points, final gap 2.8e-10
	// spo: 11 points, final gap 0.11
}
