package game

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadNFG feeds arbitrary text to ReadNFG. Properties: no panic; a
// failure is a located *SyntaxError; a success writes text that reads back
// as an equal game and writes the same text again, and the game written in
// the other form reads back with the same payoffs. The committed corpus in
// testdata/fuzz/FuzzReadNFG holds valid files of both forms and broken
// ones; the fixtures in testdata/nfg are added as seeds too.
func FuzzReadNFG(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "nfg", "*.nfg"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadNFG(bytes.NewReader(data), "fuzz.nfg")
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a *SyntaxError: %v", err)
			}
			if se.File != "fuzz.nfg" || se.Line < 1 || se.Col < 1 || se.Msg == "" {
				t.Fatalf("badly located error: %#v", se)
			}
			return
		}
		var buf bytes.Buffer
		if err := g.WriteNFG(&buf); err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, g, buf.Bytes())
	})
}
