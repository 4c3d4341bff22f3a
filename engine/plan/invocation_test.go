package plan

import "testing"

func TestInvocationCommand(t *testing.T) {
	for _, tc := range []struct {
		inv  Invocation
		cmd  string
		args []string
		want string
	}{
		{Invocation{}, "apply", nil, "officectl apply"},
		{Invocation{Dir: "."}, "state rm", []string{"berlin"}, "officectl state rm berlin"},
		{Invocation{Dir: "ex"}, "state rm", []string{"berlin"}, "officectl state rm berlin ex"},
		{Invocation{Dir: "ex/offices", State: "/tmp/x.state"}, "plan --refresh --out plan.json", nil,
			"officectl plan --refresh --out plan.json ex/offices --state /tmp/x.state"},
		{Invocation{Dir: "my offices", State: "it's.state"}, "import", nil,
			`officectl import 'my offices' --state 'it'\''s.state'`},
		{Invocation{Dir: "a\x1b[31m\n::error::x"}, "apply", nil, "officectl apply 'a\uFFFD[31m\uFFFD::error::x'"},
	} {
		if got := tc.inv.Command(tc.cmd, tc.args...); got != tc.want {
			t.Errorf("%+v.Command(%q, %q) = %q, want %q", tc.inv, tc.cmd, tc.args, got, tc.want)
		}
	}
}
