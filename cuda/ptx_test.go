package cuda

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPTXUpToDate reruns the go:generate command of kernels.go on copies
// of the kernel sources in a temporary directory and checks the output is
// byte for byte the committed (and embedded) PTX.
func TestPTXUpToDate(t *testing.T) {
	src, err := os.ReadFile("kernels.go")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "//go:generate "); ok {
			args = strings.Fields(rest)
		}
	}
	if len(args) == 0 || !strings.HasPrefix(args[0], "clang") {
		t.Fatalf("kernels.go has no clang go:generate line (got %q)", args)
	}
	clang := requireTool(t, args[0])
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "kernels"), 0o755); err != nil {
		t.Fatal(err)
	}
	sources, _ := filepath.Glob(filepath.Join("kernels", "*"))
	for _, f := range sources {
		if strings.HasSuffix(f, ".ptx") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(clang, args[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	fresh, err := os.ReadFile(filepath.Join(dir, "kernels", "engine.ptx"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("kernels", "engine.ptx"))
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh) != string(committed) {
		t.Fatalf("kernels/engine.ptx is stale: run 'go generate ./cuda' and commit it")
	}
	if string(committed) != enginePTX {
		t.Fatalf("the embedded PTX differs from kernels/engine.ptx: rebuild")
	}
	for _, name := range kernelNames {
		if !strings.Contains(enginePTX, ".visible .entry "+name+"(") {
			t.Errorf("PTX lacks kernel %s", name)
		}
	}
	if strings.Contains(enginePTX, ".extern") {
		t.Errorf("PTX calls external functions (libdevice is not linked): %s", "see .extern lines")
	}
}
