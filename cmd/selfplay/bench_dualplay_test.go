package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestBenchDualPlaySmall(t *testing.T) {
	code, out, stderr := runCLI(t, "", "bench", "dualplay", "--batch", "32", "--attempts", "4", "--steps", "20",
		"--methods", "naive,r_zero,sec", "--parallel", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"batch 32 tasks × 4 attempts", "of sampling", "2 simulations at once", "issue 5 target"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Each method row: tasks/s is batch × batch steps/s, attempts/s
	// attempts × tasks/s, and the step costs more than its sampling.
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 9 || (f[0] != "naive" && f[0] != "r_zero" && f[0] != "sec") {
			continue
		}
		rows++
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, "×"), 64)
			if err != nil || !(v > 0) {
				t.Errorf("%s: %q is not a positive number", f[0], s)
			}
			return v
		}
		steps, tasks, atts := num(f[3]), num(f[4]), num(f[5])
		if r := tasks / (32 * steps); r < 0.99 || r > 1.01 {
			t.Errorf("%s: tasks/s %v is not 32 × %v", f[0], tasks, steps)
		}
		if r := atts / (4 * tasks); r < 0.99 || r > 1.01 {
			t.Errorf("%s: attempts/s %v is not 4 × %v", f[0], atts, tasks)
		}
		if num(f[7]) < 1 {
			t.Errorf("%s: a step costs %s of its bare sampling, want ≥ 1", f[0], f[7])
		}
		num(f[8]) // measured steps/s, positive
	}
	if rows != 3 {
		t.Errorf("%d method rows, want 3:\n%s", rows, out)
	}
}

func TestBenchDualPlayUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "dualplay", "--methods", "naive,bogus"},
		{"bench", "dualplay", "--batch", "0"},
		{"bench", "dualplay", "--steps", "x"},
		{"bench", "dualplay", "extra"},
	} {
		if code, _, stderr := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}
