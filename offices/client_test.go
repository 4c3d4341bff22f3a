package offices_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

const testKey = "test-key-5f0c2a"

// berlin returns a valid office named name.
func berlin(name string) offices.Office {
	ring := int64(25)
	return offices.Office{
		Name: name, Country: "DE", Currency: "EUR", PlanPeriod: "monthly",
		UnifiedBilling: true,
		BillingAddress: offices.BillingAddress{
			AddressLine1: "Friedrichstrasse 68", City: "Berlin", Country: "DE", PostalCode: "10117", Region: "Berlin",
		},
		MondayHours: []string{"08:00", "18:00"}, TuesdayHours: []string{"08:00", "18:00"},
		WednesdayHours: []string{"08:00", "18:00"}, ThursdayHours: []string{"08:00", "18:00"},
		FridayHours: []string{"08:00", "18:00"}, SaturdayHours: []string{}, SundayHours: []string{},
		RingSeconds: &ring, Timezone: "Europe/Berlin",
	}
}

// sanFrancisco returns a valid US office, which needs an E911 address.
func sanFrancisco(name string) offices.Office {
	o := berlin(name)
	o.Country, o.Currency, o.Timezone = "US", "USD", "America/Los_Angeles"
	o.BillingAddress = offices.BillingAddress{AddressLine1: "1 Market St", City: "San Francisco", Country: "US", PostalCode: "94105", Region: "CA"}
	o.E911Address = &offices.E911Address{Address: "1 Market St", City: "San Francisco", Country: "US", State: "CA", Zip: "94105"}
	return o
}

// fastConfig is a client config for url with short retry delays.
func fastConfig(url string) offices.ClientConfig {
	return offices.ClientConfig{
		BaseURL: url, APIKey: testKey, Rate: 60000,
		RetryBaseDelay: 5 * time.Millisecond, RetryMaxDelay: 50 * time.Millisecond,
		Timeout: 5 * time.Second,
	}
}

func newClient(t *testing.T, cfg offices.ClientConfig) *offices.Client {
	t.Helper()
	c, err := offices.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSim(t *testing.T, opts officestest.Options) *officestest.TestServer {
	if opts.Token == "" {
		opts.Token = testKey
	}
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = -1 // tests of pacing set their own
	}
	return officestest.NewServer(t, opts)
}

func TestClientCreateGetList(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		t.Run(fmt.Sprintf("NumericIDs=%v", numeric), func(t *testing.T) {
			sim := newSim(t, officestest.Options{NumericIDs: numeric})
			c := newClient(t, fastConfig(sim.URL))
			ctx := context.Background()

			created, err := c.CreateOffice(ctx, sanFrancisco("San Francisco"))
			if err != nil {
				t.Fatal(err)
			}
			if created.ID != officestest.DefaultFirstID || created.OfficeID != created.ID {
				t.Errorf("created ids = %d/%d, want %d", created.ID, created.OfficeID, officestest.DefaultFirstID)
			}
			if created.Country != "us" || created.Name != "San Francisco" || created.State != "active" {
				t.Errorf("created = %+v", created)
			}
			if created.RingSeconds == nil || *created.RingSeconds != 25 {
				t.Errorf("ring_seconds = %v, want 25", created.RingSeconds)
			}

			got, err := c.GetOffice(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != created.ID || got.Name != created.Name {
				t.Errorf("GetOffice = %+v", got)
			}
			list, err := c.ListOffices(ctx, offices.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].ID != created.ID {
				t.Errorf("ListOffices = %+v", list)
			}
			co, err := c.GetCompany(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if co.ID == 0 || co.OfficeCount != 1 {
				t.Errorf("company = %+v", co)
			}
		})
	}
}

func TestClientE911(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	c := newClient(t, fastConfig(sim.URL))
	ctx := context.Background()
	created, err := c.CreateOffice(ctx, sanFrancisco("SF"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.GetE911(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Address != "1 Market St" || e.Country != "us" {
		t.Errorf("GetE911 = %+v", e)
	}
	yes := true
	upd := offices.E911Update{
		E911Address: offices.E911Address{Address: "2 Market St", City: "San Francisco", Country: "US", State: "CA", Zip: "94105"},
		UpdateAll:   &yes,
	}
	e, err = c.UpdateE911(ctx, created.ID, upd)
	if err != nil {
		t.Fatal(err)
	}
	if e.Address != "2 Market St" {
		t.Errorf("UpdateE911 = %+v", e)
	}
	if l, _ := sim.Office(created.ID); l.E911Address == nil || l.E911Address.Address != "2 Market St" {
		t.Errorf("simulator holds %+v", l.E911Address)
	}
	// A missing required field is a 400 with the field's name.
	upd.Zip = ""
	_, err = c.UpdateE911(ctx, created.ID, upd)
	if !offices.IsPermanent(err) || !strings.Contains(err.Error(), "zip") {
		t.Errorf("UpdateE911 without zip: err = %v", err)
	}
	// An unknown office is a 404.
	_, err = c.GetE911(ctx, 42)
	if !offices.IsPermanent(err) || !strings.Contains(err.Error(), "404") {
		t.Errorf("GetE911(42): err = %v", err)
	}
}

func TestClientPaging(t *testing.T) {
	sim := newSim(t, officestest.Options{PageSize: 3})
	var seed []offices.Live
	for i := range 11 {
		seed = append(seed, offices.Live{Name: fmt.Sprintf("office %02d", i), Country: "DE"})
	}
	ids := sim.Seed(seed...)
	if err := sim.SetState(ids[4], "deleted"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, fastConfig(sim.URL))
	ctx := context.Background()

	page, err := c.ListOfficesPage(ctx, offices.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 3 || page.Cursor == "" {
		t.Fatalf("first page: %d items, cursor %q", len(page.Items), page.Cursor)
	}
	before := sim.Stats().Requests
	all, err := c.ListOffices(ctx, offices.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pages := sim.Stats().Requests - before; pages != 4 {
		t.Errorf("ListOffices made %d requests, want 4 pages", pages)
	}
	if len(all) != 11 {
		t.Fatalf("ListOffices: %d offices, want 11", len(all))
	}
	for i, l := range all {
		if l.ID != ids[i] {
			t.Errorf("office %d: id %d, want %d", i, l.ID, ids[i])
		}
	}
	active, err := c.ListOffices(ctx, offices.ListOptions{ActiveOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 10 {
		t.Errorf("active offices: %d, want 10", len(active))
	}
}

func TestClientAuth(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	cfg := fastConfig(sim.URL)
	cfg.APIKey = "wrong-key"
	c := newClient(t, cfg)
	_, err := c.ListOffices(context.Background(), offices.ListOptions{})
	if !offices.IsAuth(err) || !errors.Is(err, offices.ErrAuth) {
		t.Fatalf("err = %v, want an auth error", err)
	}
	if offices.IsPermanent(err) {
		t.Errorf("auth error is also permanent: %v", err)
	}
	for _, want := range []string{"401", "DIALPAD_API_KEY", "--api-key-file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if n := sim.Stats().Requests; n != 1 {
		t.Errorf("%d requests after a 401, want 1 (no retry)", n)
	}
}

func TestClientBadRequest(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	c := newClient(t, fastConfig(sim.URL))
	o := berlin("Bad")
	o.Country = "XX"
	o.Currency = "DEM"
	_, err := c.CreateOffice(context.Background(), o)
	var ae *offices.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || !offices.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent 400", err)
	}
	if errors.Is(err, offices.ErrOutcomeUnknown) {
		t.Errorf("a 400 is not an unknown outcome: %v", err)
	}
	for _, want := range []string{"POST /api/v2/offices", "400 Bad Request", `country: "XX" is not one of the 84 allowed values`, `currency: "DEM"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if ae.Reason != "badRequest" {
		t.Errorf("reason = %q", ae.Reason)
	}
	if sim.Stats().Requests != 1 || len(sim.Offices()) != 0 {
		t.Errorf("requests %d, offices %d; want 1, 0", sim.Stats().Requests, len(sim.Offices()))
	}
}

func TestClientRefusesUnresolvedReferences(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	c := newClient(t, fastConfig(sim.URL))
	o := berlin("Munich")
	o.RoutingOptions = &offices.RoutingOptions{
		Open:   offices.RoutingInner{Action: "department", ActionTargetType: "office", ActionTargetID: &offices.Target{Office: "berlin"}},
		Closed: offices.RoutingInner{Action: "voicemail"},
	}
	_, err := c.CreateOffice(context.Background(), o)
	if !errors.Is(err, offices.ErrUnresolved) || !strings.Contains(err.Error(), "berlin") {
		t.Fatalf("err = %v, want ErrUnresolved naming berlin", err)
	}
	if n := sim.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	resolved, err := o.Resolve(map[string]int64{"berlin": 5100000000000007})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.CreateOffice(context.Background(), resolved)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.RoutingOptions.Open.ActionTargetID; got == nil || got.ID != 5100000000000007 {
		t.Errorf("action_target_id = %+v", got)
	}
}

func TestNewClientChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		url, key, want string
	}{
		{"", "", "DIALPAD_API_KEY"},
		{"http://dialpad.com", "k", "loopback"},
		{"http://10.0.0.1:8080", "k", "loopback"},
		{"ftp://127.0.0.1", "k", "scheme"},
		{"https://dialpad.com/?apikey=k", "k", "only scheme, host and path"},
		{"https://user:pw@dialpad.com", "k", "only scheme, host and path"},
	} {
		_, err := offices.NewClient(offices.ClientConfig{BaseURL: tc.url, APIKey: tc.key})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClient(%q): err = %v, want one mentioning %q", tc.url, err, tc.want)
		}
	}
	for _, ok := range []string{"", "https://sandbox.dialpad.com/", "http://127.0.0.1:9", "http://127.8.9.1", "http://[::1]:80", "http://localhost:1234"} {
		if _, err := offices.NewClient(offices.ClientConfig{BaseURL: ok, APIKey: "k"}); err != nil {
			t.Errorf("NewClient(%q): %v", ok, err)
		}
	}
}

// TestClientConcurrentCreates creates offices from many goroutines through
// one client and checks each exists once.
func TestClientConcurrentCreates(t *testing.T) {
	sim := newSim(t, officestest.Options{Latency: 2 * time.Millisecond})
	cfg := fastConfig(sim.URL)
	cfg.Burst = 8
	c := newClient(t, cfg)
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Go(func() {
			if _, err := c.CreateOffice(context.Background(), berlin(fmt.Sprintf("office %d", i))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for name, n := range sim.CountByName() {
		if n != 1 {
			t.Errorf("%s exists %d times", name, n)
		}
	}
	if len(sim.Offices()) != 24 {
		t.Errorf("%d offices, want 24", len(sim.Offices()))
	}
}
