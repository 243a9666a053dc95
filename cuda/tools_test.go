package cuda

import (
	"os"
	"os/exec"
	"testing"
)

// requireTool returns the path of tool, skipping the test when it is
// missing unless SELFPLAY_REQUIRE_ORACLES=1 (CI), where it fails.
func requireTool(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("SELFPLAY_REQUIRE_ORACLES") == "1" {
			t.Fatalf("%s not found and SELFPLAY_REQUIRE_ORACLES=1: %v", tool, err)
		}
		t.Skipf("%s not found: %v", tool, err)
	}
	return p
}
