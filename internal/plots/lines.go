package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Series is one curve: Y over X, with an optional band [Lo, Hi] (such as a
// 95% confidence interval) drawn under it. Lo and Hi are either both nil or
// as long as X.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64
}

// Lines is a figure of curves.
type Lines struct {
	Title, XLabel, YLabel string
	Series                []Series

	LogX, LogY bool
	// Floor is the smallest value shown on a log axis; values at or below
	// it are drawn at it. Zero means a tenth of the smallest positive value
	// in the data.
	Floor float64
	// YMin and YMax fix the y range when YMin < YMax (e.g. 0 and 1 for
	// fractions); otherwise it follows the data.
	YMin, YMax float64

	// LegendLeft and LegendBottom move the legend from the top right
	// corner to where the curves leave room.
	LegendLeft, LegendBottom bool

	Width, Height vg.Length // zero means 16 cm × 10 cm
}

// Save draws l and writes base.svg and base.png.
func (l Lines) Save(base string) error {
	p, err := l.plot()
	if err != nil {
		return fmt.Errorf("plots: %s: %w", filepath.Base(base), err)
	}
	w, h := l.Width, l.Height
	if w == 0 {
		w = 16 * vg.Centimeter
	}
	if h == 0 {
		h = 10 * vg.Centimeter
	}
	return save(p, w, h, base)
}

func (l Lines) plot() (*plot.Plot, error) {
	if len(l.Series) == 0 {
		return nil, errors.New("no series to plot")
	}
	for _, s := range l.Series {
		if len(s.Y) != len(s.X) || (s.Lo != nil || s.Hi != nil) && (len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X)) {
			return nil, fmt.Errorf("series %q: X, Y, Lo and Hi lengths differ", s.Name)
		}
	}
	p := plot.New()
	p.Title.Text = l.Title
	p.X.Label.Text = l.XLabel
	p.Y.Label.Text = l.YLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = !l.LegendBottom
	p.Legend.Left = l.LegendLeft

	xfloor, yfloor := l.floor(true), l.floor(false)
	fix := func(v float64, log bool, floor float64) (float64, bool) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, false
		}
		if log && v <= floor {
			v = floor
		}
		return v, true
	}
	drawn := 0
	for i, s := range l.Series {
		col := plotutil.Color(i)
		var pts, lower, upper plotter.XYs
		for k := range s.X {
			x, okx := fix(s.X[k], l.LogX, xfloor)
			y, oky := fix(s.Y[k], l.LogY, yfloor)
			if !okx || !oky {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
			if s.Lo != nil {
				lo, oklo := fix(s.Lo[k], l.LogY, yfloor)
				hi, okhi := fix(s.Hi[k], l.LogY, yfloor)
				if oklo && okhi {
					lower = append(lower, plotter.XY{X: x, Y: lo})
					upper = append(upper, plotter.XY{X: x, Y: hi})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		if len(lower) >= 2 {
			ring := append(plotter.XYs{}, lower...)
			for k := len(upper) - 1; k >= 0; k-- {
				ring = append(ring, upper[k])
			}
			band, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, fmt.Errorf("series %q band: %w", s.Name, err)
			}
			r, g, b, _ := col.RGBA()
			band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 60}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		p.Add(line)
		p.Legend.Add(s.Name, line)
		drawn++
	}
	if drawn == 0 {
		return nil, errors.New("no finite points to plot")
	}
	if l.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if l.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	if l.YMin < l.YMax {
		p.Y.Min, p.Y.Max = l.YMin, l.YMax
	}
	// A single point or a flat line would give an empty log range.
	if l.LogY && p.Y.Min == p.Y.Max {
		p.Y.Min, p.Y.Max = p.Y.Min/10, p.Y.Max*10
	}
	if l.LogX && p.X.Min == p.X.Max {
		p.X.Min, p.X.Max = p.X.Min/10, p.X.Max*10
	}
	return p, nil
}

// logTicks marks a log axis at exact powers of ten, labelling at most
// about eight of them, with unlabelled minor ticks when the range is short.
// (gonum's LogTicks multiplies its way up and prints 0.09999999999999998.)
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi >= lo) {
		return nil
	}
	first, last := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	step := 1 + (last-first)/8
	var ticks []plot.Tick
	for k := first; k <= last; k++ {
		v := math.Pow10(k)
		label := ""
		if (k-first)%step == 0 {
			label = powerLabel(k)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
		if k < last && last-first <= 6 {
			for i := 2; i <= 9; i++ {
				ticks = append(ticks, plot.Tick{Value: float64(i) * v})
			}
		}
	}
	return ticks
}

// powerLabel writes 10^k plainly for small k ("0.01", "100") and as 1eK
// otherwise.
func powerLabel(k int) string {
	if k >= -3 && k <= 3 {
		return strconv.FormatFloat(math.Pow10(k), 'f', -1, 64)
	}
	return fmt.Sprintf("1e%d", k)
}

// floor returns the clip value for the x (or y) axis when it is logarithmic.
func (l Lines) floor(x bool) float64 {
	if l.Floor > 0 {
		return l.Floor
	}
	smallest := math.Inf(1)
	for _, s := range l.Series {
		vals := [][]float64{s.Y, s.Lo, s.Hi}
		if x {
			vals = [][]float64{s.X}
		}
		for _, vs := range vals {
			for _, v := range vs {
				if v > 0 && !math.IsInf(v, 0) {
					smallest = math.Min(smallest, v)
				}
			}
		}
	}
	if math.IsInf(smallest, 1) {
		return 1e-16
	}
	return smallest / 10
}

// save writes p as base.svg and base.png (an extension on base is replaced).
func save(p *plot.Plot, w, h vg.Length, base string) error {
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".svg"), ".png")
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	for _, ext := range []string{".svg", ".png"} {
		if err := saveOne(p, w, h, base+ext); err != nil {
			return err
		}
	}
	return nil
}

// saveOne renders to a temporary file and renames it, so that a failed or
// interrupted render never leaves a truncated figure behind.
func saveOne(p *plot.Plot, w, h vg.Length, path string) (err error) {
	defer func() {
		// gonum/plot panics on inputs it cannot draw; report, do not crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %s: %v", filepath.Base(path), r)
		}
	}()
	wt, err := p.WriterTo(w, h, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	_, err = wt.WriteTo(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("plots: writing %s: %w", filepath.Base(path), err)
	}
	return nil
}
