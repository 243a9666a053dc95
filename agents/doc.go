// Package agents holds the learners of selfplay: policies (tabular softmax
// per context, log-linear) and the update rules that train them, the Nash
// learning from human feedback family and the proposer/solver learners of
// dual-play curricula, one rule per file.
package agents
