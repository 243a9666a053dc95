package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/league"
)

// runCLI runs selfplay with args and returns the exit code and streams.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, false)
	return code, out.String(), errb.String()
}

// battleFiles writes the same six battles in the three input formats.
func battleFiles(t *testing.T) (jsonl, arena, csvPath string) {
	t.Helper()
	dir := t.TempDir()
	jsonl = filepath.Join(dir, "b.jsonl")
	arena = filepath.Join(dir, "b.json")
	csvPath = filepath.Join(dir, "b.csv")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(jsonl, `{"a":"x","b":"y","winner":"a"}
{"a":"y","b":"z","winner":"a"}
{"a":"z","b":"x","winner":"a"}
{"a":"x","b":"z","winner":"a"}
{"a":"x","b":"y","winner":"tie"}
{"a":"y","b":"x","winner":"b"}
`)
	write(arena, `[
 {"model_a": "x", "model_b": "y", "winner": "model_a"},
 {"model_a": "y", "model_b": "z", "winner": "model_a"},
 {"model_a": "z", "model_b": "x", "winner": "model_a"},
 {"model_a": "x", "model_b": "z", "winner": "model_a"},
 {"model_a": "x", "model_b": "y", "winner": "tie (bothbad)"},
 {"model_a": "y", "model_b": "x", "winner": "model_b"}
]`)
	write(csvPath, "home_team,away_team,home_score,away_score\nx,y,1,0\ny,z,2,0\nz,x,3,1\nx,z,1,0\nx,y,2,2\ny,x,0,4\n")
	return jsonl, arena, csvPath
}

func decodeBoard(t *testing.T, out string) league.Leaderboard {
	t.Helper()
	var lb league.Leaderboard
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lb); err != nil {
		t.Fatalf("output is not the leaderboard JSON: %v\n%s", err, out)
	}
	return lb
}

func TestLeaderboardReadsEveryFormatAlike(t *testing.T) {
	jsonl, arena, csvPath := battleFiles(t)
	var boards []league.Leaderboard
	for _, f := range []string{jsonl, arena, csvPath} {
		code, out, errs := runCLI(t, "", "leaderboard", "--format", "json", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errs)
		}
		boards = append(boards, decodeBoard(t, out))
	}
	for i, b := range boards {
		if b.Method != "bt" || len(b.Players) != 3 || b.Players[0].Name != "x" {
			t.Fatalf("board %d: %+v", i, b)
		}
		for j, p := range b.Players {
			if p != boards[0].Players[j] {
				t.Errorf("format %d differs: %+v vs %+v", i, p, boards[0].Players[j])
			}
		}
	}
	// All three files at once, and one from stdin, double every count.
	data, _ := os.ReadFile(jsonl)
	code, out, errs := runCLI(t, string(data), "leaderboard", "--format", "json", jsonl, arena, csvPath, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	all := decodeBoard(t, out)
	if all.Players[0].Games != 4*boards[0].Players[0].Games {
		t.Errorf("games %d, want %d", all.Players[0].Games, 4*boards[0].Players[0].Games)
	}
	if !strings.Contains(strings.Join(all.Notes, "\n"), "read 24 battles among 3 players from 4 files") {
		t.Errorf("notes %q", all.Notes)
	}
}

func TestLeaderboardOutputFormats(t *testing.T) {
	jsonl, _, _ := battleFiles(t)
	code, out, _ := runCLI(t, "", "leaderboard", jsonl)
	if code != 0 || !strings.Contains(out, "rank") || !strings.Contains(out, "notes:") || !strings.Contains(out, "x ") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "leaderboard", "--format", "csv", "--method", "elo", jsonl)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "rank,name,rating,ci_low,ci_high,games,wins,losses,ties" {
		t.Fatalf("csv: exit %d err %v\n%s", code, err, out)
	}
	code, out, _ = runCLI(t, "", "leaderboard", "--format", "html", "--bootstrap", "20", jsonl)
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "Head-to-head") {
		t.Fatalf("html: exit %d\n%.300s", code, out)
	}
	code, out, _ = runCLI(t, "", "leaderboard", "--format", "svg", "--title", "Cycle", jsonl)
	if code != 0 || !strings.Contains(out, "<svg") || !strings.Contains(out, "Cycle") {
		t.Fatalf("svg: exit %d\n%.300s", code, out)
	}
	for _, m := range []string{"glicko2", "openskill", "nashavg", "lottery", "alpharank"} {
		code, out, errs := runCLI(t, "", "leaderboard", "--format", "json", "--method", m, jsonl)
		if code != 0 || decodeBoard(t, out).Method != league.RatingMethod(m) {
			t.Fatalf("%s: exit %d: %s", m, code, errs)
		}
	}
}

func TestLeaderboardBootstrapAndAnchor(t *testing.T) {
	jsonl, _, _ := battleFiles(t)
	args := []string{"leaderboard", "--format", "json", "--bootstrap", "30", "--seed", "3", "--anchor", "y=1200", jsonl}
	code, out, errs := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lb := decodeBoard(t, out)
	for _, p := range lb.Players {
		if p.Name == "y" && (p.Rating != 1200 || p.CILow != 1200 || p.CIHigh != 1200) {
			t.Errorf("anchor: %+v", p)
		}
	}
	_, again, _ := runCLI(t, "", args...)
	if again != out {
		t.Error("same seed, different output")
	}
}

func TestLeaderboardMalformedInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(path, []byte(`{"a":"x","b":"y","winner":"a"}
{"a":"y","b":"x","winner":"a"}
{"a":"y","b":"x","winner":"both"}
`), 0o644)
	code, out, errs := runCLI(t, "", "leaderboard", "--format", "json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	notes := strings.Join(decodeBoard(t, out).Notes, "\n")
	if !strings.Contains(notes, "skipped 1 malformed records of 3 (first: "+path+":3: ") {
		t.Errorf("notes %q", notes)
	}
	if !strings.Contains(errs, path+":3:") {
		t.Errorf("no warning naming the line: %s", errs)
	}
	code, _, errs = runCLI(t, "", "leaderboard", "--strict", path)
	if code != 2 || !strings.Contains(errs, path+`:3: winner "both"`) {
		t.Fatalf("strict: exit %d: %s", code, errs)
	}
}

func TestLeaderboardExitCodes(t *testing.T) {
	jsonl, _, _ := battleFiles(t)
	dir := t.TempDir()
	oneWay := filepath.Join(dir, "oneway.jsonl")
	os.WriteFile(oneWay, []byte(`{"a":"x","b":"y","winner":"a"}`+"\n"), 0o644)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, []byte(`{"a":"x","b":"x","winner":"a"}`+"\n"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"leaderboard", "-h"}, 0, "Usage: selfplay leaderboard"},
		{[]string{"leaderboard"}, 2, "no input files"},
		{[]string{"leaderboard", "--bogus", jsonl}, 2, "flag provided but not defined"},
		{[]string{"leaderboard", "--format", "xml", jsonl}, 2, `-format "xml"`},
		{[]string{"leaderboard", "--input", "xml", jsonl}, 2, `-input "xml"`},
		{[]string{"leaderboard", "--method", "trueskill", jsonl}, 2, `unknown method "trueskill"`},
		{[]string{"leaderboard", "--anchor", "x", jsonl}, 2, "expected NAME=RATING"},
		{[]string{"leaderboard", "--anchor", "w=1000", jsonl}, 2, `anchor "w": no such player`},
		{[]string{"leaderboard", "--method", "openskill", "--anchor", "x=1", jsonl}, 2, "no rating scale"},
		{[]string{"leaderboard", "--bootstrap", "-3", jsonl}, 2, "bootstrap -3"},
		{[]string{"leaderboard", "--k", "-1", "--method", "elo", jsonl}, 2, "K = -1"},
		{[]string{"leaderboard", filepath.Join(dir, "missing.jsonl")}, 2, "no such file"},
		{[]string{"leaderboard", oneWay}, 2, "maximum-likelihood estimate does not exist"},
		{[]string{"leaderboard", empty}, 2, "no battles in the input"},
		{[]string{"leaderboard", "--prior", "1", oneWay}, 0, ""},
	} {
		code, _, errs := runCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q; stderr:\n%s", tc.args, code, tc.code, tc.want, errs)
		}
	}
}
