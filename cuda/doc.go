// Package cuda runs batched policy updates and their measures for many
// small games at once, behind the Backend interface: a CPU backend (the
// default, always available) and a GPU backend whose kernels are loaded
// through the CUDA driver at run time, so building needs neither a CUDA
// toolkit nor cgo.
//
// Package cuda depends on nothing else in selfplay.
package cuda
