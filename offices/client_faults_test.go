package offices_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestCreateUnknownOutcome: a create of any kind (office, department,
// call center) whose answer is lost is not sent again; the error says
// the outcome is unknown, whether or not the object exists, and the
// listing the engine asks next tells which.
func TestCreateUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  officestest.Faults
		created bool
	}{
		{"reset before commit", officestest.Faults{Reset: 1}, false},
		{"commit then drop", officestest.Faults{Drop: 1}, true},
		{"5xx", officestest.Faults{ServerError: 1}, false},
	} {
		for _, kind := range []offices.Kind{offices.KindOffice, offices.KindDepartment, offices.KindCallCenter} {
			t.Run(tc.name+"/"+string(kind), func(t *testing.T) {
				sim := newSim(t, officestest.Options{})
				c := newClient(t, fastConfig(sim.URL))
				ctx := context.Background()
				// Warm up a keep-alive connection: the transport must not
				// replay the POST on a reused connection either.
				if _, err := c.GetCompany(ctx); err != nil {
					t.Fatal(err)
				}
				var office int64
				if kind != offices.KindOffice {
					office = newOffice(t, c, "Berlin")
				}
				sent := sim.Stats().Requests
				sim.SetFaults(tc.faults)
				var err error
				switch kind {
				case offices.KindOffice:
					_, err = c.CreateOffice(ctx, berlin("Sales"))
				case offices.KindDepartment:
					_, err = c.CreateDepartment(ctx, office, sales("Sales"))
				default:
					_, err = c.CreateCallCenter(ctx, office, support("Sales"))
				}
				if !errors.Is(err, offices.ErrOutcomeUnknown) {
					t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
				}
				if offices.IsPermanent(err) || offices.IsAuth(err) {
					t.Errorf("unknown outcome classified as permanent/auth: %v", err)
				}
				if n := sim.Stats().Requests - sent; n != 1 {
					t.Errorf("%d POSTs sent, want 1: an unknown outcome must not be retried", n)
				}
				// What the engine does next: list, and adopt the object if
				// it exists.
				sim.SetFaults(officestest.Faults{})
				var found, held int
				if kind == offices.KindOffice {
					list, err := c.ListOffices(ctx, offices.ListOptions{})
					if err != nil {
						t.Fatal(err)
					}
					for _, l := range list {
						if l.Name == "Sales" {
							found++
						}
					}
					held = sim.CountByName()["Sales"]
				} else {
					list, err := c.ListGroups(ctx, kind, office)
					if err != nil {
						t.Fatal(err)
					}
					for _, l := range list {
						if l.Name == "Sales" && l.OfficeID == office {
							found++
						}
					}
					held = sim.CountGroupsByName(string(kind), office)["Sales"]
				}
				if want := map[bool]int{true: 1, false: 0}[tc.created]; held != want || found != held {
					t.Errorf("the simulator holds %d named Sales, the listing found %d, want %d", held, found, want)
				}
			})
		}
	}
}

// TestCreateRetriesWhenNotSent: a POST that could not connect was not sent,
// so it is retried (up to MaxAttempts) and is not an unknown outcome.
func TestCreateRetriesWhenNotSent(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	url := sim.URL
	sim.Close() // connection refused from now on
	cfg := fastConfig(url)
	cfg.MaxAttempts = 3
	var log strings.Builder
	var mu sync.Mutex
	cfg.Debug = func(s string) { mu.Lock(); log.WriteString(s + "\n"); mu.Unlock() }
	c := newClient(t, cfg)
	_, err := c.CreateOffice(context.Background(), berlin("Berlin"))
	if err == nil || errors.Is(err, offices.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a plain failure", err)
	}
	if !errors.Is(err, offices.ErrUnreachable) || !strings.Contains(err.Error(), "3 attempts in a row could not connect") {
		t.Errorf("err = %v, want the API unreachable after 3 attempts", err)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 2 {
		t.Errorf("stats = %+v, want 3 requests, 2 retries", st)
	}
	if !strings.Contains(log.String(), "retrying in") {
		t.Errorf("debug log has no retry line:\n%s", log.String())
	}
}

// TestGetRetries5xx: idempotent requests ride out 5xx answers and resets.
func TestGetRetries5xx(t *testing.T) {
	sim := newSim(t, officestest.Options{Faults: officestest.Faults{ServerError: 0.4, Reset: 0.1}, Seed: 7})
	sim.Seed(offices.Live{Name: "Berlin"})
	cfg := fastConfig(sim.URL)
	cfg.MaxAttempts = 10
	c := newClient(t, cfg)
	for range 20 {
		if _, err := c.GetCompany(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ListOffices(context.Background(), offices.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	st, ss := c.Stats(), sim.Stats()
	if ss.Injected5xx == 0 || ss.Resets == 0 {
		t.Fatalf("no faults injected: %+v", ss)
	}
	// Go's transport itself replays a GET whose reused connection was
	// reset, so the client may see fewer failures than were injected.
	if failed := int64(ss.Injected5xx + ss.Resets); st.Retries < int64(ss.Injected5xx) || st.Retries > failed {
		t.Errorf("client retried %d times; the simulator answered %d 5xx and %d resets", st.Retries, ss.Injected5xx, ss.Resets)
	}
}

func TestGetGivesUpAfterMaxAttempts(t *testing.T) {
	sim := newSim(t, officestest.Options{Faults: officestest.Faults{ServerError: 1}})
	cfg := fastConfig(sim.URL)
	cfg.MaxAttempts = 3
	c := newClient(t, cfg)
	_, err := c.GetOffice(context.Background(), 1)
	var ae *offices.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want the 500", err)
	}
	if !strings.Contains(err.Error(), "gave up after 3 attempts") || !strings.Contains(err.Error(), "injected fault") {
		t.Errorf("err = %v", err)
	}
	if n := sim.Stats().Requests; n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestThrottledByInjected429: injected 429s are retried (POST included)
// without failures or duplicates.
func TestThrottledByInjected429(t *testing.T) {
	sim := newSim(t, officestest.Options{Faults: officestest.Faults{TooManyRequests: 0.3, RetryAfter: 0}, Seed: 3})
	c := newClient(t, fastConfig(sim.URL))
	createAll(t, c, 30, 4)
	assertEachOnce(t, sim, 30)
	if st, ss := c.Stats(), sim.Stats(); st.Throttled == 0 || st.Throttled != int64(ss.Injected429) {
		t.Errorf("client saw %d 429s, simulator injected %d", st.Throttled, ss.Injected429)
	}
}

// TestThrottledBySlidingWindow: a server whose limit is far below the
// client's rate answers 429 with Retry-After; the client waits, slows
// down, and every office is created once.
func TestThrottledBySlidingWindow(t *testing.T) {
	t.Parallel()
	sim := newSim(t, officestest.Options{RatePerMinute: 10, Window: time.Second})
	cfg := fastConfig(sim.URL)
	cfg.Rate = 1200 // 20/s against a server that takes 10/s
	c := newClient(t, cfg)
	createAll(t, c, 25, 4)
	assertEachOnce(t, sim, 25)
	st, ss := c.Stats(), sim.Stats()
	if ss.RateLimited == 0 || st.Throttled != int64(ss.RateLimited) {
		t.Errorf("simulator answered %d 429s, client saw %d", ss.RateLimited, st.Throttled)
	}
	if st.PerMinute >= 1200 {
		t.Errorf("pace after 429s = %.0f/min, want below 1200", st.PerMinute)
	}
}

// TestContextEnds: a POST cut off by the caller's context after it was
// sent is an unknown outcome; one stopped before it was sent is not.
func TestContextEnds(t *testing.T) {
	sim := newSim(t, officestest.Options{Latency: 2 * time.Second})
	c := newClient(t, fastConfig(sim.URL))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateOffice(ctx, berlin("Berlin"))
	if !errors.Is(err, offices.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("POST cut off in flight: err = %v", err)
	}

	cfg := fastConfig(sim.URL)
	cfg.Rate = 2 // one request a minute
	slow := newClient(t, cfg)
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = slow.CreateOffice(ctx, berlin("Berlin"))
	if !errors.Is(err, context.Canceled) || errors.Is(err, offices.ErrOutcomeUnknown) {
		t.Errorf("POST never sent: err = %v", err)
	}
}

// TestAttemptTimeout: an attempt that times out is retried for GET and an
// unknown outcome for POST.
func TestAttemptTimeout(t *testing.T) {
	slowFirst := 0
	var mu sync.Mutex
	sim := newSim(t, officestest.Options{LatencyFunc: func(r *http.Request) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		slowFirst++
		if slowFirst == 1 || r.Method == http.MethodPost {
			return time.Second
		}
		return 0
	}})
	cfg := fastConfig(sim.URL)
	cfg.Timeout = 100 * time.Millisecond
	c := newClient(t, cfg)
	if _, err := c.GetCompany(context.Background()); err != nil {
		t.Errorf("GET after one timeout: %v", err)
	}
	_, err := c.CreateOffice(context.Background(), berlin("Berlin"))
	if !errors.Is(err, offices.ErrOutcomeUnknown) {
		t.Errorf("POST timed out: err = %v, want ErrOutcomeUnknown", err)
	}
}

// createAll creates n offices named "office I" with par goroutines and
// fails the test on any error.
func createAll(t *testing.T, c *offices.Client, n, par int) {
	t.Helper()
	work := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for i := range work {
				if _, err := c.CreateOffice(context.Background(), berlin(fmt.Sprintf("office %d", i))); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// assertEachOnce checks that the simulator holds n offices with distinct
// names.
func assertEachOnce(t *testing.T, sim *officestest.TestServer, n int) {
	t.Helper()
	names := sim.CountByName()
	if len(names) != n {
		t.Errorf("%d distinct names, want %d", len(names), n)
	}
	for name, k := range names {
		if k != 1 {
			t.Errorf("%q created %d times", name, k)
		}
	}
}
