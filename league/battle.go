package league

import (
	"fmt"
	"slices"
)

// BattleOutcome is the result of one battle, seen from player A.
type BattleOutcome uint8

// Battle outcomes.
const (
	AWins BattleOutcome = iota // player A won
	BWins                      // player B won
	Tie                        // neither won; counts half a win for each side
)

// String returns "a", "b" or "tie", the jsonl spelling.
func (o BattleOutcome) String() string {
	switch o {
	case AWins:
		return "a"
	case BWins:
		return "b"
	case Tie:
		return "tie"
	}
	return fmt.Sprintf("BattleOutcome(%d)", uint8(o))
}

// scoreA is A's score: 1 for a win, ½ for a tie, 0 for a loss.
func (o BattleOutcome) scoreA() float64 {
	switch o {
	case AWins:
		return 1
	case Tie:
		return 0.5
	}
	return 0
}

// Battle is one comparison between two players, given by their index in
// Battles.Names.
type Battle struct {
	A, B    int32
	Outcome BattleOutcome
}

// Battles is a sequence of battles in input order, with player names
// interned to small integers in first-seen order, so the same input always
// gives the same indices.
//
// A Battles is not safe for concurrent mutation; concurrent reads are safe.
type Battles struct {
	// Names holds each player's name; index i is player i.
	Names []string
	// List holds the battles in the order they were added. Online methods
	// (Elo, Glicko-2, Weng–Lin) depend on it.
	List []Battle

	index map[string]int32
}

// NewBattles returns an empty Battles.
func NewBattles() *Battles {
	return &Battles{index: make(map[string]int32)}
}

// Intern returns the index of the player called name, adding the player if
// it is new.
func (bs *Battles) Intern(name string) int32 {
	if i, ok := bs.index[name]; ok {
		return i
	}
	return bs.add(name)
}

// internBytes is Intern without allocating for a name already seen.
func (bs *Battles) internBytes(name []byte) int32 {
	if i, ok := bs.index[string(name)]; ok {
		return i
	}
	return bs.add(string(name))
}

func (bs *Battles) add(name string) int32 {
	if bs.index == nil {
		bs.index = make(map[string]int32)
	}
	i := int32(len(bs.Names))
	bs.Names = append(bs.Names, name)
	bs.index[name] = i
	return i
}

// Player returns the index of the player called name.
func (bs *Battles) Player(name string) (int, bool) {
	i, ok := bs.index[name]
	return int(i), ok
}

// Add appends a battle between the players called a and b.
func (bs *Battles) Add(a, b string, o BattleOutcome) {
	bs.List = append(bs.List, Battle{A: bs.Intern(a), B: bs.Intern(b), Outcome: o})
}

// NumPlayers returns the number of distinct players seen.
func (bs *Battles) NumPlayers() int { return len(bs.Names) }

// BattleCell counts the battles with one ordered (A, B, outcome) triple.
// Rating methods that ignore order work on cells: a million battles among a
// hundred players collapse to at most 3·100·99 cells, and a bootstrap
// resample is a multinomial draw of new counts over them.
type BattleCell struct {
	A, B    int32
	Outcome BattleOutcome
	Count   int64
}

// Cells aggregates the battles into cells sorted by (A, B, outcome).
func (bs *Battles) Cells() []BattleCell {
	return cellsOf(bs.List, len(bs.Names))
}

func cellsOf(list []Battle, n int) []BattleCell {
	key := func(b Battle) uint64 {
		return (uint64(b.A)*uint64(n)+uint64(b.B))*3 + uint64(b.Outcome)
	}
	var cells []BattleCell
	if dense := uint64(n) * uint64(n) * 3; dense <= 1<<22 {
		counts := make([]int64, dense)
		for _, b := range list {
			counts[key(b)]++
		}
		for k, c := range counts {
			if c > 0 {
				cells = append(cells, cellAt(uint64(k), n, c))
			}
		}
		return cells
	}
	counts := make(map[uint64]int64)
	for _, b := range list {
		counts[key(b)]++
	}
	keys := make([]uint64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		cells = append(cells, cellAt(k, n, counts[k]))
	}
	return cells
}

func cellAt(k uint64, n int, count int64) BattleCell {
	o := k % 3
	ab := k / 3
	return BattleCell{A: int32(ab / uint64(n)), B: int32(ab % uint64(n)), Outcome: BattleOutcome(o), Count: count}
}

// PlayerRecord is one player's games, wins, losses and ties.
type PlayerRecord struct {
	Games, Wins, Losses, Ties int64
}

// records tallies each player's record over cells.
func records(cells []BattleCell, n int) []PlayerRecord {
	rec := make([]PlayerRecord, n)
	for _, c := range cells {
		a, b := &rec[c.A], &rec[c.B]
		a.Games += c.Count
		b.Games += c.Count
		switch c.Outcome {
		case AWins:
			a.Wins += c.Count
			b.Losses += c.Count
		case BWins:
			a.Losses += c.Count
			b.Wins += c.Count
		case Tie:
			a.Ties += c.Count
			b.Ties += c.Count
		}
	}
	return rec
}

// pairStat is the head-to-head record of players I < J: Games played and
// ScoreI, I's score (wins plus half the ties).
type pairStat struct {
	I, J   int32
	Games  float64
	ScoreI float64
}

// pairFolder folds counts over a fixed list of cells into unordered pairs.
// Built once, it turns each bootstrap resample into pairs in one pass.
type pairFolder struct {
	pairs []pairStat // I, J of each pair, sorted; counts zero
	idx   []int32    // pair of each cell, −1 when the cell is dropped
	flip  []bool     // whether the cell's A is the pair's J
}

// newPairFolder prepares folding cells into pairs. keep, when not nil,
// restricts the pairs to players with keep[p] ≥ 0 and renumbers them to
// keep[p]; self-pairs are dropped.
func newPairFolder(cells []BattleCell, keep []int32) *pairFolder {
	type key struct{ i, j int32 }
	pos := make(map[key]int32, len(cells)/3+1)
	f := &pairFolder{idx: make([]int32, len(cells)), flip: make([]bool, len(cells))}
	var keys []key
	for k, c := range cells {
		a, b := c.A, c.B
		if keep != nil {
			a, b = keep[a], keep[b]
		}
		if a < 0 || b < 0 || a == b {
			f.idx[k] = -1
			continue
		}
		if a > b {
			a, b = b, a
			f.flip[k] = true
		}
		if _, ok := pos[key{a, b}]; !ok {
			pos[key{a, b}] = 0
			keys = append(keys, key{a, b})
		}
	}
	slices.SortFunc(keys, func(x, y key) int {
		if x.i != y.i {
			return int(x.i - y.i)
		}
		return int(x.j - y.j)
	})
	f.pairs = make([]pairStat, len(keys))
	for p, k := range keys {
		pos[k] = int32(p)
		f.pairs[p] = pairStat{I: k.i, J: k.j}
	}
	for k, c := range cells {
		if f.idx[k] < 0 {
			continue
		}
		a, b := c.A, c.B
		if keep != nil {
			a, b = keep[a], keep[b]
		}
		f.idx[k] = pos[key{min(a, b), max(a, b)}]
	}
	return f
}

// fold returns the pairs with the cells' own counts, or with counts when
// it is not nil (a resample over the same cells). Pairs a resample left
// without games stay in the list with zero games.
func (f *pairFolder) fold(cells []BattleCell, counts []int64) []pairStat {
	pairs := slices.Clone(f.pairs)
	for k, c := range cells {
		p := f.idx[k]
		if p < 0 {
			continue
		}
		cnt := c.Count
		if counts != nil {
			cnt = counts[k]
		}
		s := c.Outcome.scoreA() * float64(cnt)
		if f.flip[k] {
			s = float64(cnt) - s
		}
		pairs[p].Games += float64(cnt)
		pairs[p].ScoreI += s
	}
	return pairs
}

// pairsOf folds cells into unordered pairs sorted by (I, J); see
// newPairFolder for keep.
func pairsOf(cells []BattleCell, keep []int32) []pairStat {
	return newPairFolder(cells, keep).fold(cells, nil)
}

// WinRates returns the head-to-head win rate (wins plus half the ties, over
// games) of each listed player against each other, and the number of games
// behind each entry. An unplayed pair has rate 0.5 and 0 games; the
// diagonal is 0.5.
func (bs *Battles) WinRates(players []int) (rate [][]float64, games [][]int64) {
	pos := make([]int32, len(bs.Names))
	for i := range pos {
		pos[i] = -1
	}
	for k, p := range players {
		pos[p] = int32(k)
	}
	m := len(players)
	score := make([][]float64, m)
	games = make([][]int64, m)
	for k := range m {
		score[k] = make([]float64, m)
		games[k] = make([]int64, m)
	}
	for _, b := range bs.List {
		i, j := pos[b.A], pos[b.B]
		if i < 0 || j < 0 || i == j {
			continue
		}
		s := b.Outcome.scoreA()
		score[i][j] += s
		score[j][i] += 1 - s
		games[i][j]++
		games[j][i]++
	}
	rate = make([][]float64, m)
	for i := range m {
		rate[i] = make([]float64, m)
		for j := range m {
			rate[i][j] = 0.5
			if games[i][j] > 0 {
				rate[i][j] = score[i][j] / float64(games[i][j])
			}
		}
	}
	return rate, games
}
