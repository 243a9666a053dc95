package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestBenchLeagueSmall(t *testing.T) {
	code, out, errs := runCLI(t, "", "bench", "league", "--battles", "3000", "--players", "12",
		"--bootstrap", "5", "--ref-bootstrap", "2", "--repeat", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"3000 battles (synthetic, 12 players)", "read jsonl (3000 lines)", "aggregate + BT fit + 5 bootstraps", "online Elo"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	haveScipy := exec.Command("/usr/bin/python3", "-c", "import numpy, scipy").Run() == nil
	if !haveScipy {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatal("scipy reference required but /usr/bin/python3 lacks scipy")
		}
		if !strings.Contains(out, "scipy reference skipped") {
			t.Errorf("no skip notice:\n%s", out)
		}
		return
	}
	if !regexp.MustCompile(`aggregate \+ BT fit +[0-9.e-]+ s +[0-9.e-]+ s +[0-9.]+x`).MatchString(out) {
		t.Errorf("no ratio against scipy:\n%s", out)
	}
	// Both fits agree: the reported difference is far below half a point.
	m := regexp.MustCompile(`largest rating difference from selfplay's Newton fit: ([0-9.e-]+) points`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no rating difference line:\n%s", out)
	}
	if d, err := strconv.ParseFloat(m[1], 64); err != nil || d > 0.5 {
		t.Errorf("selfplay and scipy differ by %s points", m[1])
	}
}

func TestBenchLeagueFootballAndUsage(t *testing.T) {
	path, _ := filepath.Abs("../../league/testdata/football_2018_2019.csv")
	code, out, errs := runCLI(t, "", "bench", "league", "--football", path, "--battles", "5000",
		"--bootstrap", "2", "--ref-bootstrap", "0", "--repeat", "1", "--python", "/nonexistent/python")
	if code != 0 || !strings.Contains(out, "5000 battles (football_2018_2019.csv tiled)") || !strings.Contains(out, "scipy reference skipped") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
	if code, _, _ := runCLI(t, "", "bench", "league", "--players", "1"); code != 2 {
		t.Errorf("--players 1: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "", "bench", "league", "--football", "/nonexistent.csv"); code != 2 {
		t.Errorf("missing football file: exit %d, want 2", code)
	}
}
