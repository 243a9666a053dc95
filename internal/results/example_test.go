package results_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

// A runner's output, end to end: create the run directory, save the
// resolved config, append metric rows as the runs go, then write and print
// the summary.
func Example() {
	tmp, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "out")

	w, err := results.Create(dir, results.Options{Overwrite: false})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	cfg := struct {
		Game  string `yaml:"game"`
		Seeds int    `yaml:"seeds"`
	}{"cyclic", 3}
	if err := w.WriteConfig(cfg); err != nil {
		fmt.Println(err)
		return
	}
	for _, alg := range []string{"mmd", "spo"} {
		for seed := range uint64(3) {
			for step := 0; step <= 100; step += 50 {
				gap := 1 / float64(1+step*(1+int(seed)))
				if alg == "spo" {
					gap *= 10
				}
				err := w.Append(results.Row{Run: "cyclic", Algorithm: alg, Seed: seed, Step: step,
					Metrics: map[string]float64{"gap": gap, "kl_ref": 0.1 * float64(seed)}})
				if err != nil {
					fmt.Println(err)
					return
				}
			}
		}
	}
	rows, err := results.ReadDir(dir) // what compare does with any run dir
	if err != nil {
		fmt.Println(err)
		return
	}
	s := results.Summarize(rows, []string{"gap", "kl_ref"}, stats.Bootstrap{Seed: 1})
	s.Title = "cyclic: final values"
	if err := w.WriteSummary(s); err != nil { // summary.csv and summary.txt
		fmt.Println(err)
		return
	}
	s.WriteText(os.Stdout)
	// Output:
	// cyclic: final values
	// algorithm  seeds  gap                            kl_ref
	// mmd            3  0.006066 [0.003322, 0.009901]  0.1 [0, 0.2]
	// spo            3  0.06066 [0.03322, 0.09901]     0.1 [0, 0.2]
	// final values: mean [95% percentile bootstrap CI] over seeds
}
