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
// DNO-Prct, Nash-MD, Nash-MD-PG, Nash-EMA-PG, OMD/INPO, ONPO, EGPO,
// Nash-MP, MMD, MNPO with its ideal, TD and heterogeneous variants), each
// with documented parameters and defaults; parameters marked Unverified
// follow values algorithms.md could not pin to a primary source — for
// example Nash-EMA-PG's opponent recursion θ̄ ← β·θ̄ + (1−β)·θ, whose rate
// is the option ema (default 0.999, one of the card's two values), or
// DNO-Prct's group size, DPO temperature and margin. Every learner runs in
// the Exact mode (expected updates from P, through the backend's generic
// mirror step wherever the rule is one) and the Sampled mode (sampled
// responses and Bernoulli judgements through the paper's sample loss, with
// per-context generators seeded from Options.Seed, so results do not
// depend on scheduling). Where a paper has no expected update, the exact
// mode is a documented analogue: DNO-Prct's takes the expectation over the
// K draws in closed form with every response scored by its exact win rate
// against π_t. Policies are Tabular or LogLinear (targets projected onto
// the feature span by weighted least squares).
//
// Ground truth is exact: RegularizedNash solves π*_τ to NashTolerance,
// MaximalLotteries gives the unregularized Nash via package nash, and an
// Evaluator measures duality gaps, exploitability, KLs, win rates and mass
// on the voting winners; WinRateMatrix and NPlayerGap complete the set. A
// Trainer keeps the running-average policy (an average of distributions).
// Experiment files (LoadExperiment, RunExperiment) describe games,
// algorithms, seeds and logging for "selfplay nlhf run".
//
// # Dual-play building blocks
//
// The reward schemes of proposer/solver self-play follow algorithms.md §6
// on plain numbers: a TaskOutcome (attempts, verifier-accepted count,
// format/validity/leak verdicts, diversity, repetition cluster and batch
// size) is scored by a ProposerReward — naive 1 − p, Absolute Zero
// learnability with format-aware shaping, R-Zero uncertainty minus the
// repetition penalty (code and paper variants), PasoDoble with its
// validity and diversity thresholds, SSP with a configurable invalid
// penalty — built by NewProposerReward from a name and parameters; a
// SolverReward scores attempts and filters tasks to the learnable band
// (PasoDoble, R-Zero). GroupAdvantages computes GRPO and Dr.GRPO
// advantages over a batch of groups without allocating and counts the
// effective groups; KeyedNormalizer gives Absolute Zero's TRR++ per-batch
// baselines per task type × role. Teachers (NewTeacher) are curricula
// without a proposer: uniform, SEC (a Boltzmann bandit over categories,
// TD(0) on mean |advantage|; its α and T are unverified defaults) and
// ALP-GMM (absolute learning progress, full-covariance EM, AIC).
//
// DualPlaySim puts them together on a game.TaskSpace (DualPlayConfig, every
// field documented with its default): a DualProposer (log-linear or
// tabular softmax over task cells, REINFORCE on GRPO, Dr.GRPO or TRR++
// advantages) or a teacher proposes a batch, a DualSolver attempts each
// task M times, the verifier (exact, the proposer's label, or a majority
// vote) and the validity checks (exact, retrieval, leak) feed the reward
// schemes, and the solver's ability moves by the information-weighted
// agreement of rewards with skill (wrong labels lower it; unanimous groups
// teach nothing). Schedules: joint, alternating (the solver phase replays
// the proposer phase's tasks or trains on fresh ones), or a
// frozen proposer; one model in both roles (validity follows ability) or
// two. DualMetrics gives held-out pass@1 and pass@k, ability, difficulty
// for a frozen reference solver, band share, valid rate and hacking
// counters, pseudo-label accuracy, diversity and effective-group ratio per
// step; DualPopulation keeps snapshots for cross-evaluation.
package agents
