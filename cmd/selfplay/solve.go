package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

// solveRequest is what a solve method gets: the game and the flags.
type solveRequest struct {
	g          *game.Normal
	all        bool
	label      int
	iterations int     // learning dynamics
	tol        float64 // learning dynamics: accepted regret / payoff range
}

// solveResult is a method's answer: equilibria in the order to print them,
// whether they are provably every extreme equilibrium, and what the text
// form should add (maximal Nash subsets, continua).
type solveResult struct {
	method     string // the method that ran ("auto" resolves to another)
	equilibria []solvedEquilibrium
	complete   bool
	notes      []string
}

// solvedEquilibrium is one equilibrium: exact when the method works in
// rationals (exact non-nil), otherwise a float profile whose regret was
// checked.
type solvedEquilibrium struct {
	profile game.Mixed
	payoffs []float64
	exact   game.MixedRat
	payRat  []*big.Rat
	regret  float64 // largest player regret of a float profile
}

// solveMethod is one --method. run returns errMethodNotApplicable-wrapped
// errors (exit 2) for games the method cannot take and other errors (exit
// 1) when it fails.
type solveMethod struct {
	name, summary string
	run           func(ctx context.Context, req solveRequest) (*solveResult, error)
}

var errMethodNotApplicable = errors.New("method does not apply to this game")

// solveMethods lists the methods in the order -h shows them.
func solveMethods() []solveMethod {
	return []solveMethod{
		{"auto", "two players: enum with --all, else lp if zero-sum, else lemke; more: nplayer", solveAuto},
		{"lp", "linear programming, two-player zero-sum (constant-sum) games; float, checked", solveLP},
		{"lemke", "Lemke–Howson from --label (with --all: from every label), exact", solveLemke},
		{"enum", "every extreme equilibrium by vertex enumeration, two players, exact", solveEnum},
		{"nplayer", "any number of players: QRE path, then support equations; float, checked (--all: pure ones too)", solveNPlayer},
		{"qre", "end of the logit quantal response equilibrium path (large λ); float, checked", solveQRE},
		{"fp", "fictitious play for --iterations; float, solved when regret ≤ --tol × payoff range", solveByDynamics("fp", nash.FictitiousPlay)},
		{"rm", "regret matching+ for --iterations; float, solved when regret ≤ --tol × payoff range", solveByDynamics("rm", nash.RegretMatchingPlus)},
		{"replicator", "discrete replicator dynamics for --iterations; float, solved when regret ≤ --tol × payoff range", solveByDynamics("replicator", nash.Replicator)},
	}
}

func runSolve(ctx context.Context, e *env, args []string) error {
	methods := solveMethods()
	var list strings.Builder
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
		fmt.Fprintf(&list, "  %-10s %s\n", m.name, m.summary)
	}
	fs := e.flags("solve", "GAME.nfg [flags]",
		"Solve a game in Gambit's .nfg format and print its equilibria.\n\n"+
			"Methods (--method):\n"+list.String()+"\n"+
			"Exact methods print fractions and verify every equilibrium in rational\n"+
			"arithmetic; float methods report profiles whose regret was checked. \"complete\"\n"+
			"is true only when the list is provably every extreme equilibrium (enum --all).\n"+
			"Exit status: 0 solved, 1 the method failed or timed out, 2 bad flags or input\n"+
			"(including a method that does not apply to the game).\n\n"+
			"JSON form: {\"players\":N,\"strategies\":[m1,...],\"method\":\"...\",\"complete\":bool,\n"+
			"\"equilibria\":[{\"profile\":[[p11,...],...],\"payoffs\":[u1,...],\"exact\":[[\"1/2\",...],...]}]}\n"+
			"with \"exact\" only from exact methods.",
		"selfplay solve game.nfg --all",
		"selfplay solve game.nfg --method lemke --label 3 --format json")
	method := fs.String("method", "auto", "solver: "+strings.Join(names, ", "))
	all := fs.Bool("all", false, "every extreme equilibrium when the method can (enum), all it finds otherwise (lemke: every label)")
	format := fs.String("format", "text", "output format: text or json")
	label := fs.Int("label", 1, "lemke: the label dropped first, 1..m for player 1's strategies, m+1..m+n for player 2's")
	iterations := fs.Int("iterations", 100000, "fp, rm, replicator: number of updates")
	tol := fs.Float64("tol", 1e-3, "fp, rm, replicator: largest regret accepted, as a fraction of the payoff range")
	timeout := fs.Duration("timeout", 0, "give up after this long (0: no limit); what was found is printed and the exit status is 1")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one game file, got %d arguments", len(pos))
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: expected text or json", *format)
	}
	at := slices.IndexFunc(methods, func(m solveMethod) bool { return m.name == *method })
	if at < 0 {
		return usagef("--method %q: expected one of %s", *method, strings.Join(names, ", "))
	}
	if *timeout < 0 {
		return usagef("--timeout %v: must not be negative", *timeout)
	}
	g, err := game.ParseNFGFile(pos[0])
	if err != nil {
		return badInput(err)
	}
	if *iterations < 1 {
		return usagef("--iterations %d: must be at least 1", *iterations)
	}
	if !(*tol > 0) {
		return usagef("--tol %g: must be positive", *tol)
	}
	m := methods[at]
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	start := time.Now()
	res, runErr := m.run(ctx, solveRequest{g: g, all: *all, label: *label, iterations: *iterations, tol: *tol})
	if errors.Is(runErr, errMethodNotApplicable) {
		return badInput(runErr)
	}
	if res != nil {
		e.log.Debug().Str("method", res.method).Int("equilibria", len(res.equilibria)).Dur("took", time.Since(start)).Msg("solved")
		var werr error
		if *format == "json" {
			werr = writeSolveJSON(e.stdout, g, res)
		} else {
			werr = writeSolveText(e.stdout, g, res)
		}
		if werr != nil {
			return werr
		}
	}
	return runErr
}

// solveAuto picks a method from the game's shape.
func solveAuto(ctx context.Context, req solveRequest) (*solveResult, error) {
	g := req.g
	var res *solveResult
	var err error
	switch {
	case g.NumPlayers() == 2 && req.all:
		res, err = solveEnum(ctx, req)
	case g.NumPlayers() == 2 && g.IsZeroSum():
		res, err = solveLP(ctx, req)
	case g.NumPlayers() == 2:
		res, err = solveLemke(ctx, req)
	default:
		res, err = solveNPlayer(ctx, req)
	}
	if res != nil {
		res.notes = append([]string{"auto chose " + res.method}, res.notes...)
	}
	return res, err
}

func needTwoPlayers(g *game.Normal, method string) error {
	if g.NumPlayers() != 2 {
		return fmt.Errorf("%w: --method %s needs a two-player game, this one has %d players", errMethodNotApplicable, method, g.NumPlayers())
	}
	return nil
}

func exactEquilibrium(e nash.Equilibrium) solvedEquilibrium {
	return solvedEquilibrium{profile: e.Profile, payoffs: e.Payoffs, exact: e.Exact, payRat: e.PayoffsRat}
}

func solveEnum(ctx context.Context, req solveRequest) (*solveResult, error) {
	if err := needTwoPlayers(req.g, "enum"); err != nil {
		return nil, err
	}
	r, err := nash.EnumerateBimatrix(ctx, req.g)
	if r == nil {
		return nil, err
	}
	res := &solveResult{method: "enum", complete: r.Complete}
	for _, e := range r.Equilibria {
		res.equilibria = append(res.equilibria, exactEquilibrium(e))
	}
	if !req.all && len(res.equilibria) > 1 {
		res.equilibria, res.complete = res.equilibria[:1], false
		res.notes = append(res.notes, fmt.Sprintf("first of %d extreme equilibria; --all lists every one", len(r.Equilibria)))
	} else if req.all {
		res.notes = append(res.notes, describeCliques(r))
	}
	if err != nil {
		return res, fmt.Errorf("enumeration incomplete: %w", err)
	}
	return res, nil
}

// describeCliques says how the extreme equilibria group into maximal Nash
// subsets and whether there is a continuum.
func describeCliques(r *nash.EnumResult) string {
	var sb strings.Builder
	sb.WriteString("maximal Nash subsets (every mix of the listed equilibria's strategies within a set is an equilibrium):")
	for _, c := range r.Cliques {
		parts := make([]string, len(c))
		for i, e := range c {
			parts[i] = fmt.Sprint(e + 1)
		}
		sb.WriteString(" {" + strings.Join(parts, ",") + "}")
	}
	if r.Continuum {
		sb.WriteString("; the game has a continuum of equilibria")
	} else {
		sb.WriteString("; every equilibrium is isolated")
	}
	return sb.String()
}

func solveLemke(ctx context.Context, req solveRequest) (*solveResult, error) {
	g := req.g
	if err := needTwoPlayers(g, "lemke"); err != nil {
		return nil, err
	}
	m, n := g.NumStrategies(0), g.NumStrategies(1)
	res := &solveResult{method: "lemke"}
	if req.all {
		found, err := nash.LemkeHowsonAll(ctx, g)
		for _, e := range found {
			res.equilibria = append(res.equilibria, exactEquilibrium(e.Equilibrium))
			res.notes = append(res.notes, fmt.Sprintf("equilibrium %d reached from labels %v", len(res.equilibria), e.Labels))
		}
		return res, err
	}
	if req.label < 1 || req.label > m+n {
		return nil, fmt.Errorf("%w: --label %d outside 1..%d", errMethodNotApplicable, req.label, m+n)
	}
	e, err := nash.LemkeHowson(ctx, g, req.label)
	if err != nil {
		return nil, err
	}
	res.equilibria = []solvedEquilibrium{exactEquilibrium(e)}
	return res, nil
}

// solveLP solves a two-player constant-sum game by linear programming on
// player 1's payoffs.
func solveLP(ctx context.Context, req solveRequest) (*solveResult, error) {
	g := req.g
	if err := needTwoPlayers(g, "lp"); err != nil {
		return nil, err
	}
	if !g.IsZeroSum() {
		return nil, fmt.Errorf("%w: --method lp needs a zero-sum (constant-sum) game", errMethodNotApplicable)
	}
	A, _, err := g.Matrices()
	if err != nil {
		return nil, err
	}
	sol, err := nash.SolveZeroSumContext(ctx, A)
	if err != nil {
		return nil, err
	}
	x := game.Mixed{sol.Row, sol.Col}
	eq, err := checkedFloat(g, x)
	if err != nil {
		return nil, err
	}
	res := &solveResult{method: "lp", equilibria: []solvedEquilibrium{eq}}
	res.notes = append(res.notes, fmt.Sprintf("value %g, duality gap %.3g", sol.Value, sol.Gap()))
	return res, nil
}

// checkedFloat wraps a float profile with its payoffs after checking its
// regret against a tolerance relative to the payoff range.
func checkedFloat(g *game.Normal, x game.Mixed) (solvedEquilibrium, error) {
	worst := maxRegret(g, x)
	if worst > 1e-6*payoffRange(g) {
		return solvedEquilibrium{}, fmt.Errorf("solver returned a profile with regret %g", worst)
	}
	return solvedEquilibrium{profile: x, payoffs: g.Expected(x), regret: worst}, nil
}

// solveNPlayer finds one equilibrium of a game with any number of players
// (with --all, the pure equilibria, exact, come first).
func solveNPlayer(ctx context.Context, req solveRequest) (*solveResult, error) {
	g := req.g
	res := &solveResult{method: "nplayer"}
	if req.all {
		if pure, err := solvePure(req); err == nil {
			res.equilibria = pure.equilibria
		}
	}
	x, eps, err := nash.SolveNPlayer(ctx, g, nash.NPlayerOptions{})
	if err != nil {
		return res, err
	}
	eq, err := checkedFloat(g, x)
	if err != nil {
		return res, err
	}
	for _, e := range res.equilibria {
		if sameProfile(e.profile, x) {
			return res, nil // the pure equilibrium found again
		}
	}
	res.equilibria = append(res.equilibria, eq)
	res.notes = append(res.notes, fmt.Sprintf("largest regret of the mixed equilibrium: %.3g", eps))
	return res, nil
}

// solveQRE follows the logit QRE path to its end and reports the profile
// there, an approximate Nash equilibrium.
func solveQRE(ctx context.Context, req solveRequest) (*solveResult, error) {
	path, err := nash.LogitQREPath(ctx, req.g, nash.QREOptions{})
	if len(path) == 0 {
		if err == nil {
			err = errors.New("the logit QRE path is empty")
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	eq, err := checkedFloat(req.g, last.Profile)
	if err != nil {
		return nil, fmt.Errorf("QRE path ended at λ = %g: %w", last.Lambda, err)
	}
	res := &solveResult{method: "qre", equilibria: []solvedEquilibrium{eq}}
	res.notes = append(res.notes, fmt.Sprintf("logit QRE at λ = %.3g (%d path points)", last.Lambda, len(path)))
	return res, nil
}

func sameProfile(a, b game.Mixed) bool {
	for i := range a {
		for s := range a[i] {
			if math.Abs(a[i][s]-b[i][s]) > 1e-9 {
				return false
			}
		}
	}
	return true
}

// solvePure reports the pure equilibria of a game with any number of
// players, exactly; it fails when there is none.
func solvePure(req solveRequest) (*solveResult, error) {
	g := req.g
	pure := nash.PureEquilibria(g)
	res := &solveResult{method: "pure"}
	for _, s := range pure {
		x := make(game.MixedRat, len(s))
		for i, si := range s {
			x[i] = make([]*big.Rat, g.NumStrategies(i))
			for k := range x[i] {
				x[i][k] = new(big.Rat)
			}
			x[i][si].SetInt64(1)
		}
		if err := nash.VerifyExact(g, x); err != nil {
			return nil, fmt.Errorf("internal error: pure equilibrium %v: %w", s, err)
		}
		k := g.Index(s...)
		pay := make([]*big.Rat, g.NumPlayers())
		for i := range pay {
			pay[i] = g.PayoffRat(i, k)
		}
		res.equilibria = append(res.equilibria, ratEquilibrium(x, pay))
		if !req.all {
			break
		}
	}
	if len(pure) == 0 {
		return res, fmt.Errorf("the game has no pure equilibrium, and no mixed solver for %d players is available yet", g.NumPlayers())
	}
	res.notes = append(res.notes, fmt.Sprintf("%d pure equilibria; mixed equilibria are not searched", len(pure)))
	return res, nil
}

func ratEquilibrium(x game.MixedRat, pay []*big.Rat) solvedEquilibrium {
	e := solvedEquilibrium{exact: x, payRat: pay, profile: make(game.Mixed, len(x)), payoffs: make([]float64, len(pay))}
	for i, xi := range x {
		e.profile[i] = make([]float64, len(xi))
		for s, p := range xi {
			e.profile[i][s], _ = p.Float64()
		}
	}
	for i, u := range pay {
		e.payoffs[i], _ = u.Float64()
	}
	return e
}

// solveJSON is the JSON form of a solve result.
type solveJSON struct {
	Players    int               `json:"players"`
	Strategies []int             `json:"strategies"`
	Method     string            `json:"method"`
	Complete   bool              `json:"complete"`
	Equilibria []equilibriumJSON `json:"equilibria"`
}

type equilibriumJSON struct {
	Profile [][]float64 `json:"profile"`
	Payoffs []float64   `json:"payoffs"`
	Exact   [][]string  `json:"exact,omitempty"`
}

func writeSolveJSON(w io.Writer, g *game.Normal, res *solveResult) error {
	out := solveJSON{Players: g.NumPlayers(), Strategies: g.Shape(), Method: res.method, Complete: res.complete,
		Equilibria: []equilibriumJSON{}}
	for _, e := range res.equilibria {
		ej := equilibriumJSON{Profile: e.profile, Payoffs: e.payoffs}
		if e.exact != nil {
			ej.Exact = make([][]string, len(e.exact))
			for i, xi := range e.exact {
				for _, p := range xi {
					ej.Exact[i] = append(ej.Exact[i], p.RatString())
				}
			}
		}
		out.Equilibria = append(out.Equilibria, ej)
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}

func writeSolveText(w io.Writer, g *game.Normal, res *solveResult) error {
	title := g.Title
	if title == "" {
		title = "(untitled)"
	}
	shape := make([]string, g.NumPlayers())
	for i, m := range g.Shape() {
		shape[i] = fmt.Sprint(m)
	}
	fmt.Fprintf(w, "%s: %d players, %s strategies\n", title, g.NumPlayers(), strings.Join(shape, "×"))
	kind := "float, regret-checked"
	if len(res.equilibria) > 0 && res.equilibria[0].exact != nil {
		kind = "exact, verified"
	}
	completeness := "not necessarily all"
	if res.complete {
		completeness = "complete: every extreme equilibrium"
	}
	noun := "equilibria"
	if len(res.equilibria) == 1 {
		noun = "equilibrium"
	}
	fmt.Fprintf(w, "method %s (%s): %d %s, %s\n", res.method, kind, len(res.equilibria), noun, completeness)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for k, e := range res.equilibria {
		fmt.Fprintf(tw, "\nequilibrium %d\tpayoff\tstrategy=probability\n", k+1)
		for i := range e.profile {
			var cells []string
			for s := range e.profile[i] {
				cells = append(cells, g.Strategies[i][s]+"="+formatProb(e, i, s))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", g.Players[i], formatPayoff(e, i), strings.Join(cells, "  "))
		}
		if e.exact == nil {
			fmt.Fprintf(tw, "  regret\t%.3g\t(largest over players)\n", e.regret)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(res.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range res.notes {
			fmt.Fprintln(w, n)
		}
	}
	return nil
}

func formatProb(e solvedEquilibrium, i, s int) string {
	if e.exact != nil {
		return e.exact[i][s].RatString()
	}
	return fmt.Sprintf("%.6g", e.profile[i][s])
}

func formatPayoff(e solvedEquilibrium, i int) string {
	if e.payRat != nil {
		return e.payRat[i].RatString()
	}
	return fmt.Sprintf("%.6g", e.payoffs[i])
}
