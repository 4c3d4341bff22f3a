package apply

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/plan"
)

// TestWriteApplyMarkdown: the step summary counts the outcomes, lists the
// failures and what was not applied, escapes what came from outside (an
// API message here) and bounds each list.
func TestWriteApplyMarkdown(t *testing.T) {
	res := &ApplyResult{Err: errors.New("x")}
	res.Offices = append(res.Offices, OfficeResult{Key: "evil", Name: "Ev`il", Action: plan.ActionCreate, Outcome: OutcomeFailed,
		Err: errors.New("400: <img src=x onerror=alert(1)> | [link](http://x)\n::error::injected")})
	res.Offices = append(res.Offices, OfficeResult{Key: "lisbon", Name: "Lisbon", Action: plan.ActionManual, Outcome: OutcomeUnchanged})
	for i := range maxReportLines + 5 {
		res.Offices = append(res.Offices, OfficeResult{Key: fmt.Sprintf("o%03d", i), Name: "O", Action: plan.ActionOrphan, Outcome: OutcomeUnchanged})
	}
	res.Counts = ApplyCounts{Failed: 1, Unchanged: maxReportLines + 6, Manual: 1, Orphan: maxReportLines + 5}
	var b strings.Builder
	if err := WriteApplyMarkdown(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{ApplyMarkdownMarker + "\n## officectl apply: Apply finished with errors", "| 0 | 0 | 0 | 1 | 0 | 56 | 1 | 55 | 0 |",
		"- `lisbon` (Lisbon): manual", "\\<img src=x onerror=alert(1)\\>", "- … and 6 more"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"400: <img", "[link](", "\n::error"} {
		if strings.Contains(out, bad) {
			t.Errorf("summary holds %q unescaped:\n%s", bad, out)
		}
	}
	if got := len(res.NotApplied()); got != maxReportLines+6 {
		t.Errorf("NotApplied: %d, want %d", got, maxReportLines+6)
	}
	if txt := res.NotAppliedText(); !strings.HasPrefix(txt, "56 changes not applied") || !strings.Contains(txt, "and 6 more") {
		t.Errorf("NotAppliedText: %s", txt)
	}
}
