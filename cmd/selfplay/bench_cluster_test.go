package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

func TestBenchClusterSmall(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "cluster", "--results", "200", "--concurrency", "8", "--raw-single", "20",
		"--failovers", "1", "--no-sync")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The cluster row, then both raw rows with the cluster's rate divided
	// by theirs, which the test recomputes from the printed rates.
	clusterRow := regexp.MustCompile(`(?m)^ *cluster: acknowledged results +200 +\S+ +([0-9]+) +- *$`).FindStringSubmatch(out)
	rawRows := regexp.MustCompile(`(?m)^ *raw StoreLogs, (8|1) per call +(200|20) +\S+ +([0-9]+) +([0-9.]+) *$`).FindAllStringSubmatch(out, -1)
	if clusterRow == nil || len(rawRows) != 2 {
		t.Fatalf("want a cluster row and two raw rows:\n%s", out)
	}
	cl, _ := strconv.ParseFloat(clusterRow[1], 64)
	for _, r := range rawRows {
		raw, _ := strconv.ParseFloat(r[3], 64)
		ratio, _ := strconv.ParseFloat(r[4], 64)
		if raw <= 0 || cl <= 0 {
			t.Fatalf("rates %v, %v:\n%s", cl, raw, out)
		}
		// Rates are printed rounded, so the ratio matches to a few percent.
		if want := cl / raw; ratio < 0.95*want-0.01 || ratio > 1.05*want+0.01 {
			t.Errorf("ratio %v for %s per call; printed rates give %.3f", ratio, r[1], want)
		}
	}
	if !regexp.MustCompile(`leader fail-over .*: median [0-9.]+m?s over 1, range`).MatchString(out) {
		t.Errorf("no fail-over line:\n%s", out)
	}
}

func TestBenchClusterBadFlags(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--results", "0"}, {"--concurrency", "0"}, {"--raw-single", "0"}, {"--failovers", "-1"}, {"--dir", full}, {"extra"},
	} {
		code, _, errs := runCLI(t, "", append([]string{"bench", "cluster"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, errs)
		}
	}
}
