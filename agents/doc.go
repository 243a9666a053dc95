// Package agents holds the learners of selfplay: policies (tabular softmax
// per context, log-linear) and the update rules that train them, the Nash
// learning from human feedback family and the proposer/solver learners of
// dual-play curricula, one rule per file.
//
// # Nash learning from human feedback
//
// An Env loads a game.Preference and a reference policy on a cuda.Backend;
// policies are K×B tensors of log-probabilities. Algorithms() lists the
// learners (RLHF with a Bradley–Terry reward, DPO, IPO, SPO, SPPO, DNO,
// Nash-MD, Nash-MD-PG, Nash-EMA-PG, OMD/INPO, ONPO, EGPO, Nash-MP, MMD,
// MNPO with its ideal, TD and heterogeneous variants), each with
// documented parameters and defaults; parameters marked Unverified follow
// values algorithms.md could not pin to a primary source — for example
// Nash-EMA-PG's opponent recursion θ̄ ← β·θ̄ + (1−β)·θ, whose rate is the
// option ema (default 0.999, one of the card's two values). Every learner
// runs in the Exact mode (expected updates from P, through the backend's
// generic mirror step wherever the rule is one) and the Sampled mode
// (sampled responses and Bernoulli judgements through the paper's sample
// loss, with per-context generators seeded from Options.Seed, so results
// do not depend on scheduling). Policies are Tabular or LogLinear (targets
// projected onto the feature span by weighted least squares).
//
// Ground truth is exact: RegularizedNash solves π*_τ to NashTolerance,
// MaximalLotteries gives the unregularized Nash via package nash, and an
// Evaluator measures duality gaps, exploitability, KLs, win rates and mass
// on the voting winners; WinRateMatrix and NPlayerGap complete the set. A
// Trainer keeps the running-average policy (an average of distributions).
// Experiment files (LoadExperiment, RunExperiment) describe games,
// algorithms, seeds and logging for "selfplay nlhf run".
package agents
