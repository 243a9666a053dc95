package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/selfplay-lab/selfplay/league"
)

// APIError is a non-2xx answer of the API.
type APIError struct {
	Status int
	ErrorResponse
}

func (e *APIError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("HTTP %d: field %q: %s", e.Status, e.Field, e.ErrorResponse.Error)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.ErrorResponse.Error)
}

// Temporary reports whether repeating the request later may succeed:
// leadership changes, timeouts and overload, not refusals.
func (e *APIError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Client calls a cluster's API at one base URL (any node: followers
// forward or redirect to the leader). It follows 307 redirects itself,
// resending the body and the token, which Go's client would drop when the
// redirect leaves the host. Safe for concurrent use.
type Client struct {
	Base  string       // "http://127.0.0.1:8001"
	Token *Token       // for writes; may be nil for reads
	HTTP  *http.Client // nil: a client with a 30s timeout
}

func (c *Client) httpClient() *http.Client {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out (raw bytes when out is *[]byte).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var (
		body  []byte
		ctype string
	)
	switch v := in.(type) {
	case nil:
	case rawBody:
		body, ctype = v, "application/octet-stream"
	default:
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("cluster: client: %w", err)
		}
		ctype = "application/json"
	}
	target := c.Base + path
	hc := c.httpClient()
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("cluster: client: %w", err)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if c.Token != nil {
			c.Token.Authorize(req)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return fmt.Errorf("cluster: %s %s: %w", method, target, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBlobSize+1))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("cluster: %s %s: %w", method, target, err)
		}
		if resp.StatusCode == http.StatusTemporaryRedirect && hop < 3 {
			loc, err := resp.Location()
			if err != nil {
				return fmt.Errorf("cluster: %s %s: redirect: %w", method, target, err)
			}
			target = loc.String()
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			e := &APIError{Status: resp.StatusCode}
			if json.Unmarshal(data, &e.ErrorResponse) != nil || e.ErrorResponse.Error == "" {
				e.ErrorResponse.Error = http.StatusText(resp.StatusCode)
			}
			return e
		}
		switch o := out.(type) {
		case nil:
			return nil
		case *[]byte:
			*o = data
			return nil
		default:
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("cluster: %s %s: decode answer: %w", method, target, err)
			}
			return nil
		}
	}
}

// Status reads GET /v1/status.
func (c *Client) Status(ctx context.Context) (*StatusResponse, error) {
	var st StatusResponse
	return &st, c.do(ctx, http.MethodGet, PathStatus, nil, &st)
}

// Members reads GET /v1/members at the given consistency level.
func (c *Client) Members(ctx context.Context, level ReadLevel) (*MembersResponse, error) {
	var m MembersResponse
	return &m, c.do(ctx, http.MethodGet, PathMembers+"?consistency="+level.String(), nil, &m)
}

// Matches reads GET /v1/matches at the given consistency level.
func (c *Client) Matches(ctx context.Context, level ReadLevel) (*MatchesResponse, error) {
	var m MatchesResponse
	return &m, c.do(ctx, http.MethodGet, PathMatches+"?consistency="+level.String(), nil, &m)
}

// Leaderboard reads GET /v1/leaderboard (JSON) for a rating method.
func (c *Client) Leaderboard(ctx context.Context, level ReadLevel, method league.RatingMethod) (*league.Leaderboard, error) {
	var lb league.Leaderboard
	q := url.Values{"consistency": {level.String()}, "method": {string(method)}}
	return &lb, c.do(ctx, http.MethodGet, PathLeaderboard+"?"+q.Encode(), nil, &lb)
}

// Blob fetches blob h and checks that it hashes to h.
func (c *Client) Blob(ctx context.Context, h league.Hash) ([]byte, error) {
	var b []byte
	if err := c.do(ctx, http.MethodGet, PathBlobs+h.String(), nil, &b); err != nil {
		return nil, err
	}
	if league.Hash(sha256.Sum256(b)) != h {
		return nil, fmt.Errorf("cluster: blob %s: %w: the bytes served hash differently", h, ErrBlobCorrupt)
	}
	return b, nil
}

// rawBody is a request body sent as bytes (a blob), not as JSON.
type rawBody []byte

// PutBlob stores data as blob h on the node at Base (PUT /v1/blobs/HASH,
// token required). The node checks the bytes against h; storing a blob
// already there succeeds and changes nothing.
func (c *Client) PutBlob(ctx context.Context, h league.Hash, data []byte) (*BlobPutResponse, error) {
	var r BlobPutResponse
	return &r, c.do(ctx, http.MethodPut, PathBlobs+h.String(), rawBody(data), &r)
}

// Lease asks for a match.
func (c *Client) Lease(ctx context.Context, req LeaseRequest) (*LeaseResponse, error) {
	var l LeaseResponse
	return &l, c.do(ctx, http.MethodPost, PathLease, req, &l)
}

// SubmitResult submits a result.
func (c *Client) SubmitResult(ctx context.Context, req ResultRequest) (*ResultResponse, error) {
	var r ResultResponse
	return &r, c.do(ctx, http.MethodPost, PathResults, req, &r)
}

// Join asks the cluster to add a voter.
func (c *Client) Join(ctx context.Context, req JoinRequest) (*MembershipResponse, error) {
	var m MembershipResponse
	return &m, c.do(ctx, http.MethodPost, PathJoin, req, &m)
}

// Remove asks the cluster to remove a member.
func (c *Client) Remove(ctx context.Context, id string) (*MembershipResponse, error) {
	var m MembershipResponse
	return &m, c.do(ctx, http.MethodPost, PathRemove, RemoveRequest{ID: id}, &m)
}

// IsTemporary reports whether err, from a Client call, may succeed if
// repeated: network errors and temporary API errors.
func IsTemporary(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Temporary()
	}
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrBlobCorrupt)
}
