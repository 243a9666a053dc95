package nash

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// randBig returns a random integer with up to maxBits bits and a random sign.
func randBig(r *rand.Rand, maxBits int) *big.Int {
	nb := r.IntN(maxBits + 1)
	v := new(big.Int)
	for range (nb + 63) / 64 {
		v.Lsh(v, 64)
		v.Or(v, new(big.Int).SetUint64(r.Uint64()))
	}
	if nb < 64*((nb+63)/64) {
		v.Rsh(v, uint(64*((nb+63)/64)-nb))
	}
	if r.IntN(2) == 0 {
		v.Neg(v)
	}
	return v
}

func u256Big(x u256) *big.Int {
	v := new(big.Int)
	for _, w := range []uint64{x.w3, x.w2, x.w1, x.w0} {
		v.Lsh(v, 64)
		v.Or(v, new(big.Int).SetUint64(w))
	}
	return v
}

func TestI128AgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := randBig(r, i128Limit-1), randBig(r, i128Limit-1)
		c, d := randBig(r, i128Limit-1), randBig(r, i128Limit-1)
		if r.IntN(10) == 0 {
			c.Set(a)
			d.Set(b)
		}
		x, ok1 := i128FromBig(a)
		y, ok2 := i128FromBig(b)
		z, _ := i128FromBig(c)
		w, _ := i128FromBig(d)
		if !ok1 || !ok2 {
			t.Fatalf("%v or %v does not fit", a, b)
		}
		if got := x.setBig(new(big.Int)); got.Cmp(a) != 0 {
			t.Fatalf("round trip %v → %v", a, got)
		}
		if x.sign() != a.Sign() || x.neg().sign() != -a.Sign() {
			t.Fatalf("sign(%v) = %d", a, x.sign())
		}
		ab := new(big.Int).Mul(a, b)
		cd := new(big.Int).Mul(c, d)
		if got := u256Big(mulMag(x, y)); got.Cmp(new(big.Int).Abs(ab)) != 0 {
			t.Fatalf("|%v·%v| = %v", a, b, got)
		}
		if got := cmpProducts(x, y, z, w); got != ab.Cmp(cd) {
			t.Fatalf("cmp(%v, %v) = %d", ab, cd, got)
		}
		// ab − cd through signedSum.
		mag, neg := signedSum(mulMag(x, y), ab.Sign() < 0, mulMag(z, w), cd.Sign() > 0)
		got := u256Big(mag)
		if neg {
			got.Neg(got)
		}
		if want := new(big.Int).Sub(ab, cd); got.Cmp(want) != 0 {
			t.Fatalf("%v − %v = %v, want %v", ab, cd, got, want)
		}
	}
	if _, ok := i128FromBig(new(big.Int).Lsh(big.NewInt(1), i128Limit)); ok {
		t.Fatal("2^limit accepted")
	}
}

func TestDivisor128Exact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		d := randBig(r, 120)
		d.Abs(d)
		if d.Sign() == 0 {
			d.SetInt64(1)
		}
		if i%7 == 0 { // even divisors exercise the shift
			d.Lsh(d, uint(r.IntN(70)))
			if d.BitLen() >= i128Limit {
				d.Rsh(d, uint(d.BitLen()-i128Limit+1))
			}
		}
		q := randBig(r, i128Limit-1)
		n := new(big.Int).Mul(q, d)
		dd, _ := i128FromBig(d)
		qq, _ := i128FromBig(q)
		dv := newDivisor128(dd)
		got, ok := dv.quo(mulMag(qq, dd), n.Sign() < 0)
		if !ok {
			if n.BitLen()-d.BitLen() < i128Limit {
				t.Fatalf("%v / %v refused", n, d)
			}
			continue
		}
		if got.setBig(new(big.Int)).Cmp(q) != 0 {
			t.Fatalf("%v / %v = %v, want %v", n, d, got.setBig(new(big.Int)), q)
		}
	}
	// A quotient that reaches the limit is refused.
	b, ok := i128FromBig(new(big.Int).Lsh(big.NewInt(1), 123))
	if !ok {
		t.Fatal("2^123 refused")
	}
	dv := newDivisor128(i128FromInt64(1))
	if _, ok := dv.quo(mulMag(b, i128FromInt64(4)), false); ok {
		t.Fatal("2^125 / 1 accepted")
	}
}

func TestDivisor128Update(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		d := randBig(r, 100)
		d.Abs(d)
		if d.Sign() == 0 {
			d.SetInt64(1)
		}
		// (d·p)·v − (d·q)·w is divisible by d, with quotient p·v − q·w.
		p, q, v, w := randBig(r, 110), randBig(r, 110), randBig(r, 110), randBig(r, 110)
		if r.IntN(8) == 0 {
			w.SetInt64(0)
		}
		want := new(big.Int).Sub(new(big.Int).Mul(p, v), new(big.Int).Mul(q, w))
		p.Mul(p, d)
		q.Mul(q, d)
		P, ok1 := i128FromBig(p)
		Q, ok2 := i128FromBig(q)
		if !ok1 || !ok2 {
			continue
		}
		V, _ := i128FromBig(v)
		W, _ := i128FromBig(w)
		D, _ := i128FromBig(d)
		dv := newDivisor128(D)
		got, ok := dv.update(P, V, Q, W)
		if !ok {
			n := new(big.Int).Mul(want, d)
			if n.BitLen()-d.BitLen() < i128Limit {
				t.Fatalf("(%v·%v − %v·%v)/%v refused", p, v, q, w, d)
			}
			continue
		}
		if got.setBig(new(big.Int)).Cmp(want) != 0 {
			t.Fatalf("(%v·%v − %v·%v)/%v = %v, want %v", p, v, q, w, d, got.setBig(new(big.Int)), want)
		}
	}
}
