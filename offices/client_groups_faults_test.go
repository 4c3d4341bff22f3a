package offices_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestGroupChangesRideOutFaults: PATCH, DELETE, operator changes and
// listings are retried through 5xx, 429, resets and commit-then-drop, and
// end with exactly the intended result (a retried removal that took
// effect ends in 404, which means done).
func TestGroupChangesRideOutFaults(t *testing.T) {
	sim := newSim(t, officestest.Options{Users: 30, PageSize: 3, Seed: 11})
	cfg := fastConfig(sim.URL)
	cfg.MaxAttempts = 20
	c := newClient(t, cfg)
	ctx := context.Background()
	office := newOffice(t, c, "Berlin")
	var deps []int64
	for i := range 8 {
		l, err := c.CreateDepartment(ctx, office, sales(fmt.Sprint("Team ", i)))
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, l.ID)
	}
	sim.SetFaults(officestest.Faults{ServerError: 0.15, TooManyRequests: 0.1, Reset: 0.1, Drop: 0.15})
	for i, id := range deps {
		want := sales(fmt.Sprint("Renamed ", i))
		if _, err := c.UpdateDepartment(ctx, id, want, []string{"name"}); err != nil {
			t.Fatal(err)
		}
		for u := int64(1); u <= 3; u++ {
			m := offices.Member{ID: officestest.FirstUserID + int64(i)*3 + u, Type: offices.OperatorUser, Role: "operator"}
			if err := c.AddOperator(ctx, offices.KindDepartment, id, m); err != nil {
				t.Fatal(err)
			}
		}
		gone := offices.Member{ID: officestest.FirstUserID + int64(i)*3 + 1, Type: offices.OperatorUser}
		if err := c.RemoveOperator(ctx, offices.KindDepartment, id, gone); err != nil && !offices.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	for _, id := range deps[:4] {
		if err := c.DeleteDepartment(ctx, id); err != nil && !offices.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	list, err := c.ListDepartments(ctx, office)
	if err != nil {
		t.Fatal(err)
	}
	st := sim.Stats()
	if st.Injected5xx == 0 || st.Injected429 == 0 || st.Resets == 0 || st.Drops == 0 {
		t.Fatalf("not every fault was injected: %+v", st)
	}
	sim.SetFaults(officestest.Faults{})
	if len(list) != 4 {
		t.Fatalf("%d departments left, want 4", len(list))
	}
	for i, l := range list {
		if want := fmt.Sprint("Renamed ", i+4); l.Name != want || l.ID != deps[i+4] {
			t.Errorf("department %d: %q, want %q", l.ID, l.Name, want)
		}
		ops := sim.Operators(l.ID)
		if len(ops) != 2 {
			t.Errorf("department %q has %d operators, want 2: %+v", l.Name, len(ops), ops)
		}
	}
}

// TestGroupRequestsRetryTooLong: a 429 whose Retry-After is over
// MaxRetryWait fails a groups request with ErrRetryTooLong at once.
func TestGroupRequestsRetryTooLong(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, fastConfig(srv.URL))
	_, err := c.ListOperators(context.Background(), offices.KindDepartment, 7)
	if !errors.Is(err, offices.ErrRetryTooLong) || n.Load() != 1 {
		t.Fatalf("ListOperators = %v after %d requests, want ErrRetryTooLong after 1", err, n.Load())
	}
}

// TestGroupRequestsStopWithStartContext: a groups request waiting to be
// sent stops with ErrNotSent when the start context ends (Ctrl-C).
func TestGroupRequestsStopWithStartContext(t *testing.T) {
	srv, n := hostile(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newClient(t, fastConfig(srv.URL))
	start, stop := context.WithCancel(context.Background())
	ctx := offices.WithStartContext(context.Background(), start)
	done := make(chan error, 1)
	go func() {
		done <- c.AddOperator(ctx, offices.KindDepartment, 7, offices.Member{ID: 1, Type: "user"})
	}()
	for n.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	stop()
	if err := <-done; !errors.Is(err, offices.ErrNotSent) {
		t.Fatalf("AddOperator = %v, want ErrNotSent", err)
	}
}

// TestGroupRequestsShareTheLimiter: groups requests and office requests
// of two clients sharing one Limiter are paced in one budget, on fake
// time: 10 requests at 60 a minute take at least 9 seconds of it.
func TestGroupRequestsShareTheLimiter(t *testing.T) {
	sim := newSim(t, officestest.Options{})
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
		return ctx.Err()
	}
	lim := offices.NewLimiter(offices.LimiterConfig{Limit: 60, Window: time.Minute, Now: clock, Sleep: sleep})
	cfg := fastConfig(sim.URL)
	cfg.Limiter, cfg.Now, cfg.Sleep = lim, clock, sleep
	groups, officesClient := newClient(t, cfg), newClient(t, cfg)
	ctx := context.Background()
	start := clock()
	for range 5 {
		if _, err := groups.UserByEmail(ctx, "user1@example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := officesClient.GetCompany(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if took := clock().Sub(start); took < 9*time.Second {
		t.Fatalf("10 requests at 60/min took %s of fake time, want at least 9s: the groups requests bypass the limiter", took)
	}
	if n := groups.Stats().Requests; n != 5 {
		t.Errorf("groups client counted %d requests, want 5", n)
	}
}
