package cuda

import "fmt"

// Devices accepted by Open.
const (
	DeviceAuto = "auto" // the GPU if one is usable, else the CPU
	DeviceCPU  = "cpu"
	DeviceGPU  = "gpu" // the GPU or an error wrapping ErrNoDevice
)

// Open returns the Backend for device "auto", "cpu" or "gpu". With "auto"
// a missing driver, device or module falls back to the CPU backend and logf
// (if not nil) receives one line saying why. "gpu" returns an error
// wrapping ErrNoDevice instead. The CPU backend uses GOMAXPROCS workers.
func Open(device string, logf func(string)) (Backend, error) {
	switch device {
	case DeviceCPU:
		return NewCPU(0), nil
	case DeviceGPU:
		g, err := NewGPU()
		if err != nil {
			return nil, fmt.Errorf("device %q: %w", device, err)
		}
		return g, nil
	case DeviceAuto, "":
		g, err := NewGPU()
		if err == nil {
			return g, nil
		}
		if logf != nil {
			logf(fmt.Sprintf("no usable GPU, using the CPU backend: %v", err))
		}
		return NewCPU(0), nil
	}
	return nil, fmt.Errorf("%w: device %q: want auto, cpu or gpu", ErrArgument, device)
}

// NewGPU opens device 0 through the CUDA driver (libcuda.so.1) and loads
// the embedded kernels. Errors wrap ErrNoDevice.
func NewGPU() (*GPU, error) {
	dev, err := openCUDA(driverLib)
	if err != nil {
		return nil, err
	}
	return newGPU(dev), nil
}
