package offices_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/officectl/officectl/offices"
)

// TestLiveDecodesReferenceExamples decodes every answer example of the
// reference, where int64s are strings.
func TestLiveDecodesReferenceExamples(t *testing.T) {
	spec := loadReference(t)
	decode := func(m map[string]any, v any) {
		t.Helper()
		b, _ := json.Marshal(m)
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("decoding %s: %v", b, err)
		}
	}
	var page offices.OfficePage
	decode(example(t, spec, "/api/v2/offices", "get"), &page)
	if len(page.Items) != 1 || page.Cursor != "" {
		t.Fatalf("page = %+v", page)
	}
	l := page.Items[0]
	if l.ID != 124 || l.OfficeID != 124 || l.RingSeconds == nil || *l.RingSeconds != 30 || l.Country != "us" || !l.IsPrimaryOffice {
		t.Errorf("office = %+v", l)
	}
	ro := l.RoutingOptions
	if ro == nil || ro.Open.ActionTargetID == nil || ro.Open.ActionTargetID.ID != 130 ||
		ro.Open.DTMF[1].Options.ActionTargetID.ID != 124 || ro.Closed.OperatorRouting != "simultaneous" {
		t.Errorf("routing options = %+v", ro)
	}
	if l.OfficeSettings == nil || !l.OfficeSettings.BridgedTargetRecordingAllowed || l.E911Address.Zip != "94111" {
		t.Errorf("settings %+v, e911 %+v", l.OfficeSettings, l.E911Address)
	}
	var co offices.Company
	decode(example(t, spec, "/api/v2/company", "get"), &co)
	if co.ID != 123 || co.OfficeCount != 1 || co.Domain != "fuzz-ball.com" {
		t.Errorf("company = %+v", co)
	}
	var e offices.LiveE911
	decode(example(t, spec, "/api/v2/offices/{id}/e911", "get"), &e)
	if e.Address2 != "ste 120" || e.Country != "us" {
		t.Errorf("e911 = %+v", e)
	}
}

// TestLiveNumbersAndStrings: the same office decodes alike with int64s as
// numbers or strings, and encodes as numbers.
func TestLiveNumbersAndStrings(t *testing.T) {
	asStrings := `{"id":"5100000000000001","office_id":"5100000000000001","ring_seconds":"30","name":"A",
		"routing_options":{"open":{"action":"department","action_target_id":"42","try_dial_operators":false},
		"closed":{"action":"voicemail","try_dial_operators":false}}}`
	asNumbers := `{"id":5100000000000001,"office_id":5100000000000001,"ring_seconds":30,"name":"A",
		"routing_options":{"open":{"action":"department","action_target_id":42,"try_dial_operators":false},
		"closed":{"action":"voicemail","try_dial_operators":false}}}`
	var a, b offices.Live
	if err := json.Unmarshal([]byte(asStrings), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(asNumbers), &b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("strings and numbers decode differently:\n%s", diff)
	}
	if a.ID != 5100000000000001 {
		t.Errorf("id = %d (int64 precision lost?)", a.ID)
	}
	out, _ := json.Marshal(a)
	if !strings.Contains(string(out), `"id":5100000000000001`) {
		t.Errorf("encoded %s", out)
	}
	var c offices.Live
	if err := json.Unmarshal(out, &c); err != nil || c.ID != a.ID {
		t.Errorf("round trip: %+v, %v", c, err)
	}

	for _, bad := range []string{`{"id":"12a"}`, `{"ring_seconds":"x"}`, `{"id":true}`} {
		if err := json.Unmarshal([]byte(bad), new(offices.Live)); err == nil {
			t.Errorf("decoded %s without error", bad)
		}
	}
	var plan offices.Plan
	if err := json.Unmarshal([]byte(`{"talk_lines":"3","next_billing_date":1700000000,"balance":"1.50"}`), &plan); err != nil || plan.TalkLines != 3 || plan.NextBillingDate != 1700000000 {
		t.Errorf("plan = %+v, %v", plan, err)
	}
	var null offices.Live
	if err := json.Unmarshal([]byte(`null`), &null); err != nil {
		t.Errorf("null: %v", err)
	}
}
