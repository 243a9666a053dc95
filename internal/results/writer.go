package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/selfplay-lab/selfplay/internal/config"
)

// File names inside a run directory.
const (
	ConfigFile  = "config.yaml"
	MetricsFile = "metrics.jsonl"
	SummaryCSV  = "summary.csv"
	SummaryText = "summary.txt"
)

// ErrNotEmpty is returned (wrapped) by Create when the directory already
// holds files and overwriting was not allowed.
var ErrNotEmpty = errors.New("directory is not empty")

// Options controls Create.
type Options struct {
	// Overwrite allows reusing a directory that holds an earlier run (it
	// has a metrics.jsonl): the earlier run's top-level .yaml, .jsonl,
	// .csv, .txt, .svg and .png files are deleted first. A non-empty
	// directory without metrics.jsonl is refused even then, so that a
	// mistyped --out cannot wipe unrelated files.
	Overwrite bool
}

// Writer writes one run directory. Its methods are safe for concurrent
// use; rows appear in metrics.jsonl in the order Append calls complete.
type Writer struct {
	dir string

	mu      sync.Mutex
	metrics *os.File
	rows    int
	buf     []byte
	closed  bool
}

// Create makes dir (and its parents) and opens its metrics.jsonl for
// appending. It refuses a non-empty dir unless opts.Overwrite allows it.
func Create(dir string, opts Options) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if len(entries) > 0 {
		if err := clearRun(dir, entries, opts.Overwrite); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return &Writer{dir: dir, metrics: f}, nil
}

// ownedExt are the extensions of files a run writes at the top level.
var ownedExt = []string{".yaml", ".jsonl", ".csv", ".txt", ".svg", ".png"}

// clearRun empties a non-empty run directory if allowed (see Options).
func clearRun(dir string, entries []fs.DirEntry, overwrite bool) error {
	names := make([]string, 0, len(entries))
	isRun := false
	for _, e := range entries {
		names = append(names, e.Name())
		isRun = isRun || e.Name() == MetricsFile
	}
	if !overwrite {
		shown := names
		if len(shown) > 3 {
			shown = append(slices.Clone(shown[:3]), "…")
		}
		return fmt.Errorf("results: %s: %w (it holds %s); choose another directory or allow overwriting",
			dir, ErrNotEmpty, strings.Join(shown, ", "))
	}
	if !isRun {
		return fmt.Errorf("results: %s: %w and holds no %s, so it is not an earlier run; refusing to overwrite it",
			dir, ErrNotEmpty, MetricsFile)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !slices.Contains(ownedExt, filepath.Ext(e.Name())) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("results: clearing the earlier run: %w", err)
		}
	}
	return nil
}

// Dir returns the run directory.
func (w *Writer) Dir() string { return w.dir }

// Path returns the path of file name inside the run directory.
func (w *Writer) Path(name string) string { return filepath.Join(w.dir, name) }

// WriteConfig writes cfg, the resolved configuration, to config.yaml with
// config.Marshal, so that config.Load reads it back to the same value.
func (w *Writer) WriteConfig(cfg any) error {
	data, err := config.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	header := "# Resolved configuration of this run: the input file with every default filled in.\n"
	return w.WriteFile(ConfigFile, append([]byte(header), data...))
}

// WriteFile writes data to file name inside the run directory, replacing it
// atomically (through a temporary file and a rename).
func (w *Writer) WriteFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(w.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), w.Path(name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: writing %s: %w", name, err)
	}
	return nil
}

// Append writes rows to metrics.jsonl in one write, so that each row is on
// disk (in the page cache) when Append returns and an interrupted run keeps
// it. A row with a negative step or a reserved or empty metric name is an
// error and nothing is written.
func (w *Writer) Append(rows ...Row) error {
	for _, r := range rows {
		if err := r.check(); err != nil {
			return fmt.Errorf("results: %w", err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("results: append to %s after Close", w.dir)
	}
	w.buf = w.buf[:0]
	for _, r := range rows {
		w.buf = r.AppendJSON(w.buf)
		w.buf = append(w.buf, '\n')
	}
	if _, err := w.metrics.Write(w.buf); err != nil {
		return fmt.Errorf("results: writing %s: %w", MetricsFile, err)
	}
	w.rows += len(rows)
	return nil
}

// Rows returns how many rows have been appended.
func (w *Writer) Rows() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rows
}

// WriteSummary writes s to summary.csv and summary.txt.
func (w *Writer) WriteSummary(s *Summary) error {
	var csv, text strings.Builder
	if err := s.WriteCSV(&csv); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := s.WriteText(&text); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := w.WriteFile(SummaryCSV, []byte(csv.String())); err != nil {
		return err
	}
	return w.WriteFile(SummaryText, []byte(text.String()))
}

// Close syncs and closes metrics.jsonl. Further Appends fail.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.metrics.Sync()
	if cerr := w.metrics.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("results: closing %s: %w", MetricsFile, err)
	}
	return nil
}
