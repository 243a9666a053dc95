package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

// nashBenchPart is one measurement of "selfplay bench nash". define
// registers the part's flags (prefixed with its name) on fs and returns the
// function that runs it, printing its own table; common holds the flags all
// parts share, set by the time run is called.
type nashBenchPart struct {
	name    string
	summary string
	define  func(fs *flag.FlagSet, common *nashBenchCommon) func(ctx context.Context, e *env) error
}

// nashBenchCommon holds the flags shared by every part.
type nashBenchCommon struct {
	seed uint64
	reps int
}

// nashBenchParts lists the parts in the order they run. Each measures its
// subject next to a baseline timed in the same run.
func nashBenchParts() []nashBenchPart {
	return []nashBenchPart{
		nashBenchEnum(),
		nashBenchLH(),
		nashBenchLP(),
		// Further parts are appended here.
	}
}

func runBenchNash(ctx context.Context, e *env, args []string) error {
	parts := nashBenchParts()
	var names, list strings.Builder
	for i, p := range parts {
		if i > 0 {
			names.WriteString(",")
		}
		names.WriteString(p.name)
		fmt.Fprintf(&list, "  %-6s %s\n", p.name, p.summary)
	}
	fs := e.flags("bench nash", "[flags]",
		"Time the equilibrium solvers, each next to a baseline measured in the same run,\n"+
			"and print the ratios (speedup = baseline time / selfplay time). Every figure is\n"+
			"the median of -reps runs. Parts:\n"+list.String()+
			"Random games are seeded (-seed): the same flags give the same games.",
		"selfplay bench nash",
		"selfplay bench nash -only enum -enum-sizes 8,10,12,14 -enum-games 10")
	common := &nashBenchCommon{}
	fs.Uint64Var(&common.seed, "seed", 1, "seed of the random games")
	fs.IntVar(&common.reps, "reps", 3, "timed runs of each measurement; the median is reported")
	only := fs.String("only", "", "comma-separated parts to run (default all): "+names.String())
	runs := make([]func(context.Context, *env) error, len(parts))
	for i, p := range parts {
		runs[i] = p.define(fs, common)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if common.reps < 1 {
		return usagef("-reps must be at least 1, not %d", common.reps)
	}
	selected := map[string]bool{}
	if *only != "" {
		for _, name := range strings.Split(*only, ",") {
			if !slices.ContainsFunc(parts, func(p nashBenchPart) bool { return p.name == name }) {
				return usagef("-only: unknown part %q; parts are %s", name, names.String())
			}
			selected[name] = true
		}
	}
	for i, p := range parts {
		if len(selected) > 0 && !selected[p.name] {
			continue
		}
		if err := runs[i](ctx, e); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return nil
}

// benchGames returns count random size×size games of the benchmarks:
// integer payoffs uniform on 0..999, the family of the lrsnash timings in
// the project's research notes and of nash's BenchmarkEnumerateBimatrix.
func benchGames(seed uint64, size, count int) []*game.Normal {
	rng := rand.New(rand.NewPCG(seed, uint64(size)))
	gs := make([]*game.Normal, count)
	for i := range gs {
		gs[i] = game.RandomInt(rng, 0, 999, size, size)
	}
	return gs
}

// timing is the wall-clock and CPU time of one run.
type timing struct{ wall, cpu time.Duration }

// medianTiming returns the median wall and CPU times, each on its own.
func medianTiming(ts []timing) timing {
	walls := make([]time.Duration, len(ts))
	cpus := make([]time.Duration, len(ts))
	for i, t := range ts {
		walls[i], cpus[i] = t.wall, t.cpu
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return timing{walls[len(ts)/2], cpus[len(ts)/2]}
}

// timeCall times f in this process; CPU time is the whole process's
// (garbage collection and helper goroutines included).
func timeCall(f func() error) (timing, error) {
	c0, t0 := processCPU(), time.Now()
	err := f()
	return timing{time.Since(t0), processCPU() - c0}, err
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func ratio(base, ours time.Duration) string {
	if ours <= 0 || base <= 0 {
		return "n/a"
	}
	return strconv.FormatFloat(float64(base)/float64(ours), 'f', 2, 64) + "x"
}

func nashBenchEnum() nashBenchPart {
	return nashBenchPart{
		name:    "enum",
		summary: "all extreme equilibria of random n×n games vs lrsnash on the same games",
		define: func(fs *flag.FlagSet, common *nashBenchCommon) func(context.Context, *env) error {
			sizes := fs.String("enum-sizes", "8,10,12", "comma-separated sizes n of the n×n games")
			games := fs.Int("enum-games", 5, "games per size")
			lrs := fs.String("lrsnash", "lrsnash", "lrsnash binary (Debian lrslib), the baseline; looked up in PATH, then /usr/bin")
			return func(ctx context.Context, e *env) error {
				var ns []int
				for _, f := range strings.Split(*sizes, ",") {
					n, err := strconv.Atoi(strings.TrimSpace(f))
					if err != nil || n < 1 {
						return usagef("-enum-sizes: %q is not a positive size", f)
					}
					ns = append(ns, n)
				}
				if *games < 1 {
					return usagef("-enum-games must be at least 1, not %d", *games)
				}
				return benchEnum(ctx, e, ns, *games, common, *lrs)
			}
		},
	}
}

func benchEnum(ctx context.Context, e *env, sizes []int, games int, common *nashBenchCommon, lrsName string) error {
	lrs, lrsErr := exec.LookPath(lrsName)
	if lrsErr != nil && !strings.Contains(lrsName, "/") {
		lrs, lrsErr = exec.LookPath(filepath.Join("/usr/bin", lrsName))
	}
	dir, err := os.MkdirTemp("", "selfplay-bench-nash-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	fmt.Fprintf(e.stdout, "== enum: every extreme equilibrium of random n×n games, integer payoffs uniform on 0..999\n")
	fmt.Fprintf(e.stdout, "   seed %d, %d games per size, median of %d runs per game; times are per game (mean over games)\n", common.seed, games, common.reps)
	if lrsErr != nil {
		fmt.Fprintf(e.stdout, "   lrsnash not found (%v): baseline skipped; install Debian's lrslib\n", lrsErr)
	} else {
		fmt.Fprintf(e.stdout, "   baseline %s (GMP arithmetic, one process per game: its start-up is included)\n", lrs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\tequilibria\tselfplay ms\tlrsnash ms\tspeedup\tselfplay cpu ms\tlrsnash cpu ms\tcpu speedup\t")
	for _, n := range sizes {
		var ours, base timing
		eqs := 0
		for i, g := range benchGames(common.seed, n, games) {
			if err := ctx.Err(); err != nil {
				return err
			}
			path := filepath.Join(dir, fmt.Sprintf("g%d_%d.txt", n, i))
			if lrsErr == nil {
				if err := os.WriteFile(path, lrsnashInput(g), 0o644); err != nil {
					return err
				}
			}
			// selfplay's runs first, then lrsnash's: interleaving them
			// lets each process's start-up and exit disturb the other's.
			var mine, theirs []timing
			var res *nash.EnumResult
			for range common.reps {
				t, err := timeCall(func() (err error) {
					res, err = nash.EnumerateBimatrix(ctx, g)
					return err
				})
				if err != nil {
					return err
				}
				mine = append(mine, t)
			}
			eqs += len(res.Equilibria)
			for range common.reps {
				if lrsErr != nil {
					break
				}
				lt, count, err := timeLrsnash(ctx, lrs, path)
				if err != nil {
					return err
				}
				if count != len(res.Equilibria) {
					return fmt.Errorf("%d×%d game %d (seed %d): lrsnash finds %d equilibria, selfplay %d", n, n, i, common.seed, count, len(res.Equilibria))
				}
				theirs = append(theirs, lt)
			}
			m := medianTiming(mine)
			ours.wall += m.wall / time.Duration(games)
			ours.cpu += m.cpu / time.Duration(games)
			if len(theirs) > 0 {
				m := medianTiming(theirs)
				base.wall += m.wall / time.Duration(games)
				base.cpu += m.cpu / time.Duration(games)
			}
			e.log.Debug().Int("size", n).Int("game", i).Msg("bench nash enum")
		}
		lrsWall, lrsCPU := "-", "-"
		if lrsErr == nil {
			lrsWall, lrsCPU = ms(base.wall), ms(base.cpu)
		}
		fmt.Fprintf(tw, "%d×%d\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t\n", n, n, float64(eqs)/float64(games),
			ms(ours.wall), lrsWall, ratio(base.wall, ours.wall), ms(ours.cpu), lrsCPU, ratio(base.cpu, ours.cpu))
	}
	return tw.Flush()
}

// lrsnashInput writes g in lrsnash's format: "m n", a blank line, the rows
// of A, a blank line, the rows of B, every number exact.
func lrsnashInput(g *game.Normal) []byte {
	var b bytes.Buffer
	m, n := g.NumStrategies(0), g.NumStrategies(1)
	fmt.Fprintf(&b, "%d %d\n", m, n)
	for p := range 2 {
		b.WriteString("\n")
		for r := range m {
			for c := range n {
				if c > 0 {
					b.WriteString(" ")
				}
				b.WriteString(g.PayoffRat(p, g.Index(r, c)).RatString())
			}
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

// timeLrsnash runs lrsnash on one game file and returns its time and the
// number of extreme equilibria it reports.
func timeLrsnash(ctx context.Context, lrs, path string) (timing, int, error) {
	cmd := exec.CommandContext(ctx, lrs, path)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return timing{}, 0, fmt.Errorf("lrsnash %s: %w", path, err)
	}
	t := timing{time.Since(t0), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "*Number of equilibria found:"); ok {
			count, err := strconv.Atoi(strings.TrimSpace(rest))
			if err != nil {
				return t, 0, fmt.Errorf("lrsnash %s: bad count line %q", path, sc.Text())
			}
			return t, count, nil
		}
	}
	return t, 0, fmt.Errorf("lrsnash %s: no equilibrium count in its output", path)
}

func nashBenchLH() nashBenchPart {
	return nashBenchPart{
		name:    "lh",
		summary: "Lemke–Howson on a random n×n game vs textbook big.Int pivoting",
		define: func(fs *flag.FlagSet, common *nashBenchCommon) func(context.Context, *env) error {
			size := fs.Int("lh-size", 100, "size n of the n×n game")
			baseAll := fs.Bool("lh-baseline-all", false, "also time the big.Int baseline on all labels (slow)")
			return func(ctx context.Context, e *env) error {
				if *size < 1 {
					return usagef("-lh-size must be at least 1, not %d", *size)
				}
				return benchLH(ctx, e, *size, *baseAll, common)
			}
		},
	}
}

func benchLH(ctx context.Context, e *env, size int, baseAll bool, common *nashBenchCommon) error {
	g := benchGames(common.seed, size, 1)[0]
	fmt.Fprintf(e.stdout, "== lh: Lemke–Howson on a random %d×%d game, integer payoffs uniform on 0..999 (seed %d)\n", size, size, common.seed)
	fmt.Fprintf(e.stdout, "   selfplay: i128 or float64 pivoting, end point recomputed and verified exactly; all labels\n")
	fmt.Fprintf(e.stdout, "   run on GOMAXPROCS goroutines (compare cpu times). Baseline: big.Int integer pivoting\n")
	fmt.Fprintf(e.stdout, "   throughout, one label after another. Median of %d runs.\n", common.reps)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tequilibria\tselfplay ms\tbaseline ms\tspeedup\tselfplay cpu ms\tbaseline cpu ms\tcpu speedup\t")
	measure := func(f func() (int, error)) (timing, int, error) {
		var ts []timing
		found := 0
		for range common.reps {
			t, err := timeCall(func() (err error) {
				found, err = f()
				return err
			})
			if err != nil {
				return timing{}, 0, err
			}
			ts = append(ts, t)
		}
		return medianTiming(ts), found, nil
	}
	one := func(arith nash.LHArithmetic) func() (int, error) {
		return func() (int, error) {
			_, err := nash.LemkeHowsonWith(ctx, g, 1, arith)
			return 1, err
		}
	}
	all := func(arith nash.LHArithmetic) func() (int, error) {
		return func() (int, error) {
			if arith == nash.LHAuto {
				found, err := nash.LemkeHowsonAll(ctx, g)
				return len(found), err
			}
			distinct := map[string]bool{}
			for label := 1; label <= 2*size; label++ {
				eq, err := nash.LemkeHowsonWith(ctx, g, label, arith)
				if err != nil {
					return 0, err
				}
				distinct[fmt.Sprint(eq.Exact)] = true
			}
			return len(distinct), nil
		}
	}
	rows := []struct {
		name      string
		ours, ref func() (int, error)
	}{
		{"label 1", one(nash.LHAuto), one(nash.LHBigInt)},
		{fmt.Sprintf("all %d labels", 2*size), all(nash.LHAuto), nil},
	}
	if baseAll {
		rows[1].ref = all(nash.LHBigInt)
	}
	for _, r := range rows {
		mine, found, err := measure(r.ours)
		if err != nil {
			return err
		}
		refWall, refCPU, speed, cpuSpeed := "-", "-", "-", "-"
		if r.ref != nil {
			ref, _, err := measure(r.ref)
			if err != nil {
				return err
			}
			refWall, refCPU = ms(ref.wall), ms(ref.cpu)
			speed, cpuSpeed = ratio(ref.wall, mine.wall), ratio(ref.cpu, mine.cpu)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, found, ms(mine.wall), refWall, speed, ms(mine.cpu), refCPU, cpuSpeed)
	}
	return tw.Flush()
}
