package cluster

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// ErrToken reports an unusable cluster token (file missing, empty, too
// short).
var ErrToken = errors.New("bad cluster token")

// MinTokenLen is the shortest token accepted: a token guards every write
// to the league and every membership change.
const MinTokenLen = 16

// Token is the shared secret that writes and joins present as
// "Authorization: Bearer TOKEN". It keeps only the token's sha256, and
// compares hashes in constant time, so neither the comparison's duration
// nor a length check tells an attacker how much of a guess was right.
type Token struct {
	sum [32]byte
	raw string // sent by clients (workers, joins); never logged
}

// NewToken checks and wraps a token.
func NewToken(s string) (*Token, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, fmt.Errorf("%w: empty", ErrToken)
	case len(s) < MinTokenLen:
		return nil, fmt.Errorf("%w: %d characters, expected at least %d", ErrToken, len(s), MinTokenLen)
	case strings.ContainsAny(s, " \t\r\n"):
		return nil, fmt.Errorf("%w: contains white space", ErrToken)
	}
	return &Token{sum: sha256.Sum256([]byte(s)), raw: s}, nil
}

// LoadToken reads a token file (surrounding white space ignored). It
// warns, through the returned error, about nothing else: file modes are
// the operator's business.
func LoadToken(path string) (*Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrToken, err)
	}
	t, err := NewToken(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Check reports whether r carries this token as a bearer credential.
func (t *Token) Check(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	return subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1
}

// Authorize sets r's bearer credential.
func (t *Token) Authorize(r *http.Request) {
	r.Header.Set("Authorization", "Bearer "+t.raw)
}

// String hides the token in logs and %v.
func (t *Token) String() string { return "Token(redacted)" }
