package offices_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// hammer runs par goroutines making GET requests through c until d has
// passed, and fails the test on any error.
func hammer(t *testing.T, c *offices.Client, par int, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := c.GetCompany(ctx); err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestClientStaysUnderRate: at 600 requests a minute with 8 requests in
// flight, no span of the run holds more requests than the burst plus 10 a
// second (one extra allowed for arrival jitter).
func TestClientStaysUnderRate(t *testing.T) {
	t.Parallel()
	sim := newSim(t, officestest.Options{RatePerMinute: 600})
	cfg := fastConfig(sim.URL)
	cfg.Rate = 600
	c := newClient(t, cfg)
	hammer(t, c, 8, 3*time.Second)

	n := sim.Stats().Requests
	if n < 25 {
		t.Fatalf("only %d requests in 3s at 600/min", n)
	}
	for _, span := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} {
		limit := 1 + int(math.Ceil(10*span.Seconds())) + 1
		if got := sim.MaxInWindow(span); got > limit {
			t.Errorf("%d requests within %s, want at most %d", got, span, limit)
		}
	}
	if ss := sim.Stats(); ss.RateLimited != 0 {
		t.Errorf("%d requests throttled", ss.RateLimited)
	}
	t.Logf("%d requests, per second %v", n, sim.PerSecond())
}

// TestClientSlidingWindowScaled checks the burst-plus-steady-rate sizing
// against the server's own sliding window, scaled down from a minute to
// two seconds: 30 requests per 2 s with a burst of 4. A client that paced
// itself at 30/2s = 15/s after spending its burst would put 34 requests in
// the first window and be throttled; this one must never be.
func TestClientSlidingWindowScaled(t *testing.T) {
	t.Parallel()
	const limit, window = 30, 2 * time.Second
	sim := newSim(t, officestest.Options{RatePerMinute: limit, Window: window})
	cfg := fastConfig(sim.URL)
	cfg.Rate, cfg.Window, cfg.Burst = limit, window, 4
	c := newClient(t, cfg)
	hammer(t, c, 8, 5*time.Second)

	if ss := sim.Stats(); ss.RateLimited != 0 || c.Stats().Throttled != 0 {
		t.Errorf("throttled: simulator %d, client %d; want 0", ss.RateLimited, c.Stats().Throttled)
	}
	if got := sim.MaxInWindow(window); got > limit {
		t.Errorf("%d requests within %s, more than %d", got, window, limit)
	}
	if n := sim.Stats().Requests; n < 2*limit {
		t.Errorf("only %d requests in 5s: the client is far slower than its limit", n)
	}
	t.Logf("%d requests, most in one window %d, per second %v", sim.Stats().Requests, sim.MaxInWindow(window), sim.PerSecond())
}
