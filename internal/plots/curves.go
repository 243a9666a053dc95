package plots

import (
	"math"
	"slices"

	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

// CurveOptions configures Curves.
type CurveOptions struct {
	Bootstrap stats.Bootstrap
	// Geometric averages log10 of the values and maps the mean and its
	// interval back (a geometric mean), which suits gaps on a log axis:
	// the arithmetic mean of 1e-2 and 1e-8 is dominated by 1e-2. Values
	// at or below zero count as 1e-300.
	Geometric bool
}

// Curves turns metric rows into one Series per algorithm, in order of first
// appearance: at each step, the mean of metric over the seeds that logged
// it, with a percentile bootstrap band over those seeds. Rows of different
// runs are pooled by algorithm; filter rows by Run first to keep them apart.
// NaN values are left out; an algorithm without the metric gets no Series.
func Curves(rows []results.Row, metric string, opts CurveOptions) []Series {
	type curve struct {
		name string
		at   map[int][]float64
	}
	var order []*curve
	byName := map[string]*curve{}
	for _, r := range rows {
		v, ok := r.Metrics[metric]
		if !ok || math.IsNaN(v) {
			continue
		}
		c := byName[r.Algorithm]
		if c == nil {
			c = &curve{name: r.Algorithm, at: map[int][]float64{}}
			byName[r.Algorithm] = c
			order = append(order, c)
		}
		if opts.Geometric {
			v = math.Log10(math.Max(v, 1e-300))
		}
		c.at[r.Step] = append(c.at[r.Step], v)
	}
	back := func(x float64) float64 {
		if opts.Geometric {
			return math.Pow(10, x)
		}
		return x
	}
	out := make([]Series, 0, len(order))
	for _, c := range order {
		steps := make([]int, 0, len(c.at))
		for s := range c.at {
			steps = append(steps, s)
		}
		slices.Sort(steps)
		s := Series{Name: c.name}
		for _, step := range steps {
			e := stats.MeanCI(c.at[step], opts.Bootstrap)
			s.X = append(s.X, float64(step))
			s.Y = append(s.Y, back(e.Point))
			s.Lo = append(s.Lo, back(e.Lo))
			s.Hi = append(s.Hi, back(e.Hi))
		}
		out = append(out, s)
	}
	return out
}
