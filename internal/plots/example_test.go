package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/internal/plots"
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
