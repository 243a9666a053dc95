// Package config decodes experiment configuration files strictly and
// reports every problem at its place in the file.
//
// Decoding goes through the YAML node tree rather than straight into the
// caller's struct, so that each decoded value keeps its position. Errors read
//
//	exp.yaml:12:5: algorithms[2].eta: expected a number, found "abc"
//
// Unknown fields, duplicate keys, type mismatches and values out of range of
// the Go type are all errors; decoding goes on after an error so that one run
// reports up to [MaxErrors] problems at once.
//
// A runner's typical use:
//
//	cfg := Experiment{Iterations: 1000}        // defaults for top-level fields
//	doc, err := config.Load("exp.yaml", &cfg)  // strict decode
//	if err != nil {
//		return err // *config.ErrorList: file:line:col: path: message
//	}
//	c := doc.Check()
//	c.PositiveInt("iterations", cfg.Iterations)
//	for i, a := range cfg.Algorithms {
//		c.Positive(config.Path("algorithms", i, "eta"), a.Eta)
//	}
//	if err := c.Err(); err != nil {
//		return err
//	}
//	out, _ := config.Marshal(cfg)              // resolved config, defaults filled in
//
// Field names follow go.yaml.in/yaml/v3: the `yaml:"name"` tag, else the
// lower-cased Go field name; `yaml:"-"` skips a field and `yaml:",inline"`
// inlines a struct or collects the remaining keys into a map (which turns off
// unknown-field errors for that mapping, so the caller can decode the rest
// later with [Doc.DecodeNode], e.g. per-algorithm hyperparameters).
//
// Defaults: set them on the value before decoding; absent fields keep them.
// For structs that Decode creates itself (slice and map elements, nil
// pointers), it calls SetDefaults first if the type implements [Defaulter].
package config
