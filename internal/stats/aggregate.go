package stats

import (
	"fmt"
	"math"
	"slices"
)

// Scores holds the scores of one method: Scores[t] are the runs (seeds) on
// task t. Tasks may have different numbers of runs. Higher is better for
// ProbImprovement and PerformanceProfile; negate lower-is-better metrics
// (and the thresholds) first.
type Scores [][]float64

// Runs returns the total number of runs over all tasks.
func (s Scores) Runs() int {
	n := 0
	for _, t := range s {
		n += len(t)
	}
	return n
}

// flat returns all scores in one slice, task after task.
func (s Scores) flat() []float64 {
	out := make([]float64, 0, s.Runs())
	for _, t := range s {
		out = append(out, t...)
	}
	return out
}

// check reports empty tasks and NaN scores, which the estimators below do
// not define.
func (s Scores) check() error {
	if len(s) == 0 {
		return fmt.Errorf("stats: no tasks")
	}
	for i, t := range s {
		if len(t) == 0 {
			return fmt.Errorf("stats: task %d has no runs", i)
		}
		if slices.ContainsFunc(t, math.IsNaN) {
			return fmt.Errorf("stats: task %d has a NaN score", i)
		}
	}
	return nil
}

// IQM is the interquartile mean of xs: the mean of the values left after
// dropping the ⌊n/4⌋ smallest and the ⌊n/4⌋ largest, as
// scipy.stats.trim_mean(xs, 0.25) computes it (and rliable with it). For
// n < 4 nothing is dropped. NaN for an empty slice.
func IQM(xs []float64) float64 { return iqmInPlace(slices.Clone(xs)) }

// iqmInPlace is IQM that sorts xs itself.
func iqmInPlace(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	cut := len(xs) / 4
	return Mean(xs[cut : len(xs)-cut])
}

// IQMOf is the IQM of all runs of all tasks pooled.
func IQMOf(s Scores) float64 { return iqmInPlace(s.flat()) }

// MeanOf is the mean of all runs of all tasks pooled.
func MeanOf(s Scores) float64 { return Mean(s.flat()) }

// OptimalityGap returns the mean shortfall of the scores below gamma,
// mean(max(gamma − x, 0)) over all runs of all tasks: how far the method is
// from reaching gamma (1 for normalized scores) everywhere.
func OptimalityGap(s Scores, gamma float64) float64 {
	xs := s.flat()
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += max(gamma-x, 0)
	}
	return sum / float64(len(xs))
}

// resampler draws stratified bootstrap replicates of Scores: each task's
// runs are resampled with replacement, independently of the other tasks.
type resampler struct {
	buf Scores
}

func newResampler(s Scores) *resampler {
	buf := make(Scores, len(s))
	for i, t := range s {
		buf[i] = make([]float64, len(t))
	}
	return &resampler{buf: buf}
}

func (r *resampler) draw(s Scores, next func(n int) int) Scores {
	for i, t := range s {
		for j := range r.buf[i] {
			r.buf[i][j] = t[next(len(t))]
		}
	}
	return r.buf
}

// StratifiedCI returns stat(s) with a stratified percentile bootstrap
// interval (Agarwal et al. 2021): b.Resamples times, resample the runs of
// each task with replacement (keeping its count), apply stat to the
// replicate, and take the (1−level)/2 and (1+level)/2 quantiles (Quantile)
// of the results. stat must not keep its argument, which is reused.
func StratifiedCI(s Scores, stat func(Scores) float64, b Bootstrap) (Estimate, error) {
	if err := s.check(); err != nil {
		return NoData(), err
	}
	rng := b.rng()
	r := newResampler(s)
	reps := make([]float64, b.resamples())
	for i := range reps {
		reps[i] = stat(r.draw(s, rng.IntN))
	}
	lo, hi := percentileInterval(reps, b.level())
	return Estimate{Point: stat(s), Lo: lo, Hi: hi, N: s.Runs()}, nil
}

// IQMCI is the IQM of s with its stratified bootstrap interval.
func IQMCI(s Scores, b Bootstrap) (Estimate, error) { return StratifiedCI(s, IQMOf, b) }

// ProbImprovement returns P(X > Y), the probability that a run of method x
// scores higher than a run of method y on the same task, ties counting one
// half, averaged over tasks (the Mann–Whitney U statistic over m·n, as in
// Agarwal et al. 2021). x and y must have the same tasks in the same order.
func ProbImprovement(x, y Scores) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return math.NaN(), err
	}
	sortedY := make(Scores, len(y))
	for i, t := range y {
		sortedY[i] = slices.Sorted(slices.Values(t))
	}
	return probImprovement(x, sortedY), nil
}

func checkPair(x, y Scores) error {
	if err := x.check(); err != nil {
		return err
	}
	if err := y.check(); err != nil {
		return err
	}
	if len(x) != len(y) {
		return fmt.Errorf("stats: %d tasks against %d", len(x), len(y))
	}
	return nil
}

// probImprovement needs each task of y sorted.
func probImprovement(x, y Scores) float64 {
	total := 0.0
	for t := range x {
		ys := y[t]
		wins := 0.0
		for _, v := range x[t] {
			below, _ := slices.BinarySearch(ys, v) // ys[:below] < v
			above := below
			for above < len(ys) && ys[above] == v {
				above++
			}
			wins += float64(below) + 0.5*float64(above-below)
		}
		total += wins / float64(len(x[t])*len(ys))
	}
	return total / float64(len(x))
}

// ProbImprovementCI is ProbImprovement with a stratified bootstrap
// interval in which the runs of x and of y are resampled independently
// within each task.
func ProbImprovementCI(x, y Scores, b Bootstrap) (Estimate, error) {
	p, err := ProbImprovement(x, y)
	if err != nil {
		return NoData(), err
	}
	rng := b.rng()
	rx, ry := newResampler(x), newResampler(y)
	reps := make([]float64, b.resamples())
	for i := range reps {
		xs := rx.draw(x, rng.IntN)
		ys := ry.draw(y, rng.IntN)
		for _, t := range ys {
			slices.Sort(t)
		}
		reps[i] = probImprovement(xs, ys)
	}
	lo, hi := percentileInterval(reps, b.level())
	return Estimate{Point: p, Lo: lo, Hi: hi, N: min(x.Runs(), y.Runs())}, nil
}

// PerformanceProfile returns, for each threshold tau in taus, the fraction
// of runs scoring above tau (the run-score distribution of Agarwal et al.
// 2021), computed per task and averaged over tasks, with stratified
// bootstrap intervals. One set of replicates serves every tau, so the band
// is that of one resampled profile per replicate.
func PerformanceProfile(s Scores, taus []float64, b Bootstrap) ([]Estimate, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	sorted := make(Scores, len(s))
	for i, t := range s {
		sorted[i] = slices.Sorted(slices.Values(t))
	}
	profile := func(s Scores, tau float64) float64 {
		f := 0.0
		for _, t := range s {
			// Number of runs > tau in a sorted task.
			i, found := slices.BinarySearch(t, tau)
			for found && i < len(t) && t[i] == tau {
				i++
			}
			f += float64(len(t)-i) / float64(len(t))
		}
		return f / float64(len(s))
	}
	reps := make([][]float64, len(taus))
	for k := range reps {
		reps[k] = make([]float64, b.resamples())
	}
	rng := b.rng()
	r := newResampler(s)
	for i := range b.resamples() {
		rep := r.draw(s, rng.IntN)
		for _, t := range rep {
			slices.Sort(t)
		}
		for k, tau := range taus {
			reps[k][i] = profile(rep, tau)
		}
	}
	out := make([]Estimate, len(taus))
	for k, tau := range taus {
		lo, hi := percentileInterval(reps[k], b.level())
		out[k] = Estimate{Point: profile(sorted, tau), Lo: lo, Hi: hi, N: s.Runs()}
	}
	return out, nil
}
