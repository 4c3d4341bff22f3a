package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
)

// TestMarkdownEscapesValues (issue 18, defect 14): an operator email or a
// name holding markdown never renders as a link, emphasis or code, and an
// @ never mentions anyone, wherever the value shows in a markdown plan
// (summary line, member lines, notes). On main the email rendered as a
// link to https://ev.il and @team mentioned a team.
func TestMarkdownEscapesValues(t *testing.T) {
	evil := "[pay](https://ev.il)@ex.com"
	cfg := load.NewConfigGroups([]load.Desired{{Key: "berlin", Office: enginetest.Office("Berlin", "DE")}}, []load.DesiredGroup{{
		Key: "sales", Kind: load.KindDepartment, Office: "berlin", Name: "@team *now* `x` www.ev.il", Body: []byte(`{"name":"@team"}`),
		Operators: []load.Operator{{Email: evil}, {Email: "@someone"}},
	}})
	p, err := plan.MakePlan(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	// Outside code blocks (where the body is JSON, inert), nothing of
	// the values may be markdown or a mention.
	out := regexp.MustCompile("(?s)```json.*?```").ReplaceAllString(b.String(), "")
	for _, bad := range []string{"[pay]", "](", "https://", "@ex.com", "@team", "@someone", "*now*", "`x`", "www.ev"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"add &#91;pay&#93;(https&#58;//ev.il)@\u2060ex.com as operator", "(@\u2060team &#42;now&#42; &#96;x&#96; www&#46;ev.il)"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

// TestMDText: the escaping rules one by one.
func TestMDText(t *testing.T) {
	for in, want := range map[string]string{
		"Sales & <EU>":       "Sales &amp; &lt;EU&gt;",
		"ring_seconds":       "ring_seconds",
		"_em_":               "&#95;em&#95;",
		"a|b":                "a&#124;b",
		"see http://x":       "see http&#58;//x",
		"x: y":               "x: y",
		"a@b":                "a@\u2060b",
		"WWW.x":              "WWW&#46;x",
		"![i](u)":            "&#33;&#91;i&#93;(u)",
		`back\slash ~strike`: "back&#92;slash &#126;strike",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
}
