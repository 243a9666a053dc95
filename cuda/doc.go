// Package cuda runs batched policy updates and their measures for many
// small games at once, behind the Backend interface: a CPU backend (the
// default, always available) and a GPU backend whose kernels are loaded
// through the CUDA driver at run time, so building needs neither a CUDA
// toolkit nor cgo.
//
// A batch is B contexts (prompts, seeds, games) × K responses, stored as
// structure-of-arrays Tensors: K×B for policies (log-probabilities), with
// the contexts of one response contiguous. The operations are the ones every
// tabular NLHF algorithm is made of: the generic mirror step (Step), win
// rates against opponent mixtures, exact duality gaps, exploitability and KL
// to the reference (Measure), mixtures of policies (MixLog, for average
// iterates), means over contexts, and batched (optimistic) multiplicative
// weights for two-player zero-sum matrix games (ZeroSum).
//
// Package cuda depends on nothing else in selfplay.
package cuda
