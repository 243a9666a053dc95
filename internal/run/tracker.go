package run

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Progress is what a Tracker reports steps to; *progress.Bar implements it.
// Add must be safe for concurrent use.
type Progress interface {
	Add(n int)
}

// Tracker counts finished units of work (typically one algorithm × seed
// run) and the steps of the units in progress. It is safe for concurrent
// use, so seeds may run in parallel.
type Tracker struct {
	progress Progress

	mu       sync.Mutex
	total    int
	finished int
	active   []*Unit // in start order
}

// NewTracker returns a Tracker for total units reporting steps to p (which
// may be nil).
func NewTracker(total int, p Progress) *Tracker {
	return &Tracker{total: total, progress: p}
}

// Unit is one unit of work in progress. A Unit is used by one goroutine.
type Unit struct {
	t     *Tracker
	name  string
	steps int
	step  int // steps completed
}

// Start begins a unit named name (e.g. "mmd seed 3") of steps steps.
func (t *Tracker) Start(name string, steps int) *Unit {
	u := &Unit{t: t, name: name, steps: steps}
	t.mu.Lock()
	t.active = append(t.active, u)
	t.mu.Unlock()
	return u
}

// Step is Advance(ctx, 1): call it before each step.
func (u *Unit) Step(ctx context.Context) error { return u.Advance(ctx, 1) }

// Advance checks ctx before the next n steps and counts them when ctx allows
// them to run. It returns ctx's error, counting nothing, when ctx is done.
// Called before each batch of steps, it keeps the count equal to the steps
// completed at the moment a cancellation is noticed.
func (u *Unit) Advance(ctx context.Context, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u.t.mu.Lock()
	u.step += n
	u.t.mu.Unlock()
	if u.t.progress != nil && n > 0 {
		u.t.progress.Add(n)
	}
	return nil
}

// Done marks the unit finished.
func (u *Unit) Done() {
	t := u.t
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, a := range t.active {
		if a == u {
			t.active = append(t.active[:i], t.active[i+1:]...)
			t.finished++
			return
		}
	}
}

// Note says how far the work got, e.g. "2 of 6 runs finished; mmd seed 3
// stopped after 412 of 1000 steps".
func (t *Tracker) Note() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	parts := []string{fmt.Sprintf("%d of %d runs finished", t.finished, t.total)}
	for _, u := range t.active {
		parts = append(parts, fmt.Sprintf("%s stopped after %d of %d steps", u.name, u.step, u.steps))
	}
	return strings.Join(parts, "; ")
}

// Interrupted is the error of a run stopped by its context: Cause is the
// context's error (context.Canceled on Ctrl-C) and Note says how far the
// work got.
type Interrupted struct {
	Cause error
	Note  string
}

func (e *Interrupted) Error() string {
	return "interrupted: " + e.Note + "; results written so far are kept"
}

func (e *Interrupted) Unwrap() error { return e.Cause }

// Stopped returns err as an *Interrupted carrying the tracker's note when
// err comes from a cancelled or expired context, and err unchanged
// otherwise (nil stays nil).
func (t *Tracker) Stopped(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		var already *Interrupted
		if errors.As(err, &already) {
			return err
		}
		return &Interrupted{Cause: err, Note: t.Note()}
	}
	return err
}
