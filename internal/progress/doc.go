// Package progress reports how far a long command has got: a progress bar
// when stderr is a terminal, otherwise periodic log lines (or nothing), so
// that piped output and test logs stay clean.
package progress
