package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

const testToken = "test-token-0123456789"

// apiNode is a node with its API served by an httptest server.
type apiNode struct {
	node  *Node
	api   *API
	ts    *httptest.Server
	token *Token
}

// newAPINode starts a node (TCP transport on loopback when tr is nil)
// and its API; Run's maintenance loop runs until the test ends.
func newAPINode(t *testing.T, id string, tr raft.Transport, bootstrap bool, seeds ...string) *apiNode {
	t.Helper()
	return newAPINodeWith(t, id, tr, bootstrap, nil, seeds...)
}

// steadyTimeouts are Raft timeouts for tests whose assertions need the
// leader to keep leading (a driver that must finish its run). testConfig's
// 50ms leader lease is shorter than the stalls of a loaded two-core
// machine under -race, where a leader that misses one round of heartbeat
// answers steps down and its driver stops; these timeouts cost one slower
// first election instead.
func steadyTimeouts(cfg *Config) {
	cfg.HeartbeatTimeout, cfg.ElectionTimeout, cfg.LeaderLeaseTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
}

// newAPINodeWith is newAPINode with the node's configuration adjusted by
// tweak (if not nil).
func newAPINodeWith(t *testing.T, id string, tr raft.Transport, bootstrap bool, tweak func(*Config), seeds ...string) *apiNode {
	t.Helper()
	return newAPINodeFull(t, id, tr, bootstrap, tweak, nil, seeds...)
}

// newAPINodeFull is newAPINodeWith with the API's configuration adjusted
// by apiTweak (if not nil) too.
func newAPINodeFull(t *testing.T, id string, tr raft.Transport, bootstrap bool, tweak func(*Config), apiTweak func(*APIConfig), seeds ...string) *apiNode {
	t.Helper()
	cfg := testConfig(t, id, t.TempDir(), tr)
	cfg.Bootstrap, cfg.NoSync = bootstrap, true
	if tr == nil {
		cfg.RaftAddr = "127.0.0.1:0"
	}
	if tweak != nil {
		tweak(&cfg)
	}
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := NewToken(testToken)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu sync.Mutex
		h  http.Handler
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hh := h
		mu.Unlock()
		hh.ServeHTTP(w, r)
	}))
	// Leases outlive any test: a lease expiring between a test's lease and
	// its result (a stall of a loaded machine) would turn the result into
	// one for a re-queued match. Expiry itself is tested on the league.
	acfg := APIConfig{Node: n, URL: ts.URL, Token: tok, Seeds: seeds,
		SyncInterval: 50 * time.Millisecond, LeaseTTL: time.Hour, Log: func(s string) { t.Log(id + ": " + s) }}
	if apiTweak != nil {
		apiTweak(&acfg)
	}
	api, err := NewAPI(acfg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	h = api.Handler()
	mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { api.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		ts.Close()
		n.Shutdown()
	})
	return &apiNode{node: n, api: api, ts: ts, token: tok}
}

// newSingleAPI is a one-node cluster holding testLeague, with its API.
func newSingleAPI(t *testing.T) *apiNode {
	t.Helper()
	_, tr := raft.NewInmemTransport(nodeAddr(0))
	a := newAPINode(t, "solo", tr, true)
	ctx := testCtx(t)
	if _, _, err := a.node.WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	for _, ev := range testLeague() {
		if _, err := a.node.Propose(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// call sends a request and returns the status, the decoded error (if any)
// and the body.
func call(t *testing.T, method, url, auth string, body []byte) (int, ErrorResponse, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e ErrorResponse
	if resp.StatusCode >= 300 {
		_ = json.Unmarshal(data, &e)
	}
	return resp.StatusCode, e, data
}

// fingerprint is what a refused request must leave unchanged.
func (a *apiNode) fingerprint() string {
	return fmt.Sprintf("%s@%d", a.node.StateHash(), a.node.Status().LastIndex)
}

var bearer = "Bearer " + testToken

func TestAPIRefusesUnauthenticatedWrites(t *testing.T) {
	a := newSingleAPI(t)
	before := a.fingerprint()
	bodies := map[string]string{
		PathResults: `{"match":"x1","a":"L0","b":"S0","outcome":"a"}`,
		PathLease:   `{"worker":"w"}`,
		PathJoin:    `{"id":"n9","raft_addr":"127.0.0.1:9"}`,
		PathRemove:  `{"id":"solo"}`,
	}
	for _, path := range []string{PathResults, PathLease, PathJoin, PathRemove} {
		for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Basic " + testToken, testToken, "Bearer " + testToken + "x", "Bearer"} {
			status, e, _ := call(t, http.MethodPost, a.ts.URL+path, auth, []byte(bodies[path]))
			if status != http.StatusUnauthorized || e.Error == "" {
				t.Errorf("POST %s with Authorization %q: %d %+v, want 401 with a reason", path, auth, status, e)
			}
		}
	}
	if got := a.fingerprint(); got != before {
		t.Fatalf("refused requests changed the node: %s → %s", before, got)
	}
	// The right token passes (and the result is recorded), so the refusals
	// above were about the token.
	if status, _, body := call(t, http.MethodPost, a.ts.URL+PathResults, bearer, []byte(bodies[PathResults])); status != http.StatusOK {
		t.Fatalf("authorized result: %d %s", status, body)
	}
	if a.fingerprint() == before {
		t.Fatal("an accepted result changed nothing")
	}
}

func TestAPIRefusesMalformedRequests(t *testing.T) {
	a := newSingleAPI(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"syntax", "POST", PathResults, `{"match":"m1",`, 400, ""},
		{"not an object", "POST", PathResults, `[1,2]`, 400, ""},
		{"empty body", "POST", PathResults, ``, 400, ""},
		{"trailing data", "POST", PathResults, `{"match":"x","a":"L0","b":"S0","outcome":"a"} {}`, 400, ""},
		{"unknown field", "POST", PathResults, `{"match":"x","a":"L0","b":"S0","outcome":"a","score":1}`, 400, "score"},
		{"wrong type", "POST", PathResults, `{"match":5,"a":"L0","b":"S0","outcome":"a"}`, 400, "match"},
		{"missing match", "POST", PathResults, `{"a":"L0","b":"S0","outcome":"a"}`, 400, "match"},
		{"missing b", "POST", PathResults, `{"match":"x","a":"L0","outcome":"a"}`, 400, "b"},
		{"bad outcome", "POST", PathResults, `{"match":"x","a":"L0","b":"S0","outcome":"win"}`, 400, "outcome"},
		{"long match id", "POST", PathResults, `{"match":"` + strings.Repeat("m", league.MaxIDLen+1) + `","a":"L0","b":"S0","outcome":"a"}`, 400, "match"},
		{"unknown member", "POST", PathResults, `{"match":"x","a":"ghost","b":"S0","outcome":"a"}`, 422, "a"},
		{"lease without worker", "POST", PathLease, `{}`, 400, "worker"},
		{"lease unknown home", "POST", PathLease, `{"worker":"w","home":"ghost"}`, 422, "home"},
		{"join without raft_addr", "POST", PathJoin, `{"id":"n9"}`, 400, "raft_addr"},
		{"join bad raft_addr", "POST", PathJoin, `{"id":"n9","raft_addr":"nowhere"}`, 400, "raft_addr"},
		{"join bad url", "POST", PathJoin, `{"id":"n9","raft_addr":"127.0.0.1:9","http_url":"ftp://x"}`, 400, "http_url"},
		{"remove unknown", "POST", PathRemove, `{"id":"ghost"}`, 404, "id"},
		{"bad consistency", "GET", PathMembers + "?consistency=eventual", ``, 400, "consistency"},
		{"bad method", "GET", PathLeaderboard + "?method=trueskill", ``, 400, "method"},
		{"bad format", "GET", PathLeaderboard + "?format=xml", ``, 400, "format"},
		{"bad limit", "GET", PathMatches + "?limit=-1", ``, 400, "limit"},
		{"bad hash", "GET", PathBlobs + "xyz", ``, 400, "hash"},
		{"no such blob", "GET", PathBlobs + strings.Repeat("ab", 32), ``, 404, "hash"},
		{"no game", "GET", PathGame, ``, 404, ""},
		{"no endpoint", "GET", "/v1/nothing", ``, 404, ""},
	}
	before := a.fingerprint()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, e, body := call(t, c.method, a.ts.URL+c.path, bearer, []byte(c.body))
			if status != c.status || e.Field != c.field || e.Error == "" {
				t.Fatalf("%s %s %s: %d field %q (%s), want %d field %q", c.method, c.path, c.body, status, e.Field, body, c.status, c.field)
			}
		})
	}
	if got := a.fingerprint(); got != before {
		t.Fatalf("refused requests changed the node: %s → %s", before, got)
	}
}

func TestAPIRefusesOversizeBody(t *testing.T) {
	a := newSingleAPI(t)
	before := a.fingerprint()
	big := `{"match":"x","a":"L0","b":"S0","outcome":"a","worker":"` + strings.Repeat("w", MaxRequestBody) + `"}`
	for _, path := range []string{PathResults, PathLease, PathJoin} {
		status, e, _ := call(t, http.MethodPost, a.ts.URL+path, bearer, []byte(big))
		if status != http.StatusRequestEntityTooLarge || e.Error == "" {
			t.Errorf("POST %s with %d bytes: %d %+v, want 413", path, len(big), status, e)
		}
	}
	if got := a.fingerprint(); got != before {
		t.Fatalf("refused requests changed the node: %s → %s", before, got)
	}
}

func TestAPIResultAppliedOnce(t *testing.T) {
	a := newSingleAPI(t)
	body := []byte(`{"match":"r1","a":"L0","b":"S1","outcome":"b","worker":"w7"}`)
	var dups []bool
	for range 3 {
		status, _, data := call(t, http.MethodPost, a.ts.URL+PathResults, bearer, body)
		var r ResultResponse
		if status != http.StatusOK || json.Unmarshal(data, &r) != nil || r.Match != "r1" {
			t.Fatalf("submit: %d %s", status, data)
		}
		dups = append(dups, r.Duplicate)
	}
	if !slices.Equal(dups, []bool{false, true, true}) {
		t.Fatalf("duplicate flags %v, want [false true true]", dups)
	}
	status, _, data := call(t, http.MethodGet, a.ts.URL+PathMatches+"?consistency=linearizable", "", nil)
	var m MatchesResponse
	if status != http.StatusOK || json.Unmarshal(data, &m) != nil {
		t.Fatalf("matches: %d %s", status, data)
	}
	want := []MatchJSON{{Match: "r1", A: "L0", B: "S1", Outcome: "b", Worker: "w7", Time: m.Matches[0].Time}}
	if m.Total != 1 || !slices.Equal(m.Matches, want) || m.Matches[0].Time == 0 {
		t.Fatalf("matches %+v (total %d), want %+v once with a time", m.Matches, m.Total, want)
	}
}

func TestAPILeaseAndMismatch(t *testing.T) {
	a := newSingleAPI(t)
	status, _, data := call(t, http.MethodPost, a.ts.URL+PathLease, bearer, []byte(`{"worker":"w1","home":"L1"}`))
	var l LeaseResponse
	if status != http.StatusOK || json.Unmarshal(data, &l) != nil {
		t.Fatalf("lease: %d %s", status, data)
	}
	home, _ := a.node.Member("L1")
	away, ok := a.node.Member(l.Away)
	if l.Home != "L1" || !ok || l.HomeParams != home.Params.String() || l.AwayParams != away.Params.String() || l.Worker != "w1" || l.Deadline <= l.Issued {
		t.Fatalf("lease %+v does not match the league (home params %s)", l, home.Params)
	}
	// A result naming other players than the lease is refused and changes
	// nothing; the right one is accepted.
	other := "S2"
	if l.Away == other {
		other = "S1"
	}
	before := a.fingerprint()
	bad := fmt.Sprintf(`{"match":%q,"a":"L1","b":%q,"outcome":"a"}`, l.Match, other)
	if status, e, _ := call(t, http.MethodPost, a.ts.URL+PathResults, bearer, []byte(bad)); status != http.StatusConflict || e.Error == "" {
		t.Fatalf("mismatched result: %d %+v, want 409", status, e)
	}
	if a.fingerprint() != before {
		t.Fatal("a refused result changed the node")
	}
	good := fmt.Sprintf(`{"match":%q,"a":"L1","b":%q,"outcome":"draw"}`, l.Match, l.Away)
	if status, _, data := call(t, http.MethodPost, a.ts.URL+PathResults, bearer, []byte(good)); status != http.StatusOK {
		t.Fatalf("leased result: %d %s", status, data)
	}
	var active []league.Lease
	a.node.View(func(st *league.State) { active, _ = st.Leases() })
	if len(active) != 0 {
		t.Fatalf("the result did not end its lease: %+v", active)
	}
}

func TestAPILeaderboardAndMembers(t *testing.T) {
	a := newSingleAPI(t)
	played := []string{"L0", "L1", "S0"}
	for i := range 12 {
		x, y := played[i%3], played[(i+1)%3]
		body := fmt.Sprintf(`{"match":"g%d","a":%q,"b":%q,"outcome":%q}`, i, x, y, []string{"a", "b", "draw", "a"}[i/3])
		if status, _, data := call(t, http.MethodPost, a.ts.URL+PathResults, bearer, []byte(body)); status != http.StatusOK {
			t.Fatalf("result %d: %d %s", i, status, data)
		}
	}
	status, _, data := call(t, http.MethodGet, a.ts.URL+PathLeaderboard+"?consistency=leader", "", nil)
	var lb league.Leaderboard
	if status != http.StatusOK || json.Unmarshal(data, &lb) != nil {
		t.Fatalf("leaderboard: %d %s", status, data)
	}
	var names []string
	for _, p := range lb.Players {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if lb.Method != league.MethodBT || !slices.Equal(names, played) {
		t.Fatalf("leaderboard %s lists %v, want the players %v", lb.Method, names, played)
	}
	status, _, page := call(t, http.MethodGet, a.ts.URL+PathLeaderboard+"?format=html&method=elo", "", nil)
	if status != http.StatusOK || !bytes.Contains(page, []byte("<html")) {
		t.Fatalf("leaderboard page: %d %.200s", status, page)
	}
	for _, n := range played {
		if !bytes.Contains(page, []byte(n)) {
			t.Fatalf("the page does not name %s", n)
		}
	}

	status, _, data = call(t, http.MethodGet, a.ts.URL+PathMembers, "", nil)
	var ms MembersResponse
	if status != http.StatusOK || json.Unmarshal(data, &ms) != nil {
		t.Fatalf("members: %d %s", status, data)
	}
	want := a.node.Members()
	if len(ms.Members) != len(want) {
		t.Fatalf("%d members served, the league has %d", len(ms.Members), len(want))
	}
	for i, m := range want {
		if ms.Members[i].ID != m.ID || ms.Members[i].Params != m.Params.String() || ms.Members[i].Kind != m.Kind.String() {
			t.Fatalf("member %d served as %+v, the league has %+v", i, ms.Members[i], m)
		}
	}
}

func TestAPIBlobsAndStatus(t *testing.T) {
	a := newSingleAPI(t)
	data := []byte("policy bytes")
	h, err := a.node.Blobs().Put(data)
	if err != nil {
		t.Fatal(err)
	}
	status, _, got := call(t, http.MethodGet, a.ts.URL+PathBlobs+h.String(), "", nil)
	if status != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("blob: %d %q", status, got)
	}
	c := &Client{Base: a.ts.URL}
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Node.ID != "solo" || st.Node.LeaderID != "solo" || st.Members != 5 || st.StateHash != a.node.StateHash().String() ||
		len(st.Servers) != 1 || len(st.Peers) != 1 || st.Peers[0].URL != a.ts.URL {
		t.Fatalf("status %+v does not describe the node", st)
	}
}

func TestTokenChecks(t *testing.T) {
	for _, s := range []string{"", "short", "has space in the middle of it", "\n\t"} {
		if _, err := NewToken(s); err == nil {
			t.Errorf("token %q accepted", s)
		}
	}
	tok, err := NewToken("  " + testToken + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(tok); strings.Contains(s, testToken) {
		t.Fatalf("token printed as %v", tok)
	}
	r := httptest.NewRequest("POST", "/", nil)
	tok.Authorize(r)
	if !tok.Check(r) {
		t.Fatal("a request authorized with the token fails the check")
	}
}

// TestAPIStatusReportsHalt: a node halted by an entry it cannot apply
// still answers GET /v1/status, which says why.
func TestAPIStatusReportsHalt(t *testing.T) {
	ctx := testCtx(t)
	_, tr := raft.NewInmemTransport(nodeAddr(0))
	a := newAPINode(t, "solo", tr, true)
	if _, _, err := a.node.WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.node.Raft().Apply([]byte{0x7e, 0x80}, time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	c := &Client{Base: a.ts.URL}
	eventually(ctx, t, func() error {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if !strings.Contains(st.Node.Halted, ErrCannotApply.Error()) || st.Node.State != raft.Shutdown.String() {
			return fmt.Errorf("status %+v: want the halt reported and raft shut down", st.Node)
		}
		return nil
	})
}
