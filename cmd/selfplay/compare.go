package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

const compareDescription = `
Compare algorithms over seeds and tasks from the metrics.jsonl of runner
output directories (selfplay nlhf run, selfplay dualplay run, or any file of
the same schema). Each DIR is a run directory or a metrics.jsonl file; rows
from all of them are pooled. A task is a distinct "run" name (one experiment
or game); the seeds of an algorithm on a task are its runs there.

For the metric chosen with --metric, the score of a seed is its value at
--step: "last" takes, per run and algorithm, the largest step any seed
reached (seeds that stopped earlier, e.g. interrupted, are left out with a
warning), and a number N takes step N. Null values are left out with a
warning. Tasks on which some algorithm has no score are left out.

Printed, per algorithm: the interquartile mean (IQM: the mean of the middle
half of all its scores pooled over tasks) and the mean, each with a 95%
stratified bootstrap CI (seeds resampled within each task; Agarwal et al.
2021). Then, for every pair, the probability of improvement P(row better
than column): the chance that a seed of one beats a seed of the other on
the same task, ties counting half, averaged over tasks, with its CI. Then,
for every pair, a sequential permutation test in the spirit of AdaStop:
seeds are taken in order in interims of --interim per task, up to
--max-interims; the family-wise error rate over all pairs is at most
--alpha (Bonferroni), spent evenly over the interims. Its verdict is
"separated" (which is better), "not separated" within the budget, or
"undecided" with how many seeds the next interim needs and a rough total
that the observed difference suggests.

With --log the scores are log10 of the metric, which suits gaps and other
positive quantities that differ by orders of magnitude between seeds;
values below --log-floor (such as gaps that reached exactly 0) count as
the floor.

With --out PATH, the performance profiles (fraction of runs better than a
threshold, as the threshold sweeps the observed range, with 95% bands) are
written to PATH.svg and PATH.png.`

func runCompare(ctx context.Context, e *env, args []string) error {
	fs := e.flags("compare", "[flags] DIR...", compareDescription,
		"selfplay compare --metric gap --log out/cyclic out/bt",
		"selfplay compare --metric win_rate_ref --higher-better --step 500 --out profile runs/*",
		"selfplay compare --metric pass_at_1 --higher-better --alpha 0.01 --interim 4 dualplay-out")
	metric := fs.String("metric", "", "the metric to compare (a key of the metrics.jsonl rows); required")
	stepFlag := fs.String("step", "last", `the step whose values are compared: "last" or a step number`)
	higher := fs.Bool("higher-better", false, "higher values of the metric are better (default: lower is better, as for gaps)")
	logScale := fs.Bool("log", false, "compare log10 of the metric (for positive metrics spanning orders of magnitude, such as gaps)")
	logFloor := fs.Float64("log-floor", 1e-16, "with -log, values below this (including 0) count as this")
	out := fs.String("out", "", "write the performance-profile plot to `PATH`.svg and PATH.png")
	alpha := fs.Float64("alpha", 0.05, "family-wise error rate of the sequential tests over all pairs")
	interim := fs.Int("interim", 5, "seeds per method and task added at each interim of the sequential test")
	maxInterims := fs.Int("max-interims", 6, "most interims of the sequential test (budget = interim × max-interims seeds)")
	resamples := fs.Int("resamples", 10000, "bootstrap resamples for the confidence intervals")
	permutations := fs.Int("permutations", 10000, "random permutations per sequential test")
	seed := fs.Uint64("seed", 1, "seed of the bootstrap and permutation draws")
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(dirs) == 0:
		fs.Usage()
		return usagef("no run directories given")
	case *metric == "":
		return usagef("-metric is required, e.g. -metric gap")
	case !(*alpha > 0 && *alpha < 1):
		return usagef("-alpha %v: expected a number in (0, 1)", *alpha)
	case *interim < 1 || *maxInterims < 1:
		return usagef("-interim and -max-interims must be positive")
	case !(*logFloor > 0):
		return usagef("-log-floor %v: expected a positive number", *logFloor)
	case *resamples < 100 || *permutations < 100:
		return usagef("-resamples and -permutations must be at least 100")
	}
	sel, err := parseStep(*stepFlag)
	if err != nil {
		return err
	}
	floor := 0.0
	if *logScale {
		floor = *logFloor
	}
	data, err := loadCompare(dirs, *metric, sel, floor, e.log)
	if err != nil {
		return err
	}
	opts := compareOptions{
		higher:    *higher,
		bootstrap: stats.Bootstrap{Resamples: *resamples, Seed: *seed},
		test: stats.Sequential{Alpha: *alpha, Interim: *interim, MaxInterims: *maxInterims,
			Permutations: *permutations, Seed: *seed},
	}
	cmp, err := compareScores(ctx, data, opts)
	if err != nil {
		return err
	}
	if err := cmp.writeText(e.stdout); err != nil {
		return err
	}
	if *out != "" {
		if err := cmp.saveProfile(*out); err != nil {
			return err
		}
		base := strings.TrimSuffix(strings.TrimSuffix(*out, ".svg"), ".png")
		fmt.Fprintf(e.stdout, "\nperformance profiles: %s.svg, %s.png\n", base, base)
	}
	return nil
}

// stepSelector picks the compared step: the last one, or a fixed one.
type stepSelector struct {
	last bool
	step int
}

func (s stepSelector) String() string {
	if s.last {
		return "the last step"
	}
	return "step " + strconv.Itoa(s.step)
}

func parseStep(v string) (stepSelector, error) {
	if v == "last" {
		return stepSelector{last: true}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return stepSelector{}, usagef(`-step %q: expected "last" or a non-negative step number`, v)
	}
	return stepSelector{step: n}, nil
}

// compareData holds the selected scores: for each algorithm, per task (in
// the order of tasks), its seeds' scores in seed order.
type compareData struct {
	metric string
	step   stepSelector
	tasks  []string
	algs   []string
	scores map[string]stats.Scores
}

type seedKey struct {
	run, alg string
	seed     uint64
}

type observation struct {
	step  int
	value float64
}

// loadCompare reads the rows of every dir and selects each seed's score.
// With logFloor > 0 the score is log10 of the value, values below logFloor
// counting as logFloor.
func loadCompare(dirs []string, metric string, sel stepSelector, logFloor float64, log zerolog.Logger) (*compareData, error) {
	obs := map[seedKey][]observation{}
	from := map[seedKey]map[int]string{} // step → file, to catch the same row in two inputs
	var runs, algs []string
	seenRun, seenAlg := map[string]bool{}, map[string]bool{}
	otherMetrics := map[string]bool{}
	for _, dir := range dirs {
		path := dir
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			path = filepath.Join(dir, results.MetricsFile)
		}
		rows, err := results.Read(path)
		if err != nil {
			return nil, badInput(fmt.Errorf("reading %w", err))
		}
		for _, r := range rows {
			v, ok := r.Metrics[metric]
			if !ok {
				for name := range r.Metrics {
					otherMetrics[name] = true
				}
				continue
			}
			k := seedKey{r.Run, r.Algorithm, r.Seed}
			if from[k] == nil {
				from[k] = map[int]string{}
			}
			if prev, dup := from[k][r.Step]; dup {
				return nil, badInput(fmt.Errorf("run %q algorithm %q seed %d step %d appears twice (in %s and %s)",
					r.Run, r.Algorithm, r.Seed, r.Step, prev, path))
			}
			from[k][r.Step] = path
			obs[k] = append(obs[k], observation{r.Step, v})
			if !seenRun[r.Run] {
				seenRun[r.Run] = true
				runs = append(runs, r.Run)
			}
			if !seenAlg[r.Algorithm] {
				seenAlg[r.Algorithm] = true
				algs = append(algs, r.Algorithm)
			}
		}
	}
	if len(obs) == 0 {
		names := slices.Sorted(func(yield func(string) bool) {
			for n := range otherMetrics {
				if !yield(n) {
					return
				}
			}
		})
		return nil, badInput(fmt.Errorf("no row has metric %q; the inputs have: %s", metric, strings.Join(names, ", ")))
	}

	// Group the seeds of each (run, algorithm) in seed order.
	type group struct{ seeds []uint64 }
	groups := map[[2]string]*group{}
	for k := range obs {
		g := groups[[2]string{k.run, k.alg}]
		if g == nil {
			g = &group{}
			groups[[2]string{k.run, k.alg}] = g
		}
		g.seeds = append(g.seeds, k.seed)
	}
	values := map[[2]string][]float64{}
	for _, run := range runs {
		for _, alg := range algs {
			g := groups[[2]string{run, alg}]
			if g == nil {
				continue
			}
			slices.Sort(g.seeds)
			target := sel.step
			if sel.last {
				target = -1
				for _, s := range g.seeds {
					for _, o := range obs[seedKey{run, alg, s}] {
						target = max(target, o.step)
					}
				}
			}
			var vs []float64
			missing, null, clipped := 0, 0, 0
			for _, s := range g.seeds {
				i := slices.IndexFunc(obs[seedKey{run, alg, s}], func(o observation) bool { return o.step == target })
				switch {
				case i < 0:
					missing++
				case math.IsNaN(obs[seedKey{run, alg, s}][i].value):
					null++
				default:
					v := obs[seedKey{run, alg, s}][i].value
					if logFloor > 0 {
						if v < logFloor {
							v = logFloor
							clipped++
						}
						v = math.Log10(v)
					}
					vs = append(vs, v)
				}
			}
			if missing > 0 {
				log.Warn().Str("run", run).Str("algorithm", alg).Int("step", target).
					Msgf("%d of %d seeds have no %s at step %d (stopped early?) and are left out", missing, len(g.seeds), metric, target)
			}
			if null > 0 {
				log.Warn().Str("run", run).Str("algorithm", alg).Int("step", target).
					Msgf("%d of %d seeds have a null %s at step %d and are left out", null, len(g.seeds), metric, target)
			}
			if clipped > 0 {
				log.Info().Str("run", run).Str("algorithm", alg).Int("step", target).
					Msgf("%d of %d seeds have %s below the log floor %g and count as %g", clipped, len(g.seeds), metric, logFloor, logFloor)
			}
			if len(vs) > 0 {
				values[[2]string{run, alg}] = vs
			}
		}
	}

	name := metric
	if logFloor > 0 {
		name = "log10(" + metric + ")"
	}
	d := &compareData{metric: name, step: sel, algs: algs, scores: map[string]stats.Scores{}}
	for _, run := range runs {
		var lacking []string
		for _, alg := range algs {
			if values[[2]string{run, alg}] == nil {
				lacking = append(lacking, alg)
			}
		}
		if len(lacking) > 0 {
			log.Warn().Str("run", run).Msgf("task left out: no %s at %s for %s", metric, sel, strings.Join(lacking, ", "))
			continue
		}
		d.tasks = append(d.tasks, run)
		for _, alg := range algs {
			d.scores[alg] = append(d.scores[alg], values[[2]string{run, alg}])
		}
	}
	if len(d.tasks) == 0 {
		return nil, badInput(fmt.Errorf("no task has a %s at %s for every algorithm (%s)", metric, sel, strings.Join(algs, ", ")))
	}
	return d, nil
}

type compareOptions struct {
	higher    bool
	bootstrap stats.Bootstrap
	test      stats.Sequential
}

// comparison is everything "selfplay compare" prints.
type comparison struct {
	data *compareData
	opts compareOptions
	iqm  []stats.Estimate   // per algorithm, in the metric's own scale
	mean []stats.Estimate   // per algorithm
	poi  [][]stats.Estimate // poi[i][j]: P(algorithm i better than j)
	seq  []pairTest
}

type pairTest struct {
	i, j int
	res  stats.SequentialResult // on oriented scores: Diff > 0 means i is better
}

// oriented returns s with the sign flipped when lower is better, so that
// higher is better for the probability of improvement, the profiles and
// the sequential test.
func (o compareOptions) oriented(s stats.Scores) stats.Scores {
	if o.higher {
		return s
	}
	out := make(stats.Scores, len(s))
	for t, xs := range s {
		out[t] = make([]float64, len(xs))
		for i, x := range xs {
			out[t][i] = -x
		}
	}
	return out
}

func compareScores(ctx context.Context, d *compareData, opts compareOptions) (*comparison, error) {
	n := len(d.algs)
	c := &comparison{data: d, opts: opts, poi: make([][]stats.Estimate, n)}
	for _, alg := range d.algs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		iqm, err := stats.IQMCI(d.scores[alg], opts.bootstrap)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", alg, err)
		}
		mean, err := stats.StratifiedCI(d.scores[alg], stats.MeanOf, opts.bootstrap)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", alg, err)
		}
		c.iqm, c.mean = append(c.iqm, iqm), append(c.mean, mean)
	}
	test := opts.test
	test.Comparisons = max(1, n*(n-1)/2)
	for i := range n {
		c.poi[i] = make([]stats.Estimate, n)
		for j := range n {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if i == j {
				c.poi[i][j] = stats.NoData()
				continue
			}
			x, y := opts.oriented(d.scores[d.algs[i]]), opts.oriented(d.scores[d.algs[j]])
			p, err := stats.ProbImprovementCI(x, y, opts.bootstrap)
			if err != nil {
				return nil, err
			}
			c.poi[i][j] = p
			if i < j {
				r, err := test.Test(x, y)
				if err != nil {
					return nil, err
				}
				c.seq = append(c.seq, pairTest{i, j, r})
			}
		}
	}
	return c, nil
}

func formatEstimate(e stats.Estimate) string {
	if e.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%s [%s, %s]", results.FormatNumber(e.Point), results.FormatNumber(e.Lo), results.FormatNumber(e.Hi))
}

// table writes rows with columns padded to a common width; the first
// column is left-aligned, the rest too (they hold intervals).
func table(w *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i, cell := range r {
			if i > 0 {
				line.WriteString("  ")
			}
			line.WriteString(cell + strings.Repeat(" ", width[i]-len([]rune(cell))))
		}
		w.WriteString(strings.TrimRight(line.String(), " "))
		w.WriteByte('\n')
	}
}

func (c *comparison) writeText(out io.Writer) error {
	d := c.data
	var b strings.Builder
	better := "lower is better"
	if c.opts.higher {
		better = "higher is better"
	}
	fmt.Fprintf(&b, "metric %s at %s (%s); %d task(s): %s\n\n", d.metric, d.step, better, len(d.tasks), strings.Join(d.tasks, ", "))

	rows := [][]string{{"algorithm", "runs", "IQM [95% CI]", "mean [95% CI]"}}
	for i, alg := range d.algs {
		rows = append(rows, []string{alg, strconv.Itoa(d.scores[alg].Runs()), formatEstimate(c.iqm[i]), formatEstimate(c.mean[i])})
	}
	table(&b, rows)
	b.WriteString("CIs: stratified bootstrap over seeds within tasks\n")

	if len(d.algs) > 1 {
		b.WriteString("\nprobability of improvement, P(row better than column) [95% CI]:\n")
		rows = [][]string{append([]string{""}, d.algs...)}
		for i, alg := range d.algs {
			r := []string{alg}
			for j := range d.algs {
				if i == j {
					r = append(r, "-")
				} else {
					r = append(r, fmt.Sprintf("%.2f [%.2f, %.2f]", c.poi[i][j].Point, c.poi[i][j].Lo, c.poi[i][j].Hi))
				}
			}
			rows = append(rows, r)
		}
		table(&b, rows)

		t := c.opts.test
		pairs := len(c.seq)
		fmt.Fprintf(&b, "\nsequential test (AdaStop-style permutation test; family-wise error %g over %d pair(s); interims of %d seeds per task, at most %d):\n",
			t.Alpha, pairs, t.Interim, t.MaxInterims)
		for _, p := range c.seq {
			b.WriteString(c.verdict(p))
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// verdict describes one pair's sequential test in a sentence.
func (c *comparison) verdict(p pairTest) string {
	a, bname := c.data.algs[p.i], c.data.algs[p.j]
	r := p.res
	head := fmt.Sprintf("  %s vs %s: ", a, bname)
	switch r.Decision {
	case stats.Separated:
		winner := a
		if r.Diff < 0 {
			winner = bname
		}
		return head + fmt.Sprintf("separated at interim %d (%d seeds per task): %s is better", r.Interim, r.Seeds, winner)
	case stats.NotSeparated:
		return head + fmt.Sprintf("not separated after all %d interims (%d seeds per task)", r.Interim, r.Seeds)
	}
	var s string
	if r.Interim == 0 {
		s = head + fmt.Sprintf("undecided: fewer than %d seeds per task; run %d per method and task for the first interim", c.opts.test.Interim, r.NextSeeds)
	} else {
		s = head + fmt.Sprintf("undecided after interim %d (%d seeds per task); run %d seeds per method and task for the next interim", r.Interim, r.Seeds, r.NextSeeds)
	}
	switch {
	case r.Needed == 0:
		s += "; no difference seen yet"
	case r.Needed > r.Budget:
		s += fmt.Sprintf("; the observed difference would need about %d, beyond the budget of %d", r.Needed, r.Budget)
	default:
		s += fmt.Sprintf("; the observed difference suggests about %d in total", r.Needed)
	}
	return s
}

// saveProfile writes the performance profiles of every algorithm.
func (c *comparison) saveProfile(base string) error {
	d := c.data
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, alg := range d.algs {
		for _, task := range d.scores[alg] {
			for _, v := range task {
				if !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	if math.IsInf(lo, 1) {
		return errors.New("compare: no finite scores to profile")
	}
	logX := lo > 0 && hi/lo >= 100
	taus := plots.Taus(lo, hi, 101, logX)
	oriented := taus
	if !c.opts.higher {
		oriented = make([]float64, len(taus))
		for i, t := range taus {
			oriented[i] = -t
		}
	}
	pr := plots.Profile{
		Title:       fmt.Sprintf("performance profiles: %s at %s", d.metric, d.step),
		Metric:      d.metric,
		LowerBetter: !c.opts.higher,
		Taus:        taus,
		LogX:        logX,
	}
	for _, alg := range d.algs {
		est, err := stats.PerformanceProfile(c.opts.oriented(d.scores[alg]), oriented, c.opts.bootstrap)
		if err != nil {
			return fmt.Errorf("compare: %s: %w", alg, err)
		}
		curve := plots.ProfileCurve{Name: alg}
		for _, e := range est {
			curve.Fraction = append(curve.Fraction, e.Point)
			curve.Lo = append(curve.Lo, e.Lo)
			curve.Hi = append(curve.Hi, e.Hi)
		}
		pr.Methods = append(pr.Methods, curve)
	}
	return pr.Save(base)
}
