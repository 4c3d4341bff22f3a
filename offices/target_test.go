package offices

import (
	"encoding/json"
	"testing"
)

// TestTargetKinds: an action_target_id reads and writes a reference to an
// office, a department or a call center, and refuses one with no key or
// with two.
func TestTargetKinds(t *testing.T) {
	for _, tc := range []struct {
		in, kind, key string
	}{
		{`{"office":"berlin"}`, "office", "berlin"},
		{`{"department":"berlin-sales"}`, "department", "berlin-sales"},
		{`{"callcenter":"berlin-support"}`, "callcenter", "berlin-support"},
		{`42`, "", ""},
	} {
		var tg Target
		if err := json.Unmarshal([]byte(tc.in), &tg); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if tg.RefKind() != tc.kind || tg.Key() != tc.key {
			t.Errorf("%s: kind %q key %q, want %q %q", tc.in, tg.RefKind(), tg.Key(), tc.kind, tc.key)
		}
		out, err := json.Marshal(tg)
		if err != nil || string(out) != tc.in {
			t.Errorf("%s: marshals to %s (%v)", tc.in, out, err)
		}
	}
	for _, bad := range []string{`{}`, `{"office":""}`, `{"office":"a","department":"b"}`, `{"office":"a b","callcenter":"c"}`, `{"room":"a"}`} {
		var tg Target
		if err := json.Unmarshal([]byte(bad), &tg); err == nil {
			t.Errorf("%s: accepted as %+v", bad, tg)
		}
	}
	o := Office{RoutingOptions: &RoutingOptions{Open: RoutingInner{ActionTargetID: &Target{Department: "sales"}}}}
	if got := o.References(); len(got) != 1 || got[0] != "sales" {
		t.Errorf("References = %v", got)
	}
	r, err := o.Resolve(map[string]int64{"sales": 7})
	if err != nil || r.RoutingOptions.Open.ActionTargetID.ID != 7 {
		t.Errorf("Resolve = %+v, %v", r.RoutingOptions.Open.ActionTargetID, err)
	}
	if _, err := o.Resolve(nil); err == nil || err.Error() != `department "sales" referred to has no Dialpad id yet` {
		t.Errorf("Resolve without the id: %v", err)
	}
}
