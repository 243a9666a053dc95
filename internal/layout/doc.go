// Package layout holds no code: its test checks that imports between
// selfplay's packages run one way, game ← nash ← agents ← league ←
// leaguesim ← cluster ← cmd, with cuda a leaf and internal/ shared glue.
package layout
