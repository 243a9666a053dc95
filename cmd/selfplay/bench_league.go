package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/league"
)

// benchLeagueScipy is the same-run reference: the Bradley–Terry fit as
// Chatbot Arena's faster pipeline does it (deduplicate into (a, b, outcome)
// cells, scipy L-BFGS on the weighted logistic likelihood, multinomial
// bootstrap over the cells), timed inside Python so that interpreter
// start-up and file loading are not counted. Arena's settings (gtol 1e-6,
// maxiter 100) stop far from the optimum on badly conditioned data such as
// football results, so the reference runs L-BFGS to convergence (gtol
// 1e-9) and both sides compute the same numbers.
const benchLeagueScipy = `
import json, sys, time
import numpy as np
from scipy.optimize import minimize

path, n_boot, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = np.fromfile(path, dtype=np.int32).reshape(-1, 3)
t0 = time.perf_counter()
n = int(raw[:, :2].max()) + 1
key = (raw[:, 0].astype(np.int64) * n + raw[:, 1]) * 3 + raw[:, 2]
cells, counts = np.unique(key, return_counts=True)
a, b, o = (cells // 3) // n, (cells // 3) % n, cells % 3
score = np.where(o == 0, 1.0, np.where(o == 1, 0.0, 0.5))
t1 = time.perf_counter()

def fit(w):
    tot = w.sum()
    def f(beta):
        d = beta[a] - beta[b]
        ll = w * (score * -np.logaddexp(0, -d) + (1 - score) * -np.logaddexp(0, d))
        g = w * (score - 1 / (1 + np.exp(-d)))
        grad = np.bincount(a, g, n) - np.bincount(b, g, n)
        return -ll.sum() / tot, -grad / tot
    r = minimize(f, np.zeros(n), jac=True, method="L-BFGS-B", options={"gtol": 1e-9, "ftol": 1e-15, "maxiter": 10000, "maxcor": 20})
    return 1000 + 400 / np.log(10) * (r.x - r.x.mean())

point = fit(counts.astype(float))
t2 = time.perf_counter()
rng = np.random.default_rng(seed)
p = counts / counts.sum()
for _ in range(n_boot):
    fit(rng.multinomial(counts.sum(), p).astype(float))
t3 = time.perf_counter()
json.dump({"aggregate": t1 - t0, "fit": t2 - t1, "boot": t3 - t2, "ratings": point.tolist()}, sys.stdout)
`

func runBenchLeague(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench league", "[flags]",
		"Time the leaderboard pipeline on 10^6 battles: reading a jsonl file, the\n"+
			"Bradley-Terry fit, the fit plus --bootstrap resamples, and online Elo. Next to\n"+
			"it, in the same run, scipy's L-BFGS fit and multinomial bootstrap of the same\n"+
			"battles (when /usr/bin/python3 has scipy), and the ratio. Each figure is the\n"+
			"best of --repeat runs. The data are synthetic (--players with normal\n"+
			"strengths, 10% ties) or, with --football, that CSV file tiled to --battles rows.",
		"selfplay bench league", "selfplay bench league --football international_results.csv --repeat 3")
	battles := fs.Int("battles", 1_000_000, "number of battles")
	players := fs.Int("players", 100, "number of players of the synthetic data")
	boot := fs.Int("bootstrap", 100, "bootstrap resamples")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data and the bootstrap")
	repeat := fs.Int("repeat", 3, "runs per measurement; the best is reported")
	football := fs.String("football", "", "tile this football results CSV (home_team, away_team, home_score, away_score) instead of synthetic data")
	refBoot := fs.Int("ref-bootstrap", 100, "bootstrap resamples in the scipy reference (0: fit only)")
	python := fs.String("python", "/usr/bin/python3", "python with numpy and scipy for the reference")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *battles < 1 || *players < 2 || *boot < 0 || *repeat < 1 || *refBoot < 0 {
		return usagef("-battles, -players (≥ 2), -bootstrap, -repeat (≥ 1) and -ref-bootstrap must be positive")
	}
	dir, err := os.MkdirTemp("", "selfplay-bench-league-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var src *league.Battles
	what := fmt.Sprintf("synthetic, %d players", *players)
	if *football != "" {
		src, err = tileFootball(*football, *battles)
		if err != nil {
			return badInput(err)
		}
		what = fmt.Sprintf("%s tiled", filepath.Base(*football))
	} else {
		src = syntheticBattles(*battles, *players, *seed)
	}
	jsonlPath := filepath.Join(dir, "battles.jsonl")
	if err := writeJSONL(jsonlPath, src); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "league bench: %d battles (%s), %d players, GOMAXPROCS %d, best of %d\n\n",
		len(src.List), what, src.NumPlayers(), runtime.GOMAXPROCS(0), *repeat)

	best := func(f func() error) (time.Duration, error) {
		d := time.Duration(math.MaxInt64)
		for range *repeat {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			start := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			d = min(d, time.Since(start))
		}
		return d, nil
	}
	var bs *league.Battles
	tRead, err := best(func() error {
		bs = league.NewBattles()
		_, err := league.ReadBattleFile(jsonlPath, bs, league.ReadOptions{Strict: true})
		return err
	})
	if err != nil {
		return err
	}
	var lb *league.Leaderboard
	tFit, err := best(func() (err error) {
		lb, err = league.Rate(ctx, bs, league.DefaultRateOptions(league.MethodBT))
		return err
	})
	if err != nil {
		return err
	}
	bootOpt := league.DefaultRateOptions(league.MethodBT)
	bootOpt.Bootstrap, bootOpt.Seed = *boot, *seed
	tBoot, err := best(func() error {
		_, err := league.Rate(ctx, bs, bootOpt)
		return err
	})
	if err != nil {
		return err
	}
	tElo, err := best(func() error {
		league.Elo(bs.List, bs.NumPlayers(), league.DefaultEloConfig())
		return nil
	})
	if err != nil {
		return err
	}

	ref, refErr := scipyReference(ctx, e, *python, dir, bs, lb, *refBoot, *seed)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "step\tselfplay\tscipy\tratio\t\n")
	row := func(name string, ours time.Duration, theirs float64) {
		if theirs > 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.1fx\t\n", name, secs(ours.Seconds()), secs(theirs), theirs/ours.Seconds())
		} else {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\n", name, secs(ours.Seconds()))
		}
	}
	row(fmt.Sprintf("read jsonl (%d lines)", len(bs.List)), tRead, 0)
	var refFit, refBootPer float64
	if ref != nil {
		refFit = ref.Aggregate + ref.Fit
		if *refBoot > 0 {
			refBootPer = ref.Boot / float64(*refBoot)
		}
	}
	row("aggregate + BT fit", tFit, refFit)
	if refBootPer > 0 {
		row(fmt.Sprintf("aggregate + BT fit + %d bootstraps", *boot), tBoot, refFit+refBootPer*float64(*boot))
	} else {
		row(fmt.Sprintf("aggregate + BT fit + %d bootstraps", *boot), tBoot, 0)
	}
	row(fmt.Sprintf("online Elo, K = 4 (%d battles)", len(bs.List)), tElo, 0)
	row("read + fit + bootstraps (target < 5 s)", tRead+tBoot, 0)
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case refErr != nil:
		fmt.Fprintf(e.stdout, "\nscipy reference skipped: %v\n", refErr)
	case ref != nil:
		fmt.Fprintf(e.stdout, "\nscipy: L-BFGS-B to convergence (gtol 1e-9) on deduplicated cells, %d multinomial bootstraps timed and scaled to %d;\n"+
			"largest rating difference from selfplay's Newton fit: %.3g points\n", *refBoot, *boot, ref.maxDiff)
	}
	return nil
}

// secs formats seconds with three significant digits.
func secs(s float64) string { return fmt.Sprintf("%.3g s", s) }

type scipyTimes struct {
	Aggregate, Fit, Boot float64
	Ratings              []float64
	maxDiff              float64
}

// scipyReference runs the scipy fit on the battles among the rated
// players and returns its timings, or why it could not.
func scipyReference(ctx context.Context, e *env, python, dir string, bs *league.Battles, lb *league.Leaderboard, nBoot int, seed uint64) (*scipyTimes, error) {
	if err := exec.CommandContext(ctx, python, "-c", "import numpy, scipy").Run(); err != nil {
		return nil, fmt.Errorf("%s cannot import numpy and scipy (%v)", python, err)
	}
	// Renumber the rated players 0..m−1 in leaderboard order, so both fits
	// cover the same players and the ratings line up.
	pos := make([]int32, bs.NumPlayers())
	for i := range pos {
		pos[i] = -1
	}
	for k, p := range lb.Players {
		i, _ := bs.Player(p.Name)
		pos[i] = int32(k)
	}
	buf := make([]byte, 0, 12*len(bs.List))
	for _, b := range bs.List {
		a, c := pos[b.A], pos[b.B]
		if a < 0 || c < 0 {
			continue
		}
		buf = binary.LittleEndian.AppendUint32(buf, uint32(a))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(c))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(b.Outcome))
	}
	bin := filepath.Join(dir, "battles.i32")
	script := filepath.Join(dir, "bt_ref.py")
	if err := os.WriteFile(bin, buf, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(script, []byte(benchLeagueScipy), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, script, bin, fmt.Sprint(nBoot), fmt.Sprint(seed%(1<<31)))
	cmd.Stderr = e.stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("scipy reference failed: %w", err)
	}
	var ref scipyTimes
	if err := json.Unmarshal(out, &ref); err != nil {
		return nil, fmt.Errorf("scipy reference output: %w", err)
	}
	if len(ref.Ratings) != len(lb.Players) {
		return nil, errors.New("scipy reference rated a different number of players")
	}
	for k, p := range lb.Players {
		ref.maxDiff = max(ref.maxDiff, math.Abs(p.Rating-ref.Ratings[k]))
	}
	return &ref, nil
}

// syntheticBattles draws n battles among m players with standard normal
// strengths (natural-log odds), uniform pairs and 10% ties.
func syntheticBattles(n, m int, seed uint64) *league.Battles {
	rng := rand.New(rand.NewPCG(seed, 0x6c65616775650000))
	beta := make([]float64, m)
	bs := league.NewBattles()
	for i := range beta {
		beta[i] = rng.NormFloat64()
		bs.Intern(fmt.Sprintf("player-%03d", i))
	}
	bs.List = make([]league.Battle, 0, n)
	for range n {
		a := rng.IntN(m)
		b := rng.IntN(m - 1)
		if b >= a {
			b++
		}
		o := league.BWins
		switch {
		case rng.Float64() < 0.1:
			o = league.Tie
		case rng.Float64() < 1/(1+math.Exp(beta[b]-beta[a])):
			o = league.AWins
		}
		bs.List = append(bs.List, league.Battle{A: int32(a), B: int32(b), Outcome: o})
	}
	return bs
}

// tileFootball reads a football results CSV and repeats its matches until
// there are n.
func tileFootball(path string, n int) (*league.Battles, error) {
	bs := league.NewBattles()
	if _, err := league.ReadBattleFile(path, bs, league.ReadOptions{Format: league.FormatCSV}); err != nil {
		return nil, err
	}
	if len(bs.List) == 0 {
		return nil, fmt.Errorf("%s: no matches", path)
	}
	one := slices.Clone(bs.List)
	bs.List = bs.List[:0]
	for len(bs.List) < n {
		bs.List = append(bs.List, one[:min(len(one), n-len(bs.List))]...)
	}
	return bs, nil
}

// writeJSONL writes battles as jsonl.
func writeJSONL(path string, bs *league.Battles) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	names := make([][]byte, bs.NumPlayers())
	for i, n := range bs.Names {
		names[i], _ = json.Marshal(n)
	}
	for _, b := range bs.List {
		w.WriteString(`{"a":`)
		w.Write(names[b.A])
		w.WriteString(`,"b":`)
		w.Write(names[b.B])
		w.WriteString(`,"winner":"`)
		w.WriteString(b.Outcome.String())
		w.WriteString("\"}\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
