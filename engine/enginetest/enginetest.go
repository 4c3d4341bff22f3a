// Package enginetest holds what the tests of the engine packages and of the
// binary share: valid offices with the schema's defaults filled, plans made
// from them, a fake API with a function field per method, a temporary state
// store and a check of a state against the simulator. Only tests import it
// (as offices/officestest, it is never linked into officectl). It imports
// load and plan, so tests inside those packages cannot use it: plan's
// tests are the external package plan_test.
package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// Office is a valid office with the schema's defaults filled.
func Office(name, country string) offices.Office {
	weekday := []string{"08:00", "18:00"}
	o := offices.Office{
		BillingAddress: offices.BillingAddress{
			AddressLine1: "1 Main Street", City: name, Country: country, PostalCode: "10117", Region: "Region",
		},
		Country:        country,
		Currency:       "EUR",
		FridayHours:    weekday,
		MondayHours:    weekday,
		Name:           name,
		PlanPeriod:     "monthly",
		SaturdayHours:  []string{},
		SundayHours:    []string{},
		ThursdayHours:  weekday,
		TuesdayHours:   weekday,
		UnifiedBilling: true,
		WednesdayHours: weekday,
	}
	switch country {
	case "US":
		o.Currency = "USD"
		o.E911Address = &offices.E911Address{Address: "350 5th Ave", City: name, Country: "US", State: "NY", Zip: "10118"}
	case "GB":
		o.Currency = "GBP"
		o.E911Address = &offices.E911Address{Address: "1 Poultry", City: name, Country: "GB", State: "London", Zip: "EC2R 8EJ"}
	}
	return o
}

// RouteTo makes calls to o go to the office key while open and to the
// offices of dtmf keys (digits 1, 2, …) from the closed menu.
func RouteTo(o *offices.Office, key string, dtmf ...string) {
	ro := &offices.RoutingOptions{
		Open:   offices.RoutingInner{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{Office: key}},
		Closed: offices.RoutingInner{Action: "voicemail"},
	}
	for i, k := range dtmf {
		ro.Closed.Action = "menu"
		ro.Closed.DTMF = append(ro.Closed.DTMF, offices.DTMFMapping{
			Input:   fmt.Sprint(i + 1),
			Options: &offices.DTMFOption{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{Office: k}},
		})
	}
	o.RoutingOptions = ro
}

// Numbered returns n valid offices office-000…, named "Office 000"….
func Numbered(n int) []load.Desired {
	ds := make([]load.Desired, n)
	for i := range ds {
		ds[i] = load.Desired{Key: fmt.Sprintf("office-%03d", i), Office: Office(fmt.Sprintf("Office %03d", i), "DE")}
	}
	return ds
}

// MustPlan plans ds against st, failing t on an error.
func MustPlan(t testing.TB, ds []load.Desired, st *state.State) *plan.Plan {
	t.Helper()
	p, err := plan.MakePlan(load.NewConfig(ds), st)
	if err != nil {
		t.Fatalf("MakePlan: %v", err)
	}
	return p
}

// TempStore opens a new state file in a folder of t, closed at cleanup.
func TempStore(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(t.TempDir()+"/officectl.state", state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// CheckStateMatchesServer checks that the server holds exactly want
// offices, no name twice, and that every state entry is created with the
// id the server has for its name.
func CheckStateMatchesServer(t *testing.T, sim *officestest.TestServer, st *state.State, want int) {
	t.Helper()
	live := sim.Offices()
	if len(live) != want {
		t.Errorf("%d offices on the server, want %d", len(live), want)
	}
	for name, n := range sim.CountByName() {
		if n > 1 {
			t.Errorf("office %q exists %d times", name, n)
		}
	}
	byName := map[string]int64{}
	for _, l := range live {
		byName[l.Name] = l.ID
	}
	if len(st.Offices) != want {
		t.Errorf("state has %d entries, want %d", len(st.Offices), want)
	}
	for key, e := range st.Offices {
		if e.Status != state.Created {
			t.Errorf("%s: status %s, want created", key, e.Status)
			continue
		}
		if e.ID != strconv.FormatInt(byName[e.Name], 10) {
			t.Errorf("%s: state id %s, the server has %d for %q", key, e.ID, byName[e.Name], e.Name)
		}
	}
}

// FakeAPI is an API of apply, import and drift whose methods are function
// fields; a method whose field is nil panics.
type FakeAPI struct {
	Create func(ctx context.Context, body offices.Office) (*offices.Live, error)
	List   func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error)
	E911   func(ctx context.Context, id int64, u offices.E911Update) (*offices.LiveE911, error)
	Get    func(ctx context.Context, id int64) (*offices.Live, error)
}

func (f *FakeAPI) CreateOffice(ctx context.Context, body offices.Office) (*offices.Live, error) {
	return f.Create(ctx, body)
}

func (f *FakeAPI) ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
	return f.List(ctx, opts)
}

func (f *FakeAPI) GetOffice(ctx context.Context, id int64) (*offices.Live, error) {
	return f.Get(ctx, id)
}

func (f *FakeAPI) UpdateE911(ctx context.Context, id int64, u offices.E911Update) (*offices.LiveE911, error) {
	return f.E911(ctx, id, u)
}

// planTime is when the entries of the fixtures were created.
var planTime = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// Created is the state entry of an office created with spec o.
func Created(id string, o offices.Office) *state.Entry {
	return &state.Entry{
		CreatedAt: &planTime, ID: id, Name: o.Name, Spec: o.Canonical(),
		SpecSHA256: o.SpecSHA256(), Status: state.Created,
	}
}

// Ptr returns a pointer to a copy of v.
func Ptr[T any](v T) *T { return &v }

// AllActions is a config and state whose plan has every action.
func AllActions() ([]load.Desired, *state.State) {
	st := state.New()
	st.Lineage = "3f0c2a9e-6b1d-4c3e-9a57-0e8b2d4f6a11"
	st.Serial = 7
	st.CompanyID = "4200000000000001"
	var ds []load.Desired
	add := func(key string, o offices.Office) { ds = append(ds, load.Desired{Key: key, Office: o}) }

	// no-op
	berlin := Office("Berlin", "DE")
	add("berlin", berlin)
	st.Offices["berlin"] = Created("5100000000000001", berlin)
	rome := Office("Rome", "IT")
	add("rome", rome)
	st.Offices["rome"] = Created("5100000000000002", rome)

	// create, referring to an office of the config
	munich := Office("Munich", "DE")
	RouteTo(&munich, "berlin")
	add("munich", munich)
	// create, referring to two, one of them created in this plan; its
	// name and description need escaping in markdown.
	hamburg := Office("Hamburg <Nord> & Co", "DE")
	hamburg.GroupDescription = "Ops ``` team"
	RouteTo(&hamburg, "munich", "berlin", "munich")
	add("hamburg", hamburg)
	// create, referring to an office known only to the state
	zurich := Office("Zurich", "CH")
	RouteTo(&zurich, "vienna")
	add("zurich", zurich)

	// update-e911
	nyc := Office("New York", "US")
	st.Offices["nyc"] = Created("5100000000000003", nyc)
	nyc.E911Address = &offices.E911Address{Address: "20 W 34th St", City: "New York", Country: "US", State: "NY", Zip: "10001"}
	add("nyc", nyc)

	// manual: several fields, nested ones, one added
	london := Office("London", "GB")
	london.RingSeconds = Ptr(int64(20))
	RouteTo(&london, "berlin")
	st.Offices["london"] = Created("5100000000000004", london)
	london.RingSeconds = Ptr(int64(30))
	london.RoutingOptions.Open.Action = "operator"
	london.Timezone = "Europe/London"
	london.E911Address.Zip = "EC2R 8AH"
	add("london", london)
	// manual: the state records no spec
	lyon := Office("Lyon", "FR")
	lyon.E911Address = &offices.E911Address{Address: "1 Place Bellecour", City: "Lyon", Country: "FR", State: "ARA", Zip: "69002"}
	old := Created("5100000000000005", lyon)
	old.Spec, old.SpecSHA256 = nil, "0000000000000000000000000000000000000000000000000000000000000000"
	st.Offices["lyon"] = old
	add("lyon", lyon)

	// resume
	tokyo := Office("Tokyo", "JP")
	RouteTo(&tokyo, "berlin")
	add("tokyo", tokyo)
	st.Offices["tokyo"] = &state.Entry{Name: "Tokyo", SpecSHA256: tokyo.SpecSHA256(), StartedAt: &planTime, Status: state.Pending}

	// orphans
	st.Offices["vienna"] = Created("5100000000000006", Office("Vienna", "AT"))
	st.Offices["oslo"] = Created("5100000000000007", Office("Oslo", "NO"))
	return ds, st
}

// NoChanges is a config that matches its state.
func NoChanges() ([]load.Desired, *state.State) {
	st := state.New()
	st.Lineage = "3f0c2a9e-6b1d-4c3e-9a57-0e8b2d4f6a11"
	st.Serial = 9
	berlin := Office("Berlin", "DE")
	munich := Office("Munich", "DE")
	RouteTo(&munich, "berlin")
	st.Offices["berlin"] = Created("5100000000000001", berlin)
	st.Offices["munich"] = Created("5100000000000008", munich)
	return []load.Desired{{Key: "munich", Office: munich}, {Key: "berlin", Office: berlin}}, st
}

// WriteOfficesJSON writes ds as a JSON config file.
func WriteOfficesJSON(t *testing.T, path string, ds ...load.Desired) {
	t.Helper()
	m := map[string]offices.Office{}
	for _, d := range ds {
		m[d.Key] = d.Office
	}
	b, err := json.Marshal(map[string]any{"offices": m})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
