package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/cuda"
)

// runBenchEngine measures the batched update engine: the fused mirror step
// (with and without the gap) over a grid of batch shapes, and batched
// optimistic MW on zero-sum games, each next to a same-run triad over the
// same bytes and the scalar reference.
func runBenchEngine(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench engine", "[flags]",
		"Time the engine's OMD mirror step (log π' = (1−ητ) log π + ητ log ref + η P·π,\n"+
			"in place) alone and fused with the exact regularized gap, for every\n"+
			"--contexts × --responses and every preference layout in --pref: one P shared\n"+
			"by all contexts (column P = shared) or one P per context (P = context, one\n"+
			"game per prompt; skipped above --pref-max values of P), and optimistic MW on\n"+
			"--games random zero-sum games. Next to each, in the same run: a STREAM-like\n"+
			"triad a = b + s·c moving the same bytes (bytes = 8 per value of log π and\n"+
			"log ref read and log π' written, plus the gap, plus with P = context every\n"+
			"value of P read once), the fraction of its bandwidth achieved, and the\n"+
			"speed-up over the plain scalar reference (one context at a time on one core;\n"+
			"skipped above --scalar-max values of work). Figures are medians over rounds\n"+
			"taking at least --min-time.",
		"selfplay bench engine", "selfplay bench engine --contexts 1e5 --responses 16 --device cpu",
		"selfplay bench engine --contexts 1e5 --responses 16 --pref context --games 0")
	contexts := fs.String("contexts", "1e3,1e4,1e5,1e6", "comma-separated batch sizes B (contexts)")
	responses := fs.String("responses", "4,16,64", "comma-separated response counts K")
	games := fs.Int("games", 10_000, "zero-sum games for the MW benchmark (0 skips it)")
	gameSize := fs.Int("game-size", 16, "rows and columns of each zero-sum game")
	iters := fs.Int("iters", 100, "MW rounds per zero-sum run")
	device := fs.String("device", "cpu", "backend: auto, cpu or gpu")
	minTime := fs.Duration("min-time", time.Second, "least time spent per measurement")
	scalarMax := fs.Float64("scalar-max", 1e8, "largest B·K² for which the scalar reference runs")
	prefs := fs.String("pref", "shared,context", "comma-separated preference layouts: shared (one P) and/or context (one P per context)")
	prefMax := fs.Float64("pref-max", 1e8, "largest B·K² timed with one P per context (8 bytes each, and as much again for the triad)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	bs, err := engineCounts("contexts", *contexts)
	if err != nil {
		return err
	}
	ks, err := engineCounts("responses", *responses)
	if err != nil {
		return err
	}
	layouts, err := enginePrefs(*prefs)
	if err != nil {
		return err
	}
	if *games < 0 || *gameSize < 1 || *iters < 1 || *minTime < 0 || *prefMax < 0 {
		return usagef("--games ≥ 0, --game-size ≥ 1, --iters ≥ 1, --min-time ≥ 0 and --pref-max ≥ 0 required")
	}
	be, err := cuda.Open(*device, func(s string) { e.log.Info().Msg(s) })
	if err != nil {
		return badInput(err)
	}
	defer be.Close()
	workers := runtime.GOMAXPROCS(0)
	fmt.Fprintf(e.stdout, "engine: backend %s, %d workers; triad and scalar reference measured in the same run\n", be.Name(), workers)
	if strings.HasPrefix(be.Name(), "gpu") {
		fmt.Fprintln(e.stdout, "note: the triad baseline is host memory; GPU bytes/s are compared with it only for orientation")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tP\tB\tK\tbytes\tstep\tGB/s\ttriad GB/s\tof triad\tscalar\tspeed-up\t")
	var skipped []string
	for _, perContext := range layouts {
		for _, b := range bs {
			for _, k := range ks {
				work := float64(b) * float64(k*k)
				if perContext && work > *prefMax {
					skipped = append(skipped, fmt.Sprintf("B=%d K=%d", b, k))
					continue
				}
				for _, gap := range []bool{false, true} {
					m := cuda.MirrorBench{B: b, K: k, Gap: gap, PerContext: perContext}
					s, err := cuda.BenchMirror(ctx, be, m, workers, work <= *scalarMax, *minTime)
					if err != nil {
						return err
					}
					op, pcol := "step", "shared"
					if gap {
						op = "step+gap"
					}
					if perContext {
						pcol = "context"
					}
					enginePrintSpeed(tw, op+"\t"+pcol, b, k, s)
				}
			}
		}
	}
	if *games > 0 {
		z := cuda.ZeroSumBench{B: *games, M: *gameSize, N: *gameSize, Iters: *iters}
		scalar := float64(z.B)*float64(z.M*z.N)*float64(z.Iters) <= 100**scalarMax
		s, err := cuda.BenchZeroSum(ctx, be, z, workers, scalar, *minTime)
		if err != nil {
			return err
		}
		enginePrintSpeed(tw, fmt.Sprintf("OMW %dx%d ×%d\t-", z.M, z.N, z.Iters), z.B, 0, s)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(skipped) > 0 {
		fmt.Fprintf(e.stdout, "skipped with one P per context (B·K² > --pref-max %g): %s\n", *prefMax, strings.Join(skipped, ", "))
	}
	return nil
}

// enginePrefs reads --pref: for each listed layout, whether P is per context.
func enginePrefs(s string) ([]bool, error) {
	var out []bool
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if seen[f] {
			return nil, usagef("--pref: %q listed twice", f)
		}
		seen[f] = true
		switch f {
		case "shared":
			out = append(out, false)
		case "context":
			out = append(out, true)
		default:
			return nil, usagef("--pref: %q is not shared or context", f)
		}
	}
	return out, nil
}

func enginePrintSpeed(tw *tabwriter.Writer, op string, b, k int, s cuda.Speed) {
	kcol, scal, up := strconv.Itoa(k), "-", "-"
	if k == 0 {
		kcol = "-"
	}
	if s.Scalr > 0 {
		scal, up = engineDur(s.Scalr), fmt.Sprintf("%.1f×", s.Speedup())
	}
	fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%.1f\t%.1f\t%.0f%%\t%s\t%s\t\n", op, b, kcol, engineBytes(s.Bytes), engineDur(s.Step),
		s.Bandwidth(s.Step)/1e9, s.Bandwidth(s.Triad)/1e9, 100*s.Fraction(), scal, up)
}

func engineDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.1fµs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func engineBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1fKiB", float64(n)/(1<<10))
}

// engineCounts reads a comma-separated list of positive integers, allowing
// the forms 1000, 1e3 and 10_000.
func engineCounts(flag, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.ReplaceAll(strings.TrimSpace(f), "_", "")
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 1 || v > 1e9 || v != float64(int(v)) {
			return nil, usagef("--%s: %q is not a count between 1 and 1e9", flag, f)
		}
		out = append(out, int(v))
	}
	return out, nil
}
