package agents

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/internal/config"
)

// GameSpec describes a preference game in an experiment file. Kind selects
// the constructor; each kind reads only its own fields (others are errors):
//
//	random_antisymmetric  contexts, responses, variant (random | tie | lower_win)   — EGPO protocol
//	bradley_terry         scores (one list per context) or contexts, responses, spread (random N(0, spread²) scores)
//	cyclic                responses, margin (default 1), contexts (copies)           — generalized rock-paper-scissors
//	disc                  points ([[x, y], …], one context) or contexts, responses (random points in the unit disc)
//	three_annotators      epsilon, contexts (copies)                                 — NLHF's three-type example
//	rankings              rankings (one permutation of 0..K−1 per annotator type), weights, contexts (copies)
//	heterogeneous         contexts, responses, annotators, spread (default 1), weights — BT annotators with their own utilities
//	mixture               components (games), weights                                — annotator types mixed by weight
//	matrices              matrices (one K×K preference matrix per context)
//	comparisons           file (JSONL judgements, relative to the experiment file), alpha, prior, annotator_weighting,
//	                      annotator_weights, response_names — estimated as described at game.EstimateOptions
//
// Every kind also takes flip (a noisy judge who flips each judgement with
// that probability), temperature (a judge with log-odds divided by it) and
// context_weights (the distribution ρ over contexts). seed fixes the game's
// random draws; without it a random game is drawn from the run's seed, so
// every seed of an experiment gets its own game (as in the EGPO protocol).
type GameSpec struct {
	Kind               string             `yaml:"kind"`
	Contexts           int                `yaml:"contexts,omitempty"`
	Responses          int                `yaml:"responses,omitempty"`
	Seed               *uint64            `yaml:"seed,omitempty"`
	Variant            string             `yaml:"variant,omitempty"`
	Margin             *float64           `yaml:"margin,omitempty"`
	Epsilon            float64            `yaml:"epsilon,omitempty"`
	Scores             [][]float64        `yaml:"scores,omitempty"`
	Spread             *float64           `yaml:"spread,omitempty"`
	Annotators         int                `yaml:"annotators,omitempty"`
	Weights            []float64          `yaml:"weights,omitempty"`
	Components         []GameSpec         `yaml:"components,omitempty"`
	Rankings           [][]int            `yaml:"rankings,omitempty"`
	Points             [][]float64        `yaml:"points,omitempty"`
	Matrices           [][][]float64      `yaml:"matrices,omitempty"`
	File               string             `yaml:"file,omitempty"`
	Alpha              *float64           `yaml:"alpha,omitempty"`
	Prior              string             `yaml:"prior,omitempty"`
	AnnotatorWeighting string             `yaml:"annotator_weighting,omitempty"`
	AnnotatorWeights   map[string]float64 `yaml:"annotator_weights,omitempty"`
	ResponseNames      []string           `yaml:"response_names,omitempty"`
	Flip               float64            `yaml:"flip,omitempty"`
	Temperature        float64            `yaml:"temperature,omitempty"`
	ContextWeights     []float64          `yaml:"context_weights,omitempty"`
}

// gameFields lists the fields each kind reads besides the common ones.
var gameFields = map[string][]string{
	"random_antisymmetric": {"contexts", "responses", "variant", "seed"},
	"bradley_terry":        {"scores", "contexts", "responses", "spread", "seed"},
	"cyclic":               {"responses", "margin", "contexts"},
	"disc":                 {"points", "contexts", "responses", "seed"},
	"three_annotators":     {"epsilon", "contexts"},
	"rankings":             {"rankings", "weights", "contexts"},
	"heterogeneous":        {"contexts", "responses", "annotators", "spread", "weights", "seed"},
	"mixture":              {"components", "weights"},
	"matrices":             {"matrices"},
	"comparisons":          {"file", "alpha", "prior", "annotator_weighting", "annotator_weights", "response_names"},
}

var gameCommon = []string{"kind", "flip", "temperature", "context_weights"}

// GameKinds returns the accepted game kinds, sorted.
func GameKinds() []string {
	kinds := make([]string, 0, len(gameFields))
	for k := range gameFields {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// checkGame validates spec at path, reporting located problems to c.
func checkGame(doc *config.Doc, c *config.Checker, path string, s *GameSpec) {
	fields, ok := gameFields[s.Kind]
	if !c.Require(ok, config.Path(path, "kind"), "one of "+strings.Join(GameKinds(), ", "), s.Kind) {
		return
	}
	allowed := map[string]bool{}
	for _, f := range append(fields, gameCommon...) {
		allowed[f] = true
	}
	for _, f := range []string{"contexts", "responses", "seed", "variant", "margin", "epsilon", "scores", "spread",
		"annotators", "weights", "components", "rankings", "points", "matrices", "file", "alpha", "prior",
		"annotator_weighting", "annotator_weights", "response_names"} {
		if !allowed[f] {
			c.Absent(config.Path(path, f), fmt.Sprintf("not used by game kind %q", s.Kind))
		}
	}
	if doc.Has(config.Path(path, "flip")) {
		c.Range(config.Path(path, "flip"), s.Flip, 0, 0.5)
	}
	if doc.Has(config.Path(path, "temperature")) {
		c.Positive(config.Path(path, "temperature"), s.Temperature)
	}
	for i, w := range s.ContextWeights {
		c.NonNegative(config.Path(path, "context_weights", i), w)
	}
	needSize := func(what string, n, lo int) {
		c.Require(n >= lo, config.Path(path, what), fmt.Sprintf("an integer ≥ %d", lo), n)
	}
	contexts := func() {
		if doc.Has(config.Path(path, "contexts")) {
			needSize("contexts", s.Contexts, 1)
		}
	}
	switch s.Kind {
	case "random_antisymmetric":
		needSize("contexts", s.Contexts, 1)
		needSize("responses", s.Responses, 2)
		if _, err := game.ParseAntisymmetricVariant(s.Variant); err != nil {
			c.Require(false, config.Path(path, "variant"), "random, tie or lower_win", s.Variant)
		}
	case "bradley_terry":
		if s.Scores != nil {
			c.Absent(config.Path(path, "contexts"), "given by scores")
			c.Absent(config.Path(path, "responses"), "given by scores")
			c.Absent(config.Path(path, "spread"), "scores are given")
			c.Require(len(s.Scores) > 0 && len(s.Scores[0]) >= 2, config.Path(path, "scores"), "one list of ≥ 2 scores per context", len(s.Scores))
			for i, row := range s.Scores {
				c.Require(len(row) == len(s.Scores[0]), config.Path(path, "scores", i), fmt.Sprintf("%d scores like the first context", len(s.Scores[0])), len(row))
			}
		} else {
			needSize("contexts", s.Contexts, 1)
			needSize("responses", s.Responses, 2)
			if s.Spread != nil {
				c.NonNegative(config.Path(path, "spread"), *s.Spread)
			}
		}
	case "cyclic":
		needSize("responses", s.Responses, 2)
		contexts()
		if s.Margin != nil {
			c.Range(config.Path(path, "margin"), *s.Margin, 0, 1)
		}
	case "disc":
		if s.Points != nil {
			c.Absent(config.Path(path, "contexts"), "given by points")
			c.Absent(config.Path(path, "responses"), "given by points")
			c.Require(len(s.Points) >= 2, config.Path(path, "points"), "at least 2 points", len(s.Points))
			for i, p := range s.Points {
				c.Require(len(p) == 2, config.Path(path, "points", i), "a point [x, y]", p)
			}
		} else {
			needSize("contexts", s.Contexts, 1)
			needSize("responses", s.Responses, 2)
		}
	case "three_annotators":
		c.Require(s.Epsilon > -2.0/3 && s.Epsilon < 1.0/3, config.Path(path, "epsilon"), "a number in (−2/3, 1/3)", s.Epsilon)
		contexts()
	case "rankings":
		c.Require(len(s.Rankings) >= 1, config.Path(path, "rankings"), "at least one ranking", len(s.Rankings))
		c.Require(s.Weights == nil || len(s.Weights) == len(s.Rankings), config.Path(path, "weights"), fmt.Sprintf("%d weights (one per ranking)", len(s.Rankings)), len(s.Weights))
		contexts()
	case "heterogeneous":
		needSize("contexts", s.Contexts, 1)
		needSize("responses", s.Responses, 2)
		needSize("annotators", s.Annotators, 1)
		c.Require(s.Weights == nil || len(s.Weights) == s.Annotators, config.Path(path, "weights"), fmt.Sprintf("%d weights (one per annotator)", s.Annotators), len(s.Weights))
	case "mixture":
		if c.Require(len(s.Components) >= 1, config.Path(path, "components"), "at least one component game", len(s.Components)) {
			c.Require(len(s.Weights) == len(s.Components), config.Path(path, "weights"), fmt.Sprintf("%d weights (one per component)", len(s.Components)), len(s.Weights))
			for i := range s.Components {
				checkGame(doc, c, config.Path(path, "components", i), &s.Components[i])
			}
		}
	case "matrices":
		c.Require(len(s.Matrices) >= 1, config.Path(path, "matrices"), "at least one matrix", len(s.Matrices))
	case "comparisons":
		c.Require(s.File != "", config.Path(path, "file"), "a JSONL file of judgements", s.File)
		if s.Alpha != nil {
			c.NonNegative(config.Path(path, "alpha"), *s.Alpha)
		}
		if s.Prior != "" {
			c.OneOf(config.Path(path, "prior"), s.Prior, "half", "pooled")
		}
		if s.AnnotatorWeighting != "" {
			c.OneOf(config.Path(path, "annotator_weighting"), s.AnnotatorWeighting, "pooled", "equal")
		}
	}
}

// BuildGame constructs the game of spec. seed is the run's seed (used when
// the spec has none); dir resolves relative file names.
func BuildGame(s *GameSpec, seed uint64, dir string) (*game.Preference, error) {
	if s.Seed != nil {
		seed = *s.Seed
	}
	rng := rand.New(rand.NewPCG(seed, 0x67616d65))
	copies := func(g *game.Preference, err error) (*game.Preference, error) {
		if err != nil || s.Contexts <= 1 {
			return g, err
		}
		return g.Repeat(0, s.Contexts), nil
	}
	var g *game.Preference
	var err error
	switch s.Kind {
	case "random_antisymmetric":
		v, verr := game.ParseAntisymmetricVariant(s.Variant)
		if verr != nil {
			return nil, verr
		}
		g = game.RandomAntisymmetric(rng, s.Contexts, s.Responses, v)
	case "bradley_terry":
		scores := s.Scores
		if scores == nil {
			spread := 1.0
			if s.Spread != nil {
				spread = *s.Spread
			}
			scores = make([][]float64, s.Contexts)
			for c := range scores {
				scores[c] = make([]float64, s.Responses)
				for y := range scores[c] {
					scores[c][y] = spread * rng.NormFloat64()
				}
			}
		}
		g, err = game.BradleyTerry(scores)
	case "cyclic":
		margin := 1.0
		if s.Margin != nil {
			margin = *s.Margin
		}
		g, err = copies(game.Cyclic(s.Responses, margin))
	case "disc":
		if s.Points != nil {
			pts := make([][2]float64, len(s.Points))
			for i, p := range s.Points {
				if len(p) != 2 {
					return nil, fmt.Errorf("disc point %d: want [x, y]", i+1)
				}
				pts[i] = [2]float64{p[0], p[1]}
			}
			g, err = game.DiscGame(pts)
		} else {
			g = game.RandomDiscGame(rng, s.Contexts, s.Responses)
		}
	case "three_annotators":
		g, err = copies(game.ThreeAnnotators(s.Epsilon))
	case "rankings":
		comps := make([]*game.Preference, len(s.Rankings))
		for i, r := range s.Rankings {
			if comps[i], err = game.Ranking(r); err != nil {
				return nil, fmt.Errorf("ranking %d: %w", i+1, err)
			}
		}
		w := s.Weights
		if w == nil {
			w = make([]float64, len(comps))
			for i := range w {
				w[i] = 1
			}
		}
		g, err = copies(game.Mixture(w, comps))
	case "heterogeneous":
		spread := 1.0
		if s.Spread != nil {
			spread = *s.Spread
		}
		g, err = game.HeterogeneousBT(rng, s.Contexts, s.Responses, s.Annotators, spread, s.Weights)
	case "mixture":
		comps := make([]*game.Preference, len(s.Components))
		for i := range s.Components {
			if comps[i], err = BuildGame(&s.Components[i], splitmix64(seed^uint64(i+1)), dir); err != nil {
				return nil, fmt.Errorf("component %d: %w", i+1, err)
			}
		}
		g, err = game.Mixture(s.Weights, comps)
	case "matrices":
		g, err = game.FromMatrices(s.Matrices, 1e-9)
	case "comparisons":
		path := s.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		opt := game.EstimateOptions{Prior: s.Prior, Annotators: s.AnnotatorWeighting, AnnotatorWeights: s.AnnotatorWeights, Responses: s.ResponseNames}
		if s.Alpha != nil {
			opt.Alpha = *s.Alpha
			opt.NoSmoothing = *s.Alpha == 0
		}
		g, err = game.LoadComparisons(path, opt)
	default:
		return nil, fmt.Errorf("unknown game kind %q", s.Kind)
	}
	if err != nil {
		return nil, err
	}
	if s.Flip > 0 {
		if g, err = game.Noisy(g, s.Flip); err != nil {
			return nil, err
		}
	}
	if s.Temperature > 0 && s.Temperature != 1 {
		if g, err = game.Tempered(g, s.Temperature); err != nil {
			return nil, err
		}
	}
	if s.ContextWeights != nil {
		if err := g.SetWeights(s.ContextWeights); err != nil {
			return nil, err
		}
	}
	return g, nil
}
