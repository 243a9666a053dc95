package config

import (
	"strings"
	"testing"
)

func TestChecker(t *testing.T) {
	src := "iterations: -5\ngame:\n  kind: cube\n  temp: 2\nalgorithms:\n  - name: mmd\n    eta: 0\n"
	cfg := exp{Seeds: 0}
	doc, err := Decode("exp.yaml", []byte(src), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Check()
	checks := []bool{
		c.PositiveInt("iterations", cfg.Iterations),
		c.OneOf("game.kind", cfg.Game.Kind, "bt", "cyclic"),
		c.Probability("game.temp", cfg.Game.Temp),
		c.Positive(Path("algorithms", 0, "eta"), cfg.Algorithms[0].Eta),
		c.IntRange("seeds", int(cfg.Seeds), 1, 100),
		c.Present("name"),
		c.Absent("game.kind", `not used by games of kind "bt"`),
		c.NonNegative(Path("algorithms", 0, "eta"), cfg.Algorithms[0].Eta), // passes: 0 ≥ 0
		c.Range("game.temp", cfg.Game.Temp, 0, 10),                         // passes
	}
	want := []bool{false, false, false, false, false, false, false, true, true}
	for i := range want {
		if checks[i] != want[i] {
			t.Errorf("check %d returned %v, want %v", i, checks[i], want[i])
		}
	}
	wantErr := strings.Join([]string{
		`exp.yaml:1:13: iterations: expected a positive integer, found -5`,
		`exp.yaml:3:9: game.kind: expected one of bt, cyclic, found "cube"`,
		`exp.yaml:4:9: game.temp: expected a probability in [0, 1], found 2`,
		`exp.yaml:7:10: algorithms[0].eta: expected a positive number, found 0`,
		`exp.yaml:1:1: seeds: expected an integer in [1, 100], found 0 (the default)`,
		`exp.yaml:1:1: name: missing; this field is required`,
		`exp.yaml:3:9: game.kind: not used by games of kind "bt"`,
	}, "\n")
	if err := c.Err(); err == nil || err.Error() != wantErr {
		t.Errorf("got\n%v\nwant\n%s", err, wantErr)
	}
	if doc.Check().Err() != nil {
		t.Error("a fresh Checker must report nothing")
	}
}

func TestCheckerDefaultInsideSection(t *testing.T) {
	// An absent field is located at its enclosing section.
	var cfg exp
	doc, err := Decode("exp.yaml", []byte("name: x\ngame:\n  kind: bt\n"), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Check()
	c.PositiveInt("game.k", cfg.Game.K)
	want := `exp.yaml:3:3: game.k: expected a positive integer, found 0 (the default)`
	if err := c.Err(); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
