package main

import (
	"context"
	"fmt"
	"strings"
)

// benchArea is one family of "selfplay bench" measurements. Each area
// measures its subject next to a baseline taken in the same run and prints
// the ratio, because absolute times on shared machines are noise.
type benchArea struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// benchAreas lists the areas in the order "selfplay bench -h" shows them.
func benchAreas() []benchArea {
	return []benchArea{
		{"league", "leaderboard: read 10^6 battles, BT fit + bootstraps, Elo; vs scipy", runBenchLeague},
		{"engine", "batched mirror step + gap, zero-sum MW; vs same-run triad and scalar", runBenchEngine},
		{"nash", "equilibrium solvers: all extreme equilibria vs lrsnash, Lemke–Howson", runBenchNash},
		{"nlhf", "exact NLHF algorithms, B = 10^4 × K = 16 × 1000 iterations; vs same-run triad", runBenchNLHF},
		{"dualplay", "dual-play proposer+solver steps, 256 tasks × 8 attempts; vs same-run attempt sampling", runBenchDualPlay},
		{"cluster", "3-node Raft cluster on loopback: acknowledged results/s vs same-run log-store appends; fail-over", runBenchCluster},
	}
}

func runBench(ctx context.Context, e *env, args []string) error {
	areas := benchAreas()
	var list strings.Builder
	for _, a := range areas {
		fmt.Fprintf(&list, "  %-10s %s\n", a.name, a.summary)
	}
	fs := e.flags("bench", "AREA [flags]",
		"Measure selfplay's speed in one area, next to a baseline measured in the same run.\n"+
			"Areas:\n"+list.String()+"Run 'selfplay bench AREA -h' for an area's flags.",
		"selfplay bench nash", "selfplay bench engine -h")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return usagef("no area given")
	}
	name := fs.Arg(0)
	for _, a := range areas {
		if a.name == name {
			return a.run(ctx, e, fs.Args()[1:])
		}
	}
	return usagef("unknown area %q; run 'selfplay bench -h' for the list", name)
}
