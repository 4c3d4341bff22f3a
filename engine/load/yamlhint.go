package load

import (
	"bytes"
	"fmt"
	"strings"
)

// yamlHint explains a YAML syntax error found at line (1-based) of src:
// what is wrong on that line, in the user's terms, and what to write
// instead. It returns the message to use in place of the decoder's, and
// the column to point at (0: keep the one found), or "" when it has no
// better words than the decoder's msg. The mistake may lie on the line
// before: then line is moved there.
func yamlHint(src []byte, lineP *int, msg string) (string, int) {
	line := *lineP
	lines := strings.Split(string(src), "\n")
	if line < 1 || line > len(lines) {
		return "", 0
	}
	text := strings.TrimSuffix(lines[line-1], "\r")
	indent, tabAt := indentOf(text)
	if tabAt >= 0 && (strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token") ||
		strings.Contains(msg, "did not find expected")) {
		return fmt.Sprintf("a tab in the indentation of line %d: YAML indents with spaces only; replace the tab with spaces", line), tabAt + 1
	}
	prev, prevLine := previousLine(lines, line)
	prevIndent, _ := indentOf(prev)
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		body := strings.TrimSpace(text)
		if k, v, ok := strings.Cut(body, ": "); ok && strings.Contains(v, ": ") {
			return fmt.Sprintf("%s (a value holding \": \" must be quoted: %s: %q)", msg, strings.TrimPrefix(k, "- "), strings.TrimSpace(v)), indent + 1
		}
		if p := strings.TrimSpace(prev); prevLine > 0 && indent == prevIndent && !strings.Contains(p, ":") && !strings.HasPrefix(p, "-") {
			// "name x" then "b: 1": YAML reads the second line as more of
			// the first's text, and fails only at its ':'.
			*lineP = prevLine
			return fmt.Sprintf("could not find expected ':': line %d (%s) has no ':' after its key, so YAML reads line %d as more of its text: write KEY: VALUE",
				prevLine, p, line), prevIndent + 1
		}
		if prevLine > 0 && indent > prevIndent && !strings.HasSuffix(strings.TrimSpace(prev), ":") {
			return fmt.Sprintf("%s: line %d is indented by %d spaces, more than line %d (%s), which already has a value: indent it by %d like line %d, or end line %d with ':' if it should hold line %d",
				msg, line, indent, prevLine, strings.TrimSpace(prev), prevIndent, prevLine, prevLine, line), indent + 1
		}
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "did not find expected '-' indicator"):
		if prevLine > 0 && indent != prevIndent {
			return fmt.Sprintf("%s: line %d is indented by %d spaces, line %d by %d: the fields of one mapping (and the items of one list) line up; indent line %d like the field it belongs with",
				msg, line, indent, prevLine, prevIndent, line), indent + 1
		}
	case strings.Contains(msg, "could not find expected ':'"):
		return fmt.Sprintf("%s: line %d has no ':' after its key: write KEY: VALUE (or, in a list, - VALUE)", msg, line), indent + 1
	case strings.Contains(msg, "did not find expected ',' or ']'"), strings.Contains(msg, "did not find expected ',' or '}'"):
		return fmt.Sprintf("%s: a [ or { on line %d is not closed: close it on that line, or separate its items with commas", msg, line), 0
	case strings.Contains(msg, "found unexpected end of stream") && strings.ContainsAny(text, `"'`):
		return fmt.Sprintf("%s: a quoted string on line %d is not closed: add the closing quote", msg, line), 0
	}
	return "", 0
}

// indentOf is the number of spaces and tabs text starts with, and the
// index of the first tab among them (-1 when none).
func indentOf(text string) (int, int) {
	n := len(text) - len(strings.TrimLeft(text, " \t"))
	return n, strings.IndexByte(text[:n], '\t')
}

// previousLine is the last line before line (1-based) that holds more
// than space or a comment, and its number (0 when none).
func previousLine(lines []string, line int) (string, int) {
	for i := line - 2; i >= 0; i-- {
		t := strings.TrimSpace(lines[i])
		if t != "" && !strings.HasPrefix(t, "#") && !bytes.HasPrefix([]byte(t), []byte("---")) {
			return strings.TrimSuffix(lines[i], "\r"), i + 1
		}
	}
	return "", 0
}
