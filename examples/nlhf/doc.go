// Package nlhf holds the shipped Nash-learning-from-human-feedback
// experiments, YAML files for "selfplay nlhf run", and the tests that run
// each of them and assert the outcome it is meant to reproduce:
//
//	egpo_tau0.1.yaml      EGPO protocol at τ = 0.1: MMD, EGPO, OMD reach gap < 1e-6; Nash-MD with a
//	                      constant step stalls in its O(η/τ) ball (smaller for smaller η); with
//	                      η_t = 2/(τ(t+2)) it meets KL(π*‖π_T) ≤ 8/(τ²(T+1)); sampled EGPO,
//	                      Nash-MD and OMD approach their exact counterparts as samples grow
//	egpo_tau0.01.yaml     EGPO protocol at τ = 0.01: MMD and EGPO reach gap < 1e-6
//	egpo_tau0.001.yaml    EGPO protocol at τ = 0.001: EGPO and MMD reach gap < 1e-6
//	three_annotators.yaml NLHF's three rater types: RLHF-BT ends deterministic on the Borda winner
//	                      and is exploitable; MMD reaches π*_τ; the maximal lottery is mixed
//	cyclic.yaml           unregularized cyclic game: MW/SPO cycles in the last iterate while its
//	                      average converges; optimistic (ONPO) and extragradient (EGPO) converge
//	data.yaml             a game estimated from the comparison file testdata/judgements.jsonl
//	mnpo.yaml             MNPO identities: n = 2 is SPPO, TD-MNPO depth 1 is INPO, history weights
//
// Run one with, for instance,
//
//	selfplay nlhf run examples/nlhf/cyclic.yaml --out runs/cyclic
package nlhf
