package offices_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
)

// hostile starts a fake API over loopback whose answers come from h, and
// counts its requests.
func hostile(t *testing.T, h func(w http.ResponseWriter, r *http.Request, n int64)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestHostileAPIEndlessCursor: a listing whose cursor never repeats ends
// after MaxListPages pages with ErrListTooLong and no partial list.
func TestHostileAPIEndlessCursor(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		fmt.Fprintf(w, `{"cursor":"c%d","items":[{"id":"%d","name":"Office %d"}]}`, n, n, n)
	})
	c := newClient(t, fastConfig(srv.URL))
	live, err := c.ListOffices(context.Background(), offices.ListOptions{})
	if !errors.Is(err, offices.ErrListTooLong) || live != nil {
		t.Fatalf("ListOffices = %d offices, %v; want none and ErrListTooLong", len(live), err)
	}
	if got := n.Load(); got != offices.MaxListPages {
		t.Errorf("%d pages fetched, want %d", got, offices.MaxListPages)
	}
	if !strings.Contains(err.Error(), "1000 pages") {
		t.Errorf("error does not say the bound: %v", err)
	}
}

// TestHostileAPITooManyOffices: a listing past MaxListOffices offices
// fails as soon as a page crosses the bound.
func TestHostileAPITooManyOffices(t *testing.T) {
	const perPage = 30_000
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		var b strings.Builder
		fmt.Fprintf(&b, `{"cursor":"c%d","items":[`, n)
		for i := range perPage {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d,"name":"O"}`, n*perPage+int64(i)+1)
		}
		b.WriteString("]}")
		w.Write([]byte(b.String()))
	})
	c := newClient(t, fastConfig(srv.URL))
	_, err := c.ListOffices(context.Background(), offices.ListOptions{})
	if !errors.Is(err, offices.ErrListTooLong) {
		t.Fatalf("err = %v, want ErrListTooLong", err)
	}
	if got := n.Load(); got != 4 { // 120,000 offices after 4 pages
		t.Errorf("%d pages fetched, want 4", got)
	}
}

// TestListKeep: with Keep, only the offices kept are returned, from every
// page.
func TestListKeep(t *testing.T) {
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		cursor := ""
		if n < 3 {
			cursor = fmt.Sprintf("c%d", n)
		}
		fmt.Fprintf(w, `{"cursor":%q,"items":[{"id":%d,"name":"A"},{"id":%d,"name":"B"}]}`, cursor, 2*n, 2*n+1)
	})
	c := newClient(t, fastConfig(srv.URL))
	live, err := c.ListOffices(context.Background(), offices.ListOptions{Keep: func(l offices.Live) bool { return l.Name == "B" }})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 3 || live[0].ID != 3 || live[2].ID != 7 {
		t.Errorf("kept %+v, want the three B offices", live)
	}
}

// TestHostileAPIHugeRetryAfter: a 429 asking to wait longer than
// MaxRetryWait fails the request at once, naming the server's value.
func TestHostileAPIHugeRetryAfter(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "1000000000")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	cfg := fastConfig(srv.URL)
	cfg.MaxRetryWait = 2 * time.Second
	c := newClient(t, cfg)
	start := time.Now()
	_, err := c.GetCompany(context.Background())
	if !errors.Is(err, offices.ErrRetryTooLong) || !strings.Contains(err.Error(), `"1000000000"`) || !strings.Contains(err.Error(), "2s") {
		t.Fatalf("err = %v, want ErrRetryTooLong naming the Retry-After and the limit", err)
	}
	if n.Load() != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("%d requests in %s, want 1 at once", n.Load(), time.Since(start))
	}
	// Within the limit, the client waits and retries.
	srv2, n2 := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, `{"id":"7","name":"Acme"}`)
	})
	cfg.BaseURL = srv2.URL
	if co, err := newClient(t, cfg).GetCompany(context.Background()); err != nil || co.ID != 7 || n2.Load() != 2 {
		t.Errorf("GetCompany after Retry-After 1 = %+v, %v (%d requests)", co, err, n2.Load())
	}
}

// TestStartContextStopsWaits: once the start context ends, a request
// waiting out a Retry-After sends nothing more and fails with ErrNotSent;
// an attempt already on the wire finishes under its own context.
func TestStartContextStopsWaits(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, fastConfig(srv.URL))
	start, stop := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, stop)
	began := time.Now()
	_, err := c.CreateOffice(offices.WithStartContext(context.Background(), start), berlin("Berlin"))
	if !errors.Is(err, offices.ErrNotSent) || errors.Is(err, offices.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrNotSent", err)
	}
	if took := time.Since(began); took > 5*time.Second || n.Load() != 1 {
		t.Errorf("%d requests, returned after %s; want 1 and at once after the stop", n.Load(), took)
	}

	// In flight: the answer arrives after the start context ended.
	slow, _ := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, `{"office":{"id":"42","name":"Berlin"}}`)
	})
	c = newClient(t, fastConfig(slow.URL))
	start, stop = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, stop)
	live, err := c.CreateOffice(offices.WithStartContext(context.Background(), start), berlin("Berlin"))
	if err != nil || live.ID != 42 {
		t.Errorf("create on the wire at the stop = %+v, %v; want its answer", live, err)
	}
}

// TestHostileAPIUnreachableStreak: when connections are refused, requests
// in parallel give up together after MaxAttempts refusals in a row, not
// MaxAttempts each.
func TestHostileAPIUnreachableStreak(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := newClient(t, fastConfig(url)) // MaxAttempts 5
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = c.GetOffice(context.Background(), int64(i+1)) }()
	}
	wg.Wait()
	for _, err := range errs {
		if !errors.Is(err, offices.ErrUnreachable) {
			t.Errorf("err = %v, want ErrUnreachable", err)
		}
	}
	if got := c.Stats().Requests; got > 8+5 {
		t.Errorf("%d attempts for 8 requests, want at most 13", got)
	}
}

// TestHostileAPIDNSFailure: a host name that does not resolve counts as
// unreachable like a refused connection (the dialer fails as the resolver
// would, with no network needed).
func TestHostileAPIDNSFailure(t *testing.T) {
	var dials atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}}
	}}
	cfg := fastConfig("https://api.example.invalid")
	cfg.HTTPClient = &http.Client{Transport: tr}
	c := newClient(t, cfg)
	_, err := c.ListOffices(context.Background(), offices.ListOptions{})
	if !errors.Is(err, offices.ErrUnreachable) || !strings.Contains(err.Error(), "no such host") {
		t.Fatalf("err = %v, want ErrUnreachable naming the DNS error", err)
	}
	if n := dials.Load(); n != 5 {
		t.Errorf("%d dials, want 5 (MaxAttempts)", n)
	}
}
