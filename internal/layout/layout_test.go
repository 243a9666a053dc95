package layout

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/selfplay-lab/selfplay/"

// rank orders the top-level packages: a package may import only packages of
// lower rank. internal/ packages are glue usable from anywhere but must not
// import a ranked package themselves (except where listed in glueMay).
var rank = map[string]int{
	"cuda":      0, // leaf: imports nothing of ours
	"game":      1,
	"nash":      2,
	"agents":    3,
	"league":    4,
	"leaguesim": 5,
	"demo":      6,
	"cluster":   7,
	"cmd":       8,
}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		rel, _ := filepath.Rel(root, path)
		from := top(filepath.ToSlash(rel))
		imports := append(append(pkg.Imports, pkg.TestImports...), pkg.XTestImports...)
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := top(strings.TrimPrefix(imp, module))
			checked++
			if !allowed(from, to) {
				t.Errorf("%s imports %s: imports must run cuda, game ← nash ← agents ← league ← leaguesim ← demo ← cluster ← cmd", rel, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d internal imports found: is the walk looking at the module?", checked)
	}
}

// top returns the ranked package a path belongs to ("internal" for glue,
// "examples" for shipped experiments).
func top(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	return first
}

func allowed(from, to string) bool {
	if from == to {
		return true
	}
	switch from {
	case "examples":
		return true // shipped experiments may use anything
	case "internal":
		_, ranked := rank[to]
		return !ranked || to == "cuda"
	}
	if to == "internal" {
		return true
	}
	rf, okf := rank[from]
	rt, okt := rank[to]
	if !okf || !okt {
		return false // an unknown top-level package: add it to rank
	}
	if to == "cuda" {
		return from != "game" // game holds rules only
	}
	if from == "cuda" {
		return false
	}
	return rt < rf
}
