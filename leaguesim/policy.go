package leaguesim

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/league"
)

// Policy is a member's parameters: a tabular NLHF policy on a preference
// game with K responses and B contexts, held as normalized
// log-probabilities in the response-major layout of packages agents and
// cuda (LogProb[y·B + c] = log π(y | c)). A pure strategy has −Inf entries.
//
// A Policy is immutable once built: the league names it by its Hash, and
// Run never changes a policy it has stored.
type Policy struct {
	K, B    int
	LogProb []float64
}

// MaxPolicySize bounds K·B of a decoded policy (8 bytes each), so a
// hostile blob cannot make a decoder allocate without limit.
const MaxPolicySize = 1 << 22

// normTolerance is how far a stored context's log Σ π may be from 0.
const normTolerance = 1e-9

var negInf = math.Inf(-1)

// ErrPolicy marks a malformed policy (construction or decoding).
var ErrPolicy = errors.New("leaguesim: malformed policy")

// NewPolicy returns the policy with the given K×B log-probabilities (or
// unnormalized logits), each context normalized. It copies logProb. NaN,
// +Inf and contexts without mass are errors.
func NewPolicy(k, b int, logProb []float64) (*Policy, error) {
	if k < 1 || b < 1 || k > MaxPolicySize/b {
		return nil, fmt.Errorf("%w: shape %d×%d", ErrPolicy, k, b)
	}
	if len(logProb) != k*b {
		return nil, fmt.Errorf("%w: %d values for K·B = %d", ErrPolicy, len(logProb), k*b)
	}
	p := &Policy{K: k, B: b, LogProb: append([]float64(nil), logProb...)}
	col := make([]float64, k)
	for c := range b {
		for y := range k {
			v := p.LogProb[y*b+c]
			if math.IsNaN(v) || math.IsInf(v, 1) {
				return nil, fmt.Errorf("%w: log-probability %v for response %d in context %d", ErrPolicy, v, y, c)
			}
			col[y] = v
		}
		lse := logSumExp(col)
		if math.IsInf(lse, -1) {
			return nil, fmt.Errorf("%w: context %d has no probability mass", ErrPolicy, c)
		}
		for y := range k {
			p.LogProb[y*b+c] -= lse
		}
	}
	return p, nil
}

// Uniform returns the uniform policy on K responses and B contexts.
func Uniform(k, b int) *Policy {
	p := &Policy{K: k, B: b, LogProb: make([]float64, k*b)}
	for i := range p.LogProb {
		p.LogProb[i] = -math.Log(float64(k))
	}
	return p
}

// Prob writes the probabilities of context c into dst (allocated if short)
// and returns it.
func (p *Policy) Prob(c int, dst []float64) []float64 {
	if cap(dst) < p.K {
		dst = make([]float64, p.K)
	}
	dst = dst[:p.K]
	for y := range p.K {
		dst[y] = math.Exp(p.LogProb[y*p.B+c])
	}
	return dst
}

// policyMagic starts an encoded policy: format name and version.
var policyMagic = [4]byte{'s', 'p', 'p', '1'}

const policyHeader = 12 // magic, K and B as uint32

// MarshalBinary encodes the policy: the magic "spp1", K and B as
// little-endian uint32, then the K·B log-probabilities as little-endian
// IEEE 754 float64 in LogProb order. Equal policies give equal bytes.
func (p *Policy) MarshalBinary() ([]byte, error) {
	if p.K < 1 || p.B < 1 || p.K > MaxPolicySize/p.B || len(p.LogProb) != p.K*p.B {
		return nil, fmt.Errorf("%w: shape %d×%d with %d values", ErrPolicy, p.K, p.B, len(p.LogProb))
	}
	out := make([]byte, policyHeader+8*len(p.LogProb))
	copy(out, policyMagic[:])
	binary.LittleEndian.PutUint32(out[4:], uint32(p.K))
	binary.LittleEndian.PutUint32(out[8:], uint32(p.B))
	for i, v := range p.LogProb {
		binary.LittleEndian.PutUint64(out[policyHeader+8*i:], math.Float64bits(v))
	}
	return out, nil
}

// DecodeError locates a problem in an encoded policy.
type DecodeError struct {
	Offset int // byte offset of the offending field
	Msg    string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("leaguesim: decode policy: byte %d: %s", e.Offset, e.Msg)
}

// Unwrap makes errors.Is(err, ErrPolicy) true.
func (e *DecodeError) Unwrap() error { return ErrPolicy }

// DecodePolicy decodes a policy encoded by MarshalBinary and checks it: the
// magic, the shape (at most MaxPolicySize values), the length, and that
// every context holds normalized log-probabilities without NaN or +Inf.
// Errors are *DecodeError values naming the byte offset.
func DecodePolicy(data []byte) (*Policy, error) {
	if len(data) < policyHeader {
		return nil, &DecodeError{0, fmt.Sprintf("%d bytes; a policy has a %d-byte header", len(data), policyHeader)}
	}
	if [4]byte(data[:4]) != policyMagic {
		return nil, &DecodeError{0, fmt.Sprintf("magic %q, expected %q", data[:4], policyMagic[:])}
	}
	k := binary.LittleEndian.Uint32(data[4:])
	b := binary.LittleEndian.Uint32(data[8:])
	if k < 1 || b < 1 || uint64(k)*uint64(b) > MaxPolicySize {
		return nil, &DecodeError{4, fmt.Sprintf("shape %d×%d; expected K, B ≥ 1 and K·B ≤ %d", k, b, MaxPolicySize)}
	}
	n := int(k) * int(b)
	if want := policyHeader + 8*n; len(data) != want {
		return nil, &DecodeError{policyHeader, fmt.Sprintf("%d bytes of values, expected %d for %d×%d", len(data)-policyHeader, 8*n, k, b)}
	}
	lp := make([]float64, n)
	for i := range lp {
		lp[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[policyHeader+8*i:]))
	}
	p, at, msg := checkedPolicy(int(k), int(b), lp)
	if msg != "" {
		off := policyHeader + 8*at
		if at < 0 {
			off = policyHeader
		}
		return nil, &DecodeError{off, msg}
	}
	return p, nil
}

// checkedPolicy wraps K×B values that must already be normalized
// log-probabilities without NaN or +Inf. On failure it returns the index
// of the offending value (−1 for none in particular) and a message.
func checkedPolicy(k, b int, lp []float64) (*Policy, int, string) {
	for i, v := range lp {
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return nil, i, fmt.Sprintf("log-probability %v of response %d, context %d", v, i/b, i%b)
		}
	}
	col := make([]float64, k)
	for c := range b {
		for y := range k {
			col[y] = lp[y*b+c]
		}
		if lse := logSumExp(col); !(math.Abs(lse) <= normTolerance) {
			return nil, c, fmt.Sprintf("context %d: log Σ π = %v, expected 0", c, lse)
		}
	}
	return &Policy{K: k, B: b, LogProb: lp}, 0, ""
}

// UnmarshalBinary decodes data into p (see DecodePolicy).
func (p *Policy) UnmarshalBinary(data []byte) error {
	q, err := DecodePolicy(data)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// Hash returns the sha256 of the policy's encoding, the name the league
// state gives its parameters.
func (p *Policy) Hash() league.Hash {
	b, err := p.MarshalBinary()
	if err != nil {
		panic(err) // policies are built valid; a bad one here is a bug
	}
	return sha256.Sum256(b)
}

// Mixture returns the policy that plays ps[i] with probability w[i] (an
// average of distributions, not of logits). Weights must be non-negative
// with a positive sum; they are normalized.
func Mixture(ps []*Policy, w []float64) (*Policy, error) {
	if len(ps) == 0 || len(ps) != len(w) {
		return nil, fmt.Errorf("leaguesim: mixture of %d policies with %d weights", len(ps), len(w))
	}
	k, b := ps[0].K, ps[0].B
	sum := 0.0
	for i, p := range ps {
		if p.K != k || p.B != b {
			return nil, fmt.Errorf("leaguesim: mixture: policy %d is %d×%d, policy 0 is %d×%d", i, p.K, p.B, k, b)
		}
		if !(w[i] >= 0) || math.IsInf(w[i], 0) {
			return nil, fmt.Errorf("leaguesim: mixture weight %d is %v", i, w[i])
		}
		sum += w[i]
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("leaguesim: mixture weights sum to %v", sum)
	}
	prob := make([]float64, k*b)
	for i, p := range ps {
		if w[i] == 0 {
			continue
		}
		for j, l := range p.LogProb {
			prob[j] += w[i] / sum * math.Exp(l)
		}
	}
	for j, q := range prob {
		prob[j] = math.Log(q)
	}
	return NewPolicy(k, b, prob)
}

// Exploitability returns the one-sided exploitability of p in g averaged
// over contexts with g's context weights: Σ_c ρ(c) (max_y P_c(y ≻ π_c) − ½).
// It is 0 exactly for the Nash equilibria (maximal lotteries) of g and ½ at
// most; twice it is the duality gap of the symmetric zero-sum game.
func Exploitability(g *game.Preference, p *Policy) float64 {
	if g.NumResponses() != p.K || g.NumContexts() != p.B {
		panic(fmt.Sprintf("leaguesim: %d×%d policy on a game with %d responses and %d contexts", p.K, p.B, g.NumResponses(), g.NumContexts()))
	}
	pi, win := make([]float64, p.K), make([]float64, p.K)
	e := 0.0
	for c := range p.B {
		win = g.WinRates(c, p.Prob(c, pi), win)
		best := math.Inf(-1)
		for _, v := range win {
			best = max(best, v)
		}
		e += g.Weight(c) * (best - 0.5)
	}
	return e
}

// WinRate returns P(a ≻ b) = Σ_c ρ(c) a_cᵀ P_c b_c, the exact probability
// that a's response is preferred to b's.
func WinRate(g *game.Preference, a, b *Policy) float64 {
	pa, pb := make([]float64, a.K), make([]float64, b.K)
	v := 0.0
	for c := range a.B {
		v += g.Weight(c) * g.Value(c, a.Prob(c, pa), b.Prob(c, pb))
	}
	return v
}

// logSumExp returns log Σ exp(v), stably; −Inf when every entry is −Inf.
func logSumExp(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}
