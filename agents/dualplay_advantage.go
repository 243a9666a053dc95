package agents

import (
	"fmt"
	"math"
)

// Normalization selects how group advantages are scaled (algorithms.md §6,
// common abstraction).
type Normalization int

const (
	// NormGRPO is GRPO's A = (r − mean)/(std + ε).
	NormGRPO Normalization = iota
	// NormDrGRPO is Dr.GRPO's A = r − mean (no std division), the loss
	// PasoDoble uses by default.
	NormDrGRPO
)

// String returns the config name of the normalization.
func (n Normalization) String() string {
	switch n {
	case NormGRPO:
		return "grpo"
	case NormDrGRPO:
		return "dr_grpo"
	}
	return fmt.Sprintf("Normalization(%d)", int(n))
}

// ParseNormalization parses "grpo" or "dr_grpo".
func ParseNormalization(s string) (Normalization, error) {
	switch s {
	case "grpo":
		return NormGRPO, nil
	case "dr_grpo":
		return NormDrGRPO, nil
	}
	return 0, fmt.Errorf("advantage normalization %q: want grpo or dr_grpo", s)
}

// DefaultAdvantageEps is the ε of (std + ε) used when a caller has no
// reason to choose another; it only matters for near-identical rewards.
const DefaultAdvantageEps = 1e-6

// EffectiveGroup reports whether a group's rewards are not all identical,
// i.e. whether the group carries any policy-gradient signal (the
// "effective prompt ratio" counts these).
func EffectiveGroup(rewards []float64) bool {
	for _, r := range rewards[min(1, len(rewards)):] {
		if r != rewards[0] {
			return true
		}
	}
	return false
}

// GroupAdvantages writes the group-normalized advantages of rewards into
// dst (same length) and returns the number of effective groups. rewards is
// a batch of consecutive groups of groupSize rewards (for example 256 tasks
// × 8 attempts). The std is the population std of the group (divide by
// groupSize), the form under which mean |A| of binary rewards is exactly
// 2√(p̂(1−p̂)) for the group's success rate p̂; groups whose rewards are all
// identical get A = 0 exactly. dst may alias rewards. It does not allocate.
func GroupAdvantages(dst, rewards []float64, groupSize int, norm Normalization, eps float64) (effective int) {
	if groupSize <= 0 || len(rewards)%groupSize != 0 || len(dst) != len(rewards) {
		panic(fmt.Sprintf("agents: GroupAdvantages of %d rewards into %d in groups of %d", len(rewards), len(dst), groupSize))
	}
	for g := 0; g < len(rewards); g += groupSize {
		r, a := rewards[g:g+groupSize], dst[g:g+groupSize]
		if !EffectiveGroup(r) {
			clear(a)
			continue
		}
		effective++
		mean, std := meanStd(r)
		scale := 1.0
		if norm == NormGRPO {
			scale = 1 / (std + eps)
		}
		for i, x := range r {
			a[i] = (x - mean) * scale
		}
	}
	return effective
}

// meanStd returns the mean and the population standard deviation of x
// (two passes, so that near-constant groups keep their precision).
func meanStd(x []float64) (mean, std float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / float64(len(x)))
}

// MeanAbs returns the mean of |a|, SEC's per-category reward when a holds
// the advantages of one category's rollouts (0 for an empty slice).
func MeanAbs(a []float64) float64 {
	if len(a) == 0 {
		return 0
	}
	var s float64
	for _, v := range a {
		s += math.Abs(v)
	}
	return s / float64(len(a))
}

// KeyedNormalizer computes TRR++ advantages (Absolute Zero, algorithms.md
// §6.1): one baseline per group key, typically task type × role (6 keys in
// AZR), A = (r − μ_key)/(σ_key + ε) — REINFORCE++ whitening per key, no
// critic. The baselines are per batch: μ_key and σ_key (population) are
// taken over the rewards of that key in the batch passed to Advantages, as
// AZR's trainer does, not carried across steps; a key with one reward, or
// with identical rewards, gets A = 0. With NormDrGRPO the division is
// skipped. A KeyedNormalizer owns buffers sized at construction, so
// Advantages does not allocate; it is not safe for concurrent use.
type KeyedNormalizer struct {
	Norm Normalization
	Eps  float64
	sum  []float64
	ss   []float64
	n    []int
	mean []float64
	std  []float64
	// first and varied detect keys whose rewards are all identical, which
	// get A = 0 exactly instead of rounding noise over ε.
	first  []float64
	varied []bool
}

// NewKeyedNormalizer returns a normalizer for keys 0..keys−1.
func NewKeyedNormalizer(keys int, norm Normalization, eps float64) *KeyedNormalizer {
	return &KeyedNormalizer{Norm: norm, Eps: eps,
		sum: make([]float64, keys), ss: make([]float64, keys), n: make([]int, keys),
		mean: make([]float64, keys), std: make([]float64, keys),
		first: make([]float64, keys), varied: make([]bool, keys)}
}

// Advantages writes the advantages of rewards (whose group keys are keys)
// into dst; dst may alias rewards. A key outside 0..keys−1 panics.
func (k *KeyedNormalizer) Advantages(dst, rewards []float64, keys []int) {
	if len(dst) != len(rewards) || len(keys) != len(rewards) {
		panic(fmt.Sprintf("agents: KeyedNormalizer of %d rewards, %d keys into %d", len(rewards), len(keys), len(dst)))
	}
	clear(k.sum)
	clear(k.ss)
	clear(k.n)
	clear(k.varied)
	// Each pass walks runs of equal keys (a group of attempts shares its
	// task's key) holding the key's accumulator in a register: the same
	// additions in the same order as element by element, without a
	// store-to-load round trip per reward.
	for i := 0; i < len(rewards); {
		j := keys[i]
		s, c, f, v := k.sum[j], k.n[j], k.first[j], k.varied[j]
		e := i
		if c == 0 {
			f = rewards[i]
			s += f
			e++
		}
		for ; e < len(rewards) && keys[e] == j; e++ {
			r := rewards[e]
			v = v || r != f
			s += r
		}
		k.sum[j], k.n[j], k.first[j], k.varied[j] = s, c+e-i, f, v
		i = e
	}
	for j := range k.mean {
		k.mean[j] = 0
		if k.n[j] > 0 {
			k.mean[j] = k.sum[j] / float64(k.n[j])
		}
	}
	for i := 0; i < len(rewards); {
		j := keys[i]
		m, ss := k.mean[j], k.ss[j]
		e := i
		for ; e < len(rewards) && keys[e] == j; e++ {
			d := rewards[e] - m
			ss += d * d
		}
		k.ss[j] = ss
		i = e
	}
	for j := range k.std {
		k.std[j] = 0
		if k.n[j] > 0 {
			k.std[j] = math.Sqrt(k.ss[j] / float64(k.n[j]))
		}
	}
	for i := 0; i < len(rewards); {
		j := keys[i]
		e := i
		for e < len(rewards) && keys[e] == j {
			e++
		}
		a, r := dst[i:e], rewards[i:e]
		switch {
		case !k.varied[j]:
			clear(a)
		case k.Norm == NormGRPO:
			m, d := k.mean[j], k.std[j]+k.Eps
			for t, x := range r {
				a[t] = (x - m) / d
			}
		default:
			m := k.mean[j]
			for t, x := range r {
				a[t] = x - m
			}
		}
		i = e
	}
}

// Baseline returns the mean, std and count of key's rewards in the last
// batch (for metrics).
func (k *KeyedNormalizer) Baseline(key int) (mean, std float64, n int) {
	return k.mean[key], k.std[key], k.n[key]
}
