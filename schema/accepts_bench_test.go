package schema

import (
	"encoding/json"
	"testing"
)

// benchOffice is one office as the bench tool generates it (testdata/bench/tool).
const benchOffice = `{"offices": {"office-00001": {
 "name": "Office 00001", "country": "US", "currency": "USD", "plan_period": "monthly",
 "invoiced": true, "unified_billing": true, "annual_commit_monthly_billing": false,
 "timezone": "Europe/Berlin", "group_description": "Generated office number 1 for the benchmark",
 "ring_seconds": 20, "hours_on": true,
 "monday_hours": ["08:00", "12:00", "13:00", "18:00"], "friday_hours": ["08:00", "16:00"],
 "billing_address": {"address_line_1": "1 Main Street", "city": "Springfield", "country": "US", "postal_code": "00001", "region": "Region"},
 "billing_contact": {"name": "Finance", "email": "finance@example.com"},
 "e911_address": {"address": "1 Main Street", "city": "Springfield", "country": "US", "state": "ST", "zip": "00001"},
 "routing_options": {
  "open": {"action": "menu", "try_dial_operators": true, "operator_routing": "longestidle",
   "dtmf": [{"input": "1", "options": {"action": "voicemail"}},
            {"input": "2", "options": {"action": "department", "action_target_type": "department", "action_target_id": 1001}}]},
  "closed": {"action": "voicemail", "try_dial_operators": false}}}}}`

// BenchmarkAccepts is the schema's share of a valid office file's
// validation on the fast path: Encode and Accepts, a new context every 250
// offices as the validators do.
func BenchmarkAccepts(b *testing.B) {
	var x any
	if err := json.Unmarshal([]byte(benchOffice), &x); err != nil {
		b.Fatal(err)
	}
	x = ints(x)
	b.ReportAllocs()
	var s *Schema
	for i := 0; i < b.N; i++ {
		if i%250 == 0 {
			var err error
			if s, err = Compile(NewContext()); err != nil {
				b.Fatal(err)
			}
		}
		if !s.Accepts(x.(map[string]any)) {
			b.Fatal("not accepted")
		}
	}
}

// ints turns json's float64 numbers, all whole here, into int64 as the
// fast path's decode gives them.
func ints(x any) any {
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			x[k] = ints(v)
		}
	case []any:
		for i, v := range x {
			x[i] = ints(v)
		}
	case float64:
		return int64(x)
	}
	return x
}
