package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

// runBenchNLHF times the exact mode of every NLHF algorithm on a random
// EGPO-protocol game, next to a same-run STREAM triad over one step's
// compulsory bytes.
func runBenchNLHF(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench nlhf", "[flags]",
		"Run --iters exact-mode iterations of every NLHF algorithm (or --algorithms) on\n"+
			"--contexts random antisymmetric preference games × --responses, one matrix\n"+
			"per context, with the hyperparameters of agents.BenchParams. For each: wall\n"+
			"time, steps × contexts per second, the bandwidth of one step's compulsory\n"+
			"bytes (P read once; log π, log ref read; log π' written: 8·B·(K² + 3K)),\n"+
			"its fraction of a STREAM triad a = b + s·c over the same bytes, and the step\n"+
			"in units of one engine win-rate pass g = P·π (WinRates, one read of P), both\n"+
			"baselines timed in the same run (median of rounds interleaved with the\n"+
			"algorithm's steps). A last line times the experiment runner's per-step\n"+
			"running average (MixLog), which nlhf run adds to every step.",
		"selfplay bench nlhf", "selfplay bench nlhf --iters 200 --algorithms omd,egpo,mmd")
	contexts := fs.Int("contexts", 10_000, "contexts B")
	responses := fs.Int("responses", 16, "responses K")
	iters := fs.Int("iters", 1000, "iterations per algorithm")
	algs := fs.String("algorithms", "all", "comma-separated algorithm names, or all")
	device := fs.String("device", "cpu", "backend: auto, cpu or gpu")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *contexts < 1 || *responses < 2 || *iters < 1 {
		return usagef("--contexts ≥ 1, --responses ≥ 2 and --iters ≥ 1 required")
	}
	var list []*agents.Algorithm
	if *algs == "all" {
		list = agents.Algorithms()
	} else {
		for _, name := range strings.Split(*algs, ",") {
			a, err := agents.LookupAlgorithm(strings.TrimSpace(name))
			if err != nil {
				return usagef("%v", err)
			}
			list = append(list, a)
		}
	}
	be, err := cuda.Open(*device, func(s string) { e.log.Info().Msg(s) })
	if err != nil {
		return badInput(err)
	}
	defer be.Close()
	b, k := *contexts, *responses
	rng := rand.New(rand.NewPCG(1, 2))
	g := game.RandomAntisymmetric(rng, b, k, game.LowerRandom)
	env, err := agents.NewEnv(be, g, agents.NormalRef(rng, k, b, 1))
	if err != nil {
		return err
	}
	defer env.Close()
	bytes := agents.BenchBytes(b, k)
	n := int(bytes / 24)
	ta, tb, tc := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range tb {
		tb[i], tc[i] = 1, float64(i%7)
	}
	// Scratch for the win-rate pass and the running average.
	pol, err := be.Alloc(k, b)
	if err != nil {
		return err
	}
	defer be.Free(pol)
	rates, err := be.Alloc(k, b)
	if err != nil {
		return err
	}
	defer be.Free(rates)
	if err := be.Copy(pol, env.Ref); err != nil {
		return err
	}
	pass := func() (time.Duration, error) {
		t0 := time.Now()
		err := be.WinRates(rates, env.P, []*cuda.Tensor{pol}, []float64{1})
		return time.Since(t0), err
	}
	workers := runtime.GOMAXPROCS(0)
	fmt.Fprintf(e.stdout, "nlhf exact mode: backend %s, %d workers, B = %d contexts × K = %d, %d iterations each; baselines measured in the same run\n",
		be.Name(), workers, b, k, *iters)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "algorithm\titers\tseconds\tctx·steps/s\tstep GB/s\ttriad GB/s\tof triad\tP passes\t")
	median := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	var total time.Duration
	for _, a := range list {
		l, err := a.New(env, agents.BenchParams(a.Name), agents.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		var run time.Duration
		var triads, passes []time.Duration
		for i := range *iters {
			if err := ctx.Err(); err != nil {
				l.Close()
				return err
			}
			t0 := time.Now()
			if err := l.Step(i); err != nil {
				l.Close()
				return fmt.Errorf("%s step %d: %w", a.Name, i, err)
			}
			run += time.Since(t0)
			if i%max(1, *iters/20) == 0 {
				t0 = time.Now()
				cuda.Triad(ta, tb, tc, 0.5, workers)
				triads = append(triads, time.Since(t0))
				d, err := pass()
				if err != nil {
					l.Close()
					return err
				}
				passes = append(passes, d)
			}
		}
		l.Close()
		total += run
		triad, wr := median(triads), median(passes)
		step := run / time.Duration(*iters)
		gbs := func(d time.Duration) float64 { return float64(bytes) / d.Seconds() / 1e9 }
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.3g\t%.1f\t%.1f\t%.0f%%\t%.2f\t\n", a.Name, *iters, run.Seconds(),
			float64(b)/step.Seconds(), gbs(step), gbs(triad), 100*triad.Seconds()/step.Seconds(), step.Seconds()/wr.Seconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	names := make([]string, len(list))
	for i, a := range list {
		names[i] = a.Name
	}
	fmt.Fprintf(e.stdout, "total %.1f s for %d algorithms (%s)\n", total.Seconds(), len(list), strings.Join(names, ", "))
	// The runner's running average: one MixLog per step (agents.Trainer).
	if err := be.Copy(rates, env.Ref); err != nil {
		return err
	}
	var mixes []time.Duration
	for i := range 20 {
		t := float64(i + 2)
		t0 := time.Now()
		if err := be.MixLog(rates, rates, pol, (t-1)/t, 1/t); err != nil {
			return err
		}
		mixes = append(mixes, time.Since(t0))
	}
	mix := median(mixes)
	fmt.Fprintf(e.stdout, "nlhf run adds a running average per step (MixLog): %.2f ms, %.1f s per %d iterations\n",
		1e3*mix.Seconds(), mix.Seconds()*float64(*iters), *iters)
	return nil
}
