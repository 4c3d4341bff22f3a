package officestest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
)

func edits(t *testing.T, assignments ...string) []Edit {
	t.Helper()
	var out []Edit
	for _, a := range assignments {
		e, err := ParseEdit(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestEdit: any OfficeProto field can change, nested objects are made on
// the way, null removes a field; an unknown field, a non-object on the
// path, id and an unknown office are refused and change nothing.
func TestEdit(t *testing.T) {
	s := New(Options{})
	id := s.Seed(offices.Live{Name: "Berlin", Country: "DE", MondayHours: []string{"08:00", "18:00"}, Timezone: "Europe/Berlin"})[0]
	l, err := s.Edit(id, edits(t, `name="Berlin HQ"`, `ring_seconds=45`, `monday_hours=["09:00","17:00"]`,
		`e911_address.zip="10117"`, `routing_options.open.action="operator"`, `timezone=null`, `state="deleted"`)...)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Office(id)
	if got.Name != "Berlin HQ" || got.RingSeconds == nil || *got.RingSeconds != 45 || strings.Join(got.MondayHours, ",") != "09:00,17:00" ||
		got.E911Address == nil || got.E911Address.Zip != "10117" || got.RoutingOptions == nil || got.RoutingOptions.Open.Action != "operator" ||
		got.Timezone != "" || got.State != "deleted" || got.ID != id || got.OfficeID != id {
		t.Errorf("edited office %+v", got)
	}
	if l.Name != got.Name {
		t.Errorf("Edit returned %+v", l)
	}

	for _, bad := range [][]string{
		{`name="X"`, `no_such_field=1`},
		{`name="X"`, `name.first="a"`},
		{`id=7`},
		{`ring_seconds="soon"`},
	} {
		if _, err := s.Edit(id, edits(t, bad...)...); err == nil {
			t.Errorf("Edit(%q) did not refuse", bad)
		}
	}
	if after, _ := s.Office(id); after.Name != "Berlin HQ" {
		t.Errorf("a refused edit changed the office: %+v", after)
	}
	if _, err := s.Edit(id+1, edits(t, `name="X"`)...); !errors.Is(err, ErrNoOffice) {
		t.Errorf("Edit of an unknown id: %v", err)
	}
	for _, bad := range []string{"name", "=1", `name=Berlin`} {
		if _, err := ParseEdit(bad); err == nil {
			t.Errorf("ParseEdit(%q) did not refuse", bad)
		}
	}
}

// TestAdminEndpoints: the admin endpoints need the key and the admin
// header, change and delete offices, and are neither rate limited nor
// counted as API requests; a deleted office is a 404 and its id is not
// given again.
func TestAdminEndpoints(t *testing.T) {
	ts := NewServer(t, Options{Token: token, RatePerMinute: 2})
	id := ts.Seed(offices.Live{Name: "Paris", Country: "FR"})[0]
	c := &AdminClient{URL: ts.URL, Key: token}
	ctx := context.Background()

	// Without the header, and without the key: refused.
	body := `{"set":{"name":"\"X\""}}`
	for _, tc := range []struct {
		auth, header string
		want         int
	}{{"Bearer " + token, "", http.StatusForbidden}, {"", "yes", http.StatusUnauthorized}, {"Bearer wrong", "yes", http.StatusUnauthorized}} {
		req := httptest.NewRequest(http.MethodPatch, AdminPrefix+"offices/"+itoa(id), strings.NewReader(body))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		if tc.header != "" {
			req.Header.Set(AdminHeader, tc.header)
		}
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, req)
		if w.Code != tc.want {
			t.Errorf("auth %q header %q: %d, want %d", tc.auth, tc.header, w.Code, tc.want)
		}
	}
	if l, _ := ts.Office(id); l.Name != "Paris" {
		t.Fatalf("a refused admin request changed the office: %+v", l)
	}

	for range 3 { // more than the rate limit allows the API
		l, err := c.Edit(ctx, id, edits(t, `ring_seconds=20`, `e911_address.zip="75002"`)...)
		if err != nil {
			t.Fatal(err)
		}
		if l.RingSeconds == nil || *l.RingSeconds != 20 || l.E911Address.Zip != "75002" {
			t.Errorf("edit answered %+v", l)
		}
	}
	if _, err := c.Edit(ctx, id, edits(t, `nope=1`)...); err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown field: %v", err)
	}
	if err := c.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, id); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("deleting twice: %v", err)
	}
	if s := ts.Stats(); s.Requests != 0 || len(ts.Records()) != 0 {
		t.Errorf("admin requests counted as API requests: %+v", s)
	}
	if code, _ := get(ts.Server, "/api/v2/offices/"+itoa(id)); code != http.StatusNotFound {
		t.Errorf("GET of a deleted office: %d", code)
	}
	code, _, out := call(ts.Server, http.MethodPost, "/api/v2/offices", "Bearer "+token, validOffice())
	if code != 200 || strings.Contains(out, `"id":"`+itoa(id)+`"`) {
		t.Errorf("create after delete: %d %s (id %d must not be given again)", code, out, id)
	}
	if err := (&AdminClient{URL: "http://192.0.2.1:8089", Key: token}).Delete(ctx, 1); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("plain http beyond loopback: %v", err)
	}
}

func itoa(id int64) string { b, _ := json.Marshal(id); return string(b) }

// runSim runs Run on 127.0.0.1:0 (or addr) until the returned stop is
// called, and returns its URL (on 127.0.0.1) and stop, which returns Run's
// error.
func runSim(t *testing.T, addr string, opts Options) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, addr, opts, &log) }()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(log.String(), "http://"); ok && strings.Contains(rest, ")") {
			hostport := strings.Fields(rest)[0]
			port := hostport[strings.LastIndex(hostport, ":")+1:]
			return "http://127.0.0.1:" + port, func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("Run: %v", err)
		default:
		}
	}
	cancel()
	t.Fatalf("no URL in the log: %q", log.String())
	return "", nil
}

// TestDataFile: a simulator started again on its data file holds the same
// offices, edits and deletions included, and never gives an id twice; a
// data file that is not one is refused and left as it was.
func TestDataFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.json")
	opts := Options{Token: token, DataFile: path}
	ctx := context.Background()

	url, stop := runSim(t, "127.0.0.1:0", opts)
	client, err := offices.NewClient(offices.ClientConfig{BaseURL: url, APIKey: token})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, name := range []string{"Berlin", "Paris", "Rome"} {
		o := offices.Office{Name: name, Country: "DE", Currency: "EUR", PlanPeriod: "monthly",
			BillingAddress: offices.BillingAddress{AddressLine1: "a", City: "c", Country: "DE", PostalCode: "1", Region: "r"}}
		l, err := client.CreateOffice(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	admin := &AdminClient{URL: url, Key: token}
	if _, err := admin.Edit(ctx, ids[0], edits(t, `ring_seconds=45`)...); err != nil {
		t.Fatal(err)
	}
	if err := admin.Delete(ctx, ids[2]); err != nil { // the highest id
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("data file: %v %v", fi, err)
	}

	url, stop = runSim(t, "127.0.0.1:0", opts)
	client, _ = offices.NewClient(offices.ClientConfig{BaseURL: url, APIKey: token})
	live, err := client.ListOffices(ctx, offices.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || live[0].ID != ids[0] || live[0].RingSeconds == nil || *live[0].RingSeconds != 45 || live[1].Name != "Paris" {
		t.Fatalf("after a restart: %+v", live)
	}
	l, err := client.CreateOffice(ctx, offices.Office{Name: "Oslo", Country: "NO", Currency: "EUR", PlanPeriod: "monthly",
		BillingAddress: offices.BillingAddress{AddressLine1: "a", City: "c", Country: "NO", PostalCode: "1", Region: "r"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.ID <= ids[2] {
		t.Errorf("new office got id %d; ids up to %d were given before", l.ID, ids[2])
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	for name, content := range map[string]string{
		"not json":   "{",
		"other json": `{"offices": []}`,
		"id twice":   `{"format":"officectl-sim","version":1,"next_id":9,"offices":[{"id":3,"name":"A"},{"id":3,"name":"B"}]}`,
		"id too big": `{"format":"officectl-sim","version":1,"next_id":3,"offices":[{"id":3,"name":"A"}]}`,
	} {
		bad := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := Run(ctx, "127.0.0.1:0", Options{DataFile: bad}, nil)
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: Run: %v", name, err)
		}
		if b, _ := os.ReadFile(bad); !bytes.Equal(b, []byte(content)) {
			t.Errorf("%s: the data file was changed", name)
		}
	}
}

// TestRunAllowNonLoopback: an address beyond loopback is refused with the
// flag that allows it, and served once allowed (reached here through
// loopback: 0.0.0.0 listens on every interface).
func TestRunAllowNonLoopback(t *testing.T) {
	err := Run(context.Background(), "0.0.0.0:0", Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "--allow-non-loopback") {
		t.Fatalf("Run(0.0.0.0:0): %v", err)
	}
	url, stop := runSim(t, "0.0.0.0:0", Options{Token: token, AllowNonLoopback: true})
	resp, err := http.Get(url + "/api/v2/company?apikey=" + token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("company: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// roundTripFunc counts the requests an http.Client would send.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestAdminClientLoopbackOnly: the admin client sends its key only to a
// simulator on this machine unless told otherwise, plain http only to
// loopback, and never follows a redirect elsewhere.
func TestAdminClientLoopbackOnly(t *testing.T) {
	ctx := context.Background()
	var sent atomic.Int64
	counting := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return nil, errors.New("no network in this test")
	})}
	for _, tc := range []struct {
		url   string
		allow bool
		want  string
	}{
		{"https://dialpad.com", false, "is not a loopback address"},
		{"http://10.0.0.1:8089", false, "is not a loopback address"},
		{"http://sim.example.com:8089", true, "plain http only to a loopback host"},
		{"ftp://127.0.0.1", false, "want http://HOST:PORT"},
	} {
		c := &AdminClient{URL: tc.url, Key: "real-key", AllowNonLoopback: tc.allow, HTTP: counting}
		if err := c.Delete(ctx, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Delete via %s (allow %v) = %v, want an error saying %q", tc.url, tc.allow, err, tc.want)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}

	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	c := &AdminClient{URL: redirect.URL, Key: "real-key"}
	if err := c.Delete(ctx, 1); err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("Delete answered with a redirect = %v, want it refused", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect was followed (%d requests elsewhere)", n)
	}
}
