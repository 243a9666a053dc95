package run

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

type counter struct{ n atomic.Int64 }

func (c *counter) Add(n int) { c.n.Add(int64(n)) }

func TestInterruptMidRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bar counter
	tr := NewTracker(4, &bar)
	var err error
	completed := 0
loop:
	for _, alg := range []string{"mmd", "spo"} {
		for seed := range 2 {
			u := tr.Start(fmt.Sprintf("%s seed %d", alg, seed), 100)
			for step := range 100 {
				if err = u.Step(ctx); err != nil {
					break loop
				}
				completed++
				if alg == "spo" && step == 41 {
					cancel() // Ctrl-C during step 41 of the third run
				}
			}
			u.Done()
		}
	}
	err = tr.Stopped(err)
	var in *Interrupted
	if !errors.As(err, &in) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want an *Interrupted wrapping context.Canceled", err)
	}
	want := "interrupted: 2 of 4 runs finished; spo seed 0 stopped after 42 of 100 steps; results written so far are kept"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
	if got := bar.n.Load(); got != int64(completed) || completed != 242 {
		t.Errorf("progress got %d steps, loop completed %d; want both 242", got, completed)
	}
	if tr.Stopped(err) != err {
		t.Error("Stopped must not wrap an *Interrupted twice")
	}
}

func TestStoppedPassesOtherErrors(t *testing.T) {
	tr := NewTracker(1, nil)
	boom := errors.New("boom")
	if tr.Stopped(boom) != boom || tr.Stopped(nil) != nil {
		t.Error("Stopped changed a non-context error")
	}
	u := tr.Start("x", 3)
	if err := u.Advance(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	u.Done()
	u.Done() // a second Done changes nothing
	if got := tr.Note(); got != "1 of 1 runs finished" {
		t.Errorf("note %q", got)
	}
}

func TestDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	tr := NewTracker(1, nil)
	err := tr.Stopped(tr.Start("a", 5).Step(ctx))
	if !errors.Is(err, context.DeadlineExceeded) || err.Error() != "interrupted: 0 of 1 runs finished; a stopped after 0 of 5 steps; results written so far are kept" {
		t.Errorf("err = %v", err)
	}
}
