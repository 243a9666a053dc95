package nash

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// The scipy oracle: /usr/bin/python3 with scipy (the python3 on PATH may be
// a pyenv without it). Tests that need it skip when it is missing, unless
// SELFPLAY_REQUIRE_ORACLES=1, where they fail.
const scipyPython = "/usr/bin/python3"

var scipyProbe struct {
	once sync.Once
	err  error
}

func requireScipy(t testing.TB) {
	t.Helper()
	scipyProbe.once.Do(func() {
		if _, err := os.Stat(scipyPython); err != nil {
			scipyProbe.err = err
			return
		}
		out, err := exec.Command(scipyPython, "-c", "import scipy.optimize").CombinedOutput()
		if err != nil {
			scipyProbe.err = errorString(string(out))
		}
	})
	if scipyProbe.err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("scipy oracle required (SELFPLAY_REQUIRE_ORACLES=1): %v", scipyProbe.err)
		}
		t.Skipf("scipy oracle not available: %v", scipyProbe.err)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// runScipy runs a Python script with /usr/bin/python3, feeding it input as
// JSON on stdin, and decodes its JSON stdout into out.
func runScipy(t testing.TB, script string, input, out any) {
	t.Helper()
	requireScipy(t)
	in, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(scipyPython, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("scipy oracle: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("scipy oracle output %q: %v", res, err)
	}
}

// scipyGameValues solves each zero-sum game (row player maximises A) with
// scipy's HiGHS and returns the values.
func scipyGameValues(t testing.TB, games [][][]float64) []float64 {
	const script = `
import sys, json
import numpy as np
from scipy.optimize import linprog
out = []
for A in json.load(sys.stdin):
    A = np.array(A, dtype=float)
    m, n = A.shape
    # variables x (m) and v: max v s.t. A^T x >= v, sum x = 1, x >= 0
    c = np.zeros(m + 1); c[-1] = -1
    Aub = np.hstack([-A.T, np.ones((n, 1))])
    Aeq = np.zeros((1, m + 1)); Aeq[0, :m] = 1
    r = linprog(c, A_ub=Aub, b_ub=np.zeros(n), A_eq=Aeq, b_eq=[1],
                bounds=[(0, None)] * m + [(None, None)], method="highs")
    if r.status != 0:
        raise SystemExit("linprog: " + r.message)
    out.append(-r.fun)
json.dump(out, sys.stdout)
`
	var vals []float64
	runScipy(t, script, games, &vals)
	return vals
}
