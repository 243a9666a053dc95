package nash

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
)

// BenchmarkLogitQREPath follows the QRE path of a random 3-player 4×4×4
// game until NashConv ≤ 1e-6 of the payoff range, and solves it with
// SolveNPlayer (path, then support refinement to regret ≤ 1e-9). No
// QRE tracer is available as an in-process baseline, so the reference
// measured in the same run is 1000 iterations of regret matching+, with
// the NashConv its average reaches.
func BenchmarkLogitQREPath(b *testing.B) {
	g := game.RandomUniform(rand.New(rand.NewPCG(4, 4)), 4, 4, 4)
	b.Run("path", func(b *testing.B) {
		steps := 0
		for b.Loop() {
			path, err := LogitQREPath(context.Background(), g, QREOptions{StopNashConv: 1e-6})
			if err != nil {
				b.Fatal(err)
			}
			steps = len(path)
		}
		b.ReportMetric(float64(steps), "points")
	})
	b.Run("SolveNPlayer", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := SolveNPlayer(context.Background(), g, NPlayerOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-RM+1000", func(b *testing.B) {
		nc := 0.0
		for b.Loop() {
			res, err := RegretMatchingPlus(context.Background(), g, DynamicsOptions{Iterations: 1000, LogEvery: 1000})
			if err != nil {
				b.Fatal(err)
			}
			nc = res.Trace[len(res.Trace)-1].AverageNashConv
		}
		b.ReportMetric(nc, "NashConv")
	})
}
