package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/nash"
)

const (
	bosNFG = `NFG 1 R "Battle of the sexes" { "Alice" "Bob" } { 2 2 }
2 1 0 0 0 0 1 2
`
	// Against T both columns are best responses; T stays a best response
	// while y_l ≥ 2/3: a continuum of equilibria.
	degenerateNFG = `NFG 1 R "Degenerate" { "I" "II" }
{ { "T" "M" "B" } { "l" "r" } }
""
3 3 2 2 0 3 3 3 5 6 6 1
`
	penniesNFG = `NFG 1 R "Pennies" { "Matcher" "Mismatcher" } { 2 2 }
1 -1 -1 1 -1 1 1 -1
`
	volunteerNFG = `NFG 1 R "Volunteer" { "Ann" "Ben" "Cat" } { 2 2 2 }
2/3 2/3 2/3 1 2/3 2/3 2/3 1 2/3 1 1 2/3 2/3 2/3 1 1 2/3 1 2/3 1 1 0 0 0
`
	// Player 1 matches 2, 2 matches 3, 3 mismatches 1: no pure equilibrium.
	jordanNFG = `NFG 1 R "No pure equilibrium" { "1" "2" "3" } { 2 2 2 }
1 1 -1 -1 1 1 -1 -1 -1 1 -1 1 1 -1 1 -1 -1 -1 -1 1 1 1 1 -1
`
)

func writeGame(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// decodeSolve parses solve's JSON, checking that it has exactly the
// documented keys.
func decodeSolve(t *testing.T, out string) solveJSON {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"complete", "equilibria", "method", "players", "strategies"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	var eqs []map[string]json.RawMessage
	if err := json.Unmarshal(raw["equilibria"], &eqs); err != nil {
		t.Fatal(err)
	}
	for _, e := range eqs {
		for k := range e {
			if k != "profile" && k != "payoffs" && k != "exact" {
				t.Fatalf("unexpected equilibrium key %q", k)
			}
		}
	}
	var res solveJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func exactKeys(res solveJSON) []string {
	var keys []string
	for _, e := range res.Equilibria {
		var parts []string
		for _, xi := range e.Exact {
			parts = append(parts, strings.Join(xi, " "))
		}
		keys = append(keys, strings.Join(parts, " | "))
	}
	return keys
}

// verifyJSON checks every exact equilibrium of the output against the game
// file, in rational arithmetic, and its float profile against the exact one.
func verifyJSON(t *testing.T, path string, res solveJSON) {
	t.Helper()
	g, err := game.ParseNFGFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Equilibria {
		if e.Exact == nil {
			if r := g.Regret(e.Profile); slices.Max(r) > 1e-9 {
				t.Errorf("float profile %v has regret %v", e.Profile, r)
			}
			continue
		}
		x := make(game.MixedRat, len(e.Exact))
		for i, xi := range e.Exact {
			for s, str := range xi {
				v, ok := new(big.Rat).SetString(str)
				if !ok {
					t.Fatalf("bad fraction %q", str)
				}
				x[i] = append(x[i], v)
				if f, _ := v.Float64(); f != e.Profile[i][s] {
					t.Errorf("profile %v does not match exact %v", e.Profile, e.Exact)
				}
			}
		}
		if err := nash.VerifyExact(g, x); err != nil {
			t.Errorf("%v: %v", e.Exact, err)
		}
	}
}

func TestSolveJSON(t *testing.T) {
	bos := writeGame(t, "bos.nfg", bosNFG)
	degenerate := writeGame(t, "degenerate.nfg", degenerateNFG)
	pennies := writeGame(t, "pennies.nfg", penniesNFG)
	for _, tc := range []struct {
		name     string
		args     []string
		method   string
		complete bool
		exact    []string // nil: a float method
		shape    []int
	}{
		{"bos all", []string{bos, "--all"}, "enum", true,
			[]string{"1 0 | 1 0", "2/3 1/3 | 1/3 2/3", "0 1 | 0 1"}, []int{2, 2}},
		{"bos enum first", []string{bos, "--method", "enum"}, "enum", false, []string{"1 0 | 1 0"}, []int{2, 2}},
		{"bos lemke", []string{"--method", "lemke", bos}, "lemke", false, []string{"1 0 | 1 0"}, []int{2, 2}},
		{"bos lemke label 2", []string{bos, "--method", "lemke", "--label", "2"}, "lemke", false, []string{"0 1 | 0 1"}, []int{2, 2}},
		{"bos lemke all", []string{bos, "--method", "lemke", "--all"}, "lemke", false, []string{"1 0 | 1 0", "0 1 | 0 1"}, []int{2, 2}},
		{"degenerate all", []string{degenerate, "--all"}, "enum", true,
			[]string{"1 0 0 | 1 0", "1 0 0 | 2/3 1/3", "0 1/3 2/3 | 1/3 2/3"}, []int{3, 2}},
		{"pennies auto", []string{pennies}, "lp", false, nil, []int{2, 2}},
		{"pennies enum", []string{pennies, "--all", "--method", "enum"}, "enum", true, []string{"1/2 1/2 | 1/2 1/2"}, []int{2, 2}},
	} {
		code, out, errs := runCLI(t, "", append([]string{"solve", "--format", "json"}, tc.args...)...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", tc.name, code, errs)
			continue
		}
		res := decodeSolve(t, out)
		if res.Method != tc.method || res.Complete != tc.complete || res.Players != len(tc.shape) || !slices.Equal(res.Strategies, tc.shape) {
			t.Errorf("%s: method %q complete %v players %d strategies %v", tc.name, res.Method, res.Complete, res.Players, res.Strategies)
		}
		if tc.exact != nil {
			if got := exactKeys(res); !slices.Equal(got, tc.exact) {
				t.Errorf("%s: equilibria %q, want %q", tc.name, got, tc.exact)
			}
		} else {
			if len(res.Equilibria) != 1 || res.Equilibria[0].Exact != nil {
				t.Fatalf("%s: %+v, want one float equilibrium", tc.name, res.Equilibria)
			}
			for _, p := range slices.Concat(res.Equilibria[0].Profile...) {
				if p < 0.5-1e-9 || p > 0.5+1e-9 {
					t.Errorf("%s: profile %v, want uniform", tc.name, res.Equilibria[0].Profile)
				}
			}
		}
		verifyJSON(t, tc.args[slices.IndexFunc(tc.args, func(a string) bool { return strings.HasSuffix(a, ".nfg") })], res)
	}
}

func TestSolveText(t *testing.T) {
	code, out, errs := runCLI(t, "", "solve", writeGame(t, "d.nfg", degenerateNFG), "--all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		`Degenerate: 2 players, 3×2 strategies`,
		`method enum \(exact, verified\): 3 equilibria, complete`,
		`equilibrium 2 +payoff +strategy=probability\n +I +3 +T=1  M=0  B=0\n +II +3 +l=2/3  r=1/3\n`,
		`\n +I +4 +T=0  M=1/3  B=2/3\n`,
		`\{1,2\} \{3\}; the game has a continuum of equilibria`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("text output does not match %q:\n%s", want, out)
		}
	}
}

func TestSolveExitCodes(t *testing.T) {
	bos := writeGame(t, "bos.nfg", bosNFG)
	bad := writeGame(t, "bad.nfg", "NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 2 3\n")
	jordan := writeGame(t, "jordan.nfg", jordanNFG)
	for _, tc := range []struct {
		args    []string
		code    int
		message string
	}{
		{[]string{}, 2, "want one game file"},
		{[]string{bos, bos}, 2, "want one game file"},
		{[]string{"/nonexistent/game.nfg"}, 2, "no such file"},
		{[]string{bad}, 2, "bad.nfg:"},
		{[]string{bos, "--method", "simplex"}, 2, "expected one of auto, lp"},
		{[]string{bos, "--format", "xml"}, 2, "expected text or json"},
		{[]string{bos, "--method", "lp"}, 2, "zero-sum"},
		{[]string{bos, "--method", "lemke", "--label", "9"}, 2, "outside 1..4"},
		{[]string{jordan, "--method", "enum"}, 2, "two-player game"},
		{[]string{penniesNFG0(t), "--method", "fp", "--iterations", "3", "--tol", "1e-9"}, 1, "did not converge"},
		{[]string{bos, "--method", "rm", "--iterations", "0"}, 2, "--iterations 0"},
		{[]string{bos, "--method", "replicator", "--tol", "-1"}, 2, "--tol -1"},
		{[]string{bos, "--timeout", "-1s"}, 2, "negative"},
	} {
		code, _, errs := runCLI(t, "", append([]string{"solve"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.message) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errs, tc.code, tc.message)
		}
	}
}

func penniesNFG0(t *testing.T) string { return writeGame(t, "pennies.nfg", penniesNFG) }

// TestSolveDynamics checks that the learning-dynamics methods report a
// profile whose regret, recomputed here, is within the accepted tolerance
// and that they find matching pennies' unique equilibrium (1/2, 1/2).
func TestSolveDynamics(t *testing.T) {
	pennies := penniesNFG0(t)
	for _, method := range []string{"fp", "rm", "replicator"} {
		code, out, errs := runCLI(t, "", "solve", pennies, "--method", method, "--iterations", "20000", "--tol", "0.01", "--format", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", method, code, errs)
		}
		res := decodeSolve(t, out)
		if res.Method != method || res.Complete || len(res.Equilibria) != 1 {
			t.Fatalf("%s: got method %q complete %v with %d equilibria", method, res.Method, res.Complete, len(res.Equilibria))
		}
		x := game.Mixed(res.Equilibria[0].Profile)
		g, err := game.ParseNFGFile(pennies)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range g.Regret(x) {
			if r > 0.01*2 {
				t.Errorf("%s: player %d regret %g above the tolerance", method, i+1, r)
			}
		}
		for i := range x {
			if math.Abs(x[i][0]-0.5) > 0.02 {
				t.Errorf("%s: player %d plays heads with %g, want 1/2", method, i+1, x[i][0])
			}
		}
	}
}

// TestSolveAllMatchesLrsnash runs "selfplay solve --all --format json" on
// random games, degenerate ones included, written as .nfg files, and
// compares the extreme equilibria with lrsnash's.
func TestSolveAllMatchesLrsnash(t *testing.T) {
	lrs, err := exec.LookPath("lrsnash")
	if err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatal("lrsnash required (SELFPLAY_REQUIRE_ORACLES=1)")
		}
		t.Skip("lrsnash not installed")
	}
	r := rand.New(rand.NewPCG(77, 1))
	dir := t.TempDir()
	for k := range 40 {
		m, n := 2+r.IntN(4), 2+r.IntN(4)
		var g *game.Normal
		switch k % 3 {
		case 0:
			g = game.RandomInt(r, 0, 9, m, n)
		case 1:
			g = game.RandomInt(r, 0, 1, m, n)
		default:
			g = game.RandomDegenerate(r, m, n)
		}
		nfg := filepath.Join(dir, fmt.Sprintf("g%d.nfg", k))
		var sb strings.Builder
		if err := g.WriteNFG(&sb); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(nfg, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI(t, "", "solve", nfg, "--all", "--format", "json")
		if code != 0 {
			t.Fatalf("game %d: exit %d: %s", k, code, errs)
		}
		res := decodeSolve(t, out)
		if !res.Complete {
			t.Fatalf("game %d: not complete", k)
		}
		verifyJSON(t, nfg, res)
		got := exactKeys(res)
		slices.Sort(got)

		lrsIn := filepath.Join(dir, fmt.Sprintf("g%d.txt", k))
		if err := os.WriteFile(lrsIn, lrsnashInput(g), 0o644); err != nil {
			t.Fatal(err)
		}
		raw, err := exec.Command(lrs, lrsIn).Output()
		if err != nil {
			t.Fatal(err)
		}
		// Groups of lines "2 y… payoff" then one "1 x… payoff"; every
		// (x, y) of a group is an extreme equilibrium.
		var want, ys []string
		sc := bufio.NewScanner(strings.NewReader(string(raw)))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 0:
				ys = ys[:0]
			case f[0] == "2":
				ys = append(ys, strings.Join(f[1:len(f)-1], " "))
			case f[0] == "1":
				for _, y := range ys {
					want = append(want, strings.Join(f[1:len(f)-1], " ")+" | "+y)
				}
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("game %d:\nselfplay %q\nlrsnash  %q\n%s", k, got, want, sb.String())
		}
	}
}

// TestSolveNPlayer checks auto on three-player games: with --all the pure
// equilibria (exact) and a mixed one (float, regret-checked); the game
// without pure equilibria gets its uniform equilibrium.
func TestSolveNPlayer(t *testing.T) {
	volunteer := writeGame(t, "volunteer.nfg", volunteerNFG)
	code, out, errs := runCLI(t, "", "solve", volunteer, "--all", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	res := decodeSolve(t, out)
	if res.Method != "nplayer" || res.Complete || res.Players != 3 || len(res.Equilibria) != 4 {
		t.Fatalf("method %q complete %v players %d, %d equilibria", res.Method, res.Complete, res.Players, len(res.Equilibria))
	}
	if got, want := exactKeys(solveJSON{Equilibria: res.Equilibria[:3]}), []string{"0 1 | 0 1 | 1 0", "0 1 | 1 0 | 0 1", "1 0 | 0 1 | 0 1"}; !slices.Equal(got, want) {
		t.Errorf("pure equilibria %q, want %q", got, want)
	}
	// The symmetric mixed equilibrium ignores with probability 1/√3.
	mixed := res.Equilibria[3]
	if mixed.Exact != nil {
		t.Errorf("mixed equilibrium has an exact form: %v", mixed.Exact)
	}
	for i, xi := range mixed.Profile {
		if math.Abs(xi[1]-1/math.Sqrt(3)) > 1e-8 {
			t.Errorf("player %d ignores with probability %v, want 1/√3", i+1, xi[1])
		}
	}
	verifyJSON(t, volunteer, res)

	jordan := writeGame(t, "jordan.nfg", jordanNFG)
	code, out, errs = runCLI(t, "", "solve", jordan, "--format", "json")
	if code != 0 {
		t.Fatalf("jordan: exit %d: %s", code, errs)
	}
	res = decodeSolve(t, out)
	if len(res.Equilibria) != 1 {
		t.Fatalf("jordan: %d equilibria", len(res.Equilibria))
	}
	for _, p := range slices.Concat(res.Equilibria[0].Profile...) {
		if math.Abs(p-0.5) > 1e-8 {
			t.Errorf("jordan: profile %v, want uniform", res.Equilibria[0].Profile)
		}
	}
	verifyJSON(t, jordan, res)

	code, out, errs = runCLI(t, "", "solve", writeGame(t, "bos.nfg", bosNFG), "--method", "qre", "--format", "json")
	if code != 0 {
		t.Fatalf("qre: exit %d: %s", code, errs)
	}
	if res = decodeSolve(t, out); res.Method != "qre" || len(res.Equilibria) != 1 || res.Equilibria[0].Exact != nil {
		t.Fatalf("qre: %+v", res)
	}
}
