package leaguesim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/selfplay-lab/selfplay/agents"
	"github.com/selfplay-lab/selfplay/cuda"
	"github.com/selfplay-lab/selfplay/game"
)

func TestPolicyRoundTripAndHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	logits := make([]float64, 4*3)
	for i := range logits {
		logits[i] = rng.NormFloat64()
	}
	logits[5] = math.Inf(-1) // response 1 never given in context 2
	p, err := NewPolicy(4, 3, logits)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if s := floatsSum(p.Prob(c, nil)); math.Abs(s-1) > 1e-12 {
			t.Fatalf("context %d sums to %v", c, s)
		}
	}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 12+8*12 || string(b[:4]) != "spp1" || binary.LittleEndian.Uint32(b[4:]) != 4 || binary.LittleEndian.Uint32(b[8:]) != 3 {
		t.Fatalf("encoding header % x, length %d", b[:12], len(b))
	}
	var q Policy
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for i := range p.LogProb {
		if math.Float64bits(p.LogProb[i]) != math.Float64bits(q.LogProb[i]) {
			t.Fatalf("value %d: %v decoded as %v", i, p.LogProb[i], q.LogProb[i])
		}
	}
	if p.Hash() != q.Hash() {
		t.Fatal("equal policies have different hashes")
	}
	// Shifting a context's logits does not change its probabilities.
	shifted := append([]float64(nil), logits...)
	for i := range shifted {
		if i%3 == 0 {
			shifted[i] += 7
		}
	}
	r, err := NewPolicy(4, 3, shifted)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(r.LogProb, p.LogProb); d > 1e-12 {
		t.Fatalf("shifting context 0's logits changed the policy by %v", d)
	}
	logits[0] += 1
	if r, _ := NewPolicy(4, 3, logits); r.Hash() == p.Hash() {
		t.Fatal("different policies share a hash")
	}
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func TestNewPolicyErrors(t *testing.T) {
	inf := math.Inf(-1)
	for _, tc := range []struct {
		name string
		k, b int
		v    []float64
		want string
	}{
		{"shape", 0, 1, nil, "shape 0×1"},
		{"length", 2, 2, []float64{0, 0, 0}, "3 values for K·B = 4"},
		{"nan", 2, 1, []float64{0, math.NaN()}, "log-probability NaN for response 1 in context 0"},
		{"+inf", 2, 1, []float64{math.Inf(1), 0}, "log-probability +Inf for response 0"},
		{"no mass", 2, 2, []float64{0, inf, 0, inf}, "context 1 has no probability mass"},
	} {
		_, err := NewPolicy(tc.k, tc.b, tc.v)
		if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrPolicy mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestDecodePolicyErrors(t *testing.T) {
	good, err := Uniform(3, 2).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	set := func(off int, v float64) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v))
		return b
	}
	huge := bytes.Clone(good)
	binary.LittleEndian.PutUint32(huge[4:], 1<<20)
	binary.LittleEndian.PutUint32(huge[8:], 1<<20)
	for _, tc := range []struct {
		name   string
		data   []byte
		offset int
		want   string
	}{
		{"short", good[:5], 0, "5 bytes"},
		{"magic", append([]byte("xpp1"), good[4:]...), 0, "magic"},
		{"huge", huge, 4, "shape 1048576×1048576"},
		{"truncated", good[:len(good)-8], 12, "40 bytes of values, expected 48"},
		{"nan", set(12+8*3, math.NaN()), 12 + 8*3, "NaN of response 1, context 1"},
		{"not normalized", set(12, math.Log(0.5)), 12, "context 0: log Σ π"},
	} {
		_, err := DecodePolicy(tc.data)
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrPolicy) || de.Offset != tc.offset || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a DecodeError at byte %d mentioning %q", tc.name, err, tc.offset, tc.want)
		}
	}
}

// FuzzDecodePolicy checks that decoding never panics and that whatever
// decodes re-encodes to the same bytes.
func FuzzDecodePolicy(f *testing.F) {
	for _, p := range []*Policy{Uniform(3, 1), Uniform(2, 4)} {
		b, _ := p.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePolicy(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		b, err := p.MarshalBinary()
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("decoded policy re-encodes differently (%v)", err)
		}
	})
}

func TestMixture(t *testing.T) {
	a, _ := NewPolicy(3, 1, pureLogits(3, 0))
	b, _ := NewPolicy(3, 1, []float64{0, 0, math.Inf(-1)})
	m, err := Mixture([]*Policy{a, b}, []float64{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.25 + 0.75*0.5, 0.75 * 0.5, 0}
	got := m.Prob(0, nil)
	for y := range want {
		if math.Abs(got[y]-want[y]) > 1e-15 {
			t.Fatalf("mixture %v, want %v", got, want)
		}
	}
	for _, tc := range []struct {
		ps []*Policy
		w  []float64
	}{
		{nil, nil},
		{[]*Policy{a}, []float64{-1}},
		{[]*Policy{a, b}, []float64{0, 0}},
		{[]*Policy{a, Uniform(3, 2)}, []float64{1, 1}},
	} {
		if _, err := Mixture(tc.ps, tc.w); err == nil {
			t.Errorf("Mixture(%d policies, %v) accepted", len(tc.ps), tc.w)
		}
	}
}

// TestExploitabilityAgainstAgents compares Exploitability and WinRate with
// package agents' independent implementations (Evaluator, WinRateMatrix)
// on a multi-context game with unequal context weights, and with closed
// forms on rock-paper-scissors.
func TestExploitabilityAgainstAgents(t *testing.T) {
	rps, _ := game.Cyclic(3, 1)
	rock, _ := NewPolicy(3, 1, pureLogits(3, 0))
	if e := Exploitability(rps, rock); e != 0.5 {
		t.Errorf("rock: exploitability %v, want 1/2", e)
	}
	if e := Exploitability(rps, Uniform(3, 1)); math.Abs(e) > 1e-15 {
		t.Errorf("uniform: exploitability %v, want 0", e)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	g := game.RandomAntisymmetric(rng, 4, 5, game.LowerRandom)
	if err := g.SetWeights([]float64{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	be := cuda.NewCPU(1)
	defer be.Close()
	env, err := agents.NewEnv(be, g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	ev, err := agents.NewEvaluator(env, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var pols []*Policy
	for range 3 {
		l := make([]float64, 5*4)
		for i := range l {
			l[i] = 2 * rng.NormFloat64()
		}
		p, _ := NewPolicy(5, 4, l)
		pols = append(pols, p)
		if got, want := Exploitability(g, p), ev.MeasureHost(p.LogProb).Expl; math.Abs(got-want) > 1e-14 {
			t.Errorf("exploitability %v, agents says %v", got, want)
		}
	}
	w := agents.WinRateMatrix(g, [][]float64{pols[0].LogProb, pols[1].LogProb, pols[2].LogProb})
	for i := range pols {
		for j := range pols {
			if got := WinRate(g, pols[i], pols[j]); math.Abs(got-w[i][j]) > 1e-14 {
				t.Errorf("WinRate(%d, %d) = %v, agents says %v", i, j, got, w[i][j])
			}
		}
	}
}
