// Package linediff is a minimal line diff for tests: the lines of a and b
// outside their longest common subsequence, with their line numbers, so a
// golden test can say exactly which lines an edit changed.
package linediff

import "strings"

// Line is one line only in a (Removed) or only in b: N is its 1-based
// number in its own file, Text its text without the line break.
type Line struct {
	Removed bool
	N       int
	Text    string
}

// Diff returns the lines of a and b that are not in their longest common
// subsequence of lines, in file order, a removed line before the lines
// added in its place.
func Diff(a, b string) []Line {
	x := strings.SplitAfter(a, "\n")
	y := strings.SplitAfter(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []Line
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, Line{Removed: true, N: i + 1, Text: strings.TrimSuffix(x[i], "\n")})
			i++
		default:
			out = append(out, Line{N: j + 1, Text: strings.TrimSuffix(y[j], "\n")})
			j++
		}
	}
	return out
}

// Count returns how many lines Diff removes from a and adds to make b.
func Count(a, b string) (removed, added int) {
	for _, l := range Diff(a, b) {
		if l.Removed {
			removed++
		} else {
			added++
		}
	}
	return removed, added
}
