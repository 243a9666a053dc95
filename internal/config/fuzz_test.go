package config

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode checks that no input makes Decode panic, that every failure is
// an *ErrorList naming the file, and that whatever decodes survives a
// Marshal/Decode round trip unchanged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("name: rps\niterations: 10\ngame: {kind: cyclic, k: 3}\nalgorithms:\n  - name: mmd\n    tau: 0.1\n"))
	f.Add([]byte("algorithms: [{eta: abc}]\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var cfg exp
		_, err := Decode("f.yaml", data, &cfg)
		if err != nil {
			var list *ErrorList
			if !errors.As(err, &list) || len(list.Errs) == 0 {
				t.Fatalf("error is not a non-empty *ErrorList: %T %v", err, err)
			}
			for _, e := range list.Errs {
				if e.File != "f.yaml" || e.Line < 0 || e.Column < 0 || e.Msg == "" {
					t.Fatalf("badly located error: %#v", e)
				}
			}
			return
		}
		out, err := Marshal(cfg)
		if err != nil {
			t.Fatalf("Marshal after a successful Decode: %v", err)
		}
		var again exp
		if _, err := Decode("again.yaml", out, &again); err != nil {
			t.Fatalf("decoding Marshal's output: %v\n%s", err, out)
		}
		out2, err := Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the value:\n%s\n---\n%s", out, out2)
		}
	})
}
