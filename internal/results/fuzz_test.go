package results

import (
	"bytes"
	"errors"
	"testing"

	"github.com/selfplay-lab/selfplay/internal/config"
)

// FuzzDecode checks that Decode never panics, that its errors are located
// *config.Errors, and that rows it accepts are written back by AppendJSON
// to lines that decode to the same rows.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"run":"r","algorithm":"a","seed":1,"step":0,"gap":0.5,"kl":null}` + "\n"))
	f.Add([]byte(`{"run":"r","algorithm":"a","seed":-1,"step":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Decode("f.jsonl", bytes.NewReader(data))
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || ce.File != "f.jsonl" || ce.Line < 1 || ce.Column < 0 {
				t.Fatalf("badly located error %T: %v", err, err)
			}
			return
		}
		var out []byte
		for _, r := range rows {
			if err := r.check(); err != nil {
				t.Fatalf("Decode accepted a row Append would refuse: %v", err)
			}
			out = append(r.AppendJSON(out), '\n')
		}
		again, err := Decode("again.jsonl", bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading written rows: %v\n%s", err, out)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows became %d", len(rows), len(again))
		}
		for i := range rows {
			if !sameRow(rows[i], again[i]) {
				t.Fatalf("row %d: %+v became %+v", i, rows[i], again[i])
			}
		}
	})
}
