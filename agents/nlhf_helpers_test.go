package agents

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// newTestEnv loads g with the given reference (nil: uniform) on a CPU
// backend closed at the end of the test.
func newTestEnv(t testing.TB, g *game.Preference, logRef []float64) *Env {
	t.Helper()
	be := cuda.NewCPU(2)
	t.Cleanup(func() { be.Close() })
	env, err := NewEnv(be, g, logRef)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	return env
}

// egpoGame is the EGPO protocol's game: random antisymmetric P and N(0, 1)
// reference logits.
func egpoGame(seed uint64, b, k int) (*game.Preference, []float64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	g := game.RandomAntisymmetric(rng, b, k, game.LowerRandom)
	return g, NormalRef(rng, k, b, 1)
}

// build constructs a learner by name.
func build(t testing.TB, env *Env, name string, params map[string]any, o Options) Learner {
	t.Helper()
	a, err := LookupAlgorithm(name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.New(env, params, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// runSteps runs n steps and returns the final policy on the host.
func runSteps(t testing.TB, env *Env, l Learner, n int) []float64 {
	t.Helper()
	for i := range n {
		if err := l.Step(i); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	out, err := env.read(l.Policy())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// probDiff is the largest difference of probabilities of two K×B log-policies.
func probDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(math.Exp(a[i])-math.Exp(b[i])))
	}
	return d
}

func rngFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 5)) }
