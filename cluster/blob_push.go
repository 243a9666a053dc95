package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/selfplay-lab/selfplay/league"
)

// Blob durability before the log names a blob.
//
// An event that names a blob (a member's parameters, the game) is only as
// durable as the blob: if the leader stored the bytes alone and died right
// after the event committed, the surviving majority would hold a member
// whose parameters no node can serve. So the driver pushes every new blob
// (PUT /v1/blobs/HASH on each other voter) until, with its own store, a
// majority of the voters holds it, and only then proposes the event;
// Raft's own majority then overlaps the blob's, and a new leader can
// always find the bytes on some survivor. The lazy copy of API.Run
// (catchUpBlobs, and serveBlob's fetch on a miss) stays as the repair path
// that brings the remaining nodes up to date.

// ErrNoBlobMajority: a blob could not be stored on a majority of the
// voters in time; an event naming it must not be proposed yet.
var ErrNoBlobMajority = errors.New("blob not stored on a majority of voters")

// BlobPutResponse answers PUT /v1/blobs/HASH.
type BlobPutResponse struct {
	Hash string `json:"hash"`
	Size int    `json:"size"`
	// Existed reports a blob that was already stored: the put changed
	// nothing (puts are idempotent).
	Existed bool `json:"existed"`
}

// handlePutBlob stores a blob pushed by a peer (the driver's node) before
// it proposes an event naming it. The bytes must hash to the path's hash
// (400 otherwise) and fit the node's blob limit (413). The blob is stored
// here only, never forwarded.
func (s *API) handlePutBlob(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	h, err := league.ParseHash(r.PathValue("hash"))
	if err != nil {
		s.fail(w, badRequest("hash", "%v", err))
		return
	}
	store := s.node.Blobs()
	tooLarge := func(n int64) {
		s.fail(w, &requestError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("blob of %d bytes or more exceeds this node's limit of %d bytes", n, store.MaxSize())})
	}
	if r.ContentLength > store.MaxSize() {
		tooLarge(r.ContentLength)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, store.MaxSize()))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge(mbe.Limit + 1)
		} else {
			s.fail(w, badRequest("", "reading the blob: %v", err))
		}
		return
	}
	existed := store.Has(h)
	switch err := store.PutExpected(h, data); {
	case errors.Is(err, ErrBlobCorrupt):
		s.fail(w, badRequest("hash", "the %d bytes sent do not hash to %s", len(data), h))
		return
	case errors.Is(err, ErrBlobTooLarge):
		tooLarge(int64(len(data)))
		return
	case err != nil:
		s.fail(w, &requestError{status: http.StatusInternalServerError, msg: err.Error()})
		return
	}
	s.writeJSON(w, http.StatusOK, BlobPutResponse{Hash: h.String(), Size: len(data), Existed: existed})
}

// ReplicateBlob stores data as blob h on this node and pushes it to the
// other voters until a majority of the voters (this node included, if it
// votes) holds it; it returns nil then, leaving the remaining pushes to
// finish in the background (each bounded by APIConfig.BlobPushTimeout).
// It fails with an error wrapping ErrNoBlobMajority when too few peers
// stored it before ctx ended or the timeout, naming each failure; the
// caller must not propose an event naming h and may retry. A peer whose
// API URL is not known yet counts as a failure. Safe for concurrent use;
// it is what DriverConfig.Replicate expects.
func (s *API) ReplicateBlob(ctx context.Context, h league.Hash, data []byte) error {
	if err := s.node.Blobs().PutExpected(h, data); err != nil {
		return err
	}
	servers, err := s.node.Servers(ctx)
	if err != nil {
		return fmt.Errorf("cluster: replicate blob %s: %w: %w", h, ErrNoBlobMajority, err)
	}
	voters, have := 0, 0
	var peers []string
	for _, sv := range servers {
		if !sv.Voter {
			continue
		}
		voters++
		if sv.ID == s.node.ID() {
			have++
		} else {
			peers = append(peers, sv.ID)
		}
	}
	need := voters/2 + 1
	if have >= need {
		return nil
	}
	type result struct {
		id  string
		err error
	}
	// Buffered for every push, so pushes still running when this returns
	// finish without a reader.
	results := make(chan result, len(peers))
	pushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.BlobPushTimeout)
	var wg sync.WaitGroup
	for _, id := range peers {
		base, ok := s.peers.get(id)
		if !ok {
			results <- result{id, errors.New("its API URL is not known yet")}
			continue
		}
		wg.Go(func() {
			c := &Client{Base: base, Token: s.cfg.Token, HTTP: s.client}
			_, err := c.PutBlob(pushCtx, h, data)
			results <- result{id, err}
		})
	}
	go func() { wg.Wait(); cancel() }() // the deadline outlives this call, not the pushes
	var fails []string
	for range peers {
		var res result
		select {
		case res = <-results:
		case <-ctx.Done():
			return fmt.Errorf("cluster: replicate blob %s: %w: %d of %d voters hold it, %d needed: %w",
				h, ErrNoBlobMajority, have, voters, need, ctx.Err())
		}
		if res.err != nil {
			fails = append(fails, res.id+": "+res.err.Error())
			continue
		}
		if have++; have >= need {
			return nil
		}
	}
	slices.Sort(fails)
	return fmt.Errorf("cluster: replicate blob %s: %w: %d of %d voters hold it, %d needed (%s)",
		h, ErrNoBlobMajority, have, voters, need, strings.Join(fails, "; "))
}
