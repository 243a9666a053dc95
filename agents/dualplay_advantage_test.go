package agents

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestGroupAdvantagesHandCases(t *testing.T) {
	s := math.Sqrt(0.25 * 0.75)
	tests := []struct {
		name    string
		rewards []float64
		m       int
		norm    Normalization
		want    []float64
		eff     int
	}{
		{"grpo one success", []float64{1, 0, 0, 0}, 4, NormGRPO, []float64{0.75 / s, -0.25 / s, -0.25 / s, -0.25 / s}, 1},
		{"dr_grpo one success", []float64{1, 0, 0, 0}, 4, NormDrGRPO, []float64{0.75, -0.25, -0.25, -0.25}, 1},
		{"identical groups are zero", []float64{0.1, 0.1, 0.1, 1, 1, 1}, 3, NormGRPO, []float64{0, 0, 0, 0, 0, 0}, 0},
		{"two groups", []float64{2, 0, 5, 5}, 2, NormGRPO, []float64{1, -1, 0, 0}, 1},
		{"shaped rewards", []float64{-1, -0.5, 1, 0.5}, 4, NormDrGRPO, []float64{-1, -0.5, 1, 0.5}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]float64, len(tc.rewards))
			eff := GroupAdvantages(dst, tc.rewards, tc.m, tc.norm, 0)
			if eff != tc.eff {
				t.Errorf("effective groups %d, want %d", eff, tc.eff)
			}
			for i := range dst {
				if math.Abs(dst[i]-tc.want[i]) > 1e-12 {
					t.Errorf("A = %v, want %v", dst, tc.want)
					break
				}
			}
			// In place gives the same numbers.
			in := append([]float64(nil), tc.rewards...)
			GroupAdvantages(in, in, tc.m, tc.norm, 0)
			for i := range in {
				if in[i] != dst[i] {
					t.Errorf("in place %v, want %v", in, dst)
					break
				}
			}
		})
	}
}

func TestEffectiveGroup(t *testing.T) {
	for _, tc := range []struct {
		r    []float64
		want bool
	}{
		{nil, false}, {[]float64{1}, false}, {[]float64{0, 0, 0}, false},
		{[]float64{0, 0, 1}, true}, {[]float64{-0.5, -1}, true},
	} {
		if got := EffectiveGroup(tc.r); got != tc.want {
			t.Errorf("EffectiveGroup(%v) = %v", tc.r, got)
		}
	}
}

// binaryGroup returns a group of m binary rewards with k successes.
func binaryGroup(k, m int) []float64 {
	g := make([]float64, m)
	for i := range k {
		g[i] = 1
	}
	return g
}

// TestMeanAbsAdvantageClosedForms checks algorithms.md §6.5's derivation by
// exact enumeration: for a binary group with success rate p̂, mean |A| is
// 2√(p̂(1−p̂)) normalized and 2p̂(1−p̂) under Dr.GRPO; averaged over every
// outcome of M Bernoulli(p) attempts the Dr.GRPO value is
// 2p(1−p)(M−1)/M (E[p̂(1−p̂)] = p(1−p)(1 − 1/M)), and the normalized one
// tends to 2√(p(1−p)) as M grows.
func TestMeanAbsAdvantageClosedForms(t *testing.T) {
	const m = 8
	a := make([]float64, m)
	for k := 1; k < m; k++ {
		p := float64(k) / m
		GroupAdvantages(a, binaryGroup(k, m), m, NormGRPO, 0)
		if got, want := MeanAbs(a), 2*math.Sqrt(p*(1-p)); math.Abs(got-want) > 1e-12 {
			t.Errorf("k=%d: GRPO mean|A| %v, want %v", k, got, want)
		}
		GroupAdvantages(a, binaryGroup(k, m), m, NormDrGRPO, 0)
		if got, want := MeanAbs(a), 2*p*(1-p); math.Abs(got-want) > 1e-12 {
			t.Errorf("k=%d: Dr.GRPO mean|A| %v, want %v", k, got, want)
		}
	}

	// Every one of the 2^M outcomes as one group of a single batch.
	rewards := make([]float64, m<<m)
	for mask := range 1 << m {
		for i := range m {
			rewards[mask*m+i] = float64(mask >> i & 1)
		}
	}
	adv := make([]float64, len(rewards))
	if eff := GroupAdvantages(adv, rewards, m, NormDrGRPO, 0); eff != 1<<m-2 {
		t.Errorf("effective groups %d, want %d", eff, 1<<m-2)
	}
	for _, p := range []float64{0.1, 0.5, 0.8} {
		var e float64
		for mask := range 1 << m {
			k := 0
			for i := range m {
				k += mask >> i & 1
			}
			w := math.Pow(p, float64(k)) * math.Pow(1-p, float64(m-k))
			e += w * MeanAbs(adv[mask*m:(mask+1)*m])
		}
		if want := 2 * p * (1 - p) * (m - 1) / m; math.Abs(e-want) > 1e-12 {
			t.Errorf("p=%v: E[Dr.GRPO mean|A|] = %v, want %v", p, e, want)
		}
	}

	// Large M: the expected normalized value approaches 2√(p(1−p)).
	const big = 2000
	g := make([]float64, big)
	for _, p := range []float64{0.2, 0.5} {
		var e float64
		for k := 0; k <= big; k++ {
			lw := lchoose(big, k) + float64(k)*math.Log(p) + float64(big-k)*math.Log1p(-p)
			GroupAdvantages(g, binaryGroup(k, big), big, NormGRPO, 0)
			e += math.Exp(lw) * MeanAbs(g)
		}
		if want := 2 * math.Sqrt(p*(1-p)); math.Abs(e-want) > 1e-3 {
			t.Errorf("p=%v, M=%d: E[GRPO mean|A|] = %v, want ≈ %v", p, big, e, want)
		}
	}
}

func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// TestKeyedNormalizer checks TRR++ baselines against an independent
// per-key computation on interleaved keys, and against GroupAdvantages
// when keys are contiguous groups.
func TestKeyedNormalizer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, keys = 120, 6
	rewards := make([]float64, n)
	kk := make([]int, n)
	for i := range rewards {
		kk[i] = rng.IntN(keys - 1) // key 5 stays empty
		rewards[i] = float64(rng.IntN(3)) - 1
		if kk[i] == 4 {
			rewards[i] = 0.5 // a key whose rewards are all identical
		}
	}
	for _, norm := range []Normalization{NormGRPO, NormDrGRPO} {
		kn := NewKeyedNormalizer(keys, norm, 1e-6)
		dst := make([]float64, n)
		kn.Advantages(dst, rewards, kk)
		for key := range keys {
			var r []float64
			for i := range rewards {
				if kk[i] == key {
					r = append(r, rewards[i])
				}
			}
			var mean, ss float64
			for _, x := range r {
				mean += x
			}
			if len(r) > 0 {
				mean /= float64(len(r))
			}
			for _, x := range r {
				ss += (x - mean) * (x - mean)
			}
			std := 0.0
			if len(r) > 0 {
				std = math.Sqrt(ss / float64(len(r)))
			}
			gm, gs, gn := kn.Baseline(key)
			if gn != len(r) || math.Abs(gm-mean) > 1e-12 || math.Abs(gs-std) > 1e-12 {
				t.Errorf("key %d: baseline (%v, %v, %d), want (%v, %v, %d)", key, gm, gs, gn, mean, std, len(r))
			}
			for i := range rewards {
				if kk[i] != key {
					continue
				}
				want := 0.0
				if std > 0 {
					want = rewards[i] - mean
					if norm == NormGRPO {
						want /= std + 1e-6
					}
				}
				if math.Abs(dst[i]-want) > 1e-12 {
					t.Fatalf("%v key %d: A[%d] = %v, want %v", norm, key, i, dst[i], want)
				}
			}
		}
	}

	// Contiguous keys reproduce group normalization.
	const m = 8
	for i := range kk {
		kk[i] = i / m
	}
	kn := NewKeyedNormalizer(n/m, NormGRPO, 1e-6)
	a, b := make([]float64, n), make([]float64, n)
	kn.Advantages(a, rewards, kk)
	GroupAdvantages(b, rewards, m, NormGRPO, 1e-6)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			t.Fatalf("A[%d]: keyed %v, grouped %v", i, a[i], b[i])
		}
	}
}

// Runs of equal keys (a task's attempts share its key), with keys coming
// back after others, give exactly (==) the advantages of an element-by-
// element computation that adds in the same order.
func TestKeyedNormalizerRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const keys = 5
	var rewards []float64
	var kk []int
	for len(rewards) < 400 {
		k, run := rng.IntN(keys), 1+rng.IntN(9)
		for range run {
			kk = append(kk, k)
			rewards = append(rewards, float64(rng.IntN(2))+0.1*float64(rng.IntN(3)))
		}
	}
	// Oracle: per-element accumulation, the textbook two-pass form.
	sum, ss, n := make([]float64, keys), make([]float64, keys), make([]int, keys)
	for i, r := range rewards {
		sum[kk[i]] += r
		n[kk[i]]++
	}
	mean := make([]float64, keys)
	for k := range keys {
		if n[k] > 0 {
			mean[k] = sum[k] / float64(n[k])
		}
	}
	for i, r := range rewards {
		d := r - mean[kk[i]]
		ss[kk[i]] += d * d
	}
	for _, norm := range []Normalization{NormGRPO, NormDrGRPO} {
		kn := NewKeyedNormalizer(keys, norm, 1e-6)
		dst := make([]float64, len(rewards))
		kn.Advantages(dst, rewards, kk)
		for i, r := range rewards {
			k := kk[i]
			want := r - mean[k]
			if norm == NormGRPO {
				want /= math.Sqrt(ss[k]/float64(n[k])) + 1e-6
			}
			if dst[i] != want {
				t.Fatalf("%v: A[%d] = %v, want exactly %v", norm, i, dst[i], want)
			}
		}
		// In place (dst aliasing rewards) gives the same.
		in := slices.Clone(rewards)
		kn.Advantages(in, in, kk)
		if !slices.Equal(in, dst) {
			t.Errorf("%v: in-place advantages differ", norm)
		}
	}
}

func TestAdvantagesDoNotAllocate(t *testing.T) {
	rewards, dst, keys := benchRewards()
	kn := NewKeyedNormalizer(6, NormGRPO, DefaultAdvantageEps)
	if n := testing.AllocsPerRun(10, func() { GroupAdvantages(dst, rewards, 8, NormGRPO, DefaultAdvantageEps) }); n != 0 {
		t.Errorf("GroupAdvantages allocates %v times", n)
	}
	if n := testing.AllocsPerRun(10, func() { kn.Advantages(dst, rewards, keys) }); n != 0 {
		t.Errorf("KeyedNormalizer.Advantages allocates %v times", n)
	}
}

func TestParseNormalization(t *testing.T) {
	for _, n := range []Normalization{NormGRPO, NormDrGRPO} {
		if got, err := ParseNormalization(n.String()); err != nil || got != n {
			t.Errorf("ParseNormalization(%q) = %v, %v", n.String(), got, err)
		}
	}
	if _, err := ParseNormalization("ppo"); err == nil {
		t.Error("ParseNormalization(ppo): no error")
	}
}

// benchRewards is a batch of 256 tasks × 8 binary attempts with 6 keys.
func benchRewards() (rewards, dst []float64, keys []int) {
	rng := rand.New(rand.NewPCG(3, 4))
	rewards = make([]float64, 256*8)
	keys = make([]int, len(rewards))
	for i := range rewards {
		if rng.Float64() < 0.4 {
			rewards[i] = 1
		}
		keys[i] = i / 8 % 6
	}
	return rewards, make([]float64, len(rewards)), keys
}

func BenchmarkGroupAdvantages(b *testing.B) {
	rewards, dst, keys := benchRewards()
	for _, norm := range []Normalization{NormGRPO, NormDrGRPO} {
		b.Run(norm.String()+"/256x8", func(b *testing.B) {
			for b.Loop() {
				GroupAdvantages(dst, rewards, 8, norm, DefaultAdvantageEps)
			}
		})
	}
	b.Run("trr++/256x8", func(b *testing.B) {
		kn := NewKeyedNormalizer(6, NormGRPO, DefaultAdvantageEps)
		for b.Loop() {
			kn.Advantages(dst, rewards, keys)
		}
	})
}

// With the raw-reward estimator (SSP's one-sample REINFORCE) a reward
// offset reaches the policy; with GRPO's group baseline it cancels.
func TestRoleAdvantageBaseline(t *testing.T) {
	r := []float64{0.5, 0.2, 0.9, 0.4}
	shifted := make([]float64, len(r))
	for i, x := range r {
		shifted[i] = x - 0.1
	}
	keys := make([]int, len(r))
	for _, tc := range []struct {
		name    string
		cancels bool
	}{{AdvantageNone, false}, {AdvantageGRPO, true}, {AdvantageDrGRPO, true}, {AdvantageTRR, true}} {
		a, b := make([]float64, len(r)), make([]float64, len(r))
		ra := newRoleAdvantage(tc.name, 1)
		ra.advantages(a, r, len(r), keys)
		ra.advantages(b, shifted, len(r), keys)
		for i := range a {
			d := a[i] - b[i]
			if tc.cancels && math.Abs(d) > 1e-12 {
				t.Errorf("%s: advantage %d moved by %g under a constant offset", tc.name, i, d)
			}
			if !tc.cancels && (math.Abs(d-0.1) > 1e-12 || a[i] != r[i]) {
				t.Errorf("%s: advantage %d = %g (shifted %g), want the reward %g", tc.name, i, a[i], b[i], r[i])
			}
		}
	}
}

func TestDualPlayProposerAdvantageConfig(t *testing.T) {
	cfg := DefaultDualPlayConfig()
	cfg.ProposerAdvantage = "reinforce"
	var fe *DualPlayFieldError
	if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != "proposer_advantage" {
		t.Fatalf("bad proposer_advantage: got %v", err)
	}
	// The proposer's estimator does not touch the solver's: one step from
	// the same seed gives the same solver update whatever the proposer's.
	run := func(adv string) (theta, params []float64) {
		c := DefaultDualPlayConfig()
		c.Batch, c.ProposerAdvantage = 64, adv
		s, err := NewDualPlaySim(c)
		if err != nil {
			t.Fatal(err)
		}
		s.Step()
		return append([]float64(nil), s.Solver().Theta()...), s.Proposer().Params()
	}
	t0, p0 := run("")
	t1, p1 := run(AdvantageNone)
	if !slices.Equal(t0, t1) {
		t.Errorf("solver θ %v vs %v: the proposer's estimator changed the solver update", t0, t1)
	}
	if slices.Equal(p0, p1) {
		t.Errorf("proposer parameters equal under grpo and none")
	}
}
