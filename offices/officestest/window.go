package officestest

import (
	"strconv"
	"time"
)

// window is a sliding-window rate limit: at most limit requests admitted
// in any span of size. A limit of 0 or less admits everything.
type window struct {
	size  time.Duration
	limit int
	times []time.Time // admission times still inside the window, ascending
}

// admit admits a request arriving at now, or reports how long until the
// oldest admission leaves the window.
func (w *window) admit(now time.Time) (ok bool, retryAfter time.Duration) {
	if w.limit <= 0 {
		return true, 0
	}
	cut := now.Add(-w.size)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	if i > 0 {
		w.times = append(w.times[:0], w.times[i:]...)
	}
	if len(w.times) < w.limit {
		w.times = append(w.times, now)
		return true, 0
	}
	return false, w.times[0].Add(w.size).Sub(now)
}

// retryAfterSeconds formats d for a Retry-After header: whole seconds,
// rounded up.
func retryAfterSeconds(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
