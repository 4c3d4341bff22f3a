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
