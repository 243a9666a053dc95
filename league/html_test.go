package league

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestWriteLeaderboardHTML(t *testing.T) {
	bs := transitiveBattles()
	bs.Add("<b>evil</b>", "top", BWins)
	bs.Add("<b>evil</b>", "low", AWins)
	lb := rateOK(t, bs, DefaultRateOptions(MethodBT))
	var players []int
	for _, p := range lb.Players {
		i, _ := bs.Player(p.Name)
		players = append(players, i)
	}
	rate, games := bs.WinRates(players)
	names := make([]string, len(players))
	for k, p := range players {
		names[k] = bs.Names[p]
	}
	var buf bytes.Buffer
	if err := WriteLeaderboardHTML(&buf, "Test board", lb, &HeadToHead{Names: names, Rate: rate, Games: games}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<title>Test board</title>", "&lt;b&gt;evil&lt;/b&gt;", `class="bar"`, "Head-to-head win rates",
		`title="44 games"`, "BT rating = 1000",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>evil") || strings.Contains(page, "ZgotmplZ") {
		t.Error("unescaped name or rejected CSS value in the page")
	}
	for _, ext := range []string{"src=", "href=", "@import", "url("} {
		if strings.Contains(page, ext) {
			t.Errorf("page loads an external resource (%q)", ext)
		}
	}
	// top beat mid 30 of 44 with 4 ties: (30 + 2)/44.
	if !strings.Contains(page, ">0.73<") {
		t.Error("heat map lacks top's 0.73 win rate against mid")
	}
	if got := heatColor(0); got != "#dc3c3c" || heatColor(0.5) != "#ffffff" || heatColor(1) != "#3c78ff" {
		t.Errorf("colours %s %s %s", got, heatColor(0.5), heatColor(1))
	}
}

func TestWriteLeaderboardSVG(t *testing.T) {
	lb := rateOK(t, transitiveBattles(), DefaultRateOptions(MethodBT))
	var buf bytes.Buffer
	if err := WriteLeaderboardSVG(&buf, "Test board", lb); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
	for _, want := range []string{"top (1)", "low (", "Test board"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("svg lacks %q", want)
		}
	}
	if err := WriteLeaderboardSVG(&buf, "x", &Leaderboard{}); err == nil {
		t.Error("empty leaderboard plotted")
	}
}

func TestHeadToHeadOf(t *testing.T) {
	bs := NewBattles()
	bs.Add("a", "b", AWins)
	bs.Add("a", "b", AWins)
	bs.Add("b", "a", AWins)
	bs.Add("b", "c", BWins)
	// Leaderboard order c, a, b, plus a player the battles do not know.
	lb := &Leaderboard{Players: []LeaderboardEntry{{Name: "c"}, {Name: "ghost"}, {Name: "a"}, {Name: "b"}}}
	h := HeadToHeadOf(bs, lb)
	if want := []string{"c", "a", "b"}; !slices.Equal(h.Names, want) {
		t.Fatalf("names %v, want %v (leaderboard order, unknown left out)", h.Names, want)
	}
	// a beat b twice in three games.
	if got := h.Rate[1][2]; math.Abs(got-2.0/3) > 1e-12 || h.Games[1][2] != 3 {
		t.Errorf("a vs b: rate %v over %d games, want 2/3 over 3", got, h.Games[1][2])
	}
	if got := h.Rate[0][2]; got != 1 || h.Games[0][2] != 1 {
		t.Errorf("c vs b: rate %v over %d games, want 1 over 1", got, h.Games[0][2])
	}

	many := NewBattles()
	big := &Leaderboard{}
	for i := range HeatMapMax + 5 {
		name := fmt.Sprintf("p%02d", i)
		many.Add(name, "p00", AWins)
		big.Players = append(big.Players, LeaderboardEntry{Name: name})
	}
	if n := len(HeadToHeadOf(many, big).Names); n != HeatMapMax {
		t.Errorf("%d players shown, want at most HeatMapMax = %d", n, HeatMapMax)
	}
}
