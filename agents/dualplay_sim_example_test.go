package agents_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/selfplay-lab/selfplay/agents"
)

// A dual-play run: PasoDoble's rewards on the default task game, metrics
// read by name as a results writer would.
func ExampleNewDualPlaySim() {
	cfg := agents.DefaultDualPlayConfig()
	cfg.ProposerReward = agents.RewardPasoDoble
	cfg.SolverReward = agents.SolverPasoDoble
	cfg.LeakCheck = true
	sim, err := agents.NewDualPlaySim(cfg)
	if err != nil {
		panic(err)
	}
	names := agents.DualMetricNames(cfg.Task.Categories)
	row := make([]float64, 0, len(names))
	var first, last float64
	err = sim.Run(context.Background(), 100, func(m *agents.DualMetrics) error {
		row = m.AppendValues(row[:0])
		if m.Step == 1 {
			first = m.PassAt1
		}
		last = m.PassAt1
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(names) == len(row), names[3], names[len(names)-1])
	fmt.Println("held-out pass@1 rose:", last > first+0.1)

	cfg.Schedule.Kind = "offline"
	cfg.Proposer.LR = -1
	_, err = agents.NewDualPlaySim(cfg)
	fmt.Println(strings.ReplaceAll(err.Error(), "\n", "; "))
	// Output:
	// true pass_at_1 ability_3
	// held-out pass@1 rose: true
	// proposer.lr: -1: want a finite number ≥ 0; schedule.kind: "offline": want one of ["joint" "alternating" "frozen"]
}
