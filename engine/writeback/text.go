package writeback

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// text is a file's bytes with the offsets of its lines.
type text struct {
	src   []byte
	lines []int // offset of the start of each line
	nl    string
}

func newText(src []byte) *text {
	t := &text{src: src, lines: []int{0}, nl: "\n"}
	for i, c := range src {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		t.nl = "\r\n"
	}
	return t
}

// offset is the byte offset of line and column (both from 1, the
// column counted in characters).
func (t *text) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(t.lines) {
		return len(t.src)
	}
	at := t.lines[line-1]
	for c := 1; c < col && at < len(t.src) && t.src[at] != '\n'; c++ {
		_, n := utf8.DecodeRune(t.src[at:])
		at += n
	}
	return at
}

// position is the line and column (both from 1, the column in
// characters) of offset off.
func (t *text) position(off int) (int, int) {
	line := 1
	for line < len(t.lines) && t.lines[line] <= off {
		line++
	}
	return line, utf8.RuneCount(t.src[t.lines[line-1]:off]) + 1
}

// lineStart is the offset of the start of the line holding off.
func (t *text) lineStart(off int) int {
	return bytes.LastIndexByte(t.src[:off], '\n') + 1
}

// lineEnd is the offset just past the line break of the line holding
// off (the end of the file on the last line).
func (t *text) lineEnd(off int) int {
	if i := bytes.IndexByte(t.src[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(t.src)
}

// blankBefore reports whether only spaces precede off on its line.
func (t *text) blankBefore(off int) bool {
	return strings.TrimLeft(string(t.src[t.lineStart(off):off]), " \t") == ""
}

// indentAt is the indentation (spaces) of the line holding off.
func (t *text) indentAt(off int) string {
	s := t.lineStart(off)
	e := s
	for e < len(t.src) && t.src[e] == ' ' {
		e++
	}
	return string(t.src[s:e])
}

// commentsAbove is the offset of the first of the comment lines (each
// starting with mark) right above the line at off with the same
// indentation (the comment block of what starts there), or the start of
// that line.
func (t *text) commentsAbove(off int, mark string) int {
	start := t.lineStart(off)
	indent := t.indentAtAny(off)
	for start > 0 {
		prev := t.lineStart(start - 1)
		line := strings.TrimRight(string(t.src[prev:start]), "\r\n")
		if !strings.HasPrefix(line, indent+mark) {
			break
		}
		start = prev
	}
	return start
}

// indentLines puts indent before every line of s but empty ones, and
// ends lines with nl.
func indentLines(s, indent, nl string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = indent + l
		}
	}
	return strings.Join(lines, nl)
}

// removal is the range to remove for the lines from start to end (line
// starts): with the blank line after them too when a blank line (or the
// start of the file) is before them, so that no two blank lines meet.
func (t *text) removal(start, end int) (int, int) {
	blank := func(off int) bool {
		return off < len(t.src) && strings.TrimSpace(string(t.src[off:t.lineEnd(off)])) == ""
	}
	if end < len(t.src) && blank(end) && (start == 0 || blank(t.lineStart(start-1))) {
		end = t.lineEnd(end)
	}
	return start, end
}
