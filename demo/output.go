package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
	"gonum.org/v1/plot/vg"
)

// File names inside the demo directory (plots are written as NAME.svg and
// NAME.png).
const (
	MarkerFile         = "selfplay-demo.json"
	LeaderboardText    = "leaderboard.txt"
	LeaderboardJSON    = "leaderboard.json"
	PageFile           = "leaderboard.html"
	LeaderboardSVG     = "leaderboard.svg"
	ExploitabilityPlot = "exploitability"
	WinRatePlot        = "winrate"
	MetricsFile        = results.MetricsFile
	// LeagueDir is reserved for the caller's replicated league: "selfplay
	// demo" keeps its single-node Raft log, snapshots and blobs there. Run
	// neither writes nor removes it.
	LeagueDir = "raft"
)

// ownedFiles are the files a demo writes, which a rerun replaces.
func ownedFiles() []string {
	own := []string{LeaderboardText, LeaderboardJSON, PageFile, LeaderboardSVG,
		ExploitabilityPlot + ".svg", ExploitabilityPlot + ".png",
		WinRatePlot + ".svg", WinRatePlot + ".png", MetricsFile}
	return append(own, dualOwnedFiles()...)
}

// marker is the content of MarkerFile.
type marker struct {
	Tool   string `json:"tool"`
	Config Config `json:"config"`
}

// outDir is the demo directory being written.
type outDir struct {
	dir     string
	written []string
}

// PrepareDir checks that cfg.Dir is missing, empty or an earlier demo's,
// creates it, removes an earlier demo's outputs and writes the marker, so
// that a caller may keep its own state in LeagueDir before calling Run (Run
// prepares the directory again, which is then a demo's). It returns an
// error wrapping ErrNotDemoDir for any other directory, having touched
// nothing in it.
func PrepareDir(cfg Config) error {
	if err := cfg.check(); err != nil {
		return err
	}
	_, err := openDir(cfg)
	return err
}

// openDir prepares cfg.Dir: creates it, or checks that it is empty or an
// earlier demo's (whose outputs it removes), then writes the marker, so
// that a run stopped half way leaves a directory the next run may reuse.
func openDir(cfg Config) (*outDir, error) {
	dir := cfg.Dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if len(entries) > 0 && !slices.ContainsFunc(entries, func(e fs.DirEntry) bool {
		return e.Name() == MarkerFile && e.Type().IsRegular()
	}) {
		var names []string
		for _, e := range entries[:min(3, len(entries))] {
			names = append(names, e.Name())
		}
		if len(entries) > 3 {
			names = append(names, "…")
		}
		return nil, fmt.Errorf("demo: %s: %w (it holds %s); choose another directory or empty this one",
			dir, ErrNotDemoDir, strings.Join(names, ", "))
	}
	for _, name := range ownedFiles() {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("demo: clearing the earlier demo: %w", err)
		}
	}
	o := &outDir{dir: dir}
	data, err := json.MarshalIndent(marker{Tool: "selfplay demo", Config: cfg}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return o, o.writeFile(MarkerFile, append(data, '\n'))
}

// writeFile writes data to file name of the directory atomically (through
// a temporary file and a rename).
func (o *outDir) writeFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(o.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	path := filepath.Join(o.dir, name)
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("demo: writing %s: %w", name, err)
	}
	o.written = append(o.written, path)
	return nil
}

// writeAll writes every output of a finished run.
func (o *outDir) writeAll(rep *Report, lcfg leaguesim.Config) error {
	res, lb := rep.Result, rep.Leaderboard
	title := fmt.Sprintf("selfplay demo: league leaderboard (seed %d, %d rounds)", rep.Config.Seed, rep.Config.Rounds)
	table := func(w io.Writer) error { return rep.WriteTable(w, 0) }
	if err := o.writeBoard(LeaderboardJSON, LeaderboardText, PageFile, title, lb, res.Battles, table); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := league.WriteLeaderboardSVG(&buf, title, lb); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := o.writeFile(LeaderboardSVG, buf.Bytes()); err != nil {
		return err
	}
	win, err := winRates(res, lcfg)
	if err != nil {
		return err
	}
	if err := o.writePlots(res, win); err != nil {
		return err
	}
	if err := o.writeMetrics(res, win, rep.Config.Seed); err != nil {
		return err
	}
	return o.writeDual(rep)
}

// writeBoard writes a leaderboard as JSON, as the printed table (from
// table) and as the HTML page with its head-to-head heat map.
func (o *outDir) writeBoard(jsonName, textName, pageName, title string, lb *league.Leaderboard, bs *league.Battles, table func(io.Writer) error) error {
	data, err := json.MarshalIndent(lb, "", "  ")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := o.writeFile(jsonName, append(data, '\n')); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := table(&buf); err != nil {
		return err
	}
	if err := o.writeFile(textName, buf.Bytes()); err != nil {
		return err
	}
	buf.Reset()
	if err := league.WriteLeaderboardHTML(&buf, title, lb, league.HeadToHeadOf(bs, lb)); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return o.writeFile(pageName, buf.Bytes())
}

// winRates returns, per round (in History order), the exact win rate
// against the uniform reference policy (the frozen "ref") of each learner's
// policy after that round and, last, of the league's meta-Nash mixture
// (NaN before there is one): the NLHF papers' win rate over the reference.
func winRates(res *leaguesim.Result, lcfg leaguesim.Config) ([][]float64, error) {
	g := lcfg.Game
	ref := leaguesim.Uniform(g.NumResponses(), g.NumContexts())
	out := make([][]float64, len(res.History))
	for r, st := range res.History {
		for _, ls := range st.Learners {
			p, ok := res.Policies[ls.Params]
			if !ok {
				return nil, fmt.Errorf("demo: round %d: no policy %s for %s", st.Round, ls.Params, ls.ID)
			}
			out[r] = append(out[r], leaguesim.WinRate(g, p, ref))
		}
		meta := math.NaN()
		if len(st.MetaIDs) > 0 {
			ps := make([]*leaguesim.Policy, len(st.MetaIDs))
			for i, id := range st.MetaIDs {
				var err error
				if ps[i], err = res.Policy(id); err != nil {
					return nil, fmt.Errorf("demo: round %d: %w", st.Round, err)
				}
			}
			mix, err := leaguesim.Mixture(ps, st.Meta)
			if err != nil {
				return nil, fmt.Errorf("demo: round %d: meta-Nash mixture: %w", st.Round, err)
			}
			meta = leaguesim.WinRate(g, mix, ref)
		}
		out[r] = append(out[r], meta)
	}
	return out, nil
}

// writePlots draws exploitability and win rate against the round.
func (o *outDir) writePlots(res *leaguesim.Result, win [][]float64) error {
	h := res.History
	if len(h) == 0 {
		return nil
	}
	x := make([]float64, len(h))
	for r, st := range h {
		x[r] = float64(st.Round)
	}
	var expl, wins []plots.Series
	for i, l := range h[0].Learners {
		e, w := plots.Series{Name: l.ID, X: x}, plots.Series{Name: l.ID, X: x}
		for r, st := range h {
			e.Y = append(e.Y, st.Learners[i].Expl)
			w.Y = append(w.Y, win[r][i])
		}
		expl, wins = append(expl, e), append(wins, w)
	}
	meta := plots.Series{Name: MetaNash + " mixture of the snapshots", X: x}
	metaWin := plots.Series{Name: meta.Name, X: x}
	for r, st := range h {
		meta.Y = append(meta.Y, st.MetaExpl)
		metaWin.Y = append(metaWin.Y, win[r][len(win[r])-1])
	}
	expl, wins = append(expl, meta), append(wins, metaWin)
	figs := []struct {
		name string
		fig  plots.Lines
	}{
		// The fixed ranges leave room for the legend below the curves.
		{ExploitabilityPlot, plots.Lines{Title: "Exact exploitability (best response's win rate − ½) by round",
			XLabel: "round", YLabel: "exploitability", Series: expl, LogY: true, YMin: 1e-5, YMax: 0.5,
			LegendBottom: true, Height: 12 * vg.Centimeter}},
		{WinRatePlot, plots.Lines{Title: "Exact win rate against the uniform reference policy by round",
			XLabel: "round", YLabel: "win rate", Series: wins, YMin: 0.2, YMax: 0.7, LegendBottom: true,
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

// writeMetrics writes metrics.jsonl: per round, one row per learner
// (expl, learner_step, snapshot and reset as 0/1, and win_ref when win is
// not nil) and one "league" row (members, snapshots, matches, meta_expl,
// and meta_win_ref when win is not nil).
func (o *outDir) writeMetrics(res *leaguesim.Result, win [][]float64, seed uint64) error {
	var b []byte
	flag := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	for r, st := range res.History {
		for i, l := range st.Learners {
			m := map[string]float64{"expl": l.Expl, "learner_step": float64(l.Step),
				"snapshot": flag(l.Snapshot != ""), "reset": flag(l.Reset)}
			if win != nil {
				m["win_ref"] = win[r][i]
			}
			b = results.Row{Run: "demo", Algorithm: l.ID, Seed: seed, Step: st.Round, Metrics: m}.AppendJSON(b)
			b = append(b, '\n')
		}
		m := map[string]float64{"members": float64(st.Members), "snapshots": float64(st.Snapshots),
			"matches": float64(st.Matches), "meta_expl": st.MetaExpl}
		if win != nil {
			m["meta_win_ref"] = win[r][len(win[r])-1]
		}
		b = results.Row{Run: "demo", Algorithm: "league", Seed: seed, Step: st.Round, Metrics: m}.AppendJSON(b)
		b = append(b, '\n')
	}
	return o.writeFile(MetricsFile, b)
}

// WriteTable writes the leaderboard as a table: every member (the top
// ones when top > 0) by Bradley–Terry rating with its 95% interval, what
// it is, its ratings by the other methods and its record; then the notes
// of the ratings.
func (r *Report) WriteTable(w io.Writer, top int) error {
	lb := r.Leaderboard
	others := otherRatings
	other := make([]map[string]float64, len(others))
	for i, m := range others {
		other[i] = map[string]float64{}
		if o := r.Result.Leaderboard(m); o != nil {
			for _, p := range o.Players {
				other[i][p.Name] = p.Rating
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "rank\tmember\tkind\t%s\t95%% CI\t", lb.Method)
	for _, m := range others {
		fmt.Fprintf(tw, "%s\t", m)
	}
	fmt.Fprintf(tw, "games\twon\tlost\ttied\n")
	players := lb.Players
	if top > 0 && len(players) > top {
		players = players[:top]
	}
	for _, p := range players {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s – %s\t", p.Rank, p.Name, r.kind(p.Name),
			league.FormatRating(lb.Method, p.Rating), league.FormatRating(lb.Method, p.CILow), league.FormatRating(lb.Method, p.CIHigh))
		for i, m := range others {
			if v, ok := other[i][p.Name]; ok {
				fmt.Fprintf(tw, "%s\t", league.FormatRating(m, v))
			} else {
				fmt.Fprintf(tw, "–\t")
			}
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\n", p.Games, p.Wins, p.Losses, p.Ties)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if n := len(lb.Players) - len(players); n > 0 {
		fmt.Fprintf(w, "… and %d more members (all in %s)\n", n, LeaderboardText)
	}
	if len(lb.Excluded) > 0 {
		fmt.Fprintf(w, "\nnot rated (%d): %s\n", len(lb.Excluded), strings.Join(lb.Excluded, ", "))
	}
	if top <= 0 && len(lb.Notes) > 0 {
		fmt.Fprintf(w, "\nnotes:\n")
		for _, n := range lb.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	_, err := fmt.Fprintf(w, "\n%s\n", r.Summary())
	return err
}

// kind describes member id: "learner (main)", "snapshot of nlhf", …
func (r *Report) kind(id string) string {
	m, ok := r.Result.League.Member(id)
	switch {
	case !ok:
		return "?"
	case m.Kind == league.KindLearner && m.Role == league.RoleNone:
		return "learner"
	case m.Kind == league.KindLearner:
		return fmt.Sprintf("learner (%s)", m.Role)
	case m.Parent != "":
		return "snapshot of " + m.Parent
	}
	return "frozen"
}

// Summary says in one line what the league achieved: the exploitability
// of the meta-Nash mixture of its snapshots after the first and the last
// round, against the least exploitable single response of the game.
func (r *Report) Summary() string {
	h := r.Result.History
	first, last := h[0], h[len(h)-1]
	return fmt.Sprintf("%d members, %d matches; exploitability of the league's meta-Nash mixture %.4f after round 1, %.4f after round %d (the least exploitable single response: %.4f)",
		last.Members, r.Result.Matches, first.MetaExpl, last.MetaExpl, last.Round, r.PureExpl)
}

// pureExpl returns the least exploitability of a single response of g:
// what a population that does not cover the cycle is stuck above.
func pureExpl(g *game.Preference) float64 {
	k, b := g.NumResponses(), g.NumContexts()
	best := math.Inf(1)
	for y := range k {
		logits := make([]float64, k*b)
		for i := range logits {
			if i/b != y {
				logits[i] = math.Inf(-1)
			}
		}
		p, err := leaguesim.NewPolicy(k, b, logits)
		if err != nil {
			panic(err) // one finite entry per context by construction
		}
		best = min(best, leaguesim.Exploitability(g, p))
	}
	return best
}
