package officestest

import (
	"encoding/json"
	"strings"
	"testing"
)

// validBody returns a valid CreateOfficeMessage as a JSON tree.
func validBody() map[string]any {
	return map[string]any{
		"name": "Berlin", "country": "DE", "currency": "EUR", "plan_period": "monthly",
		"invoiced": false, "unified_billing": true, "annual_commit_monthly_billing": false,
		"billing_address": map[string]any{
			"address_line_1": "Friedrichstrasse 68", "city": "Berlin", "country": "DE",
			"postal_code": "10117", "region": "Berlin",
		},
		"monday_hours": []any{"08:00", "12:00", "13:00", "18:00"}, "saturday_hours": []any{},
		"ring_seconds": 30, "timezone": "Europe/Berlin", "mainline_number": "+4930123456",
		"billing_contact":    map[string]any{"email": "ops@example.com", "name": "Ops"},
		"voice_intelligence": map[string]any{"allow_pause": true},
		"routing_options": map[string]any{
			"open": map[string]any{
				"action": "department", "action_target_id": "5100000000000000", "action_target_type": "office",
				"try_dial_operators": true, "operator_routing": "simultaneous",
				"dtmf": []any{
					map[string]any{"input": "0", "options": map[string]any{"action": "operator"}},
					map[string]any{"input": "1", "options": map[string]any{"action": "department", "action_target_id": 42, "action_target_type": "office"}},
				},
			},
			"closed": map[string]any{"action": "voicemail", "try_dial_operators": false},
		},
	}
}

func TestValidateCreate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
		want []string // substrings of the errors, in order; none when valid
	}{
		{"valid", func(map[string]any) {}, nil},
		{"valid US with e911", func(m map[string]any) {
			m["country"] = "US"
			m["e911_address"] = map[string]any{"address": "1 Market St", "city": "SF", "country": "US", "state": "CA", "zip": "94105"}
		}, nil},
		{"missing required", func(m map[string]any) { delete(m, "name"); delete(m, "invoiced"); m["currency"] = nil },
			[]string{"currency: required field missing", "invoiced: required field missing", "name: required field missing"}},
		{"empty name", func(m map[string]any) { m["name"] = " " }, []string{"name: must not be empty"}},
		{"name with a line break", func(m map[string]any) { m["name"] = "a\nb" }, []string{"name: must be a single line"}},
		{"unknown fields", func(m map[string]any) {
			m["colour"] = "red"
			m["routing_options"].(map[string]any)["open"].(map[string]any)["x"] = 1
		}, []string{"colour: unknown field", "routing_options.open.x: unknown field"}},
		{"country", func(m map[string]any) { m["country"] = "de" }, []string{`country: "de" is not one of the 84 allowed values`}},
		{"currency", func(m map[string]any) { m["currency"] = "CHF" }, []string{`currency: "CHF" is not one of AUD, CAD, EUR, GBP, JPY, NZD, USD`}},
		{"plan period", func(m map[string]any) { m["plan_period"] = "weekly" }, []string{"plan_period:"}},
		{"bool as string", func(m map[string]any) { m["invoiced"] = "false" }, []string{"invoiced: must be true or false"}},
		{"ring seconds low", func(m map[string]any) { m["ring_seconds"] = 9 }, []string{"ring_seconds: 9 is out of range: choose from 10 to 45"}},
		{"ring seconds high", func(m map[string]any) { m["ring_seconds"] = "46" }, []string{"ring_seconds: 46 is out of range"}},
		{"ring seconds float", func(m map[string]any) { m["ring_seconds"] = 20.5 }, []string{"ring_seconds: must be an integer"}},
		{"e911 required", func(m map[string]any) { m["country"] = "GB"; m["currency"] = "GBP" }, []string{"e911_address: required for offices in GB"}},
		{"e911 fields", func(m map[string]any) { m["e911_address"] = map[string]any{"address": "x"} },
			[]string{"e911_address.city: required", "e911_address.country: required", "e911_address.state: required", "e911_address.zip: required"}},
		{"billing address", func(m map[string]any) { delete(m["billing_address"].(map[string]any), "region") }, []string{"billing_address.region: required field missing"}},
		{"hours odd", func(m map[string]any) { m["monday_hours"] = []any{"08:00"} }, []string{"monday_hours: has 1 times; they must come in pairs"}},
		{"hours format", func(m map[string]any) { m["friday_hours"] = []any{"8:00", "18:00"} }, []string{`friday_hours[0]: "8:00" is not a time`}},
		{"hours 24:00", func(m map[string]any) { m["friday_hours"] = []any{"08:00", "24:00"} }, []string{`friday_hours[1]: "24:00" is not a time`}},
		{"hours order", func(m map[string]any) { m["sunday_hours"] = []any{"10:00", "09:00"} }, []string{"sunday_hours[1]: \"09:00\" does not come after \"10:00\""}},
		{"group description", func(m map[string]any) { m["group_description"] = strings.Repeat("é", 257) }, []string{"group_description: is 257 characters long; at most 256"}},
		{"group description at limit", func(m map[string]any) { m["group_description"] = strings.Repeat("é", 256) }, nil},
		{"timezone", func(m map[string]any) { m["timezone"] = "Mars/Olympus" }, []string{`timezone: "Mars/Olympus" is not a tz database name`}},
		{"mainline", func(m map[string]any) { m["mainline_number"] = "030 123456" }, []string{"mainline_number:", "E.164"}},
		{"email", func(m map[string]any) { m["billing_contact"].(map[string]any)["email"] = "ops at example" }, []string{"billing_contact.email:", "not an email address"}},
		{"routing needs both", func(m map[string]any) { delete(m["routing_options"].(map[string]any), "closed") }, []string{"routing_options.closed: required field missing"}},
		{"routing action", func(m map[string]any) {
			m["routing_options"].(map[string]any)["closed"].(map[string]any)["action"] = "hangup"
		}, []string{`routing_options.closed.action: "hangup" is not one of bridge_target, company_directory`}},
		{"reference not resolved", func(m map[string]any) {
			m["routing_options"].(map[string]any)["open"].(map[string]any)["action_target_id"] = map[string]any{"office": "berlin"}
		}, []string{"routing_options.open.action_target_id: must be an integer"}},
		{"dtmf digit", func(m map[string]any) {
			m["routing_options"].(map[string]any)["open"].(map[string]any)["dtmf"].([]any)[0].(map[string]any)["input"] = "*"
		}, []string{`routing_options.open.dtmf[0].input: "*" is not one digit`}},
		{"dtmf duplicate", func(m map[string]any) {
			m["routing_options"].(map[string]any)["open"].(map[string]any)["dtmf"].([]any)[0].(map[string]any)["input"] = "1"
		}, []string{`routing_options.open.dtmf[1].input: "1" is already used by dtmf[0]`}},
		{"voice intelligence", func(m map[string]any) { m["voice_intelligence"] = map[string]any{"record": true} }, []string{"voice_intelligence.record: unknown field"}},
		{"not an object", func(m map[string]any) { m["billing_address"] = "Berlin" }, []string{"billing_address: must be an object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := validBody()
			tc.edit(m)
			b, _ := json.Marshal(m)
			o, errs := validateCreate(b)
			if len(tc.want) == 0 {
				if len(errs) > 0 {
					t.Fatalf("errors for a valid body: %q", errs)
				}
				if o.Name == "" {
					t.Errorf("decoded office = %+v", o)
				}
				return
			}
			text := strings.Join(errs, "\n")
			at := 0
			for _, w := range tc.want {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Fatalf("errors %q lack %q (in order)", errs, w)
				}
				at += i
			}
		})
	}
	for _, bad := range []string{``, `[]`, `{"name":"a"} {}`, `{"name":`} {
		if _, errs := validateCreate([]byte(bad)); len(errs) == 0 {
			t.Errorf("body %q accepted", bad)
		}
	}
}

func TestValidateE911Update(t *testing.T) {
	ok := `{"address":"1 Main","city":"X","country":"US","state":"CA","zip":"1","update_all":true,"use_validated_option":false}`
	if u, errs := validateE911Update([]byte(ok)); len(errs) > 0 || u.UpdateAll == nil || !*u.UpdateAll {
		t.Errorf("valid update: %+v %q", u, errs)
	}
	_, errs := validateE911Update([]byte(`{"address":"1 Main","extra":1}`))
	if got := strings.Join(errs, "; "); !strings.Contains(got, "extra: unknown field") || !strings.Contains(got, "zip: required") {
		t.Errorf("errors = %q", errs)
	}
}
