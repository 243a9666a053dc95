// Command selfplay simulates multi-agent self-play and preference games:
// equilibria of normal-form games, Nash learning from human feedback,
// proposer/solver curricula, leagues and leaderboards.
//
// Run "selfplay help" for the list of subcommands and "selfplay CMD -h" for
// the flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rs/zerolog"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the work was attempted and failed (e.g. a solver did not converge)
	exitUsage   = 2 // bad flags, arguments or input files
)

// command is one subcommand. Commands parse their own flags from args with a
// FlagSet made by env.flags, so "-h" and flag errors behave the same everywhere.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands returns the subcommands in the order "selfplay help" lists them.
func commands() []command {
	return []command{
		{"demo", "run a small self-play league in ~10 s; print its leaderboard, write plots and an HTML page: selfplay demo", runDemo},
		{"league", "a league replicated with Raft: selfplay league serve --id ID --raft ADDR --http ADDR --data DIR --bootstrap | --join URL; league certs", runLeague},
		{"worker", "play leased matches for a replicated league: selfplay worker --join URL --token-file F", runWorker},
		{"bench", "measure speed against a same-run baseline: selfplay bench AREA", runBench},
		{"leaderboard", "rate players from pairwise battles (BT, Elo, Glicko-2, …) with CIs: selfplay leaderboard FILE…", runLeaderboard},
		{"nlhf", "Nash learning from human feedback: selfplay nlhf run EXP.yaml | list", runNLHF},
		{"dualplay", "proposer/solver self-play curricula compared over seeds: selfplay dualplay run EXP.yaml | list", runDualPlay},
		{"compare", "compare algorithms over seeds: IQM, probability of improvement, sequential test: selfplay compare DIR…", runCompare},
		{"solve", "equilibria of a Gambit .nfg game (exact enumeration, Lemke–Howson, LP): selfplay solve GAME.nfg", runSolve},
		{"help", "explain a subcommand: selfplay help CMD", nil},
	}
}

// env carries what a command needs from the process: streams, a logger and
// whether stderr is a terminal (progress bars only then).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            zerolog.Logger
	tty            bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) int {
	// Logs come from many goroutines (Raft, workers, the API) and share
	// stderr with messages printed directly; one lock keeps every write
	// whole, whatever writer the caller passed.
	stderr = zerolog.SyncWriter(stderr)
	global := flag.NewFlagSet("selfplay", flag.ContinueOnError)
	global.SetOutput(stderr)
	logLevel := global.String("log-level", "info", "log level: debug, info, warn or error")
	logFormat := global.String("log-format", "auto", "log format: auto (text on a terminal, JSON otherwise), text or json")
	global.Usage = func() { topUsage(stderr, global) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	logger, err := newLogger(stderr, *logLevel, *logFormat, tty)
	if err != nil {
		fmt.Fprintf(stderr, "selfplay: %v\n", err)
		return exitUsage
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, log: logger, tty: tty}

	rest := global.Args()
	if len(rest) == 0 {
		topUsage(stderr, global)
		return exitUsage
	}
	name, cmdArgs := rest[0], rest[1:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(cmdArgs) == 0 {
			topUsage(stdout, global)
			return exitOK
		}
		name, cmdArgs = cmdArgs[0], []string{"-h"}
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return exitCode(stderr, name, c.run(ctx, e, cmdArgs))
		}
	}
	fmt.Fprintf(stderr, "selfplay: unknown command %q; run 'selfplay help' for the list\n", name)
	return exitUsage
}

// exitCode prints err (if any) and maps it to the process exit code.
func exitCode(stderr io.Writer, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintf(stderr, "selfplay %s: %v\n", name, ue.err)
		}
		return exitUsage
	default:
		fmt.Fprintf(stderr, "selfplay %s: %v\n", name, err)
		return exitFailure
	}
}

// usageError marks bad flags, arguments or input: the process exits 2.
type usageError struct {
	err     error
	printed bool // already reported by the flag package
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// badInput marks err, a problem with an input file or request, as a usage
// error (exit 2); nil stays nil.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err: err}
}

// flags returns a FlagSet for subcommand name whose -h output shows the
// synopsis, a description, every flag and the examples.
func (e *env) flags(name, synopsis, description string, examples ...string) *flag.FlagSet {
	fs := flag.NewFlagSet("selfplay "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: selfplay %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
		if len(examples) > 0 {
			fmt.Fprintf(w, "\nExamples:\n")
			for _, ex := range examples {
				fmt.Fprintf(w, "  %s\n", ex)
			}
		}
	}
	return fs
}

// parse parses args into fs, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err: err, printed: true}
	}
	return nil
}

// parseInterspersed is parse for commands whose positional arguments may
// come before flags ("selfplay solve game.nfg --all").
func parseInterspersed(fs *flag.FlagSet, args []string) (positional []string, err error) {
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func topUsage(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintf(w, "selfplay simulates self-play and preference games: equilibria, Nash learning\n")
	fmt.Fprintf(w, "from human feedback, dual-play curricula, leagues and leaderboards.\n\n")
	fmt.Fprintf(w, "Usage: selfplay [global flags] COMMAND [flags] [arguments]\n\nCommands:\n")
	cmds := commands()
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "\nGlobal flags:\n")
	global.SetOutput(w)
	global.PrintDefaults()
	fmt.Fprintf(w, "\nRun 'selfplay COMMAND -h' for a command's flags and examples.\n")
}

// newLogger sets up zerolog once for the process: human-readable on a
// terminal, JSON lines otherwise.
func newLogger(w io.Writer, level, format string, tty bool) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Nop(), fmt.Errorf("-log-level %q: expected debug, info, warn or error", level)
	}
	switch format {
	case "auto":
		if tty {
			w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05"}
		}
	case "text":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05", NoColor: !tty}
	case "json":
	default:
		return zerolog.Nop(), fmt.Errorf("-log-format %q: expected auto, text or json", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
