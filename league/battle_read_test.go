package league

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// readString reads src with opt and returns the battles as "a>b", "a<b"
// or "a=b" strings, for compact comparisons.
func readString(t *testing.T, src string, opt ReadOptions) ([]string, ReadStats, error) {
	t.Helper()
	bs := NewBattles()
	st, err := ReadBattles(strings.NewReader(src), "in", bs, opt)
	return battleStrings(bs), st, err
}

func battleStrings(bs *Battles) []string {
	var out []string
	for _, b := range bs.List {
		op := map[BattleOutcome]string{AWins: ">", BWins: "<", Tie: "="}[b.Outcome]
		out = append(out, bs.Names[b.A]+op+bs.Names[b.B])
	}
	return out
}

func TestReadBattlesFormats(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		opt    ReadOptions
		format BattleFormat
		want   []string
	}{
		{"jsonl", `{"a":"x","b":"y","winner":"a"}
{"a":"y","b":"z","winner":"tie","extra":[1,{"k":2}]}

{"b":"x","a":"z","winner":"b"}
`, ReadOptions{}, FormatJSONL, []string{"x>y", "y=z", "z<x"}},
		{"jsonl-crlf-bom", "\xef\xbb\xbf{\"a\":\"x\",\"b\":\"y\",\"winner\":\"b\"}\r\n", ReadOptions{}, FormatJSONL, []string{"x<y"}},
		{"arena-array", `[
  {"model_a": "m1", "model_b": "m2", "winner": "model_a", "turn": 1},
  {"model_a": "m2", "model_b": "m3", "winner": "tie (bothbad)", "conv_metadata": {"x": [1, 2]}},
  {"model_a": "m3", "model_b": "m1", "winner": "model_b"},
  {"model_a": "m1", "model_b": "m3", "winner": "tie"}
]`, ReadOptions{}, FormatArena, []string{"m1>m2", "m2=m3", "m3<m1", "m1=m3"}},
		{"arena-jsonl", `{"model_a":"m1","model_b":"m2","winner":"model_b","anony":true}
{"model_a":"m2","model_b":"m1","winner":"tie"}
`, ReadOptions{}, FormatArena, []string{"m1<m2", "m2=m1"}},
		{"csv-winner", "a,b,winner\nx,y,a\nx,y,B\ny,z,tie\nz,x,draw\nx,z,z\n", ReadOptions{}, FormatCSV,
			[]string{"x>y", "x<y", "y=z", "z=x", "x<z"}},
		{"csv-chess", "white,black,result\nx,y,1-0\nx,y,0-1\ny,x,1/2-1/2\ny,x,½-½\n",
			ReadOptions{Columns: CSVColumns{A: "white", B: "black", Winner: "result"}}, FormatCSV,
			[]string{"x>y", "x<y", "y=x", "y=x"}},
		{"csv-arena-columns", "model_a,model_b,winner\nm1,m2,model_a\nm2,m1,tie (bothbad)\n", ReadOptions{}, FormatCSV,
			[]string{"m1>m2", "m2=m1"}},
		{"csv-football", "date,home_team,away_team,home_score,away_score,city\n" +
			"1872-11-30,Scotland,England,0,0,Glasgow\n1873-03-08,England,Scotland,4,2,\"London, UK\"\n1874-03-07,Scotland,England,2,1,Glasgow\n",
			ReadOptions{}, FormatCSV, []string{"Scotland=England", "England>Scotland", "Scotland>England"}},
		{"csv-flags", "p,q,sp,sq\nx,y,1.5,2\ny,x,3,3\n",
			ReadOptions{Format: FormatCSV, Columns: CSVColumns{A: "p", B: "q", ScoreA: "sp", ScoreB: "sq"}}, FormatCSV,
			[]string{"x<y", "y=x"}},
		{"forced-jsonl", `{"a":"model_a","b":"b","winner":"a"}`, ReadOptions{Format: FormatJSONL}, FormatJSONL, []string{"model_a>b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st, err := readString(t, tc.src, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if st.Format != tc.format {
				t.Errorf("format %q, want %q", st.Format, tc.format)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("battles %q, want %q", got, tc.want)
			}
			if st.Malformed != 0 || st.Added != len(tc.want) || st.Records != len(tc.want) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestReadBattlesInternsInFirstSeenOrder(t *testing.T) {
	bs := NewBattles()
	src := `{"a":"c","b":"a","winner":"a"}
{"a":"b","b":"a","winner":"b"}
{"a":"a","b":"d","winner":"tie"}
`
	if _, err := ReadBattles(strings.NewReader(src), "in", bs, ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	// A second file keeps the numbering and adds new players after.
	if _, err := ReadBattles(strings.NewReader("a,b,winner\ne,c,a\n"), "in2", bs, ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"c", "a", "b", "d", "e"}; !reflect.DeepEqual(bs.Names, want) {
		t.Fatalf("names %q, want %q", bs.Names, want)
	}
	if want := []Battle{{0, 1, AWins}, {2, 1, BWins}, {1, 3, Tie}, {4, 0, AWins}}; !reflect.DeepEqual(bs.List, want) {
		t.Fatalf("battles %v, want %v", bs.List, want)
	}
}

func TestReadBattlesMalformed(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		opt   ReadOptions
		good  []string
		lines []int    // lines of the malformed records
		msgs  []string // a fragment of each message
	}{
		{"jsonl", `{"a":"x","b":"y","winner":"a"}
{"a":"x","b":"y","winner":"c"}
not json
{"a":"x","winner":"a"}

{"a":"x","b":5,"winner":"a"}
[1,2]
{"a":"","b":"y","winner":"a"}
{"a":"y","b":"x","winner":"b"}
`, ReadOptions{}, []string{"x>y", "y<x"}, []int{2, 3, 4, 6, 7, 8},
			[]string{`winner "c"`, "invalid JSON", `missing field "b"`, `field "b": expected a string`, "expected a JSON object", "empty player name"}},
		{"arena-array", `[
  {"model_a": "m1", "model_b": "m2", "winner": "model_a"},
  {
    "model_a": "m1",
    "model_b": 7,
    "winner": "model_a"
  },
  {"model_a": "m1", "model_b": "m2", "winner": "both"}, {"model_a": "m2", "model_b": "m1", "winner": "model_a"}
]`, ReadOptions{}, []string{"m1>m2", "m2>m1"}, []int{3, 8}, []string{`field "model_b"`, `winner "both"`}},
		{"csv-scores", "home_team,away_team,home_score,away_score\nx,y,1,0\nx,y,NA,1\nx,y\nx,,1,1\nx,y\"q,1,1\ny,x,2,1\nx,y,NaN,1\n",
			ReadOptions{}, []string{"x>y", "y>x"}, []int{3, 4, 5, 6, 8}, []string{`score "NA"`, "2 fields", "empty player", `bare "`, `score "NaN"`}},
		{"csv-winner", "a,b,winner\nx,y,q\nx,y,a\n", ReadOptions{}, []string{"x>y"}, []int{2}, []string{`winner "q"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st, err := readString(t, tc.src, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.good) {
				t.Errorf("battles %q, want %q", got, tc.good)
			}
			if st.Malformed != len(tc.lines) || len(st.Errors) != len(tc.lines) {
				t.Fatalf("malformed %d (%v), want %d", st.Malformed, st.Errors, len(tc.lines))
			}
			for i, e := range st.Errors {
				if e.Line != tc.lines[i] || !strings.Contains(e.Msg, tc.msgs[i]) || e.File != "in" {
					t.Errorf("error %d: %v; want line %d with %q", i, e, tc.lines[i], tc.msgs[i])
				}
			}
			if st.Records != st.Added+st.Malformed {
				t.Errorf("records %d != added %d + malformed %d", st.Records, st.Added, st.Malformed)
			}
			// Strict mode stops at the first one, naming its line.
			strict := tc.opt
			strict.Strict = true
			_, _, err = readString(t, tc.src, strict)
			var le *LineError
			if !errors.As(err, &le) || !errors.Is(err, ErrMalformed) || le.Line != tc.lines[0] {
				t.Fatalf("strict: error %v, want a LineError at line %d", err, tc.lines[0])
			}
			if want := fmt.Sprintf("in:%d: ", tc.lines[0]); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("strict error %q does not start with %q", err, want)
			}
		})
	}
}

func TestReadBattlesFatal(t *testing.T) {
	tests := []struct {
		name, src string
		opt       ReadOptions
		want      string
	}{
		{"arena-syntax", "[\n {\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"model_a\"},\n {\"model_a\": \"a\",, }\n]", ReadOptions{}, "in:3: invalid JSON"},
		{"arena-truncated", "[\n {\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"model_a\"},\n", ReadOptions{}, "unexpected end"},
		{"arena-trailing", `[{"model_a": "a", "model_b": "b", "winner": "model_a"}] x`, ReadOptions{}, "after the JSON array"},
		{"csv-no-columns", "p,q,r\n1,2,3\n", ReadOptions{}, "cannot guess the columns"},
		{"csv-missing-column", "a,b,winner\nx,y,a\n", ReadOptions{Columns: CSVColumns{A: "a", B: "b", Winner: "won"}}, `column "won" not in header`},
		{"csv-both", "a,b,winner\n", ReadOptions{Format: FormatCSV, Columns: CSVColumns{A: "a", B: "b", Winner: "winner", ScoreA: "a"}}, "not both"},
		{"csv-half-scores", "a,b,winner\n", ReadOptions{Format: FormatCSV, Columns: CSVColumns{A: "a", B: "b", ScoreA: "a"}}, "both score columns"},
		{"empty", " \n\t", ReadOptions{}, "empty input"},
		{"unknown-format", "x", ReadOptions{Format: "xml"}, `unknown format "xml"`},
		{"jsonl-long-line", `{"a":"` + strings.Repeat("x", maxLine) + `"}`, ReadOptions{}, "in:1: line longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readString(t, tc.src, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadBattlesSelfPlay(t *testing.T) {
	got, st, err := readString(t, "a,b,winner\nx,x,a\nx,y,b\nz,z,tie\n", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.SelfPlay != 2 || st.Added != 1 || st.Records != 3 || !reflect.DeepEqual(got, []string{"x<y"}) {
		t.Fatalf("battles %q stats %+v", got, st)
	}
}

func TestReadFootballExcerpt(t *testing.T) {
	bs := NewBattles()
	st, err := ReadBattleFile("testdata/football_2018_2019.csv", bs, ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	// Independent count: every data row is a match between two teams.
	if st.Format != FormatCSV || st.Added != 2078 || len(bs.List) != 2078 {
		t.Fatalf("stats %+v", st)
	}
	var ties int
	for _, b := range bs.List {
		if b.Outcome == Tie {
			ties++
		}
	}
	if ties == 0 || ties > 2078/2 {
		t.Fatalf("%d ties: implausible for football", ties)
	}
}
