package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/internal/results"
	"github.com/selfplay-lab/selfplay/league"
)

// TestWorkersDoNotChangeResults: one worker and four give the same files
// byte for byte (both leaderboards, both pages, both metrics files), and
// the workers' shares add up to every match but the training ones.
func TestWorkersDoNotChangeResults(t *testing.T) {
	files := []string{LeaderboardJSON, LeaderboardText, PageFile, MetricsFile,
		DualLeaderboardJSON, DualLeaderboardText, DualPageFile, DualMetricsFile}
	var first map[string][]byte
	for _, workers := range []int{1, 4} {
		cfg := tiny(t, 5)
		cfg.Workers = workers
		rep, err := Run(context.Background(), cfg, Leagues{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, name := range files {
			got[name] = readFile(t, cfg.Dir, name)
		}
		if first == nil {
			first = got
		} else {
			for _, name := range files {
				if !bytes.Equal(got[name], first[name]) {
					t.Errorf("%s differs between 1 and %d workers", name, workers)
				}
			}
		}
		lc, _ := cfg.LeagueConfig()
		training := int64(cfg.Rounds * lc.Matches * len(lc.Learners))
		var sum int64
		busy := 0
		for _, w := range rep.Workers {
			sum += w.Matches
			if w.Matches > 0 {
				busy++
			}
		}
		if len(rep.Workers) != workers || rep.Driver != training ||
			sum != int64(rep.Result.Matches+rep.Dual.Matches)-training || busy != workers {
			t.Errorf("%d workers: %d listed (%d busy) with %d matches, driver %d; want %d matches for the workers and %d training ones",
				workers, len(rep.Workers), busy, sum, rep.Driver, int64(rep.Result.Matches+rep.Dual.Matches)-training, training)
		}
	}
}

// TestDualPlayLeague checks the dual-play league of a run against its own
// definition: every snapshot of both roles is a member named by the hash of
// its parameters' blob, every (solver, proposer) pair played dualMatches
// times, every member is rated, and on the shared scale the later half of
// the solver snapshots is rated above the earlier half, on every seed, as
// their held-out pass@1 says it should be.
func TestDualPlayLeague(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			cfg := tiny(t, seed)
			var last Progress
			rep, err := Run(context.Background(), cfg, Leagues{}, func(p Progress) {
				if p.Stage == StageTrain {
					last = p
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			d := rep.Dual
			snaps := DualSteps/dualSnapshotEvery + 1
			if len(d.Members) != 2*snaps || len(d.League.Members()) != 2*snaps {
				t.Fatalf("%d members (league: %d), want %d snapshots of each role", len(d.Members), len(d.League.Members()), snaps)
			}
			if last.DualStep != DualSteps || last.DualMembers != 2*snaps || last.PassAt1 != d.Steps[DualSteps].PassAt1 {
				t.Errorf("last progress: step %d, %d members, pass@1 %v", last.DualStep, last.DualMembers, last.PassAt1)
			}
			for _, m := range d.Members {
				lm, ok := d.League.Member(m.ID)
				if !ok || lm.Params != league.Hash(sha256.Sum256(EncodeDualParams(m.Role, m.Values))) ||
					lm.Meta["role"] != m.Role || int(lm.Step) != m.Step {
					t.Errorf("member %s: league has %+v", m.ID, lm)
				}
			}
			if d.Matches != snaps*snaps*dualMatches || len(d.Battles.List) != d.Matches {
				t.Errorf("%d matches (%d battles), want %d² pairs × %d", d.Matches, len(d.Battles.List), snaps, dualMatches)
			}
			if len(d.Leaderboard.Players) != 2*snaps || len(d.Leaderboard.Excluded) > 0 {
				t.Errorf("%d rated, excluded %v", len(d.Leaderboard.Players), d.Leaderboard.Excluded)
			}
			first, final := d.Steps[0].PassAt1, d.Steps[len(d.Steps)-1].PassAt1
			early, late := d.SolverRatings()
			t.Logf("seed %d: pass@1 %.3f → %.3f; solver ratings, earlier half %.1f, later half %.1f", seed, first, final, early, late)
			if !(final > first) || !(late > early) {
				t.Errorf("pass@1 %.3f → %.3f, solver ratings earlier %.1f, later %.1f: want both to rise", first, final, early, late)
			}

			// The files: the JSON is the leaderboard, the metrics have a row per step.
			var lb league.Leaderboard
			if err := json.Unmarshal(readFile(t, cfg.Dir, DualLeaderboardJSON), &lb); err != nil || len(lb.Players) != 2*snaps {
				t.Errorf("%s: %d players, %v", DualLeaderboardJSON, len(lb.Players), err)
			}
			rows, err := results.Read(filepath.Join(cfg.Dir, DualMetricsFile))
			if err != nil || len(rows) != DualSteps+1 || !math.IsNaN(rows[0].Metrics["proposer_difficulty"]) {
				t.Errorf("%s: %d rows (want %d), %v", DualMetricsFile, len(rows), DualSteps+1, err)
			}
			for _, name := range []string{DualPlot + ".png", DualRatingsPlot + ".png"} {
				if !bytes.HasPrefix(readFile(t, cfg.Dir, name), []byte("\x89PNG\r\n\x1a\n")) {
					t.Errorf("%s is not a PNG", name)
				}
			}
		})
	}
}

// TestPlayDualMatch: a match is a function of its id (the same id gives the
// same outcome, whoever plays it), and a stronger solver wins more often
// against the same proposer, a harder proposer less often against the same
// solver.
func TestPlayDualMatch(t *testing.T) {
	space, err := game.NewTaskSpace(DualConfig(1).Task)
	if err != nil {
		t.Fatal(err)
	}
	c, g := space.NumCategories(), space.NumCells()
	only := func(cell int) []float64 { // every category, one difficulty cell
		p := make([]float64, c*g)
		for k := range c {
			p[k*g+cell] = 1 / float64(c)
		}
		return p
	}
	theta := func(v float64) []float64 { return slices.Repeat([]float64{v}, c) }
	const n = 2000
	wins := func(probs, th []float64) int {
		w := 0
		for i := range n {
			if PlayDualMatch(space, 7, "d"+strconv.Itoa(i), probs, th) {
				w++
			}
		}
		return w
	}
	easy, hard := only(1), only(g-2)
	if a, b := wins(easy, theta(0)), wins(easy, theta(0)); a != b {
		t.Fatalf("the same matches gave %d and %d wins", a, b)
	}
	for _, tc := range []struct {
		name         string
		strong, weak int
	}{
		{"stronger solver", wins(easy, theta(2)), wins(easy, theta(-2))},
		{"easier tasks", wins(easy, theta(0)), wins(hard, theta(0))},
	} {
		if tc.strong <= tc.weak+n/20 {
			t.Errorf("%s: %d wins of %d, against %d", tc.name, tc.strong, n, tc.weak)
		}
	}
}

func TestDualParamsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		role   string
		values []float64
	}{
		{RoleSolver, []float64{0, -1.5, 2.25, 1e-300}},
		{RoleProposer, []float64{0.25, 0.75}},
		{RoleSolver, nil},
	} {
		role, values, err := DecodeDualParams(EncodeDualParams(tc.role, tc.values))
		if err != nil || role != tc.role || len(values) != len(tc.values) || (len(values) > 0 && !slices.Equal(values, tc.values)) {
			t.Errorf("%s %v: decoded %s %v, %v", tc.role, tc.values, role, values, err)
		}
	}
	good := EncodeDualParams(RoleSolver, []float64{1, 2})
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"other magic", append([]byte("selfplay/other/v1\n"), good[len(dualMagic):]...)},
		{"unknown role", EncodeDualParams("judge", []float64{1})},
		{"truncated", good[:len(good)-3]},
		{"trailing byte", append(slices.Clone(good), 0)},
		{"NaN", EncodeDualParams(RoleSolver, []float64{math.NaN()})},
		{"infinite", EncodeDualParams(RoleProposer, []float64{math.Inf(-1)})},
	} {
		if _, _, err := DecodeDualParams(tc.data); !errors.Is(err, ErrDualParams) {
			t.Errorf("%s: %v, want ErrDualParams", tc.name, err)
		}
	}
}

// FuzzDecodeDualParams: the decoder never panics, and what it accepts
// encodes back to the same bytes.
func FuzzDecodeDualParams(f *testing.F) {
	f.Add(EncodeDualParams(RoleSolver, []float64{0.5, -1}))
	f.Add(EncodeDualParams(RoleProposer, []float64{1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		role, values, err := DecodeDualParams(data)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeDualParams(role, values), data) {
			t.Fatalf("%q decodes to %s %v, which encodes differently", data, role, values)
		}
	})
}

// cancelLeague cancels a run from inside a batch of the workers: at the
// k-th result they record.
type cancelLeague struct {
	*league.State
	mu     sync.Mutex
	k      int
	cancel context.CancelFunc
}

func (c *cancelLeague) Apply(ev league.Event) (league.Effect, error) {
	if r, ok := ev.(*league.RecordResult); ok && r.Worker != "leaguesim" {
		c.mu.Lock()
		if c.k--; c.k == 0 {
			c.cancel()
		}
		c.mu.Unlock()
	}
	return c.State.Apply(ev)
}

// TestRunCancelInBatch: cancelling while the workers play a batch (of the
// league or of the dual-play league) stops the run with context.Canceled,
// and writes no leaderboard (Pool.Do waits for its workers, so none is
// left running: the race detector would see one touch the league).
func TestRunCancelInBatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		dual bool
		k    int
	}{
		{"league batch", false, 3000},
		{"dual-play batch", true, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tiny(t, 1)
			cfg.Workers = 3
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cl := &cancelLeague{State: league.NewState(), k: tc.k, cancel: cancel}
			lgs := Leagues{Main: cl}
			if tc.dual {
				lgs = Leagues{Dual: cl}
			}
			_, err := Run(ctx, cfg, lgs, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if cl.k > 0 {
				t.Fatalf("the run ended before the cancel (%d results to go)", cl.k)
			}
			if _, err := os.Stat(filepath.Join(cfg.Dir, LeaderboardJSON)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s after a cancelled run: %v", LeaderboardJSON, err)
			}
		})
	}
}
