//go:build !(linux && (amd64 || arm64))

package cuda

import "fmt"

const driverLib = "libcuda.so.1"

// openCUDA reports that this platform has no supported driver binding.
func openCUDA(lib string) (device, error) {
	return nil, fmt.Errorf("%w: the CUDA driver binding (%s) needs linux/amd64 or linux/arm64", ErrNoDevice, lib)
}
