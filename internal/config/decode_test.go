package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// exp is shaped like a runner's experiment file.
type exp struct {
	Name       string        `yaml:"name"`
	Iterations int           `yaml:"iterations"`
	Seeds      uint8         `yaml:"seeds"`
	Timeout    time.Duration `yaml:"timeout"`
	Game       game          `yaml:"game"`
	Algorithms []algo        `yaml:"algorithms"`
	Tags       map[string]int
	Grid       [2]float64 `yaml:"grid"`
	Note       *string    `yaml:"note"`
	Extra      any        `yaml:"extra"`
	Ignored    int        `yaml:"-"`
}

type game struct {
	Kind string  `yaml:"kind"`
	K    int     `yaml:"k"`
	Temp float64 `yaml:"temp"`
}

type algo struct {
	Name   string               `yaml:"name"`
	Eta    float64              `yaml:"eta"`
	Params map[string]yaml.Node `yaml:",inline"`
}

// SetDefaults gives every algorithm entry a step size unless the file sets one.
func (a *algo) SetDefaults() { a.Eta = 0.1 }

func TestDecodeValid(t *testing.T) {
	src := `name: rps
iterations: 500
seeds: 7
timeout: 1m30s
game: {kind: cyclic, k: 3}
algorithms:
  - name: mmd
    tau: 0.01
  - name: spo
    eta: 0.5
tags: {a: 1}
grid: [0.5, 2]
note: hi
extra: [1, two]
`
	cfg := exp{Iterations: 1000, Game: game{Temp: 2}}
	doc, err := Decode("exp.yaml", []byte(src), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "rps" || cfg.Iterations != 500 || cfg.Seeds != 7 || cfg.Timeout != 90*time.Second {
		t.Errorf("scalars: %+v", cfg)
	}
	if cfg.Game != (game{Kind: "cyclic", K: 3, Temp: 2}) {
		t.Errorf("game = %+v; absent temp must keep its default 2", cfg.Game)
	}
	if len(cfg.Algorithms) != 2 || cfg.Algorithms[0].Eta != 0.1 || cfg.Algorithms[1].Eta != 0.5 {
		t.Errorf("algorithms = %+v; SetDefaults must give eta 0.1 when absent", cfg.Algorithms)
	}
	if n, ok := cfg.Algorithms[0].Params["tau"]; !ok || n.Value != "0.01" {
		t.Errorf("inline map did not collect tau: %v", cfg.Algorithms[0].Params)
	}
	if cfg.Tags["a"] != 1 || cfg.Grid != [2]float64{0.5, 2} || cfg.Note == nil || *cfg.Note != "hi" {
		t.Errorf("tags/grid/note: %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Extra, []any{1, "two"}) {
		t.Errorf("extra = %#v", cfg.Extra)
	}
	for path, want := range map[string][2]int{
		"":                   {1, 1},
		"algorithms[1].eta":  {10, 10},
		"algorithms[0].tau":  {8, 10},
		"game.k":             {5, 25},
		"grid[1]":            {12, 13},
		"algorithms[0]":      {7, 5},
		"algorithms[0].name": {7, 11},
	} {
		line, col, ok := doc.Pos(path)
		if !ok || line != want[0] || col != want[1] {
			t.Errorf("Pos(%q) = %d:%d ok=%v, want %d:%d", path, line, col, ok, want[0], want[1])
		}
	}
	if line, _, ok := doc.Pos("algorithms[0].eta"); ok || line != 7 {
		t.Errorf("Pos of an absent field = line %d ok=%v; want its element's line 7, not ok", line, ok)
	}
	if !doc.Has("game.kind") || doc.Has("game.temp") {
		t.Errorf("Has: game.kind must be present, game.temp absent")
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // every line of the error, in order
	}{
		{"type", "algorithms:\n  - name: a\n  - name: b\n    eta: abc\n",
			[]string{`exp.yaml:4:10: algorithms[1].eta: expected a number, found "abc"`}},
		{"quoted number", "iterations: \"12\"\n",
			[]string{`exp.yaml:1:13: iterations: expected an integer, found "12"`}},
		{"float into int", "iterations: 1.5\n",
			[]string{`exp.yaml:1:13: iterations: expected an integer, found 1.5`}},
		{"overflow", "seeds: 300\n",
			[]string{`exp.yaml:1:8: seeds: 300 is out of range for uint8`}},
		{"negative uint", "seeds: -1\n",
			[]string{`exp.yaml:1:8: seeds: expected a non-negative integer, found -1`}},
		{"null scalar", "iterations:\n",
			[]string{`exp.yaml:1:12: iterations: expected an integer, found nothing`}},
		{"duration", "timeout: 5 minutes\n",
			[]string{`exp.yaml:1:10: timeout: expected a duration such as 1.5s or 200ms, found "5 minutes"`}},
		{"unknown near miss", "game:\n  kinds: x\n",
			[]string{`exp.yaml:2:3: game.kinds: unknown field (did you mean "kind"?)`}},
		{"unknown far", "game:\n  colour: x\n",
			[]string{`exp.yaml:2:3: game.colour: unknown field; expected one of: k, kind, temp`}},
		{"duplicate", "name: a\nname: b\n",
			[]string{`exp.yaml:2:1: name: duplicate key (first at line 1)`}},
		{"list expected", "algorithms: {name: x}\n",
			[]string{`exp.yaml:1:13: algorithms: expected a list, found a mapping`}},
		{"struct expected", "game: [1]\n",
			[]string{`exp.yaml:1:7: game: expected a mapping of fields, found a list`}},
		{"scalar expected", "name: [a]\n",
			[]string{`exp.yaml:1:7: name: expected a string, found a list`}},
		{"array length", "grid: [1, 2, 3]\n",
			[]string{`exp.yaml:1:7: grid: expected a list of 2 items, found 3 items`}},
		{"map key type", "tags: {a: x}\n",
			[]string{`exp.yaml:1:11: tags.a: expected an integer, found "x"`}},
		{"several", "iterations: x\ngame: {k: y}\nbogus: 1\n", []string{
			`exp.yaml:1:13: iterations: expected an integer, found "x"`,
			`exp.yaml:2:11: game.k: expected an integer, found "y"`,
			`exp.yaml:3:1: bogus: unknown field; expected one of: algorithms, extra, game, grid, iterations, name, note, seeds, tags, timeout`,
		}},
		{"syntax", "game:\n  k: 1\n bad\n", []string{`exp.yaml:2: did not find expected key`}},
		{"two documents", "name: a\n---\nname: b\n", []string{`exp.yaml:2:1: a second YAML document: expected exactly one`}},
		{"empty", "", []string{`exp.yaml: empty document: expected a YAML mapping`}},
		{"top not mapping", "- 1\n", []string{`exp.yaml:1:1: expected a mapping of fields, found a list`}},
		{"alias cycle", "extra: &a [*a]\n", nil}, // any located error will do, as long as it does not hang
		{"merge of scalar", "game:\n  <<: 3\n", []string{`exp.yaml:2:7: game: merge key <<: expected a mapping or a list of mappings, found 3`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg exp
			_, err := Decode("exp.yaml", []byte(tc.src), &cfg)
			if err == nil {
				if tc.want == nil && tc.name == "alias cycle" {
					return // the YAML library may refuse or accept a self-reference; it must not loop
				}
				t.Fatalf("no error")
			}
			var list *ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an *ErrorList: %v", err, err)
			}
			if tc.want == nil {
				return
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var one *Error
			if !errors.As(err, &one) || one.File != "exp.yaml" {
				t.Errorf("errors.As(*Error) = %v", one)
			}
		})
	}
}

func TestDecodeIntegralFloat(t *testing.T) {
	var cfg exp
	if _, err := Decode("exp.yaml", []byte("iterations: 1e3\nseeds: 2.0\n"), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Iterations != 1000 || cfg.Seeds != 2 {
		t.Errorf("iterations %d seeds %d; want 1000 and 2", cfg.Iterations, cfg.Seeds)
	}
}

func TestDecodeAliasesAndMerge(t *testing.T) {
	src := `game: &g {kind: disc, k: 4}
algorithms:
  - &base {name: mmd, eta: 0.3}
  - <<: *base
    name: egpo
  - <<: [{eta: 0.7}, *base]
extra: *g
`
	var cfg exp
	if _, err := Decode("exp.yaml", []byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	want := []algo{{Name: "mmd", Eta: 0.3}, {Name: "egpo", Eta: 0.3}, {Name: "mmd", Eta: 0.7}}
	for i, a := range cfg.Algorithms {
		if a.Name != want[i].Name || a.Eta != want[i].Eta {
			t.Errorf("algorithms[%d] = %+v, want %+v (explicit keys win, earlier merges win)", i, a, want[i])
		}
	}
	if cfg.Game.K != 4 || !reflect.DeepEqual(cfg.Extra, map[string]any{"kind": "disc", "k": 4}) {
		t.Errorf("alias not expanded: %+v %#v", cfg.Game, cfg.Extra)
	}
}

func TestDecodeAliasBomb(t *testing.T) {
	// Nine levels of ten-fold aliases would expand to 10^9 values.
	var b strings.Builder
	b.WriteString("extra:\n  a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("  a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	var cfg struct {
		Extra map[string][]any `yaml:"extra"`
	}
	_, err := Decode("bomb.yaml", []byte(b.String()), &cfg)
	if err == nil {
		t.Fatal("a billion-value alias expansion decoded without error")
	}
}

func TestDecodeNodeLater(t *testing.T) {
	// A runner decodes per-algorithm hyperparameters once it knows the name.
	type mmdParams struct {
		Tau    float64 `yaml:"tau"`
		Magnet string  `yaml:"magnet"`
	}
	src := "algorithms:\n  - name: mmd\n    tau: 0.01\n    magnet: moving\n  - name: mmd\n    tau: big\n    magnit: x\n"
	var cfg exp
	doc, err := Decode("exp.yaml", []byte(src), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Check()
	var got []mmdParams
	for i, a := range cfg.Algorithms {
		var p mmdParams
		c.Add("", doc.DecodeFields(Path("algorithms", i), a.Params, &p))
		got = append(got, p)
	}
	if got[0] != (mmdParams{Tau: 0.01, Magnet: "moving"}) {
		t.Errorf("params[0] = %+v", got[0])
	}
	want := "exp.yaml:6:10: algorithms[1].tau: expected a number, found \"big\"\n" +
		"exp.yaml:7:5: algorithms[1].magnit: unknown field (did you mean \"magnet\"?)"
	if err := c.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestDecodeNotPointer(t *testing.T) {
	var cfg exp
	if _, err := Decode("x.yaml", []byte("name: a\n"), cfg); err == nil {
		t.Error("decoding into a non-pointer must fail")
	}
	if _, err := Decode("x.yaml", []byte("name: a\n"), (*exp)(nil)); err == nil {
		t.Error("decoding into a nil pointer must fail")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "exp.yaml")
	if err := os.WriteFile(p, []byte("iterations: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var cfg exp
	_, err := Load(p, &cfg)
	if err == nil || !strings.HasPrefix(err.Error(), p+":1:13: iterations:") {
		t.Errorf("Load error = %v; want it to start with the file path and position", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), &cfg); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestMaxErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("algorithms:\n")
	for range MaxErrors + 5 {
		b.WriteString("  - eta: x\n")
	}
	var cfg exp
	_, err := Decode("exp.yaml", []byte(b.String()), &cfg)
	var list *ErrorList
	if !errors.As(err, &list) || len(list.Errs) != MaxErrors || list.Omitted != 5 {
		t.Fatalf("got %d errors, %d omitted; want %d and 5", len(list.Errs), list.Omitted, MaxErrors)
	}
	if !strings.HasSuffix(err.Error(), "(and 5 more problems)") {
		t.Errorf("summary line missing: %q", err.Error())
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	note := "n"
	in := exp{Name: "x", Iterations: 3, Seeds: 2, Timeout: time.Second, Game: game{Kind: "bt", K: 5, Temp: 1e-6},
		Algorithms: []algo{{Name: "mmd", Eta: 0.25}}, Tags: map[string]int{"b": 2, "a": 1}, Grid: [2]float64{1, 2}, Note: &note}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out exp
	if _, err := Decode("resolved.yaml", data, &out); err != nil {
		t.Fatalf("decoding Marshal's output: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the value:\n in %+v\nout %+v\n%s", in, out, data)
	}
	if !strings.Contains(string(data), "algorithms:\n  - name: mmd\n") {
		t.Errorf("expected two-space indentation:\n%s", data)
	}
}

func TestPathAndKey(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Path("algorithms", 2, "eta"), "algorithms[2].eta"},
		{Path("algorithms[2]", "eta"), "algorithms[2].eta"},
		{Path("", "a"), "a"},
		{Path("games", Key("a b"), "k"), `games["a b"].k`},
		{Key("rock-paper"), "rock-paper"},
		{Key(""), `[""]`},
		{parent("a.b[2]"), "a.b"},
		{parent("a.b"), "a"},
		{parent("a"), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
