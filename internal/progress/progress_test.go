package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestTerminalBar(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, Options{Total: 10, Description: "mmd", TTY: true})
	b.Add(5)
	b.Finish()
	if !strings.Contains(out.String(), "mmd") {
		t.Errorf("terminal output %q does not show the description", out.String())
	}
}

func TestNotTerminalIsSilent(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, Options{Total: 10, Description: "mmd"})
	for range 10 {
		b.Add(1)
	}
	b.Finish()
	if out.Len() != 0 {
		t.Errorf("wrote %q without a terminal or a logger", out.String())
	}
}

func TestLogLines(t *testing.T) {
	var out, logged bytes.Buffer
	log := zerolog.New(&logged)
	b := New(&out, Options{Total: 100, Description: "spo", Log: &log, Interval: time.Minute})
	clock := b.start
	b.now = func() time.Time { return clock }
	b.Add(10) // less than a minute: no line
	clock = clock.Add(61 * time.Second)
	b.Add(15) // now one line
	b.Add(5)  // same instant: no line
	b.Finish()
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	if len(lines) != 2 || out.Len() != 0 {
		t.Fatalf("log lines %q, terminal output %q; want 2 log lines and no bar", lines, out.String())
	}
	if !strings.Contains(lines[0], `"done":25`) || !strings.Contains(lines[0], `"percent":25`) ||
		!strings.Contains(lines[1], `"done":30`) || !strings.Contains(lines[1], `"task":"spo"`) {
		t.Errorf("lines %q", lines)
	}
}

func TestNilAndConcurrent(t *testing.T) {
	var nilBar *Bar
	nilBar.Add(1)
	nilBar.Describe("x")
	nilBar.Finish()

	var out bytes.Buffer
	b := New(&out, Options{Total: 400, TTY: true})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				b.Add(1)
			}
		})
	}
	wg.Wait()
	if b.done != 400 {
		t.Errorf("done = %d, want 400", b.done)
	}
	b.Finish()
	b.Add(1)
	if b.done != 400 {
		t.Errorf("Add after Finish counted")
	}
}
