// Package stats summarizes results over seeds and tasks soundly: means with
// percentile bootstrap confidence intervals, the interquartile mean with
// stratified bootstrap intervals, probability of improvement and
// performance profiles (after Agarwal et al. 2021, "Deep reinforcement
// learning at the edge of the statistical precipice"), and a
// group-sequential permutation test in the spirit of AdaStop (Mathieu et
// al. 2023) that says whether two methods are separated or how many more
// seeds are needed.
//
// Every random procedure takes an explicit seed and uses a PCG generator, so
// the same inputs give the same intervals.
package stats
