package schema

import (
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"github.com/google/go-cmp/cmp"
)

// TestStockCUESeesHoursMessages: the hours rules carry their messages in
// the schema (error()), so `cue vet` with the printed schema says what
// officectl says, not "conflicting values".
func TestStockCUESeesHoursMessages(t *testing.T) {
	for hours, want := range map[string]string{
		`["08:00", "12:00", "14:00"]`:          `hours must come in open/close pairs such as ["08:00", "18:00"]; got 3 times`,
		`["18:00", "08:00"]`:                   `times must be strictly ascending: "08:00" does not come after "18:00"`,
		`["08:00", "12:00", "12:00", "18:00"]`: `times must be strictly ascending: "12:00" does not come after "12:00"`,
	} {
		ctx := NewContext()
		v := ctx.CompileBytes(Source(), cue.Filename("offices.cue"))
		data := ctx.CompileString(`offices: hq: {
	name: "HQ", country: "DE", currency: "EUR", plan_period: "monthly"
	invoiced: false, unified_billing: true, annual_commit_monthly_billing: false
	billing_address: {address_line_1: "a", city: "b", country: "DE", postal_code: "1", region: "c"}
	tuesday_hours: `+hours+`
}`, cue.Filename("my-offices.cue"))
		err := v.LookupPath(cue.ParsePath("#Config")).Unify(data).Validate(cue.Concrete(true))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("tuesday_hours: %s: err = %v, want %q", hours, err, want)
		}
	}
}

// TestFactsComeFromTheSchema: what messages say of Dialpad's rules (e911
// countries, bounds, the fields of each struct, the enums, the time
// format) is read from the schema: change the schema, and the facts follow.
func TestFactsComeFromTheSchema(t *testing.T) {
	src := string(Source())
	for _, r := range [][2]string{
		{`#E911Countries: ["US", "CA", "AU", "FR", "GB", "NZ"]`, `#E911Countries: ["US", "DE"]`},
		{`int & >=10 & <=45`, `int & >=5 & <=60`},
		{`strings.MaxRunes(256)`, `strings.MaxRunes(300)`},
		{"allow_pause?: bool\n", "allow_pause?: bool\n\tmute?: bool\n"},
		{`#Currencies: ["AUD", "CAD",`, `#Currencies: ["CAD",`},
		{`#Time: =~"^([01][0-9]|2[0-3]):[0-5][0-9]$"`, `#Time: =~"^[0-9]{2}[0-9]{2}$"`},
	} {
		if !strings.Contains(src, r[0]) {
			t.Fatalf("schema has no %q", r[0])
		}
		src = strings.Replace(src, r[0], r[1], 1)
	}
	v := NewContext().CompileString(src, cue.Filename(SourceName))
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := readFacts(v)
	if err != nil {
		t.Fatal(err)
	}
	if f.e911 != "US, DE" {
		t.Errorf("e911 = %q", f.e911)
	}
	// The office's bounds changed; a department's and a call center's,
	// which now differ from them, are kept as their own.
	for field, want := range map[string]map[string]any{
		"ring_seconds":                 {"minimum": int64(5), "maximum": int64(60)},
		"group_description":            {"maxLength": int64(300)},
		"department.ring_seconds":      {"minimum": int64(10), "maximum": int64(45)},
		"callcenter.group_description": {"maxLength": int64(256)},
		"max_hold_count":               {"minimum": int64(1), "maximum": int64(50)},
		"callcenter.max_hold_count":    {"minimum": int64(1), "maximum": int64(1000)},
	} {
		if diff := cmp.Diff(want, f.bounds[field]); diff != "" {
			t.Errorf("bounds of %s (-want +got):\n%s", field, diff)
		}
	}
	if got, _ := lookup(f.bounds, "departments", "ring_seconds"); got["maximum"] != int64(45) {
		t.Errorf("a department's ring_seconds = %v", got)
	}
	if got, _ := lookup(f.bounds, "offices", "ring_seconds"); got["maximum"] != int64(60) {
		t.Errorf("an office's ring_seconds = %v", got)
	}
	if diff := cmp.Diff([]string{"allow_pause", "mute", "auto_start"}, f.fieldsAt["voice_intelligence"]); diff != "" {
		t.Errorf("voice_intelligence fields (-want +got):\n%s", diff)
	}
	if got := f.enums["currency"].values; len(got) != 6 || got[0] != "CAD" {
		t.Errorf("currencies = %v", got)
	}
	if !f.time.MatchString("0800") || f.time.MatchString("08:00") {
		t.Errorf("time = %v", f.time)
	}
	s := &Schema{facts: f}
	if got := s.outOfBound("ring_seconds", []string{"offices", "hq", "ring_seconds"}, "invalid value %v (out of bound %v)", []any{70, "<=60"}); got != "must be between 5 and 60 seconds, got 70" {
		t.Errorf("ring_seconds message = %q", got)
	}
	if got := s.notAllowed([]string{"offices", "hq", "voice_intelligence", "mutee"}); !strings.Contains(got, `did you mean "mute"`) {
		t.Errorf("unknown field message = %q", got)
	}
}

// TestFactsOfTheSchema pins what the embedded schema says, as messages
// use it.
func TestFactsOfTheSchema(t *testing.T) {
	s, err := Compile(NewContext())
	if err != nil {
		t.Fatal(err)
	}
	if s.e911 != "US, CA, AU, FR, GB, NZ" {
		t.Errorf("e911 = %q", s.e911)
	}
	for field, n := range map[string]int{"country": 84, "currency": 7, "plan_period": 2, "first_action": 2, "no_operators_action": 12, "action": 12, "action_target_type": 12, "operator_routing": 6} {
		if got := len(s.enums[field].values); got != n {
			t.Errorf("%s: %d values, want %d", field, got, n)
		}
	}
	if len(s.enums) != 10 {
		t.Errorf("%d enum fields, want 10", len(s.enums))
	}
	if got, _ := lookup(s.enums, "callcenters", "role"); strings.Join(got.values, ",") != "admin,operator,supervisor" {
		t.Errorf("a call center operator's roles = %v", got.values)
	}
	if got, _ := lookup(s.enums, "departments", "role"); strings.Join(got.values, ",") != "admin,operator" {
		t.Errorf("a department operator's roles = %v", got.values)
	}
	for _, parent := range []string{"department", "callcenter", "hold_queue", "callcenter.hold_queue", "alerts", "advanced_settings", "operators", "callcenter.operators"} {
		if len(s.fieldsAt[parent]) == 0 {
			t.Errorf("no fields at %s", parent)
		}
	}
	for _, parent := range []string{"office", "billing_address", "billing_contact", "e911_address", "routing_options", "open", "closed", "dtmf", "options", "voice_intelligence"} {
		if len(s.fieldsAt[parent]) == 0 {
			t.Errorf("no fields at %s", parent)
		}
	}
	if n := len(s.fieldsAt["office"]); n != 30 {
		t.Errorf("%d office fields, want 30", n)
	}
}
