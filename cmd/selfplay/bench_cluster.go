package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/selfplay-lab/selfplay/cluster"
)

func runBenchCluster(ctx context.Context, e *env, args []string) error {
	fs := e.flags("bench cluster", "[flags]",
		"Time a three-node Raft cluster over TCP on 127.0.0.1 (in one process): the\n"+
			"results per second the leader acknowledges (committed by a majority and\n"+
			"applied) with --concurrency proposals in flight, so that Raft batches log\n"+
			"appends and the FSM applies batches. Next to it, in the same run, the log\n"+
			"store alone (raft-boltdb, fsync per call) appending the same encoded entries\n"+
			"--concurrency per call and one per call, and the ratios. Then the leader is\n"+
			"shut down --failovers times (and restarted from its data directory) and the\n"+
			"time until a new leader acknowledges a write is reported, median and range.",
		"selfplay bench cluster", "selfplay bench cluster --results 50000 --concurrency 256 --failovers 9")
	results := fs.Int("results", 20000, "results proposed")
	conc := fs.Int("concurrency", 64, "proposals in flight at once")
	single := fs.Int("raw-single", 2000, "entries the raw store appends one per call (each an fsync)")
	failovers := fs.Int("failovers", 5, "leader fail-overs timed (0 skips them)")
	noSync := fs.Bool("no-sync", false, "skip fsync in the nodes' and the raw log stores")
	dir := fs.String("dir", "", "scratch directory (default: a new temporary directory, removed afterwards)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	switch {
	case *results < 1:
		return usagef("--results %d: want at least 1", *results)
	case *conc < 1 || *conc > 4096:
		return usagef("--concurrency %d: want 1..4096", *conc)
	case *single < 1:
		return usagef("--raw-single %d: want at least 1", *single)
	case *failovers < 0 || *failovers > 100:
		return usagef("--failovers %d: want 0..100", *failovers)
	}
	scratch := *dir
	if scratch == "" {
		d, err := os.MkdirTemp("", "selfplay-bench-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		scratch = d
	} else if entries, err := os.ReadDir(scratch); err == nil && len(entries) > 0 {
		return badInput(fmt.Errorf("--dir %s is not empty; the benchmark needs fresh stores", scratch))
	}
	rep, err := cluster.Bench(ctx, cluster.BenchConfig{Dir: scratch, Results: *results, Concurrency: *conc, RawSingle: *single,
		Failovers: *failovers, NoFailover: *failovers == 0, NoSync: *noSync, Log: func(s string) { e.log.Info().Msg(s) }})
	if err != nil {
		return err
	}
	sync := "fsync on"
	if *noSync {
		sync = "fsync off"
	}
	fmt.Fprintf(e.stdout, "cluster: 3 nodes on 127.0.0.1 (TCP, raft-boltdb, %s), %d results, %d in flight; raw store in the same run\n",
		sync, rep.Results, rep.Concurrency)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tentries\ttime\tper second\tcluster / this\t")
	cl := rep.ResultsPerSec()
	fmt.Fprintf(tw, "cluster: acknowledged results\t%d\t%s\t%.0f\t-\t\n", rep.Results, rep.Cluster.Round(time.Millisecond), cl)
	fmt.Fprintf(tw, "raw StoreLogs, %d per call\t%d\t%s\t%.0f\t%.2f\t\n", rep.Concurrency, rep.Results, rep.RawBatch.Round(time.Millisecond),
		rep.RawBatchPerSec(), cl/rep.RawBatchPerSec())
	fmt.Fprintf(tw, "raw StoreLogs, 1 per call\t%d\t%s\t%.0f\t%.2f\t\n", rep.RawSingleN, rep.RawSingle.Round(time.Millisecond),
		rep.RawSinglePerSec(), cl/rep.RawSinglePerSec())
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Failovers) > 0 {
		lo, hi := rep.Failovers[0], rep.Failovers[0]
		for _, d := range rep.Failovers {
			lo, hi = min(lo, d), max(hi, d)
		}
		fmt.Fprintf(e.stdout, "leader fail-over (shut down → first write acknowledged by a new leader; heartbeat and election timeouts 1s): median %s over %d, range %s–%s\n",
			rep.MedianFailover().Round(time.Millisecond), len(rep.Failovers), lo.Round(time.Millisecond), hi.Round(time.Millisecond))
	}
	return nil
}
