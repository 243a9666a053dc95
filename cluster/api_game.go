package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/selfplay-lab/selfplay/game"
	"github.com/selfplay-lab/selfplay/leaguesim"
)

// GameSpec is what a worker needs besides the two policies to play a
// leased match exactly as the driver would: the preference game and the
// match options. The driver stores it as a blob and names its hash in the
// "game" meta entry of every member it adds, so the log carries it to
// every node (GET /v1/game serves it).
type GameSpec struct {
	Version   int      `json:"version"` // GameSpecVersion
	Contexts  []string `json:"contexts"`
	Responses []string `json:"responses"`
	// Weights is the context distribution ρ.
	Weights []float64 `json:"weights"`
	// Matrices holds one K×K row-major preference matrix per context.
	Matrices [][]float64 `json:"matrices"`
	// Seed and Judgements are leaguesim.MatchOptions.
	Seed       uint64 `json:"seed"`
	Judgements int    `json:"judgements"`
}

// GameSpecVersion is the GameSpec format this code writes and reads.
const GameSpecVersion = 1

// MetaGame is the member meta key naming the GameSpec blob's hash.
const MetaGame = "game"

// maxGameValues bounds K·K·N of a decoded spec, as MaxPolicySize bounds a
// policy, so a hostile blob cannot make a worker allocate without limit.
const maxGameValues = 1 << 22

// NewGameSpec describes the game and match options of a leaguesim config.
func NewGameSpec(cfg leaguesim.Config) (*GameSpec, error) {
	g := cfg.Game
	if g == nil {
		return nil, fmt.Errorf("cluster: game spec: the config has no game")
	}
	j := cfg.Judgements
	if j == 0 {
		j = 1 // leaguesim's default
	}
	s := &GameSpec{Version: GameSpecVersion, Contexts: g.Contexts, Responses: g.Responses,
		Weights: g.Weights(), Seed: cfg.Seed, Judgements: j}
	for c := range g.NumContexts() {
		s.Matrices = append(s.Matrices, append([]float64(nil), g.Matrix(c)...))
	}
	return s, nil
}

// Encode returns the spec's JSON encoding (the blob).
func (s *GameSpec) Encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("cluster: encode game spec: %w", err)
	}
	return b, nil
}

// DecodeGameSpec decodes and checks a spec; errors name the field.
func DecodeGameSpec(data []byte) (*GameSpec, error) {
	var s GameSpec
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("cluster: game spec: %w", err)
	}
	if s.Version != GameSpecVersion {
		return nil, fmt.Errorf("cluster: game spec: field \"version\": %d, expected %d", s.Version, GameSpecVersion)
	}
	n, k := len(s.Matrices), len(s.Responses)
	switch {
	case n == 0 || k == 0:
		return nil, fmt.Errorf("cluster: game spec: field \"matrices\": expected at least one context and one response")
	case n*k*k > maxGameValues:
		return nil, fmt.Errorf("cluster: game spec: field \"matrices\": %d×%d×%d values exceed %d", n, k, k, maxGameValues)
	case len(s.Contexts) != n:
		return nil, fmt.Errorf("cluster: game spec: field \"contexts\": %d labels for %d matrices", len(s.Contexts), n)
	case len(s.Weights) != n:
		return nil, fmt.Errorf("cluster: game spec: field \"weights\": %d weights for %d contexts", len(s.Weights), n)
	case s.Judgements < 1:
		return nil, fmt.Errorf("cluster: game spec: field \"judgements\": %d, expected at least 1", s.Judgements)
	}
	for c, m := range s.Matrices {
		if len(m) != k*k {
			return nil, fmt.Errorf("cluster: game spec: field \"matrices[%d]\": %d values, expected %d×%d", c, len(m), k, k)
		}
	}
	return &s, nil
}

// Game builds the preference game.
func (s *GameSpec) Game() (*game.Preference, error) {
	k := len(s.Responses)
	ps := make([][][]float64, len(s.Matrices))
	for c, m := range s.Matrices {
		ps[c] = make([][]float64, k)
		for i := range k {
			ps[c][i] = m[i*k : (i+1)*k]
		}
	}
	g, err := game.FromMatrices(ps, 1e-9)
	if err != nil {
		return nil, fmt.Errorf("cluster: game spec: field \"matrices\": %w", err)
	}
	for _, w := range s.Weights {
		if math.IsNaN(w) || w < 0 {
			return nil, fmt.Errorf("cluster: game spec: field \"weights\": %v is not a probability", w)
		}
	}
	if err := g.SetWeights(s.Weights); err != nil {
		return nil, fmt.Errorf("cluster: game spec: field \"weights\": %w", err)
	}
	copy(g.Contexts, s.Contexts)
	copy(g.Responses, s.Responses)
	return g, nil
}

// MatchOptions returns the options PlayMatch needs.
func (s *GameSpec) MatchOptions() leaguesim.MatchOptions {
	return leaguesim.MatchOptions{Judgements: s.Judgements, Seed: s.Seed}
}
