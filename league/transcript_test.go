package league

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Transcript tests: testdata/transcripts/*.txt hold blocks of
//
//	command args…        (one or more lines; '#' starts a comment line)
//	----
//	expected output      (up to the next blank line)
//
// Commands are events applied to one State per file, or queries of it.
// `go test ./league -run Transcript -rewrite` regenerates the expected
// output. Every event that fails is also checked to leave the state's hash
// unchanged.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of transcript tests")

func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no transcripts found")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runTranscript(t, file)
		})
	}
}

type transcriptBlock struct {
	lead     []string // comment lines before the block
	line     int      // line of the first command
	commands []string
	want     string
}

func parseTranscript(t *testing.T, file string, data string) (blocks []transcriptBlock) {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	var lead []string
	for i := 0; i < len(lines); {
		if strings.TrimSpace(lines[i]) == "" || strings.HasPrefix(lines[i], "#") {
			if strings.HasPrefix(lines[i], "#") {
				lead = append(lead, lines[i])
			}
			i++
			continue
		}
		b := transcriptBlock{lead: lead, line: i + 1}
		lead = nil
		for ; i < len(lines) && lines[i] != "----"; i++ {
			if strings.TrimSpace(lines[i]) == "" {
				t.Fatalf("%s:%d: blank line before ----", file, i+1)
			}
			if strings.HasPrefix(lines[i], "#") {
				t.Fatalf("%s:%d: comment inside a block; put it before the block", file, i+1)
			}
			b.commands = append(b.commands, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: command without ----", file, b.line)
		}
		i++
		var out []string
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			out = append(out, lines[i])
		}
		b.want = strings.Join(out, "\n")
		blocks = append(blocks, b)
	}
	return blocks
}

func runTranscript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blocks := parseTranscript(t, file, string(data))
	s := NewState()
	var rewritten bytes.Buffer
	for _, b := range blocks {
		var got []string
		for k, cmd := range b.commands {
			out, err := runCommand(s, cmd)
			if err != nil {
				t.Fatalf("%s:%d: %v", file, b.line+k, err)
			}
			got = append(got, out...)
		}
		gotText := strings.Join(got, "\n")
		if *rewrite {
			for _, l := range b.lead {
				rewritten.WriteString(l + "\n")
			}
			rewritten.WriteString(strings.Join(b.commands, "\n") + "\n----\n")
			if gotText != "" {
				rewritten.WriteString(gotText + "\n")
			}
			rewritten.WriteString("\n")
			continue
		}
		if gotText != b.want {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", file, b.line, b.commands[0], gotText, b.want)
		}
	}
	if *rewrite {
		out := strings.TrimRight(rewritten.String(), "\n") + "\n"
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// parseArgs splits "k=v k=v" into a map, keeping order of keys for error
// messages; a word without '=' is a positional argument.
func parseArgs(fields []string) (kv map[string]string, pos []string) {
	kv = map[string]string{}
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, f)
		}
	}
	return kv, pos
}

// testHash names parameters in transcripts: a 64-hex-digit value is taken
// as is, anything else is hashed.
func testHash(v string) Hash {
	if h, err := ParseHash(v); err == nil {
		return h
	}
	if v == "" {
		return Hash{}
	}
	return sha256.Sum256([]byte(v))
}

func shortHash(h Hash) string {
	if h.IsZero() {
		return "-"
	}
	return h.String()[:8]
}

func numArg(kv map[string]string, k string) (int64, error) {
	v, ok := kv[k]
	if !ok {
		return 0, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %v", k, v, err)
	}
	return int64(x), nil
}

func metaArgs(kv map[string]string) map[string]string {
	var m map[string]string
	for k, v := range kv {
		if name, ok := strings.CutPrefix(k, "meta."); ok {
			if m == nil {
				m = map[string]string{}
			}
			m[name] = v
		}
	}
	return m
}

// runCommand runs one transcript line. A returned error is a broken
// transcript (unknown command, bad syntax), not an event error: event
// errors are output.
func runCommand(s *State, line string) ([]string, error) {
	fields := strings.Fields(line)
	kv, pos := parseArgs(fields[1:])
	switch fields[0] {
	case "results":
		return batchResults(s, kv)
	case "encode":
		// encode <event command>: the event's log encoding in hex.
		ev, err := parseEvent(fields[1:])
		if err != nil || ev == nil {
			return nil, fmt.Errorf("encode: %q is not an event command (%v)", strings.Join(fields[1:], " "), err)
		}
		b, err := EncodeEvent(ev)
		if err != nil {
			return []string{"error: " + err.Error()}, nil
		}
		return []string{hex.EncodeToString(b)}, nil
	case "raw":
		// raw hex=…: decode a log entry and apply it.
		b, err := hex.DecodeString(kv["hex"])
		if err != nil {
			return nil, err
		}
		ev, err := DecodeEvent(b)
		if err != nil {
			return []string{"decode error: " + err.Error()}, nil
		}
		return applyLines(s, ev)
	}
	ev, err := parseEvent(fields)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return query(s, fields[0], kv, pos)
	}
	return applyLines(s, ev)
}

// applyLines applies ev and describes the effect; a failing event must
// leave the state as it was.
func applyLines(s *State, ev Event) ([]string, error) {
	before := s.Hash()
	eff, err := s.Apply(ev)
	if err != nil {
		if s.Hash() != before {
			return nil, fmt.Errorf("failed event changed the state: %v", err)
		}
		return []string{"error: " + err.Error()}, nil
	}
	return effectLines(eff), nil
}

// parseEvent turns an event command into its event, or nil for a command
// that is not an event.
func parseEvent(fields []string) (Event, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	kv, _ := parseArgs(fields[1:])
	for _, k := range []string{"step", "now", "deadline", "time"} {
		if _, err := numArg(kv, k); err != nil {
			return nil, err
		}
	}
	n := func(k string) uint64 { x, _ := numArg(kv, k); return uint64(x) }
	i := func(k string) int64 { x, _ := numArg(kv, k); return x }
	switch fields[0] {
	case "configure":
		return &Configure{Settings: kv}, nil
	case "add-learner":
		return &AddLearner{ID: kv["id"], Role: Role(kv["role"]), Step: n("step"), Params: testHash(kv["params"]), Meta: metaArgs(kv)}, nil
	case "add-snapshot":
		return &AddSnapshot{ID: kv["id"], Parent: kv["parent"], Role: Role(kv["role"]), Step: n("step"), Params: testHash(kv["params"]), Meta: metaArgs(kv)}, nil
	case "set-role":
		return &SetRole{ID: kv["id"], Role: Role(kv["role"])}, nil
	case "progress":
		return &ReportProgress{ID: kv["id"], Step: n("step"), Params: testHash(kv["params"])}, nil
	case "checkpoint":
		return &Checkpoint{Learner: kv["learner"], ID: kv["id"], Meta: metaArgs(kv)}, nil
	case "result":
		o, err := ParseOutcome(kv["outcome"])
		if err != nil && kv["outcome"] != "none" {
			return nil, err
		}
		return &RecordResult{Match: kv["match"], A: kv["a"], B: kv["b"], Outcome: o, Worker: kv["worker"], Time: i("time")}, nil
	case "lease":
		return &LeaseMatch{Match: kv["match"], Worker: kv["worker"], Home: kv["home"], Now: i("now"), Deadline: i("deadline")}, nil
	case "expire":
		return &ExpireLeases{Now: i("now")}, nil
	}
	return nil, nil
}

// batchResults records wins, draws and losses of a against b, with match
// ids <a>-<b>-<k> continuing after the pair's earlier batches.
func batchResults(s *State, kv map[string]string) ([]string, error) {
	w, _ := numArg(kv, "wins")
	d, _ := numArg(kv, "draws")
	l, _ := numArg(kv, "losses")
	k := 0
	apply := func(o Outcome, times int64) error {
		for range times {
			id := fmt.Sprintf("%s-%s-%d", kv["a"], kv["b"], k)
			for s.Seen(id) {
				k++
				id = fmt.Sprintf("%s-%s-%d", kv["a"], kv["b"], k)
			}
			if _, err := s.Apply(&RecordResult{Match: id, A: kv["a"], B: kv["b"], Outcome: o}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, step := range []struct {
		o Outcome
		n int64
	}{{OutcomeAWins, w}, {OutcomeDraw, d}, {OutcomeBWins, l}} {
		if err := apply(step.o, step.n); err != nil {
			return []string{"error: " + err.Error()}, nil
		}
	}
	return []string{fmt.Sprintf("recorded %d", w+d+l)}, nil
}

func effectLines(eff Effect) []string {
	var out []string
	if eff.Duplicate {
		out = append(out, "duplicate")
	}
	if eff.Ignored {
		out = append(out, "ignored")
	}
	if l := eff.Lease; l != nil {
		out = append(out, leaseLine(*l))
	}
	if len(eff.Expired) > 0 {
		out = append(out, "expired "+strings.Join(eff.Expired, " "))
	}
	if eff.Snapshot != "" {
		out = append(out, "snapshot "+eff.Snapshot)
	}
	if eff.Reset {
		out = append(out, "reset")
	}
	if len(out) == 0 {
		out = append(out, "ok")
	}
	return out
}

func leaseLine(l Lease) string {
	return fmt.Sprintf("lease %s: %s vs %s (%s) worker=%s issued=%d deadline=%d attempt=%d",
		l.Match, l.Home, l.Away, l.Branch, l.Worker, l.Issued, l.Deadline, l.Attempt)
}

func fmt4(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }

func query(s *State, cmd string, kv map[string]string, pos []string) ([]string, error) {
	var out []string
	switch cmd {
	case "members":
		for _, m := range s.Members() {
			line := fmt.Sprintf("%s %s role=%s step=%d params=%s", m.ID, m.Kind, cmp.Or(string(m.Role), "-"), m.Step, shortHash(m.Params))
			if m.Parent != "" {
				line += " parent=" + m.Parent
			}
			if m.Kind == KindLearner {
				line += fmt.Sprintf(" initial=%s checkpoint_step=%d leased=%d", shortHash(m.Initial), m.CheckpointStep, m.Leased)
			}
			if m.Quality != 0 {
				line += " quality=" + fmt4(m.Quality)
			}
			for _, k := range sortedKeys(m.Meta) {
				line += fmt.Sprintf(" meta.%s=%s", k, m.Meta[k])
			}
			out = append(out, line)
		}
	case "payoff":
		ids := pos
		if len(ids) == 0 {
			for _, m := range s.Members() {
				ids = append(ids, m.ID)
			}
		}
		w, err := s.PayoffMatrix(ids)
		if err != nil {
			return []string{"error: " + err.Error()}, nil
		}
		out = append(out, "win rate of row vs column")
		for i, row := range w {
			cells := make([]string, len(row))
			for j, x := range row {
				cells[j] = fmt4(x)
			}
			out = append(out, fmt.Sprintf("%-10s %s", ids[i], strings.Join(cells, " ")))
		}
	case "winrate":
		x, err := s.WinRate(kv["a"], kv["b"])
		if err != nil {
			return []string{"error: " + err.Error()}, nil
		}
		g, _ := s.Games(kv["a"], kv["b"])
		out = append(out, fmt.Sprintf("%s vs %s: %s over %s decayed games", kv["a"], kv["b"], fmt4(x), fmt4(g)))
	case "opponents":
		cs, err := s.Opponents(kv["home"])
		if err != nil {
			return []string{"error: " + err.Error()}, nil
		}
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%-10s %s %s", c.ID, fmt4(c.P), c.Branch))
		}
	case "meta":
		ids, sigma, err := s.MetaStrategy()
		if err != nil {
			return []string{"error: " + err.Error()}, nil
		}
		for k, id := range ids {
			out = append(out, fmt.Sprintf("%-10s %s", id, fmt4(sigma[k])))
		}
	case "leases":
		active, queued := s.Leases()
		for _, l := range active {
			out = append(out, "active "+leaseLine(l))
		}
		for _, l := range queued {
			out = append(out, "queued "+leaseLine(l))
		}
		if len(out) == 0 {
			out = append(out, "no leases")
		}
	case "recent":
		for _, r := range s.Recent() {
			out = append(out, fmt.Sprintf("%s: %s vs %s outcome=%s worker=%s time=%d", r.Match, r.A, r.B, r.Outcome, r.Worker, r.Time))
		}
	case "counters":
		c := s.Counters()
		out = append(out, fmt.Sprintf("results=%d leases=%d expired=%d checkpoints=%d resets=%d next_match=%d",
			c.Results, c.Leases, c.Expired, c.Checkpoints, c.Resets, c.NextMatch))
	case "config":
		set := s.Config().Settings()
		keys := pos
		if len(keys) == 0 {
			keys = sortedKeys(set)
		}
		for _, k := range keys {
			out = append(out, k+"="+set[k])
		}
	case "leaderboard":
		out = leaderboardLines(s)
	case "hash":
		h := s.Hash()
		out = append(out, h.String()[:16])
	case "roundtrip":
		// Encode, decode and compare: a transcript can check any state it built.
		b, err := s.Encode()
		if err != nil {
			return nil, err
		}
		d, err := DecodeState(b)
		if err != nil {
			return nil, err
		}
		if d.Hash() != s.Hash() {
			return nil, fmt.Errorf("decoded state has another hash")
		}
		out = append(out, fmt.Sprintf("roundtrip ok (%d bytes)", len(b)))
	default:
		return nil, fmt.Errorf("unknown command %q", cmd)
	}
	return out, nil
}

// leaderboardLines ranks members by their Bradley–Terry rating (Rate on
// State.Battles), showing each member's total score and record.
func leaderboardLines(s *State) []string {
	lb, err := Rate(context.Background(), s.Battles(), DefaultRateOptions("bt"))
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	out := []string{"rank member       rating  score  W-D-L"}
	for _, p := range lb.Players {
		score := 0.0
		if n := p.Wins + p.Ties + p.Losses; n > 0 {
			score = (float64(p.Wins) + 0.5*float64(p.Ties)) / float64(n)
		}
		out = append(out, fmt.Sprintf("%4d %-10s %8.1f %s %d-%d-%d", p.Rank, p.Name, p.Rating, fmt4(score), p.Wins, p.Ties, p.Losses))
	}
	if len(lb.Excluded) > 0 {
		out = append(out, "excluded: "+strings.Join(lb.Excluded, " "))
	}
	return out
}
