package enginetest

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake clock shared by every goroutine of a run. It starts at
// 2025-01-01 00:00 UTC, never goes back, and moves only when told: Sleep
// moves it on by d and returns at once; AdvanceTo moves it to a time
// already scheduled (a limiter's admission), unless it is past it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock at 2025-01-01 00:00 UTC.
func NewClock() *Clock {
	return &Clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Sleep moves the clock on by d (when positive) and returns ctx.Err().
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return nil
}

// AdvanceTo moves the clock to t, unless it is past t already.
func (c *Clock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}
