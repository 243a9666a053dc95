//go:build !unix

package main

import "time"

// processCPU is not measured on this system; CPU columns then read n/a.
func processCPU() time.Duration { return 0 }
