//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/selfplay-lab/selfplay/cluster"
)

// Multi-process fault tests: three "selfplay league serve" processes on
// loopback, their Raft traffic through userspace proxies (netproxy_test.go)
// so that links can be cut, a "selfplay worker" process playing leased
// matches, and test clients submitting results under their own match ids
// and reading, linearizably, which are recorded, while the test kills the
// leader with SIGKILL and restarts it from its data directory, stops a
// node with SIGSTOP and resumes it, and cuts a node off and heals it.
// Afterwards every acknowledged result is recorded exactly once on every
// node, the nodes' state hashes agree, and the clients' history is
// linearizable.
//
// The API lists only the latest results, so the end check uses writes:
// every client id is submitted once more ("probed"); the leader answers
// "duplicate" for an id it holds, which every acknowledged id must be, and
// records any other. Then the nodes must agree on the state hash (so they
// all hold the same ids), and the results counted since the load began
// must be the client ids plus the worker's acknowledged results, so none
// counted twice.

// procNode is one node process (restarted under the same id, addresses
// and data directory).
type procNode struct {
	id, raftAddr, httpAddr, url, data, logPath string
	proxy                                      *raftProxy
	api                                        *cluster.Client

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// procCluster runs the node and worker processes of one test.
type procCluster struct {
	t         *testing.T
	tokenFile string
	token     *cluster.Token
	net       *raftNet
	nodes     []*procNode
	began     time.Time
}

// spawn starts the test binary as "selfplay ARGS", its output appended to
// logPath (stdout to stdout when given).
func spawn(t *testing.T, logPath string, stdout *bytes.Buffer, args ...string) (*exec.Cmd, chan struct{}) {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], append([]string{"--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), envTestMain+"=1")
	cmd.Stderr = logf
	cmd.Stdout = logf
	if stdout != nil {
		cmd.Stdout = stdout
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	// SIGKILL works on a stopped process too, so a failing test leaves
	// nothing behind.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	return cmd, done
}

func newProcCluster(t *testing.T, n int) *procCluster {
	t.Helper()
	c := &procCluster{t: t, tokenFile: tokenFile(t, cliToken), net: newRaftNet(), began: time.Now()}
	var err error
	if c.token, err = cluster.NewToken(cliToken); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hc := &http.Client{Timeout: 5 * time.Second}
	for i := range n {
		nd := &procNode{id: fmt.Sprintf("n%d", i+1), raftAddr: freeAddr(t), httpAddr: freeAddr(t),
			data: filepath.Join(dir, fmt.Sprintf("n%d", i+1)), logPath: filepath.Join(dir, fmt.Sprintf("n%d.log", i+1))}
		nd.url = "http://" + nd.httpAddr
		nd.proxy = c.net.proxy(t, nd.id, nd.raftAddr)
		nd.api = &cluster.Client{Base: nd.url, Token: c.token, HTTP: hc}
		c.nodes = append(c.nodes, nd)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, nd := range c.nodes {
				t.Logf("--- last lines of %s's log:\n%s", nd.id, tail(nd.logPath, 15))
			}
		}
	})
	return c
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// start runs node nd with extra flags (--bootstrap, --join …; none to
// restart from its data directory).
func (c *procCluster) start(nd *procNode, extra ...string) {
	c.t.Helper()
	args := append([]string{"league", "serve", "--id", nd.id, "--raft", nd.raftAddr, "--http", nd.httpAddr,
		"--data", nd.data, "--token-file", c.tokenFile}, extra...)
	cmd, done := spawn(c.t, nd.logPath, nil, args...)
	nd.mu.Lock()
	nd.cmd, nd.done = cmd, done
	nd.mu.Unlock()
}

// signal sends sig to nd's process; SIGKILL also waits for it to exit.
func (c *procCluster) signal(nd *procNode, sig syscall.Signal) {
	c.t.Helper()
	nd.mu.Lock()
	cmd, done := nd.cmd, nd.done
	nd.mu.Unlock()
	if err := cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %v to %s: %v", sig, nd.id, err)
	}
	if sig == syscall.SIGKILL {
		<-done
	}
}

// statuses reads /v1/status from every node that answers within 3s (a
// loaded leader can be slow).
func (c *procCluster) statuses() map[string]*cluster.StatusResponse {
	out := map[string]*cluster.StatusResponse{}
	for _, nd := range c.nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		if st, err := nd.api.Status(ctx); err == nil {
			out[nd.id] = st
		}
		cancel()
	}
	return out
}

// describe summarises the nodes' statuses for failure messages.
func describe(sts map[string]*cluster.StatusResponse) string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(sts)) {
		st := sts[id]
		fmt.Fprintf(&b, "\n  %s: %s term %d leader %q applied %d results %d hash %.12s", id, st.Node.State, st.Node.Term,
			st.Node.LeaderID, st.Node.AppliedIndex, st.Counters.Results, st.StateHash)
	}
	return b.String()
}

// waitFor polls cond until it holds or timeout passes.
func (c *procCluster) waitFor(what string, timeout time.Duration, cond func(map[string]*cluster.StatusResponse) bool) map[string]*cluster.StatusResponse {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	var sts map[string]*cluster.StatusResponse
	for {
		sts = c.statuses()
		if cond(sts) {
			return sts
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting for %s; nodes:%s", timeout, what, describe(sts))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// leader returns the node that leads, as the highest term's leader reports.
func (c *procCluster) leader(timeout time.Duration) *procNode {
	c.t.Helper()
	var id string
	c.waitFor("a leader", timeout, func(sts map[string]*cluster.StatusResponse) bool {
		var term uint64
		id = ""
		for nid, st := range sts {
			if st.Node.State == "Leader" && st.Node.Term >= term {
				id, term = nid, st.Node.Term
			}
		}
		return id != ""
	})
	return c.node(id)
}

func (c *procCluster) node(id string) *procNode {
	for _, nd := range c.nodes {
		if nd.id == id {
			return nd
		}
	}
	c.t.Fatalf("no node %q", id)
	return nil
}

func (c *procCluster) ids(except string) []string {
	var out []string
	for _, nd := range c.nodes {
		if nd.id != except {
			out = append(out, nd.id)
		}
	}
	return out
}

// converged waits until every node answers with the same applied index
// and state hash, and returns one of the statuses.
func (c *procCluster) converged(timeout time.Duration) *cluster.StatusResponse {
	c.t.Helper()
	sts := c.waitFor("the nodes to agree", timeout, func(sts map[string]*cluster.StatusResponse) bool {
		if len(sts) != len(c.nodes) {
			return false
		}
		first := sts[c.nodes[0].id]
		for _, st := range sts {
			if st.StateHash != first.StateHash || st.Node.AppliedIndex != first.Node.AppliedIndex || st.Node.LeaderID == "" {
				return false
			}
		}
		return true
	})
	return sts[c.nodes[0].id]
}

// faultLoad is the test's clients: writers submitting results under their
// own match ids ("mp-w<writer>-<i>", in order, each retried on every node
// until acknowledged) and a reader of /v1/matches at linearizable
// consistency, all recorded in one history.
type faultLoad struct {
	t       *testing.T
	c       *procCluster
	h       *cluster.History
	members []string
	writers int

	acked   atomic.Int64
	mu      sync.Mutex
	tried   []int // per writer, the highest index submitted (-1: none)
	ackedID map[string]bool
	failure error
	reads   int
	wg      sync.WaitGroup
}

var faultIDRe = regexp.MustCompile(`^mp-w(\d+)-(\d+)$`)

func faultID(w, i int) string { return fmt.Sprintf("mp-w%d-%d", w, i) }

func (l *faultLoad) fail(err error) {
	l.mu.Lock()
	l.failure = errors.Join(l.failure, err)
	l.mu.Unlock()
}

func (l *faultLoad) start(ctx context.Context) {
	l.tried = slices.Repeat([]int{-1}, l.writers)
	l.ackedID = map[string]bool{}
	for w := range l.writers {
		l.wg.Go(func() { l.write(ctx, w) })
	}
	l.wg.Go(func() { l.read(ctx, l.writers) })
}

// write submits results until ctx ends. Every attempt that reached a node
// is recorded; one that failed in any way but a refusal (4xx) is of
// unknown fate.
func (l *faultLoad) write(ctx context.Context, w int) {
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for i := 0; ctx.Err() == nil; i++ {
		l.mu.Lock()
		l.tried[w] = i
		l.mu.Unlock()
		req := cluster.ResultRequest{Match: faultID(w, i), A: l.members[i%len(l.members)], B: l.members[(i+1)%len(l.members)],
			Outcome: []string{"a", "b", "draw"}[i%3], Worker: fmt.Sprintf("client%d", w)}
		for attempt := 0; ; attempt++ {
			if ctx.Err() != nil {
				return
			}
			nd := l.c.nodes[(w+attempt)%len(l.c.nodes)]
			cl := &cluster.Client{Base: nd.url, Token: l.c.token, HTTP: hc}
			actx, cancel := context.WithTimeout(ctx, 3*time.Second)
			call := l.h.Now()
			resp, err := cl.SubmitResult(actx, req)
			ret := l.h.Now()
			cancel()
			op := cluster.HistoryOp{Client: w, Kind: cluster.OpRecord, Matches: []string{req.Match}, Call: call, Return: ret}
			var ae *cluster.APIError
			switch {
			case err == nil && resp.Duplicate:
				op.Status = cluster.StatusDuplicate
			case err == nil:
				op.Status = cluster.StatusNew
			case errors.As(err, &ae) && !ae.Temporary():
				l.fail(fmt.Errorf("result %s refused by %s: %w", req.Match, nd.id, err))
				return
			default:
				op.Status = cluster.StatusUnknown
			}
			l.h.Add(op)
			if err == nil {
				l.mu.Lock()
				l.ackedID[req.Match] = true
				l.mu.Unlock()
				l.acked.Add(1)
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// read reads the recent results linearizably, on the nodes in turn, and
// records what each read tells about the writers' match ids. The league
// keeps only the latest results verbatim, so a read speaks only of ids
// whose fate it settles: a writer submits its ids in order, each after
// the previous one was acknowledged, so its ids are recorded in order; if
// the latest of them in the list is i, every earlier one is recorded and
// no later one is. A writer with no id in the list is left out unless
// nothing was evicted from the list (then none of its ids is recorded).
func (l *faultLoad) read(ctx context.Context, client int) {
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for k := 0; ; k++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Millisecond):
		}
		if op, ok := l.readOnce(ctx, hc, client, l.c.nodes[k%len(l.c.nodes)], cluster.ReadLinearizable); ok {
			l.h.Add(op)
			l.mu.Lock()
			l.reads++
			l.mu.Unlock()
		}
	}
}

// readOnce reads the recent results on nd at level and returns the read
// as a history operation, if it succeeded and settles any match id.
func (l *faultLoad) readOnce(ctx context.Context, hc *http.Client, client int, nd *procNode, level cluster.ReadLevel) (cluster.HistoryOp, bool) {
	l.mu.Lock()
	tried := slices.Clone(l.tried)
	l.mu.Unlock()
	cl := &cluster.Client{Base: nd.url, HTTP: hc}
	actx, cancel := context.WithTimeout(ctx, 2*time.Second)
	call := l.h.Now()
	resp, err := cl.Matches(actx, level)
	ret := l.h.Now()
	cancel()
	op := cluster.HistoryOp{Client: client, Kind: cluster.OpRead, Status: cluster.StatusOK, Call: call, Return: ret}
	if err != nil {
		return op, false // a failed read changes nothing
	}
	latest := slices.Repeat([]int{-1}, l.writers)
	seen := map[string]bool{}
	for _, m := range resp.Matches {
		if seen[m.Match] {
			l.fail(fmt.Errorf("read on %s: match %s listed twice among the recent results", nd.id, m.Match))
		}
		seen[m.Match] = true
		if g := faultIDRe.FindStringSubmatch(m.Match); g != nil {
			w, _ := strconv.Atoi(g[1])
			i, _ := strconv.Atoi(g[2])
			if w < l.writers {
				latest[w] = max(latest[w], i)
			}
		}
	}
	evicted := resp.Total > uint64(len(resp.Matches))
	for w := range l.writers {
		j := latest[w]
		lo := 0
		switch {
		case j >= 0:
			lo = max(0, j-3) // earlier ids were settled long ago
		case evicted:
			continue
		}
		for i := lo; i <= max(j, tried[w]); i++ {
			op.Matches = append(op.Matches, faultID(w, i))
			if i <= j {
				op.Present = append(op.Present, faultID(w, i))
			}
		}
	}
	return op, len(op.Matches) > 0
}

// progress waits until n more results are acknowledged.
func (l *faultLoad) progress(what string, n int64, timeout time.Duration) {
	l.t.Helper()
	target := l.acked.Load() + n
	deadline := time.Now().Add(timeout)
	for l.acked.Load() < target {
		l.mu.Lock()
		failure := l.failure
		l.mu.Unlock()
		if failure != nil {
			l.t.Fatalf("%s: %v", what, failure)
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("%s: %d results acknowledged in %v, waited for %d; nodes:%s", what, n-(target-l.acked.Load()), timeout, n, describe(l.c.statuses()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.t.Logf("%5.1fs %s: %d results acknowledged", time.Since(l.c.began).Seconds(), what, l.acked.Load())
}

// checkFast checks ops like cluster.CheckHistory but stops at the first
// illegal partition (the verbose check explores them all).
func checkFast(ops []cluster.HistoryOp) (porcupine.CheckResult, error) {
	pops, err := cluster.PorcupineOps(ops)
	if err != nil {
		return porcupine.Unknown, err
	}
	return porcupine.CheckOperationsTimeout(cluster.ResultModel(), pops, 20*time.Second), nil
}

var workerStatsRe = regexp.MustCompile(`worker (\S+): (\d+) leases, (\d+) results, (\d+) duplicates, (\d+) refused`)

// TestClusterProcessFaults is the multi-process fault test.
func TestClusterProcessFaults(t *testing.T) {
	dwell := 3 * time.Second
	writers := 3
	if testing.Short() {
		dwell, writers = 1500*time.Millisecond, 2
	}
	c := newProcCluster(t, 3)
	n1 := c.nodes[0]

	// A bootstrapped node trains a small league (the members results
	// name), two more join, and every node's address in the Raft
	// configuration is changed to its proxy's (adding a voter again with a
	// new address updates it).
	c.start(n1, "--bootstrap", "--preset", "latest", "--rounds", "2")
	c.waitFor("the driver", 30*time.Second, func(sts map[string]*cluster.StatusResponse) bool {
		st := sts[n1.id]
		return st != nil && st.Driver != nil && st.Driver.State == cluster.DriverDone
	})
	for _, nd := range c.nodes[1:] {
		c.start(nd, "--join", n1.url, "--preset", "none")
	}
	c.waitFor("three voters", 30*time.Second, func(sts map[string]*cluster.StatusResponse) bool {
		return sts[n1.id] != nil && len(sts[n1.id].Servers) == len(c.nodes)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, nd := range c.nodes {
		if _, err := n1.api.Join(ctx, cluster.JoinRequest{ID: nd.id, RaftAddr: nd.proxy.Addr(), HTTPURL: nd.url}); err != nil {
			t.Fatalf("moving %s behind its proxy: %v", nd.id, err)
		}
	}
	c.waitFor("proxied addresses everywhere", 30*time.Second, func(sts map[string]*cluster.StatusResponse) bool {
		if len(sts) != len(c.nodes) {
			return false
		}
		for _, st := range sts {
			for _, s := range st.Servers {
				if s.Addr != c.node(s.ID).proxy.Addr() {
					return false
				}
			}
		}
		return true
	})
	base := c.converged(30 * time.Second)
	mr, err := n1.api.Members(ctx, cluster.ReadLinearizable)
	if err != nil || len(mr.Members) < 2 {
		t.Fatalf("members: %v (%+v)", err, mr)
	}
	l := &faultLoad{t: t, c: c, h: cluster.NewHistory(), writers: writers}
	for _, m := range mr.Members {
		l.members = append(l.members, m.ID)
	}

	// The load: a worker process on the last node, and the clients.
	var workerOut bytes.Buffer
	wlog := filepath.Join(filepath.Dir(n1.logPath), "worker.log")
	worker, workerDone := spawn(t, wlog, &workerOut, "worker", "--join", c.nodes[2].url, "--token-file", c.tokenFile, "--id", "wk", "--parallel", "1")
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	l.start(loadCtx)
	l.progress("warm-up", 20, 20*time.Second)
	time.Sleep(dwell)

	// kill -9 the leader: a new one takes writes; the old one restarts
	// from its data directory.
	dead := c.leader(20 * time.Second)
	c.signal(dead, syscall.SIGKILL)
	l.progress("after killing leader "+dead.id, 20, 30*time.Second)
	c.start(dead, "--preset", "none")
	c.waitFor(dead.id+" back", 30*time.Second, func(sts map[string]*cluster.StatusResponse) bool {
		return sts[dead.id] != nil && sts[dead.id].Node.LeaderID != ""
	})
	l.progress("after restarting "+dead.id, 10, 30*time.Second)

	// SIGSTOP the leader: the others elect a leader and take writes; the
	// stopped one resumes and follows.
	stopped := c.leader(20 * time.Second)
	c.signal(stopped, syscall.SIGSTOP)
	l.progress("with leader "+stopped.id+" stopped", 20, 30*time.Second)
	time.Sleep(dwell / 2)
	c.signal(stopped, syscall.SIGCONT)
	l.progress("after resuming "+stopped.id, 10, 30*time.Second)

	// Cut the leader off through the proxies: the majority elects a
	// leader and takes writes; after healing the old one follows.
	cut := c.leader(20 * time.Second)
	c.net.isolate(cut.id, c.ids(cut.id)...)
	l.progress("with leader "+cut.id+" cut off", 20, 30*time.Second)
	// A local read on the node cut off misses what the majority acknowledged
	// since the cut: kept aside, it must make the history fail the check,
	// which shows that the check can fail.
	stale, staleOK := l.readOnce(ctx, http.DefaultClient, writers+1, cut, cluster.ReadLocal)
	time.Sleep(dwell / 2)
	c.net.heal()
	l.progress("after healing", 20, 30*time.Second)
	time.Sleep(dwell / 2)

	stopLoad()
	l.wg.Wait()
	if l.failure != nil {
		t.Fatal(l.failure)
	}
	_ = worker.Process.Signal(syscall.SIGTERM)
	select {
	case <-workerDone:
	case <-time.After(20 * time.Second):
		t.Fatal("worker did not stop within 20s of SIGTERM")
	}
	ws := workerStatsRe.FindStringSubmatch(workerOut.String())
	if ws == nil {
		t.Fatalf("worker printed no counts: %q\n%s", workerOut.String(), tail(wlog, 20))
	}
	var wLeases, wResults, wDups, wRefused uint64
	for k, p := range []*uint64{&wLeases, &wResults, &wDups, &wRefused} {
		*p, _ = strconv.ParseUint(ws[k+2], 10, 64)
	}

	// Every link the test cut carried traffic through the proxies.
	for _, o := range c.ids(cut.id) {
		if c.net.accepted(cut.id, o) == 0 && c.net.accepted(o, cut.id) == 0 {
			t.Errorf("no Raft connection between %s and %s went through the proxies", cut.id, o)
		}
	}

	c.converged(30 * time.Second)
	ops := l.h.Ops()
	res, info, err := cluster.CheckHistory(ops, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var unknown int
	for _, op := range ops {
		if op.Status == cluster.StatusUnknown {
			unknown++
		}
	}
	t.Logf("%d acknowledged results, %d history ops (%d of unknown fate, %d reads); worker %s: %s results, %s duplicates; check: %s",
		l.acked.Load(), len(ops), unknown, l.reads, ws[1], ws[3], ws[4], res)
	if l.reads < 10 {
		t.Errorf("only %d linearizable reads settled any match id; the check is nearly vacuous", l.reads)
	}
	if res != porcupine.Ok {
		path := filepath.Join(os.TempDir(), "porcupine-TestClusterProcessFaults.html")
		if verr := porcupine.VisualizePath(cluster.ResultModel(), info, path); verr == nil {
			t.Errorf("history is not linearizable (%s); visualization in %s", res, path)
		} else {
			t.Errorf("history is not linearizable (%s)", res)
		}
	}

	if !staleOK {
		t.Errorf("the local read on %s, cut off, failed or settled nothing", cut.id)
	} else if res, err := checkFast(append(ops, stale)); err != nil || res != porcupine.Illegal {
		t.Errorf("the history with a stale local read from %s added checks as %s (%v); want illegal", cut.id, res, err)
	}

	// Probe every submitted id: the league answers "duplicate" for one it
	// holds and records one it lacks, so afterwards it holds all of them.
	// An acknowledged id must be held. A probe whose first attempt failed
	// may have recorded the id itself, so its answer is ambiguous.
	var held, added, ambiguous atomic.Int64
	var pw sync.WaitGroup
	total := 0
	for w := range writers {
		total += l.tried[w] + 1
		pw.Go(func() {
			for i := 0; i <= l.tried[w]; i++ {
				id := faultID(w, i)
				req := cluster.ResultRequest{Match: id, A: l.members[i%len(l.members)], B: l.members[(i+1)%len(l.members)],
					Outcome: []string{"a", "b", "draw"}[i%3], Worker: "probe"}
				var (
					resp *cluster.ResultResponse
					err  error
				)
				attempt := 0
				for ; ; attempt++ {
					actx, cancel := context.WithTimeout(ctx, 10*time.Second)
					resp, err = c.nodes[(i+attempt)%len(c.nodes)].api.SubmitResult(actx, req)
					cancel()
					if err == nil || ctx.Err() != nil {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				switch {
				case err != nil:
					l.fail(fmt.Errorf("probe %s: %w", id, err))
					return
				case attempt > 0:
					ambiguous.Add(1)
				case resp.Duplicate:
					held.Add(1)
				default:
					added.Add(1)
					if l.ackedID[id] {
						l.fail(fmt.Errorf("acknowledged result %s was lost", id))
					}
				}
			}
		})
	}
	pw.Wait()
	if l.failure != nil {
		t.Fatal(l.failure)
	}
	final := c.converged(30 * time.Second)
	t.Logf("probes: %d held, %d of unknown fate not recorded, %d ambiguous; final state %.12s at index %d on all nodes",
		held.Load(), added.Load(), ambiguous.Load(), final.StateHash, final.Node.AppliedIndex)
	// Now every client id is recorded (a request of unknown fate may still
	// land after the nodes agreed, so only this point is compared with the
	// start). Each counts once: the results
	// counted since the load started are the client ids plus the worker's
	// acknowledged results, and at most its leases (a result the worker
	// gave up on after an ambiguous failure may be recorded too).
	got := final.Counters.Results - base.Counters.Results - uint64(total)
	if got < wResults+wDups || got > wLeases-wRefused {
		t.Errorf("the league counts %d results since the load started besides the %d client ids; the worker had %d acknowledged (%d new) of %d leases (%d refused)",
			got, total, wResults+wDups, wResults, wLeases, wRefused)
	}

}
