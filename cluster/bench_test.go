package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"github.com/selfplay-lab/selfplay/league"
)

// logResults opens a raft-boltdb store and returns how often each match
// id is recorded in its log commands.
func logResults(t *testing.T, path string) map[string]int {
	t.Helper()
	store, err := raftboltdb.New(raftboltdb.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	first, _ := store.FirstIndex()
	last, _ := store.LastIndex()
	out := map[string]int{}
	for i := first; i <= last && last > 0; i++ {
		var l raft.Log
		if err := store.GetLog(i, &l); err != nil {
			t.Fatalf("%s: entry %d: %v", path, i, err)
		}
		if l.Type != raft.LogCommand {
			continue
		}
		ev, err := league.DecodeEvent(l.Data)
		if err != nil {
			t.Fatalf("%s: entry %d: %v", path, i, err)
		}
		if r, ok := ev.(*league.RecordResult); ok {
			out[r.Match]++
		}
	}
	return out
}

// TestBenchSmall runs the benchmark small and checks what it measured
// against the stores it leaves behind: every node's log holds every
// result, the raw store holds exactly the same entries, and each
// fail-over was timed.
func TestBenchSmall(t *testing.T) {
	dir := t.TempDir()
	const results = 300
	rep, err := Bench(context.Background(), BenchConfig{Dir: dir, Results: results, Concurrency: 16, RawSingle: 40,
		Failovers: 2, NoSync: true, HeartbeatTimeout: 300 * time.Millisecond, ElectionTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Results != results || rep.RawSingleN != 40 || len(rep.Failovers) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, d := range rep.Failovers {
		if d <= 0 {
			t.Errorf("fail-over time %v", d)
		}
	}
	if rep.ResultsPerSec() <= 0 || rep.RawBatchPerSec() <= 0 || rep.RawSinglePerSec() <= 0 || rep.MedianFailover() <= 0 {
		t.Errorf("rates %v %v %v %v", rep.ResultsPerSec(), rep.RawBatchPerSec(), rep.RawSinglePerSec(), rep.MedianFailover())
	}
	raw := logResults(t, filepath.Join(dir, "raw-batch.db"))
	if len(raw) != results {
		t.Errorf("raw store holds %d results, want %d", len(raw), results)
	}
	for i := range 3 {
		got := logResults(t, filepath.Join(dir, fmt.Sprintf("node%d", i), "raft.db"))
		for k := range results {
			id := fmt.Sprintf("r%d", k)
			if got[id] == 0 {
				t.Fatalf("node %d's log lacks result %s", i, id)
			}
			if raw[id] != 1 {
				t.Fatalf("raw store holds result %s %d times", id, raw[id])
			}
		}
		fail := 0
		for id := range got {
			if len(id) > 1 && id[0] == 'f' {
				fail++
			}
		}
		// A restarted leader catches up before the next trial.
		if fail != len(rep.Failovers) {
			t.Errorf("node %d's log holds %d fail-over writes; want %d", i, fail, len(rep.Failovers))
		}
	}
}

func TestBenchReportMedian(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{ms(5), 5 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond},
		{ms(4, 1, 9, 2), 3 * time.Millisecond},
	} {
		r := BenchReport{Failovers: c.in}
		if got := r.MedianFailover(); got != c.want {
			t.Errorf("median of %v = %v, want %v", c.in, got, c.want)
		}
	}
}
