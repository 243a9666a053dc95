package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/demo"
)

// demoCLI runs "selfplay demo ARGS" and returns the exit code, stdout and
// stderr.
func demoCLI(t *testing.T, tty bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"demo"}, args...), strings.NewReader(""), &out, &errb, tty)
	return code, out.String(), errb.String()
}

// TestDemoCommand runs a short demo twice into the same directory (the
// second run reuses it, starting a fresh league) and checks what it
// prints: plain progress lines without a terminal, \r-rewritten ones with
// one, the leaderboard, where the files are and the league's Raft log,
// which holds the same entries and state both times.
func TestDemoCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var first struct{ board, raftLine string }
	for _, tty := range []bool{false, true} {
		code, out, errs := demoCLI(t, tty, "--dir", dir, "--rounds", "3", "--seed", "2")
		if code != exitOK {
			t.Fatalf("tty %v: exit %d: %s", tty, code, errs)
		}
		for _, want := range []string{"round 1/3 · ", "round 3/3 · ", "best exploitability", "round robin among",
			"dual play step 200/200, pass@1 "} {
			if !strings.Contains(errs, want) {
				t.Errorf("tty %v: progress lacks %q:\n%s", tty, want, errs)
			}
		}
		if got := strings.Contains(errs, "\r"); got != tty {
			t.Errorf("tty %v: carriage returns in the progress: %v", tty, got)
		}
		if !tty && strings.Count(errs, "\n") < 5 {
			t.Errorf("plain progress has too few lines:\n%s", errs)
		}
		page, _ := filepath.Abs(filepath.Join(dir, demo.PageFile))
		for _, want := range []string{"Leaderboard (Bradley-Terry", "rank  member", "learner (main)",
			"Dual-play leaderboard", "solver-200", "proposer-000", "the solver's held-out pass@1 went from",
			"Matches played by the 4 in-process workers", " demo-4 ", "by the driver (training matches): ",
			"Files in " + dir, filepath.Join(dir, demo.LeaderboardJSON), filepath.Join(dir, demo.DualPlot+".png"),
			"the dual-play league's Raft log", "Open " + page} {
			if !strings.Contains(out, want) {
				t.Errorf("tty %v: output lacks %q:\n%s", tty, want, out)
			}
		}
		for _, name := range []string{demo.PageFile, filepath.Join(demo.LeagueDir, "raft.db")} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Error(err)
			}
		}
		if snaps, _ := os.ReadDir(filepath.Join(dir, demo.LeagueDir, "snapshots")); len(snaps) != 1 {
			t.Errorf("tty %v: %d snapshots of the league, want the final one", tty, len(snaps))
		}
		var raftLine string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "the league's Raft log") {
				raftLine = l
			}
		}
		board, err := os.ReadFile(filepath.Join(dir, demo.LeaderboardJSON))
		if err != nil || raftLine == "" || !strings.Contains(raftLine, " results, state ") {
			t.Fatalf("tty %v: no leaderboard (%v) or no line about the Raft log:\n%s", tty, err, out)
		}
		if !tty {
			first.board, first.raftLine = string(board), raftLine
		} else if string(board) != first.board || raftLine != first.raftLine {
			t.Errorf("the rerun differs: leaderboard equal %v; Raft log %q then %q",
				string(board) == first.board, first.raftLine, raftLine)
		}
	}
}

// TestDemoCommandErrors: bad flags and a directory that is not a demo's
// exit 2 with a message that says what is wrong; -h exits 0 and documents
// the directory rule.
func TestDemoCommandErrors(t *testing.T) {
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "paper.tex"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"zero rounds", []string{"--rounds", "0"}, exitUsage, "-rounds 0"},
		{"too many rounds", []string{"--rounds", "100000"}, exitUsage, "-rounds 100000"},
		{"rounds not a number", []string{"--rounds", "many"}, exitUsage, "invalid value"},
		{"negative seed", []string{"--seed", "-1"}, exitUsage, "invalid value"},
		{"unknown flag", []string{"--fast"}, exitUsage, "flag provided but not defined"},
		{"argument", []string{"extra"}, exitUsage, `unexpected argument "extra"`},
		{"empty dir flag", []string{"--dir", ""}, exitUsage, "-dir is empty"},
		{"zero workers", []string{"--workers", "0"}, exitUsage, "-workers 0"},
		{"too many workers", []string{"--workers", "65"}, exitUsage, "-workers 65"},
		{"foreign directory", []string{"--dir", foreign, "--rounds", "1"}, exitUsage, foreign + ": directory is not empty"},
		{"help", []string{"-h"}, exitOK, "selfplay-demo.json"},
		{"help names the multi-node league", []string{"-h"}, exitOK, "selfplay league serve"},
		{"help describes the workers", []string{"-h"}, exitOK, "-workers"},
		{"help names the dual-play files", []string{"-h"}, exitOK, demo.DualPlot + ".svg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := demoCLI(t, false, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tc.code, tc.want, errs)
			}
			if tc.code != exitOK && out != "" {
				t.Errorf("stdout on error: %q", out)
			}
		})
	}
	if data, err := os.ReadFile(filepath.Join(foreign, "paper.tex")); err != nil || string(data) != "mine" {
		t.Errorf("the foreign directory was touched: %q, %v", data, err)
	}
	if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
		t.Errorf("the foreign directory holds %d entries", len(entries))
	}
}

// TestDemoIsFirst: the demo is the first command "selfplay help" lists.
func TestDemoIsFirst(t *testing.T) {
	if c := commands()[0]; c.name != "demo" || c.run == nil {
		t.Errorf("first command %q", c.name)
	}
}
