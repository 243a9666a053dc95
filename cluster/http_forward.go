package cluster

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/selfplay-lab/selfplay/league"
)

// Forwarding, redirects and the peer directory.
//
// Raft knows its members by Raft address only; forwarding needs the
// leader's API URL. Each node keeps a directory of id → URL: its own, those
// given in join requests (the leader learns every joiner's), and those it
// reads from its peers' /v1/status every SyncInterval. What a node says
// about itself overrides what others say about it (a node restarted on a
// new port corrects the others on the next sync). With PeersFile the
// directory survives restarts.

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// leaderURL returns the leader's API URL, or a 503 explaining why there
// is none to forward to.
func (s *API) leaderURL(r *http.Request) (string, *requestError) {
	if by := r.Header.Get(HeaderForwarded); by != "" {
		return "", unavailable("not the leader (request forwarded by %s while leadership moved); retry", by)
	}
	id, _ := s.node.Leader()
	switch {
	case id == "":
		return "", unavailable("no leader known (an election may be running); retry")
	case id == s.node.ID():
		return "", unavailable("leadership is changing; retry")
	}
	u, ok := s.peers.get(id)
	if !ok {
		return "", unavailable("the leader %s's API address is not known here yet; retry, or ask it directly", id)
	}
	return u, nil
}

// forward relays r (with body, already read; nil to reuse none) to the
// leader and copies the answer back.
func (s *API) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	base, e := s.leaderURL(r)
	if e != nil {
		s.fail(w, e)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		s.fail(w, unavailable("forward: %v", err))
		return
	}
	for _, h := range []string{"Authorization", "Content-Type", "Accept"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	req.Header.Set(HeaderForwarded, s.node.ID())
	resp, err := s.client.Do(req)
	if err != nil {
		// The leader may have received the request and applied it before
		// the answer was lost (a timeout): the outcome is unknown, and a
		// retry is safe (a match id is applied once).
		s.fail(w, &requestError{status: http.StatusBadGateway, msg: fmt.Sprintf("forwarding to the leader at %s: %v; a write may or may not have taken effect: retry (a result is applied once per match id)", base, err)})
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Content-Length", "Retry-After", "WWW-Authenticate", "Cache-Control", HeaderNode, "X-Selfplay-Index", "Location"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.Header().Set(HeaderForwarded, s.node.ID())
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// redirect answers 307 to the same path on the leader; the client repeats
// the request (with its body and token) there.
func (s *API) redirect(w http.ResponseWriter, r *http.Request) {
	base, e := s.leaderURL(r)
	if e != nil {
		s.fail(w, e)
		return
	}
	id, _ := s.node.Leader()
	w.Header().Set("Location", base+r.URL.RequestURI())
	w.Header().Set(HeaderNode, s.node.ID())
	s.writeJSON(w, http.StatusTemporaryRedirect, ErrorResponse{Error: "not the leader: repeat the request at " + base, Leader: id})
}

// fetchBlob copies blob h into the local store from the first peer that
// has it: the leader first (it stored every blob the driver named), then
// the other peers in the directory, since a leader elected after a
// fail-over may lack a blob that the driver pushed to a majority. Asked
// with HeaderForwarded, a peer answers from its own store only, so fetches
// never chain. ErrBlobNotFound when no peer has it.
func (s *API) fetchBlob(ctx context.Context, h league.Hash) ([]byte, error) {
	leader, _ := s.node.Leader()
	var bases []string
	if u, ok := s.peers.get(leader); ok && leader != s.node.ID() {
		bases = append(bases, u)
	}
	for _, p := range s.peers.list() {
		if p.ID != s.node.ID() && p.ID != leader {
			bases = append(bases, p.URL)
		}
	}
	var errs []error
	for _, base := range bases {
		data, err := s.fetchBlobFrom(ctx, base, h)
		switch {
		case err == nil:
			return data, nil
		case errors.Is(err, ErrBlobNotFound):
		case ctx.Err() != nil:
			return nil, err
		default:
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return nil, ErrBlobNotFound
}

// fetchBlobFrom copies blob h from the peer at base.
func (s *API) fetchBlobFrom(ctx context.Context, base string, h league.Hash) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+PathBlobs+h.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(HeaderForwarded, s.node.ID())
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrBlobNotFound
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch from %s: %s", base, resp.Status)
	}
	max := s.node.Blobs().MaxSize()
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", base, err)
	}
	if int64(len(data)) > max {
		return nil, ErrBlobTooLarge
	}
	if err := s.node.Blobs().PutExpected(h, data); err != nil {
		return nil, err
	}
	return data, nil
}

// Run runs the maintenance loop until ctx ends: every SyncInterval it
// syncs the peer directory, fetches the blobs the league names that this
// node lacks from its peers (so that every node, a new leader included,
// can serve them), and,
// on the leader, expires overdue leases so the matches are re-issued.
func (s *API) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.SyncInterval)
	defer t.Stop()
	for {
		s.syncPeers(ctx)
		if s.node.IsLeader() {
			s.expireLeases(ctx)
		}
		s.catchUpBlobs(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncPeers reads the directory of every known peer and seed.
func (s *API) syncPeers(ctx context.Context) {
	urls := s.cfg.Seeds
	for _, p := range s.peers.list() {
		if p.ID != s.node.ID() && !slices.Contains(urls, p.URL) {
			urls = append(urls, p.URL)
		}
	}
	for _, u := range urls {
		if u == s.cfg.URL {
			continue
		}
		st, err := fetchStatus(ctx, s.client, u, s.cfg.SyncInterval)
		if err != nil {
			continue // down or partitioned: try again next time
		}
		s.peers.merge(st.Node.ID, st.Peers)
	}
}

// fetchStatus reads GET /v1/status from base.
func fetchStatus(ctx context.Context, c *http.Client, base string, timeout time.Duration) (*StatusResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, max(timeout, time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+PathStatus, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s%s: %s", base, PathStatus, resp.Status)
	}
	var st StatusResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("%s%s: %w", base, PathStatus, err)
	}
	return &st, nil
}

// catchUpBlobs fetches, from the leader or another peer, up to a few
// blobs named by the league (members' parameters and the game) that are
// missing here.
func (s *API) catchUpBlobs(ctx context.Context) {
	var want []league.Hash
	s.node.View(func(st *league.State) {
		for _, m := range st.Members() {
			want = append(want, m.Params, m.Initial)
			if v, ok := m.Meta[MetaGame]; ok {
				if h, err := league.ParseHash(v); err == nil {
					want = append(want, h)
				}
			}
		}
	})
	fetched := 0
	for _, h := range want {
		if h.IsZero() || s.node.Blobs().Has(h) {
			continue
		}
		if _, err := s.fetchBlob(ctx, h); err != nil {
			return // no peer reachable has it yet; later
		}
		if fetched++; fetched == 32 {
			return
		}
	}
}

// expireLeases proposes ExpireLeases when a lease is overdue.
func (s *API) expireLeases(ctx context.Context) {
	now := time.Now().UnixNano()
	due := false
	s.node.View(func(st *league.State) {
		active, _ := st.Leases()
		due = slices.ContainsFunc(active, func(l league.Lease) bool { return l.Deadline <= now })
	})
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	eff, err := s.node.Propose(ctx, &league.ExpireLeases{Now: now})
	if err != nil {
		s.cfg.Log(fmt.Sprintf("expire leases: %v", err))
		return
	}
	if len(eff.Expired) > 0 {
		s.cfg.Log(fmt.Sprintf("expired %d leases (re-issued to the next workers): %v", len(eff.Expired), eff.Expired))
	}
}

// peerDir maps node ids to API URLs.
type peerDir struct {
	mu   sync.Mutex
	m    map[string]string
	file string
}

func openPeerDir(file, selfID, selfURL string) (*peerDir, error) {
	d := &peerDir{m: map[string]string{}, file: file}
	if file != "" {
		b, err := os.ReadFile(file)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("cluster: peers: %w", err)
		default:
			var ps []Peer
			if err := json.Unmarshal(b, &ps); err != nil {
				return nil, fmt.Errorf("cluster: peers file %s: %w", file, err)
			}
			for _, p := range ps {
				if checkURL(p.URL) == nil && p.ID != "" {
					d.m[p.ID] = p.URL
				}
			}
		}
	}
	d.set(selfID, selfURL, true)
	return d, nil
}

func (d *peerDir) get(id string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.m[id]
	return u, ok
}

// set records id's URL; unless authoritative it only fills a gap.
func (d *peerDir) set(id, url string, authoritative bool) {
	if id == "" || len(id) > league.MaxIDLen || checkURL(url) != nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old, ok := d.m[id]
	if ok && (old == url || !authoritative) {
		return
	}
	d.m[id] = url
	d.saveLocked()
}

// merge takes the directory reported by node from: its own entry is
// authoritative, the others fill gaps.
func (d *peerDir) merge(from string, ps []Peer) {
	for _, p := range ps {
		d.set(p.ID, p.URL, p.ID == from)
	}
}

// list returns the directory sorted by id.
func (d *peerDir) list() []Peer {
	d.mu.Lock()
	defer d.mu.Unlock()
	ps := make([]Peer, 0, len(d.m))
	for id, u := range d.m {
		ps = append(ps, Peer{ID: id, URL: u})
	}
	slices.SortFunc(ps, func(a, b Peer) int { return cmp.Compare(a.ID, b.ID) })
	return ps
}

// saveLocked writes the directory atomically (best effort: the directory
// is rebuilt from peers if lost).
func (d *peerDir) saveLocked() {
	if d.file == "" {
		return
	}
	ps := make([]Peer, 0, len(d.m))
	for id, u := range d.m {
		ps = append(ps, Peer{ID: id, URL: u})
	}
	slices.SortFunc(ps, func(a, b Peer) int { return cmp.Compare(a.ID, b.ID) })
	b, err := json.MarshalIndent(ps, "", "  ")
	if err != nil {
		return
	}
	tmp := d.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return
	}
	_ = os.Rename(tmp, filepath.Clean(d.file))
}
