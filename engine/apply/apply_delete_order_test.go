package apply_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
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
	env := enginetest.NewEnv(t, officestest.Options{Users: 6, Rooms: 2, LatencyFunc: func(r *http.Request) time.Duration {
		if r.Method == http.MethodDelete && r.URL.Path == salesPath.Load() {
			return slow
		}
		return 0
	}}, nil)
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, enginetest.GroupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	st := env.Store.State()
	salesPath.Store("/api/v2/departments/" + st.Departments["sales"].ID)
	supportPath := "/api/v2/callcenters/" + st.CallCenters["support"].ID
	before := len(env.Sim.Records())

	start, end := strings.Index(enginetest.GroupsYAML, "  sales:\n"), strings.Index(enginetest.GroupsYAML, "  archive:\n")
	edited := enginetest.GroupsYAML[:start] + enginetest.GroupsYAML[end:]
	edited = edited[:strings.Index(edited, "callcenters:\n")]
	p, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, edited), 2)
	if s := p.Summary(); s.Delete != 2 {
		t.Fatalf("plan summary %+v", s)
	}
	if res == nil || res.Err != nil || res.Counts.Deleted != 2 {
		t.Fatalf("apply: %+v", res)
	}
	var salesAt, supportAt time.Time
	for _, r := range env.Sim.Records()[before:] {
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

// TestApplyDeleteTargetSkipped: when the DELETE of a group that routes to
// another fails, the other (still in use) is not deleted: it is skipped,
// naming the group it waited for, and stays in the state.
func TestApplyDeleteTargetSkipped(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1, Users: 6, Rooms: 2})
	simURL, err := url.Parse(sim.URL)
	if err != nil {
		t.Fatal(err)
	}
	var refuse atomic.Value // the path whose DELETE is refused
	refuse.Store("")
	proxy := httputil.NewSingleHostReverseProxy(simURL)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete && r.URL.Path == refuse.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"error": {"code": 422, "message": "this department cannot be deleted now"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	env := enginetest.NewEnvAt(t, sim, front.URL, nil)
	if _, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, enginetest.GroupsYAML), 0); res == nil || res.Err != nil {
		t.Fatalf("first apply: %+v", res)
	}
	refuse.Store("/api/v2/departments/" + env.Store.State().Departments["sales"].ID)

	start, end := strings.Index(enginetest.GroupsYAML, "  sales:\n"), strings.Index(enginetest.GroupsYAML, "  archive:\n")
	edited := enginetest.GroupsYAML[:start] + enginetest.GroupsYAML[end:]
	edited = edited[:strings.Index(edited, "callcenters:\n")]
	_, res := applytest.ApplyGroups(t, env, enginetest.GroupsConfig(t, edited), 2)
	if res == nil || res.Err == nil {
		t.Fatalf("apply succeeded: %+v", res)
	}
	for _, o := range res.Offices {
		switch o.Key {
		case "sales":
			if o.Outcome != apply.OutcomeFailed {
				t.Errorf("sales: %s %v", o.Outcome, o.Err)
			}
		case "support":
			if o.Outcome != apply.OutcomeSkipped || !errors.Is(o.Err, apply.ErrDependencyFailed) || !strings.Contains(o.Err.Error(), "sales") {
				t.Errorf("support: %s %v, want skipped after sales", o.Outcome, o.Err)
			}
		}
	}
	for _, r := range sim.Records() {
		if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/api/v2/callcenters/") {
			t.Errorf("support was deleted: %s %s", r.Method, r.Path)
		}
	}
	if _, ok := env.Store.State().CallCenters["support"]; !ok {
		t.Errorf("support left the state")
	}
}
