package agents

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSECUpdateByHand(t *testing.T) {
	s := mustTeacher(t, TeacherSEC, nil, TeacherSpace{Categories: 3}, 0).(*SECTeacher)
	for c, p := range s.Probabilities() {
		if math.Abs(p-1.0/3) > 1e-15 {
			t.Errorf("initial p(%d) = %v, want 1/3", c, p)
		}
	}
	// Category 0: rollout-weighted mean |A| = (1·0.8 + 3·0.2)/4 = 0.35.
	// Category 2: 0.6 (Rollouts 0 counts as 1). Category 1 is absent.
	s.Update([]TeacherObservation{
		{Task: TeacherTask{Category: 0}, AbsAdvantage: 0.8, Rollouts: 1},
		{Task: TeacherTask{Category: 2}, AbsAdvantage: 0.6},
		{Task: TeacherTask{Category: 0}, AbsAdvantage: 0.2, Rollouts: 3},
	})
	s.Update([]TeacherObservation{{Task: TeacherTask{Category: 2}, AbsAdvantage: 0.2, Rollouts: 8}})
	// α = 0.5: Q0 = 0.175; Q2 = 0.5·0.2 + 0.5·0.3 = 0.25.
	wantQ := []float64{0.175, 0, 0.25}
	q := s.Q()
	z := 0.0
	for _, v := range wantQ {
		z += math.Exp(v)
	}
	for c := range q {
		if math.Abs(q[c]-wantQ[c]) > 1e-15 {
			t.Errorf("Q = %v, want %v", q, wantQ)
		}
		if p := s.Probabilities()[c]; math.Abs(p-math.Exp(wantQ[c])/z) > 1e-15 {
			t.Errorf("p(%d) = %v, want %v", c, p, math.Exp(wantQ[c])/z)
		}
	}
}

// secBandit trains an SEC teacher on categories with fixed success
// probabilities: each step it samples batch tasks, draws m binary attempts
// per task, and feeds back the mean |A| of each group.
func secBandit(t *testing.T, params map[string]any, probs []float64, norm Normalization, steps int) *SECTeacher {
	const batch, m = 64, 8
	s := mustTeacher(t, TeacherSEC, params, TeacherSpace{Categories: len(probs)}, 0).(*SECTeacher)
	rng := rand.New(rand.NewPCG(11, 12))
	r, a := make([]float64, m), make([]float64, m)
	obs := make([]TeacherObservation, batch)
	for range steps {
		for i := range obs {
			task := s.Sample(rng)
			for j := range r {
				r[j] = 0
				if rng.Float64() < probs[task.Category] {
					r[j] = 1
				}
			}
			GroupAdvantages(a, r, m, norm, 0)
			obs[i] = TeacherObservation{Task: task, AbsAdvantage: MeanAbs(a), Rollouts: m}
		}
		s.Update(obs)
	}
	return s
}

// TestSECTracksLearnability checks that with near-uniform sampling each
// category's Q settles at the expected mean |A| of a group of 8 attempts,
// computed independently by summing over the binomial outcomes (with the
// closed forms 2√(p̂(1−p̂)) and 2p̂(1−p̂) of algorithms.md §6.5).
func TestSECTracksLearnability(t *testing.T) {
	probs := []float64{0.05, 0.2, 0.5, 0.8, 0.97}
	for _, norm := range []Normalization{NormGRPO, NormDrGRPO} {
		s := secBandit(t, map[string]any{"temperature": 100.0, "alpha": 0.1}, probs, norm, 300)
		q := s.Q()
		for c, p := range probs {
			want := 0.0
			for k := 0; k <= 8; k++ {
				ph := float64(k) / 8
				v := 2 * ph * (1 - ph)
				if norm == NormGRPO {
					v = 2 * math.Sqrt(ph*(1-ph))
				}
				want += math.Exp(lchoose(8, k)+float64(k)*math.Log(p)+float64(8-k)*math.Log1p(-p)) * v
			}
			if math.Abs(q[c]-want) > 0.05 {
				t.Errorf("%v: Q(%d) for p = %v is %v, want ≈ %v", norm, c, p, q[c], want)
			}
		}
	}
}

// TestSECConcentrates checks that a sharp Boltzmann puts most of its mass
// on the most learnable category (p = ½) of a synthetic bandit.
func TestSECConcentrates(t *testing.T) {
	probs := []float64{0.05, 0.2, 0.5, 0.8, 0.97}
	for _, norm := range []Normalization{NormGRPO, NormDrGRPO} {
		s := secBandit(t, map[string]any{"temperature": 0.03}, probs, norm, 100)
		p := s.Probabilities()
		for c := range p {
			if c != 2 && p[c] >= p[2] {
				t.Errorf("%v: p = %v: category %d not below the p=½ category", norm, p, c)
			}
		}
		if p[2] < 0.5 {
			t.Errorf("%v: p = %v: the p=½ category has %v < 0.5 of the mass", norm, p, p[2])
		}
	}
}
