package demo

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/league"
	"gonum.org/v1/plot/vg"
)

// Files of the dual-play stage (plots as NAME.svg and NAME.png).
const (
	DualLeaderboardText = "dualplay-leaderboard.txt"
	DualLeaderboardJSON = "dualplay-leaderboard.json"
	DualPageFile        = "dualplay-leaderboard.html"
	DualPlot            = "dualplay"
	DualRatingsPlot     = "dualplay-ratings"
	DualMetricsFile     = "dualplay.jsonl"
	// DualLeagueDir is reserved, like LeagueDir, for the caller's
	// replicated dual-play league.
	DualLeagueDir = "raft-dualplay"
)

// dualOwnedFiles are the dual-play stage's files, which a rerun replaces.
func dualOwnedFiles() []string {
	return []string{DualLeaderboardText, DualLeaderboardJSON, DualPageFile, DualPlot + ".svg", DualPlot + ".png",
		DualRatingsPlot + ".svg", DualRatingsPlot + ".png", DualMetricsFile}
}

// writeDual writes the dual-play stage's files.
func (o *outDir) writeDual(rep *Report) error {
	d := rep.Dual
	title := fmt.Sprintf("selfplay demo: dual-play league, solver ability and proposer difficulty (seed %d)", rep.Config.Seed)
	table := func(w io.Writer) error { return d.WriteTable(w, 0) }
	if err := o.writeBoard(DualLeaderboardJSON, DualLeaderboardText, DualPageFile, title, d.Leaderboard, d.Battles, table); err != nil {
		return err
	}
	if err := o.writeDualPlots(d); err != nil {
		return err
	}
	var b []byte
	for _, s := range d.Steps {
		b = results.Row{Run: "demo", Algorithm: "pasodoble", Seed: rep.Config.Seed, Step: s.Step,
			Metrics: map[string]float64{"pass_at_1": s.PassAt1, "proposer_difficulty": s.Difficulty, "valid_rate": s.ValidRate}}.AppendJSON(b)
		b = append(b, '\n')
	}
	return o.writeFile(DualMetricsFile, b)
}

// writeDualPlots draws the run's curves by step and the snapshots'
// ratings by step.
func (o *outDir) writeDualPlots(d *DualReport) error {
	pass := plots.Series{Name: "solver: held-out pass@1"}
	diff := plots.Series{Name: "proposer: difficulty (tasks the initial solver fails)"}
	for _, s := range d.Steps {
		pass.X, pass.Y = append(pass.X, float64(s.Step)), append(pass.Y, s.PassAt1)
		diff.X, diff.Y = append(diff.X, float64(s.Step)), append(diff.Y, s.Difficulty)
	}
	rated := map[string]league.LeaderboardEntry{}
	for _, p := range d.Leaderboard.Players {
		rated[p.Name] = p
	}
	ratings := []plots.Series{{Name: "solver snapshots (ability)"}, {Name: "proposer snapshots (difficulty)"}}
	for _, m := range d.Members {
		p, ok := rated[m.ID]
		if !ok {
			continue
		}
		s := &ratings[0]
		if m.Role == RoleProposer {
			s = &ratings[1]
		}
		s.X, s.Y = append(s.X, float64(m.Step)), append(s.Y, p.Rating)
		s.Lo, s.Hi = append(s.Lo, p.CILow), append(s.Hi, p.CIHigh)
	}
	figs := []struct {
		name string
		fig  plots.Lines
	}{
		{DualPlot, plots.Lines{Title: "Dual play (PasoDoble rewards): solver and proposer by step",
			XLabel: "step", YLabel: "rate", Series: []plots.Series{pass, diff}, YMin: 0, YMax: 1, LegendBottom: true,
			Height: 11 * vg.Centimeter}},
		{DualRatingsPlot, plots.Lines{Title: "Dual-play league: Bradley–Terry rating of each snapshot (95% interval)",
			XLabel: "step of the snapshot", YLabel: "rating", Series: ratings, LegendBottom: true,
			Height: 12 * vg.Centimeter}},
	}
	for _, f := range figs {
		if err := f.fig.Save(filepath.Join(o.dir, f.name)); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		o.written = append(o.written, filepath.Join(o.dir, f.name+".svg"), filepath.Join(o.dir, f.name+".png"))
	}
	return nil
}

// WriteTable writes the dual-play leaderboard: every member (the top ones
// when top > 0) by Bradley–Terry rating with its 95% interval, its role and
// step, its held-out pass@1 (solvers) and its record; then a summary line.
func (r *DualReport) WriteTable(w io.Writer, top int) error {
	lb := r.Leaderboard
	pass := map[int]float64{}
	for _, s := range r.Steps {
		pass[s.Step] = s.PassAt1
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "rank\tmember\trole\tstep\t%s\t95%% CI\tpass@1\tgames\twon\tlost\n", lb.Method)
	players := lb.Players
	if top > 0 && len(players) > top {
		players = players[:top]
	}
	for _, p := range players {
		m, _ := r.Member(p.Name)
		pa := "–"
		if v, ok := pass[m.Step]; ok && m.Role == RoleSolver {
			pa = fmt.Sprintf("%.3f", v)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s – %s\t%s\t%d\t%d\t%d\n", p.Rank, p.Name, m.Role, m.Step,
			league.FormatRating(lb.Method, p.Rating), league.FormatRating(lb.Method, p.CILow),
			league.FormatRating(lb.Method, p.CIHigh), pa, p.Games, p.Wins, p.Losses)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if n := len(lb.Players) - len(players); n > 0 {
		fmt.Fprintf(w, "… and %d more members (all in %s)\n", n, DualLeaderboardText)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", r.Summary())
	return err
}

// Summary says in one line what the dual-play run achieved.
func (r *DualReport) Summary() string {
	first, last := r.Steps[0], r.Steps[len(r.Steps)-1]
	early, late := r.SolverRatings()
	return fmt.Sprintf("%d snapshots, %d matches; the solver's held-out pass@1 went from %.3f to %.3f in %d steps; "+
		"mean rating of the later half of the solver snapshots %.1f, of the earlier half %.1f",
		len(r.Members), r.Matches, first.PassAt1, last.PassAt1, last.Step, late, early)
}

// SolverRatings returns the mean rating of the earlier and of the later
// half of the rated solver snapshots, by step (the middle one, if their
// number is odd, in neither).
func (r *DualReport) SolverRatings() (early, late float64) {
	rated := map[string]float64{}
	for _, p := range r.Leaderboard.Players {
		rated[p.Name] = p.Rating
	}
	var xs []float64
	for _, m := range r.Members { // in step order
		if v, ok := rated[m.ID]; ok && m.Role == RoleSolver {
			xs = append(xs, v)
		}
	}
	h := len(xs) / 2
	if h == 0 {
		return 0, 0
	}
	for i := range h {
		early += xs[i] / float64(h)
		late += xs[len(xs)-1-i] / float64(h)
	}
	return early, late
}
