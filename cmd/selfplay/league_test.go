package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/cluster"
)

const cliToken = "cli-test-token-0123456789"

// cli runs "selfplay ARGS" and returns the exit code, stdout and stderr.
func cli(ctx context.Context, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb, false)
	return code, out.String(), errb.String()
}

func tokenFile(t *testing.T, token string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestLeagueAndWorkerFlagErrors(t *testing.T) {
	tok, short := tokenFile(t, cliToken), tokenFile(t, "short")
	data := t.TempDir()
	base := []string{"league", "serve", "--id", "n1", "--raft", "127.0.0.1:7001", "--http", "127.0.0.1:8001", "--data", data, "--token-file", tok}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(base); i++ {
			if base[i] == flag {
				i++
				continue
			}
			out = append(out, base[i])
		}
		return append(out, "--bootstrap")
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"league"}, "missing subcommand"},
		{[]string{"league", "elect"}, `unknown subcommand "elect"`},
		{without("--id"), "-id is required"},
		{without("--raft"), "-raft is required"},
		{without("--data"), "-data is required"},
		{without("--token-file"), "-token-file is required"},
		{with("--bootstrap", "--join", "http://127.0.0.1:8002"), "exclude each other"},
		{with(), "start a new node with -bootstrap or -join"},
		{with("--bootstrap", "--preset", "chess"), `-preset "chess"`},
		{with("--bootstrap", "--rounds", "-1"), "-rounds -1"},
		{with("--bootstrap", "--lease-ttl", "10ms"), "-lease-ttl"},
		{with("--join", "ftp://x/y"), "-join"},
		{with("--bootstrap", "--http", "8001"), "-http \"8001\""},
		{with("--bootstrap", "--token-file", short), "at least 16"},
		{with("--bootstrap", "--token-file", filepath.Join(data, "missing")), "-token-file"},
		{with("--bootstrap", "--tls-dir", t.TempDir()), "-tls-dir"},
		{with("--bootstrap", "--nonsense"), "flag provided but not defined"},
		{with("--bootstrap", "extra"), `unexpected argument "extra"`},
		{[]string{"league", "certs", "--nodes", "n1"}, "-dir is required"},
		{[]string{"league", "certs", "--dir", t.TempDir()}, "-nodes is required"},
		{[]string{"league", "certs", "--dir", t.TempDir(), "--nodes", "bad name"}, `name "bad name"`},
		{[]string{"worker", "--token-file", tok}, "-join is required"},
		{[]string{"worker", "--join", "http://127.0.0.1:8001"}, "-token-file is required"},
		{[]string{"worker", "--join", "http://127.0.0.1:8001", "--token-file", tok, "--parallel", "0"}, "-parallel 0"},
		{[]string{"worker", "--join", "http://127.0.0.1:8001/v1", "--token-file", tok}, "-join"},
		{[]string{"worker", "--join", "127.0.0.1:8001", "--token-file", short}, "at least 16"},
	}
	for _, c := range cases {
		code, _, errs := cli(context.Background(), c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errs, c.want)
		}
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Fatalf("refused commands wrote into the data dir: %v", entries)
	}
	for _, args := range [][]string{{"league", "serve", "-h"}, {"worker", "-h"}, {"league", "certs", "-h"}, {"league", "-h"}} {
		if code, _, errs := cli(context.Background(), args...); code != exitOK || !strings.Contains(errs, "Usage") {
			t.Errorf("%q: exit %d, %q", args, code, errs)
		}
	}
}

// TestLeagueServeWorkerRestart: a bootstrapped node trains a small league,
// a worker plays matches against it, the node stops on its context (as on
// SIGTERM) and restarts from its data directory with every result.
func TestLeagueServeWorkerRestart(t *testing.T) {
	tok, data := tokenFile(t, cliToken), t.TempDir()
	httpAddr := freeAddr(t)
	url := "http://" + httpAddr
	start := func(extra ...string) (context.CancelFunc, func() (int, string)) {
		ctx, cancel := context.WithCancel(context.Background())
		var (
			wg   sync.WaitGroup
			code int
			errs string
		)
		args := append([]string{"--log-format", "json", "league", "serve", "--id", "n1", "--raft", freeAddr(t), "--http", httpAddr,
			"--data", data, "--token-file", tok}, extra...)
		wg.Go(func() { code, _, errs = cli(ctx, args...) })
		return cancel, func() (int, string) { wg.Wait(); return code, errs }
	}
	c := &cluster.Client{Base: url}
	waitFor := func(what string, ok func(*cluster.StatusResponse) bool) *cluster.StatusResponse {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if st, err := c.Status(context.Background()); err == nil && ok(st) {
				return st
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s", what)
		return nil
	}

	stop, wait := start("--bootstrap", "--preset", "latest", "--rounds", "2")
	st := waitFor("the driver", func(st *cluster.StatusResponse) bool {
		return st.Driver != nil && st.Driver.State != cluster.DriverWaiting && st.Driver.State != cluster.DriverRunning
	})
	if st.Driver.State != cluster.DriverDone || st.Members == 0 {
		stop()
		_, errs := wait()
		t.Fatalf("driver %+v with %d members:\n%s", st.Driver, st.Members, errs)
	}
	code, out, errs := cli(context.Background(), "worker", "--join", httpAddr, "--token-file", tok, "--id", "w9", "--matches", "5", "--parallel", "2")
	if code != exitOK || !strings.Contains(out, "worker w9: ") {
		t.Fatalf("worker: exit %d\n%s\n%s", code, out, errs)
	}
	before := waitFor("the results", func(st *cluster.StatusResponse) bool { return st.Counters.Results >= uint64(st.Driver.Matches+5) })
	stop()
	if code, errs := wait(); code != exitOK || !strings.Contains(errs, "stopped") {
		t.Fatalf("serve after SIGTERM: exit %d\n%s", code, errs)
	}

	stop, wait = start("--preset", "none")
	defer func() { stop(); wait() }()
	after := waitFor("the restarted node", func(st *cluster.StatusResponse) bool {
		return st.Node.LeaderID == "n1" && st.Node.AppliedIndex >= before.Node.AppliedIndex
	})
	if after.StateHash != before.StateHash || after.Counters.Results != before.Counters.Results || after.Members != before.Members {
		t.Fatalf("restarted with %d members, %d results (%s); had %d, %d (%s)", after.Members, after.Counters.Results,
			after.StateHash, before.Members, before.Counters.Results, before.StateHash)
	}
}

func TestLeagueCertsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	code, out, errs := cli(context.Background(), "league", "certs", "--dir", dir, "--nodes", "n1,n2,worker", "--hosts", "10.0.0.1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"ca.crt", "ca.key", "n1.crt", "n1.key", "n2.crt", "worker.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
		if !strings.Contains(out, filepath.Join(dir, f)) && f != "ca.key" {
			t.Errorf("output does not name %s:\n%s", f, out)
		}
	}
	if _, err := cluster.LoadTLS(dir, "n2"); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(context.Background(), "league", "certs", "--dir", dir, "--nodes", "n2"); code != exitUsage || !strings.Contains(errs, "already exists") {
		t.Fatalf("replacing a certificate: exit %d, %s", code, errs)
	}
}

// newerLeader is a one-voter Raft cluster whose state machine applies
// every entry, as a node of a newer version that knows more event types
// would, with a join endpoint like the API's, so that a node of this
// version can join it with "league serve --join".
type newerLeader struct {
	raft *raft.Raft
	url  string
}

type acceptAll struct{}

func (acceptAll) Apply(*raft.Log) any                 { return nil }
func (acceptAll) Snapshot() (raft.FSMSnapshot, error) { return nil, errors.New("no snapshots") }
func (acceptAll) Restore(io.ReadCloser) error         { return errors.New("no snapshots") }

func startNewerLeader(t *testing.T, ctx context.Context) *newerLeader {
	t.Helper()
	tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 3, 5*time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rc := raft.DefaultConfig()
	rc.LocalID, rc.LogOutput = "n1", io.Discard
	store := raft.NewInmemStore()
	r, err := raft.NewRaft(rc, acceptAll{}, store, store, raft.NewInmemSnapshotStore(), tr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Shutdown().Error(); tr.Close() })
	if err := r.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{ID: "n1", Address: tr.LocalAddr()}}}).Error(); err != nil {
		t.Fatal(err)
	}
	for r.State() != raft.Leader {
		if ctx.Err() != nil {
			t.Fatal("the newer leader did not elect itself")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+cluster.PathJoin, func(w http.ResponseWriter, req *http.Request) {
		var j cluster.JoinRequest
		if err := json.NewDecoder(req.Body).Decode(&j); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := r.AddVoter(raft.ServerID(j.ID), raft.ServerAddress(j.RaftAddr), 0, 5*time.Second).Error(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(cluster.MembershipResponse{Leader: "n1"})
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return &newerLeader{raft: r, url: ts.URL}
}

// TestLeagueServeExitsOnHalt: a "league serve" node that joined a leader
// of a newer version halts when the leader commits an entry of an event
// type this version does not know; the process logs the halt, stops
// serving its API and exits 1 without being told to stop.
func TestLeagueServeExitsOnHalt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	leader := startNewerLeader(t, ctx)

	httpAddr := freeAddr(t)
	var (
		wg   sync.WaitGroup
		code = -1
		errs string
	)
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	wg.Go(func() {
		code, _, errs = cli(serveCtx, "--log-format", "json", "league", "serve", "--id", "n2", "--raft", freeAddr(t), "--http", httpAddr,
			"--data", t.TempDir(), "--token-file", tokenFile(t, cliToken), "--join", leader.url, "--preset", "none")
	})
	c := &cluster.Client{Base: "http://" + httpAddr}
	for {
		st, err := c.Status(ctx)
		if err == nil && st.Node.LeaderID == "n1" && len(st.Servers) == 2 {
			break
		}
		if ctx.Err() != nil {
			stopServe()
			wg.Wait()
			t.Fatalf("n2 did not join: %v\n%s", err, errs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An unflagged event type this version does not know.
	if err := leader.raft.Apply([]byte{0x7e, 0x80}, 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { wg.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		stopServe() // serve that ignored the halt runs until told to stop
		<-exited
		t.Fatalf("serve did not exit after its node halted (exit %d once stopped)\n%s", code, errs)
	}
	if code != exitFailure || !strings.Contains(errs, "node halted") || !strings.Contains(errs, cluster.ErrCannotApply.Error()) {
		t.Fatalf("serve after the halt: exit %d, want 1 with the halt reason logged\n%s", code, errs)
	}
	if _, err := c.Status(context.Background()); err == nil {
		t.Fatal("the halted node's API still answers after serve returned")
	}
}
