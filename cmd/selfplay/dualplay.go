package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/internal/plots"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/internal/stats"
)

// runDualPlay dispatches "selfplay dualplay run|list".
func runDualPlay(ctx context.Context, e *env, args []string) error {
	fs := e.flags("dualplay", "run|list [flags] [arguments]",
		"Proposer/solver self-play on a simulated task space (PasoDoble, Absolute Zero,\n"+
			"R-Zero, SSP, teacher curricula): run an experiment file comparing methods\n"+
			"over seeds (selfplay dualplay run EXP.yaml) or list the reward schemes,\n"+
			"teachers, schedules and verifiers with their parameters and defaults\n"+
			"(selfplay dualplay list). Run 'selfplay dualplay run -h' for the file format.",
		"selfplay dualplay run examples/dualplay/naive_vs_gated.yaml --out runs/gated",
		"selfplay dualplay list")
	return dispatchRunList(ctx, e, fs, args, runDualPlayRun, runDualPlayList)
}

const dualPlayRunDescription = `Run every method (run) of an experiment file for every seed and write to --out:
  config.yaml     the resolved experiment: base folded into each run, every
                  default and scheme parameter filled in (it loads back)
  metrics.jsonl   one row per run × seed × logged step (algorithm = the run's
                  label): held-out pass_at_1 and pass_at_k, ability_mean and
                  ability_<c>, and the step's batch: ref_solve_rate(_valid),
                  solve_rate, verified_rate, band_share, valid_rate, invalid,
                  leaks, non_unique, invalid_rewarded, leaks_rewarded,
                  non_unique_passed, flagged, malformed, label_accuracy,
                  majority_accuracy, category_entropy, distinct_signatures,
                  repetition_mass, effective_groups, trained_share,
                  proposer_reward, solver_reward, proposer_entropy,
                  format_entropy, phase
                  (0 joint, 1 proposer, 2 solver), buffer_len, population_len
  summary.csv/txt per run, mean [95% bootstrap CI] over seeds of the summary
                  metrics: held-out ones after the last step, batch ones
                  averaged over the last summary_tail of the steps
  pass_at_1, valid_rate (.svg and .png)  mean over seeds vs step, 95% band
The summary is also printed. Ctrl-C stops cleanly; what was written stays.
Compare methods afterwards with, e.g.,
  selfplay compare --metric pass_at_1 --higher-better DIR

File format (YAML; unknown fields are errors, reported with line numbers):
  name: gated            seeds: 5        seed: 1       steps: 200
  log_every: 0           (0: about 100 rows per run)
  summary: [pass_at_1, pass_at_k, valid_rate, label_accuracy, band_share,
            category_entropy, repetition_mass, effective_groups]   (default)
  summary_tail: 0.1      (share of final steps the batch metrics average)
  base: {…DualPlayConfig fields…}          shared by every run
  runs:                                    (or methods:)
    - label: naive                         required, unique
      steps: 400                           optional, overrides steps
      …DualPlayConfig fields overriding base…
DualPlayConfig fields (see 'go doc agents.DualPlayConfig' for every default):
  task: {categories, cells, difficulty_min/max, valid_max, valid_slope, …}
  batch: 256  attempts: 8  seed  verifier: label|exact|majority
  validity_check: none|exact|retrieval   leak_check: false  leak_detect: 1
  proposer_reward: naive|absolute_zero|r_zero|pasodoble|ssp
  proposer_reward_params: {…}  solver_reward: correctness|absolute_zero|
  pasodoble|r_zero  solver_reward_params: {…}  advantage: grpo|dr_grpo|trr++
  teacher: ""|uniform|sec|alp_gmm  teacher_params: {…}  shared_model: false
  diversity_window: 100
  proposer: {policy: loglinear|tabular, lr, entropy, init_center, init_width,
             validity_coupling, optimizer: sgd|adam, format_tokens,
             format_vocab, format_init, top_p}
  solver: {lr, init_ability, init_abilities, forgetting, floor}
  schedule: {kind: joint|alternating|frozen, proposer_steps, solver_steps,
             reuse_limit, buffer_size, solver_tasks: replay|fresh}
  population: {snapshot_every, max, past_proposer_share}
  eval: {per_cell, seed, k, band_low, band_high}
A run merges its fields into base; naming a proposer_reward, solver_reward or
teacher drops base's parameters for it. Seed s of a run uses DualPlayConfig
seed run.seed + s (run.seed defaults to the experiment's seed), so all runs
share seeds. See 'selfplay dualplay list' for schemes and parameters.`

func runDualPlayRun(ctx context.Context, e *env, args []string) error {
	fs := e.flags("dualplay run", "EXP.yaml [flags]", dualPlayRunDescription,
		"selfplay dualplay run examples/dualplay/naive_vs_gated.yaml --out runs/gated --seeds 10",
		"selfplay dualplay run exp.yaml --overwrite")
	rf := addRunnerFlags(fs)
	parallel := fs.Int("parallel", 0, "runs of one seed simulated at once (0: GOMAXPROCS); results do not depend on it")
	path, err := rf.parse(fs, args)
	if err != nil {
		return err
	}
	if *parallel < 0 {
		return usagef("--parallel %d: want ≥ 0", *parallel)
	}
	exp, err := loadExperimentFile(path, agents.LoadDualPlayExperiment)
	if err != nil {
		return err
	}
	w, err := rf.create(exp.Name)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.WriteConfig(exp.ResolvedConfig()); err != nil {
		return err
	}
	nseeds := rf.seedCount(exp.Seeds)
	e.log.Info().Str("out", w.Dir()).Int("seeds", nseeds).Int("runs", len(exp.Runs)).Msg("dualplay run")
	var res *agents.DualPlayResults
	return runExperiment(e, experimentRun{
		command: "dualplay", name: exp.Name, seeds: nseeds, total: nseeds * exp.TotalSteps(), w: w,
		run: func(progress func(done, total int)) (int, error) {
			var err error
			res, err = agents.RunDualPlayExperiment(ctx, exp, agents.DualPlayRunOptions{
				Seeds:    *rf.seeds,
				Parallel: *parallel,
				OnRow:    func(r agents.DualPlayRow) error { return w.Append(dualPlayRow(exp.Name, r)) },
				Progress: progress,
			})
			if res == nil {
				return 0, err
			}
			return res.Seeds, err
		},
		summary: func() error { return writeDualPlaySummary(e.stdout, w, exp, res) },
	})
}

// dualPlayRow turns a logged row into a metrics.jsonl row.
func dualPlayRow(run string, r agents.DualPlayRow) results.Row {
	return results.Row{Run: run, Algorithm: r.Label, Seed: r.Seed, Step: r.Step, Metrics: r.Metrics}
}

// dualPlaySummary summarizes the final rows of every finished seed.
func dualPlaySummary(exp *agents.DualPlayExperiment, res *agents.DualPlayResults) *results.Summary {
	var rows []results.Row
	for _, label := range exp.Labels() {
		for _, r := range res.Final[label] {
			rows = append(rows, dualPlayRow(exp.Name, r))
		}
	}
	s := results.Summarize(rows, exp.Summary, stats.Bootstrap{Seed: exp.Seed})
	s.Title = fmt.Sprintf("%s: %d seeds, %d steps (unless a run sets its own); pass_at_1, pass_at_k, ability_*: held-out, after the last step; batch metrics: mean over the last %g%% of the steps",
		exp.Name, res.Seeds, exp.Steps, 100*exp.SummaryTail)
	return s
}

func writeDualPlaySummary(stdout io.Writer, w *results.Writer, exp *agents.DualPlayExperiment, res *agents.DualPlayResults) error {
	s := dualPlaySummary(exp, res)
	if err := w.WriteSummary(s); err != nil {
		return err
	}
	if err := s.WriteText(stdout); err != nil {
		return err
	}
	rows := make([]results.Row, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = dualPlayRow(exp.Name, r)
	}
	for _, p := range []struct{ metric, ylabel, what string }{
		{"pass_at_1", "held-out pass@1", "held-out pass@1"},
		{"valid_rate", "valid share of the batch", "valid rate of the proposed tasks"},
	} {
		l := plots.Lines{
			Title:  fmt.Sprintf("%s: %s (mean over seeds, 95%% bootstrap band)", exp.Name, p.what),
			XLabel: "step", YLabel: p.ylabel, YMin: 0, YMax: 1, LegendBottom: p.metric == "valid_rate",
			Series: plots.Curves(rows, p.metric, plots.CurveOptions{Bootstrap: stats.Bootstrap{Seed: exp.Seed}}),
		}
		if err := l.Save(w.Path(p.metric)); err != nil {
			return err
		}
	}
	return nil
}

func runDualPlayList(e *env, args []string) error {
	fs := e.flags("dualplay list", "[flags]",
		"List what a dual-play run can be configured with: proposer and solver reward\n"+
			"schemes, teachers (each with parameters and defaults, set in\n"+
			"proposer_reward_params, solver_reward_params, teacher_params), schedules,\n"+
			"verifiers, validity checks and advantage estimators (with their fields and\n"+
			"defaults). Parameters marked [unverified] follow values algorithms.md could not\n"+
			"pin to a primary source: options with a stated default, not facts.",
		"selfplay dualplay list")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	out := e.stdout
	for _, sec := range []struct {
		title, field string
		schemes      []agents.Scheme
	}{
		{"proposer rewards", "proposer_reward", agents.ProposerRewardSchemes()},
		{"solver rewards", "solver_reward", agents.SolverRewardSchemes()},
		{"teachers (replace the proposer)", "teacher", agents.TeacherSchemes()},
	} {
		fmt.Fprintf(out, "%s (%s:)\n", sec.title, sec.field)
		for _, s := range sec.schemes {
			fmt.Fprintf(out, "  %s — %s\n    source: %s\n", s.Name, s.Summary, s.Source)
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			for _, p := range s.Params {
				doc := p.Doc
				if p.Unverified {
					doc += " [unverified]"
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\n", p.Name, formatDefault(p.Default), doc)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		fmt.Fprintln(out)
	}
	d := agents.DefaultDualPlayConfig()
	sc := d.Schedule
	for _, sec := range []struct {
		title string
		items [][2]string
	}{
		{"schedules (schedule.kind:, default " + sc.Kind + ")", [][2]string{
			{agents.ScheduleJoint, "proposer and solver updated every step on the same batch (PasoDoble online, AZR, SSP)"},
			{agents.ScheduleAlternating, fmt.Sprintf("proposer_steps (%d) proposer steps with the solver frozen, tasks to a replay buffer (buffer_size %d: 4 × batch; reuse_limit %d), then solver_steps (%d) solver steps from the buffer (PasoDoble offline, R-Zero), or with solver_tasks fresh on tasks the frozen, updated proposer proposes anew",
				sc.ProposerSteps, sc.BufferSize, sc.ReuseLimit, sc.SolverSteps)},
			{agents.ScheduleFrozen, "the proposer is never updated (SSP's frozen-proposer control)"},
		}},
		{"verifiers (verifier:, default " + d.Verifier + ")", [][2]string{
			{agents.VerifierLabel, "attempts compared with the proposer's answer: invalid tasks look unsolvable"},
			{agents.VerifierExact, "ground truth (an oracle control)"},
			{agents.VerifierMajority, "majority answer of the group (R-Zero's pseudo-label)"},
		}},
		{"validity checks (validity_check:, default " + d.ValidityCheck + ")", [][2]string{
			{agents.CheckNone, "flags nothing"},
			{agents.CheckExact, "flags exactly the invalid tasks (AZR's executor)"},
			{agents.CheckRetrieval, "SSP's retrieval check with distractors: non-unique tasks pass, some valid ones fail"},
		}},
		{"advantages (advantage:, default " + d.Advantage + ")", [][2]string{
			{agents.AdvantageGRPO, "group-normalized (mean and standard deviation)"},
			{agents.AdvantageDrGRPO, "Dr.GRPO: mean-centred, no division by the standard deviation"},
			{agents.AdvantageTRR, "Absolute Zero's TRR++: baselines per category × role"},
		}},
	} {
		fmt.Fprintln(out, sec.title)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, it := range sec.items {
			fmt.Fprintf(tw, "  %s\t%s\n", it[0], it[1])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "leak check: leak_check: %v, leak_detect: %v (PasoDoble's leak detector)\n", d.LeakCheck, d.LeakDetect)
	fmt.Fprintf(out, "metrics: %s\n", strings.Join(agents.DualMetricNames(d.Task.Categories)[1:], ", "))
	return nil
}
