//go:build linux

package cuda

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"
)

// hostDevice is the device interface over engine.cu compiled for the host:
// "device memory" is pinned Go memory and a launch runs every thread of
// the grid in turn (kernels/host_launch.c).
type hostDevice struct {
	lib  uintptr
	fns  [len(kernelNames)]uintptr
	size uintptr // host_sizeof
	bufs map[uintptr][]byte
	pin  runtime.Pinner
}

// newHostDevice compiles the kernels with gcc into a temporary shared
// library and loads it.
func newHostDevice(t *testing.T) *hostDevice {
	t.Helper()
	gcc := requireTool(t, "gcc")
	so := filepath.Join(t.TempDir(), "libengine.so")
	cmd := exec.Command(gcc, "-x", "c", "-std=gnu11", "-O2", "-Wall", "-Werror", "-fPIC", "-shared",
		filepath.Join("kernels", "host_launch.c"), "-o", so, "-lm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	lib, err := purego.Dlopen(so, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		t.Fatal(err)
	}
	d := &hostDevice{lib: lib, bufs: map[uintptr][]byte{}}
	for i, name := range kernelNames {
		if d.fns[i], err = purego.Dlsym(lib, "host_"+name); err != nil {
			t.Fatal(err)
		}
	}
	if d.size, err = purego.Dlsym(lib, "host_sizeof"); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *hostDevice) name() string { return "host-emulated" }

func (d *hostDevice) alloc(bytes int) (uintptr, error) {
	words := make([]float64, (bytes+7)/8) // 8-byte aligned, like device memory
	d.pin.Pin(&words[0])
	b := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), 8*len(words))
	p := uintptr(unsafe.Pointer(&b[0]))
	d.bufs[p] = b
	return p, nil
}

func (d *hostDevice) free(p uintptr) { delete(d.bufs, p) }

// mem returns the n bytes at device address p, which may point inside a
// buffer.
func (d *hostDevice) mem(p uintptr, n int) ([]byte, error) {
	for base, b := range d.bufs {
		if p >= base && p+uintptr(n) <= base+uintptr(len(b)) {
			off := int(p - base)
			return b[off : off+n], nil
		}
	}
	return nil, fmt.Errorf("host device: no buffer holds [%#x, +%d)", p, n)
}

func (d *hostDevice) htod(dst uintptr, src unsafe.Pointer, n int) error {
	m, err := d.mem(dst, n)
	if err == nil {
		copy(m, unsafe.Slice((*byte)(src), n))
	}
	return err
}

func (d *hostDevice) dtoh(dst unsafe.Pointer, src uintptr, n int) error {
	m, err := d.mem(src, n)
	if err == nil {
		copy(unsafe.Slice((*byte)(dst), n), m)
	}
	return err
}

func (d *hostDevice) dtod(dst, src uintptr, n int) error {
	a, err := d.mem(dst, n)
	if err != nil {
		return err
	}
	b, err := d.mem(src, n)
	if err == nil {
		copy(a, b)
	}
	return err
}

func (d *hostDevice) launch(k kernel, grid, block int, args unsafe.Pointer) error {
	purego.SyscallN(d.fns[k], uintptr(args), uintptr(grid), uintptr(block))
	return nil
}

func (d *hostDevice) close() error {
	d.pin.Unpin()
	clear(d.bufs)
	return nil
}

// TestHostEmulatedKernels runs the GPU backend, kernels included, on the
// host and checks every operation against the scalar reference. The
// kernels compute in float32, hence the tolerance.
func TestHostEmulatedKernels(t *testing.T) {
	g := newGPU(newHostDevice(t))
	defer g.Close()
	conformance(t, g, 1e-5)
}

// TestHostEmulatedMatchesCPU compares the two backends on one larger
// random batch, step after step.
func TestHostEmulatedMatchesCPU(t *testing.T) {
	g := newGPU(newHostDevice(t))
	defer g.Close()
	c := NewCPU(2)
	defer c.Close()
	if err := matchBackends(t, c, g, 1e-5); err != nil {
		t.Fatal(err)
	}
}

// TestKernelArgSizes checks that the Go argument structs have the C sizes
// (host compiler) and the sizes the PTX declares for the kernel parameter.
func TestKernelArgSizes(t *testing.T) {
	goSizes := [...]uintptr{
		kMirror: unsafe.Sizeof(mirrorArgs{}), kMeasure: unsafe.Sizeof(measureArgs{}),
		kWinRates: unsafe.Sizeof(winRatesArgs{}), kMixLog: unsafe.Sizeof(mixArgs{}),
		kPartialSums: unsafe.Sizeof(sumArgs{}), kZeroSum: unsafe.Sizeof(zeroSumArgs{}),
	}
	ptx := ptxParamSizes(enginePTX)
	for k, name := range kernelNames {
		if ptx[name] != int(goSizes[k]) {
			t.Errorf("%s: Go struct is %d bytes, PTX parameter %d", name, goSizes[k], ptx[name])
		}
	}
	if len(ptx) != len(kernelNames) {
		keys := make([]string, 0, len(ptx))
		for k := range ptx {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("PTX entries %v, want exactly %v", keys, kernelNames)
	}
	d := newHostDevice(t)
	for k, name := range kernelNames {
		got, _, _ := purego.SyscallN(d.size, uintptr(k))
		if got != goSizes[k] {
			t.Errorf("%s: Go struct is %d bytes, C sizeof %d", name, goSizes[k], got)
		}
	}
}

// ptxParamSizes maps each .entry to the byte size of its single parameter.
func ptxParamSizes(ptx string) map[string]int {
	sizes := map[string]int{}
	var name string
	for _, line := range strings.Split(ptx, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, ".visible .entry "); ok {
			name = strings.TrimSuffix(rest, "(")
			continue
		}
		if name == "" {
			continue
		}
		var size int
		if rest, ok := strings.CutPrefix(line, ".param .align 8 .b8 "+name+"_param_0["); ok {
			if _, err := fmt.Sscanf(rest, "%d]", &size); err == nil {
				sizes[name] = size
			}
		}
		name = ""
	}
	return sizes
}
