package nash

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// ZeroSumBench is the outcome of BenchZeroSum on one game size.
type ZeroSumBench struct {
	N     int           // the game is N×N
	Reps  int           // solves timed per solver
	Ours  time.Duration // SolveZeroSum, median over the solves
	Gonum time.Duration // gonum's lp.Simplex on the same LP, median; 0 if not run
	// Ratio is Gonum/Ours (how many times faster SolveZeroSum is), 0 if
	// the baseline was not run.
	Ratio float64
	Value float64 // the game's value
	Gap   float64 // SolveZeroSum's duality gap
	// ValueDiff is |Value − gonum's value|, 0 if the baseline was not run.
	ValueDiff float64
}

// BenchZeroSum times SolveZeroSum on a random N×N zero-sum game with
// payoffs uniform in [0, 1) drawn from seed, reps times (reporting the
// median wall time), and, when baseline
// is set, gonum's lp.Simplex (optimize/convex/lp) on the same game's linear
// program in the same run, so that the ratio is meaningful on a noisy
// machine. gonum's dense simplex refactors the basis every pivot, so keep
// the baseline to N ≤ 200 or so.
func BenchZeroSum(ctx context.Context, n, reps int, seed uint64, baseline bool) (ZeroSumBench, error) {
	if n < 1 || reps < 1 {
		return ZeroSumBench{}, fmt.Errorf("nash: BenchZeroSum needs n ≥ 1 and reps ≥ 1, got %d and %d", n, reps)
	}
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	A := make([][]float64, n)
	for i := range A {
		A[i] = make([]float64, n)
		for j := range A[i] {
			A[i][j] = r.Float64()
		}
	}
	res := ZeroSumBench{N: n, Reps: reps}
	times := make([]time.Duration, reps)
	for k := range reps {
		start := time.Now()
		sol, err := SolveZeroSumContext(ctx, A)
		if err != nil {
			return res, err
		}
		times[k] = time.Since(start)
		res.Value, res.Gap = sol.Value, sol.Gap()
	}
	res.Ours = medianDuration(times)
	if !baseline {
		return res, nil
	}
	var v float64
	for k := range reps {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		start := time.Now()
		var err error
		if v, err = gonumGameValue(A); err != nil {
			return res, fmt.Errorf("nash: gonum baseline: %w", err)
		}
		times[k] = time.Since(start)
	}
	res.Gonum = medianDuration(times)
	res.Ratio = float64(res.Gonum) / float64(res.Ours)
	res.ValueDiff = math.Abs(v - res.Value)
	return res, nil
}

// gonumGameValue solves the game A (payoffs in [0, 1)) with gonum's
// lp.Simplex on the standard-form program min −Σw s.t. (A+1)w + s = 1,
// w, s ≥ 0, started from the slack basis; the value is 1/Σw − 1.
func gonumGameValue(A [][]float64) (float64, error) {
	m, n := len(A), len(A[0])
	M := mat.NewDense(m, n+m, nil)
	b := make([]float64, m)
	c := make([]float64, n+m)
	for i := range m {
		for j := range n {
			M.Set(i, j, A[i][j]+1)
		}
		M.Set(i, n+i, 1)
		b[i] = 1
	}
	for j := range n {
		c[j] = -1
	}
	basic := make([]int, m)
	for i := range basic {
		basic[i] = n + i
	}
	opt, _, err := lp.Simplex(c, M, b, 1e-10, basic)
	if err != nil {
		return 0, err
	}
	return 1/(-opt) - 1, nil
}

func medianDuration(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	return s[len(s)/2]
}
