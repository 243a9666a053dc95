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
//	frozen_proposer.yaml  frozen vs co-evolving proposer (label verifier behind the executor check):
//	                      the frozen one's training reward saturates and held-out progress stops
//	rzero_labels.yaml     R-Zero's uncertainty reward with majority-vote pseudo-labels vs true
//	                      labels: pseudo-label accuracy falls as the challenger hardens
//	ssp_penalty.yaml      SSP (shared model, one-sample REINFORCE) with invalid reward 0 vs −0.1:
//	                      the reported "death spiral" is not reproduced (see the file)
//	schedules.yaml        joint updates vs offline alternation with a replay buffer (PasoDoble)
//	teachers.yaml         uniform, SEC and ALP-GMM teachers vs a learnability proposer
//
// Run one with, for instance,
//
//	selfplay dualplay run examples/dualplay/naive_vs_gated.yaml --out runs/gated
//	selfplay compare --metric pass_at_1 --higher-better runs/gated
//
// runner_test.go checks that every file loads and runs a few steps.
//
// # Scenario tests
//
// The files are the experiments: scenario_test.go loads each scenario's
// file with agents.LoadDualPlayExperiment, checks the settings its claim
// rests on, runs it with agents.RunDualPlayExperiment over the file's
// seeds (at least 5; what "selfplay dualplay run" does, without the
// outputs) and asserts the outcome on the mean and a 95% Student-t
// interval of a per-seed statistic (paired by seed when two methods are
// compared):
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
package dualplay
