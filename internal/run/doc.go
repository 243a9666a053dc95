// Package run holds the loop concerns every experiment runner shares and
// nothing more: counting how far the work got, advancing the progress bar,
// and turning a cancelled context (Ctrl-C) into a clean stop whose error
// says how far the run got. What was written before the stop stays written
// (results.Writer writes each row as it is appended).
//
// A runner's loop:
//
//	tr := run.NewTracker(len(algs)*len(seeds), bar)
//	for _, alg := range algs {
//		for _, seed := range seeds {
//			u := tr.Start(fmt.Sprintf("%s seed %d", alg, seed), iters)
//			for t := 0; t < iters; t++ {
//				if err := u.Step(ctx); err != nil {
//					return tr.Stopped(err) // "interrupted: 2 of 6 runs finished; …"
//				}
//				… one iteration, rows appended to the results.Writer …
//			}
//			u.Done()
//		}
//	}
package run
