package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestBenchEngineSmall(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "engine", "--contexts", "300,1e3", "--responses", "4",
		"--games", "50", "--game-size", "3", "--iters", "5", "--min-time", "0", "--pref-max", "1e4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "backend cpu") {
		t.Errorf("no backend line:\n%s", out)
	}
	// One row per shape and variant, each with a triad fraction and a
	// speed-up over the scalar reference.
	// One row per shape, variant and preference layout, each with a triad
	// fraction and a speed-up over the scalar reference; --pref-max drops
	// the per-context rows at B = 1000 (B·K² = 16000) and says so.
	row := regexp.MustCompile(`(?m)^ *(step|step\+gap) +(shared|context) +(300|1000) +4 +\S+ +\S+ +[0-9.]+ +[0-9.]+ +[0-9]+% +\S+ +[0-9.]+×`)
	rows := row.FindAllStringSubmatch(out, -1)
	count := map[string]int{}
	for _, r := range rows {
		count[r[2]+" "+r[3]]++
	}
	if len(rows) != 6 || count["shared 300"] != 2 || count["shared 1000"] != 2 || count["context 300"] != 2 {
		t.Errorf("mirror rows %v, want step and step+gap for shared 300, 1000 and context 300:\n%s", count, out)
	}
	if !strings.Contains(out, "skipped with one P per context (B·K² > --pref-max 10000): B=1000 K=4") {
		t.Errorf("no note on the skipped per-context shape:\n%s", out)
	}
	if !regexp.MustCompile(`OMW 3x3 ×5 +- +50 `).MatchString(out) {
		t.Errorf("no zero-sum row:\n%s", out)
	}
}

func TestBenchEngineBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--contexts", "0"}, {"--responses", "x"}, {"--device", "tpu"}, {"--iters", "0"},
		{"--pref", "diagonal"}, {"--pref", "shared,shared"}, {"--pref-max", "-1"},
	} {
		code, _, errs := runCLI(t, "", append([]string{"bench", "engine"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errs)
		}
	}
}
