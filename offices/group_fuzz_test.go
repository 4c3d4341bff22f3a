package offices_test

import (
	"encoding/json"
	"testing"

	"github.com/officectl/officectl/offices"
)

// FuzzGroupDecode: decoding untrusted answers and config operators never
// panics, and an operator that decodes writes back to JSON that decodes
// to the same operator.
func FuzzGroupDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"7","office_id":"5","name":"Sales","hold_queue":{"max_hold_count":"50"},"routing_options":{"open":{"action":"menu","action_target_id":"3","try_dial_operators":true},"closed":{"action":"voicemail","try_dial_operators":false}}}`,
		`{"advanced_settings":{"max_wrap_up_seconds":"30","auto_call_recording":{}},"alerts":{"cc_service_level":"95"}}`,
		`{"user":"anna@example.com","role":"admin"}`, `{"room":"5200000000000001"}`, `{"user":12,"skill_level":"80"}`,
		`{"users":[{"id":"3","group_details":[{"group_id":"7","role":"admin"}]}],"rooms":[{"id":4}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d offices.LiveDepartment
		_ = json.Unmarshal(b, &d)
		var c offices.LiveCallCenter
		_ = json.Unmarshal(b, &c)
		var u offices.User
		_ = json.Unmarshal(b, &u)
		var o offices.Operator
		if json.Unmarshal(b, &o) != nil {
			return
		}
		out, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("%+v does not marshal: %v", o, err)
		}
		var back offices.Operator
		if err := json.Unmarshal(out, &back); err != nil || back != o {
			t.Fatalf("%s -> %+v -> %s -> %+v, %v", b, o, out, back, err)
		}
	})
}
