package game

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func newTestSpace(t *testing.T, edit func(*TaskConfig)) *TaskSpace {
	t.Helper()
	cfg := DefaultTaskConfig()
	if edit != nil {
		edit(&cfg)
	}
	s, err := NewTaskSpace(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// within reports whether a frequency k/n is within z binomial standard
// errors of p (plus a little slack for p near 0 or 1).
func within(k, n int, p, z float64) bool {
	f := float64(k) / float64(n)
	return math.Abs(f-p) <= z*math.Sqrt(p*(1-p)/float64(n))+1e-3
}

func TestItemResponse(t *testing.T) {
	cases := []struct{ a, b, c float64 }{
		{1, 0, 0}, {2, 1.5, 0}, {0.5, -2, 0.25}, {1.7, 0.3, 0.1},
	}
	for _, tc := range cases {
		f := func(th float64) float64 { return ItemResponse(tc.a, tc.b, tc.c, th) }
		// At θ = b the logistic part is 1/2.
		if got, want := f(tc.b), tc.c+(1-tc.c)/2; math.Abs(got-want) > 1e-15 {
			t.Errorf("%+v: p(θ=b) = %v, want %v", tc, got, want)
		}
		// Limits: 1 for strong solvers, the guessing floor c for weak ones.
		if got := f(tc.b + 60/tc.a); math.Abs(got-1) > 1e-12 {
			t.Errorf("%+v: p(θ→∞) = %v, want 1", tc, got)
		}
		if got := f(tc.b - 60/tc.a); math.Abs(got-tc.c) > 1e-12 {
			t.Errorf("%+v: p(θ→−∞) = %v, want c = %v", tc, got, tc.c)
		}
		for _, x := range []float64{-3, -0.7, 0.2, 1.9} {
			th := tc.b + x
			// Closed form of the logistic: σ(z) = 1/(1+e^{−z}).
			want := tc.c + (1-tc.c)/(1+math.Exp(-tc.a*x))
			if got := f(th); math.Abs(got-want) > 1e-14 {
				t.Errorf("%+v: p(%v) = %v, want %v", tc, th, got, want)
			}
			// Point symmetry of the logistic part about θ = b.
			lo, hi := (f(tc.b-x)-tc.c)/(1-tc.c), (f(tc.b+x)-tc.c)/(1-tc.c)
			if math.Abs(lo+hi-1) > 1e-14 {
				t.Errorf("%+v: σ(−x) + σ(x) = %v", tc, lo+hi)
			}
			// Fisher information of the 3PL, p'(θ)²/(p(1−p)), by central
			// differences against the closed form.
			h := 1e-5
			d := (f(th+h) - f(th-h)) / (2 * h)
			p := f(th)
			num := d * d / (p * (1 - p))
			if got := ItemInformation3PL(tc.a, tc.c, p); math.Abs(got-num) > 1e-6*math.Max(1, num) {
				t.Errorf("%+v θ=%v: 3PL information %v, numerical %v", tc, th, got, num)
			}
			if tc.c == 0 {
				if got := ItemInformation(tc.a, p); math.Abs(got-num) > 1e-6*math.Max(1, num) {
					t.Errorf("%+v θ=%v: 2PL information %v, numerical %v", tc, th, got, num)
				}
			}
		}
	}
	// 2PL information peaks at p = 1/2 with value a²/4.
	if got := ItemInformation(2, 0.5); got != 1 {
		t.Errorf("ItemInformation(2, 1/2) = %v, want 1", got)
	}
	if ItemInformation(1, 0.3) >= ItemInformation(1, 0.5) || ItemInformation(1, 0.7) >= ItemInformation(1, 0.5) {
		t.Error("2PL information does not peak at p = 1/2")
	}
}

func TestPassAtKProb(t *testing.T) {
	for _, p := range []float64{0, 1e-12, 0.1, 0.5, 0.999, 1} {
		for _, k := range []int{1, 2, 7, 256} {
			want := 1.0
			q := 1.0
			for range k {
				q *= 1 - p
			}
			want -= q
			got := PassAtKProb(p, k)
			if math.Abs(got-want) > 1e-12 || (p > 0 && got <= 0) {
				t.Errorf("PassAtKProb(%v, %d) = %v, want %v", p, k, got, want)
			}
		}
	}
	// No cancellation: for tiny p, pass@k ≈ kp.
	if got := PassAtKProb(1e-15, 3); math.Abs(got/3e-15-1) > 1e-9 {
		t.Errorf("PassAtKProb(1e-15, 3) = %v, want ≈ 3e-15", got)
	}
}

func TestTaskConfigCheck(t *testing.T) {
	def := DefaultTaskConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		edit  func(*TaskConfig)
		field string
	}{
		{func(c *TaskConfig) { c.Categories = 0 }, "categories"},
		{func(c *TaskConfig) { c.DifficultyMin = math.NaN() }, "difficulty_min"},
		{func(c *TaskConfig) { c.DifficultyMax = c.DifficultyMin }, "difficulty_max"},
		{func(c *TaskConfig) { c.Cells = -1 }, "cells"},
		{func(c *TaskConfig) { c.PoolSize = 0 }, "pool_size"},
		{func(c *TaskConfig) { c.Discrimination = 0 }, "discrimination"},
		{func(c *TaskConfig) { c.DiscriminationSpread = -0.1 }, "discrimination_spread"},
		{func(c *TaskConfig) { c.Guessing = 1 }, "guessing"},
		{func(c *TaskConfig) { c.Distractors = 0 }, "distractors"},
		{func(c *TaskConfig) { c.Distractors = MaxDistractors + 1 }, "distractors"},
		{func(c *TaskConfig) { c.DistractorDecay = 0 }, "distractor_decay"},
		{func(c *TaskConfig) { c.ValidMax = 1.5 }, "valid_max"},
		{func(c *TaskConfig) { c.ValidSlope = math.Inf(1) }, "valid_slope"},
		{func(c *TaskConfig) { c.ValidMidpoint = math.NaN() }, "valid_midpoint"},
		{func(c *TaskConfig) { c.LeakShare = 0.3 }, "non_unique_share"},
		{func(c *TaskConfig) { c.LeakSuccess = -0.1 }, "leak_success"},
		{func(c *TaskConfig) { c.InvalidMatch = 2 }, "invalid_match"},
		{func(c *TaskConfig) { c.NonUniqueMatch = math.NaN() }, "non_unique_match"},
		{func(c *TaskConfig) { c.RetrievalDistractors = -1 }, "retrieval_distractors"},
		{func(c *TaskConfig) { c.RetrievalValidPass = 1.1 }, "retrieval_valid_pass"},
		{func(c *TaskConfig) { c.RetrievalInvalidPass = -1 }, "retrieval_invalid_pass"},
		{func(c *TaskConfig) { c.RetrievalDerail = 3 }, "retrieval_derail"},
		{func(c *TaskConfig) { c.RetrievalExpose = -2 }, "retrieval_expose"},
	}
	for _, tc := range cases {
		cfg := DefaultTaskConfig()
		tc.edit(&cfg)
		_, err := NewTaskSpace(cfg)
		var fe *TaskFieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrTaskConfig) {
			t.Errorf("%s: error %v, want a *TaskFieldError wrapping ErrTaskConfig", tc.field, err)
			continue
		}
		if fe.Field != tc.field {
			t.Errorf("error names field %q, want %q (%v)", fe.Field, tc.field, err)
		}
	}
	// Several problems are all reported, in field order.
	cfg := DefaultTaskConfig()
	cfg.Categories, cfg.Guessing, cfg.RetrievalExpose = 0, -1, 2
	var fields []string
	for _, fe := range cfg.Check() {
		fields = append(fields, fe.Field)
	}
	if want := []string{"categories", "guessing", "retrieval_expose"}; !slices.Equal(fields, want) {
		t.Errorf("Check fields %v, want %v", fields, want)
	}
	if err := cfg.Validate(); !errors.Is(err, ErrTaskConfig) {
		t.Errorf("joined error %v does not wrap ErrTaskConfig", err)
	}
	var zero TaskConfig
	zero.SetDefaults()
	if zero != def {
		t.Error("SetDefaults differs from DefaultTaskConfig")
	}
}

func TestValidityFallsWithDifficulty(t *testing.T) {
	s := newTestSpace(t, nil)
	cfg := s.Config()
	prev := 2.0
	for b := cfg.DifficultyMin; b <= cfg.DifficultyMax; b += 0.25 {
		v := s.ValidProb(b)
		if !(v < prev) {
			t.Fatalf("v(%v) = %v not below v at the previous b (%v)", b, v, prev)
		}
		prev = v
		kp := s.KindProbs(b)
		sum := kp[Valid] + kp[Invalid] + kp[Leaking] + kp[NonUnique]
		if math.Abs(sum-1) > 1e-15 || kp[Valid] != v {
			t.Fatalf("KindProbs(%v) = %v", b, kp)
		}
		if r := kp[Invalid] / (1 - v); math.Abs(r-cfg.InvalidShare) > 1e-12 {
			t.Fatalf("invalid share of broken proposals %v, want %v", r, cfg.InvalidShare)
		}
	}
	if got, want := s.ValidProb(cfg.ValidMidpoint), cfg.ValidMax/2; math.Abs(got-want) > 1e-15 {
		t.Errorf("v(midpoint) = %v, want ValidMax/2 = %v", got, want)
	}

	// Sampled kinds in continuous cells: the valid rate of a cell is the
	// mean of v over it, VMax·(softplus(s(m−lo)) − softplus(s(m−hi)))/(s(hi−lo)).
	softplus := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	r := rand.New(rand.NewPCG(7, 1))
	const n = 20000
	rates := make([]float64, s.NumCells())
	for g := range s.NumCells() {
		var counts [NumTaskKinds]int
		var task Task
		for range n {
			s.ProposeCell(r, g%s.NumCategories(), g, &task)
			counts[task.Kind]++
		}
		lo, hi := s.CellBounds(g)
		sl, m := cfg.ValidSlope, cfg.ValidMidpoint
		want := cfg.ValidMax * (softplus(sl*(m-lo)) - softplus(sl*(m-hi))) / (sl * (hi - lo))
		if !within(counts[Valid], n, want, 5) {
			t.Errorf("cell %d: valid %d/%d, want rate %v", g, counts[Valid], n, want)
		}
		broken := n - counts[Valid]
		if !within(counts[Leaking], broken, cfg.LeakShare, 5) {
			t.Errorf("cell %d: leaking %d of %d broken, want share %v", g, counts[Leaking], broken, cfg.LeakShare)
		}
		rates[g] = float64(counts[Valid]) / n
	}
	if !(rates[0] > rates[len(rates)/2] && rates[len(rates)/2] > rates[len(rates)-1]+0.3) {
		t.Errorf("sampled valid rates by cell %v do not fall with difficulty", rates)
	}
}

func TestProposeRanges(t *testing.T) {
	for _, graded := range []bool{false, true} {
		s := newTestSpace(t, func(c *TaskConfig) { c.Graded = graded; c.PoolSize = 5 })
		r := rand.New(rand.NewPCG(3, 4))
		var logs []float64
		for c := range s.NumCategories() {
			for g := range s.NumCells() {
				lo, hi := s.CellBounds(g)
				for range 50 {
					var task Task
					s.ProposeCell(r, c, g, &task)
					if task.Category != c || task.Cell != g || task.Difficulty < lo || task.Difficulty > hi ||
						task.Signature < 0 || task.Signature >= 5 || task.Guessing != s.Config().Guessing {
						t.Fatalf("graded=%v: ProposeCell(%d, %d) = %+v, cell [%v, %v)", graded, c, g, task, lo, hi)
					}
					if graded && task.Difficulty != s.CellCenter(g) {
						t.Fatalf("graded task difficulty %v, want cell centre %v", task.Difficulty, s.CellCenter(g))
					}
					if s.CellOf(task.Difficulty) != g {
						t.Fatalf("CellOf(%v) = %d, want %d", task.Difficulty, s.CellOf(task.Difficulty), g)
					}
					logs = append(logs, math.Log(task.Discrimination))
				}
			}
		}
		// log a ~ Normal(log Discrimination, DiscriminationSpread).
		m, v := meanVar(logs)
		se := s.Config().DiscriminationSpread / math.Sqrt(float64(len(logs)))
		if math.Abs(m-math.Log(s.Config().Discrimination)) > 5*se || math.Abs(math.Sqrt(v)-s.Config().DiscriminationSpread) > 0.02 {
			t.Errorf("log discrimination mean %v sd %v", m, math.Sqrt(v))
		}
	}
	// Signature keys are a bijection onto [0, NumSignatures).
	s := newTestSpace(t, func(c *TaskConfig) { c.Categories, c.Cells, c.PoolSize = 3, 4, 5 })
	seen := make([]bool, s.NumSignatures())
	for c := range 3 {
		for g := range 4 {
			for sig := range 5 {
				k := s.SignatureKey(&Task{Category: c, Cell: g, Signature: sig})
				if k < 0 || k >= len(seen) || seen[k] {
					t.Fatalf("SignatureKey(%d, %d, %d) = %d repeated or out of range", c, g, sig, k)
				}
				seen[k] = true
			}
		}
	}
	// ProposeAt clamps the aim and files the task in the right cell.
	var task Task
	s.ProposeAt(rand.New(rand.NewPCG(1, 1)), 2, 99, &task)
	if task.Difficulty != s.Config().DifficultyMax || task.Cell != s.NumCells()-1 {
		t.Errorf("ProposeAt(b=99) = %+v", task)
	}
	defer func() {
		if recover() == nil {
			t.Error("ProposeCell with category 3 of 3 did not panic")
		}
	}()
	s.ProposeCell(rand.New(rand.NewPCG(1, 1)), 3, 0, &task)
}

// TestAttemptFrequencies checks, for every kind, that sampled answers follow
// AnswerProbs and that AnswerProbs agrees with the closed forms of
// SuccessProb and LabelMatchProb.
func TestAttemptFrequencies(t *testing.T) {
	// 4 distractors use the branch-free sampler, 20 the general one.
	for _, d := range []int{4, 20} {
		t.Run(strconv.Itoa(d), func(t *testing.T) { testAttemptFrequencies(t, d) })
	}
}

func testAttemptFrequencies(t *testing.T, distractors int) {
	s := newTestSpace(t, func(c *TaskConfig) { c.Guessing, c.Distractors = 0.1, distractors })
	cfg := s.Config()
	theta := []float64{0.4, -1}
	r := rand.New(rand.NewPCG(11, 12))
	const n = 40000
	atts := make([]Attempt, n)
	probs := make([]float64, s.NumAnswers())
	for k := range TaskKind(NumTaskKinds) {
		task := Task{Category: 1, Kind: k, Difficulty: -0.5, Discrimination: 1.3, Guessing: cfg.Guessing}
		p3 := ItemResponse(1.3, -0.5, 0.1, -1)
		probs = s.AnswerProbs(&task, theta, probs)
		total := 0.0
		for _, q := range probs {
			total += q
		}
		if math.Abs(total-1) > 1e-12 {
			t.Fatalf("%v: answer probabilities sum to %v", k, total)
		}
		// Closed forms by kind.
		wantSuccess := map[TaskKind]float64{Valid: p3, NonUnique: p3, Leaking: cfg.LeakSuccess, Invalid: 0}[k]
		wantMatch := map[TaskKind]float64{Valid: p3, NonUnique: p3 * cfg.NonUniqueMatch, Leaking: cfg.LeakSuccess, Invalid: cfg.InvalidMatch}[k]
		if got := s.SuccessProb(&task, theta); math.Abs(got-wantSuccess) > 1e-15 {
			t.Errorf("%v: SuccessProb %v, want %v", k, got, wantSuccess)
		}
		if got := s.LabelMatchProb(&task, theta); math.Abs(got-wantMatch) > 1e-15 {
			t.Errorf("%v: LabelMatchProb %v, want %v", k, got, wantMatch)
		}
		if got := probs[task.Label()]; math.Abs(got-wantMatch) > 1e-15 {
			t.Errorf("%v: P(label) = %v, want %v", k, got, wantMatch)
		}
		sc := 0.0
		for a, q := range probs {
			if task.IsCorrect(Answer(a)) {
				sc += q
			}
		}
		if math.Abs(sc-wantSuccess) > 1e-15 {
			t.Errorf("%v: P(correct) from AnswerProbs %v, want %v", k, sc, wantSuccess)
		}
		// Wrong answers decay geometrically.
		if d0, d1 := probs[Distractor(0)], probs[Distractor(1)]; math.Abs(d1-cfg.DistractorDecay*d0) > 1e-15 {
			t.Errorf("%v: distractor probabilities %v, %v: ratio not %v", k, d0, d1, cfg.DistractorDecay)
		}

		correct, matches := s.Attempts(r, &task, theta, atts)
		var counts [256]int
		nc, nm := 0, 0
		for _, a := range atts {
			counts[a.Answer]++
			if a.Correct != task.IsCorrect(a.Answer) || a.MatchesLabel != (a.Answer == task.Label()) {
				t.Fatalf("%v: inconsistent attempt %+v", k, a)
			}
			if a.Correct {
				nc++
			}
			if a.MatchesLabel {
				nm++
			}
		}
		if nc != correct || nm != matches {
			t.Errorf("%v: Attempts returned (%d, %d), flags count (%d, %d)", k, correct, matches, nc, nm)
		}
		for a, q := range probs {
			if !within(counts[a], n, q, 5) {
				t.Errorf("%v: answer %v drawn %d/%d times, want rate %v", k, Answer(a), counts[a], n, q)
			}
		}
		for a := s.NumAnswers(); a < len(counts); a++ {
			if counts[a] != 0 {
				t.Errorf("%v: answer %d outside [0, %d) drawn", k, a, s.NumAnswers())
			}
		}
	}
}

// bruteMajority is an independent majority vote: distinct answers in order
// of first appearance, each counted by a full scan, the first with the
// strictly largest count wins.
func bruteMajority(atts []Attempt) (Answer, int) {
	var order []Answer
	for _, a := range atts {
		if !slices.Contains(order, a.Answer) {
			order = append(order, a.Answer)
		}
	}
	best, bestN := Answer(0), -1
	for _, ans := range order {
		n := 0
		for _, a := range atts {
			if a.Answer == ans {
				n++
			}
		}
		if n > bestN {
			best, bestN = ans, n
		}
	}
	return best, bestN
}

func TestMajorityVote(t *testing.T) {
	s := newTestSpace(t, nil)
	r := rand.New(rand.NewPCG(5, 6))
	theta := []float64{0, 0, 0, 0}
	dst := make([]float64, 40)
	for trial := range 3000 {
		m := 1 + trial%40 // both the small-group and the table path
		var task Task
		s.ProposeCell(r, trial%4, r.IntN(s.NumCells()), &task)
		atts := make([]Attempt, m)
		s.Attempts(r, &task, theta, atts)
		v := MajorityVote(atts)
		label, count := bruteMajority(atts)
		if v.Label != label || v.Count != count || v.N != m || v.Correct != task.IsCorrect(label) {
			t.Fatalf("MajorityVote(%v) = %+v, brute force %v×%d", atts, v, label, count)
		}
		if got := v.Rewards(atts, dst); got != float64(count)/float64(m) || got != v.PHat() {
			t.Fatalf("vote rewards mean %v, PHat %v, want %v", got, v.PHat(), float64(count)/float64(m))
		}
		agree := 0.0
		for i, a := range atts {
			if (dst[i] == 1) != (a.Answer == label) {
				t.Fatalf("reward %v for answer %v, label %v", dst[i], a.Answer, label)
			}
			agree += dst[i]
		}
		if int(agree) != count {
			t.Fatalf("%v rewards of 1, want %d", agree, count)
		}
	}
	// Ties go to the answer given first, even if another reaches the count
	// first.
	atts := []Attempt{{Answer: Distractor(0)}, {Answer: AnswerKey, Correct: true}, {Answer: AnswerKey, Correct: true}, {Answer: Distractor(0)}}
	if v := MajorityVote(atts); v.Label != Distractor(0) || v.Count != 2 || v.Correct {
		t.Errorf("tie vote %+v, want distractor0 ×2, incorrect", v)
	}
	if v := MajorityVote(nil); v.N != 0 || v.PHat() != 0 || v.Correct {
		t.Errorf("empty vote %+v", v)
	}
}

func TestExactAndLabelRewards(t *testing.T) {
	atts := []Attempt{
		{Answer: AnswerKey, Correct: true, MatchesLabel: true},
		{Answer: AnswerAlternative, Correct: true},
		{Answer: Distractor(2)},
		{Answer: AnswerBogus, MatchesLabel: true},
	}
	dst := make([]float64, 4)
	if got := ExactRewards(atts, dst); got != 0.5 || !slices.Equal(dst, []float64{1, 1, 0, 0}) {
		t.Errorf("ExactRewards = %v, %v", got, dst)
	}
	if got := LabelRewards(atts, dst); got != 0.5 || !slices.Equal(dst, []float64{1, 0, 0, 1}) {
		t.Errorf("LabelRewards = %v, %v", got, dst)
	}
	if ExactRewards(nil, nil) != 0 {
		t.Error("ExactRewards of no attempts is not 0")
	}
}

func TestRetrievalCheck(t *testing.T) {
	for _, d := range []int{0, 4} {
		s := newTestSpace(t, func(c *TaskConfig) { c.RetrievalDistractors = d })
		cfg := s.Config()
		valid := cfg.RetrievalValidPass * math.Pow(1-cfg.RetrievalDerail, float64(d))
		invalid := cfg.RetrievalInvalidPass * math.Pow(1-cfg.RetrievalExpose, float64(d))
		want := [NumTaskKinds]float64{Valid: valid, Leaking: valid, NonUnique: valid, Invalid: invalid}
		r := rand.New(rand.NewPCG(uint64(d), 9))
		const n = 20000
		for k := range TaskKind(NumTaskKinds) {
			if got := s.RetrievalPassProb(k); math.Abs(got-want[k]) > 1e-15 {
				t.Errorf("d=%d %v: pass prob %v, want %v", d, k, got, want[k])
			}
			task := Task{Kind: k}
			pass := 0
			for range n {
				if s.RetrievalCheck(r, &task) {
					pass++
				}
			}
			if !within(pass, n, want[k], 5) {
				t.Errorf("d=%d %v: passed %d/%d, want rate %v", d, k, pass, n, want[k])
			}
		}
		// Non-unique tasks pass like valid ones (SSP's failure mode), and
		// distractors widen the gap between valid and invalid tasks.
		if s.RetrievalPassProb(NonUnique) != s.RetrievalPassProb(Valid) {
			t.Errorf("d=%d: non-unique tasks do not pass like valid ones", d)
		}
	}
	s0 := newTestSpace(t, func(c *TaskConfig) { c.RetrievalDistractors = 0 })
	s4 := newTestSpace(t, nil)
	if !(s4.RetrievalPassProb(Invalid) < s0.RetrievalPassProb(Invalid)/2) {
		t.Error("distractors do not make invalid tasks fail the check")
	}
}

// binomialCoef returns C(n, k) exactly.
func binomialCoef(n, k int) *big.Int { return new(big.Int).Binomial(int64(n), int64(k)) }

func TestPassAtKEstimate(t *testing.T) {
	// Equals 1 − C(n−c,k)/C(n,k) in exact arithmetic.
	for n := 1; n <= 40; n += 3 {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k += 2 {
				want := 1.0
				if n-c >= k {
					q, _ := new(big.Rat).SetFrac(binomialCoef(n-c, k), binomialCoef(n, k)).Float64()
					want = 1 - q
				}
				if got := PassAtKEstimate(n, c, k); math.Abs(got-want) > 1e-13 {
					t.Fatalf("PassAtKEstimate(%d, %d, %d) = %v, want %v", n, c, k, got, want)
				}
			}
		}
	}
	// Unbiased: E over c ~ Binomial(n, p) equals 1 − (1−p)^k, by enumeration.
	for n := 1; n <= 10; n++ {
		for k := 1; k <= n; k++ {
			for _, p := range []float64{0, 0.03, 0.37, 0.5, 0.91, 1} {
				e := 0.0
				for c := 0; c <= n; c++ {
					w, _ := new(big.Float).SetInt(binomialCoef(n, c)).Float64()
					e += w * math.Pow(p, float64(c)) * math.Pow(1-p, float64(n-c)) * PassAtKEstimate(n, c, k)
				}
				if want := 1 - math.Pow(1-p, float64(k)); math.Abs(e-want) > 1e-12 {
					t.Errorf("n=%d k=%d p=%v: E[estimate] = %v, want %v", n, k, p, e, want)
				}
			}
		}
	}
	// Large n stays finite and in range where the binomials overflow floats.
	if got := PassAtKEstimate(2000, 3, 256); !(got > 0 && got < 1) {
		t.Errorf("PassAtKEstimate(2000, 3, 256) = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("PassAtKEstimate(4, 1, 5) did not panic")
		}
	}()
	PassAtKEstimate(4, 1, 5)
}

func TestEvalSet(t *testing.T) {
	s := newTestSpace(t, func(c *TaskConfig) { c.Categories, c.Cells = 3, 5 })
	e := s.NewEvalSet(42, 4)
	if len(e.Tasks) != 3*5*4 {
		t.Fatalf("%d held-out tasks, want 60", len(e.Tasks))
	}
	var perCell [3][5]int
	for _, task := range e.Tasks {
		if task.Kind != Valid {
			t.Fatalf("held-out task %+v is not valid", task)
		}
		perCell[task.Category][task.Cell]++
	}
	for c := range perCell {
		for g, n := range perCell[c] {
			if n != 4 {
				t.Errorf("category %d cell %d has %d held-out tasks, want 4", c, g, n)
			}
		}
	}
	if !slices.Equal(s.NewEvalSet(42, 4).Tasks, e.Tasks) {
		t.Error("same seed gave a different held-out set")
	}
	if slices.Equal(s.NewEvalSet(43, 4).Tasks, e.Tasks) {
		t.Error("different seeds gave the same held-out set")
	}

	theta := []float64{-0.5, 0.3, 1.2}
	for _, k := range []int{1, 4, 64} {
		// Oracle: per-task (1−p)^k by repeated multiplication.
		want := 0.0
		for _, task := range e.Tasks {
			q := 1.0
			p := 1 / (1 + math.Exp(-task.Discrimination*(theta[task.Category]-task.Difficulty)))
			for range k {
				q *= 1 - p
			}
			want += 1 - q
		}
		want /= float64(len(e.Tasks))
		if got := e.PassAtK(theta, k); math.Abs(got-want) > 1e-12 {
			t.Errorf("PassAtK(%d) = %v, want %v", k, got, want)
		}
		by := e.PassAtKByCategory(theta, k, make([]float64, 3))
		if avg := (by[0] + by[1] + by[2]) / 3; math.Abs(avg-want) > 1e-12 {
			t.Errorf("pass@%d by category %v averages to %v, want %v", k, by, avg, want)
		}
		if k == 1 && !(by[0] < by[1] && by[1] < by[2]) {
			t.Errorf("pass@%d by category %v does not follow ability %v", k, by, theta)
		}
	}
	if e.PassAt1(theta) >= e.PassAtK(theta, 4) {
		t.Error("pass@1 not below pass@4")
	}
	if got := e.PassAt1([]float64{100, 100, 100}); math.Abs(got-1) > 1e-9 {
		t.Errorf("pass@1 of a very strong solver = %v", got)
	}

	// Sampled counts through the unbiased estimator match the exact pass@k.
	const n = 64
	counts := make([]int, len(e.Tasks))
	r := rand.New(rand.NewPCG(8, 8))
	reps := 200
	if testing.Short() {
		reps = 50
	}
	for _, k := range []int{1, 8} {
		sum, sumSq := 0.0, 0.0
		for range reps {
			e.SampleCorrect(r, theta, n, counts)
			x := EstimatePassAtK(counts, n, k)
			sum += x
			sumSq += x * x
		}
		m := sum / float64(reps)
		se := math.Sqrt((sumSq/float64(reps) - m*m) / float64(reps))
		if want := e.PassAtK(theta, k); math.Abs(m-want) > 5*se+1e-4 {
			t.Errorf("estimated pass@%d %v ± %v, exact %v", k, m, se, want)
		}
	}
}

func TestTaskDeterminism(t *testing.T) {
	s := newTestSpace(t, nil)
	run := func(seed uint64) ([]Task, []Attempt) {
		r := rand.New(rand.NewPCG(seed, 1))
		tasks := make([]Task, 64)
		atts := make([]Attempt, 64*8)
		theta := []float64{0, 0.5, -0.5, 1}
		for i := range tasks {
			s.ProposeCell(r, i%4, i%s.NumCells(), &tasks[i])
			s.Attempts(r, &tasks[i], theta, atts[i*8:(i+1)*8])
		}
		return tasks, atts
	}
	t1, a1 := run(1)
	t2, a2 := run(1)
	if !slices.Equal(t1, t2) || !slices.Equal(a1, a2) {
		t.Error("same seed gave different tasks or attempts")
	}
	t3, a3 := run(2)
	if slices.Equal(t1, t3) || slices.Equal(a1, a3) {
		t.Error("different seeds gave the same tasks or attempts")
	}
}

func TestTaskSamplingAllocs(t *testing.T) {
	s := newTestSpace(t, nil)
	r := rand.New(rand.NewPCG(1, 2))
	theta := []float64{0, 0, 0, 0}
	var task Task
	atts := make([]Attempt, 8)
	dst := make([]float64, 8)
	allocs := testing.AllocsPerRun(100, func() {
		s.ProposeCell(r, 1, 3, &task)
		s.Attempts(r, &task, theta, atts)
		MajorityVote(atts).Rewards(atts, dst)
		LabelRewards(atts, dst)
		s.RetrievalCheck(r, &task)
	})
	if allocs != 0 {
		t.Errorf("proposal, attempts and verification allocate %v times", allocs)
	}
}

// kindIn, which usually skips kindOf's exp, returns kindOf's kind for
// every difficulty of a cell (ends included) and every draw, draws at and
// next to the kind boundaries included, for steep, default and flat
// validity curves, graded cells, and a space without leaking tasks; and
// its ranges bracket ValidProb tightly.
func TestKindInMatchesKindOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*TaskConfig)
	}{
		{"default", nil},
		{"steep", func(c *TaskConfig) { c.ValidSlope = 3 }},
		{"flat", func(c *TaskConfig) { c.ValidSlope = 0 }},
		{"graded", func(c *TaskConfig) { c.Graded = true }},
		{"no leaks", func(c *TaskConfig) { c.LeakShare, c.InvalidShare = 0, 0.8 }},
		{"always valid at best", func(c *TaskConfig) { c.ValidMax = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSpace(t, tc.edit)
			r := rand.New(rand.NewPCG(5, 6))
			for cell := range s.NumCells() {
				lo, hi := s.CellBounds(cell)
				vr := s.validRange[cell]
				v0, v1 := s.ValidProb(lo), s.ValidProb(hi)
				if !(vr.lo < min(v0, v1) && vr.hi > max(v0, v1) && min(v0, v1)-vr.lo < 1e-9 && vr.hi-max(v0, v1) < 1e-9) {
					t.Errorf("cell %d: range [%v, %v], ValidProb at the ends %v, %v", cell, vr.lo, vr.hi, v0, v1)
				}
				for k := range 100 {
					b := lo + (hi-lo)*float64(k)/99
					if k > 0 && k < 99 {
						b = lo + (hi-lo)*r.Float64()
					}
					v := s.ValidProb(b)
					us := []float64{r.Float64(), r.Float64(), vr.lo, vr.hi, v}
					for _, c := range s.kindCum[:2] {
						us = append(us, v+(1-v)*c, vr.lo+(1-vr.lo)*c, vr.hi+(1-vr.hi)*c)
					}
					for _, u := range us {
						for _, u := range []float64{math.Nextafter(u, 0), u, math.Nextafter(u, 1)} {
							if u < 0 || u >= 1 {
								continue
							}
							if got, want := s.kindIn(u, b, cell), s.kindOf(u, b); got != want {
								t.Fatalf("cell %d b %v u %v: kindIn %v, kindOf %v", cell, b, u, got, want)
							}
						}
					}
				}
			}
		})
	}
}

// PassAt1AndK is PassAt1 and PassAtK bit for bit.
func TestPassAt1AndK(t *testing.T) {
	s := newTestSpace(t, nil)
	e := s.NewEvalSet(3, 2)
	for _, theta := range [][]float64{{0, 0, 0, 0}, {-1.5, 0.3, 2, 4}} {
		for _, k := range []int{1, 8, 100} {
			p1, pk := e.PassAt1AndK(theta, k)
			if p1 != e.PassAt1(theta) || pk != e.PassAtK(theta, k) {
				t.Errorf("θ %v k %d: (%v, %v), want (%v, %v)", theta, k, p1, pk, e.PassAt1(theta), e.PassAtK(theta, k))
			}
		}
	}
}
