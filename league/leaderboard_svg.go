package league

import (
	"errors"
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ciPoints is the leaderboard as plotter data: player k at height n−1−k
// (the leader on top), its rating on X and its interval as X errors.
type ciPoints []LeaderboardEntry

func (c ciPoints) Len() int { return len(c) }
func (c ciPoints) XY(i int) (float64, float64) {
	return c[i].Rating, float64(len(c) - 1 - i)
}
func (c ciPoints) XError(i int) (float64, float64) {
	return c[i].Rating - c[i].CILow, c[i].CIHigh - c[i].Rating
}

// WriteLeaderboardSVG writes lb as an SVG plot: one row per player, top
// rated first, with its rating and 95% interval.
func WriteLeaderboardSVG(w io.Writer, title string, lb *Leaderboard) error {
	if len(lb.Players) == 0 {
		return errors.New("svg: no rated players to plot")
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = fmt.Sprintf("%s rating (95%% CI)", lb.Method)
	pts := ciPoints(lb.Players)
	bars, err := plotter.NewXErrorBars(pts)
	if err != nil {
		return fmt.Errorf("svg: %w", err)
	}
	bars.LineStyle.Color = color.RGBA{R: 0x5b, G: 0x8d, B: 0xef, A: 0xff}
	bars.LineStyle.Width = vg.Points(2)
	dots, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("svg: %w", err)
	}
	dots.GlyphStyle.Color = color.RGBA{R: 0x1d, G: 0x3f, B: 0x8f, A: 0xff}
	dots.GlyphStyle.Shape = draw.CircleGlyph{}
	dots.GlyphStyle.Radius = vg.Points(2.5)
	p.Add(plotter.NewGrid(), bars, dots)
	names := make([]string, len(lb.Players))
	for i, e := range lb.Players {
		names[len(names)-1-i] = fmt.Sprintf("%s (%d)", e.Name, e.Rank)
	}
	p.NominalY(names...)
	height := vg.Length(len(lb.Players))*vg.Points(14) + vg.Points(80)
	c := vgsvg.New(7*vg.Inch, height)
	p.Draw(draw.New(c))
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("svg: %w", err)
	}
	return nil
}
