package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestBenchNashLP(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "nash", "-only", "lp", "-lp-sizes", "4,30,60", "-lp-baseline-max", "30", "-reps", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "== enum") || !strings.Contains(out, "== lp:") {
		t.Fatalf("output:\n%s", out)
	}
	// Sizes within the baseline limit have a ratio, the others a dash.
	for _, n := range []string{"4", "30"} {
		if !regexp.MustCompile(`(?m)^\s+` + n + `\s+[0-9.]+\s+[0-9.e+-]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+x\s*$`).MatchString(out) {
			t.Errorf("no ratio for n=%s:\n%s", n, out)
		}
	}
	if !regexp.MustCompile(`(?m)^\s+60\s+[0-9.]+\s+[0-9.e+-]+\s+[0-9.]+\s+-\s+-\s*$`).MatchString(out) {
		t.Errorf("n=60 should have no baseline:\n%s", out)
	}
	if code, _, _ := runCLI(t, "", "bench", "nash", "-only", "lp", "-lp-sizes", "10,zero"); code != 2 {
		t.Errorf("bad -lp-sizes: exit %d, want 2", code)
	}
}
