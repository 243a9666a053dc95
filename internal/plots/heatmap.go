package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Heatmap is a labelled matrix drawn as coloured cells, row 0 at the top,
// each cell showing its value (e.g. a win-rate matrix: Values[i][j] the
// rate at which row i beats column j).
type Heatmap struct {
	Title          string
	XLabel, YLabel string
	RowLabels      []string
	ColLabels      []string
	Values         [][]float64 // Values[row][col]; NaN cells are white and blank
	Min, Max       float64     // colour range; Min == Max means the data range
	Format         string      // cell text, e.g. "%.2f" (the default); "-" for none
	Width, Height  vg.Length   // zero means sized by the matrix
}

// grid adapts Heatmap to plotter.GridXYZ with row 0 drawn at the top.
type grid struct{ h *Heatmap }

func (g grid) Dims() (c, r int)   { return len(g.h.ColLabels), len(g.h.RowLabels) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) Z(c, r int) float64 { return g.h.Values[len(g.h.RowLabels)-1-r][c] }

// Save draws h and writes base.svg and base.png.
func (h Heatmap) Save(base string) error {
	p, err := h.plot()
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	w, ht := h.Width, h.Height
	if w == 0 {
		w = 4*vg.Centimeter + vg.Length(len(h.ColLabels))*1.4*vg.Centimeter
	}
	if ht == 0 {
		ht = 3*vg.Centimeter + vg.Length(len(h.RowLabels))*1.0*vg.Centimeter
	}
	return save(p, w, ht, base)
}

func (h *Heatmap) plot() (*plot.Plot, error) {
	rows, cols := len(h.RowLabels), len(h.ColLabels)
	if rows == 0 || cols == 0 {
		return nil, errors.New("heat map without rows or columns")
	}
	if len(h.Values) != rows {
		return nil, fmt.Errorf("heat map: %d rows of values for %d row labels", len(h.Values), rows)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range h.Values {
		if len(r) != cols {
			return nil, fmt.Errorf("heat map: row %d has %d values for %d column labels", i, len(r), cols)
		}
		for _, v := range r {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if h.Min < h.Max {
		lo, hi = h.Min, h.Max
	}
	if math.IsInf(lo, 1) { // every cell NaN
		lo, hi = 0, 1
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(lo)
	cmap.SetMax(hi)
	hm := plotter.NewHeatMap(grid{h}, cmap.Palette(255))
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.White
	hm.Underflow, hm.Overflow = hm.NaN, hm.NaN

	p := plot.New()
	p.Title.Text = h.Title
	p.X.Label.Text = h.XLabel
	p.Y.Label.Text = h.YLabel
	p.Add(hm)

	format := h.Format
	if format == "" {
		format = "%.2f"
	}
	if format != "-" {
		var cells plotter.XYLabels
		for r := range rows {
			for c := range cols {
				v := h.Values[r][c]
				if math.IsNaN(v) {
					continue
				}
				cells.XYs = append(cells.XYs, plotter.XY{X: float64(c), Y: float64(rows - 1 - r)})
				cells.Labels = append(cells.Labels, fmt.Sprintf(format, v))
			}
		}
		if len(cells.XYs) > 0 {
			labels, err := plotter.NewLabels(cells)
			if err != nil {
				return nil, err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].XAlign = draw.XCenter
				labels.TextStyle[i].YAlign = draw.YCenter
			}
			p.Add(labels)
		}
	}

	xt := make([]plot.Tick, cols)
	for c, name := range h.ColLabels {
		xt[c] = plot.Tick{Value: float64(c), Label: name}
	}
	yt := make([]plot.Tick, rows)
	for r, name := range h.RowLabels {
		yt[r] = plot.Tick{Value: float64(rows - 1 - r), Label: name}
	}
	p.X.Tick.Marker = plot.ConstantTicks(xt)
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	if cols > 6 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	p.X.Min, p.X.Max = -0.5, float64(cols)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(rows)-0.5
	return p, nil
}
