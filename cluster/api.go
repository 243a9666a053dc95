package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/selfplay-lab/selfplay/league"
)

// The HTTP API's wire types. Every body is JSON; hashes are lowercase hex;
// times are Unix nanoseconds as the log carries them.

// API paths. They are versioned so that a later incompatible API can live
// beside this one.
const (
	PathStatus      = "/v1/status"
	PathLeaderboard = "/v1/leaderboard"
	PathMembers     = "/v1/members"
	PathMatches     = "/v1/matches"
	PathGame        = "/v1/game"
	PathBlobs       = "/v1/blobs/" // + hash
	PathResults     = "/v1/results"
	PathLease       = "/v1/lease"
	PathJoin        = "/v1/join"
	PathRemove      = "/v1/remove"
)

// MaxRequestBody bounds a request body: requests are small JSON objects,
// far below league.MaxEventSize once encoded.
const MaxRequestBody = 16 << 10

// Headers the API sets or reads.
const (
	// HeaderNode names the node that answered (after any forwarding).
	HeaderNode = "X-Selfplay-Node"
	// HeaderForwarded marks a request a follower forwarded to the leader,
	// naming the follower. A forwarded request is never forwarded again:
	// a node that is not the leader answers 503 and the client retries.
	HeaderForwarded = "X-Selfplay-Forwarded-By"
)

// ErrorResponse is the body of every 4xx and 5xx answer.
type ErrorResponse struct {
	Error string `json:"error"`
	// Field names the request field at fault (a JSON key, or a query
	// parameter such as "consistency"), when one is.
	Field string `json:"field,omitempty"`
	// Leader is the leader's id, on answers about leadership.
	Leader string `json:"leader,omitempty"`
}

// ResultRequest submits the result of a match (POST /v1/results).
type ResultRequest struct {
	Match   string `json:"match"`   // the lease's match id; required
	A       string `json:"a"`       // home member; required
	B       string `json:"b"`       // away member; required
	Outcome string `json:"outcome"` // "a", "b" or "draw"
	Worker  string `json:"worker"`  // who played it (optional)
}

// ResultResponse answers a result. Duplicate reports a match id recorded
// before: the result was not applied again, which is what makes retrying a
// submission safe.
type ResultResponse struct {
	Match     string `json:"match"`
	Duplicate bool   `json:"duplicate"`
	Index     uint64 `json:"index"` // the leader's applied index after the result
}

// LeaseRequest asks for a match to play (POST /v1/lease).
type LeaseRequest struct {
	Worker string `json:"worker"` // required
	Home   string `json:"home"`   // optional: the home member wanted
}

// LeaseResponse is a leased match with what a worker needs to play it:
// the two members' parameters and the game, all as blob hashes
// (GET /v1/blobs/HASH).
type LeaseResponse struct {
	Match    string `json:"match"`
	Home     string `json:"home"`
	Away     string `json:"away"`
	Worker   string `json:"worker"`
	Branch   string `json:"branch"`
	Attempt  uint32 `json:"attempt"`
	Issued   int64  `json:"issued"`
	Deadline int64  `json:"deadline"`
	// HomeParams and AwayParams are the members' parameters when the
	// lease was issued (leaguesim policies).
	HomeParams string `json:"home_params"`
	AwayParams string `json:"away_params"`
	// Game is the hash of the GameSpec the league plays; empty when the
	// league was not set up by a driver.
	Game string `json:"game"`
}

// JoinRequest asks the leader to add a voter (POST /v1/join).
type JoinRequest struct {
	ID       string `json:"id"`        // required
	RaftAddr string `json:"raft_addr"` // required: host:port of its Raft transport
	HTTPURL  string `json:"http_url"`  // its API base URL, so peers can forward to it
}

// RemoveRequest asks the leader to remove a member (POST /v1/remove).
type RemoveRequest struct {
	ID string `json:"id"` // required
}

// MembershipResponse answers a join or a removal with the configuration
// after the change.
type MembershipResponse struct {
	Leader  string   `json:"leader"`
	Servers []Server `json:"servers"`
	Peers   []Peer   `json:"peers"`
}

// Peer is a node's API address.
type Peer struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// StatusResponse is GET /v1/status: this node's view of the cluster.
type StatusResponse struct {
	Node      Status        `json:"node"`
	Servers   []Server      `json:"servers"`
	Peers     []Peer        `json:"peers"`
	StateHash string        `json:"state_hash"`
	Members   int           `json:"members"`
	Counters  CountersJSON  `json:"counters"`
	Leases    int           `json:"leases"` // active leases
	Driver    *DriverStatus `json:"driver,omitempty"`
}

// CountersJSON are league.Counters with JSON names.
type CountersJSON struct {
	Results     uint64 `json:"results"`
	Leases      uint64 `json:"leases"`
	Expired     uint64 `json:"expired"`
	Checkpoints uint64 `json:"checkpoints"`
	Resets      uint64 `json:"resets"`
}

// MemberJSON is a league member as the API shows it.
type MemberJSON struct {
	ID             string            `json:"id"`
	Kind           string            `json:"kind"`
	Role           string            `json:"role,omitempty"`
	Parent         string            `json:"parent,omitempty"`
	Step           uint64            `json:"step"`
	Params         string            `json:"params"`
	Meta           map[string]string `json:"meta,omitempty"`
	Checkpoints    uint64            `json:"checkpoints,omitempty"`
	Leased         uint64            `json:"leased"`
	CheckpointStep uint64            `json:"checkpoint_step,omitempty"`
}

// MembersResponse is GET /v1/members.
type MembersResponse struct {
	Index   uint64       `json:"index"` // applied index of the state read
	Members []MemberJSON `json:"members"`
}

// MatchJSON is one recorded result.
type MatchJSON struct {
	Match   string `json:"match"`
	A       string `json:"a"`
	B       string `json:"b"`
	Outcome string `json:"outcome"`
	Worker  string `json:"worker"`
	Time    int64  `json:"time"`
}

// MatchesResponse is GET /v1/matches: the most recent results, newest
// last, as the league keeps them.
type MatchesResponse struct {
	Index   uint64      `json:"index"`
	Total   uint64      `json:"total"` // distinct results ever recorded
	Matches []MatchJSON `json:"matches"`
}

func memberJSON(m league.Member) MemberJSON {
	return MemberJSON{ID: m.ID, Kind: m.Kind.String(), Role: string(m.Role), Parent: m.Parent, Step: m.Step,
		Params: m.Params.String(), Meta: m.Meta, Checkpoints: m.Checkpoints, Leased: m.Leased,
		CheckpointStep: m.CheckpointStep}
}

func matchJSON(r league.MatchRecord) MatchJSON {
	return MatchJSON{Match: r.Match, A: r.A, B: r.B, Outcome: r.Outcome.String(), Worker: r.Worker, Time: r.Time}
}

// requestError is a refused request: its status and the field at fault.
type requestError struct {
	status int
	field  string
	msg    string
}

func (e *requestError) Error() string {
	if e.field != "" {
		return fmt.Sprintf("field %q: %s", e.field, e.msg)
	}
	return e.msg
}

func badRequest(field, format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, field: field, msg: fmt.Sprintf(format, args...)}
}

// decodeJSON reads one JSON object of type T from body into v, strictly:
// unknown fields, wrong types, trailing data and oversize bodies are
// refused with the field at fault named where there is one.
func decodeJSON(body io.Reader, v any) *requestError {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return badRequest("", "trailing data after the JSON object")
		}
		if _, err := dec.Token(); err != io.EOF {
			return badRequest("", "trailing data after the JSON object")
		}
		return nil
	}
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit)}
	case errors.As(err, &se):
		return badRequest("", "malformed JSON at byte %d: %v", se.Offset, err)
	case errors.As(err, &ute):
		return badRequest(ute.Field, "expected a JSON %s, got %s", ute.Type, ute.Value)
	case errors.Is(err, io.EOF):
		return badRequest("", "empty body: expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "truncated JSON object")
	}
	// encoding/json reports an unknown key as `json: unknown field "x"`.
	if k, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest(strings.Trim(k, `"`), "unknown field")
	}
	return badRequest("", "malformed JSON: %v", err)
}

// checkID validates a required id field.
func checkID(field, v string) *requestError {
	switch {
	case v == "":
		return badRequest(field, "required")
	case len(v) > league.MaxIDLen:
		return badRequest(field, "longer than %d bytes", league.MaxIDLen)
	}
	return nil
}

// validate checks a result request's fields and returns the event.
func (r *ResultRequest) event() (*league.RecordResult, *requestError) {
	for _, f := range []struct{ name, v string }{{"match", r.Match}, {"a", r.A}, {"b", r.B}} {
		if err := checkID(f.name, f.v); err != nil {
			return nil, err
		}
	}
	if len(r.Worker) > league.MaxIDLen {
		return nil, badRequest("worker", "longer than %d bytes", league.MaxIDLen)
	}
	if r.Outcome == "" {
		return nil, badRequest("outcome", "required: a, b or draw")
	}
	o, err := league.ParseOutcome(r.Outcome)
	if err != nil {
		return nil, badRequest("outcome", "%v", err)
	}
	return &league.RecordResult{Match: r.Match, A: r.A, B: r.B, Outcome: o, Worker: r.Worker}, nil
}

func (r *LeaseRequest) validate() *requestError {
	if err := checkID("worker", r.Worker); err != nil {
		return err
	}
	if len(r.Home) > league.MaxIDLen {
		return badRequest("home", "longer than %d bytes", league.MaxIDLen)
	}
	return nil
}

func (r *JoinRequest) validate() *requestError {
	if err := checkID("id", r.ID); err != nil {
		return err
	}
	if r.RaftAddr == "" {
		return badRequest("raft_addr", "required: the host:port of the node's Raft transport")
	}
	if _, port, ok := strings.Cut(r.RaftAddr, ":"); !ok || port == "" || port == "0" {
		return badRequest("raft_addr", "expected host:port with a bound port, got %q", r.RaftAddr)
	}
	if r.HTTPURL != "" {
		if err := checkURL(r.HTTPURL); err != nil {
			return badRequest("http_url", "%v", err)
		}
	}
	return nil
}

// checkURL accepts an http or https base URL without path.
func checkURL(u string) error {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "https://"); !ok {
			return fmt.Errorf("expected http://host:port or https://host:port, got %q", u)
		}
	}
	if rest == "" || strings.ContainsAny(rest, "/?# ") {
		return fmt.Errorf("expected http://host:port or https://host:port, got %q", u)
	}
	return nil
}
