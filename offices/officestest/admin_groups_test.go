package officestest

import (
	"context"
	"strings"
	"testing"
)

// TestAdminGroups: the admin surface changes and deletes departments and
// call centers over HTTP, as an admin would in the web app, and the API
// then shows the drift.
func TestAdminGroups(t *testing.T) {
	c, office := newGroupsServer(t, Options{RatePerMinute: 4})
	ctx := context.Background()
	admin := &AdminClient{URL: c.ts.URL, Key: token}
	dep := groupIDOf(c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales"}))
	cc := groupIDOf(c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Support"}))

	g, err := admin.EditGroup(ctx, KindDepartment, dep, edits(t, `name="Sales EMEA"`, `hold_queue.max_hold_count=5`)...)
	if err != nil {
		t.Fatal(err)
	}
	if g["name"] != "Sales EMEA" || groupIDOf(g) != dep {
		t.Errorf("edited %v", g)
	}
	if got := c.ok("GET", "/api/v2/departments/"+str(dep), nil); got["hold_queue"].(map[string]any)["max_hold_count"] != "5" {
		t.Errorf("the API after an admin edit: %v", got)
	}
	if _, err := admin.EditGroup(ctx, KindDepartment, dep, edits(t, `office_id=1`)...); err == nil || !strings.Contains(err.Error(), "office_id cannot change") {
		t.Errorf("edit of office_id: %v", err)
	}
	if _, err := admin.EditGroup(ctx, KindCallCenter, dep, edits(t, `name="x"`)...); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a department edited as a call center: %v", err)
	}
	if err := admin.DeleteGroup(ctx, KindCallCenter, cc); err != nil {
		t.Fatal(err)
	}
	c.fails("GET", "/api/v2/callcenters/"+str(cc), nil, 404, "not found")
	if err := admin.DeleteGroup(ctx, KindCallCenter, cc); err == nil || !strings.Contains(err.Error(), "no such group") {
		t.Errorf("a second delete: %v", err)
	}
	// the admin requests are not API requests: only the 4 above count
	if n := len(c.ts.Records()); n != 4 {
		t.Errorf("%d API requests recorded, want 4", n)
	}
}

// TestAdminGroupEditChecked: an admin edit is checked as a PATCH of the
// group would be: a value of the wrong type, out of range or over two
// lines, or an unknown field, is refused and changes nothing, so the
// group still lists (an unchecked ring_seconds="abc" made every listing
// panic). A field only Dialpad sets keeps its type.
func TestAdminGroupEditChecked(t *testing.T) {
	c, office := newGroupsServer(t, Options{RatePerMinute: -1})
	srv := c.ts.Server
	dep := groupIDOf(c.ok("POST", "/api/v2/departments", map[string]any{"office_id": office, "name": "Sales"}))
	cc := groupIDOf(c.ok("POST", "/api/v2/callcenters", map[string]any{"office_id": office, "name": "Support"}))
	for _, tc := range []struct {
		kind string
		id   int64
		edit string
		want string
	}{
		{KindDepartment, dep, `ring_seconds="abc"`, "ring_seconds: must be an integer"},
		{KindDepartment, dep, `ring_seconds=5`, "ring_seconds: 5 is out of range"},
		{KindDepartment, dep, `name="Sales\nEMEA"`, "name: must be a single line"},
		{KindDepartment, dep, `name=" "`, "name: must not be empty"},
		{KindDepartment, dep, `hold_queue.max_hold_count="x"`, "hold_queue.max_hold_count: must be an integer"},
		{KindDepartment, dep, `nope=1`, "nope: the group has no such field"},
		{KindDepartment, dep, `state=5`, "state: must be a string"},
		{KindCallCenter, cc, `alerts.cc_service_level="high"`, "alerts.cc_service_level: must be an integer"},
		{KindCallCenter, cc, `hold_queue.queue_callback_dtmf="x"`, "hold_queue.queue_callback_dtmf"},
	} {
		if _, err := srv.EditGroup(tc.kind, tc.id, edits(t, tc.edit)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("EditGroup(%s) = %v, want an error saying %q", tc.edit, err, tc.want)
		}
	}
	if g := c.ok("GET", "/api/v2/departments/"+str(dep), nil); g["name"] != "Sales" || g["ring_seconds"] != "30" {
		t.Errorf("the department after refused edits: %v", g)
	}
	c.ok("GET", "/api/v2/offices/"+str(office)+"/departments", nil)
	c.ok("GET", "/api/v2/offices/"+str(office)+"/callcenters", nil)
	if _, err := srv.EditGroup(KindDepartment, dep, edits(t, `ring_seconds=45`, `state="deleted"`, `name="Other\tTeam"`)...); err != nil {
		t.Errorf("a valid edit: %v", err)
	}
}
