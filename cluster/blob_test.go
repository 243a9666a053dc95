package cluster

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/selfplay-lab/selfplay/league"
)

// TestBlobRoundTrip: a stored blob comes back byte for byte under its
// sha256, computed independently here.
func TestBlobRoundTrip(t *testing.T) {
	bs, err := OpenBlobStore(t.TempDir(), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte{7}, 1<<10)} {
		h, err := bs.Put(data)
		if err != nil {
			t.Fatalf("put %d bytes: %v", len(data), err)
		}
		if want := sha256.Sum256(data); h != league.Hash(want) {
			t.Fatalf("hash %s, sha256 %x", h, want)
		}
		if !bs.Has(h) {
			t.Fatalf("Has(%s) = false after Put", h)
		}
		got, err := bs.Get(h)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get %s: %d bytes, %v; want %d bytes", h, len(got), err, len(data))
		}
		if _, err := bs.Put(data); err != nil {
			t.Fatalf("second put: %v", err)
		}
	}
}

// TestBlobErrors: missing, oversized, mismatched and tampered blobs are
// reported with their sentinels, and a tampered blob is repaired by
// putting the right bytes again.
func TestBlobErrors(t *testing.T) {
	dir := t.TempDir()
	bs, err := OpenBlobStore(dir, 64)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("policy parameters")
	h, err := bs.Put(data)
	if err != nil {
		t.Fatal(err)
	}

	missing := league.Hash(sha256.Sum256([]byte("other")))
	if bs.Has(missing) {
		t.Fatal("Has reports a blob never stored")
	}
	if _, err := bs.Get(missing); !errors.Is(err, ErrBlobNotFound) {
		t.Fatalf("get missing: %v, want ErrBlobNotFound", err)
	}
	if _, err := bs.Put(make([]byte, 65)); !errors.Is(err, ErrBlobTooLarge) {
		t.Fatalf("put 65 bytes into a 64-byte store: %v, want ErrBlobTooLarge", err)
	}
	if err := bs.PutExpected(missing, data); !errors.Is(err, ErrBlobCorrupt) {
		t.Fatalf("put under a wrong hash: %v, want ErrBlobCorrupt", err)
	}
	if bs.Has(missing) {
		t.Fatal("a refused PutExpected stored the blob")
	}

	// Tamper with the stored file: same length, one byte changed.
	p := filepath.Join(dir, h.String()[:2], h.String())
	bad := bytes.Clone(data)
	bad[0] ^= 1
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Get(h); !errors.Is(err, ErrBlobCorrupt) {
		t.Fatalf("get tampered blob: %v, want ErrBlobCorrupt", err)
	}
	// Grown past the limit on disk.
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Get(h); !errors.Is(err, ErrBlobTooLarge) {
		t.Fatalf("get oversized file: %v, want ErrBlobTooLarge", err)
	}
	if err := bs.PutExpected(h, data); err != nil {
		t.Fatalf("repair: %v", err)
	}
	if got, err := bs.Get(h); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after repair: %q, %v", got, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
