package dualplay_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
)

// Every shipped experiment loads, is listed in doc.go, explains itself in
// a leading comment, and runs a few steps of every run.
func TestShippedExperimentsRun(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 7 {
		t.Fatalf("%d experiment files, want at least 7: %v", len(files), files)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "#") {
				t.Errorf("%s does not start with a comment saying what it shows", f)
			}
			if !strings.Contains(string(doc), f) {
				t.Errorf("doc.go does not list %s", f)
			}
			exp, err := agents.LoadDualPlayExperiment(f, data)
			if err != nil {
				t.Fatal(err)
			}
			if exp.Seeds < 5 {
				t.Errorf("%d seeds: comparisons want at least 5", exp.Seeds)
			}
			labels := exp.Labels()
			if len(labels) < 2 {
				t.Errorf("runs %v: an experiment compares at least two methods", labels)
			}
			const steps = 3
			exp.Steps = steps
			for i := range exp.Runs {
				exp.Runs[i].Steps = 0
			}
			res, err := agents.RunDualPlayExperiment(context.Background(), exp, agents.DualPlayRunOptions{Seeds: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range labels {
				fin := res.Final[l]
				if len(fin) != 1 || fin[0].Step != steps {
					t.Errorf("%s: final rows %v, want one at step %d", l, fin, steps)
					continue
				}
				if p := fin[0].Metrics["pass_at_1"]; !(p > 0 && p < 1) {
					t.Errorf("%s: pass@1 %v outside (0, 1)", l, p)
				}
			}
		})
	}
}
