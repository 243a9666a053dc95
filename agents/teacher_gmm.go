package agents

import (
	"math"
	"math/rand/v2"
)

// gaussianMixture is a full-covariance Gaussian mixture in d dimensions,
// fitted by EM the way scikit-learn's GaussianMixture does for ALP-GMM:
// k-means initialization, reg_covar added to every covariance's diagonal,
// stopping when the mean log-likelihood improves by less than tol.
type gaussianMixture struct {
	k, d   int
	weight []float64 // k
	mean   []float64 // k×d
	chol   []float64 // k×d×d lower-triangular factors L with Σ = L Lᵀ
	logDet []float64 // k: log |Σ|
}

// emConfig holds the EM settings (scikit-learn's defaults: 100 iterations,
// tol 1e-3, reg_covar 1e-6).
type emConfig struct {
	maxIter int
	tol     float64
	reg     float64
}

// nParams is the number of free parameters of a full-covariance mixture,
// the penalty of its AIC.
func (g *gaussianMixture) nParams() int {
	return g.k*g.d*(g.d+1)/2 + g.k*g.d + g.k - 1
}

// aic returns the Akaike information criterion −2 log L + 2·params.
func (g *gaussianMixture) aic(logLik float64) float64 {
	return -2*logLik + 2*float64(g.nParams())
}

// fitGMM fits a k-component mixture to the n×d points x (row-major) and
// returns it with the total log-likelihood of x under it. It needs n ≥ k.
// rng drives the k-means++ seeding only.
func fitGMM(x []float64, d, k int, rng *rand.Rand, cfg emConfig) (*gaussianMixture, float64) {
	n := len(x) / d
	g := &gaussianMixture{k: k, d: d, weight: make([]float64, k), mean: make([]float64, k*d),
		chol: make([]float64, k*d*d), logDet: make([]float64, k)}
	resp := make([]float64, n*k)
	for i, c := range kMeans(x, d, k, rng) {
		resp[i*k+c] = 1
	}
	global := covariance(x, d)
	g.mStep(x, resp, global, cfg.reg)
	prev := math.Inf(-1)
	for range cfg.maxIter {
		total := g.eStep(x, resp)
		ll := total / float64(n)
		if math.Abs(ll-prev) < cfg.tol {
			// Converged: the mixture has not moved since this E-step,
			// so its log-likelihood is the final one.
			return g, total
		}
		prev = ll
		g.mStep(x, resp, global, cfg.reg)
	}
	return g, g.eStep(x, resp)
}

// kMeans returns cluster labels from k-means++ seeding and Lloyd
// iterations.
func kMeans(x []float64, d, k int, rng *rand.Rand) []int {
	n := len(x) / d
	centers := make([]float64, 0, k*d)
	dist := make([]float64, n)
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	next := rng.IntN(n)
	for c := 0; c < k; c++ {
		centers = append(centers, x[next*d:(next+1)*d]...)
		total := 0.0
		for i := range n {
			dist[i] = min(dist[i], sqDist(x[i*d:(i+1)*d], centers[c*d:(c+1)*d]))
			total += dist[i]
		}
		if total == 0 {
			next = rng.IntN(n)
			continue
		}
		u := rng.Float64() * total
		next = n - 1
		for i, v := range dist {
			if u < v {
				next = i
				break
			}
			u -= v
		}
	}
	labels := make([]int, n)
	count := make([]int, k)
	sum := make([]float64, k*d)
	for iter := range 20 {
		changed := iter == 0
		for i := range n {
			best, bd := 0, math.Inf(1)
			for c := range k {
				if v := sqDist(x[i*d:(i+1)*d], centers[c*d:(c+1)*d]); v < bd {
					best, bd = c, v
				}
			}
			if labels[i] != best {
				labels[i], changed = best, true
			}
		}
		if !changed {
			break
		}
		clear(count)
		clear(sum)
		for i, c := range labels {
			count[c]++
			for j := range d {
				sum[c*d+j] += x[i*d+j]
			}
		}
		for c := range k {
			for j := 0; count[c] > 0 && j < d; j++ { // an empty cluster keeps its center
				centers[c*d+j] = sum[c*d+j] / float64(count[c])
			}
		}
	}
	return labels
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// covariance returns the population covariance of the n×d points x.
func covariance(x []float64, d int) []float64 {
	n := len(x) / d
	mu := make([]float64, d)
	for i := range n {
		for j := range d {
			mu[j] += x[i*d+j] / float64(n)
		}
	}
	cov := make([]float64, d*d)
	for i := range n {
		for a := range d {
			for b := range d {
				cov[a*d+b] += (x[i*d+a] - mu[a]) * (x[i*d+b] - mu[b]) / float64(n)
			}
		}
	}
	return cov
}

// eStep writes the responsibilities of every component for every point
// into resp (n×k) and returns the total log-likelihood.
func (g *gaussianMixture) eStep(x, resp []float64) float64 {
	d, k := g.d, g.k
	n := len(x) / d
	logp := make([]float64, k)
	y := make([]float64, d)
	// Per component, log w_c and d·log 2π + log |Σ_c|, once rather than
	// per point (the same values, so the same sums).
	logw, norm := make([]float64, k), make([]float64, k)
	for c := range k {
		logw[c] = math.Log(g.weight[c])
		norm[c] = float64(d)*math.Log(2*math.Pi) + g.logDet[c]
	}
	total := 0.0
	for i := range n {
		m := math.Inf(-1)
		for c := range k {
			logp[c] = logw[c] + -0.5*(norm[c]+g.mahalanobis(c, x[i*d:(i+1)*d], y))
			m = max(m, logp[c])
		}
		s := 0.0
		for c := range k {
			// exp(0) = 1 exactly: the largest term needs no exp.
			if v := logp[c] - m; v == 0 {
				s++
			} else {
				s += math.Exp(v)
			}
		}
		lse := m + math.Log(s)
		for c := range k {
			resp[i*k+c] = math.Exp(logp[c] - lse)
		}
		total += lse
	}
	return total
}

// logDensity returns log N(x | μ_c, Σ_c); y is d scratch values.
func (g *gaussianMixture) logDensity(c int, x, y []float64) float64 {
	return -0.5 * (float64(g.d)*math.Log(2*math.Pi) + g.logDet[c] + g.mahalanobis(c, x, y))
}

// mahalanobis returns (x − μ_c)ᵀ Σ_c⁻¹ (x − μ_c); y is d scratch values.
func (g *gaussianMixture) mahalanobis(c int, x, y []float64) float64 {
	d := g.d
	l := g.chol[c*d*d : (c+1)*d*d]
	mu := g.mean[c*d : (c+1)*d]
	maha := 0.0
	for a := range d { // forward substitution L y = x − μ
		v := x[a] - mu[a]
		for b := 0; b < a; b++ {
			v -= l[a*d+b] * y[b]
		}
		y[a] = v / l[a*d+a]
		maha += y[a] * y[a]
	}
	return maha
}

// mStep sets weights, means and covariances from the responsibilities.
// A component with (almost) no responsibility keeps its mean and takes the
// data's covariance, so that it can still collect points later.
func (g *gaussianMixture) mStep(x, resp, global []float64, reg float64) {
	d, k := g.d, g.k
	n := len(x) / d
	cov := make([]float64, d*d)
	for c := range k {
		nk := 0.0
		for i := range n {
			nk += resp[i*k+c]
		}
		g.weight[c] = max(nk, 1e-10) / float64(n)
		mu := g.mean[c*d : (c+1)*d]
		if nk < 1e-10 {
			copy(cov, global)
		} else {
			clear(mu)
			for i := range n {
				for j := range d {
					mu[j] += resp[i*k+c] * x[i*d+j]
				}
			}
			for j := range d {
				mu[j] /= nk
			}
			clear(cov)
			for i := range n {
				r := resp[i*k+c]
				for a := range d {
					da := x[i*d+a] - mu[a]
					for b := 0; b <= a; b++ {
						cov[a*d+b] += r * da * (x[i*d+b] - mu[b])
					}
				}
			}
			for a := range d {
				for b := 0; b <= a; b++ {
					cov[a*d+b] /= nk
					cov[b*d+a] = cov[a*d+b]
				}
			}
		}
		g.logDet[c] = choleskyReg(g.chol[c*d*d:(c+1)*d*d], cov, d, reg)
	}
	s := 0.0
	for _, w := range g.weight {
		s += w
	}
	for c := range g.weight {
		g.weight[c] /= s
	}
}

// choleskyReg writes the Cholesky factor of cov + reg·I into l and returns
// log |cov + reg·I|; if the matrix is not numerically positive definite
// the regularization grows tenfold until it is.
func choleskyReg(l, cov []float64, d int, reg float64) float64 {
	for r := reg; ; r *= 10 {
		if ld, ok := cholesky(l, cov, d, r); ok {
			return ld
		}
		if r > 1e6 {
			panic("agents: covariance not positive definite after regularization")
		}
	}
}

func cholesky(l, a []float64, d int, reg float64) (logDet float64, ok bool) {
	clear(l)
	for i := range d {
		for j := 0; j <= i; j++ {
			s := a[i*d+j]
			if i == j {
				s += reg
			}
			for m := 0; m < j; m++ {
				s -= l[i*d+m] * l[j*d+m]
			}
			if i == j {
				if !(s > 0) {
					return 0, false
				}
				l[i*d+i] = math.Sqrt(s)
				logDet += 2 * math.Log(l[i*d+i])
			} else {
				l[i*d+j] = s / l[j*d+j]
			}
		}
	}
	return logDet, true
}

// sample draws a point from component c into dst (length d).
func (g *gaussianMixture) sample(c int, rng *rand.Rand, dst, z []float64) {
	d := g.d
	l := g.chol[c*d*d : (c+1)*d*d]
	for i := range d {
		z[i] = rng.NormFloat64()
	}
	for a := range d {
		v := g.mean[c*d+a]
		for b := 0; b <= a; b++ {
			v += l[a*d+b] * z[b]
		}
		dst[a] = v
	}
}
