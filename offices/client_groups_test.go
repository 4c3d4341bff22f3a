package offices_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// call is one request a recorder saw.
type call struct {
	method, path, query string
	body                []byte
}

// recorder is a RoundTripper that records every request it sends on over
// real HTTP.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.calls = append(r.calls, call{req.Method, req.URL.Path, req.URL.RawQuery, body})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) take() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// groupClient returns a client of sim that records its requests.
func groupClient(t *testing.T, url string) (*offices.Client, *recorder) {
	rec := &recorder{}
	cfg := fastConfig(url)
	cfg.HTTPClient = &http.Client{Transport: rec}
	return newClient(t, cfg), rec
}

// newOffice creates an office in sim and returns its id.
func newOffice(t *testing.T, c *offices.Client, name string) int64 {
	t.Helper()
	l, err := c.CreateOffice(context.Background(), berlin(name))
	if err != nil {
		t.Fatal(err)
	}
	return l.ID
}

func i64(n int64) *int64 { return &n }
func yes() *bool         { b := true; return &b }

// sales is a valid department named name.
func sales(name string) offices.Department {
	return offices.Department{
		Name: name, GroupDescription: "Sales <EU> & more",
		HoldQueue:   &offices.HoldQueueDepartment{AllowQueuing: yes(), MaxHoldCount: i64(10), MaxHoldSeconds: i64(300)},
		MondayHours: []string{"08:00", "18:00"}, TuesdayHours: []string{"08:00", "18:00"},
		WednesdayHours: []string{"08:00", "18:00"}, ThursdayHours: []string{"08:00", "18:00"},
		FridayHours: []string{"08:00", "18:00"}, SaturdayHours: []string{}, SundayHours: []string{},
		RingSeconds: i64(20),
		RoutingOptions: &offices.RoutingOptions{
			Open:   offices.RoutingInner{Action: "operator", TryDialOperators: true, OperatorRouting: "simultaneous"},
			Closed: offices.RoutingInner{Action: "voicemail", TryDialOperators: false},
		},
	}
}

// support is a valid call center named name.
func support(name string) offices.CallCenter {
	d := sales(name)
	return offices.CallCenter{
		Name: name, AdvancedSettings: &offices.AdvancedSettings{MaxWrapUpSeconds: i64(30),
			AutoCallRecording: &offices.AutoCallRecording{CallRecordingInbound: yes()}},
		Alerts:      &offices.Alerts{CCServiceLevel: i64(90), CCServiceLevelSeconds: i64(45)},
		HoldQueue:   &offices.HoldQueueCallCenter{MaxHoldCount: i64(20), QueueEscapeDTMF: "#"},
		MondayHours: d.MondayHours, TuesdayHours: d.TuesdayHours, WednesdayHours: d.WednesdayHours,
		ThursdayHours: d.ThursdayHours, FridayHours: d.FridayHours, SaturdayHours: d.SaturdayHours, SundayHours: d.SundayHours,
		RoutingOptions: d.RoutingOptions,
	}
}

// TestDepartmentLifecycle: create, get, list, find by exact name, PATCH of
// only the given fields, delete, against the simulator (which validates
// every body against the reference).
func TestDepartmentLifecycle(t *testing.T) {
	sim := newSim(t, officestest.Options{PageSize: 2})
	c, rec := groupClient(t, sim.URL)
	ctx := context.Background()
	office := newOffice(t, c, "Berlin")
	other := newOffice(t, c, "Paris")
	var ids []int64
	for _, n := range []string{"Team 1", "Team 10", "team 1", "Sales"} {
		l, err := c.CreateDepartment(ctx, office, sales(n))
		if err != nil {
			t.Fatal(err)
		}
		if l.ID <= 0 || l.OfficeID != office || l.Name != n || *l.HoldQueue.MaxHoldCount != 10 {
			t.Fatalf("created %+v", l)
		}
		ids = append(ids, l.ID)
	}
	if _, err := c.CreateDepartment(ctx, other, sales("Team 1")); err != nil {
		t.Fatal(err)
	}
	rec.take()

	found, err := c.FindGroupByName(ctx, offices.KindDepartment, office, "Team 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != ids[0] || found[0].Name != "Team 1" {
		t.Fatalf("FindGroupByName(Team 1) = %+v, want only id %d", found, ids[0])
	}
	if pages := len(rec.take()); pages < 2 {
		t.Errorf("FindGroupByName read %d pages; the name_search listing has more than one page of 2", pages)
	}

	all, err := c.ListDepartments(ctx, office)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("ListDepartments = %d departments, want 4 (cursor followed to the end)", len(all))
	}
	rec.take()

	want := sales("Team One")
	want.HoldQueue.MaxHoldCount = i64(42)
	fields := offices.ChangedFields(sales("Team 1"), want)
	if strings.Join(fields, ",") != "hold_queue,name" {
		t.Fatalf("ChangedFields = %v", fields)
	}
	l, err := c.UpdateDepartment(ctx, ids[0], want, fields)
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "Team One" || *l.HoldQueue.MaxHoldCount != 42 || l.OfficeID != office {
		t.Fatalf("after PATCH: %+v", l)
	}
	calls := rec.take()
	if len(calls) != 1 || calls[0].method != http.MethodPatch {
		t.Fatalf("calls %+v", calls)
	}
	var sent map[string]any
	if err := json.Unmarshal(calls[0].body, &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent["name"] != "Team One" || sent["hold_queue"] == nil {
		t.Errorf("PATCH body %s, want exactly hold_queue and name", calls[0].body)
	}
	got, err := c.GetDepartment(ctx, ids[0])
	if err != nil || got.Name != "Team One" || *got.RingSeconds != 20 {
		t.Fatalf("GetDepartment = %+v, %v", got, err)
	}

	if err := c.DeleteDepartment(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDepartment(ctx, ids[0])
	if !offices.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want 404", err)
	}
	if err := c.DeleteDepartment(ctx, ids[0]); !offices.IsNotFound(err) {
		t.Fatalf("second delete: %v, want 404", err)
	}
}

// TestCallCenterLifecycle: the same for call centers, and a body the
// reference refuses comes back as a permanent APIError.
func TestCallCenterLifecycle(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	c, rec := groupClient(t, sim.URL)
	ctx := context.Background()
	office := newOffice(t, c, "Berlin")
	l, err := c.CreateCallCenter(ctx, office, support("Support"))
	if err != nil {
		t.Fatal(err)
	}
	if *l.Alerts.CCServiceLevel != 90 || *l.AdvancedSettings.MaxWrapUpSeconds != 30 || l.HoldQueue.QueueEscapeDTMF != "#" {
		t.Fatalf("created %+v", l)
	}
	rec.take()
	want := support("Support")
	want.GroupDescription = "24/7"
	if _, err := c.UpdateCallCenter(ctx, l.ID, want, offices.ChangedFields(support("Support"), want)); err != nil {
		t.Fatal(err)
	}
	if calls := rec.take(); string(calls[0].body) != `{"group_description":"24/7"}` {
		t.Errorf("PATCH body %s", calls[0].body)
	}
	list, err := c.ListCallCenters(ctx, office)
	if err != nil || len(list) != 1 || list[0].GroupDescription != "24/7" {
		t.Fatalf("ListCallCenters = %+v, %v", list, err)
	}
	bad := support("Bad")
	bad.RingSeconds = i64(5)
	if _, err := c.CreateCallCenter(ctx, office, bad); !offices.IsPermanent(err) {
		t.Fatalf("ring_seconds 5: %v, want a permanent 4xx", err)
	}
	if err := c.DeleteCallCenter(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetCallCenter(ctx, l.ID); !offices.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
}

// TestGroupRequestsRefusedBeforeSending: what must not be sent is not.
func TestGroupRequestsRefusedBeforeSending(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	c, rec := groupClient(t, sim.URL)
	ctx := context.Background()
	ref := sales("Sales")
	ref.RoutingOptions.Closed = offices.RoutingInner{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{Office: "paris"}}
	if _, err := c.CreateDepartment(ctx, 1, ref); !errors.Is(err, offices.ErrUnresolved) || !strings.Contains(err.Error(), "paris") {
		t.Errorf("unresolved reference: %v", err)
	}
	if _, err := c.CreateCallCenter(ctx, 0, support("S")); err == nil {
		t.Error("office id 0 accepted")
	}
	for _, tc := range []struct {
		fields []string
		want   string
	}{
		{nil, "no field"},
		{[]string{"office_id"}, `"office_id" is not a field`},
		{[]string{"operators"}, `"operators" is not a field`},
		{[]string{"voice_intelligence"}, "cannot clear"},
	} {
		if _, err := c.UpdateDepartment(ctx, 1, sales("S"), tc.fields); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("UpdateDepartment(%v) = %v, want %q", tc.fields, err, tc.want)
		}
	}
	if err := c.AddOperator(ctx, offices.KindCallCenter, 1, offices.Member{ID: 5, Type: "room", Role: "operator"}); err == nil || !strings.Contains(err.Error(), "users only") {
		t.Errorf("room in a call center: %v", err)
	}
	if err := c.AddOperator(ctx, offices.KindDepartment, 1, offices.Member{ID: 5, Type: "user", SkillLevel: 3}); err == nil {
		t.Error("skill level outside a call center accepted")
	}
	if err := c.AddOperator(ctx, offices.Kind("team"), 1, offices.Member{ID: 5, Type: "user"}); err == nil {
		t.Error("unknown kind accepted")
	}
	if calls := rec.take(); len(calls) != 0 {
		t.Errorf("%d requests sent, want none: %+v", len(calls), calls)
	}
}
