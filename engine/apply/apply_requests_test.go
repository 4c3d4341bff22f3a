package apply_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices/officestest"
)

// groupsFleet is a config of offices offices with perOffice departments
// each, every department with 1 to 3 operators by email among 6 users.
func groupsFleet(offices, perOffice int) (src string, adds int) {
	var b strings.Builder
	b.WriteString("offices:\n")
	for o := range offices {
		fmt.Fprintf(&b, "  o%02d:\n    name: Office %02d\n    country: DE\n    currency: EUR\n    plan_period: monthly\n    invoiced: false\n    unified_billing: true\n    annual_commit_monthly_billing: false\n    billing_address: {address_line_1: Alexanderplatz 1, city: Berlin, country: DE, postal_code: \"10178\", region: Berlin}\n", o, o)
	}
	b.WriteString("departments:\n")
	for o := range offices {
		for g := range perOffice {
			n := 1 + (o+g)%3
			var ops []string
			for k := range n {
				ops = append(ops, fmt.Sprintf("{user: user%d@example.com}", 1+(o+g+k)%6))
			}
			adds += n
			fmt.Fprintf(&b, "  d%02d-%02d:\n    office: o%02d\n    name: Team %02d\n    operators: [%s]\n", o, g, o, g, strings.Join(ops, ", "))
		}
	}
	return b.String(), adds
}

// TestApplyGroupsRequestsNecessary: a groups apply sends only necessary
// requests: the creates, the operator adds, one office listing and one
// look-up per distinct email; no listing per group (an office created by
// the run has no groups to adopt).
func TestApplyGroupsRequestsNecessary(t *testing.T) {
	t.Parallel()
	const offices, perOffice = 10, 20
	env := enginetest.NewEnv(t, officestest.Options{Users: 6}, nil)
	src, adds := groupsFleet(offices, perOffice)
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, src), 0)
	if res == nil || res.Err != nil || res.Counts.Created != offices+offices*perOffice {
		t.Fatalf("apply: %+v", res)
	}
	byKind := map[string]int{}
	for _, r := range env.Sim.Records() {
		p := r.Path
		for _, part := range strings.Split(p, "/") {
			if part != "" && strings.Trim(part, "0123456789") == "" {
				p = strings.Replace(p, part, "{id}", 1)
			}
		}
		byKind[r.Method+" "+p]++
	}
	total := len(env.Sim.Records())
	necessary := 1 + offices + offices*perOffice + adds + 6 // office listing, creates, adds, look-ups
	t.Logf("%d requests, %d necessary (%.3f): %v", total, necessary, float64(necessary)/float64(total), byKind)
	if total != necessary || byKind[http.MethodGet+" /api/v2/departments"] != 0 {
		t.Errorf("%d requests, want the %d necessary ones", total, necessary)
	}

	// Five more departments in each existing office: one listing per
	// office finds nothing to adopt, whatever the number of creates.
	more, adds2 := groupsFleet(offices, perOffice+5)
	n := len(env.Sim.Records())
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, more), 0); res == nil || res.Err != nil || res.Counts.Created != offices*5 {
		t.Fatalf("second apply: %+v", res)
	}
	lists, total2 := 0, len(env.Sim.Records())-n
	for _, r := range env.Sim.Records()[n:] {
		if r.Method == http.MethodGet && r.Path == "/api/v2/departments" {
			lists++
		}
	}
	necessary2 := offices + offices*5 + (adds2 - adds) + 6
	t.Logf("second apply: %d requests, %d necessary, %d department listings", total2, necessary2, lists)
	if lists != offices || total2 != necessary2 {
		t.Errorf("second apply: %d requests with %d department listings, want %d with one listing per office (%d)", total2, lists, necessary2, offices)
	}
}
