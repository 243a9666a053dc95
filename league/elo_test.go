package league

import (
	"math"
	"testing"
)

func TestEloHandComputed(t *testing.T) {
	cfg := EloConfig{K: 32, Initial: 1000}
	// A beats B at 1000/1000: expected ½, so ±16. Then B beats A at
	// 984 vs 1016: E_B = 1/(1 + 10^(32/400)).
	eB := 1 / (1 + math.Pow(10, 0.08))
	r := Elo([]Battle{{0, 1, AWins}, {1, 0, AWins}}, 2, cfg)
	wantA := 1016 - 32*(1-eB)
	if math.Abs(r[0]-wantA) > 1e-9 || math.Abs(r[1]-(2000-wantA)) > 1e-9 {
		t.Fatalf("ratings %v, want A = %v", r, wantA)
	}
	if math.Abs(wantA-998.5305) > 1e-4 {
		t.Fatalf("hand value drifted: %v", wantA)
	}
	// Same two results in the other order: the mirror image. Elo is
	// order-dependent.
	r2 := Elo([]Battle{{1, 0, AWins}, {0, 1, AWins}}, 2, cfg)
	if math.Abs(r2[0]-(2000-wantA)) > 1e-9 || math.Abs(r2[0]-r[0]) < 1 {
		t.Fatalf("reversed order gives %v", r2)
	}
	// A tie between equals changes nothing; one between unequals moves
	// both towards each other by K·(½ − E).
	r3 := Elo([]Battle{{0, 1, Tie}}, 2, cfg)
	if r3[0] != 1000 || r3[1] != 1000 {
		t.Fatalf("tie between equals: %v", r3)
	}
}

func TestEloZeroSumAndArenaDefaults(t *testing.T) {
	cfg := DefaultEloConfig()
	if cfg.K != 4 || cfg.Initial != 1000 {
		t.Fatalf("defaults %+v", cfg)
	}
	battles := []Battle{{0, 1, AWins}, {1, 2, Tie}, {2, 0, BWins}, {2, 1, AWins}, {0, 2, BWins}}
	r := Elo(battles, 3, cfg)
	if s := r[0] + r[1] + r[2]; math.Abs(s-3000) > 1e-9 {
		t.Fatalf("total rating %v, want 3000 (updates are zero-sum)", s)
	}
	if EloExpected(1400, 1000) < 0.909 || EloExpected(1400, 1000) > 0.91 {
		t.Fatalf("a 400-point edge should be 10:1 odds, got %v", EloExpected(1400, 1000))
	}
}
