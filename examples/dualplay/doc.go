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
//
// # Scenario tests
//
// scenario_test.go asserts each scenario's outcome over 5 seeds on the mean
// and a 95% Student-t interval of a per-seed statistic (paired by seed
// when two methods are compared), with configs built in Go from the
// library's defaults:
//
//	TestScenarioNaiveVsGated              naive valid rate falls below 0.3 and pass@1 stalls;
//	                                      PasoDoble and Absolute Zero end with higher valid rate and pass@1
//	TestScenarioLearnabilityTracksFrontier solve rate of proposed tasks stays near ½ while ability
//	                                      grows and the reference solver finds them harder
//	TestScenarioFrozenProposerSaturates   training reward on checked tasks saturates near 0.9,
//	                                      pass@1 stalls; the co-evolving proposer ends ahead
//	TestScenarioRZeroLabelAccuracyFalls   majority-vote label accuracy falls
//	TestScenarioSSPInvalidPenalty         SSP's −0.1 penalty with one-sample REINFORCE: no
//	                                      collapse of the valid rate (see the test for why)
//
// The frozen-proposer and SSP tests use SSP's settings, which the YAML files
// do not yet carry: validity_check exact with the label verifier for the
// frozen control, and shared_model with proposer_advantage none for SSP.
package dualplay
