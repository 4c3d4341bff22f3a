package offices

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock whose Sleep advances time at once.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// maxIn returns the most times within any span of length d (a request at
// t counts in (t-d, t], as the simulator's window counts).
func maxIn(times []time.Time, d time.Duration) int {
	best, lo := 0, 0
	for hi := range times {
		for !times[lo].After(times[hi].Add(-d)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// TestLimiterWindow: over many windows, no sliding window ever holds more
// than the limit, for several bursts, while the pace stays close to it.
func TestLimiterWindow(t *testing.T) {
	for _, tc := range []struct {
		limit, burst int
		window       time.Duration
	}{
		{1200, 1, time.Minute},
		{1200, 8, time.Minute},
		{600, 8, time.Minute},
		{60, 5, time.Minute},
		{30, 4, 2 * time.Second},
		{2, 1, time.Minute},
	} {
		clk := newFakeClock()
		l := NewLimiter(LimiterConfig{Limit: tc.limit, Window: tc.window, Burst: tc.burst, Now: clk.Now, Sleep: clk.Sleep})
		var times []time.Time
		n := tc.limit * 5
		for range n {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			times = append(times, clk.Now())
		}
		if got := maxIn(times, tc.window); got > tc.limit {
			t.Errorf("limit %d/%s burst %d: %d requests in one window", tc.limit, tc.window, tc.burst, got)
		}
		// With a one-minute window the pace is within 5% of the limit
		// (the slack is a second, plus the burst); short windows get a
		// relatively larger slack of 250ms.
		elapsed := times[n-1].Sub(times[0])
		if perWindow := float64(n-1) / elapsed.Seconds() * tc.window.Seconds(); perWindow < 0.95*float64(tc.limit-tc.burst) && tc.limit > 10 && tc.window == time.Minute {
			t.Errorf("limit %d/%s burst %d: pace %.1f per window, too slow", tc.limit, tc.window, tc.burst, perWindow)
		}
		// The first burst goes out at once.
		if burst := min(tc.burst, max(1, tc.limit/2)); !times[burst-1].Equal(times[0]) {
			t.Errorf("limit %d burst %d: the first %d requests did not go at once", tc.limit, tc.burst, burst)
		}
	}
}

// TestLimiterNaiveSizingWouldExceed documents why the bucket is sized as it
// is: a rate of limit/window plus a burst overfills the first window.
func TestLimiterNaiveSizingWouldExceed(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterConfig{Limit: 1200, Burst: 8, Now: clk.Now, Sleep: clk.Sleep})
	l.lim.SetLimitAt(clk.Now(), 20) // 1200/min, ignoring the burst
	var times []time.Time
	for range 1300 {
		l.Wait(context.Background())
		times = append(times, clk.Now())
	}
	if got := maxIn(times, time.Minute); got <= 1200 {
		t.Errorf("naive sizing stayed within the limit (%d); the test no longer shows anything", got)
	}
}

func TestLimiterThrottledAndRecovers(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterConfig{Limit: 1200, Now: clk.Now, Sleep: clk.Sleep})
	top := l.MaxPerMinute()
	if top >= 1200 || top < 1170 {
		t.Fatalf("ceiling %.1f/min, want just under 1200", top)
	}
	l.Throttled(0)
	if got := l.PerMinute(); got != top/2 {
		t.Errorf("after a 429: %.1f/min, want %.1f", got, top/2)
	}
	l.Throttled(0) // same burst of 429s: no second cut
	if got := l.PerMinute(); got != top/2 {
		t.Errorf("after a second 429 at once: %.1f/min, want %.1f", got, top/2)
	}
	clk.Advance(time.Second)
	l.Throttled(0)
	if got := l.PerMinute(); got != top/4 {
		t.Errorf("after a 429 a second later: %.1f/min, want %.1f", got, top/4)
	}
	for range 100 {
		clk.Advance(time.Second)
		l.Throttled(0)
	}
	if got := l.PerMinute(); got < top/32-0.01 {
		t.Errorf("floor: %.2f/min, want at least %.2f", got, top/32)
	}
	for range 19 {
		l.Succeeded()
	}
	if got := l.PerMinute(); got >= top {
		t.Errorf("recovered fully after 19 successes: %.1f", got)
	}
	for range 5 {
		l.Succeeded()
	}
	if got := l.PerMinute(); got != top {
		t.Errorf("after many successes: %.1f/min, want the ceiling %.1f", got, top)
	}
}

func TestLimiterRetryAfterPausesEveryone(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterConfig{Limit: 1200, Burst: 4, Now: clk.Now, Sleep: clk.Sleep})
	start := clk.Now()
	l.Throttled(7 * time.Second)
	l.Throttled(3 * time.Second) // a shorter Retry-After does not shorten the pause
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := clk.Now().Sub(start); waited < 7*time.Second {
		t.Errorf("Wait returned after %s, want at least the 7s Retry-After", waited)
	}
}

func TestLimiterContext(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterConfig{Limit: 2, Now: clk.Now, Sleep: clk.Sleep})
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context: %v", err)
	}
}

// TestLimiterRealClock checks the wiring to the real clock briefly.
func TestLimiterRealClock(t *testing.T) {
	l := NewLimiter(LimiterConfig{Limit: 1200, Burst: 2})
	start := time.Now()
	for range 4 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Two at once, then two more at about 20/s.
	if d := time.Since(start); d < 80*time.Millisecond || d > 5*time.Second {
		t.Errorf("4 waits took %s", d)
	}
}
