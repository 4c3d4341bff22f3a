package schema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaults(t *testing.T) {
	s, err := Compile(NewContext())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(s.Defaults(), &got); err != nil {
		t.Fatal(err)
	}
	weekday := []any{"08:00", "18:00"}
	want := map[string]any{
		"auto_call_recording": false, "hours_on": false,
		"monday_hours": weekday, "tuesday_hours": weekday, "wednesday_hours": weekday,
		"thursday_hours": weekday, "friday_hours": weekday,
		"saturday_hours": []any{}, "sunday_hours": []any{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}
