package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/raft"
)

// A userspace TCP proxy for Raft traffic between node processes, so that a
// test can cut and heal the links of a real cluster on loopback.
//
// Every node's address in the Raft configuration is its proxy's, and the
// proxy forwards to the node's real listener. All peers dial the same
// address for a node, so the proxy cannot tell links apart by where they
// lead; it tells them apart by who sends: the first message on a
// connection is a Raft RPC (a type byte and a msgpack request) whose header
// carries the sender's server id, and every later message on that
// connection comes from the same sender (hashicorp/raft pools connections
// per sender and target). The proxy reads that header, forwards what it
// read, and then copies bytes both ways untouched.

// raftNet is the set of proxies of one cluster and the links cut between
// them. Safe for concurrent use.
type raftNet struct {
	mu      sync.Mutex
	cut     map[[2]string]bool // {from, to}
	conns   map[[2]string]map[net.Conn]struct{}
	proxies []*raftProxy
	counts  map[[2]string]int // connections accepted, per link
}

func newRaftNet() *raftNet {
	return &raftNet{cut: map[[2]string]bool{}, conns: map[[2]string]map[net.Conn]struct{}{}, counts: map[[2]string]int{}}
}

// raftProxy listens for one node's inbound Raft connections.
type raftProxy struct {
	net     *raftNet
	to      string // the node behind it
	backend string // the node's own Raft address
	ln      net.Listener
	wg      sync.WaitGroup
}

// proxy starts a proxy on a free loopback port for node id listening on
// backend.
func (n *raftNet) proxy(t *testing.T, id, backend string) *raftProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &raftProxy{net: n, to: id, backend: backend, ln: ln}
	n.mu.Lock()
	n.proxies = append(n.proxies, p)
	n.mu.Unlock()
	p.wg.Go(p.accept)
	t.Cleanup(n.close)
	return p
}

// Addr is the address peers should dial.
func (p *raftProxy) Addr() string { return p.ln.Addr().String() }

func (p *raftProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// serve identifies the sender of c, drops the connection if its link is
// cut, and otherwise relays it to the backend.
func (p *raftProxy) serve(c net.Conn) {
	defer c.Close()
	var head bytes.Buffer
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	from, err := raftSender(io.TeeReader(c, &head))
	if err != nil {
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	link := [2]string{from, p.to}
	if !p.net.track(link, c) {
		return
	}
	defer p.net.untrack(link, c)
	b, err := net.DialTimeout("tcp", p.backend, 2*time.Second)
	if err != nil {
		return // the node is down: the sender sees a closed connection
	}
	defer b.Close()
	if !p.net.track(link, b) {
		return
	}
	defer p.net.untrack(link, b)
	if _, err := b.Write(head.Bytes()); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	relay := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		// Closing both ends ends the other direction too, as a cut link
		// or a dead node would.
		_ = dst.Close()
		_ = src.Close()
		done <- struct{}{}
	}
	go relay(b, c)
	go relay(c, b)
	<-done
	<-done
}

// raftSender reads the first Raft RPC header from r and returns the
// sender's server id. Every RPC of hashicorp/raft's network transport
// (append entries, votes, pre-votes, snapshots, timeout-now) starts with
// a type byte and a msgpack map whose RPCHeader fields are inlined.
func raftSender(r io.Reader) (string, error) {
	var typ [1]byte
	if _, err := io.ReadFull(r, typ[:]); err != nil {
		return "", fmt.Errorf("raft rpc type: %w", err)
	}
	var hdr struct {
		ID   []byte
		Addr []byte
	}
	if err := codec.NewDecoder(r, &codec.MsgpackHandle{}).Decode(&hdr); err != nil {
		return "", fmt.Errorf("raft rpc %d header: %w", typ[0], err)
	}
	if len(hdr.ID) == 0 {
		return "", errors.New("raft rpc header names no sender id")
	}
	return string(hdr.ID), nil
}

// track registers c on link and reports whether the link is open.
func (n *raftNet) track(link [2]string, c net.Conn) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cut[link] || n.conns == nil {
		return false
	}
	if n.conns[link] == nil {
		n.conns[link] = map[net.Conn]struct{}{}
	}
	n.conns[link][c] = struct{}{}
	n.counts[link]++
	return true
}

func (n *raftNet) untrack(link [2]string, c net.Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.conns[link], c)
}

// isolate cuts every link between id and the others, both ways, and
// closes the connections already open on them.
func (n *raftNet) isolate(id string, others ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, o := range others {
		for _, link := range [][2]string{{id, o}, {o, id}} {
			n.cut[link] = true
			for c := range n.conns[link] {
				_ = c.Close()
			}
		}
	}
}

// heal reopens every link.
func (n *raftNet) heal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.cut)
}

// accepted returns how many connections were relayed on link.
func (n *raftNet) accepted(from, to string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.counts[[2]string{from, to}]
}

// close stops every proxy and closes every relayed connection.
func (n *raftNet) close() {
	n.mu.Lock()
	proxies := n.proxies
	n.proxies = nil
	for _, cs := range n.conns {
		for c := range cs {
			_ = c.Close()
		}
	}
	n.conns = nil
	n.mu.Unlock()
	for _, p := range proxies {
		_ = p.ln.Close()
		p.wg.Wait()
	}
}

// TestRaftProxy: real Raft network transports talk through the proxy,
// which names the sender of each connection; cutting the link makes RPCs
// fail (also on connections opened before the cut) and healing restores
// it.
func TestRaftProxy(t *testing.T) {
	newTrans := func() *raft.NetworkTransport {
		tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 2, time.Second, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tr.Close() })
		return tr
	}
	a, b := newTrans(), newTrans()
	go func() {
		for rpc := range b.Consumer() {
			rpc.Respond(&raft.AppendEntriesResponse{Term: 7, Success: true}, nil)
		}
	}()
	rn := newRaftNet()
	p := rn.proxy(t, "b", string(b.LocalAddr()))
	send := func() error {
		req := &raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{ID: []byte("node-a"), Addr: []byte(a.LocalAddr())}, Term: 7,
			Entries: []*raft.Log{{Index: 1, Term: 7, Data: bytes.Repeat([]byte("x"), 5000)}}}
		var resp raft.AppendEntriesResponse
		err := a.AppendEntries("b", raft.ServerAddress(p.Addr()), req, &resp)
		if err == nil && (!resp.Success || resp.Term != 7) {
			return fmt.Errorf("response %+v", resp)
		}
		return err
	}
	steps := []struct {
		name    string
		before  func()
		wantErr bool
	}{
		{"open", func() {}, false},
		{"reused connection", func() {}, false},
		{"cut", func() { rn.isolate("node-a", "b") }, true},
		{"still cut", func() {}, true},
		{"healed", rn.heal, false},
		{"other direction cut", func() { rn.isolate("b", "node-a") }, true},
		{"healed again", rn.heal, false},
	}
	for _, s := range steps {
		s.before()
		err := send()
		if s.wantErr {
			// The first RPC may find a pooled connection the cut closed
			// (or not yet); the next one must dial anew and be refused.
			err = send()
		}
		if (err != nil) != s.wantErr {
			t.Fatalf("%s: err %v, want error %t", s.name, err, s.wantErr)
		}
	}
	if got := rn.accepted("node-a", "b"); got < 2 {
		t.Errorf("proxy relayed %d connections from node-a to b; want at least 2 (before the cut and after healing)", got)
	}
	if got := rn.accepted("b", "node-a"); got != 0 {
		t.Errorf("proxy attributed %d connections to b; b never dialled", got)
	}
}
