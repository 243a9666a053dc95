package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// tiny is a demo small enough for tests: a handful of rounds.
func tiny(t *testing.T, seed uint64) Config {
	return Config{Dir: filepath.Join(t.TempDir(), "demo"), Seed: seed, Rounds: 6, Workers: 2}
}

// countingLeague is a League that is not a bare *league.State, standing in
// for a replicated league: it counts the events it applies.
type countingLeague struct {
	*league.State
	applied int
}

func (c *countingLeague) Apply(ev league.Event) (league.Effect, error) {
	c.applied++
	return c.State.Apply(ev)
}

// TestRunWritesEverything runs a tiny demo in a league passed in and checks
// every output against the league's own state: every member is on the
// leaderboard, the table and the page, the metrics have a row per learner
// and round, and the plots are real SVG and PNG files.
func TestRunWritesEverything(t *testing.T) {
	cfg := tiny(t, 2)
	lg := &countingLeague{State: league.NewState()}
	var seen []Progress
	rep, err := Run(context.Background(), cfg, Leagues{Main: lg}, func(p Progress) { seen = append(seen, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.League != leaguesim.League(lg) || lg.applied == 0 {
		t.Fatalf("Run did not play in the league it was given (%d events applied to it)", lg.applied)
	}

	// Progress: rounds 1..n in order, then rate and write.
	var stages []Stage
	for i, p := range seen {
		stages = append(stages, p.Stage)
		if p.Stage == StageTrain && p.Round != i+1 {
			t.Errorf("progress %d reports round %d", i, p.Round)
		}
		if p.Stage == StageTrain && (p.Best == "" || !(p.BestExpl >= 0 && p.BestExpl <= 0.5)) {
			t.Errorf("round %d: best exploitability %v (%q)", p.Round, p.BestExpl, p.Best)
		}
	}
	want := append(slices.Repeat([]Stage{StageTrain}, cfg.Rounds), StageRate, StageWrite)
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}

	members := lg.Members()
	if len(members) < 6 { // ref, 4 learners and at least the first snapshots
		t.Fatalf("%d members", len(members))
	}
	var lb league.Leaderboard
	data := readFile(t, cfg.Dir, LeaderboardJSON)
	if err := json.Unmarshal(data, &lb); err != nil {
		t.Fatalf("%s: %v", LeaderboardJSON, err)
	}
	var rated []string
	for _, p := range lb.Players {
		rated = append(rated, p.Name)
	}
	var ids []string
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	slices.Sort(rated)
	slices.Sort(ids)
	if !slices.Equal(rated, ids) || len(lb.Excluded) > 0 {
		t.Errorf("leaderboard rates %v (excluded %v), league members %v", rated, lb.Excluded, ids)
	}
	if lb.Method != league.MethodBT {
		t.Errorf("leaderboard method %s", lb.Method)
	}
	text, page := string(readFile(t, cfg.Dir, LeaderboardText)), string(readFile(t, cfg.Dir, PageFile))
	for _, id := range ids {
		if !strings.Contains(text, "  "+id+"  ") {
			t.Errorf("%s misses member %s", LeaderboardText, id)
		}
		if !strings.Contains(page, id) {
			t.Errorf("%s misses member %s", PageFile, id)
		}
	}
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Errorf("%s starts %q", PageFile, page[:min(40, len(page))])
	}
	for _, name := range []string{LeaderboardSVG, ExploitabilityPlot + ".svg", WinRatePlot + ".svg"} {
		if !bytes.Contains(readFile(t, cfg.Dir, name), []byte("<svg")) {
			t.Errorf("%s is not an SVG", name)
		}
	}
	for _, name := range []string{ExploitabilityPlot + ".png", WinRatePlot + ".png"} {
		if !bytes.HasPrefix(readFile(t, cfg.Dir, name), []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s is not a PNG", name)
		}
	}

	rows, err := results.Read(filepath.Join(cfg.Dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	learners := len(rep.Result.History[0].Learners)
	if len(rows) != cfg.Rounds*(learners+1) {
		t.Errorf("%d metrics rows, want %d rounds × (%d learners + league)", len(rows), cfg.Rounds, learners)
	}
	for _, r := range rows {
		if r.Algorithm == "league" {
			continue
		}
		if w := r.Metrics["win_ref"]; !(w >= 0 && w <= 1) {
			t.Errorf("%s round %d: win_ref %v", r.Algorithm, r.Step, w)
		}
	}

	var m marker
	if err := json.Unmarshal(readFile(t, cfg.Dir, MarkerFile), &m); err != nil || m.Config != cfg {
		t.Errorf("marker %+v (%v), want config %+v", m, err, cfg)
	}
	if rep.Page != filepath.Join(cfg.Dir, PageFile) || !slices.Contains(rep.Files, rep.Page) {
		t.Errorf("page %s not among the files %v", rep.Page, rep.Files)
	}
	for _, f := range rep.Files {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("reported file: %v", err)
		}
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return data
}

// TestRunDeterministic: the same seed gives the same files byte for byte,
// also when the second run reuses the first one's directory; another seed
// gives another leaderboard.
func TestRunDeterministic(t *testing.T) {
	files := []string{LeaderboardJSON, LeaderboardText, MetricsFile, PageFile}
	cfg := tiny(t, 3)
	var first [][]byte
	for run := range 2 { // the second run reuses the directory
		if _, err := Run(context.Background(), cfg, Leagues{Main: league.NewState()}, nil); err != nil {
			t.Fatal(err)
		}
		for i, name := range files {
			data := readFile(t, cfg.Dir, name)
			if run == 0 {
				first = append(first, data)
			} else if !bytes.Equal(data, first[i]) {
				t.Errorf("%s differs between two runs with seed %d", name, cfg.Seed)
			}
		}
	}
	other := tiny(t, 4)
	if _, err := Run(context.Background(), other, Leagues{}, nil); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(readFile(t, other.Dir, LeaderboardJSON), first[0]) {
		t.Error("seeds 3 and 4 gave the same leaderboard")
	}
}

// TestLeagueCoversTheCycle checks the demo's headline on its own league,
// at the default size: after the rounds, the exact exploitability of the
// league's meta-Nash mixture is below the first round's and below a third
// of the least exploitable single response, so the population covers the
// cycle. (An AlphaStar league has no PSRO-style guarantee: of seeds 1–10,
// seeds 8 and 9 end with a population missing the answer to its favourite
// response, above the pure floor; seeds 1–7 all end below 0.01.)
func TestLeagueCoversTheCycle(t *testing.T) {
	seeds := uint64(4)
	if testing.Short() {
		seeds = 1
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		cfg := DefaultConfig()
		cfg.Seed = seed
		lc, err := cfg.LeagueConfig()
		if err != nil {
			t.Fatal(err)
		}
		lc.EvalMatches, lc.Ratings = 0, []league.RatingMethod{} // the rounds only
		res, err := leaguesim.Run(context.Background(), lc, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := res.History
		first, last, pure := h[0].MetaExpl, h[len(h)-1].MetaExpl, pureExpl(lc.Game)
		t.Logf("seed %d: meta-Nash exploitability %.4f after round 1, %.4f after round %d; least pure %.4f; %d members",
			seed, first, last, len(h), pure, h[len(h)-1].Members)
		if !(last < first) || !(last < pure/3) {
			t.Errorf("seed %d: meta-Nash exploitability %.4f → %.4f, least pure response %.4f", seed, first, last, pure)
		}
	}
}

// TestRunCancel stops runs during the rounds and during the ratings: the
// error wraps context.Canceled, the metrics of the completed rounds are
// written and no leaderboard is.
func TestRunCancel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stop   func(Progress) bool
		rounds int // rows of these rounds are kept
	}{
		{"rounds", func(p Progress) bool { return p.Round == 2 }, 2},
		{"ratings", func(p Progress) bool { return p.Stage == StageRate }, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tiny(t, 1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			last := 0
			_, err := Run(ctx, cfg, Leagues{}, func(p Progress) {
				last = p.Round
				if tc.stop(p) {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if last != tc.rounds {
				t.Errorf("progress went on to round %d after the cancel at %d", last, tc.rounds)
			}
			rows, err := results.Read(filepath.Join(cfg.Dir, MetricsFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.rounds*5 { // 4 learners and the league
				t.Errorf("%d metrics rows, want %d", len(rows), tc.rounds*5)
			}
			if _, err := os.Stat(filepath.Join(cfg.Dir, LeaderboardJSON)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s after a cancelled run: %v", LeaderboardJSON, err)
			}
		})
	}
}

// TestOpenDir: a missing or empty directory is used, an earlier demo's is
// reused (its outputs removed, other files kept), anything else is refused
// without touching it.
func TestOpenDir(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // present before
		err   error
		kept  []string // present after
		gone  []string // removed
	}{
		{name: "missing"},
		{name: "empty", files: map[string]string{}},
		{name: "earlier demo", files: map[string]string{MarkerFile: "{}", LeaderboardJSON: "old", "notes.md": "mine"},
			kept: []string{"notes.md", MarkerFile}, gone: []string{LeaderboardJSON}},
		{name: "other files", files: map[string]string{"thesis.tex": "x", LeaderboardJSON: "y"}, err: ErrNotDemoDir,
			kept: []string{"thesis.tex", LeaderboardJSON}},
		{name: "marker is a directory", files: map[string]string{MarkerFile + "/x": "x"}, err: ErrNotDemoDir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if tc.files != nil {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tc.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := openDir(Config{Dir: dir, Seed: 1, Rounds: 1})
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil && !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the directory", err)
			}
			if err == nil {
				tc.kept = append(tc.kept, MarkerFile)
			}
			for _, name := range tc.kept {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			for _, name := range tc.gone {
				if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s survived: %v", name, err)
				}
			}
			if tc.err != nil && tc.files[LeaderboardJSON] != "" && string(readFile(t, dir, LeaderboardJSON)) != tc.files[LeaderboardJSON] {
				t.Error("a refused directory was changed")
			}
		})
	}
}

// TestRunRejects: bad configs and a league that is not empty are refused
// before anything is written.
func TestRunRejects(t *testing.T) {
	busy := league.NewState()
	if _, err := busy.Apply(&league.AddSnapshot{ID: "someone"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		lgs   Leagues
		err   error
		field string
	}{
		{"no rounds", func(c *Config) { c.Rounds = 0 }, Leagues{}, ErrConfig, "rounds"},
		{"negative rounds", func(c *Config) { c.Rounds = -3 }, Leagues{}, ErrConfig, "rounds"},
		{"too many rounds", func(c *Config) { c.Rounds = MaxRounds + 1 }, Leagues{}, ErrConfig, "rounds"},
		{"no dir", func(c *Config) { c.Dir = "" }, Leagues{}, ErrConfig, "dir"},
		{"no workers", func(c *Config) { c.Workers = 0 }, Leagues{}, ErrConfig, "workers"},
		{"too many workers", func(c *Config) { c.Workers = MaxWorkers + 1 }, Leagues{}, ErrConfig, "workers"},
		{"busy league", func(*Config) {}, Leagues{Main: busy}, ErrLeagueNotEmpty, "members"},
		{"busy dual-play league", func(*Config) {}, Leagues{Dual: busy}, ErrLeagueNotEmpty, "dual-play"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tiny(t, 1)
			tc.edit(&cfg)
			_, err := Run(context.Background(), cfg, tc.lgs, nil)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v, want %v naming %s", err, tc.err, tc.field)
			}
			if cfg.Dir != "" {
				if _, err := os.Stat(cfg.Dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the directory was created: %v", err)
				}
			}
		})
	}
}

// TestPrepareDir: PrepareDir claims a new directory (the marker), refuses
// a foreign one without touching it, and Run then leaves the caller's
// LeagueDir alone.
func TestPrepareDir(t *testing.T) {
	cfg := tiny(t, 2)
	cfg.Rounds = 1
	if err := PrepareDir(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, MarkerFile)); err != nil {
		t.Fatalf("no marker after PrepareDir: %v", err)
	}
	keep := filepath.Join(cfg.Dir, LeagueDir, "raft.db")
	if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keep, []byte("log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, Leagues{}, nil); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(keep); err != nil || string(data) != "log" {
		t.Errorf("Run touched %s: %q, %v", keep, data, err)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := PrepareDir(Config{Dir: foreign, Seed: 1, Rounds: 1, Workers: 1}); !errors.Is(err, ErrNotDemoDir) {
		t.Errorf("foreign directory: %v, want ErrNotDemoDir", err)
	}
	if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
		t.Errorf("PrepareDir left %d entries in the foreign directory", len(entries))
	}
	if err := PrepareDir(Config{Dir: cfg.Dir, Rounds: 0, Workers: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("zero rounds: %v, want ErrConfig", err)
	}
}
