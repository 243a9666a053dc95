// Package dualplay holds the shipped proposer/solver self-play experiments,
// YAML files for "selfplay dualplay run" (format: 'selfplay dualplay run
// -h' and agents.DualPlayExperiment). Each compares methods over 5 seeds on
// the default task space (4 categories × 12 difficulty cells), 256 tasks
// × 8 attempts a step:
//
//	naive_vs_gated.yaml   naive 1 − p proposer reward vs PasoDoble and Absolute Zero: the naive
//	                      proposer drifts to invalid tasks and held-out pass@1 stalls; gating does not
//	learnability.yaml     Absolute Zero's learnability (shaped and bare) vs naive: proposed tasks stay
//	                      near the solver's frontier while its ability grows
//	frozen_proposer.yaml  frozen vs co-evolving proposer (exact verifier): the frozen one's solver
//	                      reward saturates and held-out progress stops
//	rzero_labels.yaml     R-Zero's uncertainty reward with majority-vote pseudo-labels vs true
//	                      labels: pseudo-label accuracy falls as the challenger hardens
//	ssp_penalty.yaml      SSP with invalid reward 0 vs −0.1 (the reported "death spiral")
//	schedules.yaml        joint updates vs offline alternation with a replay buffer (PasoDoble)
//	teachers.yaml         uniform, SEC and ALP-GMM teachers vs a learnability proposer
//
// Run one with, for instance,
//
//	selfplay dualplay run examples/dualplay/naive_vs_gated.yaml --out runs/gated
//	selfplay compare --metric pass_at_1 --higher-better runs/gated
//
// runner_test.go checks that every file loads and runs a few steps; the
// scenario outcomes are asserted separately.
package dualplay
