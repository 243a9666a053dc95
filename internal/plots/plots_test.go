package plots

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkFigure checks that base.svg is well-formed SVG containing every
// string in want and that base.png is a decodable PNG of a plausible size.
func checkFigure(t *testing.T, base string, want ...string) {
	t.Helper()
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s.svg is not well-formed XML: %v", base, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s.svg root element is %q, want svg", base, root)
	}
	for _, s := range want {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("%s.svg does not contain %q", base, s)
		}
	}
	f, err := os.Open(base + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s.png: %v", base, err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("%s.png is only %v", base, b)
	}
	// Not blank: some pixels differ from the corner colour.
	corner := img.At(0, 0)
	varied := false
	for y := 0; y < img.Bounds().Dy() && !varied; y += 3 {
		for x := 0; x < img.Bounds().Dx(); x += 3 {
			if img.At(x, y) != corner {
				varied = true
				break
			}
		}
	}
	if !varied {
		t.Errorf("%s.png is blank", base)
	}
}

func TestLinesLogGapWithBands(t *testing.T) {
	dir := t.TempDir()
	var x, mmdY, mmdLo, mmdHi, spoY []float64
	for i := 0; i <= 100; i += 5 {
		x = append(x, float64(i))
		g := math.Exp(-0.3 * float64(i))
		mmdY, mmdLo, mmdHi = append(mmdY, g), append(mmdLo, g/2), append(mmdHi, g*2)
		spoY = append(spoY, 0.1/(1+float64(i)))
	}
	mmdY[len(mmdY)-1] = 0 // an exact zero on a log axis is clipped, not a panic
	spoY[3] = math.NaN()  // left out
	base := filepath.Join(dir, "gap")
	err := Lines{Title: "duality gap", XLabel: "iteration", YLabel: "gap", LogY: true, Series: []Series{
		{Name: "mmd-tau0.01", X: x, Y: mmdY, Lo: mmdLo, Hi: mmdHi},
		{Name: "spo", X: x, Y: spoY},
	}}.Save(base + ".svg") // the extension is replaced: both files are written
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, base, "mmd-tau0.01", "spo", "duality gap", "iteration")
}

func TestLinesErrors(t *testing.T) {
	dir := t.TempDir()
	for name, l := range map[string]Lines{
		"no series":   {},
		"length":      {Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}}},
		"band length": {Series: []Series{{Name: "a", X: []float64{1}, Y: []float64{1}, Lo: []float64{1}}}},
		"all nan":     {Series: []Series{{Name: "a", X: []float64{1}, Y: []float64{math.NaN()}}}},
		"unwritable":  {Series: []Series{{Name: "a", X: []float64{1}, Y: []float64{1}}}},
	} {
		base := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if name == "unwritable" {
			os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
			base = filepath.Join(dir, "file", "x")
		}
		if err := l.Save(base); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHeatmapWinRates(t *testing.T) {
	dir := t.TempDir()
	names := []string{"mmd", "spo", "rlhf-bt"}
	v := [][]float64{{0.5, 0.62, 0.81}, {0.38, 0.5, math.NaN()}, {0.19, 0.4, 0.5}}
	base := filepath.Join(dir, "winrate")
	if err := (Heatmap{Title: "win rate (row beats column)", RowLabels: names, ColLabels: names, Values: v, Min: 0, Max: 1}).Save(base); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, base, "mmd", "rlhf-bt", "0.62", "0.81", "win rate (row beats column)")
	svg, _ := os.ReadFile(base + ".svg")
	if bytes.Contains(svg, []byte("NaN")) {
		t.Error("a NaN cell was labelled")
	}

	// Many columns rotate the labels; a constant matrix still gets a colour range.
	var many []string
	var rows [][]float64
	for i := range 8 {
		many = append(many, string(rune('a'+i)))
	}
	for range 2 {
		rows = append(rows, []float64{1, 1, 1, 1, 1, 1, 1, 1})
	}
	if err := (Heatmap{RowLabels: many[:2], ColLabels: many, Values: rows, Format: "-"}).Save(filepath.Join(dir, "flat")); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(dir, "flat"), "h")

	if err := (Heatmap{RowLabels: names, ColLabels: names, Values: v[:2]}).Save(filepath.Join(dir, "bad")); err == nil {
		t.Error("mismatched rows: no error")
	}
}

func TestProfile(t *testing.T) {
	dir := t.TempDir()
	taus := Taus(1e-8, 1e-1, 30, true)
	if len(taus) != 30 || math.Abs(taus[0]-1e-8) > 1e-20 || math.Abs(taus[29]-0.1) > 1e-15 || !(taus[1] > taus[0]) {
		t.Fatalf("Taus = %v", taus)
	}
	frac := func(shift float64) (f, lo, hi []float64) {
		for _, tau := range taus {
			v := math.Min(1, math.Max(0, (math.Log10(tau)+8+shift)/7))
			f, lo, hi = append(f, v), append(lo, math.Max(0, v-0.1)), append(hi, math.Min(1, v+0.1))
		}
		return
	}
	a, alo, ahi := frac(2)
	b, blo, bhi := frac(0)
	base := filepath.Join(dir, "profile")
	err := Profile{Title: "performance profile", Metric: "gap", LowerBetter: true, Taus: taus, LogX: true,
		Methods: []ProfileCurve{{Name: "egpo", Fraction: a, Lo: alo, Hi: ahi}, {Name: "nash-md", Fraction: b, Lo: blo, Hi: bhi}}}.Save(base)
	if err != nil {
		t.Fatal(err)
	}
	checkFigure(t, base, "egpo", "nash-md", "fraction of runs with gap &lt; τ")
	if got := Taus(0, 1, 3, false); got[1] != 0.5 {
		t.Errorf("linear Taus = %v", got)
	}
}

func TestLogTicks(t *testing.T) {
	ticks := logTicks{}.Ticks(3e-7, 0.5)
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "1e-7 1e-6 1e-5 1e-4 0.001 0.01 0.1 1" {
		t.Errorf("labels %q", got)
	}
	if len(ticks) != 8 {
		t.Errorf("%d ticks; a range of 7 decades gets no minor ticks", len(ticks))
	}
	ticks = logTicks{}.Ticks(1e-30, 1)
	labelled := 0
	for _, tk := range ticks {
		if tk.Label != "" {
			labelled++
		}
	}
	if labelled > 9 {
		t.Errorf("%d labels over 30 decades; want at most 9", labelled)
	}
	if short := (logTicks{}).Ticks(1, 100); len(short) != 19 {
		t.Errorf("%d ticks over two decades; want 3 major and 16 minor", len(short))
	}
}
