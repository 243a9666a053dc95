package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func TestBenchNashSmall(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "nash", "-enum-sizes", "3,5", "-enum-games", "2", "-reps", "1", "-lh-size", "6")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"== enum:", "seed 1, 2 games per size", "== lh:", "all 12 labels"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The Lemke–Howson baseline always runs: label 1 has a ratio.
	if !regexp.MustCompile(`label 1\s+1\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x`).MatchString(out) {
		t.Errorf("no Lemke–Howson ratio:\n%s", out)
	}
	if _, err := exec.LookPath("lrsnash"); err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatal("lrsnash required (SELFPLAY_REQUIRE_ORACLES=1)")
		}
		if !strings.Contains(out, "baseline skipped") {
			t.Errorf("no skip notice:\n%s", out)
		}
		return
	}
	// Counts agree with lrsnash (the command fails otherwise) and each size
	// has a ratio.
	for _, size := range []string{"3×3", "5×5"} {
		if !regexp.MustCompile(size + `\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x`).MatchString(out) {
			t.Errorf("no ratio for %s:\n%s", size, out)
		}
	}
}

func TestBenchNashOnlyAndUsage(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "nash", "-only", "lh", "-lh-size", "4", "-reps", "1")
	if code != 0 || strings.Contains(out, "== enum") || !strings.Contains(out, "== lh") {
		t.Fatalf("-only lh: exit %d: %s\n%s", code, errs, out)
	}
	for _, args := range [][]string{
		{"-only", "bogus"},
		{"-enum-sizes", "8,x"},
		{"-reps", "0"},
		{"-lh-size", "0", "-only", "lh"},
		{"extra"},
	} {
		if code, _, _ := runCLI(t, "", append([]string{"bench", "nash"}, args...)...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
