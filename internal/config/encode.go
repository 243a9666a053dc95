package config

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Marshal writes v as YAML with two-space indentation, using the same field
// names Decode reads, so a resolved configuration (defaults filled in) can be
// saved next to the results and decoded again to the same value.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("config: marshal %T: %w", v, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("config: marshal %T: %w", v, err)
	}
	return buf.Bytes(), nil
}
