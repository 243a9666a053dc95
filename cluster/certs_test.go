package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var netDialer = net.Dialer{Timeout: 2 * time.Second}

func loadTLS(t *testing.T, dir, name string) *TLSConfig {
	t.Helper()
	c, err := LoadTLS(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handshake dials addr with cfg and reports whether the mutual handshake
// completed (with TLS 1.3 a refused client certificate shows on the
// first read).
func handshake(addr string, cfg *tls.Config) error {
	conn, err := tls.DialWithDialer(&netDialer, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = conn.Read(make([]byte, 1))
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return nil // accepted: the server waits for raft's first message
	}
	return err
}

// TestRaftOverMutualTLS: two nodes replicate over TLS transports made
// from generated certificates; a party with a certificate from another
// CA, or none, cannot complete a handshake with a node.
func TestRaftOverMutualTLS(t *testing.T) {
	ctx := testCtx(t)
	dir, other := t.TempDir(), t.TempDir()
	if err := GenerateCerts(dir, []string{"n0", "n1"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := GenerateCerts(other, []string{"intruder"}, nil); err != nil {
		t.Fatal(err)
	}
	var nodes []*Node
	for i, name := range []string{"n0", "n1"} {
		tr, err := NewTLSTransport("127.0.0.1:0", loadTLS(t, dir, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := testConfig(t, name, t.TempDir(), tr)
		cfg.Bootstrap, cfg.NoSync = i == 0, true
		n, err := NewNode(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Shutdown(); tr.Close() })
		nodes = append(nodes, n)
	}
	if _, _, err := nodes[0].WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].AddVoter(ctx, "n1", nodes[1].Addr()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range testLeague() {
		if _, err := nodes[0].Propose(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := nodes[1].WaitApplied(ctx, nodes[0].AppliedIndex()); err != nil {
		t.Fatal(err)
	}
	if nodes[1].StateHash() != nodes[0].StateHash() || len(nodes[1].Members()) != 5 {
		t.Fatal("the follower did not replicate over TLS")
	}

	if err := handshake(nodes[0].Addr(), loadTLS(t, dir, "n1").Client); err != nil {
		t.Fatalf("a node's certificate is refused: %v", err)
	}
	bad := loadTLS(t, other, "intruder").Client.Clone()
	if err := handshake(nodes[0].Addr(), bad); err == nil {
		t.Fatal("a client trusting another CA completed a handshake")
	}
	bad.RootCAs = loadTLS(t, dir, "n1").Client.RootCAs // trusts the node, presents a foreign cert
	if err := handshake(nodes[0].Addr(), bad); err == nil {
		t.Fatal("a client certificate from another CA was accepted")
	}
	noCert := &tls.Config{RootCAs: bad.RootCAs, MinVersion: tls.VersionTLS13}
	if err := handshake(nodes[0].Addr(), noCert); err == nil {
		t.Fatal("a client without a certificate was accepted")
	}
}

// TestAPIOverMutualTLS: the API served with a node certificate answers a
// client presenting a CA-signed certificate and refuses one without.
func TestAPIOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	if err := GenerateCerts(dir, []string{"n0", "worker"}, []string{"10.1.2.3", "league.example"}); err != nil {
		t.Fatal(err)
	}
	a := newSingleAPI(t)
	ts := httptest.NewUnstartedServer(a.api.Handler())
	ts.TLS = loadTLS(t, dir, "n0").Server
	ts.StartTLS()
	defer ts.Close()
	wc := loadTLS(t, dir, "worker").Client
	c := &Client{Base: ts.URL, HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: wc}, Timeout: 5 * time.Second}}
	st, err := c.Status(testCtx(t))
	if err != nil || st.Members != 5 {
		t.Fatalf("status over mTLS: %+v, %v", st, err)
	}
	anon := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: wc.RootCAs}}, Timeout: 5 * time.Second}
	if resp, err := anon.Get(ts.URL + PathStatus); err == nil {
		resp.Body.Close()
		t.Fatalf("a client without a certificate got %s", resp.Status)
	}

	// The extra hosts are in the certificate.
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "n0.crt"), filepath.Join(dir, "n0.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"n0", "localhost", "127.0.0.1", "10.1.2.3", "league.example"} {
		if err := cert.VerifyHostname(h); err != nil {
			t.Errorf("certificate not valid for %s: %v", h, err)
		}
	}
	if err := cert.VerifyHostname("10.9.9.9"); err == nil {
		t.Error("certificate valid for a host not asked for")
	}
}

func TestGenerateCertsErrors(t *testing.T) {
	dir := t.TempDir()
	for _, names := range [][]string{nil, {"bad name"}, {"ca"}, {"../x"}} {
		if err := GenerateCerts(dir, names, nil); !errors.Is(err, ErrCerts) {
			t.Errorf("names %q: %v, want ErrCerts", names, err)
		}
	}
	if err := GenerateCerts(dir, []string{"n0"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := GenerateCerts(dir, []string{"n0"}, nil); !errors.Is(err, ErrCerts) {
		t.Fatalf("existing certificate replaced: %v", err)
	}
	// A later call adds a node signed by the same CA.
	if err := GenerateCerts(dir, []string{"n1"}, nil); err != nil {
		t.Fatal(err)
	}
	pool := loadTLS(t, dir, "n0").Client.RootCAs
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "n1.crt"), filepath.Join(dir, "n1.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(pair.Certificate[0])
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("n1 not signed by the first CA: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "n1.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if _, err := LoadTLS(dir, "n9"); !errors.Is(err, ErrCerts) {
		t.Fatalf("missing certificate: %v", err)
	}
	if _, err := NewTLSTransport("0.0.0.0:0", loadTLS(t, dir, "n0"), nil); err == nil {
		t.Fatal("a wildcard raft address was accepted")
	}
}
