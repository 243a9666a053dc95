package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

// runNLHF dispatches "selfplay nlhf run|list".
func runNLHF(ctx context.Context, e *env, args []string) error {
	fs := e.flags("nlhf", "run|list [flags] [arguments]",
		"Nash learning from human feedback on preference games: run an experiment file\n"+
			"(selfplay nlhf run EXP.yaml) or list the algorithms, their parameters and\n"+
			"defaults (selfplay nlhf list). Run 'selfplay nlhf run -h' for the file format.",
		"selfplay nlhf run examples/nlhf/cyclic.yaml --out runs/cyclic",
		"selfplay nlhf list")
	return dispatchRunList(ctx, e, fs, args, runNLHFRun, runNLHFList)
}

func runNLHFRun(ctx context.Context, e *env, args []string) error {
	fs := e.flags("nlhf run", "EXP.yaml [flags]",
		`Run every algorithm of an experiment file for every seed, in exact mode
(expected updates from P, batched on the --device backend) or sampled mode
(sampled responses and Bernoulli judgements through each paper's loss), and
write to --out:
  config.yaml     the resolved experiment (every default filled in)
  metrics.jsonl   one row per algorithm × seed × logged iteration: exact
                  metrics of the last iterate (gap, expl, kl_ref, kl_star,
                  win_ref, win_star, entropy, tv_lottery, mass_*) and of the running
                  average (avg_*), and nplayer_gap for multiplayer MNPO
  summary.csv/txt final values, mean [95% bootstrap CI] over seeds
  winrate.csv     mean win-rate matrix among the final policies, ref, π*_τ
                  and the maximal lottery
  gap, avg_gap, winrate (.svg and .png)  gap vs iteration (log scale, 95%
                  bootstrap band over seeds) and the win-rate heat map
The summary is also printed. Ctrl-C stops cleanly; what was written stays.

File format (YAML; unknown fields are errors, reported with line numbers):
  name: cyclic            seeds: 3          seed: 1        iterations: 2000
  mode: exact|sampled     tau: 0.01 (evaluation τ; default τ of algorithms)
  log_every: 0 (0: log_points log-spaced iterations)        log_points: 50
  ground_truth: true      thresholds: [1.0e-3, 1.0e-6]
  game: {kind: random_antisymmetric|bradley_terry|cyclic|disc|
         three_annotators|rankings|heterogeneous|mixture|matrices|comparisons,
         …kind fields…, flip, temperature, context_weights}
  ref: {kind: uniform|normal, sigma: 1}
  policy: {kind: tabular|loglinear, dim: 8, scale: 1, include_ref: true}
  algorithms: [{name: mmd, label: MMD, mode: exact, iterations: 500, eta: 0.5, …}, …]
See 'selfplay nlhf list' for algorithms and their parameters.`,
		"selfplay nlhf run examples/nlhf/egpo_protocol.yaml --out runs/egpo --seeds 10",
		"selfplay nlhf run exp.yaml --device cpu --overwrite")
	rf := addRunnerFlags(fs)
	device := fs.String("device", "auto", "backend: auto (GPU if usable, else CPU), cpu or gpu")
	path, err := rf.parse(fs, args)
	if err != nil {
		return err
	}
	exp, err := loadExperimentFile(path, agents.LoadExperiment)
	if err != nil {
		return err
	}
	be, err := cuda.Open(*device, func(s string) { e.log.Info().Msg(s) })
	if err != nil {
		if errors.Is(err, cuda.ErrArgument) {
			return badInput(err)
		}
		return err
	}
	defer be.Close()
	w, err := rf.create(exp.Name)
	if err != nil {
		return err
	}
	defer w.Close()
	resolved, err := exp.ResolvedConfig()
	if err != nil {
		return err
	}
	if err := w.WriteConfig(resolved); err != nil {
		return err
	}
	nseeds := rf.seedCount(exp.Seeds)
	e.log.Info().Str("backend", be.Name()).Str("out", w.Dir()).Int("seeds", nseeds).Msg("nlhf run")
	var res *agents.Results
	return runExperiment(e, experimentRun{
		command: "nlhf", name: exp.Name, seeds: nseeds, total: nseeds * exp.TotalSteps(), w: w,
		run: func(progress func(done, total int)) (int, error) {
			var err error
			res, err = agents.RunExperiment(ctx, exp, agents.RunOptions{
				Backend:  be,
				Seeds:    *rf.seeds,
				OnRow:    func(r agents.Row) error { return w.Append(nlhfRow(exp.Name, r)) },
				Progress: progress,
			})
			if res == nil {
				return 0, err
			}
			return res.Seeds, err
		},
		summary: func() error { return writeNLHFSummary(e.stdout, w, exp, res) },
	})
}

// nlhfRow flattens a record into a metrics.jsonl row: the last iterate's
// metrics under their names, the running average's with an avg_ prefix.
func nlhfRow(run string, r agents.Row) results.Row {
	m := map[string]float64{}
	add := func(prefix string, x agents.Metrics) {
		m[prefix+"gap"] = x.Gap
		m[prefix+"expl"] = x.Expl
		m[prefix+"kl_ref"] = x.KLRef
		m[prefix+"kl_star"] = x.KLStar
		m[prefix+"win_ref"] = x.WinRef
		m[prefix+"win_star"] = x.WinStar
		m[prefix+"entropy"] = x.Entropy
		m[prefix+"tv_lottery"] = x.TVLottery
		m[prefix+"mass_condorcet"] = x.MassCondorcet
		m[prefix+"mass_borda"] = x.MassBorda
		m[prefix+"mass_copeland"] = x.MassCopeland
	}
	add("", r.Last)
	add("avg_", r.Avg)
	if !math.IsNaN(r.NPlayerGap) {
		m["nplayer_gap"] = r.NPlayerGap
	}
	return results.Row{Run: run, Algorithm: r.Algorithm, Seed: r.Seed, Step: r.Iter, Metrics: m}
}

// thresholdName names the "iterations to reach gap ≤ th" column.
func thresholdName(th float64) string {
	return "iters_gap_le_" + strconv.FormatFloat(th, 'g', -1, 64)
}

// nlhfSummary builds the per-algorithm summary over seeds: final gap of the
// last iterate and the average, iterations to reach each threshold (+Inf
// when never reached within the logged iterations), KL to the reference and
// win rate against it.
func nlhfSummary(exp *agents.Experiment, res *agents.Results) *results.Summary {
	reached := map[string]map[uint64][]float64{}
	for _, r := range res.Rows {
		if reached[r.Algorithm] == nil {
			reached[r.Algorithm] = map[uint64][]float64{}
		}
		its := reached[r.Algorithm][r.Seed]
		if its == nil {
			its = make([]float64, len(exp.Thresholds))
			for i := range its {
				its[i] = math.Inf(1)
			}
			reached[r.Algorithm][r.Seed] = its
		}
		for i, th := range exp.Thresholds {
			if r.Last.Gap <= th && math.IsInf(its[i], 1) {
				its[i] = float64(r.Iter)
			}
		}
	}
	metrics := []string{"gap", "avg_gap"}
	for _, th := range exp.Thresholds {
		metrics = append(metrics, thresholdName(th))
	}
	metrics = append(metrics, "kl_ref", "win_ref", "expl")
	var rows []results.Row
	for _, label := range exp.Labels() {
		for i, rec := range res.Final[label] {
			seed := exp.Seed + uint64(i)
			m := map[string]float64{"gap": rec.Last.Gap, "avg_gap": rec.Avg.Gap, "kl_ref": rec.Last.KLRef,
				"win_ref": rec.Last.WinRef, "expl": rec.Last.Expl}
			for j, th := range exp.Thresholds {
				m[thresholdName(th)] = reached[label][seed][j]
			}
			rows = append(rows, results.Row{Run: exp.Name, Algorithm: label, Seed: seed, Step: rec.Iter, Metrics: m})
		}
	}
	s := results.Summarize(rows, metrics, stats.Bootstrap{Seed: exp.Seed})
	s.Title = fmt.Sprintf("%s: %d seeds, %d iterations (unless an algorithm sets its own), τ = %g (gap: regularized duality gap of the last iterate; avg_gap: of the running average; %s: first logged iteration at or below, inf if never)",
		exp.Name, res.Seeds, exp.Iterations, exp.Tau, "iters_gap_le_*")
	return s
}

func writeNLHFSummary(stdout io.Writer, w *results.Writer, exp *agents.Experiment, res *agents.Results) error {
	s := nlhfSummary(exp, res)
	if err := w.WriteSummary(s); err != nil {
		return err
	}
	if err := s.WriteText(stdout); err != nil {
		return err
	}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	_ = cw.Write(append([]string{"row_beats_column"}, res.WinLabels...))
	for i, l := range res.WinLabels {
		rec := []string{l}
		for _, v := range res.WinMatrix[i] {
			rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := w.WriteFile("winrate.csv", []byte(b.String())); err != nil {
		return err
	}
	if err := nlhfPlots(w, exp, res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwin rate of the row's final policy against the column's (mean over %d seeds):\n", res.Seeds)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\n", strings.Join(res.WinLabels, "\t"))
	for i, l := range res.WinLabels {
		cells := make([]string, len(res.WinMatrix[i]))
		for j, v := range res.WinMatrix[i] {
			cells[j] = strconv.FormatFloat(v, 'f', 3, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\n", l, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// nlhfPlots draws gap.{svg,png} and avg_gap.{svg,png} (geometric mean over
// seeds with a 95% bootstrap band, log y axis) and winrate.{svg,png}.
func nlhfPlots(w *results.Writer, exp *agents.Experiment, res *agents.Results) error {
	// Gaps below 1e-16 are rounding noise (they can even be slightly
	// negative); they are drawn at that floor.
	const floor = 1e-16
	rows := make([]results.Row, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = nlhfRow(exp.Name, r)
		for _, m := range []string{"gap", "avg_gap"} {
			rows[i].Metrics[m] = max(rows[i].Metrics[m], floor)
		}
	}
	for _, m := range []struct{ metric, what string }{
		{"gap", "last iterate"}, {"avg_gap", "running average"},
	} {
		l := plots.Lines{
			Title:  fmt.Sprintf("%s: duality gap of the %s (τ = %g)", exp.Name, m.what, exp.Tau),
			XLabel: "iteration", YLabel: "gap", LogY: true, Floor: floor,
			Series: plots.Curves(rows, m.metric, plots.CurveOptions{Geometric: true, Bootstrap: stats.Bootstrap{Seed: exp.Seed}}),
		}
		if err := l.Save(w.Path(m.metric)); err != nil {
			return err
		}
	}
	h := plots.Heatmap{
		Title:     fmt.Sprintf("%s: P(row beats column), final policies", exp.Name),
		RowLabels: res.WinLabels, ColLabels: res.WinLabels, Values: res.WinMatrix, Min: 0, Max: 1,
	}
	return h.Save(w.Path("winrate"))
}

func runNLHFList(e *env, args []string) error {
	fs := e.flags("nlhf list", "[flags]",
		"List the NLHF algorithms with their parameters and defaults, and the game kinds.\n"+
			"Parameters marked [unverified] follow values algorithms.md could not pin to a\n"+
			"primary source: they are options with a stated default, not facts.\n"+
			"Parameters marked [sampled] only affect the sampled mode.",
		"selfplay nlhf list", "selfplay nlhf list --algorithm mnpo")
	only := fs.String("algorithm", "", "show only this algorithm")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	algs := agents.Algorithms()
	if *only != "" {
		a, err := agents.LookupAlgorithm(*only)
		if err != nil {
			return usagef("%v", err)
		}
		algs = []*agents.Algorithm{a}
	}
	for i, a := range algs {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s — %s\n  source: %s\n  modes: exact, sampled\n", a.Name, a.Summary, a.Source)
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, p := range a.Params {
			var tags []string
			if p.Unverified {
				tags = append(tags, "[unverified]")
			}
			if p.Sampled {
				tags = append(tags, "[sampled]")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Name, formatDefault(p.Default), strings.TrimSpace(p.Doc+" "+strings.Join(tags, " ")))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if *only == "" {
		fmt.Fprintf(e.stdout, "\ngame kinds: %s\n", strings.Join(agents.GameKinds(), ", "))
	}
	return nil
}

func formatDefault(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []float64:
		parts := make([]string, len(x))
		for i, f := range x {
			parts[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
