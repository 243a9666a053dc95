package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/selfplay-lab/selfplay/demo"
	runstop "github.com/selfplay-lab/selfplay/internal/run"
)

const demoDescription = `
Run a small but real league of self-play learners on your machine in about
ten seconds, then print its leaderboards and write plots and HTML pages.

The league plays a random cyclic preference game (7 answers, each beaten by
another, like rock-paper-scissors with unequal strengths): an AlphaStar main
agent training against PFSP opponents from its frozen snapshots and against
itself, a main exploiter and a league exploiter hunting its weaknesses, and
an NLHF learner taking regularised mirror-descent steps against PFSP
opponents. Snapshots are frozen as the learners improve; every snapshot
plays every other. At the end, a round robin among all members and
Bradley-Terry, Elo, Nash-averaging and maximal-lottery ratings with
bootstrap intervals.

Alongside it, a proposer/solver pair trains by dual play (PasoDoble's
rewards: a proposer writes tasks, a solver attempts them, 200 steps spread
over the rounds). Every 20 steps both are frozen into a second league, the
dual-play population, where a match is a solver snapshot attempting one task
drawn from a proposer snapshot (the solver wins if its answer is correct).
Its Bradley-Terry leaderboard puts solver ability and proposer difficulty
on one scale; it is printed after the league's.

The live line shows the round, the population, the matches played, the
least exploitable policy so far (a learner, or the league's meta-Nash
mixture of its snapshots) and the dual-play step with the solver's held-out
pass@1.

Both leagues are replicated the way "selfplay league serve" replicates one:
each is an embedded single-node Raft cluster whose log carries every event
of the run (members, leases, checkpoints and half a million match results)
and whose state machine the run reads back its population, opponents and
meta-game from; members' parameters are kept as blobs named by their
hashes beside the log. The matches whose players are fixed in advance
(snapshot against snapshot, the round robin, the dual-play matches) are
played by --workers in-process workers, which take them in chunks and
submit the results through the Raft node in order; the learners' training
matches are played by the driver. The results do not depend on the number
of workers: a match is seeded by its id. The logs and final snapshots are
kept in DIR/raft and DIR/raft-dualplay. Every run starts fresh leagues
there, replacing an earlier demo's: the learners' optimiser state lives in
the run's memory, not in the log, so a league cannot be resumed. For a
league across machines, with workers playing leased matches and the
leaderboard served over HTTP by every node, see "selfplay league serve -h"
and "selfplay worker -h".

Files written to --dir:
  leaderboard.html             open this: the ratings and the head-to-head heat map
  leaderboard.txt, .json       every member's ratings (json: selfplay leaderboard's schema)
  leaderboard.svg              ratings with 95% intervals
  exploitability.svg, .png     exact exploitability per round (learners, meta-Nash mixture)
  winrate.svg, .png            win rate against the uniform reference, per round
  metrics.jsonl                one row per learner and round, and a "league" row
  dualplay-leaderboard.html    the dual-play league: solvers and proposers on one scale
  dualplay-leaderboard.txt, .json
  dualplay.svg, .png           solver's held-out pass@1 and proposer difficulty, per step
  dualplay-ratings.svg, .png   rating of each solver and proposer snapshot by its step
  dualplay.jsonl               one row per dual-play step
  selfplay-demo.json           marks the directory as demo output
  raft/, raft-dualplay/        the leagues' Raft logs (raft.db), snapshots and parameter blobs

--dir must be missing, empty, or the output of an earlier demo (it holds
selfplay-demo.json), whose files are then replaced; any other directory is
refused (exit 2) so that a mistyped path cannot clobber your files. The
same --seed and --rounds give the same files byte for byte, whatever
--workers (only selfplay-demo.json, which records it, and the Raft logs,
which name the worker of every result, differ). Ctrl-C stops cleanly and keeps the metrics of the completed
rounds.`

func runDemo(ctx context.Context, e *env, args []string) error {
	def := demo.DefaultConfig()
	fs := e.flags("demo", "[flags]", demoDescription,
		"selfplay demo",
		"selfplay demo --dir /tmp/league --seed 7",
		"selfplay demo --rounds 20",
		"selfplay demo --workers 1")
	dir := fs.String("dir", def.Dir, "output directory: missing, empty or an earlier demo's")
	seed := fs.Uint64("seed", def.Seed, "seed of the game, the matches and the bootstrap")
	rounds := fs.Int("rounds", def.Rounds, fmt.Sprintf("training rounds, 1..%d (the population and the run time grow with them)", demo.MaxRounds))
	workers := fs.Int("workers", def.Workers, fmt.Sprintf("in-process workers playing the fixed matches, 1..%d (the results do not depend on it)", demo.MaxWorkers))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: the demo takes only flags", fs.Arg(0))
	}
	if *rounds < 1 || *rounds > demo.MaxRounds {
		return usagef("-rounds %d: want 1..%d", *rounds, demo.MaxRounds)
	}
	if *workers < 1 || *workers > demo.MaxWorkers {
		return usagef("-workers %d: want 1..%d", *workers, demo.MaxWorkers)
	}
	if *dir == "" {
		return usagef("-dir is empty: want a directory path")
	}
	cfg := demo.Config{Dir: *dir, Seed: *seed, Rounds: *rounds, Workers: *workers}
	// Claim the directory before the league's Raft node creates files in
	// it, so that a foreign directory is refused untouched.
	if err := demo.PrepareDir(cfg); err != nil {
		if errors.Is(err, demo.ErrNotDemoDir) || errors.Is(err, demo.ErrConfig) {
			return badInput(err)
		}
		return err
	}
	lg, err := openDemoLeague(ctx, demoLeaguePath(cfg.Dir))
	if err != nil {
		return err
	}
	dual, err := openDemoLeague(ctx, demoDualPath(cfg.Dir))
	if err != nil {
		_, cerr := lg.close(demoLeaguePath(cfg.Dir))
		return errors.Join(err, cerr)
	}
	line := newStatusLine(e.stderr, e.tty, *rounds)
	rep, err := demo.Run(ctx, cfg, demo.Leagues{Main: lg, Dual: dual}, line.show)
	line.done()
	sum, cerr := lg.close(demoLeaguePath(cfg.Dir))
	dsum, dcerr := dual.close(demoDualPath(cfg.Dir))
	cerr = errors.Join(cerr, dcerr)
	switch {
	case errors.Is(err, demo.ErrNotDemoDir), errors.Is(err, demo.ErrConfig):
		return badInput(err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &runstop.Interrupted{Cause: err, Note: fmt.Sprintf("%s; metrics of the completed rounds in %s",
			strings.TrimPrefix(err.Error(), "demo: "), filepath.Join(cfg.Dir, demo.MetricsFile))}
	case err != nil:
		return errors.Join(err, cerr)
	case cerr != nil:
		return cerr
	case sum.Results != uint64(rep.Result.Matches):
		// Every result the run counted must be in the replicated league.
		return fmt.Errorf("demo: the run recorded %d results, its Raft league holds %d", rep.Result.Matches, sum.Results)
	case dsum.Results != uint64(rep.Dual.Matches):
		return fmt.Errorf("demo: the dual-play run recorded %d results, its Raft league holds %d", rep.Dual.Matches, dsum.Results)
	}
	return printDemoReport(e.stdout, rep, sum, dsum)
}

// printDemoReport prints the top of the leaderboard, the dual-play
// leaderboard, the workers' shares, where the files are and where the
// leagues' logs are.
func printDemoReport(w io.Writer, rep *demo.Report, sum, dsum demoLeagueSummary) error {
	const top = 20
	fmt.Fprintf(w, "Leaderboard (Bradley-Terry, 95%% bootstrap intervals; the other ratings beside it):\n\n")
	if err := rep.WriteTable(w, top); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDual-play leaderboard (Bradley-Terry on one scale: a solver's rating is its ability,\n"+
		"a proposer's the difficulty of its tasks; a match is one attempt at one task):\n\n")
	if err := rep.Dual.WriteTable(w, 0); err != nil {
		return err
	}
	workers := "workers"
	if len(rep.Workers) == 1 {
		workers = "worker"
	}
	fmt.Fprintf(w, "\nMatches played by the %d in-process %s (snapshot, round-robin and dual-play matches):", len(rep.Workers), workers)
	for _, wc := range rep.Workers {
		fmt.Fprintf(w, " %s %d", wc.Name, wc.Matches)
	}
	fmt.Fprintf(w, "; by the driver (training matches): %d\n", rep.Driver)
	fmt.Fprintf(w, "\nFiles in %s:\n", rep.Config.Dir)
	for _, f := range rep.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	for _, s := range []struct {
		sum  demoLeagueSummary
		what string
	}{{sum, "the league's"}, {dsum, "the dual-play league's"}} {
		fmt.Fprintf(w, "  %s%c  %s Raft log, snapshot and parameter blobs: %d entries applied, %d results, state %s\n",
			s.sum.Dir, filepath.Separator, s.what, s.sum.Applied, s.sum.Results, s.sum.Hash.String()[:16])
	}
	page := rep.Page
	if abs, err := filepath.Abs(page); err == nil {
		page = abs
	}
	_, err := fmt.Fprintf(w, "\nOpen %s in a browser for the leaderboard and the head-to-head heat map;\n"+
		"%s.png shows how exploitable each learner and the league's mixture were, round by round;\n"+
		"%s.png the solver's held-out pass@1 and the proposer's difficulty, step by step.\n", page,
		filepath.Join(rep.Config.Dir, demo.ExploitabilityPlot), filepath.Join(rep.Config.Dir, demo.DualPlot))
	return err
}

// statusLine shows a run's progress on one line: rewritten in place with
// \r on a terminal, as plain lines about every tenth of the rounds
// otherwise (logs and pipes keep no control characters).
type statusLine struct {
	w     io.Writer
	tty   bool
	every int  // rounds between plain lines
	drawn bool // a line is on screen without its newline
}

func newStatusLine(w io.Writer, tty bool, rounds int) *statusLine {
	return &statusLine{w: w, tty: tty, every: max(1, rounds/10)}
}

func (s *statusLine) show(p demo.Progress) {
	var msg string
	switch p.Stage {
	case demo.StageTrain:
		msg = fmt.Sprintf("round %d/%d · %d members · %d matches · best exploitability %.4f (%s) · dual play step %d/%d, pass@1 %.3f",
			p.Round, p.Rounds, p.Members, p.Matches, p.BestExpl, p.Best, p.DualStep, p.DualSteps, p.PassAt1)
		if !s.tty && p.Round%s.every != 0 && p.Round != 1 && p.Round != p.Rounds {
			return
		}
	case demo.StageRate:
		msg = fmt.Sprintf("round robin among %d members and ratings with bootstrap intervals…", p.Members)
	case demo.StageWrite:
		msg = "writing the leaderboard, the page and the plots…"
	}
	if s.tty {
		fmt.Fprintf(s.w, "\r%s\033[K", msg)
		s.drawn = true
		return
	}
	fmt.Fprintln(s.w, msg)
}

// done ends the line on a terminal, so later output starts on a fresh one.
func (s *statusLine) done() {
	if s.tty && s.drawn {
		fmt.Fprint(s.w, "\r\033[K")
		s.drawn = false
	}
}
