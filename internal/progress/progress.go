package progress

import (
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/schollz/progressbar/v3"
)

// Options configures New.
type Options struct {
	Total       int64  // units of work, e.g. algorithms × seeds × iterations
	Description string // shown before the bar and in log lines

	// TTY says whether the writer is a terminal; only then is a bar drawn.
	TTY bool
	// Log, when non-nil and not a terminal, receives an info line every
	// Interval (10 s when zero) while work advances.
	Log      *zerolog.Logger
	Interval time.Duration
}

// Bar reports progress. Its methods are safe for concurrent use, and a nil
// *Bar ignores every call, so callers need no "is there a bar" branches.
type Bar struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar
	log      *zerolog.Logger
	interval time.Duration
	desc     string
	total    int64
	done     int64
	start    time.Time
	last     time.Time
	now      func() time.Time
	finished bool
}

// New returns a Bar that draws on w when opts.TTY, logs to opts.Log
// otherwise, or does nothing when neither applies.
func New(w io.Writer, opts Options) *Bar {
	b := &Bar{desc: opts.Description, total: opts.Total, interval: opts.Interval, now: time.Now}
	if b.interval <= 0 {
		b.interval = 10 * time.Second
	}
	switch {
	case opts.TTY:
		b.bar = progressbar.NewOptions64(opts.Total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(opts.Description),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
		)
	case opts.Log != nil:
		b.log = opts.Log
	}
	b.start = b.now()
	b.last = b.start
	return b
}

// Add records n more units of work done.
func (b *Bar) Add(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done += int64(n)
	if b.bar != nil {
		b.bar.Add(n)
		return
	}
	if b.log == nil {
		return
	}
	if t := b.now(); t.Sub(b.last) >= b.interval {
		b.last = t
		b.logLine(t, "progress")
	}
}

// Describe changes the description, e.g. to the algorithm being run.
func (b *Bar) Describe(desc string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.desc = desc
	if b.bar != nil {
		b.bar.Describe(desc)
	}
}

// Finish removes the bar (or logs a final line). Later calls do nothing.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.bar != nil {
		b.bar.Exit()
		return
	}
	if b.log != nil {
		b.logLine(b.now(), "progress finished")
	}
}

func (b *Bar) logLine(t time.Time, msg string) {
	ev := b.log.Info().Str("task", b.desc).Int64("done", b.done).Int64("total", b.total)
	if b.total > 0 {
		ev = ev.Float64("percent", float64(int64(1000*b.done/b.total))/10)
	}
	ev.Dur("elapsed", t.Sub(b.start).Round(time.Second)).Msg(msg)
}
