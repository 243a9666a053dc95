package cluster

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
)

// APIConfig configures a node's HTTP API.
type APIConfig struct {
	// Node is the Raft node the API serves.
	Node *Node
	// URL is this node's API base URL as peers and workers reach it
	// ("http://127.0.0.1:8001"); peers forward to it when it leads.
	URL string
	// Token guards writes, leases, joins and removals; required.
	Token *Token
	// Client makes the node's own requests (forwarding to the leader,
	// peer sync, blob fetches); nil means a client with timeouts and no
	// TLS. With mutual TLS it carries the node's certificate.
	Client *http.Client
	// PeersFile, if set, keeps the directory of peers' API URLs across
	// restarts (Raft knows only their Raft addresses).
	PeersFile string
	// Seeds are API URLs to learn peers from at start (the --join URL).
	Seeds []string
	// SyncInterval is the period of the maintenance loop (Run): peer
	// sync, blob catch-up and lease expiry. Default 1s.
	SyncInterval time.Duration
	// LeaseTTL is how long a worker may hold a lease before the leader
	// expires it and re-issues the match. Default 30s.
	LeaseTTL time.Duration
	// Driver, if set, is reported in the status.
	Driver *Driver
	// BlobPushTimeout bounds ReplicateBlob's pushes to peers. Default 10s.
	BlobPushTimeout time.Duration
	// Log receives one line per notable event (nil: silent).
	Log func(string)
}

// API is a node's HTTP API: the league's reads at three consistency
// levels, writes through the leader, membership, and blobs. Handler
// serves it; Run runs its maintenance loop.
//
// Routing of writes: a follower forwards result submissions and lease
// requests to the leader itself (a worker can talk to any node), and
// answers joins and removals with a 307 redirect to the leader (a joining
// operator sees where the leader is). Reads at the leader and
// linearizable levels on a follower are forwarded too. A request
// forwarded once is never forwarded again.
//
// A Server is safe for concurrent use.
type API struct {
	cfg    APIConfig
	node   *Node
	client *http.Client
	peers  *peerDir
	mux    *http.ServeMux
}

// NewAPI checks cfg and returns the API of cfg.Node.
func NewAPI(cfg APIConfig) (*API, error) {
	switch {
	case cfg.Node == nil:
		return nil, errors.New("cluster: api: no node")
	case cfg.Token == nil:
		return nil, fmt.Errorf("cluster: api: %w: none given", ErrToken)
	}
	if err := checkURL(cfg.URL); err != nil {
		return nil, fmt.Errorf("cluster: api: URL: %w", err)
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.BlobPushTimeout <= 0 {
		cfg.BlobPushTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	peers, err := openPeerDir(cfg.PeersFile, cfg.Node.ID(), cfg.URL)
	if err != nil {
		return nil, err
	}
	s := &API{cfg: cfg, node: cfg.Node, client: client, peers: peers, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Handler returns the API's handler.
func (s *API) Handler() http.Handler { return s.mux }

// NewHTTPServer returns an http.Server for h on addr with timeouts set, so
// that slow or idle clients cannot hold connections open without bound
// (tlsCfg nil: plain HTTP).
func NewHTTPServer(addr string, h http.Handler, tlsCfg *tls.Config) *http.Server {
	return &http.Server{
		Addr: addr, Handler: h, TLSConfig: tlsCfg,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}

func (s *API) routes() {
	s.mux.HandleFunc("GET "+PathStatus, s.handleStatus)
	s.mux.HandleFunc("GET "+PathLeaderboard, s.handleLeaderboard)
	s.mux.HandleFunc("GET "+PathMembers, s.handleMembers)
	s.mux.HandleFunc("GET "+PathMatches, s.handleMatches)
	s.mux.HandleFunc("GET "+PathGame, s.handleGame)
	s.mux.HandleFunc("GET "+PathBlobs+"{hash}", s.handleBlob)
	s.mux.HandleFunc("PUT "+PathBlobs+"{hash}", s.handlePutBlob)
	s.mux.HandleFunc("POST "+PathResults, s.handleResult)
	s.mux.HandleFunc("POST "+PathLease, s.handleLease)
	s.mux.HandleFunc("POST "+PathJoin, s.handleJoin)
	s.mux.HandleFunc("POST "+PathRemove, s.handleRemove)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, &requestError{status: http.StatusNotFound, msg: "no such endpoint: " + r.URL.Path})
	})
}

// writeJSON writes v with status.
func (s *API) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(HeaderNode, s.node.ID())
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client may be gone; nothing to do about it
}

// fail answers a refused request.
func (s *API) fail(w http.ResponseWriter, e *requestError) {
	if e.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="selfplay"`)
	}
	s.writeJSON(w, e.status, ErrorResponse{Error: e.msg, Field: e.field})
}

// unavailable is a 503: the client should retry (elsewhere or later).
func unavailable(format string, args ...any) *requestError {
	return &requestError{status: http.StatusServiceUnavailable, msg: fmt.Sprintf(format, args...)}
}

// proposeError maps an error of Propose, Read or a membership change.
func proposeError(err error) *requestError {
	var fe *league.FieldError
	switch {
	case errors.As(err, &fe):
		return &requestError{status: http.StatusUnprocessableEntity, field: fe.Field, msg: err.Error()}
	case errors.Is(err, league.ErrLeaseMismatch), errors.Is(err, league.ErrExists),
		errors.Is(err, league.ErrNoOpponent), errors.Is(err, league.ErrLimit):
		return &requestError{status: http.StatusConflict, msg: err.Error()}
	case errors.Is(err, ErrRejected):
		return &requestError{status: http.StatusUnprocessableEntity, msg: err.Error()}
	case errors.Is(err, ErrNotLeader), errors.Is(err, raft.ErrLeadershipLost),
		errors.Is(err, raft.ErrLeadershipTransferInProgress), errors.Is(err, raft.ErrRaftShutdown):
		// The write may or may not have been committed; retrying is safe
		// for results (applied once) and leases (a spare lease expires).
		return unavailable("leadership changed during the request (%v); retry", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return unavailable("timed out waiting for the cluster (%v); retry", err)
	}
	return unavailable("%v", err)
}

// authorize refuses a request without the cluster token.
func (s *API) authorize(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Token.Check(r) {
		return true
	}
	s.fail(w, &requestError{status: http.StatusUnauthorized, msg: "missing or wrong bearer token (Authorization: Bearer TOKEN)"})
	return false
}

// readBody reads a size-limited JSON body into v.
func (s *API) readBody(w http.ResponseWriter, r *http.Request, v any) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit)})
		} else {
			s.fail(w, badRequest("", "reading the body: %v", err))
		}
		return nil, false
	}
	if e := decodeJSON(bytesReader(body), v); e != nil {
		s.fail(w, e)
		return nil, false
	}
	return body, true
}

// consistency parses ?consistency=.
func consistency(r *http.Request) (ReadLevel, *requestError) {
	v := r.URL.Query().Get("consistency")
	if v == "" {
		return ReadLocal, nil
	}
	l, err := ParseReadLevel(v)
	if err != nil {
		return 0, badRequest("consistency", "%v", err)
	}
	return l, nil
}

// read runs fn on the state at the request's consistency level. On a
// follower asked for more than a local read it forwards the request to
// the leader and returns false, as it does when it answered an error.
func (s *API) read(w http.ResponseWriter, r *http.Request, fn func(st *league.State)) bool {
	level, e := consistency(r)
	if e != nil {
		s.fail(w, e)
		return false
	}
	err := s.node.Read(r.Context(), level, fn)
	if errors.Is(err, ErrNotLeader) {
		s.forward(w, r, nil)
		return false
	}
	if err != nil {
		s.fail(w, proposeError(err))
		return false
	}
	return true
}

func (s *API) handleStatus(w http.ResponseWriter, r *http.Request) {
	resp := StatusResponse{Node: s.node.Status(), Peers: s.peers.list()}
	servers, err := s.node.Servers(r.Context())
	if err != nil {
		s.fail(w, proposeError(err))
		return
	}
	resp.Servers = servers
	s.node.View(func(st *league.State) {
		resp.StateHash = st.Hash().String()
		resp.Members = st.Len()
		c := st.Counters()
		resp.Counters = CountersJSON{Results: c.Results, Leases: c.Leases, Expired: c.Expired, Checkpoints: c.Checkpoints, Resets: c.Resets}
		active, _ := st.Leases()
		resp.Leases = len(active)
	})
	if s.cfg.Driver != nil {
		st := s.cfg.Driver.Status()
		resp.Driver = &st
	}
	s.writeJSON(w, http.StatusOK, resp)
}

func (s *API) handleMembers(w http.ResponseWriter, r *http.Request) {
	var resp MembersResponse
	if !s.read(w, r, func(st *league.State) {
		resp.Index = s.node.AppliedIndex()
		for _, m := range st.Members() {
			resp.Members = append(resp.Members, memberJSON(m))
		}
	}) {
		return
	}
	if resp.Members == nil {
		resp.Members = []MemberJSON{}
	}
	s.writeJSON(w, http.StatusOK, resp)
}

func (s *API) handleMatches(w http.ResponseWriter, r *http.Request) {
	limit := -1
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.fail(w, badRequest("limit", "expected a non-negative integer, got %q", v))
			return
		}
		limit = n
	}
	var resp MatchesResponse
	if !s.read(w, r, func(st *league.State) {
		resp.Index = s.node.AppliedIndex()
		resp.Total = st.Counters().Results
		rec := st.Recent()
		if limit >= 0 && len(rec) > limit {
			rec = rec[len(rec)-limit:]
		}
		resp.Matches = make([]MatchJSON, len(rec))
		for i, m := range rec {
			resp.Matches[i] = matchJSON(m)
		}
	}) {
		return
	}
	s.writeJSON(w, http.StatusOK, resp)
}

func (s *API) handleLeaderboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	method := league.MethodBT
	if v := q.Get("method"); v != "" {
		method = league.RatingMethod(v)
		if !slices.Contains(league.RatingMethods(), method) {
			s.fail(w, badRequest("method", "unknown rating method %q; expected one of %v", v, league.RatingMethods()))
			return
		}
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "html" {
		s.fail(w, badRequest("format", "expected json or html, got %q", format))
		return
	}
	var (
		bs    *league.Battles
		index uint64
	)
	if !s.read(w, r, func(st *league.State) {
		bs, index = st.Battles(), s.node.AppliedIndex()
	}) {
		return
	}
	lb, err := rateBattles(r.Context(), bs, method)
	if err != nil {
		s.fail(w, &requestError{status: http.StatusInternalServerError, msg: err.Error()})
		return
	}
	w.Header().Set("X-Selfplay-Index", strconv.FormatUint(index, 10))
	if format == "html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set(HeaderNode, s.node.ID())
		title := fmt.Sprintf("selfplay league · node %s · index %d", s.node.ID(), index)
		_ = league.WriteLeaderboardHTML(w, title, lb, league.HeadToHeadOf(bs, lb))
		return
	}
	s.writeJSON(w, http.StatusOK, lb)
}

// rateBattles rates bs with method's defaults; a league without two
// members who played gives an empty leaderboard, not an error.
func rateBattles(ctx context.Context, bs *league.Battles, method league.RatingMethod) (*league.Leaderboard, error) {
	if len(bs.Cells()) == 0 {
		lb := &league.Leaderboard{Method: method, Players: []league.LeaderboardEntry{}, Excluded: slices.Clone(bs.Names),
			Notes: []string{"no results recorded between two members yet"}}
		return lb, nil
	}
	lb, err := league.Rate(ctx, bs, league.DefaultRateOptions(method))
	if err != nil {
		return nil, fmt.Errorf("cluster: rate %s: %w", method, err)
	}
	return lb, nil
}

func (s *API) handleBlob(w http.ResponseWriter, r *http.Request) {
	h, err := league.ParseHash(r.PathValue("hash"))
	if err != nil {
		s.fail(w, badRequest("hash", "%v", err))
		return
	}
	s.serveBlob(w, r, h)
}

// serveBlob answers blob h from the local store, fetching it from a peer
// (the leader first) if this node lacks it and the request was not itself
// sent by a peer.
func (s *API) serveBlob(w http.ResponseWriter, r *http.Request, h league.Hash) {
	data, err := s.node.Blobs().Get(h)
	if errors.Is(err, ErrBlobNotFound) && r.Header.Get(HeaderForwarded) == "" {
		data, err = s.fetchBlob(r.Context(), h)
	}
	switch {
	case errors.Is(err, ErrBlobNotFound):
		s.fail(w, &requestError{status: http.StatusNotFound, field: "hash", msg: fmt.Sprintf("no blob %s here", h)})
		return
	case err != nil:
		s.fail(w, unavailable("blob %s: %v", h, err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // content-addressed
	w.Header().Set(HeaderNode, s.node.ID())
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// gameHash returns the GameSpec hash the league's members name, if any.
func gameHash(st *league.State) (league.Hash, bool) {
	for _, m := range st.Members() {
		if v, ok := m.Meta[MetaGame]; ok {
			if h, err := league.ParseHash(v); err == nil {
				return h, true
			}
		}
	}
	return league.Hash{}, false
}

func (s *API) handleGame(w http.ResponseWriter, r *http.Request) {
	var (
		h  league.Hash
		ok bool
	)
	if !s.read(w, r, func(st *league.State) { h, ok = gameHash(st) }) {
		return
	}
	if !ok {
		s.fail(w, &requestError{status: http.StatusNotFound, msg: "the league names no game yet (no driver has set it up)"})
		return
	}
	s.serveBlob(w, r, h)
}

func (s *API) handleResult(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var req ResultRequest
	body, ok := s.readBody(w, r, &req)
	if !ok {
		return
	}
	ev, e := req.event()
	if e != nil {
		s.fail(w, e)
		return
	}
	if !s.node.IsLeader() {
		s.forward(w, r, body)
		return
	}
	// Members are never removed, so checking them here names the field
	// at fault and cannot go stale before the event applies.
	if e := s.checkMembers(map[string]string{"a": ev.A, "b": ev.B}); e != nil {
		s.fail(w, e)
		return
	}
	// A result recorded before is answered without a log entry; one that
	// contradicts its lease is refused before it reaches the log (the
	// state machine would refuse it too, should the lease change between
	// this check and the commit).
	var dup bool
	s.node.View(func(st *league.State) {
		if dup = st.Seen(ev.Match); dup {
			return
		}
		active, queued := st.Leases()
		for _, l := range append(active, queued...) {
			if l.Match == ev.Match && !(l.Home == ev.A && l.Away == ev.B || l.Home == ev.B && l.Away == ev.A) {
				e = &requestError{status: http.StatusConflict, msg: fmt.Sprintf("match %q is leased as %s vs %s, the result names %s vs %s",
					ev.Match, l.Home, l.Away, ev.A, ev.B)}
			}
		}
	})
	switch {
	case e != nil:
		s.fail(w, e)
		return
	case dup:
		s.writeJSON(w, http.StatusOK, ResultResponse{Match: ev.Match, Duplicate: true, Index: s.node.AppliedIndex()})
		return
	}
	ev.Time = time.Now().UnixNano()
	eff, err := s.node.Propose(r.Context(), ev)
	if err != nil {
		s.fail(w, proposeError(err))
		return
	}
	s.writeJSON(w, http.StatusOK, ResultResponse{Match: ev.Match, Duplicate: eff.Duplicate, Index: s.node.AppliedIndex()})
}

// checkMembers refuses ids (by field) that name no member.
func (s *API) checkMembers(fields map[string]string) *requestError {
	var e *requestError
	s.node.View(func(st *league.State) {
		for _, f := range []string{"a", "b", "home"} {
			if id, ok := fields[f]; ok && id != "" {
				if _, known := st.Member(id); !known {
					e = &requestError{status: http.StatusUnprocessableEntity, field: f, msg: fmt.Sprintf("unknown member %q", id)}
					return
				}
			}
		}
	})
	return e
}

func (s *API) handleLease(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var req LeaseRequest
	body, ok := s.readBody(w, r, &req)
	if !ok {
		return
	}
	if e := req.validate(); e != nil {
		s.fail(w, e)
		return
	}
	if !s.node.IsLeader() {
		s.forward(w, r, body)
		return
	}
	if e := s.checkMembers(map[string]string{"home": req.Home}); e != nil {
		s.fail(w, e)
		return
	}
	empty := false
	s.node.View(func(st *league.State) { empty = st.Len() == 0 })
	if empty { // refused here rather than by the state machine, to keep it out of the log
		s.fail(w, &requestError{status: http.StatusConflict, msg: "the league is empty: no match to lease yet; retry later"})
		return
	}
	now := time.Now().UnixNano()
	eff, err := s.node.Propose(r.Context(), &league.LeaseMatch{Worker: req.Worker, Home: req.Home,
		Now: now, Deadline: now + s.cfg.LeaseTTL.Nanoseconds()})
	if err != nil {
		s.fail(w, proposeError(err))
		return
	}
	l := eff.Lease
	resp := LeaseResponse{Match: l.Match, Home: l.Home, Away: l.Away, Worker: l.Worker, Branch: l.Branch,
		Attempt: l.Attempt, Issued: l.Issued, Deadline: l.Deadline}
	s.node.View(func(st *league.State) {
		if m, ok := st.Member(l.Home); ok {
			resp.HomeParams = m.Params.String()
		}
		if m, ok := st.Member(l.Away); ok {
			resp.AwayParams = m.Params.String()
		}
		if h, ok := gameHash(st); ok {
			resp.Game = h.String()
		}
	})
	s.writeJSON(w, http.StatusOK, resp)
}

func (s *API) handleJoin(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var req JoinRequest
	if _, ok := s.readBody(w, r, &req); !ok {
		return
	}
	if e := req.validate(); e != nil {
		s.fail(w, e)
		return
	}
	if !s.node.IsLeader() {
		s.redirect(w, r)
		return
	}
	if err := s.node.AddVoter(r.Context(), req.ID, req.RaftAddr); err != nil {
		s.fail(w, proposeError(err))
		return
	}
	if req.HTTPURL != "" {
		s.peers.set(req.ID, req.HTTPURL, true)
	}
	s.cfg.Log(fmt.Sprintf("added voter %s at %s (API %s)", req.ID, req.RaftAddr, req.HTTPURL))
	s.membership(w, r)
}

func (s *API) handleRemove(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var req RemoveRequest
	if _, ok := s.readBody(w, r, &req); !ok {
		return
	}
	if e := checkID("id", req.ID); e != nil {
		s.fail(w, e)
		return
	}
	if !s.node.IsLeader() {
		s.redirect(w, r)
		return
	}
	servers, err := s.node.Servers(r.Context())
	if err != nil {
		s.fail(w, proposeError(err))
		return
	}
	if !slices.ContainsFunc(servers, func(sv Server) bool { return sv.ID == req.ID }) {
		s.fail(w, &requestError{status: http.StatusNotFound, field: "id", msg: fmt.Sprintf("no member %q in the cluster", req.ID)})
		return
	}
	if err := s.node.RemoveServer(r.Context(), req.ID); err != nil {
		s.fail(w, proposeError(err))
		return
	}
	s.cfg.Log("removed server " + req.ID)
	s.membership(w, r)
}

// membership answers a membership change with the configuration after it.
func (s *API) membership(w http.ResponseWriter, r *http.Request) {
	servers, err := s.node.Servers(r.Context())
	if err != nil {
		s.fail(w, proposeError(err))
		return
	}
	leader, _ := s.node.Leader()
	s.writeJSON(w, http.StatusOK, MembershipResponse{Leader: leader, Servers: servers, Peers: s.peers.list()})
}
