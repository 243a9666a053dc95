package league

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
)

//go:embed html_leaderboard.tmpl
var leaderboardHTML string

var leaderboardTemplate = template.Must(template.New("leaderboard").Parse(leaderboardHTML))

// HeadToHead is the win-rate matrix behind a leaderboard page: Rate[i][j]
// is Names[i]'s win rate against Names[j] (ties count half) over Games[i][j]
// games. Battles.WinRates computes one.
type HeadToHead struct {
	Names []string
	Rate  [][]float64
	Games [][]int64
}

// HeatMapMax bounds the players shown in the page's heat map.
const HeatMapMax = 40

// HeadToHeadOf returns the win rates among the top players of lb (at most
// HeatMapMax, in leaderboard order) from the battles it was rated on, for
// the page's heat map. Players of lb that bs does not know are left out.
func HeadToHeadOf(bs *Battles, lb *Leaderboard) *HeadToHead {
	var players []int
	for _, p := range lb.Players {
		if len(players) == HeatMapMax {
			break
		}
		if i, ok := bs.Player(p.Name); ok {
			players = append(players, i)
		}
	}
	rate, games := bs.WinRates(players)
	names := make([]string, len(players))
	for k, p := range players {
		names[k] = bs.Names[p]
	}
	return &HeadToHead{Names: names, Rate: rate, Games: games}
}

// WriteLeaderboardHTML writes lb as a self-contained HTML page: a table
// with confidence-interval bars, the head-to-head heat map of the top
// players when h is not nil, the excluded players and the notes. The page
// loads nothing from elsewhere.
func WriteLeaderboardHTML(w io.Writer, title string, lb *Leaderboard, h *HeadToHead) error {
	type row struct {
		LeaderboardEntry
		Rating, CILow, CIHigh    string
		BarLeft, BarWidth, Point string
	}
	type cell struct {
		Rate, Color string
		Games       int64
	}
	type heatRow struct {
		Name  string
		Cells []cell
	}
	data := struct {
		Title, Method string
		Players       []LeaderboardEntry
		Rows          []row
		Excluded      []string
		Notes         []string
		Heat          []heatRow
		HeatNames     []string
		HeatCut       bool
	}{Title: title, Method: string(lb.Method), Players: lb.Players, Excluded: lb.Excluded, Notes: lb.Notes}

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range lb.Players {
		lo, hi = math.Min(lo, p.CILow), math.Max(hi, p.CIHigh)
	}
	span := hi - lo
	pct := func(x float64) string {
		if !(span > 0) {
			return "50"
		}
		return fmt.Sprintf("%.2f", 100*(x-lo)/span)
	}
	digits := ratingDigits(lb.Method)
	for _, p := range lb.Players {
		width := "0"
		if span > 0 {
			width = fmt.Sprintf("%.2f", 100*(p.CIHigh-p.CILow)/span)
		}
		data.Rows = append(data.Rows, row{
			LeaderboardEntry: p,
			Rating:           FormatRating(lb.Method, p.Rating),
			CILow:            fmt.Sprintf("%.*f", digits, p.CILow),
			CIHigh:           fmt.Sprintf("%.*f", digits, p.CIHigh),
			BarLeft:          pct(p.CILow),
			BarWidth:         width,
			Point:            pct(p.Rating),
		})
	}
	if h != nil {
		pos := make(map[string]int, len(h.Names))
		for i, n := range h.Names {
			pos[n] = i
		}
		var shown []int
		for _, p := range lb.Players {
			if i, ok := pos[p.Name]; ok && len(shown) < HeatMapMax {
				shown = append(shown, i)
				data.HeatNames = append(data.HeatNames, p.Name)
			}
		}
		data.HeatCut = len(lb.Players) > len(shown)
		for _, i := range shown {
			hr := heatRow{Name: h.Names[i]}
			for _, j := range shown {
				c := cell{Games: h.Games[i][j]}
				if i != j && c.Games > 0 {
					c.Rate = fmt.Sprintf("%.2f", h.Rate[i][j])
					c.Color = heatColor(h.Rate[i][j])
				} else {
					c.Games = 0
				}
				hr.Cells = append(hr.Cells, c)
			}
			data.Heat = append(data.Heat, hr)
		}
	}
	return leaderboardTemplate.Execute(w, data)
}

// heatColor maps a win rate to a colour from red (0) through white (½) to
// blue (1), as #rrggbb.
func heatColor(x float64) string {
	x = math.Max(0, math.Min(1, x))
	var r, g, b float64
	if x < 0.5 {
		t := x / 0.5 // 0 → red, 1 → white
		r, g, b = 220+35*t, 60+195*t, 60+195*t
	} else {
		t := (x - 0.5) / 0.5 // 0 → white, 1 → blue
		r, g, b = 255-195*t, 255-135*t, 255
	}
	return fmt.Sprintf("#%02x%02x%02x", int(r), int(g), int(b))
}

// ratingDigits is the number of decimals worth showing for a method's
// ratings: probabilities need four, rating points one.
func ratingDigits(m RatingMethod) int {
	switch m {
	case MethodLottery, MethodAlphaRank:
		return 4
	case MethodOpenSkill:
		return 2
	}
	return 1
}

// FormatRating formats a rating of method m for display.
func FormatRating(m RatingMethod, x float64) string {
	return fmt.Sprintf("%.*f", ratingDigits(m), x)
}
