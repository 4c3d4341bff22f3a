package officestest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
)

const token = "sim-token"

// call serves one request on s without a network and returns the status,
// the Retry-After header and the body.
func call(s *Server, method, target, auth string, body any) (int, string, string) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, target, rd)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w.Code, w.Header().Get("Retry-After"), w.Body.String()
}

func get(s *Server, target string) (int, string) {
	code, _, body := call(s, http.MethodGet, target, "Bearer "+token, nil)
	return code, body
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestAuth(t *testing.T) {
	s := New(Options{Token: token})
	for _, tc := range []struct {
		target, auth string
		want         int
	}{
		{"/api/v2/company", "", 401},
		{"/api/v2/company", "Bearer nope", 401},
		{"/api/v2/company", "Basic " + token, 401},
		{"/api/v2/company", "Bearer " + token, 200},
		{"/api/v2/company", "bearer " + token, 200},
		{"/api/v2/company?apikey=" + token, "", 200},
		{"/api/v2/company?apikey=nope", "", 401},
	} {
		code, _, body := call(s, http.MethodGet, tc.target, tc.auth, nil)
		if code != tc.want {
			t.Errorf("%s with %q: %d, want %d", tc.target, tc.auth, code, tc.want)
		}
		if code == 401 {
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != 401 || e.Error.Message == "" || e.Error.Errors[0].Domain != "global" {
				t.Errorf("401 body %s", body)
			}
		}
	}
	if st := s.Stats(); st.Unauthorized != 4 || st.Requests != 7 {
		t.Errorf("stats %+v", st)
	}
	open := New(Options{})
	if code, _, _ := call(open, http.MethodGet, "/api/v2/company", "Bearer anything", nil); code != 200 {
		t.Errorf("no Token set: any key should do, got %d", code)
	}
	if code, _, _ := call(open, http.MethodGet, "/api/v2/company", "", nil); code != 401 {
		t.Errorf("no Token set: a missing key should still be refused, got %d", code)
	}
}

func TestRateWindow(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := New(Options{Token: token, RatePerMinute: 3, Now: clk.Now})
	for i := range 3 {
		if code, _ := get(s, "/api/v2/company"); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
		clk.Advance(10 * time.Second)
	}
	// Window holds t=0,10,20; now t=30: the first leaves at t=60.
	code, retry, body := call(s, http.MethodGet, "/api/v2/company", "Bearer "+token, nil)
	if code != 429 || retry != "30" || !strings.Contains(body, "rateLimitExceeded") {
		t.Errorf("4th request: %d, Retry-After %q, %s", code, retry, body)
	}
	clk.Advance(29500 * time.Millisecond)
	if _, retry, _ := call(s, http.MethodGet, "/api/v2/company", "", nil); retry != "1" {
		t.Errorf("Retry-After %q half a second before, want 1 (rounded up)", retry)
	}
	clk.Advance(time.Second)
	if code, _ := get(s, "/api/v2/company"); code != 200 {
		t.Errorf("after the window moved: %d", code)
	}
	if st := s.Stats(); st.RateLimited != 2 {
		t.Errorf("RateLimited = %d, want 2", st.RateLimited)
	}
	// Every request arrived, throttled ones included.
	if got := s.MaxInWindow(time.Minute); got != 5 {
		t.Errorf("MaxInWindow(1m) = %d, want 5", got)
	}
	if got := s.MaxInWindow(10 * time.Second); got != 2 {
		t.Errorf("MaxInWindow(10s) = %d, want 2", got)
	}
	if got := s.PerSecond(); len(got) != 61 || got[0] != 1 || got[30] != 1 || got[59] != 1 || got[60] != 1 {
		t.Errorf("PerSecond = %v", got)
	}
	unlimited := New(Options{Token: token, RatePerMinute: -1, Now: clk.Now})
	for range 2000 {
		if code, _ := get(unlimited, "/api/v2/company"); code != 200 {
			t.Fatalf("unlimited server answered %d", code)
		}
	}
}

func validOffice() map[string]any {
	m := validBody()
	m["ring_seconds"] = 30
	return m
}

func TestCreateWritesInt64AsStrings(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		s := New(Options{Token: token, NumericIDs: numeric})
		code, _, body := call(s, http.MethodPost, "/api/v2/offices", "Bearer "+token, validOffice())
		if code != 200 {
			t.Fatalf("create: %d %s", code, body)
		}
		id := fmt.Sprint(DefaultFirstID)
		want := []string{`"id":"` + id + `"`, `"office_id":"` + id + `"`, `"ring_seconds":"30"`, `"action_target_id":"42"`, `"country":"de"`, `"talk_lines":"1"`}
		if numeric {
			want = []string{`"id":` + id, `"ring_seconds":30`, `"action_target_id":42`}
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("NumericIDs=%v: body lacks %s: %s", numeric, w, body)
			}
		}
		var resp offices.OfficeUpdateResponse
		if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Office.ID != DefaultFirstID || resp.Plan == nil {
			t.Errorf("decoded %+v, %v", resp, err)
		}
	}
}

func TestCreateRefusesAndAcceptsDuplicates(t *testing.T) {
	s := New(Options{Token: token})
	bad := validOffice()
	bad["country"] = "XX"
	code, _, body := call(s, http.MethodPost, "/api/v2/offices", "Bearer "+token, bad)
	var e errorBody
	json.Unmarshal([]byte(body), &e)
	if code != 400 || e.Error.Code != 400 || !strings.Contains(e.Error.Message, "country") || e.Error.Errors[0].Reason != "badRequest" {
		t.Errorf("invalid office: %d %s", code, body)
	}
	for range 2 {
		if code, _, body := call(s, http.MethodPost, "/api/v2/offices", "Bearer "+token, validOffice()); code != 200 {
			t.Fatalf("create: %d %s", code, body)
		}
	}
	if n := s.CountByName()["Berlin"]; n != 2 {
		t.Errorf("duplicates: %d offices named Berlin, want 2 (Dialpad does not refuse them)", n)
	}
	if st := s.Stats(); st.Created != 2 {
		t.Errorf("Created = %d", st.Created)
	}
}

func TestListPaging(t *testing.T) {
	s := New(Options{Token: token, PageSize: 2})
	var seed []offices.Live
	for i := range 5 {
		seed = append(seed, offices.Live{Name: fmt.Sprint("o", i), Country: "DE"})
	}
	ids := s.Seed(seed...)
	if err := s.SetState(ids[1], "deleted"); err != nil {
		t.Fatal(err)
	}
	list := func(query string) (names []string, pages int) {
		cursor := ""
		for {
			target := "/api/v2/offices?" + query
			if cursor != "" {
				target += "&cursor=" + cursor
			}
			code, body := get(s, target)
			if code != 200 {
				t.Fatalf("%s: %d %s", target, code, body)
			}
			var p offices.OfficePage
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			pages++
			for _, l := range p.Items {
				names = append(names, l.Name)
			}
			if p.Cursor == "" {
				return names, pages
			}
			cursor = p.Cursor
		}
	}
	if names, pages := list(""); strings.Join(names, ",") != "o0,o1,o2,o3,o4" || pages != 3 {
		t.Errorf("all: %v in %d pages", names, pages)
	}
	if names, _ := list("active_only=true"); strings.Join(names, ",") != "o0,o2,o3,o4" {
		t.Errorf("active only: %v", names)
	}
	if code, _ := get(s, "/api/v2/offices?cursor=bogus"); code != 400 {
		t.Errorf("bad cursor: %d", code)
	}
	if code, _ := get(s, "/api/v2/offices?active_only=maybe"); code != 400 {
		t.Errorf("bad active_only: %d", code)
	}
	empty := New(Options{Token: token})
	if code, body := get(empty, "/api/v2/offices"); code != 200 || !strings.Contains(body, `"items":[]`) || strings.Contains(body, "cursor") {
		t.Errorf("empty list: %d %s", code, body)
	}
}

func TestRoutes(t *testing.T) {
	s := New(Options{Token: token})
	id := s.Seed(offices.Live{Name: "A", Country: "US"})[0]
	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{"GET", fmt.Sprintf("/api/v2/offices/%d", id), 200},
		{"GET", "/api/v2/offices/1", 404},
		{"GET", "/api/v2/offices/abc", 400},
		{"DELETE", fmt.Sprintf("/api/v2/offices/%d", id), 405},
		{"PATCH", "/api/v2/offices", 405},
		{"GET", fmt.Sprintf("/api/v2/offices/%d/e911", id), 200},
		{"POST", fmt.Sprintf("/api/v2/offices/%d/e911", id), 405},
		{"PUT", "/api/v2/offices/1/e911", 404},
		{"GET", "/api/v2/rooms", 404},
		{"POST", "/api/v2/company", 405},
	} {
		code, _, body := call(s, tc.method, tc.target, "Bearer "+token, map[string]any{"address": "x", "city": "x", "country": "US", "state": "x", "zip": "x"})
		if code != tc.want || !json.Valid([]byte(body)) {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.target, code, body, tc.want)
		}
	}
	if _, body := get(s, fmt.Sprintf("/api/v2/offices/%d/e911", id)); strings.TrimSpace(body) != "{}" {
		t.Errorf("e911 of an office without one: %s", body)
	}
	if err := s.Mutate(id, func(l *offices.Live) { l.Name = "B"; l.ID = 1 }); err != nil {
		t.Fatal(err)
	}
	if l, ok := s.Office(id); !ok || l.Name != "B" {
		t.Errorf("after Mutate: %+v", l)
	}
	if err := s.Mutate(1, func(*offices.Live) {}); err == nil {
		t.Error("Mutate of an unknown office succeeded")
	}
	if _, body := get(s, "/api/v2/company"); !strings.Contains(body, `"office_count":"1"`) {
		t.Errorf("company: %s", body)
	}
}

// statuses returns the statuses of n GETs on a server with faults and seed.
func statuses(seed uint64, n int) string {
	s := New(Options{Token: token, Seed: seed, Faults: Faults{ServerError: 0.3, TooManyRequests: 0.3}})
	var b strings.Builder
	for range n {
		code, _ := get(s, "/api/v2/company")
		fmt.Fprint(&b, code/100)
	}
	return b.String()
}

func TestFaultsAreSeeded(t *testing.T) {
	a, b, c := statuses(1, 60), statuses(1, 60), statuses(2, 60)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same faults: %s", a)
	}
	if !strings.Contains(a, "2") || !strings.Contains(a, "4") || !strings.Contains(a, "5") {
		t.Errorf("faults not mixed: %s", a)
	}
}

func TestResetAndDropOverHTTP(t *testing.T) {
	ts := NewServer(t, Options{Token: token})
	post := func() error {
		b, _ := json.Marshal(validOffice())
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v2/offices", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	ts.SetFaults(Faults{Reset: 1})
	if err := post(); err == nil {
		t.Error("reset: the POST got an answer")
	}
	if n := len(ts.Offices()); n != 0 {
		t.Errorf("reset: %d offices, want 0", n)
	}
	ts.SetFaults(Faults{Drop: 1})
	if err := post(); err == nil {
		t.Error("drop: the POST got an answer")
	}
	if n := ts.CountByName()["Berlin"]; n != 1 {
		t.Errorf("drop: %d offices, want 1", n)
	}
	recs := ts.Records()
	if len(recs) != 2 || recs[0].Status != 0 || recs[1].Status != 0 || recs[1].Path != "/api/v2/offices" {
		t.Errorf("records %+v", recs)
	}
	if st := ts.Stats(); st.Resets != 1 || st.Drops != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults("5xx=0.1, 429=0.05,reset=0.03,drop=0.05,retry-after=2s")
	want := Faults{ServerError: 0.1, TooManyRequests: 0.05, Reset: 0.03, Drop: 0.05, RetryAfter: 2 * time.Second}
	if err != nil || f != want {
		t.Errorf("ParseFaults = %+v, %v", f, err)
	}
	if g, err := ParseFaults(f.String()); err != nil || g != f {
		t.Errorf("round trip of %q: %+v, %v", f.String(), g, err)
	}
	if f, err := ParseFaults(""); err != nil || f != (Faults{RetryAfter: time.Second}) {
		t.Errorf("empty: %+v, %v", f, err)
	}
	if f, _ := ParseFaults("retry-after=3"); f.RetryAfter != 3*time.Second {
		t.Errorf("retry-after in seconds: %v", f.RetryAfter)
	}
	for _, bad := range []string{"5xx", "5xx=2", "5xx=-0.1", "timeout=0.1", "5xx=0.6,drop=0.6", "5xx=0.1,5xx=0.2", "retry-after=soon", "=0.1"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted", bad)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRun(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:8080", "[::]:0", "nohost"} {
		if err := Run(context.Background(), addr, Options{}, nil); err == nil {
			t.Errorf("Run(%q) did not refuse", addr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, "127.0.0.1:0", Options{Token: token, Faults: Faults{Reset: 0}}, &log) }()
	var url string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(log.String(), "http://"); ok {
			url = "http://" + strings.Fields(rest)[0]
			break
		}
	}
	if url == "" {
		t.Fatalf("no URL in the log: %q", log.String())
	}
	resp, err := http.Get(url + "/api/v2/company?apikey=" + token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("company: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	out := log.String()
	if !strings.Contains(out, "GET /api/v2/company 200") || strings.Contains(out, token) {
		t.Errorf("log (must show the request, never the key):\n%s", out)
	}
}
