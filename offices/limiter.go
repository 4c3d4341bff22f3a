package offices

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LimiterConfig configures a Limiter. Zero fields take the defaults.
type LimiterConfig struct {
	// Limit is the most requests the server accepts in any sliding Window;
	// default 1200 (Dialpad's limit per minute); at least 2.
	Limit int
	// Window is the server's counting window; default one minute.
	Window time.Duration
	// Burst is how many requests may start at once after a quiet spell;
	// default 1, at most Limit/2.
	Burst int
	// Now and Sleep replace the clock in tests. Sleep returns ctx.Err()
	// when ctx ends first.
	Now func() time.Time
	// Sleep waits for d; see Now.
	Sleep func(ctx context.Context, d time.Duration) error
	// Admitted, when set, is called once for every request Wait admits,
	// with the time the limiter scheduled it for on the Now clock (its
	// token's time), so a test can check the pace on fake time: the
	// schedule does not depend on when a goroutine happens to wake.
	Admitted func(at time.Time)
}

// Limiter paces requests with one golang.org/x/time/rate token bucket so
// that no sliding Window ever holds more than Limit of them, and slows
// down when the server answers 429 anyway (another client may share the
// key's budget).
//
// A token bucket of burst b and rate r allows at most b + r·T events in
// any span T. The server counts requests as they arrive, and arrival times
// jitter against send times, so the bucket is sized for a slightly longer
// span: r = (Limit - b) / (Window + Window/60, at least 250ms). For 1200 a
// minute and b = 1 that is 1179 a minute.
//
// After a 429 the rate halves (at most once per Window/60) and every
// request waits until Retry-After has passed; each success then raises the
// rate by a twentieth of the ceiling, never above it.
//
// A Limiter is safe for concurrent use; one is shared by all requests.
type Limiter struct {
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	admitted func(at time.Time)

	mu          sync.Mutex
	lim         *rate.Limiter
	max, min    rate.Limit
	pausedUntil time.Time
	lastCut     time.Time
	cutEvery    time.Duration
}

// NewLimiter returns a Limiter for cfg.
func NewLimiter(cfg LimiterConfig) *Limiter {
	if cfg.Limit <= 0 {
		cfg.Limit = 1200
	}
	cfg.Limit = max(cfg.Limit, 2)
	if cfg.Window <= 0 {
		cfg.Window = time.Minute
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.Burst > cfg.Limit/2 {
		cfg.Burst = max(1, cfg.Limit/2)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	slack := max(cfg.Window/60, 250*time.Millisecond)
	perSec := float64(cfg.Limit-cfg.Burst) / (cfg.Window + slack).Seconds()
	l := &Limiter{
		now:      cfg.Now,
		sleep:    cfg.Sleep,
		admitted: cfg.Admitted,
		max:      rate.Limit(perSec),
		min:      rate.Limit(perSec / 32),
		cutEvery: cfg.Window / 60,
	}
	l.lim = rate.NewLimiter(l.max, cfg.Burst)
	return l
}

// Wait blocks until a request may be sent, or ctx ends (then it returns
// ctx.Err()). Every request sent, retries included, must Wait first.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		now := l.now()
		if pause := l.pausedUntil.Sub(now); pause > 0 {
			l.mu.Unlock()
			if err := l.sleep(ctx, pause); err != nil {
				return err
			}
			continue
		}
		r := l.lim.ReserveN(now, 1)
		l.mu.Unlock()
		d := r.DelayFrom(now)
		if d > 0 {
			if err := l.sleep(ctx, d); err != nil {
				r.CancelAt(l.now())
				return err
			}
		}
		l.mu.Lock()
		paused := l.now().Before(l.pausedUntil)
		l.mu.Unlock()
		if !paused {
			if l.admitted != nil {
				l.admitted(now.Add(max(d, 0)))
			}
			return nil
		}
		// A 429 arrived while we waited: the token is spent, take a new
		// one after the pause.
	}
}

// Throttled records a 429 answer: requests wait until retryAfter has
// passed (when positive) and the rate halves, unless it was cut less than
// Window/60 ago (the other requests in flight get the same 429).
func (l *Limiter) Throttled(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if retryAfter > 0 {
		if until := now.Add(retryAfter); until.After(l.pausedUntil) {
			l.pausedUntil = until
		}
	}
	if !l.lastCut.IsZero() && now.Sub(l.lastCut) < l.cutEvery {
		return
	}
	l.lastCut = now
	l.lim.SetLimitAt(now, max(l.lim.Limit()/2, l.min))
}

// Succeeded records a request the server accepted: the rate recovers by a
// twentieth of its ceiling, up to the ceiling.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur := l.lim.Limit(); cur < l.max {
		l.lim.SetLimitAt(l.now(), min(cur+l.max/20, l.max))
	}
}

// PerMinute returns the current pace in requests per minute.
func (l *Limiter) PerMinute() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.lim.Limit()) * 60
}

// MaxPerMinute returns the ceiling of the pace in requests per minute.
func (l *Limiter) MaxPerMinute() float64 {
	return float64(l.max) * 60
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
