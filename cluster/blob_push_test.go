package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/selfplay-lab/selfplay/league"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// TestAPIPutBlob: PUT /v1/blobs/HASH needs the token, refuses bytes that
// do not hash to the path (400), a malformed hash (400) and a blob over the
// node's limit (413), storing nothing and leaving the league unchanged;
// the right bytes are stored, served back, and putting them again
// succeeds without change.
func TestAPIPutBlob(t *testing.T) {
	const limit = 1 << 10
	_, tr := raft.NewInmemTransport(nodeAddr(0))
	a := newAPINodeWith(t, "solo", tr, true, func(c *Config) { c.MaxBlobSize = limit })
	if _, _, err := a.node.WaitLeader(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	before := a.fingerprint()
	blob := bytes.Repeat([]byte("policy "), 100)
	h := league.Hash(sha256.Sum256(blob))
	big := bytes.Repeat([]byte{7}, limit+1)
	bigH := league.Hash(sha256.Sum256(big))
	other := league.Hash(sha256.Sum256([]byte("something else")))
	url := func(h string) string { return a.ts.URL + PathBlobs + h }
	cases := []struct {
		name, auth, hash string
		body             []byte
		status           int
		field            string
	}{
		{"no token", "", h.String(), blob, http.StatusUnauthorized, ""},
		{"wrong token", "Bearer wrong-token-0123456789", h.String(), blob, http.StatusUnauthorized, ""},
		{"hash mismatch", bearer, other.String(), blob, http.StatusBadRequest, "hash"},
		{"malformed hash", bearer, "abc", blob, http.StatusBadRequest, "hash"},
		{"oversize", bearer, bigH.String(), big, http.StatusRequestEntityTooLarge, ""},
	}
	for _, c := range cases {
		status, e, _ := call(t, http.MethodPut, url(c.hash), c.auth, c.body)
		if status != c.status || e.Field != c.field || e.Error == "" {
			t.Errorf("%s: %d %+v, want %d naming field %q", c.name, status, e, c.status, c.field)
		}
	}
	for _, x := range []league.Hash{h, other, bigH} {
		if a.node.Blobs().Has(x) {
			t.Fatalf("a refused put stored blob %s", x)
		}
	}
	c := &Client{Base: a.ts.URL, Token: a.token}
	for i, wantExisted := range []bool{false, true} {
		r, err := c.PutBlob(context.Background(), h, blob)
		if err != nil || r.Existed != wantExisted || r.Size != len(blob) || r.Hash != h.String() {
			t.Fatalf("put %d: %+v, %v; want size %d, existed %v", i, r, err, len(blob), wantExisted)
		}
	}
	got, err := c.Blob(context.Background(), h)
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("GET after PUT: %d bytes, %v; want the %d bytes put", len(got), err, len(blob))
	}
	if after := a.fingerprint(); after != before {
		t.Fatalf("blob puts changed the league: %s → %s", before, after)
	}
}

// TestReplicateBlobNeedsMajority: on a 3-voter cluster ReplicateBlob
// succeeds while one peer is down (the leader and the other peer are a
// majority) and fails with ErrNoBlobMajority, promptly, when both peers
// are down; a blob it acknowledged is stored on a majority.
func TestReplicateBlobNeedsMajority(t *testing.T) {
	ctx := testCtx(t)
	nodes := threeNodesWith(t, ctx, func(c *APIConfig) { c.SyncInterval, c.BlobPushTimeout = time.Hour, 2*time.Second })
	leader := nodes[0]
	put := func(s string) (league.Hash, error) {
		b := []byte(s)
		h := league.Hash(sha256.Sum256(b))
		return h, leader.api.ReplicateBlob(ctx, h, b)
	}
	holders := func(h league.Hash) (n int) {
		for _, x := range nodes {
			if x.node.Blobs().Has(h) {
				n++
			}
		}
		return n
	}
	h, err := put("all up")
	if err != nil || holders(h) < 2 {
		t.Fatalf("all nodes up: %v, held by %d", err, holders(h))
	}
	nodes[2].ts.Close()
	h, err = put("one down")
	if err != nil || holders(h) < 2 || !nodes[1].node.Blobs().Has(h) {
		t.Fatalf("n2 down: %v, held by %d (n1: %v)", err, holders(h), nodes[1].node.Blobs().Has(h))
	}
	nodes[1].ts.Close()
	if h, err = put("two down"); !errors.Is(err, ErrNoBlobMajority) {
		t.Fatalf("n1 and n2 down: %v, want ErrNoBlobMajority", err)
	}
	if holders(h) != 1 {
		t.Fatalf("a blob no peer took is held by %d nodes", holders(h))
	}
}

// TestDriverBlobsSurviveLeaderLoss: the driver trains on a 3-node cluster
// whose followers never copy blobs lazily (their maintenance loop runs
// once, at start), and its node is shut down right after the first
// round's events (snapshots included) are acknowledged. Every blob the
// surviving league names (each member's parameters and the game) is
// already on a survivor, and both the new leader and the other survivor
// serve each one.
func TestDriverBlobsSurviveLeaderLoss(t *testing.T) {
	ctx := testCtx(t)
	nodes := threeNodesWith(t, ctx, func(c *APIConfig) { c.SyncInterval = time.Hour })
	old, survivors := nodes[0], nodes[1:]

	cfg, err := leaguesim.Preset("pfsp", 5)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rounds, cfg.EvalMatches, cfg.Bootstrap = 3, 0, 0
	cfg.Ratings = []league.RatingMethod{league.MethodBT}
	var stop sync.Once
	d, err := NewDriver(old.node, DriverConfig{League: cfg, Poll: 20 * time.Millisecond, Replicate: old.api.ReplicateBlob,
		Log: func(s string) {
			t.Log(s)
			if strings.HasPrefix(s, "driver: round 1/") {
				// The round's events are acknowledged: the leader dies now,
				// API and all, before any lazy copy.
				stop.Do(func() {
					old.ts.Close()
					_ = old.node.Shutdown()
				})
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	runErr := d.Run(ctx)
	t.Logf("driver: %+v, %v", d.Status(), runErr)
	if d.Status().Round < 1 {
		t.Fatalf("the driver stopped before its first round: %+v", d.Status())
	}

	var leader *apiNode
	eventually(ctx, t, func() error {
		for _, n := range survivors {
			if n.node.IsLeader() {
				leader = n
				return nil
			}
		}
		return errors.New("no new leader among the survivors")
	})
	if err := leader.node.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	var want []league.Hash
	snapshots := 0
	leader.node.View(func(st *league.State) {
		for _, m := range st.Members() {
			want = append(want, m.Params)
			if !m.Initial.IsZero() {
				want = append(want, m.Initial)
			}
			if m.Kind == league.KindSnapshot {
				snapshots++
			}
		}
		if g, ok := gameHash(st); ok {
			want = append(want, g)
		}
	})
	slices.SortFunc(want, func(a, b league.Hash) int { return bytes.Compare(a[:], b[:]) })
	want = slices.Compact(want)
	if snapshots == 0 || len(want) < 3 {
		t.Fatalf("the surviving league has %d snapshots, %d blobs: too little to test", snapshots, len(want))
	}
	for _, h := range want {
		if !survivors[0].node.Blobs().Has(h) && !survivors[1].node.Blobs().Has(h) {
			t.Errorf("blob %s named by the committed league is on no survivor", h)
		}
	}
	for _, n := range survivors {
		c := &Client{Base: n.ts.URL}
		for _, h := range want {
			eventually(ctx, t, func() error {
				b, err := c.Blob(ctx, h)
				if err != nil {
					return fmt.Errorf("node %s (leader %v): blob %s: %w", n.node.ID(), n == leader, h, err)
				}
				if league.Hash(sha256.Sum256(b)) != h {
					return fmt.Errorf("node %s served other bytes for %s", n.node.ID(), h)
				}
				return nil
			})
		}
	}
}
