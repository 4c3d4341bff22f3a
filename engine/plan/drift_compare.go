package plan

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/officectl/officectl/offices"
)

// This file holds the comparison of a live office (OfficeProto) with the
// spec last applied for it (CreateOfficeMessage): only the fields both
// have, normalised so that the API's representations compare equal.

// UncheckedFields are the CreateOfficeMessage fields that drift cannot
// compare, because GET /api/v2/offices/{id} does not return them: the
// create-only billing fields, and settings OfficeProto does not carry.
// mainline_number is among them: GET returns phone_numbers, not which one
// is the main line.
var UncheckedFields = []string{
	"annual_commit_monthly_billing", "auto_call_recording", "billing_address",
	"billing_contact", "currency", "group_description", "hours_on",
	"international_enabled", "invoiced", "mainline_number", "plan_period",
	"unified_billing", "use_same_address", "voice_intelligence",
}

// compareLive lists the fields that differ between spec, the office last
// applied (references resolved with ids), and live with its E911 address
// e911 (nil when not fetched). Old is the spec's value, New the live one.
//
// Compared: name; country (case aside: the API returns it lower-case);
// the seven *_hours the spec has (a live list left out is empty);
// e911_address, when the spec has one; and first_action,
// no_operators_action, ring_seconds, timezone and routing_options when
// the spec sets them. A field the spec
// leaves out takes Dialpad's default, so its live value says nothing;
// inside routing_options, likewise, only the keys the spec sets are
// compared. When a reference in routing_options names an office with no
// id in state, routing_options is not compared.
func compareLive(spec offices.Office, ids map[string]int64, live *offices.Live, e911 *offices.LiveE911) []FieldChange {
	want := map[string]any{}
	got := map[string]any{}
	set := func(k string, a, b any) { want[k], got[k] = a, b }

	set("name", spec.Name, orAbsent(live.Name))
	set("country", strings.ToUpper(spec.Country), orAbsent(strings.ToUpper(live.Country)))
	for _, h := range []struct {
		name       string
		spec, live []string
	}{
		{"monday_hours", spec.MondayHours, live.MondayHours},
		{"tuesday_hours", spec.TuesdayHours, live.TuesdayHours},
		{"wednesday_hours", spec.WednesdayHours, live.WednesdayHours},
		{"thursday_hours", spec.ThursdayHours, live.ThursdayHours},
		{"friday_hours", spec.FridayHours, live.FridayHours},
		{"saturday_hours", spec.SaturdayHours, live.SaturdayHours},
		{"sunday_hours", spec.SundayHours, live.SundayHours},
	} {
		if h.spec == nil {
			continue // a spec without the field (defaults fill it since)
		}
		set(h.name, hoursView(h.spec), hoursView(h.live))
	}
	if spec.FirstAction != "" {
		set("first_action", spec.FirstAction, orAbsent(live.FirstAction))
	}
	if spec.NoOperatorsAction != "" {
		set("no_operators_action", spec.NoOperatorsAction, orAbsent(live.NoOperatorsAction))
	}
	if spec.Timezone != "" {
		set("timezone", spec.Timezone, orAbsent(live.Timezone))
	}
	if spec.RingSeconds != nil {
		var l any = absent{}
		if live.RingSeconds != nil {
			l = json.Number(strconv.FormatInt(*live.RingSeconds, 10))
		}
		set("ring_seconds", json.Number(strconv.FormatInt(*spec.RingSeconds, 10)), l)
	}
	if spec.RoutingOptions != nil {
		if resolved, err := spec.Resolve(ids); err == nil {
			var l any = absent{}
			if live.RoutingOptions != nil {
				l = JSONTree(live.RoutingOptions)
			}
			s := JSONTree(resolved.RoutingOptions)
			set("routing_options", s, keepKeysOf(s, l))
		}
	}
	if spec.E911Address != nil && e911 != nil {
		set("e911_address", e911View(offices.LiveE911(*spec.E911Address)), e911View(*e911))
	}
	var out []FieldChange
	diffValues("", want, got, &out)
	return out
}

// orAbsent is s, or absent when the API left it out.
func orAbsent(s string) any {
	if s == "" {
		return absent{}
	}
	return s
}

// hoursView is a list of hours as a decoded JSON list; nil is empty.
func hoursView(h []string) []any {
	out := make([]any, len(h))
	for i, s := range h {
		out[i] = s
	}
	return out
}

// e911View is an E911 address as a decoded JSON object with every field
// (address2 "" when none) and the country upper-case.
func e911View(e offices.LiveE911) map[string]any {
	return map[string]any{
		"address": e.Address, "address2": e.Address2, "city": e.City,
		"country": strings.ToUpper(e.Country), "state": e.State, "zip": e.Zip,
	}
}

// JSONTree is v marshalled and decoded with exact numbers.
func JSONTree(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic("engine: marshal office part: " + err.Error())
	}
	t, err := DecodeSpec(b)
	if err != nil {
		panic("engine: decode office part: " + err.Error())
	}
	return t
}

// keepKeysOf drops from live, recursively, the object keys that spec does
// not have (through lists of equal length, element by element), and
// returns it.
func keepKeysOf(spec, live any) any {
	switch s := spec.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		for k, v := range l {
			sv, ok := s[k]
			if !ok {
				delete(l, k)
				continue
			}
			l[k] = keepKeysOf(sv, v)
		}
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(s) {
			return live
		}
		for i := range l {
			l[i] = keepKeysOf(s[i], l[i])
		}
	}
	return live
}
