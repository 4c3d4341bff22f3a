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

// maxStall is the scheduling delay beyond which arrival times at the
// server no longer reflect when the client sent its requests.
const maxStall = 150 * time.Millisecond

// hammer runs par goroutines making GET requests through c until d has
// passed, and fails the test on any error. It returns the longest
// scheduling stall seen meanwhile (how late a 5ms sleep woke up): on an
// overloaded machine, requests granted at an even pace can reach the
// server in clumps, and the server's counts then say nothing about the
// client.
func hammer(t *testing.T, c *offices.Client, par int, d time.Duration) (stall time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			start := time.Now()
			time.Sleep(5 * time.Millisecond)
			stall = max(stall, time.Since(start)-5*time.Millisecond)
		}
	})
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
	return stall
}

// skipIfStalled skips a timing check that an overloaded machine made
// meaningless; TestLimiterWindow checks the same arithmetic on fake time.
func skipIfStalled(t *testing.T, stall time.Duration) {
	t.Helper()
	if stall > maxStall {
		t.Skipf("the scheduler stalled for %s (machine overloaded): arrival times at the server do not reflect the client's pacing; TestLimiterWindow checks the pacing on fake time", stall)
	}
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
	stall := hammer(t, c, 8, 3*time.Second)
	skipIfStalled(t, stall)

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
	t.Logf("%d requests, per second %v, longest stall %s", n, sim.PerSecond(), stall)
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
	stall := hammer(t, c, 8, 5*time.Second)
	t.Logf("%d requests, most in one window %d, per second %v, longest stall %s", sim.Stats().Requests, sim.MaxInWindow(window), sim.PerSecond(), stall)
	skipIfStalled(t, stall)

	if ss := sim.Stats(); ss.RateLimited != 0 || c.Stats().Throttled != 0 {
		t.Errorf("throttled: simulator %d, client %d; want 0", ss.RateLimited, c.Stats().Throttled)
	}
	if got := sim.MaxInWindow(window); got > limit {
		t.Errorf("%d requests within %s, more than %d", got, window, limit)
	}
	if n := sim.Stats().Requests; n < 2*limit {
		t.Errorf("only %d requests in 5s: the client is far slower than its limit", n)
	}
}
