package config_test

import (
	"fmt"

	"github.com/selfplay-lab/selfplay/internal/config"
	"go.yaml.in/yaml/v3"
)

// Experiment is a runner's configuration. Defaults of top-level fields are
// set before decoding; per-algorithm defaults come from SetDefaults.
type Experiment struct {
	Name       string      `yaml:"name"`
	Iterations int         `yaml:"iterations"`
	Seeds      int         `yaml:"seeds"`
	Algorithms []Algorithm `yaml:"algorithms"`
}

// Algorithm names a learning rule; the rest of its entry are the rule's own
// hyperparameters, decoded once the name is known.
type Algorithm struct {
	Name   string               `yaml:"name"`
	Params map[string]yaml.Node `yaml:",inline"`
}

// MMDParams are the hyperparameters of one rule.
type MMDParams struct {
	Eta float64 `yaml:"eta"`
	Tau float64 `yaml:"tau"`
}

// SetDefaults is called by Decode for params structs it creates; here the
// runner calls it itself before DecodeFields.
func (p *MMDParams) SetDefaults() { *p = MMDParams{Eta: 0.1, Tau: 0.01} }

func Example() {
	src := []byte(`name: cyclic
iterations: 200
algorithms:
  - name: mmd
    eta: 0.5
  - name: mmd
    tau: -1
  - name: spo
    eta: abc
`)
	cfg := Experiment{Iterations: 1000, Seeds: 5}
	doc, err := config.Decode("exp.yaml", src, &cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := doc.Check()
	c.PositiveInt("iterations", cfg.Iterations)
	var params []MMDParams
	for i, a := range cfg.Algorithms {
		path := config.Path("algorithms", i)
		if !c.OneOf(config.Path(path, "name"), a.Name, "mmd", "egpo") {
			continue
		}
		var p MMDParams
		p.SetDefaults()
		c.Add(path, doc.DecodeFields(path, a.Params, &p))
		c.Positive(config.Path(path, "tau"), p.Tau)
		params = append(params, p)
	}
	if err := c.Err(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", params[0])
	// Output:
	// exp.yaml:7:10: algorithms[1].tau: expected a positive number, found -1
	// exp.yaml:8:11: algorithms[2].name: expected one of mmd, egpo, found "spo"
	// {Eta:0.5 Tau:0.01}
}

func ExampleMarshal() {
	type Game struct {
		Kind string `yaml:"kind"`
		K    int    `yaml:"k"`
	}
	type Exp struct {
		Game  Game `yaml:"game"`
		Seeds int  `yaml:"seeds"`
	}
	cfg := Exp{Game: Game{Kind: "bt", K: 4}, Seeds: 5} // defaults
	if _, err := config.Decode("exp.yaml", []byte("game: {kind: cyclic}\n"), &cfg); err != nil {
		fmt.Println(err)
		return
	}
	out, _ := config.Marshal(cfg) // the resolved configuration
	fmt.Print(string(out))
	// Output:
	// game:
	//   kind: cyclic
	//   k: 4
	// seeds: 5
}

func ExampleDecode_typeError() {
	var cfg Experiment
	_, err := config.Decode("exp.yaml", []byte("iterations: lots\nseed: 3\n"), &cfg)
	fmt.Println(err)
	// Output:
	// exp.yaml:1:13: iterations: expected an integer, found "lots"
	// exp.yaml:2:1: seed: unknown field (did you mean "seeds"?)
}
