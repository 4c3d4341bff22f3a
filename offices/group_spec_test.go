package offices

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/officectl/officectl/offices/officestest/specfacts"
)

// TestGroupModelMatchesReference: every struct of the groups model has
// exactly the properties of its reference schema (json tags), the create
// messages less office_id, which the client adds.
func TestGroupModelMatchesReference(t *testing.T) {
	facts, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v      any
		schema string
		less   string
	}{
		{Department{}, "schemas.group.CreateDepartmentMessage", "office_id"},
		{Department{}, "schemas.group.UpdateDepartmentMessage", ""},
		{CallCenter{}, "schemas.group.CreateCallCenterMessage", "office_id"},
		{CallCenter{}, "schemas.group.UpdateCallCenterMessage", ""},
		{HoldQueueDepartment{}, "schemas.group.HoldQueueDepartment", ""},
		{HoldQueueCallCenter{}, "schemas.group.HoldQueueCallCenter", ""},
		{AdvancedSettings{}, "schemas.group.AdvancedSettings", ""},
		{AutoCallRecording{}, "schemas.group.AutoCallRecording", ""},
		{Alerts{}, "schemas.group.Alerts", ""},
		{VoiceIntelligence{}, "schemas.group.VoiceIntelligence", ""},
		{RoutingOptions{}, "schemas.group.RoutingOptions", ""},
		{RoutingInner{}, "schemas.group.RoutingOptionsInner", ""},
		{DTMFOption{}, "schemas.group.DtmfOptions", ""},
		{Member{}, "schemas.group.AddOperatorMessage", ""},
	} {
		s, err := facts.Schema(tc.schema)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for k := range s.Properties {
			if k != tc.less {
				want = append(want, k)
			}
		}
		sort.Strings(want)
		var have []string
		for k := range jsonKeys(reflect.TypeOf(tc.v)) {
			have = append(have, k)
		}
		sort.Strings(have)
		// Member adds the call centers' skill_level to AddOperatorMessage.
		if tc.schema == "schemas.group.AddOperatorMessage" {
			want = append(want, "skill_level")
			sort.Strings(want)
		}
		if strings.Join(have, ",") != strings.Join(want, ",") {
			t.Errorf("%T has fields %v; %s has %v", tc.v, have, tc.schema, want)
		}
	}
}

// TestGroupInt64KeysMatchReference: the client turns every int64 property
// of the groups reference from a string into a number, and nothing else.
func TestGroupInt64KeysMatchReference(t *testing.T) {
	facts, err := specfacts.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for name, s := range facts.Schemas {
		if !strings.HasPrefix(name, "schemas.group.") && !strings.HasPrefix(name, "schemas.user.") && !strings.HasPrefix(name, "schemas.room.") {
			continue
		}
		for k, p := range s.Properties {
			if p.Format == "int64" || (p.Items != nil && p.Items.Format == "int64") {
				want[k] = true
			}
		}
	}
	if !reflect.DeepEqual(want, groupInt64Keys) {
		t.Errorf("groupInt64Keys = %v\nthe reference's int64 properties = %v", groupInt64Keys, want)
	}
}
