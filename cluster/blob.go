package cluster

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/selfplay-lab/selfplay/league"
)

// Blob errors callers test for.
var (
	// ErrBlobNotFound: no blob with this hash is stored here.
	ErrBlobNotFound = errors.New("blob not found")
	// ErrBlobCorrupt: the stored bytes do not hash to the blob's name, or
	// bytes offered for a hash do not match it.
	ErrBlobCorrupt = errors.New("blob corrupt")
	// ErrBlobTooLarge: the blob exceeds the store's size limit.
	ErrBlobTooLarge = errors.New("blob too large")
)

// DefaultMaxBlobSize bounds a blob when the caller gives no limit.
const DefaultMaxBlobSize = 256 << 20

// BlobStore keeps large payloads (policy parameters) beside the Raft log:
// the log carries their sha256 (a league.Hash) and the bytes live here,
// one file per blob named by its hash, under dir/<first two hex
// digits>/<hash>. A blob is written to a temporary file, synced and
// renamed into place, so a crash never leaves a partial blob under its
// name; every read verifies the hash, so a damaged file is reported, never
// returned.
//
// A BlobStore is safe for concurrent use: files are immutable once
// renamed, and concurrent Puts of one blob write identical bytes.
type BlobStore struct {
	dir string
	max int64
}

// OpenBlobStore opens (creating if needed) a blob store in dir holding
// blobs of at most maxSize bytes (DefaultMaxBlobSize if maxSize <= 0).
func OpenBlobStore(dir string, maxSize int64) (*BlobStore, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxBlobSize
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cluster: open blob store: %w", err)
	}
	return &BlobStore{dir: dir, max: maxSize}, nil
}

// Dir returns the store's directory.
func (b *BlobStore) Dir() string { return b.dir }

// MaxSize returns the largest blob the store accepts.
func (b *BlobStore) MaxSize() int64 { return b.max }

func (b *BlobStore) path(h league.Hash) string {
	s := h.String()
	return filepath.Join(b.dir, s[:2], s)
}

// Has reports whether a blob named h is stored. It does not read the
// bytes; Get verifies them.
func (b *BlobStore) Has(h league.Hash) bool {
	fi, err := os.Stat(b.path(h))
	return err == nil && fi.Mode().IsRegular()
}

// Put stores data and returns its hash. Storing a blob already present
// (and intact) does nothing.
func (b *BlobStore) Put(data []byte) (league.Hash, error) {
	h := league.Hash(sha256.Sum256(data))
	return h, b.put(h, data)
}

// PutExpected stores data fetched from elsewhere under the hash the log
// names, refusing bytes that do not hash to want.
func (b *BlobStore) PutExpected(want league.Hash, data []byte) error {
	if got := league.Hash(sha256.Sum256(data)); got != want {
		return fmt.Errorf("cluster: put blob %s: %w: bytes hash to %s", want, ErrBlobCorrupt, got)
	}
	return b.put(want, data)
}

func (b *BlobStore) put(h league.Hash, data []byte) error {
	if int64(len(data)) > b.max {
		return fmt.Errorf("cluster: put blob %s: %w: %d bytes (at most %d)", h, ErrBlobTooLarge, len(data), b.max)
	}
	if _, err := b.Get(h); err == nil {
		return nil
	}
	p := b.path(h)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("cluster: put blob %s: %w", h, err)
	}
	if err := writeAtomic(p, data); err != nil {
		return fmt.Errorf("cluster: put blob %s: %w", h, err)
	}
	return nil
}

// writeAtomic writes data to a temporary file beside p, syncs it and
// renames it to p, then syncs the directory so the rename survives a crash.
func writeAtomic(p string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), p); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(p))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Get returns the blob named h after checking that its bytes hash to h.
func (b *BlobStore) Get(h league.Hash) ([]byte, error) {
	f, err := os.Open(b.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cluster: get blob %s: %w", h, ErrBlobNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: get blob %s: %w", h, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(f, b.max+1))
	if err != nil {
		return nil, fmt.Errorf("cluster: get blob %s: %w", h, err)
	}
	if n > b.max {
		return nil, fmt.Errorf("cluster: get blob %s: %w: more than %d bytes", h, ErrBlobTooLarge, b.max)
	}
	if got := league.Hash(sha256.Sum256(buf.Bytes())); got != h {
		return nil, fmt.Errorf("cluster: get blob %s: %w: stored bytes hash to %s", h, ErrBlobCorrupt, got)
	}
	return buf.Bytes(), nil
}
