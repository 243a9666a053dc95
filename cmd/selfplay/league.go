package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/cluster"
	"github.com/selfplay-lab/selfplay/demo"
	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

const leagueDescription = `
Run a league replicated with Raft across machines (or processes).

  serve   run one node: Raft member, HTTP API, and (on the leader of a new
          league) the league driver
  certs   make a CA and node certificates for mutual TLS

Run 'selfplay league serve -h' or 'selfplay league certs -h' for the flags.`

func runLeague(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(e.stderr, "Usage: selfplay league serve|certs [flags]\n%s\n", leagueDescription)
		if len(args) == 0 {
			return usagef("missing subcommand: serve or certs")
		}
		return nil
	}
	switch args[0] {
	case "serve":
		return runLeagueServe(ctx, e, args[1:])
	case "certs":
		return runLeagueCerts(e, args[1:])
	}
	return usagef("unknown subcommand %q: expected serve or certs", args[0])
}

const serveDescription = `
Run one node of a replicated league: a Raft member whose state machine is
the league, an HTTP API on --http, and, on the leader of a new (empty)
league, the league driver that trains the --preset league, proposing its
events through the log and storing its policies as blobs (the log carries
their hashes). Workers ("selfplay worker") play leased matches from any node.

Start the first node with --bootstrap, the others with --join URL (the API
of any member; a follower redirects the join to the leader). A node restarts
from --data without either flag. On SIGINT/SIGTERM a leader hands leadership
to a follower, a node started with --leave asks the cluster to remove it,
and the node shuts down; without --leave it stays a member and may restart
from its data directory.

Fail-over: the driver's learners live in its process, so it runs only on a
node that leads an empty league (the bootstrap node, at creation) and stops
when that node loses leadership; it is not restarted elsewhere. Every event
it committed stays in the league; the new leader keeps leasing matches,
expiring overdue leases (re-issued under the same match id) and accepting
results, so workers keep playing.

A node that meets a committed entry it cannot apply (an event type of a
newer version) halts: it logs why, closes its API and exits with status 1;
restart it from --data with the newer binary.

API (JSON; reads take ?consistency=local|leader|linearizable):
  GET  /v1/status                  leader, members, applied index, driver
  GET  /v1/leaderboard             ?method=bt|elo|…  ?format=json|html
  GET  /v1/members                 the population
  GET  /v1/matches                 recent results  ?limit=N
  GET  /v1/game                    the game spec workers play
  GET  /v1/blobs/HASH              policies and the game, by sha256
  PUT  /v1/blobs/HASH              store a blob (the driver's push)  token
  POST /v1/lease                   {"worker"}             token
  POST /v1/results                 {"match","a","b","outcome"}  token
  POST /v1/join                    {"id","raft_addr","http_url"}  token
  POST /v1/remove                  {"id"}                 token
Writes need "Authorization: Bearer TOKEN" with the token of --token-file.
A follower forwards leases and results to the leader and redirects (307)
joins and removals. A result whose match id was recorded before answers
{"duplicate": true} and changes nothing.`

// serveFlags are the parsed flags of "league serve".
type serveFlags struct {
	id, raftAddr, httpAddr, dataDir, join, tokenFile, tlsDir, advertise string
	preset                                                              string
	bootstrap, leave                                                    bool
	seed                                                                uint64
	rounds                                                              int
	leaseTTL                                                            time.Duration
	raftLog                                                             string
}

func runLeagueServe(ctx context.Context, e *env, args []string) error {
	var f serveFlags
	def := demo.DefaultConfig()
	fs := e.flags("league serve", "--id ID --raft ADDR --http ADDR --data DIR [--bootstrap | --join URL] --token-file F [flags]", serveDescription,
		"selfplay league serve --id n1 --raft 127.0.0.1:7001 --http 127.0.0.1:8001 --data /tmp/n1 --bootstrap --token-file token",
		"selfplay league serve --id n2 --raft 127.0.0.1:7002 --http 127.0.0.1:8002 --data /tmp/n2 --join http://127.0.0.1:8001 --token-file token",
		"selfplay league serve --id n1 --raft 10.0.0.1:7000 --http 10.0.0.1:8000 --data /var/lib/selfplay --bootstrap --token-file token --tls-dir certs")
	fs.StringVar(&f.id, "id", "", "node id, unique and stable across restarts (required)")
	fs.StringVar(&f.raftAddr, "raft", "", "host:port of the Raft transport, as peers reach it (required)")
	fs.StringVar(&f.httpAddr, "http", "", "host:port the API listens on (required)")
	fs.StringVar(&f.advertise, "advertise", "", "API base URL peers and workers use (default: http(s)://the --http address)")
	fs.StringVar(&f.dataDir, "data", "", "data directory: Raft log, snapshots, blobs; the node restarts from it (required)")
	fs.BoolVar(&f.bootstrap, "bootstrap", false, "make a new data directory the first node of a new cluster")
	fs.StringVar(&f.join, "join", "", "API URL of any member to join through (a follower redirects to the leader)")
	fs.StringVar(&f.tokenFile, "token-file", "", fmt.Sprintf("file holding the cluster token (at least %d characters; required)", cluster.MinTokenLen))
	fs.StringVar(&f.tlsDir, "tls-dir", "", "directory from 'selfplay league certs': mutual TLS for the API and Raft with ID.crt/ID.key")
	fs.BoolVar(&f.leave, "leave", false, "on shutdown, ask the cluster to remove this node (otherwise it stays a member)")
	fs.StringVar(&f.preset, "preset", "demo", "league the driver trains: demo, "+strings.Join(leaguesim.Presets(), ", ")+", or none (no driver)")
	fs.Uint64Var(&f.seed, "seed", def.Seed, "seed of the driver's league (game, matches)")
	fs.IntVar(&f.rounds, "rounds", 0, "training rounds of the driver (0: the preset's)")
	fs.DurationVar(&f.leaseTTL, "lease-ttl", 30*time.Second, "how long a worker may hold a lease before the match is re-issued")
	fs.StringVar(&f.raftLog, "raft-log-level", "warn", "Raft's log level: trace, debug, info, warn or error")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if err := f.check(); err != nil {
		return err
	}
	token, err := cluster.LoadToken(f.tokenFile)
	if err != nil {
		return badInput(fmt.Errorf("-token-file: %w", err))
	}
	var tlsCfg *cluster.TLSConfig
	if f.tlsDir != "" {
		if tlsCfg, err = cluster.LoadTLS(f.tlsDir, f.id); err != nil {
			return badInput(fmt.Errorf("-tls-dir: %w", err))
		}
	}
	lcfg, err := f.leagueConfig()
	if err != nil {
		return badInput(err)
	}
	return serve(ctx, e, f, token, tlsCfg, lcfg)
}

// check validates the flags that need no file.
func (f *serveFlags) check() error {
	for _, r := range []struct{ name, v string }{{"id", f.id}, {"raft", f.raftAddr}, {"http", f.httpAddr}, {"data", f.dataDir}, {"token-file", f.tokenFile}} {
		if r.v == "" {
			return usagef("-%s is required", r.name)
		}
	}
	for _, a := range []struct{ name, v string }{{"raft", f.raftAddr}, {"http", f.httpAddr}} {
		if _, port, err := net.SplitHostPort(a.v); err != nil || port == "" {
			return usagef("-%s %q: expected host:port", a.name, a.v)
		}
	}
	if f.bootstrap && f.join != "" {
		return usagef("-bootstrap and -join exclude each other: bootstrap the first node, join the others")
	}
	if f.join != "" {
		u, err := normalizeURL(f.join, f.tlsDir != "")
		if err != nil {
			return usagef("-join: %v", err)
		}
		f.join = u
	}
	if f.advertise != "" {
		u, err := normalizeURL(f.advertise, f.tlsDir != "")
		if err != nil {
			return usagef("-advertise: %v", err)
		}
		f.advertise = u
	}
	if f.rounds < 0 || f.rounds > demo.MaxRounds*100 {
		return usagef("-rounds %d: want 0 (the preset's) to %d", f.rounds, demo.MaxRounds*100)
	}
	if f.leaseTTL < time.Second {
		return usagef("-lease-ttl %v: want at least 1s", f.leaseTTL)
	}
	if f.preset != "none" && f.preset != "demo" && !slices.Contains(leaguesim.Presets(), f.preset) {
		return usagef("-preset %q: expected demo, %s or none", f.preset, strings.Join(leaguesim.Presets(), ", "))
	}
	if !f.bootstrap && f.join == "" {
		if _, err := os.Stat(filepath.Join(f.dataDir, "raft.db")); err != nil {
			return usagef("-data %s holds no node: start a new node with -bootstrap or -join URL", f.dataDir)
		}
	}
	return nil
}

// normalizeURL accepts http(s)://host:port or host:port (the scheme then
// follows whether TLS is on).
func normalizeURL(s string, tls bool) (string, error) {
	s = strings.TrimRight(s, "/")
	if !strings.Contains(s, "://") {
		scheme := "http://"
		if tls {
			scheme = "https://"
		}
		s = scheme + s
	}
	rest, ok := strings.CutPrefix(s, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "https://")
	}
	if !ok || rest == "" || strings.ContainsAny(rest, "/?# ") {
		return "", fmt.Errorf("%q: expected http://host:port, https://host:port or host:port", s)
	}
	if _, _, err := net.SplitHostPort(rest); err != nil {
		return "", fmt.Errorf("%q: expected a host:port: %v", s, err)
	}
	return s, nil
}

// leagueConfig is the league the driver trains (Game nil for "none").
func (f *serveFlags) leagueConfig() (leaguesim.Config, error) {
	var (
		cfg leaguesim.Config
		err error
	)
	switch f.preset {
	case "none":
		return cfg, nil
	case "demo":
		d := demo.DefaultConfig()
		d.Seed = f.seed
		if f.rounds > 0 && f.rounds <= demo.MaxRounds {
			d.Rounds = f.rounds
		}
		cfg, err = d.LeagueConfig()
	default:
		cfg, err = leaguesim.Preset(f.preset, f.seed)
	}
	if err != nil {
		return cfg, fmt.Errorf("-preset %s: %w", f.preset, err)
	}
	if f.rounds > 0 {
		cfg.Rounds = f.rounds
	}
	// The API rates the league on demand; the driver's own final ratings
	// would only cost time.
	cfg.Ratings, cfg.Bootstrap = []league.RatingMethod{league.MethodBT}, 0
	return cfg, nil
}

// serve runs the node until ctx ends, then leaves as the flags say.
func serve(ctx context.Context, e *env, f serveFlags, token *cluster.Token, tlsCfg *cluster.TLSConfig, lcfg leaguesim.Config) error {
	log := e.log.With().Str("node", f.id).Logger()
	var transport *raft.NetworkTransport
	ncfg := cluster.Config{ID: f.id, RaftAddr: f.raftAddr, DataDir: f.dataDir, Bootstrap: f.bootstrap,
		Log: func(line string) { log.Info().Msg("raft: " + line) }, LogLevel: f.raftLog}
	if tlsCfg != nil {
		var err error
		if transport, err = cluster.NewTLSTransport(f.raftAddr, tlsCfg, nil); err != nil {
			return badInput(fmt.Errorf("-raft: %w", err))
		}
		defer transport.Close()
		ncfg.Transport = transport
	}
	node, err := cluster.NewNode(ncfg)
	if err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	defer node.Shutdown()

	ln, err := net.Listen("tcp", f.httpAddr)
	if err != nil {
		return fmt.Errorf("-http: %w", err)
	}
	defer ln.Close()
	url := f.advertise
	if url == "" {
		scheme := "http://"
		if tlsCfg != nil {
			scheme = "https://"
		}
		url = scheme + ln.Addr().String()
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if tlsCfg != nil {
		client.Transport = &http.Transport{TLSClientConfig: tlsCfg.Client}
	}
	var (
		driver *cluster.Driver
		api    *cluster.API
	)
	if lcfg.Game != nil {
		// The driver pushes each blob to a majority of the voters through
		// the API (created below, before the driver runs) before naming it.
		replicate := func(ctx context.Context, h league.Hash, b []byte) error { return api.ReplicateBlob(ctx, h, b) }
		driver, err = cluster.NewDriver(node, cluster.DriverConfig{League: lcfg, Replicate: replicate,
			Log: func(s string) { log.Info().Msg(s) }})
		if err != nil {
			return err
		}
	}
	var seeds []string
	if f.join != "" {
		seeds = []string{f.join}
	}
	api, err = cluster.NewAPI(cluster.APIConfig{Node: node, URL: url, Token: token, Client: client,
		PeersFile: filepath.Join(f.dataDir, "peers.json"), Seeds: seeds, LeaseTTL: f.leaseTTL, Driver: driver,
		Log: func(s string) { log.Info().Msg(s) }})
	if err != nil {
		return err
	}
	srv := cluster.NewHTTPServer(f.httpAddr, api.Handler(), nil)
	if tlsCfg != nil {
		srv.TLSConfig = tlsCfg.Server
	}
	serveErr := make(chan error, 1)
	go func() {
		var err error
		if srv.TLSConfig != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		serveErr <- err
	}()
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { api.Run(runCtx); close(done) }()
	driverDone := make(chan struct{})
	go func() {
		defer close(driverDone)
		if driver == nil {
			return
		}
		if err := driver.Run(runCtx); err != nil {
			log.Error().Err(err).Msg("league driver failed; the node keeps serving")
		}
	}()
	log.Info().Str("raft", node.Addr()).Str("api", url).Str("data", f.dataDir).Bool("tls", tlsCfg != nil).Msg("node started")

	if f.join != "" {
		if err := joinCluster(ctx, e, f, token, client, node.Addr(), url); err != nil {
			stopRun()
			<-done
			<-driverDone
			_ = srv.Close()
			return err
		}
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		stopRun()
		<-done
		<-driverDone
		return fmt.Errorf("API server: %w", err)
	case <-node.HaltedCh():
		// The node cannot apply a committed entry (a newer version wrote
		// it) and stopped Raft: its state no longer follows the log, so
		// it must not keep answering reads. Exit so that a supervisor
		// notices; an upgraded binary restarts from the data directory.
		halt := node.Halted()
		log.Error().Err(halt).Msg("node halted: stopping the API and exiting; upgrade and restart from the data directory")
		_ = srv.Close()
		stopRun()
		<-driverDone
		<-done
		_ = node.Shutdown()
		return fmt.Errorf("node %s halted: %w", f.id, halt)
	}
	log.Info().Msg("shutting down")
	stopRun()
	<-driverDone
	leaveCluster(e, f, node, token, client, url)
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	<-done
	if err := node.Shutdown(); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	log.Info().Msg("stopped")
	return nil
}

// joinCluster asks the cluster at f.join to add this node, retrying while
// the answer is temporary (no leader yet, the leader unreachable).
func joinCluster(ctx context.Context, e *env, f serveFlags, token *cluster.Token, hc *http.Client, raftAddr, url string) error {
	c := &cluster.Client{Base: f.join, Token: token, HTTP: hc}
	wait := 200 * time.Millisecond
	for {
		m, err := c.Join(ctx, cluster.JoinRequest{ID: f.id, RaftAddr: raftAddr, HTTPURL: url})
		if err == nil {
			e.log.Info().Str("node", f.id).Str("leader", m.Leader).Int("servers", len(m.Servers)).Msg("joined the cluster")
			return nil
		}
		var ae *cluster.APIError
		if errors.As(err, &ae) && !ae.Temporary() {
			return fmt.Errorf("join through %s: %w", f.join, err)
		}
		e.log.Warn().Err(err).Dur("retry_in", wait).Msg("join failed; retrying")
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// leaveCluster hands leadership over and, with --leave, removes the node.
func leaveCluster(e *env, f serveFlags, node *cluster.Node, token *cluster.Token, hc *http.Client, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	servers, _ := node.Servers(ctx)
	if node.IsLeader() && len(servers) > 1 {
		if err := node.TransferLeadership(ctx); err != nil {
			e.log.Warn().Err(err).Msg("leadership transfer failed; the others will elect a leader after a timeout")
		} else {
			e.log.Info().Msg("handed leadership over")
		}
	}
	if !f.leave || len(servers) < 2 {
		return
	}
	if _, _, err := node.WaitLeader(ctx); err != nil {
		e.log.Warn().Err(err).Msg("no leader to leave through")
		return
	}
	c := &cluster.Client{Base: url, Token: token, HTTP: hc} // this node redirects to the leader
	if _, err := c.Remove(ctx, f.id); err != nil {
		e.log.Warn().Err(err).Msg("leaving the cluster failed")
		return
	}
	e.log.Info().Msg("left the cluster")
}

const certsDescription = `
Make a private CA (ca.crt, ca.key) and one certificate per name (NAME.crt,
NAME.key; ECDSA P-256, valid 5 years) in --dir, for mutual TLS between nodes
(API and Raft) and workers. Each certificate is valid for its name,
localhost, 127.0.0.1, ::1 and the --hosts. An existing CA in --dir is reused,
so a later run adds certificates for new nodes; an existing certificate is
never replaced. Keep ca.key off the nodes once the certificates are made.

Give each node its NAME (= its --id) files and ca.crt; start nodes with
--tls-dir DIR and workers with --tls-dir DIR --tls-cert NAME.`

func runLeagueCerts(e *env, args []string) error {
	fs := e.flags("league certs", "--dir DIR --nodes n1,n2,… [--hosts h1,h2,…]", certsDescription,
		"selfplay league certs --dir certs --nodes n1,n2,n3,worker",
		"selfplay league certs --dir certs --nodes n4 --hosts 10.0.0.4,node4.example")
	dir := fs.String("dir", "", "directory for the CA and the certificates (required)")
	nodes := fs.String("nodes", "", "comma-separated names to make certificates for (node ids, worker names)")
	hosts := fs.String("hosts", "", "comma-separated extra DNS names or IPs every certificate is valid for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: certs takes only flags", fs.Arg(0))
	}
	if *dir == "" {
		return usagef("-dir is required")
	}
	names := splitList(*nodes)
	if len(names) == 0 {
		return usagef("-nodes is required: the names to make certificates for")
	}
	if err := cluster.GenerateCerts(*dir, names, splitList(*hosts)); err != nil {
		if errors.Is(err, cluster.ErrCerts) {
			return badInput(err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "CA: %s\n", filepath.Join(*dir, cluster.CACertFile))
	for _, n := range names {
		fmt.Fprintf(e.stdout, "%s: %s, %s\n", n, filepath.Join(*dir, n+".crt"), filepath.Join(*dir, n+".key"))
	}
	return nil
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
