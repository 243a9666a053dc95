package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/selfplay-lab/selfplay/league"
)

const leaderboardDescription = `
Rate the players of pairwise battles and print a leaderboard with 95%
confidence intervals and CI-aware ranks (1 + the number of players whose
lower bound is above your upper bound).

Input files (FILE "-" is standard input) are read in order and may mix
formats; each is detected unless --input is given:
  jsonl  one object per line: {"a": NAME, "b": NAME, "winner": "a"|"b"|"tie"}
  arena  Chatbot Arena battles: model_a, model_b, winner = model_a, model_b,
         tie or "tie (bothbad)"; a JSON array or one object per line
  csv    a header row, then the columns named by --col-a, --col-b and either
         --col-winner or --col-score-a/--col-score-b (higher score wins);
         a/b/winner, model_a/model_b/winner and
         home_team/away_team/home_score/away_score are found unaided
Malformed records are skipped and counted in the notes (the first ones are
logged with FILE:LINE); --strict stops at the first one instead.

Methods:
  bt         Bradley-Terry maximum likelihood (ties count half a win each
             way), rating = 1000 + 400*beta/ln10 with mean 1000, or pinned by
             --anchor. The fit exists only when the comparison graph is
             strongly connected; otherwise the largest strongly connected
             group is rated and the rest excluded, with reasons in the notes
             (or --prior N rates everyone with N virtual ties each).
             Chatbot Arena's published scale pins mixtral-8x7b-instruct-v0.1
             at 1114: --anchor mixtral-8x7b-instruct-v0.1=1114.
  elo        online Elo in file order (K = --k, start 1000); order-dependent
  glicko2    Glicko-2 over rating periods of --period battles
  openskill  Weng-Lin Plackett-Luce (OpenSkill defaults); rating = mu
  nashavg    Nash averaging: rating = 400/ln10 * (A p*) with A the logit of
             the head-to-head win rates and p* its max-entropy Nash
  lottery    the maximal lottery of the win-loss margins (probability)
  alpharank  alpha-Rank stationary mass over head-to-head win rates
Without --bootstrap the intervals are Wald (bt), rating +/- 1.96 RD
(glicko2), mu +/- 1.96 sigma (openskill), or points (the rest).

JSON output: {"method":…,"players":[{"name","rating","ci_low","ci_high",
"rank","games","wins","losses","ties"}…],"excluded":[names],"notes":[…]},
players sorted by rating.`

func runLeaderboard(ctx context.Context, e *env, args []string) error {
	fs := e.flags("leaderboard", "[flags] FILE...", leaderboardDescription,
		"selfplay leaderboard battles.jsonl",
		"selfplay leaderboard --bootstrap 100 --seed 1 --format html clean_battle.json > board.html",
		"selfplay leaderboard --anchor mixtral-8x7b-instruct-v0.1=1114 --format json arena.json",
		"selfplay leaderboard --col-a home_team --col-b away_team --col-score-a home_score --col-score-b away_score results.csv",
		"selfplay leaderboard --method elo --k 4 --format csv battles.jsonl")
	input := fs.String("input", "", "input format: jsonl, arena or csv (default: detect per file)")
	method := fs.String("method", "bt", "rating method: bt, elo, glicko2, openskill, nashavg, lottery or alpharank")
	boot := fs.Int("bootstrap", 0, "bootstrap resamples for percentile confidence intervals (0: the method's own intervals)")
	seed := fs.Uint64("seed", 1, "bootstrap seed; the same seed gives the same intervals")
	anchor := fs.String("anchor", "", "pin one player's rating, as NAME=RATING (bt, elo, glicko2; default bt: mean 1000)")
	k := fs.Float64("k", 4, "Elo K factor (Chatbot Arena uses 4)")
	prior := fs.Float64("prior", 0, "bt: virtual ties per player against an average player; > 0 rates everyone (default 0: exact MLE)")
	period := fs.Int("period", 0, "glicko2: battles per rating period (0: 6 per player, about 12 games each)")
	alpha := fs.Float64("alpha", 100, "alpharank: ranking intensity alpha")
	popSize := fs.Int("pop-size", 50, "alpharank: population size m")
	strict := fs.Bool("strict", false, "fail on the first malformed record instead of skipping it")
	format := fs.String("format", "table", "output format: table, json, csv, html or svg")
	title := fs.String("title", "Leaderboard", "title of the html and svg output")
	var cols league.CSVColumns
	fs.StringVar(&cols.A, "col-a", "", "csv: column holding player A")
	fs.StringVar(&cols.B, "col-b", "", "csv: column holding player B")
	fs.StringVar(&cols.Winner, "col-winner", "", "csv: column holding the winner (a, b, model_a, model_b, a player's name, tie, draw, 1-0, 0-1, 1/2-1/2)")
	fs.StringVar(&cols.ScoreA, "col-score-a", "", "csv: column holding A's score (use with --col-score-b instead of --col-winner)")
	fs.StringVar(&cols.ScoreB, "col-score-b", "", "csv: column holding B's score")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usagef("no input files")
	}
	switch *format {
	case "table", "json", "csv", "html", "svg":
	default:
		return usagef("-format %q: expected table, json, csv, html or svg", *format)
	}
	switch league.BattleFormat(*input) {
	case "", league.FormatJSONL, league.FormatArena, league.FormatCSV:
	default:
		return usagef("-input %q: expected jsonl, arena or csv", *input)
	}
	opt := league.DefaultRateOptions(league.RatingMethod(*method))
	opt.Bootstrap, opt.Seed = *boot, *seed
	opt.Elo.K = *k
	opt.BT.Prior = *prior
	opt.Glicko2.PeriodSize = *period
	opt.AlphaRank = league.AlphaRankConfig{Alpha: *alpha, PopulationSize: *popSize}
	if *anchor != "" {
		name, val, ok := strings.Cut(*anchor, "=")
		r, perr := strconv.ParseFloat(val, 64)
		if !ok || name == "" || perr != nil {
			return usagef("-anchor %q: expected NAME=RATING, e.g. gpt-4=1200", *anchor)
		}
		opt.Anchor, opt.AnchorRating = name, r
	}

	bs := league.NewBattles()
	var notes []string
	ropt := league.ReadOptions{Format: league.BattleFormat(*input), Strict: *strict, Columns: cols}
	for _, f := range files {
		st, err := readBattleInput(e, f, bs, ropt)
		if err != nil {
			return badInput(err)
		}
		e.log.Debug().Str("file", f).Str("format", string(st.Format)).Int("battles", st.Added).Msg("read")
		for _, le := range st.Errors {
			e.log.Warn().Msg("skipped malformed record: " + le.Error())
		}
		if st.Malformed > 0 {
			notes = append(notes, fmt.Sprintf("%s: skipped %d malformed records of %d (first: %v)", f, st.Malformed, st.Records, st.Errors[0]))
		}
		if st.SelfPlay > 0 {
			notes = append(notes, fmt.Sprintf("%s: skipped %d battles of a player against itself", f, st.SelfPlay))
		}
	}
	if len(bs.List) == 0 {
		return badInput(errors.New("no battles in the input"))
	}
	lb, err := league.Rate(ctx, bs, opt)
	switch {
	case errors.Is(err, league.ErrBadOption), errors.Is(err, league.ErrNoMLE):
		return badInput(err)
	case err != nil:
		return err
	}
	notes = append(notes, fmt.Sprintf("read %d battles among %d players from %d files", len(bs.List), bs.NumPlayers(), len(files)))
	lb.Notes = append(notes, lb.Notes...)
	return writeLeaderboard(e.stdout, *format, *title, lb, bs)
}

// readBattleInput reads one FILE argument ("-" is standard input).
func readBattleInput(e *env, path string, bs *league.Battles, opt league.ReadOptions) (league.ReadStats, error) {
	if path == "-" {
		return league.ReadBattles(e.stdin, "<stdin>", bs, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return league.ReadStats{}, err
	}
	defer f.Close()
	return league.ReadBattles(f, path, bs, opt)
}

func writeLeaderboard(w io.Writer, format, title string, lb *league.Leaderboard, bs *league.Battles) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(lb)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"rank", "name", "rating", "ci_low", "ci_high", "games", "wins", "losses", "ties"})
		for _, p := range lb.Players {
			f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
			i := func(x int64) string { return strconv.FormatInt(x, 10) }
			cw.Write([]string{strconv.Itoa(p.Rank), p.Name, f(p.Rating), f(p.CILow), f(p.CIHigh), i(p.Games), i(p.Wins), i(p.Losses), i(p.Ties)})
		}
		cw.Flush()
		return cw.Error()
	case "html":
		return league.WriteLeaderboardHTML(w, title, lb, league.HeadToHeadOf(bs, lb))
	case "svg":
		return league.WriteLeaderboardSVG(w, title, lb)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "rank\tplayer\t%s\t95%% CI\tgames\twins\tlosses\tties\t\n", lb.Method)
	for _, p := range lb.Players {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s – %s\t%d\t%d\t%d\t%d\t\n", p.Rank, p.Name,
			league.FormatRating(lb.Method, p.Rating), league.FormatRating(lb.Method, p.CILow), league.FormatRating(lb.Method, p.CIHigh),
			p.Games, p.Wins, p.Losses, p.Ties)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(lb.Excluded) > 0 {
		fmt.Fprintf(w, "\nexcluded (%d): %s\n", len(lb.Excluded), strings.Join(lb.Excluded, ", "))
	}
	if len(lb.Notes) > 0 {
		fmt.Fprintf(w, "\nnotes:\n")
		for _, n := range lb.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
	return nil
}
