package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/selfplay-lab/selfplay/cluster"
)

const workerDescription = `
Play matches for a replicated league ("selfplay league serve"): lease a
match from any node (followers forward to the leader), fetch the two
members' policies and the game by hash, play the match, and submit the
result with its match id. Failed requests are retried with exponential
backoff; a result submitted twice is applied once (the second answer says
"duplicate"). A lease not answered within the cluster's --lease-ttl is
re-issued to another worker under the same match id, so a worker that dies
mid-match loses nothing.

Runs until interrupted (Ctrl-C, SIGTERM) or, with --matches, until that many
results were accepted; then prints what it did.`

func runWorker(ctx context.Context, e *env, args []string) error {
	host, _ := os.Hostname()
	fs := e.flags("worker", "--join URL --token-file F [flags]", workerDescription,
		"selfplay worker --join http://127.0.0.1:8001 --token-file token",
		"selfplay worker --join http://127.0.0.1:8002 --parallel 4 --token-file token --matches 1000",
		"selfplay worker --join https://10.0.0.1:8000 --token-file token --tls-dir certs --tls-cert worker")
	join := fs.String("join", "", "API URL of any node (required)")
	tokenFile := fs.String("token-file", "", "file holding the cluster token (required)")
	id := fs.String("id", fmt.Sprintf("%s-%d", host, os.Getpid()), "worker name recorded with its leases and results")
	parallel := fs.Int("parallel", 1, "matches played at once, 1..256")
	matches := fs.Int("matches", 0, "stop after this many results (0: until interrupted)")
	tlsDir := fs.String("tls-dir", "", "directory from 'selfplay league certs' for mutual TLS")
	tlsCert := fs.String("tls-cert", "worker", "certificate name in --tls-dir (NAME.crt, NAME.key)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: worker takes only flags", fs.Arg(0))
	}
	switch {
	case *join == "":
		return usagef("-join is required: the API URL of a node")
	case *tokenFile == "":
		return usagef("-token-file is required")
	case *parallel < 1 || *parallel > 256:
		return usagef("-parallel %d: want 1..256", *parallel)
	case *matches < 0:
		return usagef("-matches %d: want 0 (no limit) or more", *matches)
	case *id == "" || len(*id) > 128:
		return usagef("-id %q: want 1..128 characters", *id)
	}
	base, err := normalizeURL(*join, *tlsDir != "")
	if err != nil {
		return usagef("-join: %v", err)
	}
	token, err := cluster.LoadToken(*tokenFile)
	if err != nil {
		return badInput(fmt.Errorf("-token-file: %w", err))
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if *tlsDir != "" {
		tc, err := cluster.LoadTLS(*tlsDir, *tlsCert)
		if err != nil {
			return badInput(fmt.Errorf("-tls-dir: %w", err))
		}
		hc.Transport = &http.Transport{TLSClientConfig: tc.Client}
	}
	log := e.log.With().Str("worker", *id).Logger()
	log.Info().Str("join", base).Int("parallel", *parallel).Msg("worker started")
	start := time.Now()
	st, err := cluster.RunWorker(ctx, cluster.WorkerConfig{
		Client: &cluster.Client{Base: base, Token: token, HTTP: hc}, ID: *id, Parallel: *parallel, Matches: *matches,
		Log: func(s string) { log.Warn().Msg(s) },
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "worker %s: %d leases, %d results, %d duplicates, %d refused, %d retries in %s\n",
		*id, st.Leases, st.Results, st.Duplicates, st.Dropped, st.Retries, time.Since(start).Round(time.Millisecond))
	return err
}
