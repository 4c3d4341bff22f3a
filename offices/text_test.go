package offices_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
)

// hostileTexts holds strings that must never reach a terminal or a CI log raw.
var hostileTexts = []string{
	"evil\x1b[2J\x1b]0;pwned\x07name", // escape sequences: clear screen, set title
	"cr\roverwrite",
	"line\n::error file=x::injected",
	"nul\x00byte",
	"bidi \u202eevil\u202c and \u2066isolate\u2069",
	"c1 \u009b31m csi",
	"del\x7f",
	"sep\u2028line",
	"bad utf8 \xff\xfe",
	"::warning::at the start",
	"  ##[error]old style",
}

// rawUnsafe reports what of s would act on a terminal or a CI log.
func rawUnsafe(s string) string {
	for _, r := range s {
		if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x2028 {
			return strings.ToValidUTF8(string(r), "?")
		}
	}
	if !strings.ContainsRune(s, '\uFFFD') && strings.ToValidUTF8(s, "") != s {
		return "invalid UTF-8"
	}
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "::") || strings.HasPrefix(t, "##[") {
			return "workflow command " + t
		}
	}
	return ""
}

func TestPrintable(t *testing.T) {
	for _, s := range hostileTexts {
		got := offices.Printable(s)
		if bad := rawUnsafe(got); bad != "" || strings.Contains(got, "\n") || !strings.ContainsRune(got, '\uFFFD') {
			t.Errorf("Printable(%q) = %q: %s", s, got, bad)
		}
	}
	for _, s := range []string{"Berlin", "São Paulo — 東京", "a::b", "100%"} {
		if got := offices.Printable(s); got != s {
			t.Errorf("Printable(%q) = %q, want it unchanged", s, got)
		}
	}
	if got := offices.PrintableLines("a\n::error::x\n\x1b[1m"); got != "a\n\uFFFD:error::x\n\uFFFD[1m" {
		t.Errorf("PrintableLines = %q", got)
	}
}

func TestGitHubEscapes(t *testing.T) {
	if got := offices.GitHubData("100% done\r\n::error::x\x1b"); got != "100%25 done%0D%0A::error::x\uFFFD" {
		t.Errorf("GitHubData = %q", got)
	}
	if got := offices.GitHubProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("GitHubProperty = %q", got)
	}
}

// TestEscapeJSON: the escaped JSON decodes to exactly the same strings
// and holds no unsafe rune raw.
func TestEscapeJSON(t *testing.T) {
	for _, s := range hostileTexts {
		if !strings.Contains(s, "\xff") {
			b, err := json.Marshal(map[string]string{"name": s})
			if err != nil {
				t.Fatal(err)
			}
			esc := offices.EscapeJSON(b)
			if bad := rawUnsafe(string(esc)); bad != "" && !strings.HasPrefix(bad, "workflow") {
				t.Errorf("EscapeJSON(%s) = %s: raw %s", b, esc, bad)
			}
			var back map[string]string
			if err := json.Unmarshal(esc, &back); err != nil || back["name"] != s {
				t.Errorf("EscapeJSON(%s) = %s decodes to %q, %v; want %q", b, esc, back["name"], err, s)
			}
		}
	}
	plain := []byte(`{"name": "São Paulo"}`)
	if got := offices.EscapeJSON(plain); string(got) != string(plain) {
		t.Errorf("EscapeJSON changed safe JSON: %s", got)
	}
}
