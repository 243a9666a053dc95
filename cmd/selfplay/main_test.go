package main

import (
	"os"
	"testing"
)

// envTestMain makes the test binary run as the selfplay command, so that
// multi-process tests (cluster_fault_test.go) can start node and worker
// processes from os.Args[0] without building the binary.
const envTestMain = "SELFPLAY_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envTestMain) == "1" {
		main() // exits
	}
	os.Exit(m.Run())
}
