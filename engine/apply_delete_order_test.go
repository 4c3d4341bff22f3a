package engine

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/offices/officestest"
)

// TestApplyDeletesOrdered: deleting a department (sales) and the call
// center it routes to (support) deletes the call center only once the
// department is gone, however slow that DELETE is.
func TestApplyDeletesOrdered(t *testing.T) {
	t.Parallel()
	const slow = 300 * time.Millisecond
	var salesPath atomic.Value // a string, set before the second apply
	salesPath.Store("")
	env := newApplyEnv(t, officestest.Options{Users: 6, Rooms: 2, LatencyFunc: func(r *http.Request) time.Duration {
		if r.Method == http.MethodDelete && r.URL.Path == salesPath.Load() {
			return slow
		}
		return 0
	}}, nil)
	if _, res := env.applyGroups(t, groupsConfig(t, groupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	st := env.store.State()
	salesPath.Store("/api/v2/departments/" + st.Departments["sales"].ID)
	supportPath := "/api/v2/callcenters/" + st.CallCenters["support"].ID
	before := len(env.sim.Records())

	start, end := strings.Index(groupsYAML, "  sales:\n"), strings.Index(groupsYAML, "  archive:\n")
	edited := groupsYAML[:start] + groupsYAML[end:]
	edited = edited[:strings.Index(edited, "callcenters:\n")]
	p, res := env.applyGroups(t, groupsConfig(t, edited), 2)
	if s := p.Summary(); s.Delete != 2 {
		t.Fatalf("plan summary %+v", s)
	}
	if res == nil || res.Err != nil || res.Counts.Deleted != 2 {
		t.Fatalf("apply: %+v", res)
	}
	var salesAt, supportAt time.Time
	for _, r := range env.sim.Records()[before:] {
		switch {
		case r.Method == http.MethodDelete && r.Path == salesPath.Load():
			salesAt = r.At
		case r.Method == http.MethodDelete && r.Path == supportPath:
			supportAt = r.At
		}
	}
	if salesAt.IsZero() || supportAt.IsZero() {
		t.Fatalf("DELETEs seen: sales %v, support %v", salesAt, supportAt)
	}
	if gap := supportAt.Sub(salesAt); gap < slow {
		t.Errorf("support's DELETE came %v after sales's, want after sales's answer (%v)", gap, slow)
	}
}
