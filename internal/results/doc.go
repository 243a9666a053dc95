// Package results writes and reads an experiment's run directory, the
// output every runner shares:
//
//	DIR/config.yaml    the resolved configuration (defaults filled in)
//	DIR/metrics.jsonl  one JSON object per logged step of one run
//	DIR/summary.csv    per-algorithm means and 95% bootstrap CIs over seeds
//	DIR/summary.txt    the same table as printed on the terminal
//	DIR/*.svg, *.png   plots (written by the runner through internal/plots)
//
// A metrics.jsonl line looks like
//
//	{"run":"cyclic","algorithm":"mmd","seed":3,"step":100,"gap":0.0012,"kl_ref":0.3}
//
// with the four identifying keys first and the metrics after them in sorted
// order. A NaN metric is written as null and ±Inf as ±1e999 (which JSON
// readers such as Python's json turn into infinities); Read maps them back.
// Rows are written to the file as they are appended, one write per call, so
// an interrupted run keeps every row appended before the interruption.
package results
