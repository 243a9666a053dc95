package cluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/hashicorp/raft"
)

// Mutual TLS. "selfplay league certs" makes a private CA and one
// certificate per node (ECDSA P-256), each valid both as a server and as a
// client, so that the same files secure the API (server and the node's
// own requests to its peers), the workers' requests and the Raft
// transport. Every side requires a certificate signed by the CA: a party
// without one cannot even open a connection, and the bearer token still
// guards writes on top.

// Files under a certificate directory.
const (
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// ErrCerts reports a certificate directory that cannot be used or made.
var ErrCerts = errors.New("bad certificate directory")

var certNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// CertValidity is how long generated certificates are valid.
const CertValidity = 5 * 365 * 24 * time.Hour

// GenerateCerts writes into dir a CA (ca.crt, ca.key) unless one is there
// already, then NAME.crt and NAME.key for every name, valid for the name
// itself, localhost, 127.0.0.1, ::1 and the extra hosts (DNS names or IP
// addresses the nodes are reached at). It refuses to replace an existing
// node certificate. Keys are written with mode 0600.
func GenerateCerts(dir string, names, hosts []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%w: no names to make certificates for", ErrCerts)
	}
	for _, n := range names {
		if !certNameRE.MatchString(n) {
			return fmt.Errorf("%w: name %q: expected letters, digits and ._- (at most 63)", ErrCerts, n)
		}
		if n == "ca" {
			return fmt.Errorf("%w: name %q is the CA's file name", ErrCerts, n)
		}
		if _, err := os.Stat(filepath.Join(dir, n+".crt")); err == nil {
			return fmt.Errorf("%w: %s already exists; remove it to make a new one", ErrCerts, filepath.Join(dir, n+".crt"))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %w", ErrCerts, err)
	}
	ca, caKey, err := loadOrMakeCA(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := makeNodeCert(dir, n, hosts, ca, caKey); err != nil {
			return err
		}
	}
	return nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func loadOrMakeCA(dir string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	if _, err := os.Stat(certPath); err == nil {
		pair, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: existing CA: %w", ErrCerts, err)
		}
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return nil, nil, fmt.Errorf("%w: existing CA key %s is not ECDSA", ErrCerts, keyPath)
		}
		ca, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			return nil, nil, fmt.Errorf("%w: existing CA: %w", ErrCerts, err)
		}
		return ca, key, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: "selfplay cluster CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(CertValidity),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := writePEM(keyPath, key, 0o600); err != nil {
		return nil, nil, err
	}
	if err := writeCertPEM(certPath, der); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

func makeNodeCert(dir, name string, hosts []string, ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	sn, err := serial()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(CertValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    []string{name, "localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, name+".key"), key, 0o600); err != nil {
		return err
	}
	return writeCertPEM(filepath.Join(dir, name+".crt"), der)
}

func writePEM(path string, key *ecdsa.PrivateKey, mode os.FileMode) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writeFileNew(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), mode)
}

func writeCertPEM(path string, der []byte) error {
	return writeFileNew(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// writeFileNew creates path (failing if it exists) with data.
func writeFileNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCerts, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("%w: %w", ErrCerts, err)
	}
	return f.Close()
}

// TLSConfig holds a party's mutual-TLS configurations.
type TLSConfig struct {
	// Server requires and verifies a client certificate from the CA.
	Server *tls.Config
	// Client presents the party's certificate and trusts only the CA.
	Client *tls.Config
}

// LoadTLS reads the CA and the certificate NAME.crt/NAME.key from dir.
func LoadTLS(dir, name string) (*TLSConfig, error) {
	caPEM, err := os.ReadFile(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCerts, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrCerts, filepath.Join(dir, CACertFile))
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key"))
	if err != nil {
		return nil, fmt.Errorf("%w: certificate %q: %w", ErrCerts, name, err)
	}
	return &TLSConfig{
		Server: &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{pair},
			ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert},
		Client: &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{pair}, RootCAs: pool},
	}, nil
}

// tlsStreamLayer is raft's StreamLayer over mutual TLS.
type tlsStreamLayer struct {
	net.Listener
	client *tls.Config
}

func (l *tlsStreamLayer) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	return tls.DialWithDialer(d, "tcp", string(addr), l.client)
}

// NewTLSTransport returns a Raft transport on addr (host:port; the host
// must be the address peers dial, not 0.0.0.0) over mutual TLS. The caller
// closes it after the node shuts down.
func NewTLSTransport(addr string, cfg *TLSConfig, logOutput io.Writer) (*raft.NetworkTransport, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("cluster: raft address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return nil, fmt.Errorf("cluster: raft address %q: the host must be the address peers dial, not a wildcard", addr)
	}
	ln, err := tls.Listen("tcp", addr, cfg.Server)
	if err != nil {
		return nil, fmt.Errorf("cluster: raft TLS listener: %w", err)
	}
	if logOutput == nil {
		logOutput = io.Discard
	}
	return raft.NewNetworkTransport(&tlsStreamLayer{Listener: ln, client: cfg.Client}, 3, 10*time.Second, logOutput), nil
}
