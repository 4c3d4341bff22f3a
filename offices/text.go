package offices

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the one sanitiser of untrusted text (file names, names and
// messages from the API, names from a state file edited in Git) for every
// output officectl writes: terminals, CI logs, pull-request comments and
// JSON. It lives here, the lowest package every printer imports.

// unsafeRune reports whether r must never reach a terminal or a CI log
// raw: C0 and C1 control characters and DEL (escape sequences, line
// breaks, NUL), Unicode line and paragraph separators, and the
// bidirectional formatting characters that can make text read other than
// it is (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// replacement stands for every unsafe rune and invalid byte in text
// output.
const replacement = '\uFFFD'

// Printable returns s safe to print as part of one line of a terminal or
// a CI log: each unsafe rune (see unsafeRune: control characters, line
// breaks, escape sequences, bidirectional overrides) and each byte that is
// not UTF-8 becomes U+FFFD, and a leading "::" or "##[" (after white
// space), which GitHub Actions would run as a workflow command at the
// start of a line, has its first character replaced too. Text already
// safe comes back unchanged.
func Printable(s string) string { return neutraliseCommand(replaceUnsafe(s)) }

// replaceUnsafe is s with each unsafe rune and each byte that is not
// UTF-8 replaced by U+FFFD.
func replaceUnsafe(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			b.WriteRune(replacement)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// PrintableLines is Printable for text of several lines, such as an
// error that joins others: line feeds stay, every line is made
// Printable.
func PrintableLines(s string) string {
	if safe(s) && !strings.Contains(s, "\n") {
		return neutraliseCommand(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Printable(l)
	}
	return strings.Join(lines, "\n")
}

// safe reports whether s is valid UTF-8 without an unsafe rune.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return utf8.ValidString(s) && strings.IndexFunc(s, unsafeRune) < 0
		}
	}
	return true
}

// neutraliseCommand replaces the first character of a GitHub Actions
// workflow command ("::" or the older "##[") that starts s after white
// space.
func neutraliseCommand(s string) string {
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.HasPrefix(t, "::") || strings.HasPrefix(t, "##[") {
		return s[:len(s)-len(t)] + string(replacement) + t[1:]
	}
	return s
}

// GitHubData escapes s as the message of a GitHub Actions workflow command
// ("::error file=…::MESSAGE"): % as %25, CR as %0D, LF as %0A (the
// runner's escapes, which it decodes back), and every other unsafe rune as
// U+FFFD, as Printable does.
func GitHubData(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
	return replaceUnsafe(s) // after "::error …::", not at a line start
}

// GitHubProperty escapes s as a property value of a workflow command
// ("file=VALUE"): as GitHubData, and also : as %3A and , as %2C.
func GitHubProperty(s string) string {
	s = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
	return replaceUnsafe(s)
}

// EscapeJSON returns JSON text b with every unsafe rune that
// encoding/json leaves raw (DEL, C1 controls, bidirectional formatting;
// it escapes the others already) written as a \uXXXX escape, and every
// byte that is not UTF-8 as \ufffd. Outside strings JSON text is ASCII, so
// each such rune is inside a string, and the result decodes to exactly the
// same values: the data stays whole, only its spelling changes. b is
// returned as is when it needs no escape.
func EscapeJSON(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < 0x7f {
		i++
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		if b[i] < 0x7f {
			out = append(out, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\ufffd`...)
		case unsafeRune(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// JSONWriter returns a writer that passes JSON text to w through
// EscapeJSON. Each Write must hold whole runes, as json.Encoder's do (one
// Write per value).
func JSONWriter(w io.Writer) io.Writer { return jsonWriter{w} }

type jsonWriter struct{ w io.Writer }

func (j jsonWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(EscapeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
