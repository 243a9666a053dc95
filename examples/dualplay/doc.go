// Package dualplay holds the shipped proposer/solver self-play experiments,
// YAML files for "selfplay dualplay run" (format: 'selfplay dualplay run
// -h' and agents.DualPlayExperiment). Each compares methods over at least
// 5 seeds, 256 tasks × 8 attempts a step, on the default task space (4
// categories × 12 difficulty cells) unless its file says otherwise:
//
//	naive_vs_gated.yaml   naive 1 − p proposer reward vs PasoDoble and Absolute Zero: the naive
//	                      proposer drifts to invalid tasks and held-out pass@1 stalls; gating does not
//	learnability.yaml     Absolute Zero's learnability (shaped and bare) vs naive: proposed tasks stay
//	                      near the solver's frontier while its ability grows
//	frozen_proposer.yaml  frozen vs co-evolving proposer (label verifier behind the executor check):
//	                      the frozen one's training reward saturates and held-out progress stops
//	rzero_labels.yaml     R-Zero's uncertainty reward with majority-vote pseudo-labels vs true
//	                      labels: pseudo-label accuracy falls as the challenger hardens
//	ssp_penalty.yaml      SSP (shared model, one-sample REINFORCE) with invalid reward 0 vs −0.1,
//	                      format tokens sampled top-p, Adam: the "death spiral" (strong solver from
//	                      the start), with on-policy and SGD controls
//	ssp_late.yaml         the same from the default solver, 5000 steps: the spiral sets in late, once
//	                      the solver has caught up and the mean proposer reward turned negative
//	schedules.yaml        joint updates vs offline alternation with a replay buffer (PasoDoble);
//	                      the replayed alternation is not more stable (see Scenario 6 below)
//	alternation.yaml      joint vs alternation on fresh and on replayed tasks in a categories-only
//	                      space (10 seeds): fresh alternation damps the category rotation
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
//	TestScenarioSSPInvalidPenalty         SSP's −0.1 penalty with one-sample REINFORCE, top-p format
//	                                      tokens and Adam: valid rate collapses to 0; not with reward 0,
//	                                      not on-policy (top_p 1), not with SGD
//	TestScenarioSSPLateOnset              from the default solver: every seed collapses with −0.1,
//	                                      each after its mean reward turned negative; none with 0
//	TestScenarioAlternationStable         fresh alternation ends with a smaller spread of ability
//	                                      across categories than joint and replayed alternation
//	                                      where coupling nears forgetting; no difference where it is weak
//	TestScenarioAlternationCoupling       the linearization's coupling A·B, measured in the simulator,
//	                                      is about λ at alternation.yaml's lr 10 and below λ/3 at lr 1
//
// # Scenario 5: the death spiral needs a biased estimator
//
// SSP trains its proposer by REINFORCE on one sample without a baseline,
// so a −0.1 reward on invalid proposals is not cancelled by a group mean,
// and reports a "death spiral" with it: entropy up, valid rate → 0. The
// REINFORCE step is an unbiased estimate of ∇E[r], and E[r] with the
// penalty is E[r] without it minus 0.1·P(fail the check), so an unbiased
// small-step learner only moves away from invalid tasks. A spiral needs
// (1) a negative mean proposer reward R̄ (possible only with the penalty),
// (2) an estimator or optimizer that, when R̄ < 0, raises outputs it does
// not sample, and (3) outputs where "flatter" means malformed.
//
// What did not do it, in the SSP setting of ssp_penalty.yaml (5 seeds):
//   - a per-sample length-normalized loss (GRPO's (1/|o|)·Σ_t, verl's
//     seq-mean-token-mean): REINFORCE then follows ∇E[r/L], and length
//     pays only where R̄ at the shortest length is negative; it never was
//     (minimum over steps 0.007 to 0.078 with −0.1), and with length tied
//     to difficulty or chosen freely the valid rates of the two rewards
//     stayed within 0.04 (0.88 to 0.94), the proposer choosing short tasks;
//   - top-p sampling over the 48 task cells with 1000 malformed outputs
//     appended to the cell softmax (2% initial mass), SGD and Adam (lr
//     0.01, 0.05), in the forced regime below: R̄ < 0 and the cell entropy
//     rose to 3.6–3.7 of ln 48 = 3.87 nats (the "entropy up" half, also
//     without truncation), but the valid rate did not fall (0.70–0.75)
//     and malformed outputs peaked at 3%. A nucleus member earning about
//     R̄ moves by lr·π·R̄·(1/P − 1), P the nucleus mass, so the bias is
//     proportional to the excluded mass and the cells absorb the
//     flattening.
//
// What does: format tokens (proposer.format_tokens). An LLM proposal is
// hundreds of nearly deterministic tokens, each with its own tail of wrong
// ones; the rollout engine truncates (top-p, or a bf16 engine never emits
// the trainer's least likely tokens) and the optimizer is Adam. In the
// model a proposal carries L positions, each a softmax over V tokens
// (right token at g0 = 0.999, V − 1 = 999 wrong ones), sampled from the
// top-p nucleus; the proposal parses only if all are right (else it is
// malformed: Invalid, never trained on, reward invalid_reward), and its
// advantage applies to every position's log-probability under the full
// softmax. When R̄ < 0 and g ≥ top_p only the right token is sampled, so
// its logit gets R̄·(1 − g) < 0 per step and each wrong one −π_b·R̄ > 0.
// Under SGD that drift is ∝ 1 − g ≈ 0.001: the format entropy of the SGD
// control does not move in 600 steps. Under Adam a gradient of
// consistent sign moves a parameter by about lr per step
// (TestFormatDriftUnderNegativeReward), so the gap between the right and
// the wrong logits, ln(g·999/(1 − g)) = 13.8 at the start and 9.1 at g =
// 0.9, closes in tens of steps of negative R̄, at every position at once.
// The run shows that sequence: first the unsampled tail rises (format
// entropy, of the full softmax, from 0.2 to about 1 nat with not one
// malformed proposal sampled), then the right tokens cross top_p and
// within 10 to 20 steps the batch goes from 0 to 256 of 256 malformed,
// R̄ = −0.1 exactly, every sampled token is lowered, and the format
// entropy climbs to 6.7 of ln 1000 = 6.91 nats: the spiral is absorbing.
// With reward 0, R̄ > 0 and the right tokens only rise; on-policy (top_p
// 1) the wrong tokens are sampled and penalized, the estimate is unbiased
// and they fall too.
//
// The regime. R̄ < 0 needs a solver that solves almost every valid task
// the proposer can write, which takes training: over the first 600
// steps at the task and solver defaults R̄ stays positive with −0.1
// (minimum 0.002 to 0.043 per run over L 8 and 32, top_p 0.9 and 0.95,
// Adam lr 0.01 and 0.05), the format only sharpens (last-quarter valid
// rates 0.92 to 0.94, no malformed proposal sampled under truncation).
// Run longer and it comes. With every task and solver default and
// ssp_late.yaml's proposer, R̄ with −0.1 hovers around 0 from step 1500 or
// so (non-unique tasks that pass the check still pay the proposer), and
// over 8000 steps 4 of 5 seeds collapse, at steps 5800 to 6850 (the
// fifth's R̄ reached −0.017); with invalid reward 0 none does (minimum R̄
// 0.002 to 0.005 after step 500). A check that exposes invalid tasks
// (task.retrieval_expose 0.5) and broken tasks that are all invalid (task
// invalid_share 1, leak_share 0, non_unique_share 0) make R̄ clearly
// negative once the solver has caught up, and ssp_late.yaml, which sets
// just these, collapses every seed within 5000 steps: early on both
// rewards keep the valid rate high (0.76 over the first 200 steps, 0.005
// [−0.020, 0.030] below the zero-reward run); as the solver's ability
// passes the task space (about 4 logits) valid tasks pay almost nothing
// and the 50-step mean reward with −0.1 turns negative (steps 840 to
// 1479 over the 5 seeds); the format tokens drift, and each seed
// collapses some 2000 steps later (more than half the batch malformed at
// steps 2718 to 3479), for good: last-10% valid rate 0.000 with −0.1,
// 0.948 with 0, whose mean reward is never negative
// (TestScenarioSSPLateOnset, about 30 s, skipped with -short). Whether
// SSP's runs reached such a regime is not reported. ssp_penalty.yaml and
// the grid below take ssp_late.yaml's task settings and start the solver
// at ability 3, so that a few hundred steps suffice; there R̄ hovers
// within ±0.01 of 0 with −0.1 (above 0.015 with 0). The grid (5 seeds,
// 600 steps, last quarter):
//
//	Adam lr  L   top_p   −0.1: seeds collapsed, valid, malformed   0: valid   top_p 1: valid   SGD: valid
//	0.05     8   0.9     5/5  0.00  100%                           0.76       0.68             0.74
//	0.05     8   0.95    3/5  0.24   60%                           0.76       0.68             0.74
//	0.05     32  0.9     3/5  0.29   55%                           0.79       0.67             0.74
//	0.05     32  0.95    4/5  0.13   80%                           0.79       0.67             0.74
//	0.01     8   0.9     0/5  0.62   14%                           0.57       0.72             0.74
//	0.01     8   0.95    0/5  0.66    9%                           0.57       0.72             0.74
//	0.01     32  0.9     0/5  0.67    8%                           0.60       0.72             0.74
//	0.01     32  0.95    0/5  0.50   32%                           0.60       0.72             0.74
//
// (a seed "collapsed" when its last-quarter valid rate is below 0.2. At lr
// 0.01 the drift is five times slower and the onsets fall inside the
// last quarter: in the L 32, top_p 0.95 cell every seed emits malformed
// proposals by step 600, three a full batch.) The controls never emit
// more than 1% malformed proposals. ssp_penalty.yaml ships the first row at 500
// steps (collapse onsets at steps 130 to 340); TestScenarioSSPInvalidPenalty
// asserts, paired by seed over the last quarter: valid rate with −0.1
// 0.000 (interval below 0.1), 0.71 [0.56, 0.86] below the zero-reward
// run, 0.65 [0.60, 0.69] below on-policy, 0.73 [0.73, 0.74] below SGD;
// format entropy up 6.6 nats. So the spiral is a property of the
// optimizer and the sampler, not of the reward alone: the penalty makes
// R̄ negative, truncation makes the sampled format tokens the only ones
// penalized, and Adam makes the resulting consistent drift fast.
//
// # Scenario 6: alternation is more stable where the model predicts it
//
// The issue's sixth scenario: "offline alternation is more stable (lower
// variance across seeds) than joint updates where the model predicts it".
// The model predicts it for one kind of alternation only.
//
// Mechanism. Linearize the category dynamics around the symmetric state:
// u is a category's proposer logit deviation, θ the solver's ability
// deviation in it. A proposer paid for unsolved tasks leaves the solver's
// strong categories, u' = u − Aθ per proposer step; the solver gains where
// tasks are proposed and forgets (solver.forgetting λ), θ' = (1 − λ)θ +
// Bu per solver step. Joint updates use the same state for both: M =
// [[1, −A], [B, 1 − λ]], det M = 1 − λ + AB, complex eigenvalues once AB >
// λ²/4, so the category rotation is damped only while λ > AB, and its
// noise-driven amplitude grows like 1/(λ − AB) as the coupling nears the
// forgetting (past it the rotation grows until the proposer's softmax
// saturates onto one category, from which REINFORCE with a baseline
// cannot return: the simultaneous-update divergence of bilinear games,
// Gidel et al. 2019, Bailey, Gidel & Piliouras 2020). Alternation of k
// proposer and j solver steps whose solver trains on the updated
// proposer's tasks (schedule.solver_tasks fresh) is Gauss–Seidel: u' = u −
// kAθ, θ' = (1 − λ)^j θ + jB'u' (B' ≈ B for small λj), det =
// (1 − λ)^j ≈ 1 − λj at any coupling, damped as long as its trace stays
// above −(1 + det), jkAB < 4 − 2λj roughly. Alternation that replays the
// proposer phase's tasks (solver_tasks replay, PasoDoble's offline mode)
// trains the solver on a proposer m steps into its phase, u − mAθ with m ≤
// k − 1 (a batch is proposed before its step's update; a buffer of 4
// batches holds the phase's last ones), so with lag k − m ≥ 1: det = 1 −
// λj + j(k − m)AB ≥ 1 − λj + jAB, per solver update no better than joint.
//
// Where to look. The category game needs a proposer that can only answer
// the solver by changing category. With difficulty cells (the default
// space) the log-linear proposer follows the solver's level within each
// category instead, the categories' rewards equalize, and the category
// shares drift by sampling noise alone; with the naive reward it also
// drifts to hard invalid cells. alternation.yaml therefore has one cell ½
// logit wide per category, naive 1 − p, forgetting 0.02 and proposer lr
// 10. TestScenarioAlternationCoupling measures A and B in the simulator
// at these settings, with u_c = log π_c − mean log π (here the proposer's
// log-linear weight u_c minus the mean) and θ_c − mean θ: central
// differences of one joint step, ±0.1 in one category (solver abilities
// via init_abilities for A; the proposer's logits by one SGD step along
// e_c − π for B), common random numbers within a pair, 400 independent
// simulations (mean ± standard error), at the symmetric state the runs
// settle at (mean ability 0.87, uniform proposer). A = 0.113·lr ± 0.0016·lr
// per proposer step (1.129 ± 0.016 at lr 10), B = 0.0169 ± 0.0003 per
// solver step, so AB = 0.0191 ± 0.0005 = 0.96λ at lr 10, 0.0057 ± 0.0001 =
// 0.29λ at lr 3 and 0.0019 ± 0.00004 = 0.10λ at lr 1: at the damping
// boundary at lr 10, ≪ λ at lr 1. Both agree with oracles from the game's
// exported pieces, A = lr·(1/C)·(−dR/dθ)/σ_r (REINFORCE on whitened naive
// rewards R; 1.125 at lr 10) and B = (1 − λ)·lr_s·E[I·ρ]/C (0.0173). At the
// start (θ = 0, p nearer ½) both are larger, A = 1.68 ± 0.02 at lr 10, B =
// 0.0251 ± 0.0005, AB = 0.042 ± 0.001 = 2.1λ, for the first ~100 steps
// until the abilities level off. (An earlier rough estimate, A ≈ 0.24·lr
// and B ≈ 0.005, was off by factors of 2 and 3.4 in opposite directions.)
//
// The statistic, declared from the theory before any run: per seed, the
// final dispersion of ability across categories, RMS_c (θ_c − mean θ),
// after 300 solver updates in every run (alternation 1 + 1 runs 600
// steps). Measured over 20 seeds (mean ± s.d. over seeds; paired
// differences with 95% t intervals):
//   - lr 10, λ 0.02: joint 0.208 ± 0.078, fresh 0.129 ± 0.059, replay
//     0.269 ± 0.067; joint − fresh 0.079 [0.039, 0.120], replay − joint
//     0.061 [0.016, 0.106]. Final pass@1 across seeds follows: s.d. 0.0063
//     (joint), 0.0027 (fresh), 0.0044 (replay), variance ratio joint/fresh
//     5.4.
//   - lr 1, λ 0.02 (AB ≪ λ): 0.033, 0.035, 0.035; joint − fresh −0.001
//     [−0.013, 0.011]; lr 3: 0.069, 0.064, 0.086, joint − fresh 0.005
//     [−0.008, 0.017]. The difference vanishes, as predicted.
//   - λ 0.1 (more forgetting): lr 10 joint − fresh shrinks to 0.028
//     [0.002, 0.054]; lr 1 and 3 no difference.
//   - Not everywhere: fresh alternation with k = 10, j = 5 at lr 10, λ
//     0.02 is not significantly better than joint (0.175 vs 0.208, joint −
//     fresh 0.033 [−0.012, 0.078]): ten proposer steps against a frozen
//     solver push the softmax far toward its corner (category entropy 0.40
//     against joint's 0.49), the nonlinearity the linear analysis leaves
//     out. In the default 12-cell space (naive or PasoDoble rewards, lr 3
//     to 100, λ 0 and 0.01, 12 seeds) we found no consistent difference.
//
// TestScenarioAlternationStable runs alternation.yaml (10 seeds) and
// asserts the lr-10 paired differences joint − fresh and replay − fresh
// above 0, that difference larger than at lr 1, and the lr-1 difference
// within ±0.03.
//
// The replay-buffer result is the prediction's other side. An earlier
// attempt compared joint updates with replayed alternation (k = 10, j = 5,
// reuse 3) on the default space: final held-out pass@1, 20 seeds per
// method, joint for 150 steps and alternating for 450 (equal solver
// updates), PasoDoble's and Absolute Zero's rewards, batches of 32 and
// 256, proposer lr 3 (the default), 30, 100 and 300 without forgetting,
// and lr 30, 100 and 300 with solver forgetting 0.005 and 0.02. With lr 3
// alternation's spread was 1.7 to 6 times joint's (variance ratio
// joint/alternating 0.03 to 0.36). With lr 30 to 300 the ratio scattered
// on both sides of 1 (0.17 to 3.1 over the 36 settings, with no pattern in
// lr, batch or forgetting); a two-sided F test over 20 + 20 seeds needs a
// ratio above 2.5 or below 0.4: three fell below 0.4 (alternation less
// stable), and the only one above 2.5 (3.1, Absolute Zero, lr 100, batch
// 32, forgetting 0.005) compared spreads of 0.002 and 0.001, no more than
// chance among 36 comparisons. Replayed tasks lag the proposer, so the
// model never predicted a gain there; schedules.yaml keeps that setting.
package dualplay
