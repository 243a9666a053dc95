package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/internal/config"
	"github.com/selfplay-lab/selfplay/internal/progress"
	"github.com/selfplay-lab/selfplay/internal/results"
	runstop "github.com/selfplay-lab/selfplay/internal/run"
)

// This file holds what the experiment runners ("selfplay nlhf" and
// "selfplay dualplay") share: the run|list dispatch, the flags and argument
// of "run EXP.yaml", the run directory, and the loop that drives a run with
// a progress bar, writes the summary of the finished seeds and turns Ctrl-C
// into an *runstop.Interrupted.

// dispatchRunList runs "selfplay NAME run|list": fs (the command's flags,
// for its usage text) is shown for no subcommand or -h.
func dispatchRunList(ctx context.Context, e *env, fs *flag.FlagSet, args []string,
	run func(context.Context, *env, []string) error, list func(*env, []string) error) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fs.Usage()
		if len(args) == 0 {
			return usagef("no subcommand given: want run or list")
		}
		return nil
	}
	switch args[0] {
	case "run":
		return run(ctx, e, args[1:])
	case "list":
		return list(e, args[1:])
	}
	return usagef("unknown subcommand %q: want run or list", args[0])
}

// runnerFlags are the flags every "selfplay NAME run EXP.yaml" takes.
type runnerFlags struct {
	out       *string
	seeds     *int
	overwrite *bool
}

// addRunnerFlags defines --out, --seeds and --overwrite on fs.
func addRunnerFlags(fs *flag.FlagSet) runnerFlags {
	return runnerFlags{
		out:       fs.String("out", "", "run directory (default runs/NAME, NAME from the file)"),
		seeds:     fs.Int("seeds", 0, "number of seeds, overriding the file's seeds (0: the file's)"),
		overwrite: fs.Bool("overwrite", false, "replace an earlier run in --out"),
	}
}

// parse parses args into fs and returns the one experiment file they name.
func (f runnerFlags) parse(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("want exactly one experiment file, got %d arguments", len(pos))
	}
	if *f.seeds < 0 {
		return "", usagef("--seeds %d: want ≥ 0", *f.seeds)
	}
	return pos[0], nil
}

// seedCount is the number of seeds a run will use: --seeds, or the file's.
func (f runnerFlags) seedCount(fileSeeds int) int {
	if *f.seeds > 0 {
		return *f.seeds
	}
	return fileSeeds
}

// create makes the run directory: --out, or runs/NAME by default.
func (f runnerFlags) create(name string) (*results.Writer, error) {
	out := *f.out
	if out == "" {
		out = filepath.Join("runs", name)
	}
	w, err := results.Create(out, results.Options{Overwrite: *f.overwrite})
	if err != nil {
		return nil, badInput(err)
	}
	return w, nil
}

// loadExperimentFile reads path and decodes it with load; both kinds of
// failure are the user's input and exit 2.
func loadExperimentFile[T any](path string, load func(string, []byte) (T, error)) (T, error) {
	var zero T
	data, err := os.ReadFile(path)
	if err != nil {
		return zero, badInput(err)
	}
	exp, err := load(path, data)
	if err != nil {
		return zero, badInput(err)
	}
	return exp, nil
}

// experimentRun is one "selfplay NAME run" after its directory is made.
type experimentRun struct {
	command string          // "nlhf": the progress bar's prefix
	name    string          // the experiment's name
	seeds   int             // seeds the run will use
	total   int             // steps over all seeds
	w       *results.Writer // the run directory
	// run runs the experiment, reporting steps done through progress, and
	// returns how many seeds finished.
	run func(progress func(done, total int)) (seedsDone int, err error)
	// summary writes and prints the summary of the finished seeds; it is
	// called only when at least one finished.
	summary func() error
}

// runExperiment drives r with a progress bar, writes the summary of what
// finished (also after Ctrl-C) and returns an *runstop.Interrupted when the
// context stopped the run, a usage error for a bad configuration.
func runExperiment(e *env, r experimentRun) error {
	bar := progress.New(e.stderr, progress.Options{Total: int64(r.total), Description: r.command + " " + r.name, TTY: e.tty, Log: &e.log})
	last := 0
	seedsDone, runErr := r.run(func(done, _ int) {
		bar.Add(done - last)
		last = done
	})
	bar.Finish()
	if seedsDone > 0 {
		if err := r.summary(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			return &runstop.Interrupted{Cause: runErr, Note: fmt.Sprintf("%d of %d steps done, %d of %d seeds finished, rows in %s",
				last, r.total, seedsDone, r.seeds, r.w.Path(results.MetricsFile))}
		}
		var cfgErr *config.Error
		if errors.As(runErr, &cfgErr) {
			return badInput(runErr)
		}
		return runErr
	}
	fmt.Fprintf(e.stdout, "results in %s\n", r.w.Dir())
	return nil
}
