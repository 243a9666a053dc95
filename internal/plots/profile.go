package plots

import (
	"fmt"
	"math"
)

// Profile is a performance-profile figure (Agarwal et al. 2021): for each
// method, the fraction of runs whose score beats a threshold, as the
// threshold sweeps Taus, with its confidence band.
type Profile struct {
	Title  string
	Metric string // the x-axis label names it, e.g. "gap"
	// LowerBetter says the curve counts runs with score < tau (for gaps
	// and losses) rather than > tau.
	LowerBetter bool
	Taus        []float64
	Methods     []ProfileCurve
	// LogX puts tau on a log axis; callers set it when the scores are
	// positive and span orders of magnitude.
	LogX bool
}

// ProfileCurve is one method's fractions at each tau, with the band.
type ProfileCurve struct {
	Name             string
	Fraction, Lo, Hi []float64
}

// Save draws the profile and writes base.svg and base.png.
func (pr Profile) Save(base string) error {
	cmp := ">"
	if pr.LowerBetter {
		cmp = "<"
	}
	l := Lines{
		Title:  pr.Title,
		XLabel: fmt.Sprintf("%s threshold τ", pr.Metric),
		YLabel: fmt.Sprintf("fraction of runs with %s %s τ", pr.Metric, cmp),
		LogX:   pr.LogX,
		YMin:   0, YMax: 1,
		// Counting runs below tau, curves rise to the right and leave the
		// top left free; counting runs above, they fall and leave the top
		// right free.
		LegendLeft: pr.LowerBetter,
	}
	for _, m := range pr.Methods {
		l.Series = append(l.Series, Series{Name: m.Name, X: pr.Taus, Y: m.Fraction, Lo: m.Lo, Hi: m.Hi})
	}
	return l.Save(base)
}

// Taus returns n thresholds spanning [lo, hi]: evenly spaced, or evenly
// spaced in log when log is true (lo and hi must then be positive).
func Taus(lo, hi float64, n int, log bool) []float64 {
	if n < 2 || lo == hi {
		return []float64{lo}
	}
	out := make([]float64, n)
	for i := range out {
		f := float64(i) / float64(n-1)
		if log {
			out[i] = math.Exp(math.Log(lo) + f*(math.Log(hi)-math.Log(lo)))
		} else {
			out[i] = lo + f*(hi-lo)
		}
	}
	return out
}
