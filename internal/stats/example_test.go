package stats_test

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/internal/stats"
)

// Final scores of two methods on two tasks (games), five seeds each.
var (
	mmd = stats.Scores{{0.91, 0.88, 0.95, 0.90, 0.93}, {0.72, 0.80, 0.77, 0.79, 0.75}}
	spo = stats.Scores{{0.85, 0.80, 0.89, 0.83, 0.86}, {0.70, 0.66, 0.74, 0.69, 0.71}}
)

func ExampleIQMCI() {
	e, err := stats.IQMCI(mmd, stats.Bootstrap{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("IQM %.3f [%.3f, %.3f] over %d runs\n", e.Point, e.Lo, e.Hi, e.N)
	// Output: IQM 0.842 [0.823, 0.858] over 10 runs
}

func ExampleMeanCI() {
	// A runner's summary cell: the final gap over seeds.
	e := stats.MeanCI([]float64{1.2e-7, 0.9e-7, 1.5e-7, 1.1e-7}, stats.Bootstrap{Seed: 1})
	fmt.Printf("%.3g [%.3g, %.3g]\n", e.Point, e.Lo, e.Hi)
	// Output: 1.17e-07 [9.75e-08, 1.4e-07]
}

func ExampleProbImprovementCI() {
	p, err := stats.ProbImprovementCI(mmd, spo, stats.Bootstrap{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("P(mmd > spo) = %.2f [%.2f, %.2f]\n", p.Point, p.Lo, p.Hi)
	// Output: P(mmd > spo) = 0.96 [0.84, 1.00]
}

func ExampleSequential_Test() {
	r, err := stats.Sequential{Alpha: 0.05, Interim: 5, MaxInterims: 6, Seed: 1}.Test(mmd, spo)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch r.Decision {
	case stats.Separated:
		fmt.Printf("separated at interim %d (%d seeds each), difference %.3f\n", r.Interim, r.Seeds, r.Diff)
	case stats.Undecided:
		fmt.Printf("undecided: run up to %d seeds for the next interim (about %d may be needed)\n", r.NextSeeds, r.Needed)
	case stats.NotSeparated:
		fmt.Printf("not separated within %d seeds\n", r.Budget)
	}
	// Output: separated at interim 1 (5 seeds each), difference 0.067
}
