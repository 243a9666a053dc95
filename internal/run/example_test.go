package run_test

import (
	"context"
	"fmt"
	"os"

	"github.com/selfplay-lab/selfplay/internal/progress"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/run"
)

// The loop of a runner: rows go to the results directory as they are made,
// the bar advances (only on a terminal), and Ctrl-C (here: a cancel after
// 25 steps of the second run) ends the loop with a note of how far it got,
// keeping every row written.
func Example() {
	dir, _ := os.MkdirTemp("", "run")
	defer os.RemoveAll(dir)
	w, err := results.Create(dir, results.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	algs, seeds, iters, every := []string{"mmd", "spo"}, []uint64{0, 1}, 100, 10
	bar := progress.New(os.Stderr, progress.Options{
		Total: int64(len(algs) * len(seeds) * iters), Description: "nlhf", TTY: false})
	defer bar.Finish()
	tr := run.NewTracker(len(algs)*len(seeds), bar)

	loop := func() error {
		for _, alg := range algs {
			for _, seed := range seeds {
				u := tr.Start(fmt.Sprintf("%s seed %d", alg, seed), iters)
				for t := range iters {
					if err := u.Step(ctx); err != nil {
						return err
					}
					if alg == "mmd" && seed == 1 && t == 24 {
						cancel() // stands for Ctrl-C
					}
					if (t+1)%every == 0 {
						row := results.Row{Run: "demo", Algorithm: alg, Seed: seed, Step: t + 1,
							Metrics: map[string]float64{"gap": 1 / float64(t+1)}}
						if err := w.Append(row); err != nil {
							return err
						}
					}
				}
				u.Done()
			}
		}
		return nil
	}
	err = tr.Stopped(loop())
	fmt.Println(err)
	rows, _ := results.ReadDir(dir)
	fmt.Println(len(rows), "rows kept")
	// Output:
	// interrupted: 1 of 4 runs finished; mmd seed 1 stopped after 25 of 100 steps; results written so far are kept
	// 12 rows kept
}
