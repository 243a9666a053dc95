//go:build linux && (amd64 || arm64)

package cuda

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

// driverLib is the CUDA driver library, installed with the NVIDIA driver
// (not the toolkit).
const driverLib = "libcuda.so.1"

// cuAPI holds the driver entry points, bound at run time with purego. The
// memory functions are the _v2 names, which cuda.h maps the plain names to;
// the plain symbols are the legacy 32-bit-size ABI.
type cuAPI struct {
	cuInit                       func(flags uint32) uint32
	cuDeviceGetCount             func(count *int32) uint32
	cuDeviceGet                  func(dev *int32, ordinal int32) uint32
	cuDeviceGetName              func(name *byte, n int32, dev int32) uint32
	cuDevicePrimaryCtxRetain     func(ctx *uintptr, dev int32) uint32
	cuDevicePrimaryCtxRelease_v2 func(dev int32) uint32
	cuCtxSetCurrent              func(ctx uintptr) uint32
	cuCtxSynchronize             func() uint32
	cuModuleLoadDataEx           func(mod *uintptr, image *byte, nopts uint32, opts *int32, vals *uintptr) uint32
	cuModuleUnload               func(mod uintptr) uint32
	cuModuleGetFunction          func(fn *uintptr, mod uintptr, name string) uint32
	cuMemAlloc_v2                func(p *uintptr, bytes uintptr) uint32
	cuMemFree_v2                 func(p uintptr) uint32
	cuMemcpyHtoD_v2              func(dst uintptr, src unsafe.Pointer, bytes uintptr) uint32
	cuMemcpyDtoH_v2              func(dst unsafe.Pointer, src uintptr, bytes uintptr) uint32
	cuMemcpyDtoD_v2              func(dst, src uintptr, bytes uintptr) uint32
	cuLaunchKernel               func(fn uintptr, gx, gy, gz, bx, by, bz, shared uint32, stream uintptr, params *unsafe.Pointer, extra *unsafe.Pointer) uint32
	cuGetErrorString             func(code uint32, str *unsafe.Pointer) uint32
}

// cudaDevice is a device on the CUDA driver. One goroutine, locked to its
// OS thread, owns the context and runs every driver call; the others hand
// it closures.
type cudaDevice struct {
	api     *cuAPI
	ordinal int32
	label   string
	module  uintptr
	fns     [len(kernelNames)]uintptr
	calls   chan func()
}

// openCUDA loads the driver from lib, takes device 0's primary context and
// loads the embedded PTX. Every failure wraps ErrNoDevice.
func openCUDA(lib string) (device, error) {
	h, err := purego.Dlopen(lib, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot load the CUDA driver %s: %v", ErrNoDevice, lib, err)
	}
	api := &cuAPI{}
	for _, b := range []struct {
		fn   any
		name string
	}{
		{&api.cuInit, "cuInit"}, {&api.cuDeviceGetCount, "cuDeviceGetCount"}, {&api.cuDeviceGet, "cuDeviceGet"},
		{&api.cuDeviceGetName, "cuDeviceGetName"}, {&api.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
		{&api.cuDevicePrimaryCtxRelease_v2, "cuDevicePrimaryCtxRelease_v2"}, {&api.cuCtxSetCurrent, "cuCtxSetCurrent"},
		{&api.cuCtxSynchronize, "cuCtxSynchronize"}, {&api.cuModuleLoadDataEx, "cuModuleLoadDataEx"},
		{&api.cuModuleUnload, "cuModuleUnload"}, {&api.cuModuleGetFunction, "cuModuleGetFunction"},
		{&api.cuMemAlloc_v2, "cuMemAlloc_v2"}, {&api.cuMemFree_v2, "cuMemFree_v2"},
		{&api.cuMemcpyHtoD_v2, "cuMemcpyHtoD_v2"}, {&api.cuMemcpyDtoH_v2, "cuMemcpyDtoH_v2"},
		{&api.cuMemcpyDtoD_v2, "cuMemcpyDtoD_v2"}, {&api.cuLaunchKernel, "cuLaunchKernel"},
		{&api.cuGetErrorString, "cuGetErrorString"},
	} {
		sym, err := purego.Dlsym(h, b.name)
		if err != nil {
			return nil, fmt.Errorf("%w: %s lacks %s: %v", ErrNoDevice, lib, b.name, err)
		}
		purego.RegisterFunc(b.fn, sym)
	}
	d := &cudaDevice{api: api, calls: make(chan func())}
	ready := make(chan error)
	go d.own(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return d, nil
}

// own is the owner goroutine: it sets up the context on its locked thread,
// then runs calls until close.
func (d *cudaDevice) own(ready chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := d.setup(); err != nil {
		ready <- err
		return
	}
	ready <- nil
	for f := range d.calls {
		f()
	}
}

func (d *cudaDevice) setup() error {
	a := d.api
	if err := d.check("cuInit", a.cuInit(0)); err != nil {
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	var count int32
	if err := d.check("cuDeviceGetCount", a.cuDeviceGetCount(&count)); err != nil {
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	if count < 1 {
		return fmt.Errorf("%w: the CUDA driver reports no devices", ErrNoDevice)
	}
	if err := d.check("cuDeviceGet", a.cuDeviceGet(&d.ordinal, 0)); err != nil {
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	var name [256]byte
	if a.cuDeviceGetName(&name[0], int32(len(name)), d.ordinal) == 0 {
		for i, c := range name {
			if c == 0 {
				d.label = string(name[:i])
				break
			}
		}
	}
	var ctx uintptr
	if err := d.check("cuDevicePrimaryCtxRetain", a.cuDevicePrimaryCtxRetain(&ctx, d.ordinal)); err != nil {
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	if err := d.check("cuCtxSetCurrent", a.cuCtxSetCurrent(ctx)); err != nil {
		a.cuDevicePrimaryCtxRelease_v2(d.ordinal)
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	if err := d.load(); err != nil {
		a.cuDevicePrimaryCtxRelease_v2(d.ordinal)
		return fmt.Errorf("%w: %v", ErrNoDevice, err)
	}
	return nil
}

// load JIT-compiles the embedded PTX, keeping the JIT's error log for the
// error message.
func (d *cudaDevice) load() error {
	const (
		jitErrorLogBuffer      = 5 // CU_JIT_ERROR_LOG_BUFFER
		jitErrorLogBufferBytes = 6 // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
	)
	image := append([]byte(enginePTX), 0)
	log := make([]byte, 4096)
	var pin runtime.Pinner
	pin.Pin(&image[0])
	pin.Pin(&log[0])
	defer pin.Unpin()
	opts := [2]int32{jitErrorLogBuffer, jitErrorLogBufferBytes}
	vals := [2]uintptr{uintptr(unsafe.Pointer(&log[0])), uintptr(len(log))}
	if r := d.api.cuModuleLoadDataEx(&d.module, &image[0], 2, &opts[0], &vals[0]); r != 0 {
		msg := string(log)
		for i, c := range log {
			if c == 0 {
				msg = string(log[:i])
				break
			}
		}
		return fmt.Errorf("loading the kernels' PTX: %v: %s", d.check("cuModuleLoadDataEx", r), msg)
	}
	for i, name := range kernelNames {
		if err := d.check("cuModuleGetFunction "+name, d.api.cuModuleGetFunction(&d.fns[i], d.module, name)); err != nil {
			return err
		}
	}
	return nil
}

// check turns a CUresult into an error naming the call.
func (d *cudaDevice) check(call string, r uint32) error {
	if r == 0 {
		return nil
	}
	var s unsafe.Pointer
	msg := "unknown error"
	if d.api.cuGetErrorString(r, &s) == 0 && s != nil {
		b := make([]byte, 0, 64)
		for p := s; *(*byte)(p) != 0 && len(b) < 512; p = unsafe.Add(p, 1) {
			b = append(b, *(*byte)(p))
		}
		msg = string(b)
	}
	return fmt.Errorf("cuda: %s failed: %s (CUresult %d)", call, msg, r)
}

// do runs f on the owner goroutine and waits for it.
func (d *cudaDevice) do(f func() error) error {
	done := make(chan error, 1)
	d.calls <- func() { done <- f() }
	return <-done
}

func (d *cudaDevice) name() string {
	if d.label == "" {
		return fmt.Sprint("cuda", d.ordinal)
	}
	return d.label
}

func (d *cudaDevice) alloc(bytes int) (uintptr, error) {
	var p uintptr
	err := d.do(func() error { return d.check("cuMemAlloc", d.api.cuMemAlloc_v2(&p, uintptr(bytes))) })
	return p, err
}

func (d *cudaDevice) free(p uintptr) {
	_ = d.do(func() error { return d.check("cuMemFree", d.api.cuMemFree_v2(p)) })
}

func (d *cudaDevice) htod(dst uintptr, src unsafe.Pointer, bytes int) error {
	return d.do(func() error { return d.check("cuMemcpyHtoD", d.api.cuMemcpyHtoD_v2(dst, src, uintptr(bytes))) })
}

func (d *cudaDevice) dtoh(dst unsafe.Pointer, src uintptr, bytes int) error {
	return d.do(func() error { return d.check("cuMemcpyDtoH", d.api.cuMemcpyDtoH_v2(dst, src, uintptr(bytes))) })
}

func (d *cudaDevice) dtod(dst, src uintptr, bytes int) error {
	return d.do(func() error { return d.check("cuMemcpyDtoD", d.api.cuMemcpyDtoD_v2(dst, src, uintptr(bytes))) })
}

// launch pins the argument struct and the one-entry parameter array for
// the call; the driver copies the parameters before cuLaunchKernel returns.
func (d *cudaDevice) launch(k kernel, grid, block int, args unsafe.Pointer) error {
	return d.do(func() error {
		params := [1]unsafe.Pointer{args}
		var pin runtime.Pinner
		pin.Pin(args)
		pin.Pin(&params[0])
		defer pin.Unpin()
		r := d.api.cuLaunchKernel(d.fns[k], uint32(grid), 1, 1, uint32(block), 1, 1, 0, 0, &params[0], nil)
		return d.check("cuLaunchKernel "+kernelNames[k], r)
	})
}

// close unloads the module, releases the primary context and stops the
// owner goroutine.
func (d *cudaDevice) close() error {
	err := d.do(func() error {
		e1 := d.check("cuCtxSynchronize", d.api.cuCtxSynchronize())
		e2 := d.check("cuModuleUnload", d.api.cuModuleUnload(d.module))
		e3 := d.check("cuDevicePrimaryCtxRelease", d.api.cuDevicePrimaryCtxRelease_v2(d.ordinal))
		for _, e := range []error{e1, e2, e3} {
			if e != nil {
				return e
			}
		}
		return nil
	})
	close(d.calls)
	return err
}
