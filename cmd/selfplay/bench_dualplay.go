package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/game"
)

// dualBenchMethods are the configurations "bench dualplay" times, by name.
func dualBenchMethods() []struct {
	name string
	edit func(*agents.DualPlayConfig)
} {
	return []struct {
		name string
		edit func(*agents.DualPlayConfig)
	}{
		{"naive", func(*agents.DualPlayConfig) {}},
		{"pasodoble", func(c *agents.DualPlayConfig) {
			c.ProposerReward, c.SolverReward, c.LeakCheck = agents.RewardPasoDoble, agents.SolverPasoDoble, true
		}},
		{"absolute_zero", func(c *agents.DualPlayConfig) {
			c.ProposerReward, c.ValidityCheck, c.Advantage = agents.RewardAbsoluteZero, agents.CheckExact, agents.AdvantageTRR
		}},
		{"r_zero", func(c *agents.DualPlayConfig) {
			c.ProposerReward, c.SolverReward, c.Verifier = agents.RewardRZero, agents.SolverRZero, agents.VerifierMajority
		}},
		{"ssp", func(c *agents.DualPlayConfig) {
			c.ProposerReward, c.ValidityCheck = agents.RewardSSP, agents.CheckRetrieval
			c.SharedModel, c.ProposerAdvantage = true, agents.AdvantageNone
		}},
		{"alternating", func(c *agents.DualPlayConfig) {
			c.ProposerReward, c.SolverReward = agents.RewardPasoDoble, agents.SolverPasoDoble
			c.Schedule.Kind = agents.ScheduleAlternating
		}},
		{"sec", func(c *agents.DualPlayConfig) { c.Teacher = agents.TeacherSEC }},
	}
}

// runBenchDualPlay times simulated proposer+solver steps on a batch of
// tasks × attempts next to the bare cost of sampling that batch's attempts.
func runBenchDualPlay(ctx context.Context, e *env, args []string) error {
	methods := dualBenchMethods()
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
	}
	fs := e.flags("bench dualplay", "[flags]",
		"Time --steps dual-play steps (agents.DualPlaySim) of each method on batches of\n"+
			"--batch tasks × --attempts attempts on the default task space. One step is a\n"+
			"proposer+solver step of the whole batch (agents.DualPlaySim.Advance):\n"+
			"propose, attempt, check, verify, reward, advantages and both updates.\n"+
			"Measuring the step's metrics (batch measures and the held-out evaluation,\n"+
			"192 tasks, exact) is not part of it: a runner measures only the steps it\n"+
			"records. Printed per method: batch steps per second, tasks per second\n"+
			"(batch × steps/s) and attempts per second, the step in units of the\n"+
			"baseline, and batch steps per second when every step is also measured\n"+
			"(DualPlaySim.Step, timed over as many further steps). The baseline is the bare cost of\n"+
			"sampling the batch's attempts (game.TaskSpace.Attempts on --batch fixed tasks,\n"+
			"--attempts each), timed in the same run (median of rounds interleaved with the\n"+
			"method's steps). With --parallel P > 1 a last line runs P independent\n"+
			"simulations at once (one per seed, as 'dualplay run' does) and reports their\n"+
			"aggregate throughput.\n"+
			"Methods: "+strings.Join(names, ", ")+".",
		"selfplay bench dualplay", "selfplay bench dualplay --methods naive,r_zero --steps 5000")
	batch := fs.Int("batch", 256, "tasks per step")
	attempts := fs.Int("attempts", 8, "attempts per task")
	steps := fs.Int("steps", 2000, "timed steps per method (after 50 warm-up steps)")
	list := fs.String("methods", "all", "comma-separated methods, or all")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "independent simulations for the aggregate line (1: no such line)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *batch < 1 || *attempts < 1 || *steps < 1 || *parallel < 1 {
		return usagef("--batch, --attempts, --steps and --parallel must be ≥ 1")
	}
	if *list != "all" {
		var keep []int
		for _, n := range strings.Split(*list, ",") {
			i := slices.Index(names, strings.TrimSpace(n))
			if i < 0 {
				return usagef("unknown method %q (known: %s)", n, strings.Join(names, ", "))
			}
			keep = append(keep, i)
		}
		var sel = methods[:0:0]
		for _, i := range keep {
			sel = append(sel, methods[i])
		}
		methods = sel
	}
	newSim := func(edit func(*agents.DualPlayConfig), seed uint64) (*agents.DualPlaySim, error) {
		c := agents.DefaultDualPlayConfig()
		c.Batch, c.Attempts, c.Seed = *batch, *attempts, seed
		edit(&c)
		s, err := agents.NewDualPlaySim(c)
		if err != nil {
			return nil, badInput(err)
		}
		return s, nil
	}
	// Baseline: the batch's attempts alone, on fixed tasks spread over the
	// cells, by a solver at the initial ability.
	space, err := game.NewTaskSpace(game.DefaultTaskConfig())
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	tasks := make([]game.Task, *batch)
	for i := range tasks {
		space.ProposeCell(rng, i%space.NumCategories(), (i/space.NumCategories())%space.NumCells(), &tasks[i])
	}
	theta := make([]float64, space.NumCategories())
	atts := make([]game.Attempt, *attempts)
	sink := 0
	sample := func() time.Duration {
		t0 := time.Now()
		for i := range tasks {
			c, _ := space.Attempts(rng, &tasks[i], theta, atts)
			sink += c
		}
		return time.Since(t0)
	}
	median := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		slices.Sort(d)
		return d[len(d)/2]
	}
	const warmup = 50
	n := float64(*batch)
	fmt.Fprintf(e.stdout, "dual-play steps: batch %d tasks × %d attempts, default task space, %d steps per method, one simulation at a time; baseline measured in the same run\n",
		*batch, *attempts, *steps)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tsteps\tseconds\tbatch steps/s\ttasks/s\tattempts/s\tsampling µs\tof sampling\tmeasured steps/s\t")
	single, agg, slowest := 0.0, 0.0, 0.0
	for _, m := range methods {
		s, err := newSim(m.edit, 1)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		for range warmup {
			s.Step()
		}
		var run, measured time.Duration
		var base []time.Duration
		for i := range *steps {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			t0 := time.Now()
			s.Advance()
			run += time.Since(t0)
			if i%max(1, *steps/50) == 0 {
				base = append(base, sample())
			}
		}
		for i := range *steps {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			t0 := time.Now()
			s.Step()
			measured += time.Since(t0)
		}
		step := run.Seconds() / float64(*steps)
		b := median(base).Seconds()
		single = max(single, 1/step)
		if slowest == 0 || 1/step < slowest {
			slowest = 1 / step
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.3g\t%.3g\t%.1f\t%.1f×\t%.0f\t\n", m.name, *steps, run.Seconds(),
			1/step, n/step, n*float64(*attempts)/step, b*1e6, step/b, float64(*steps)/measured.Seconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *parallel > 1 && len(methods) > 0 {
		m := methods[0]
		sims := make([]*agents.DualPlaySim, *parallel)
		for i := range sims {
			if sims[i], err = newSim(m.edit, uint64(i+1)); err != nil {
				return err
			}
			for range warmup {
				sims[i].Advance()
			}
		}
		var wg sync.WaitGroup
		t0 := time.Now()
		for _, s := range sims {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range *steps {
					if i%256 == 0 && ctx.Err() != nil {
						return
					}
					s.Advance()
				}
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		el := time.Since(t0).Seconds()
		total := float64(*parallel * *steps)
		fmt.Fprintf(e.stdout, "%s, %d simulations at once: %.0f batch steps/s, %.3g tasks/s in aggregate (%.2f s)\n",
			m.name, *parallel, total/el, total*n/el, el)
		agg = total / el
	}
	verdict := func(x float64) string {
		if x >= 1e4 {
			return "met"
		}
		return "not met"
	}
	fmt.Fprintf(e.stdout, "issue 5 target, ≥ 10^4 proposer+solver batch steps/s on %d × %d: one simulation %.0f/s (%s)",
		*batch, *attempts, single, verdict(single))
	if agg > 0 {
		fmt.Fprintf(e.stdout, ", %d at once %.0f/s (%s)", *parallel, agg, verdict(agg))
	}
	fmt.Fprintf(e.stdout, "; counted per task, the slowest method does %.3g tasks/s\n", slowest*n)
	_ = sink
	return nil
}
