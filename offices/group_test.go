package offices_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices"
)

// TestOperatorJSON: {user: EMAIL}, {user: ID} (a number or a string of
// digits) and {room: ID} read and write back as written; anything else is
// refused with a message naming it.
func TestOperatorJSON(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		want    offices.Operator
	}{
		{`{"user":"anna@example.com","role":"admin"}`, `{"role":"admin","user":"anna@example.com"}`, offices.Operator{Email: "anna@example.com", Role: "admin"}},
		{`{"user":5300000000000001}`, `{"user":5300000000000001}`, offices.Operator{UserID: 5300000000000001}},
		{`{"user":"5300000000000001"}`, `{"user":5300000000000001}`, offices.Operator{UserID: 5300000000000001}},
		{`{"room":5200000000000001}`, `{"room":5200000000000001}`, offices.Operator{RoomID: 5200000000000001}},
		{`{"user":"carl@example.com","role":"supervisor","skill_level":80}`, `{"role":"supervisor","skill_level":80,"user":"carl@example.com"}`,
			offices.Operator{Email: "carl@example.com", Role: "supervisor", SkillLevel: 80}},
	} {
		var o offices.Operator
		if err := json.Unmarshal([]byte(tc.in), &o); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if o != tc.want {
			t.Errorf("%s read as %+v, want %+v", tc.in, o, tc.want)
		}
		b, err := json.Marshal(o)
		if err != nil || string(b) != tc.out {
			t.Errorf("%s written as %s (%v), want %s", tc.in, b, err, tc.out)
		}
	}
	for in, want := range map[string]string{
		`{}`:                                  "give user",
		`{"user":"x@y.z","room":1}`:           "not both",
		`{"user":-4}`:                         "positive user id",
		`{"user":"bob"}`:                      "neither an email",
		`{"user":"a\u001b[31m@b"}`:            "neither an email",
		`{"room":"r1"}`:                       "not a positive room id",
		`{"user":"a@b.c","email":"x"}`:        "unknown field",
		`{"user":"a@b.c","skill_level":"hi"}`: "skill_level",
	} {
		var o offices.Operator
		err := json.Unmarshal([]byte(in), &o)
		if err == nil || !strings.Contains(err.Error(), want) || strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("%s: err = %v, want one saying %q", in, err, want)
		}
	}
}

// TestOperatorResolve: an email becomes the user's id, a user without a
// role is an operator, and an email not resolved fails naming it.
func TestOperatorResolve(t *testing.T) {
	ids := map[string]int64{"anna@example.com": 7}
	m, err := offices.Operator{Email: "anna@example.com"}.Resolve(ids)
	if err != nil || m != (offices.Member{ID: 7, Type: "user", Role: "operator"}) {
		t.Fatalf("Resolve = %+v, %v", m, err)
	}
	m, err = offices.Operator{RoomID: 9, Role: "admin"}.Resolve(nil)
	if err != nil || m != (offices.Member{ID: 9, Type: "room", Role: "admin"}) {
		t.Fatalf("Resolve room = %+v, %v", m, err)
	}
	_, err = offices.Operator{Email: "bob@example.com"}.Resolve(ids)
	if !errors.Is(err, offices.ErrUnknownUser) || !strings.Contains(err.Error(), "bob@example.com") {
		t.Fatalf("unknown email: %v", err)
	}
}

// TestGroupCanonical: canonical JSON has sorted keys and no HTML escaping,
// and the digest changes with any field.
func TestGroupCanonical(t *testing.T) {
	for _, v := range []interface {
		Canonical() []byte
		SpecSHA256() string
	}{sales("R&D <EU>"), support("R&D <EU>")} {
		b := v.Canonical()
		if !strings.Contains(string(b), `"R&D <EU>"`) {
			t.Errorf("HTML-escaped: %s", b)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var sorted bytes.Buffer // maps marshal with sorted keys
		enc := json.NewEncoder(&sorted)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(sorted.String()) != string(b) {
			t.Errorf("keys not sorted:\n%s\n%s", b, sorted.Bytes())
		}
		if len(v.SpecSHA256()) != 64 {
			t.Errorf("digest %q", v.SpecSHA256())
		}
	}
	a, b := sales("Sales"), sales("Sales")
	b.HoldQueue.MaxHoldCount = new(int64)
	if a.SpecSHA256() == b.SpecSHA256() {
		t.Error("a changed hold queue keeps the digest")
	}
	if got := offices.ChangedFields(a, b); len(got) != 1 || got[0] != "hold_queue" {
		t.Errorf("ChangedFields = %v", got)
	}
	if got := offices.ChangedFields(a, a); len(got) != 0 {
		t.Errorf("ChangedFields of equal departments = %v", got)
	}
	c := a
	c.VoiceIntelligence = &offices.VoiceIntelligence{}
	if got := offices.ChangedFields(a, c); len(got) != 1 || got[0] != "voice_intelligence" {
		t.Errorf("ChangedFields(added field) = %v", got)
	}
}

// TestTargetReferencesGroups: action_target_id may refer to a department
// or call center of the config; References lists the keys and Resolve
// replaces them by ids.
func TestTargetReferencesGroups(t *testing.T) {
	d := sales("Sales")
	d.RoutingOptions.Open = offices.RoutingInner{Action: "department", ActionTargetType: "department",
		ActionTargetID: &offices.Target{Department: "berlin-desk"}}
	d.RoutingOptions.Closed = offices.RoutingInner{Action: "menu", DTMF: []offices.DTMFMapping{
		{Input: "1", Options: &offices.DTMFOption{Action: "department", ActionTargetType: "callcenter", ActionTargetID: &offices.Target{CallCenter: "berlin-support"}}},
		{Input: "2", Options: &offices.DTMFOption{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{Office: "berlin"}}},
	}}
	if got := strings.Join(d.References(), ","); got != "berlin,berlin-desk,berlin-support" {
		t.Fatalf("References = %s", got)
	}
	b := d.Canonical()
	for _, want := range []string{`{"department":"berlin-desk"}`, `{"callcenter":"berlin-support"}`, `{"office":"berlin"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("canonical JSON lacks %s: %s", want, b)
		}
	}
	var back offices.Department
	if err := json.Unmarshal(b, &back); err != nil || string(back.Canonical()) != string(b) {
		t.Fatalf("round trip: %v\n%s\n%s", err, b, back.Canonical())
	}
	o := offices.Office{RoutingOptions: d.RoutingOptions}
	_, err := o.Resolve(map[string]int64{"berlin": 1, "berlin-support": 3})
	if err == nil || !strings.Contains(err.Error(), `department "berlin-desk"`) {
		t.Fatalf("missing id: %v", err)
	}
	r, err := o.Resolve(map[string]int64{"berlin": 1, "berlin-desk": 2, "berlin-support": 3})
	if err != nil || len(r.References()) != 0 || r.RoutingOptions.Open.ActionTargetID.ID != 2 ||
		r.RoutingOptions.Closed.DTMF[0].Options.ActionTargetID.ID != 3 {
		t.Fatalf("Resolve = %+v, %v", r.RoutingOptions, err)
	}
	for _, in := range []string{`{"department":""}`, `{"office":"a","callcenter":"b"}`, `{"team":"x"}`} {
		var tg offices.Target
		if err := json.Unmarshal([]byte(in), &tg); err == nil {
			t.Errorf("%s accepted as %+v", in, tg)
		}
	}
}
