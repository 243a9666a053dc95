package game

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite the golden .nfg files in testdata/nfg/golden")

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

// payoffAt returns player i's exact payoff at the pure profile s.
func payoffAt(g *Normal, i int, s ...int) *big.Rat { return g.PayoffRat(i, g.Index(s...)) }

func checkPayoffs(t *testing.T, g *Normal, want map[[2]int][]string) {
	t.Helper()
	for prof, w := range want {
		for i, v := range w {
			if got := payoffAt(g, i, prof[0], prof[1]); got.Cmp(rat(v)) != 0 {
				t.Errorf("payoff of player %d at %v = %v, want %s", i+1, prof, got.RatString(), v)
			}
		}
	}
}

// TestNFGFixtures reads every shipped game and checks its content against
// the game as described in its comment or in the literature.
func TestNFGFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, g *Normal)
	}{
		{"pd.nfg", func(t *testing.T, g *Normal) {
			checkPayoffs(t, g, map[[2]int][]string{{0, 0}: {"3", "3"}, {1, 0}: {"5", "0"}, {0, 1}: {"0", "5"}, {1, 1}: {"1", "1"}})
			// Defect strictly dominates: (Defect, Defect) has zero regret.
			if r := g.RegretRat(pure(g, 1, 1)); r[0].Sign() != 0 || r[1].Sign() != 0 {
				t.Errorf("regret at (D, D) = %v", r)
			}
			if g.Strategies[1][1] != "Defect" || g.Players[0] != "Row" || !strings.HasPrefix(g.Comment, "The standard") {
				t.Errorf("labels %q %q, comment %q", g.Players, g.Strategies, g.Comment)
			}
		}},
		{"matching_pennies.nfg", func(t *testing.T, g *Normal) {
			checkPayoffs(t, g, map[[2]int][]string{{0, 0}: {"1", "-1"}, {1, 0}: {"-1", "1"}, {0, 1}: {"-1", "1"}, {1, 1}: {"1", "-1"}})
			if !g.IsZeroSum() || !g.HasOutcomes() {
				t.Error("matching pennies should be zero-sum with an outcome table")
			}
			half := big.NewRat(1, 2)
			if r := g.RegretRat(MixedRat{{half, half}, {half, half}}); r[0].Sign() != 0 || r[1].Sign() != 0 {
				t.Errorf("uniform play has regret %v", r)
			}
		}},
		{"bos.nfg", func(t *testing.T, g *Normal) {
			checkPayoffs(t, g, map[[2]int][]string{{0, 0}: {"2", "1"}, {1, 1}: {"1", "2"}, {0, 1}: {"0", "0"}})
			if g.Comment != "" || g.Strategies[0][1] != "2" {
				t.Errorf("counts form: comment %q, labels %q", g.Comment, g.Strategies)
			}
			x := MixedRat{{big.NewRat(2, 3), big.NewRat(1, 3)}, {big.NewRat(1, 3), big.NewRat(2, 3)}}
			if r := g.RegretRat(x); r[0].Sign() != 0 || r[1].Sign() != 0 {
				t.Errorf("the mixed equilibrium has regret %v", r)
			}
		}},
		{"rps.nfg", func(t *testing.T, g *Normal) {
			checkPayoffs(t, g, map[[2]int][]string{{1, 0}: {"1", "-1"}, {0, 1}: {"-1", "1"}, {2, 1}: {"1", "-1"}, {2, 2}: {"0", "0"}})
			if !g.IsZeroSum() || g.Title != "Rock, paper, scissors" {
				t.Error("RPS not zero-sum or title lost")
			}
			third := big.NewRat(1, 3)
			u := MixedRat{{third, third, third}, {third, third, third}}
			for i, v := range g.DeviationRat(u, 0) {
				if v.Sign() != 0 {
					t.Errorf("strategy %d earns %v against uniform", i, v)
				}
			}
		}},
		{"volunteer3.nfg", func(t *testing.T, g *Normal) {
			if fmt.Sprint(g.Shape()) != "[2 2 2]" || g.Players[2] != "Cat" {
				t.Fatalf("shape %v players %q", g.Shape(), g.Players)
			}
			if v := g.PayoffRat(2, g.Index(1, 1, 0)); v.Cmp(big.NewRat(2, 3)) != 0 {
				t.Errorf("lone volunteer Cat gets %v, want 2/3", v)
			}
			// The symmetric equilibrium ignores with probability 1/√3.
			q := 1 / math.Sqrt(3)
			x := Mixed{{1 - q, q}, {1 - q, q}, {1 - q, q}}
			for i, r := range g.Regret(x) {
				if r > 1e-15 {
					t.Errorf("player %d regret %v at the mixed equilibrium", i+1, r)
				}
			}
		}},
		{"degenerate.nfg", func(t *testing.T, g *Normal) {
			// Every point of the continuum has exact regret zero, and
			// just outside it player I gains by deviating.
			for _, y := range []string{"2/3", "5/6", "1", "13/20"} {
				py := rat(y)
				x := MixedRat{{big.NewRat(1, 1), new(big.Rat), new(big.Rat)}, {py, new(big.Rat).Sub(big.NewRat(1, 1), py)}}
				r := g.RegretRat(x)
				inside := py.Cmp(big.NewRat(2, 3)) >= 0
				if (r[0].Sign() == 0 && r[1].Sign() == 0) != inside {
					t.Errorf("y = %s: regret %v, want zero only for y ≥ 2/3", y, r)
				}
			}
		}},
		{"outcome_permuted.nfg", func(t *testing.T, g *Normal) {
			checkPayoffs(t, g, map[[2]int][]string{{0, 0}: {"4", "4"}, {1, 0}: {"1", "0"}, {2, 0}: {"0", "1"}, {0, 1}: {"0", "1"}, {1, 1}: {"3", "3"}, {2, 2}: {"0", "0"}})
			outs, idx := g.Outcomes()
			if len(outs) != 8 || outs[3].Label != "ML" || fmt.Sprint(idx) != "[1 4 7 2 5 8 3 6 0]" {
				t.Errorf("outcome table %v %v", outs, idx)
			}
		}},
		{"gambit_style.nfg", func(t *testing.T, g *Normal) {
			if g.Title != "A game whose title\nspans two lines" || g.Players[0] != `Player "one"` {
				t.Errorf("title %q, players %q", g.Title, g.Players)
			}
			if !strings.Contains(g.Comment, `quote "names",`+"\nuse `backticks` and :cite:`refs`") || !strings.Contains(g.Comment, `backslash \ before`) {
				t.Errorf("comment %q", g.Comment)
			}
			checkPayoffs(t, g, map[[2]int][]string{{0, 0}: {"3/2", "-1/3"}, {1, 0}: {"1/4", "3"}, {0, 1}: {"0", "0"}, {1, 1}: {"1/10", "100"}})
			if g.Payoff(0, 3) != 0.1 || !g.IsRational() {
				t.Errorf("float value of 0.1 is %v; IsRational %v", g.Payoff(0, 3), g.IsRational())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			g, err := ParseNFGFile(filepath.Join("testdata", "nfg", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, g)
		})
	}
}

func pure(g *Normal, s ...int) MixedRat {
	x := make(MixedRat, len(s))
	for i, si := range s {
		x[i] = make([]*big.Rat, g.NumStrategies(i))
		for t := range x[i] {
			x[i][t] = new(big.Rat)
		}
		x[i][si].SetInt64(1)
	}
	return x
}

// TestNFGGolden writes every fixture and compares with its golden file.
// Fixtures already in Gambit's layout must come back byte for byte.
func TestNFGGolden(t *testing.T) {
	canonical := map[string]bool{"pd.nfg": true, "matching_pennies.nfg": true, "rps.nfg": true,
		"volunteer3.nfg": true, "degenerate.nfg": true, "outcome_permuted.nfg": true}
	files, _ := filepath.Glob(filepath.Join("testdata", "nfg", "*.nfg"))
	if len(files) < 8 {
		t.Fatalf("found %d fixtures", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			g, err := ReadNFG(bytes.NewReader(src), name)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := g.WriteNFG(&out); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "nfg", "golden", name)
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("written text differs from %s:\n%s", golden, out.Bytes())
			}
			if canonical[name] && !bytes.Equal(out.Bytes(), src) {
				t.Errorf("write(read(%s)) is not the file itself:\n%s", name, out.Bytes())
			}
			checkRoundTrip(t, g, out.Bytes())
		})
	}
}

// checkRoundTrip asserts that text (written from g) reads back as a game
// equal to g that writes the same text, and that the other form also
// reads back with the same payoffs.
func checkRoundTrip(t *testing.T, g *Normal, text []byte) {
	t.Helper()
	h, err := ReadNFG(bytes.NewReader(text), "written")
	if err != nil {
		t.Fatalf("re-reading the written text: %v\n%s", err, text)
	}
	if !h.Equal(g) {
		t.Fatalf("re-read game differs:\n%s", text)
	}
	var again bytes.Buffer
	if err := h.WriteNFG(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), text) {
		t.Fatalf("second write differs:\n%s\nvs\n%s", text, again.Bytes())
	}
	for _, form := range []NFGForm{NFGPayoffs, NFGOutcomes} {
		var b bytes.Buffer
		if err := g.WriteNFGForm(&b, form); err != nil {
			t.Fatal(err)
		}
		k, err := ReadNFG(bytes.NewReader(b.Bytes()), "form")
		if err != nil {
			t.Fatalf("form %d: %v\n%s", form, err, b.Bytes())
		}
		if !samePayoffs(g, k) || k.HasOutcomes() != (form == NFGOutcomes) {
			t.Fatalf("form %d: payoffs differ or wrong form:\n%s", form, b.Bytes())
		}
	}
}

// samePayoffs compares labels and exact payoffs, ignoring outcome tables.
func samePayoffs(g, h *Normal) bool {
	a, b := g.Clone(), h.Clone()
	a.outcomes, b.outcomes = nil, nil
	return a.Equal(b)
}

func TestNFGWriteFloatsAndStrings(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	g := RandomUniform(rng, 3, 2, 2)
	g.SetPayoff(0, 1, 1e-300)
	g.SetPayoff(1, 2, -12345678.25)
	g.SetPayoff(2, 3, 1e21)
	g.SetPayoffRat(0, 4, rat("-7/3"))
	g.SetPayoffRat(1, 5, rat("123456789012345678901234567890"))
	g.Title = `back\slash "quoted" \"both\" end\`
	g.Players = []string{"", `\\`, "new\nline ünïcode"}
	g.Strategies[0][2] = `\`
	g.Comment = `"` + "\t" + `\x`
	var buf bytes.Buffer
	if err := g.WriteNFG(&buf); err != nil {
		t.Fatal(err)
	}
	h, err := ReadNFG(bytes.NewReader(buf.Bytes()), "floats")
	if err != nil {
		t.Fatal(err)
	}
	// Floats come back as the same float64; their rationals become the
	// shortest decimals.
	for i := range 3 {
		for k := range g.NumProfiles() {
			if h.Payoff(i, k) != g.Payoff(i, k) {
				t.Fatalf("payoff (%d,%d): wrote %v, read %v", i, k, g.Payoff(i, k), h.Payoff(i, k))
			}
		}
	}
	if h.PayoffRat(0, 4).Cmp(rat("-7/3")) != 0 || h.PayoffRat(1, 5).Cmp(rat("123456789012345678901234567890")) != 0 {
		t.Error("exact payoffs changed")
	}
	if h.Title != g.Title || h.Comment != g.Comment || fmt.Sprint(h.Players) != fmt.Sprint(g.Players) || h.Strategies[0][2] != `\` {
		t.Errorf("strings changed: %q %q %q %q", h.Title, h.Comment, h.Players, h.Strategies)
	}
	if !h.IsRational() {
		t.Error("a game read from a file is not rational")
	}
	// Gambit's escaping: quotes only, backslashes kept unless ambiguous.
	if !strings.HasPrefix(buf.String(), `NFG 1 R "back\slash \"quoted\" \\\"both\\\" end\\" { "" "\\\\" "new`) {
		t.Errorf("header written as %q", buf.String()[:80])
	}
	checkRoundTrip(t, h, buf.Bytes())

	g.Players = g.Players[:2]
	if err := g.WriteNFG(&buf); !errors.Is(err, ErrShape) {
		t.Errorf("writing with a missing player label: %v", err)
	}
}

// Random strings over a small alphabet rich in quotes and backslashes
// survive a round trip as labels.
func TestNFGStringRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	alphabet := []string{`"`, `\`, "a", " ", "\n", "{", "}", ",", "é"}
	g := New(1)
	for range 500 {
		var sb strings.Builder
		for range rng.IntN(8) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		g.Title, g.Players[0], g.Strategies[0][0] = sb.String(), sb.String()+`\`, `\`+sb.String()
		var buf bytes.Buffer
		if err := g.WriteNFG(&buf); err != nil {
			t.Fatal(err)
		}
		h, err := ReadNFG(&buf, "s")
		if err != nil {
			t.Fatalf("%q: %v", sb.String(), err)
		}
		if !h.Equal(g) {
			t.Fatalf("%q came back as %q, %q, %q", sb.String(), h.Title, h.Players[0], h.Strategies[0][0])
		}
	}
}

func TestParseNFGNumber(t *testing.T) {
	tests := []struct {
		text, value string
		spelled     bool
	}{
		{"3", "3", false}, {"-3", "-3", false}, {"0", "0", false}, {"+3", "3", true}, {"007", "7", true},
		{"-0", "0", true}, {"1.5", "3/2", true}, {"0.1", "1/10", true}, {"1.131000", "1131/1000", true},
		{"7.32", "183/25", true}, {"1e3", "1000", true}, {"1.25E-2", "1/80", true}, {".5", "1/2", true},
		{"5.", "5", true}, {"-5/2", "-5/2", false}, {"10/4", "5/2", true}, {"1/3", "1/3", false},
		{"7/38", "7/38", false}, {"3/1", "3", true}, {"0/5", "0", true},
		{"123456789012345678901234567890", "123456789012345678901234567890", false},
		{"9007199254740993", "9007199254740993", false}, {"-9007199254740993", "-9007199254740993", false},
		{"0.30000000000000004", "30000000000000004/100000000000000000", true},
		{"1e-400", "1/" + "1" + strings.Repeat("0", 400), true},
		{"2.5e+300", "25" + strings.Repeat("0", 299), true},
		{"12345678901234567890/98765432109876543210", "137174210/1097393690", true},
		{"1e308", "1" + strings.Repeat("0", 308), true},
	}
	for _, tc := range tests {
		num, want := parseNFGNumber([]byte(tc.text))
		if want != "" {
			t.Errorf("%q: rejected (%s)", tc.text, want)
			continue
		}
		// Rebuild the exact value as the writer would.
		r := num.exact
		if r == nil {
			r = new(big.Rat).SetFloat64(num.f)
		}
		if r.Cmp(rat(tc.value)) != 0 {
			t.Errorf("%q = %v, want %s", tc.text, r.RatString(), tc.value)
		}
		if wf, _ := rat(tc.value).Float64(); num.f != wf {
			t.Errorf("%q: float %v, want nearest %v", tc.text, num.f, wf)
		}
		if (num.spell != "") != tc.spelled || (tc.spelled && num.spell != tc.text) {
			t.Errorf("%q: spelling %q", tc.text, num.spell)
		}
	}
	for _, bad := range []string{"", "-", "+", ".", "1..2", "1/", "/2", "1/2/3", "1e", "1e+", "0x10", "1_000",
		"inf", "NaN", "1/-2", "1.5/2", "--1", "1/0", "1e1000", "1e1001", "1e99999", "1e400", "-1e309", "1.2.3", "e5", "5-"} {
		if num, want := parseNFGNumber([]byte(bad)); want == "" {
			t.Errorf("%q accepted as %v", bad, num)
		}
	}
	if _, want := parseNFGNumber(bytes.Repeat([]byte("1"), maxNumberLen+1)); want == "" {
		t.Error("overlong number accepted")
	}
}

// Random decimals and fractions parse to the value big.Rat computes from
// the same digits, and to its nearest float64.
func TestParseNFGNumberOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		return string(b)
	}
	for range 20000 {
		var text, oracle string
		sign := []string{"", "-", "+"}[rng.IntN(3)]
		if rng.IntN(4) == 0 {
			p, q := "1"+digits(rng.IntN(25)), "1"+digits(rng.IntN(25))
			text = sign + p + "/" + q
			x, _ := new(big.Int).SetString(p, 10)
			y, _ := new(big.Int).SetString(q, 10)
			r := new(big.Rat).SetFrac(x, y)
			if sign == "-" {
				r.Neg(r)
			}
			oracle = r.RatString()
		} else {
			text = sign + digits(rng.IntN(22))
			if rng.IntN(2) == 0 || text == sign {
				text += "." + digits(rng.IntN(22))
			}
			if text == sign+"." {
				text += "5"
			}
			if rng.IntN(2) == 0 {
				text += fmt.Sprintf("e%d", rng.IntN(80)-40)
			}
			oracle = text // big.Rat reads decimal floating-point text in base 10
		}
		num, want := parseNFGNumber([]byte(text))
		if want != "" {
			t.Fatalf("%q rejected: %s", text, want)
		}
		r := num.exact
		if r == nil {
			r = new(big.Rat).SetFloat64(num.f)
		}
		wr := rat(strings.TrimPrefix(oracle, "+"))
		if r.Cmp(wr) != 0 {
			t.Fatalf("%q = %v, want %v", text, r.RatString(), wr.RatString())
		}
		if wf, _ := wr.Float64(); num.f != wf {
			t.Fatalf("%q: float %v, want %v", text, num.f, wf)
		}
		if f, exact := wr.Float64(); exact != (num.exact == nil) {
			t.Fatalf("%q: stored rational %v though float %v exact=%v", text, num.exact, f, exact)
		}
	}
}

func TestReadNFGErrors(t *testing.T) {
	const hdr = `NFG 1 R "t" { "a" "b" } { 2 2 } `
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"", 1, 1, `expected "NFG" (an .nfg file starts with NFG 1 R), found end of file`},
		{"EFG 2 R", 1, 1, `found "EFG"`},
		{"NFG 2 R", 1, 5, `expected version 1 after NFG, found number "2"`},
		{"NFG 1 X", 1, 7, `expected R or D after NFG 1, found "X"`},
		{"NFG 1 R title", 1, 9, `expected the game's title (a quoted string), found "title"`},
		{`NFG 1 R "t" "P1"`, 1, 13, `expected "{" before the player names, found string "P1"`},
		{`NFG 1 R "t" { }`, 1, 15, `expected at least one player name (a quoted string), found "}"`},
		{`NFG 1 R "t" { "a" 3 }`, 1, 19, `expected a player name (a quoted string) or "}", found number "3"`},
		{`NFG 1 R "t` + "\n\n", 1, 9, "unterminated string: expected a closing quote, found end of file"},
		{`NFG 1 R "t" { "a" "b" } 2 2`, 1, 25, `expected "{" before the strategies, found number "2"`},
		{`NFG 1 R "t" { "a" "b" } { 2 }`, 1, 29, `expected the number of strategies of player 2, found "}"`},
		{`NFG 1 R "t" { "a" "b" } { 2 2 2 }`, 1, 31, `expected "}" after the strategy counts of 2 players, found number "2"`},
		{`NFG 1 R "t" { "a" "b" } { 2 0 }`, 1, 29, `expected the number of strategies of player 2 (a positive integer), found number "0"`},
		{`NFG 1 R "t" { "a" "b" } { 2 2.5 }`, 1, 29, `player 2 (a positive integer), found number "2.5"`},
		{`NFG 1 R "t" { "a" "b" } { "x" }`, 1, 27, `expected the strategies: counts such as { 3 2 }`},
		{`NFG 1 R "t" { "a" "b" } { { "x" } }`, 1, 35, `expected the strategy names of player 2 ("{"), found "}"`},
		{`NFG 1 R "t" { "a" "b" } { { "x" } { } }`, 1, 37, `expected at least one strategy name of player 2, found "}"`},
		{`NFG 1 R "t" { "a" "b" } { { "x" } { "y" 3 } }`, 1, 41, `expected a strategy name of player 2 (a quoted string) or "}", found number "3"`},
		{`NFG 1 R "t" { "a" } { { "x" } { "y" } }`, 1, 31, `expected "}" after the strategies of 1 player, found "{"`},
		{`NFG 1 R "t" { "a" "b" } { 100000 100000 }`, 1, 25, "too large: 100000×100000 strategies make more than 100000000 profiles"},
		{hdr, 1, 33, "expected the payoffs (numbers) or an outcome list ({), found end of file"},
		{hdr + `"c" "d"`, 1, 37, `expected the payoffs (numbers) or an outcome list ({), found string "d"`},
		{hdr + "1 2 3\n4 5 6", 2, 6, "expected payoff 7 of 8 (2 players × 4 profiles), found end of file"},
		{hdr + "1 2 3 4 5 6 7 8 9", 1, 49, "expected end of file after 8 payoffs (2 players × 4 profiles), found number \"9\""},
		{hdr + "1 2 x 4", 1, 37, `expected a number, found "x"`},
		{hdr + "1, 2", 1, 34, `expected a payoff (a number), found ","`},
		{hdr + "1 2 3/0", 1, 37, `expected a fraction with a non-zero denominator, found "3/0"`},
		{hdr + "1 2 1e5000", 1, 37, "expected a number with an exponent of at most 1000"},
		{hdr + "1 2 -1e400", 1, 37, "expected a number of magnitude below 1.8e308"},
		{hdr + strings.Repeat("7", 5000), 1, 33, "expected a number or keyword, found a run of more than 4096 characters"},
		{hdr + "{ { 1 2 } }", 1, 37, `expected the name of outcome 1 (a quoted string), found number "1"`},
		{hdr + `{ { "" 1 } }`, 1, 42, `expected payoff 2 of 2 of outcome 1 (a number), found "}"`},
		{hdr + `{ { "" 1 2 3 } }`, 1, 44, `expected "}" after 2 payoffs of outcome 1, found number "3"`},
		{hdr + `{ { "" 1, , 2 } }`, 1, 43, `expected payoff 2 of 2 of outcome 1 (a number), found ","`},
		{hdr + `{ { "" 1 2 } "x" }`, 1, 46, `expected an outcome ("{") or "}" after the outcomes, found string "x"`},
		{hdr + `{ { "" 1 2 } } 1 2 1 1`, 1, 50, "outcome 2 of profile 2 out of range: the file lists 1 outcome"},
		{hdr + `{ { "" 1 2 } } 1 -1 1 1`, 1, 50, `expected the outcome number of profile 2 (0 to 1), found number "-1"`},
		{hdr + `{ { "" 1 2 } } 1 1 1`, 1, 53, "expected outcome number 4 of 4 (one per profile), found end of file"},
		{hdr + `{ { "" 1 2 } } 1 1 1 1 0`, 1, 56, `expected end of file after 4 outcome numbers (one per profile), found number "0"`},
		{hdr + `{ { "" 1 2 } } 1 1 { 1`, 1, 52, `expected the outcome number of profile 3 (0 to 1), found "{"`},
		{hdr + `{ { "" 1 2 } `, 1, 46, `expected an outcome ("{") or "}" after the outcomes, found end of file`},
		{"NFG 1 R \"t\"\n{ \"a\"\n  \"b\" }\n{ 2 2 }\n\n1 2 3 4 5 6 7 8\n9", 7, 1, "expected end of file after 8 payoffs"},
		{`NFG 1 R "t" { "a" } { 1 } 1 2`, 1, 29, `expected end of file after 1 payoff (1 player × 1 profile), found number "2"`},
	}
	for _, tc := range tests {
		_, err := ReadNFG(strings.NewReader(tc.src), "bad.nfg")
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v is not a *SyntaxError", tc.src, err)
			continue
		}
		if se.File != "bad.nfg" || se.Line != tc.line || se.Col != tc.col || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%q:\n got %v\nwant bad.nfg:%d:%d: …%s…", tc.src, err, tc.line, tc.col, tc.msg)
		}
		if !strings.HasPrefix(err.Error(), fmt.Sprintf("bad.nfg:%d:%d: ", se.Line, se.Col)) {
			t.Errorf("message %q does not start with the location", err)
		}
	}
}

func TestReadNFGIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	if _, err := ReadNFG(iotest.DataErrReader(iotest.ErrReader(boom)), "x.nfg"); !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "x.nfg: ") {
		t.Errorf("error %v does not wrap the reader's error with the name", err)
	}
	// A reader that returns little at a time still works.
	g, err := ReadNFG(iotest.OneByteReader(strings.NewReader(`NFG 1 R "t" { "a" } { 2 } 1 2`)), "x.nfg")
	if err != nil || g.Payoff(0, 1) != 2 {
		t.Errorf("one-byte reader: %v", err)
	}
	if _, err := ParseNFGFile(filepath.Join("testdata", "nfg", "missing.nfg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadNFGByteOrderMark(t *testing.T) {
	g, err := ReadNFG(strings.NewReader("\xef\xbb\xbfNFG 1 R \"t\" { \"a\" } { 1 } 5"), "bom.nfg")
	if err != nil || g.Payoff(0, 0) != 5 {
		t.Fatalf("BOM: %v", err)
	}
}

// Generated games of every kind survive a round trip in both forms.
func TestNFGRoundTripGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	games := []*Normal{
		RandomInt(rng, -5, 5, 3, 4),
		RandomInt(rng, math.MinInt64, math.MaxInt64, 2, 2, 2),
		RandomUniform(rng, 2, 3),
		RandomCovariant(rng, 0.5, 2, 2, 3),
		RandomZeroSum(rng, 3, 3),
		RandomDegenerate(rng, 4, 4),
		New(1),
	}
	out := RandomInt(rng, 0, 3, 2, 3)
	if err := out.SetOutcomes([]Outcome{{"x", []*big.Rat{rat("1/3"), rat("-2")}}, {"", []*big.Rat{rat("0"), rat("1e30")}}}, []int{2, 0, 1, 1, 2, 0}); err != nil {
		t.Fatal(err)
	}
	games = append(games, out)
	for n, g := range games {
		var buf bytes.Buffer
		if err := g.WriteNFG(&buf); err != nil {
			t.Fatal(err)
		}
		h, err := ReadNFG(bytes.NewReader(buf.Bytes()), fmt.Sprint("game", n))
		if err != nil {
			t.Fatalf("game %d: %v\n%s", n, err, buf.Bytes())
		}
		// Floats come back as the same floats, rationals exactly.
		for i := range g.NumPlayers() {
			for k := range g.NumProfiles() {
				if h.Payoff(i, k) != g.Payoff(i, k) {
					t.Fatalf("game %d payoff (%d,%d) %v came back as %v", n, i, k, g.Payoff(i, k), h.Payoff(i, k))
				}
				if g.IsRational() && h.PayoffRat(i, k).Cmp(g.PayoffRat(i, k)) != 0 {
					t.Fatalf("game %d exact payoff (%d,%d) changed", n, i, k)
				}
			}
		}
		if g.IsRational() && !h.Equal(g) {
			t.Fatalf("game %d differs after a round trip", n)
		}
		checkRoundTrip(t, h, buf.Bytes())
	}
}
