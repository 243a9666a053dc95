package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/selfplay-lab/selfplay/internal/stats"
)

// Summary is a table of estimates: one row per key (such as an algorithm),
// one column per metric, each cell a mean (or other point estimate) with
// its confidence interval over seeds.
type Summary struct {
	Title   string   // printed above the table; may be empty
	Keys    []string // names of the key columns, e.g. {"algorithm"}
	Columns []string // metric names
	Rows    []SummaryRow
	Note    string // printed below the table, e.g. "mean [95% bootstrap CI] over seeds"
}

// SummaryRow is one row of a Summary; Cells[i] belongs to Columns[i].
type SummaryRow struct {
	Keys  []string
	Cells []stats.Estimate
}

// seeds returns the largest N among the row's cells.
func (r SummaryRow) seeds() int {
	n := 0
	for _, c := range r.Cells {
		n = max(n, c.N)
	}
	return n
}

// WriteText prints s as an aligned table: the key columns, a "seeds"
// column, then each metric as "point [lo, hi]". A cell resting on fewer
// seeds than its row says so with "(n=K)"; a cell without data shows "-".
func (s *Summary) WriteText(w io.Writer) error {
	header := append(slices.Clone(s.Keys), "seeds")
	header = append(header, s.Columns...)
	table := [][]string{header}
	for _, r := range s.Rows {
		line := append(slices.Clone(r.Keys), strconv.Itoa(r.seeds()))
		for _, c := range r.Cells {
			line = append(line, formatCell(c, r.seeds()))
		}
		table = append(table, line)
	}
	var b strings.Builder
	if s.Title != "" {
		b.WriteString(s.Title)
		b.WriteByte('\n')
	}
	writeAligned(&b, table, len(s.Keys))
	if s.Note != "" {
		b.WriteString(s.Note)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatCell(c stats.Estimate, rowN int) string {
	if c.N == 0 {
		return "-"
	}
	s := FormatNumber(c.Point)
	if c.N > 1 {
		s += " [" + FormatNumber(c.Lo) + ", " + FormatNumber(c.Hi) + "]"
	}
	if c.N < rowN {
		s += fmt.Sprintf(" (n=%d)", c.N)
	}
	return s
}

// FormatNumber formats x for tables: four significant digits, "-" for NaN.
func FormatNumber(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// writeAligned writes the rows of table with columns padded to a common
// width, separated by two spaces: the column at index countCol (a count) is
// right-aligned, the others left-aligned.
func writeAligned(b *strings.Builder, table [][]string, countCol int) {
	width := make([]int, len(table[0]))
	for _, row := range table {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range table {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("  ")
			}
			if i == countCol {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}

// WriteCSV writes s as CSV: the key columns, "seeds", then for each metric
// m the columns m, m_lo, m_hi and m_n. Numbers are written in full
// precision; missing values are empty.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := append(slices.Clone(s.Keys), "seeds")
	for _, c := range s.Columns {
		header = append(header, c, c+"_lo", c+"_hi", c+"_n")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range s.Rows {
		rec := append(slices.Clone(r.Keys), strconv.Itoa(r.seeds()))
		for _, c := range r.Cells {
			rec = append(rec, csvNumber(c.Point), csvNumber(c.Lo), csvNumber(c.Hi), strconv.Itoa(c.N))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvNumber(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// Final returns, for each (run, algorithm, seed), its row with the largest
// step, in the order the runs first appear in rows.
func Final(rows []Row) []Row {
	type key struct {
		run, alg string
		seed     uint64
	}
	at := map[key]int{}
	var out []Row
	for _, r := range rows {
		k := key{r.Run, r.Algorithm, r.Seed}
		if i, ok := at[k]; ok {
			if r.Step >= out[i].Step {
				out[i] = r
			}
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// Summarize summarizes the final row of each (run, algorithm, seed): one
// Summary row per (run, algorithm) in order of first appearance, keyed by
// algorithm (and by run too when rows hold more than one run), one column
// per name in metrics (every metric present, sorted, when metrics is nil),
// each cell the mean over seeds with a percentile bootstrap CI (stats.MeanCI
// with b). Seeds whose final row lacks a metric, or has it NaN, do not count
// for that cell.
func Summarize(rows []Row, metrics []string, b stats.Bootstrap) *Summary {
	final := Final(rows)
	if metrics == nil {
		seen := map[string]bool{}
		for _, r := range final {
			for name := range r.Metrics {
				if !seen[name] {
					seen[name] = true
					metrics = append(metrics, name)
				}
			}
		}
		slices.Sort(metrics)
	}
	type group struct {
		run, alg string
		values   [][]float64 // per metric, over seeds
	}
	var groups []*group
	index := map[[2]string]*group{}
	runs := map[string]bool{}
	for _, r := range final {
		runs[r.Run] = true
		g := index[[2]string{r.Run, r.Algorithm}]
		if g == nil {
			g = &group{run: r.Run, alg: r.Algorithm, values: make([][]float64, len(metrics))}
			index[[2]string{r.Run, r.Algorithm}] = g
			groups = append(groups, g)
		}
		for i, m := range metrics {
			if v, ok := r.Metrics[m]; ok {
				g.values[i] = append(g.values[i], v)
			}
		}
	}
	s := &Summary{Keys: []string{"algorithm"}, Columns: metrics}
	if len(runs) > 1 {
		s.Keys = []string{"run", "algorithm"}
	}
	level := b.Level
	if level <= 0 || level >= 1 {
		level = 0.95
	}
	s.Note = fmt.Sprintf("final values: mean [%g%% percentile bootstrap CI] over seeds", 100*level)
	for _, g := range groups {
		row := SummaryRow{Keys: []string{g.alg}}
		if len(runs) > 1 {
			row.Keys = []string{g.run, g.alg}
		}
		for i := range metrics {
			row.Cells = append(row.Cells, stats.MeanCI(g.values[i], b))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}
