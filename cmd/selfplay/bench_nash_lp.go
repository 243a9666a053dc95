package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/nash"
)

func nashBenchLP() nashBenchPart {
	return nashBenchPart{
		name:    "lp",
		summary: "zero-sum LP (nash.SolveZeroSum) on random n×n games vs gonum's lp.Simplex",
		define: func(fs *flag.FlagSet, common *nashBenchCommon) func(context.Context, *env) error {
			sizes := fs.String("lp-sizes", "10,100,500,1000", "comma-separated sizes n of the n×n games")
			baseMax := fs.Int("lp-baseline-max", 100, "largest n on which to time the gonum baseline (it refactors the basis every pivot)")
			return func(ctx context.Context, e *env) error {
				var ns []int
				for _, f := range strings.Split(*sizes, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(f))
					if err != nil || n < 1 {
						return usagef("-lp-sizes: %q is not a positive size", f)
					}
					ns = append(ns, n)
				}
				return benchLP(ctx, e, ns, *baseMax, common)
			}
		},
	}
}

func benchLP(ctx context.Context, e *env, sizes []int, baseMax int, common *nashBenchCommon) error {
	fmt.Fprintf(e.stdout, "== lp: zero-sum game value of a random n×n game, payoffs uniform on [0,1) (seed %d)\n", common.seed)
	fmt.Fprintf(e.stdout, "   selfplay: simplex with row/column generation and a first-order warm start, duality\n")
	fmt.Fprintf(e.stdout, "   gap certified. Baseline: gonum optimize/convex/lp.Simplex on the same LP (n ≤ %d).\n", baseMax)
	fmt.Fprintf(e.stdout, "   Median of %d runs, wall time.\n", common.reps)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n\tvalue\tduality gap\tselfplay ms\tgonum ms\tspeedup\t")
	for _, n := range sizes {
		r, err := nash.BenchZeroSum(ctx, n, common.reps, common.seed, n <= baseMax)
		if err != nil {
			return err
		}
		base, speed := "-", "-"
		if r.Gonum > 0 {
			base, speed = ms(r.Gonum), ratio(r.Gonum, r.Ours)
		}
		fmt.Fprintf(tw, "%d\t%.9f\t%.1e\t%s\t%s\t%s\t\n", n, r.Value, r.Gap, ms(r.Ours), base, speed)
	}
	return tw.Flush()
}
