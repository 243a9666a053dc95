package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestBenchEngineSmall(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "engine", "--contexts", "300,1e3", "--responses", "4",
		"--games", "50", "--game-size", "3", "--iters", "5", "--min-time", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "backend cpu") {
		t.Errorf("no backend line:\n%s", out)
	}
	// One row per shape and variant, each with a triad fraction and a
	// speed-up over the scalar reference.
	row := regexp.MustCompile(`(?m)^ *(step|step\+gap) +(300|1000) +4 +\S+ +\S+ +[0-9.]+ +[0-9.]+ +[0-9]+% +\S+ +[0-9.]+×`)
	if n := len(row.FindAllString(out, -1)); n != 4 {
		t.Errorf("%d mirror rows, want 4:\n%s", n, out)
	}
	if !regexp.MustCompile(`OMW 3x3 ×5 +50 `).MatchString(out) {
		t.Errorf("no zero-sum row:\n%s", out)
	}
}

func TestBenchEngineBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--contexts", "0"}, {"--responses", "x"}, {"--device", "tpu"}, {"--iters", "0"},
	} {
		code, _, errs := runCLI(t, "", append([]string{"bench", "engine"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errs)
		}
	}
}
