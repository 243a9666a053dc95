package stats

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Sequential configures a group-sequential permutation test of "methods X
// and Y perform the same" in the spirit of AdaStop (Mathieu et al. 2023).
// Seeds arrive in interims: at interim j each method has j·Interim seeds on
// every task, and the test either stops (the methods are separated), or
// asks for the next interim, or, after MaxInterims, declares them not
// separated within the budget.
//
// The procedure, exactly:
//
//  1. Data. x[t] and y[t] are the scores of the two methods on task t in
//     seed order. With b = Interim, block j of task t is the b scores
//     x[t][(j−1)b : jb] and the b scores y[t][(j−1)b : jb]. Interims are
//     analysed while every task has a complete block for both methods, up
//     to K = MaxInterims.
//  2. Statistic at interim j: D_j = (1/T)·Σ_t (mean of x[t][:jb] − mean of
//     y[t][:jb]) over the T tasks, and S_j = |D_j|.
//  3. Permutations. Under the null hypothesis the 2b scores of a block of a
//     task are exchangeable, so the law of (S_1, …, S_K) is invariant under
//     reassigning, in every block of every task independently, which b of
//     its 2b scores are "X". The test draws M = Permutations such
//     reassignments (the identity, i.e. the observed data, is the first)
//     from a PCG generator seeded by Seed; permutation m gives S_j^m.
//  4. Error spending. The level is α' = Alpha / Comparisons (a Bonferroni
//     share of the family-wise level when several pairs are tested), spent
//     linearly: by interim j at most α(j) = α'·j/K of the permutations may
//     have crossed a boundary.
//  5. Boundaries. Let R be the permutations that crossed a boundary at an
//     earlier interim (R = ∅ at j = 1) and a_j = ⌊α(j)·M⌋ − |R|. The
//     boundary c_j is the (a_j+1)-th largest S_j^m over the permutations
//     not in R, so that at most a_j of them exceed it; those that do join
//     R.
//  6. Decision. If the observed S_j > c_j the methods are Separated at
//     interim j, the sign of D_j saying which is better. Otherwise, at
//     j = K they are NotSeparated; before K, the next interim is analysed
//     if its seeds exist, and the result is Undecided if they do not.
//
// The family-wise error rate is at most Alpha up to the Monte Carlo error
// of the M permutations (TestSequentialNullErrorRate checks it by
// simulation). When Undecided, NextSeeds says how many seeds per method and
// task the next interim needs, and Needed gives a rough total: the
// fixed-sample normal-approximation size 2σ²(z_{1−α'/2} + z_Power)²/(Tδ²)
// for the observed mean difference δ and pooled within-task variance σ²,
// rounded up to whole interims.
type Sequential struct {
	Alpha        float64 // family-wise error rate; 0 means 0.05
	Comparisons  int     // pairs sharing Alpha (Bonferroni); 0 means 1
	Interim      int     // seeds per method and task added at each interim; 0 means 5
	MaxInterims  int     // K, the most interims; 0 means 6
	Permutations int     // M; 0 means 10000
	Power        float64 // for Needed; 0 means 0.8
	Seed         uint64
}

func (c Sequential) withDefaults() Sequential {
	if c.Alpha <= 0 || c.Alpha >= 1 {
		c.Alpha = 0.05
	}
	if c.Comparisons <= 0 {
		c.Comparisons = 1
	}
	if c.Interim <= 0 {
		c.Interim = 5
	}
	if c.MaxInterims <= 0 {
		c.MaxInterims = 6
	}
	if c.Permutations <= 0 {
		c.Permutations = 10000
	}
	if c.Power <= 0 || c.Power >= 1 {
		c.Power = 0.8
	}
	return c
}

// Decision is the outcome of a sequential test.
type Decision int

const (
	// Undecided: the seeds so far do not separate the methods and the
	// budget allows another interim.
	Undecided Decision = iota
	// Separated: the null hypothesis was rejected at an interim.
	Separated
	// NotSeparated: all MaxInterims interims ran without a rejection.
	NotSeparated
)

func (d Decision) String() string {
	switch d {
	case Undecided:
		return "undecided"
	case Separated:
		return "separated"
	case NotSeparated:
		return "not separated"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// SequentialResult reports a sequential test.
type SequentialResult struct {
	Decision Decision
	// Interim is the last interim analysed (the deciding one when
	// decided), 0 when no task has a full first block yet.
	Interim int
	// Seeds is the number of seeds per method and task analysed:
	// Interim × the configured interim size.
	Seeds int
	// Diff is D at that interim: the mean over tasks of mean(x) − mean(y);
	// positive means X scores higher.
	Diff float64
	// Boundaries are c_1, …, c_Interim, on |D|.
	Boundaries []float64
	// NextSeeds is, when Undecided, the seeds per method and task the next
	// interim needs (in total, not additional).
	NextSeeds int
	// Needed is, when Undecided, a rough total of seeds per method and
	// task that would separate the observed effect (see Sequential); 0
	// when no effect or no variance estimate is available.
	Needed int
	// Budget is the most seeds per method and task the test will use.
	Budget int
}

// Test runs the sequential test on the seeds available so far. x and y
// hold the same tasks in the same order, each task's scores in seed order;
// seeds beyond the last complete interim are not used.
func (c Sequential) Test(x, y Scores) (SequentialResult, error) {
	if err := checkPair(x, y); err != nil {
		return SequentialResult{}, err
	}
	c = c.withDefaults()
	b, K, M, T := c.Interim, c.MaxInterims, c.Permutations, len(x)
	avail := math.MaxInt
	for t := range x {
		avail = min(avail, len(x[t]), len(y[t]))
	}
	k := min(avail/b, K)
	res := SequentialResult{Budget: K * b}
	alpha := c.Alpha / float64(c.Comparisons)

	rng := Bootstrap{Seed: c.Seed}.rng()
	sum := make([]float64, M) // Σ over analysed blocks and tasks of (sum of "X" − sum of "Y")
	stat := make([]float64, M)
	crossed := make([]bool, M)
	nCrossed := 0
	perm := make([]int, 2*b)
	pool := make([]float64, 2*b)
	survivors := make([]float64, 0, M)
	for j := 1; j <= k; j++ {
		for t := range T {
			copy(pool, x[t][(j-1)*b:j*b])
			copy(pool[b:], y[t][(j-1)*b:j*b])
			total := 0.0
			for _, v := range pool {
				total += v
			}
			for m := range M {
				sx := 0.0
				if m == 0 {
					for _, v := range pool[:b] {
						sx += v
					}
				} else {
					// A uniformly random b-subset of the block: a partial
					// Fisher–Yates shuffle of the indexes.
					for i := range perm {
						perm[i] = i
					}
					for i := range b {
						r := i + rng.IntN(2*b-i)
						perm[i], perm[r] = perm[r], perm[i]
						sx += pool[perm[i]]
					}
				}
				sum[m] += sx - (total - sx)
			}
		}
		scale := float64(T * j * b)
		for m := range M {
			stat[m] = math.Abs(sum[m] / scale)
		}
		allowed := int(math.Floor(alpha*float64(j)/float64(K)*float64(M)+1e-9)) - nCrossed
		survivors = survivors[:0]
		for m := range M {
			if !crossed[m] {
				survivors = append(survivors, stat[m])
			}
		}
		slices.Sort(survivors)
		boundary := math.Inf(-1)
		if allowed < len(survivors) {
			boundary = survivors[len(survivors)-1-allowed]
		}
		for m := range M {
			if !crossed[m] && stat[m] > boundary {
				crossed[m] = true
				nCrossed++
			}
		}
		res.Interim, res.Seeds = j, j*b
		res.Diff = sum[0] / scale
		res.Boundaries = append(res.Boundaries, boundary)
		if stat[0] > boundary {
			res.Decision = Separated
			return res, nil
		}
	}
	if k == K {
		res.Decision = NotSeparated
		return res, nil
	}
	res.Decision = Undecided
	res.NextSeeds = (k + 1) * b
	res.Needed = c.needed(x, y, alpha, avail)
	return res, nil
}

// needed is the normal-approximation sample size per method and task for
// the mean difference and pooled variance seen in the first n seeds of each
// task, rounded up to whole interims; 0 when it cannot be estimated.
func (c Sequential) needed(x, y Scores, alpha float64, n int) int {
	if n < 2 {
		return 0
	}
	T := float64(len(x))
	delta, variance := 0.0, 0.0
	for t := range x {
		xs, ys := x[t][:n], y[t][:n]
		mx, my := Mean(xs), Mean(ys)
		delta += (mx - my) / T
		ss := 0.0
		for i := range n {
			ss += (xs[i]-mx)*(xs[i]-mx) + (ys[i]-my)*(ys[i]-my)
		}
		variance += ss / float64(2*n-2) / T
	}
	if delta == 0 || math.IsNaN(delta) || math.IsNaN(variance) {
		return 0
	}
	norm := distuv.UnitNormal
	z := norm.Quantile(1-alpha/2) + norm.Quantile(c.Power)
	size := 2 * variance * z * z / (T * delta * delta)
	if size > 1e9 {
		return math.MaxInt32
	}
	b := c.Interim
	return max(b, int(math.Ceil(size/float64(b)))*b)
}
