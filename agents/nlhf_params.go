package agents

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/selfplay-lab/selfplay/game"
)

// Param describes one hyperparameter of an NLHF algorithm.
type Param struct {
	Name string
	// Default is a float64, int, string, bool or []float64; its type is
	// the parameter's type (an int value is accepted for a float64).
	Default any
	Doc     string
	// Unverified marks values or rules that algorithms.md could not pin to
	// a primary source: they are options with a stated default, not facts.
	Unverified bool
	// Sampled marks parameters that only affect the sampled mode.
	Sampled bool
}

// Algorithm is one entry of the NLHF algorithm registry.
type Algorithm struct {
	Name    string
	Summary string
	// Source names the algorithms.md section and its provenance tag.
	Source string
	Params []Param
	build  func(env *Env, p Params, o Options) (Learner, error)
}

// Options are the settings every NLHF learner shares.
type Options struct {
	Mode Mode
	// Seed drives every random draw of the sampled mode (and of random
	// initializations); the same seed gives the same numbers.
	Seed uint64
	// Policy is the policy class; nil means tabular softmax per context.
	Policy PolicyClass
	// Oracles are the players' own preference games for heterogeneous
	// multiplayer MNPO (one per player, each shaped like the Env's game).
	Oracles []*game.Preference
}

// ParamError reports a bad algorithm parameter; config loaders map Param to
// the location of its value.
type ParamError struct {
	Algorithm, Param string
	Err              error
}

func (e *ParamError) Error() string {
	if e.Param == "" {
		return fmt.Sprintf("algorithm %s: %v", e.Algorithm, e.Err)
	}
	return fmt.Sprintf("algorithm %s: parameter %s: %v", e.Algorithm, e.Param, e.Err)
}

func (e *ParamError) Unwrap() error { return e.Err }

// Params are an algorithm's resolved hyperparameters (defaults filled in).
type Params struct {
	algo string
	v    map[string]any
}

// Float returns a float parameter.
func (p Params) Float(name string) float64 {
	switch x := p.v[name].(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	panic(fmt.Sprintf("agents: %s has no float parameter %q", p.algo, name))
}

// Int returns an integer parameter.
func (p Params) Int(name string) int {
	if x, ok := p.v[name].(int); ok {
		return x
	}
	panic(fmt.Sprintf("agents: %s has no int parameter %q", p.algo, name))
}

// String returns a string parameter.
func (p Params) String(name string) string {
	if x, ok := p.v[name].(string); ok {
		return x
	}
	panic(fmt.Sprintf("agents: %s has no string parameter %q", p.algo, name))
}

// Bool returns a boolean parameter.
func (p Params) Bool(name string) bool {
	if x, ok := p.v[name].(bool); ok {
		return x
	}
	panic(fmt.Sprintf("agents: %s has no bool parameter %q", p.algo, name))
}

// Floats returns a list parameter.
func (p Params) Floats(name string) []float64 {
	if x, ok := p.v[name].([]float64); ok {
		return x
	}
	panic(fmt.Sprintf("agents: %s has no list parameter %q", p.algo, name))
}

// Values returns the resolved parameters by name (a copy).
func (p Params) Values() map[string]any {
	out := make(map[string]any, len(p.v))
	for k, v := range p.v {
		out[k] = v
	}
	return out
}

// errf returns a ParamError for parameter name.
func (p Params) errf(name, format string, args ...any) error {
	return &ParamError{Algorithm: p.algo, Param: name, Err: fmt.Errorf(format, args...)}
}

// positive checks that the named float parameters are finite and > 0.
func (p Params) positive(names ...string) error {
	for _, n := range names {
		if v := p.Float(n); !(v > 0) || math.IsInf(v, 0) {
			return p.errf(n, "%v: want a finite number > 0", v)
		}
	}
	return nil
}

// nonNegative checks that the named float parameters are finite and ≥ 0.
func (p Params) nonNegative(names ...string) error {
	for _, n := range names {
		if v := p.Float(n); !(v >= 0) || math.IsInf(v, 0) {
			return p.errf(n, "%v: want a finite number ≥ 0", v)
		}
	}
	return nil
}

// oneOf checks that a string parameter is one of the allowed values.
func (p Params) oneOf(name string, allowed ...string) error {
	v := p.String(name)
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return p.errf(name, "%q: want one of %s", v, strings.Join(allowed, ", "))
}

// atLeast checks that an int parameter is ≥ lo.
func (p Params) atLeast(name string, lo int) error {
	if v := p.Int(name); v < lo {
		return p.errf(name, "%d: want an integer ≥ %d", v, lo)
	}
	return nil
}

// Resolve checks values against the algorithm's parameters (unknown names
// and wrong types are *ParamError) and fills in defaults.
func (a *Algorithm) Resolve(values map[string]any) (Params, error) {
	p := Params{algo: a.Name, v: map[string]any{}}
	known := map[string]*Param{}
	for i := range a.Params {
		known[a.Params[i].Name] = &a.Params[i]
		p.v[a.Params[i].Name] = a.Params[i].Default
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		def, ok := known[n]
		if !ok {
			var list []string
			for _, q := range a.Params {
				list = append(list, q.Name)
			}
			return p, &ParamError{Algorithm: a.Name, Param: n, Err: fmt.Errorf("unknown parameter (known: %s)", strings.Join(list, ", "))}
		}
		v, err := coerce(values[n], def.Default)
		if err != nil {
			return p, &ParamError{Algorithm: a.Name, Param: n, Err: err}
		}
		p.v[n] = v
	}
	return p, nil
}

// coerce converts a decoded config value to the type of def.
func coerce(v, def any) (any, error) {
	switch def.(type) {
	case float64:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		}
		return nil, fmt.Errorf("%v: want a number", v)
	case int:
		switch x := v.(type) {
		case int:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int(x), nil
			}
		}
		return nil, fmt.Errorf("%v: want an integer", v)
	case string:
		if x, ok := v.(string); ok {
			return x, nil
		}
		return nil, fmt.Errorf("%v: want a string", v)
	case bool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
		return nil, fmt.Errorf("%v: want true or false", v)
	case []float64:
		switch x := v.(type) {
		case []float64:
			return append([]float64(nil), x...), nil
		case []any:
			out := make([]float64, len(x))
			for i, e := range x {
				f, err := coerce(e, 0.0)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i+1, err)
				}
				out[i] = f.(float64)
			}
			return out, nil
		}
		return nil, fmt.Errorf("%v: want a list of numbers", v)
	}
	panic(fmt.Sprintf("agents: parameter default of type %T", def))
}

// New resolves values and builds the learner on env.
func (a *Algorithm) New(env *Env, values map[string]any, o Options) (Learner, error) {
	p, err := a.Resolve(values)
	if err != nil {
		return nil, err
	}
	return a.build(env, p, o)
}

// Algorithms returns the NLHF algorithm registry in listing order.
func Algorithms() []*Algorithm {
	return []*Algorithm{
		rlhfAlgorithm(), dpoAlgorithm(), ipoAlgorithm(),
		spoAlgorithm(), sppoAlgorithm(), dnoAlgorithm(), dnoPrctAlgorithm(),
		nashMDAlgorithm(), nashMDPGAlgorithm(), nashEMAPGAlgorithm(),
		omdAlgorithm("omd"), omdAlgorithm("inpo"), onpoAlgorithm(),
		egpoAlgorithm("egpo"), egpoAlgorithm("nash_mp"),
		mmdAlgorithm(), mnpoAlgorithm(),
	}
}

// LookupAlgorithm returns the registered algorithm called name.
func LookupAlgorithm(name string) (*Algorithm, error) {
	var names []string
	for _, a := range Algorithms() {
		if a.Name == name {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return nil, fmt.Errorf("unknown algorithm %q (known: %s)", name, strings.Join(names, ", "))
}

// Common parameter descriptions shared by several algorithms.
func paramSamples(def int) Param {
	return Param{Name: "samples", Default: def, Sampled: true,
		Doc: "sampled responses (or pairs) per context and iteration"}
}

func paramLabels(def string) Param {
	return Param{Name: "labels", Default: def, Sampled: true,
		Doc: "judgements: bernoulli (a sampled 0/1 label z ~ Ber(P)) or probability (the judge's P itself)"}
}
