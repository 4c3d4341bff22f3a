package offices

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// maxBody bounds the size of an answer the client reads.
const maxBody = 16 << 20

// request is one API call. GET requests are idempotent by their method.
type request struct {
	method, path string
	query        url.Values
	body         []byte
	// idempotent marks a request with a body that may be sent again after
	// an unknown outcome (PUT).
	idempotent bool
}

func (r request) retrySafe() bool { return r.method == http.MethodGet || r.idempotent }

// answer is what one attempt got.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // transport or body-read error
}

// do sends r until it succeeds, fails for good, or ctx ends, and decodes a
// 2xx answer into out. See Client for the retry rules, and
// WithStartContext for what ends its waits.
func (c *Client) do(ctx context.Context, r request, out any) error {
	start, stop := startContext(ctx)
	defer stop()
	failures, throttles := 0, 0
	landed := false // an attempt may have taken effect
	for sent := 0; ; sent++ {
		if err := c.lim.Wait(start); err != nil {
			return c.stopped(ctx, r, landed, throttles, err)
		}
		// The limiter's timer and the end of start may fire together, and
		// its select then picks either: nothing new starts once start ended.
		if err := start.Err(); err != nil {
			return c.stopped(ctx, r, landed, throttles, err)
		}
		if sent > 0 {
			c.retries.Add(1)
		}
		a := c.attempt(ctx, r)
		if a.status != 0 {
			c.downStreak.Store(0)
		}
		var retryErr error // the error to report if we give up
		down := false      // the attempt could not connect
		switch {
		case a.err != nil && a.status == 0:
			// No answer: the request failed in transport.
			switch kind := classifyTransport(a.err); {
			case kind == fatal:
				return c.fail(r, a.err)
			case ctx.Err() != nil: // the caller gave up
				if kind == maybeSent && !r.retrySafe() {
					return c.fail(r, fmt.Errorf("%w: %w", ErrOutcomeUnknown, a.err))
				}
				return c.fail(r, a.err)
			case kind == notSent:
				down = true
				c.downStreak.Add(1)
				retryErr = a.err
			case r.retrySafe():
				landed = true
				retryErr = a.err
			default:
				return c.fail(r, fmt.Errorf("%w: %w", ErrOutcomeUnknown, a.err))
			}
		case a.status == http.StatusTooManyRequests:
			c.throttled.Add(1)
			h := a.header.Get("Retry-After")
			wait, ok := parseRetryAfter(h, c.now())
			if ok && wait > c.maxWait {
				return c.fail(r, fmt.Errorf("%w: 429 Too Many Requests with Retry-After %q (%s), more than the %s allowed (--max-retry-wait); try again later",
					ErrRetryTooLong, oneLine(h, 64), roundWait(wait), c.maxWait))
			}
			if !ok || wait <= 0 {
				wait = min(backoff(throttles, c.baseDelay, c.maxDelay), c.maxWait)
			}
			throttles++
			c.lim.Throttled(wait)
			c.logf("%s %s: 429 Too Many Requests: waiting %s, pace now %.0f/min", r.method, r.path, wait.Round(time.Millisecond), c.lim.PerMinute())
			continue
		case a.status >= 200 && a.status < 300:
			if a.err == nil {
				c.lim.Succeeded()
				if err := json.Unmarshal(a.body, out); err != nil {
					err = fmt.Errorf("decoding the answer (%d, %s, starting %q): %w",
						a.status, a.header.Get("Content-Type"), oneLine(string(truncateBytes(c.redact.bytes(a.body), 200)), 60), err)
					if !r.retrySafe() {
						err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
					}
					return c.fail(r, err)
				}
				return nil
			}
			// The answer broke off while it was read.
			if !r.retrySafe() {
				return c.fail(r, fmt.Errorf("%w: reading the answer: %w", ErrOutcomeUnknown, a.err))
			}
			landed = true
			retryErr = a.err
		case a.status >= 500:
			apiErr := newAPIError(r.method, r.path, a.status, c.redact.bytes(a.body))
			if !r.retrySafe() {
				return &chainError{
					msg:  fmt.Sprintf("dialpad: %s %s: %v: %s", r.method, r.path, ErrOutcomeUnknown, apiErr.answer()),
					errs: []error{ErrOutcomeUnknown, apiErr},
				}
			}
			landed = true
			retryErr = apiErr
		case a.status >= 300 && a.status < 400:
			return c.fail(r, fmt.Errorf("unexpected redirect (%d) to %q: check the API URL", a.status, a.header.Get("Location")))
		default:
			c.lim.Succeeded() // the server took the request; it was not throttled
			return c.redact.error(newAPIError(r.method, r.path, a.status, c.redact.bytes(a.body)))
		}

		failures++
		// Connections refused across all requests: give up at once rather
		// than have every request of a run try MaxAttempts times.
		if streak := c.downStreak.Load(); down && (failures >= c.attempts || streak >= int64(c.attempts)) {
			return c.giveUp(r, retryErr, fmt.Sprintf("%v: %d attempts in a row could not connect; check the API URL and the network, then run again", ErrUnreachable, max(streak, int64(failures))), ErrUnreachable)
		}
		if failures >= c.attempts {
			return c.giveUp(r, retryErr, fmt.Sprintf("gave up after %d attempts", failures), nil)
		}
		wait := min(backoff(failures-1, c.baseDelay, c.maxDelay), c.maxWait)
		c.logf("%s %s: attempt %d failed (%v); retrying in %s", r.method, r.path, failures, retryErr, wait.Round(time.Millisecond))
		if err := c.sleep(start, wait); err != nil {
			if ctx.Err() == nil && !landed {
				return c.stopped(ctx, r, landed, throttles, err)
			}
			return c.giveUp(r, retryErr, "stopped retrying: "+err.Error(), err)
		}
	}
}

// stopped is the error of a request whose wait before an attempt ended
// with err: ctx ended, or its start context did (see WithStartContext).
// It wraps ErrNotSent when no attempt may have taken effect and only the
// start context ended.
func (c *Client) stopped(ctx context.Context, r request, landed bool, throttles int, err error) error {
	if !landed && ctx.Err() == nil {
		err = fmt.Errorf("%w (%w)", ErrNotSent, err)
	}
	if throttles > 0 {
		return c.fail(r, fmt.Errorf("stopped waiting after %d answers 429 Too Many Requests: %w", throttles, err))
	}
	return c.fail(r, fmt.Errorf("stopped waiting to send: %w", err))
}

// roundWait writes a wait for a person: whole seconds, or "too long".
func roundWait(d time.Duration) string {
	if d == maxRetryAfter {
		return "longer than 290 years"
	}
	return d.Round(time.Second).String()
}

// giveUp is the error of a request abandoned after last failed: note says
// why; cause, when not nil, joins the chain (e.g. the context's error).
func (c *Client) giveUp(r request, last error, note string, cause error) error {
	errs := []error{last}
	if cause != nil {
		errs = append(errs, cause)
	}
	var msg string
	if ae, ok := last.(*APIError); ok {
		msg = fmt.Sprintf("%v (%s)", ae, note)
	} else {
		msg = fmt.Sprintf("dialpad: %s %s: %s: %v", r.method, r.path, note, last)
	}
	return c.redact.error(&chainError{msg: c.redact.string(msg), errs: errs})
}

// fail wraps err with the request's method and path, without the key.
func (c *Client) fail(r request, err error) error {
	return c.redact.error(fmt.Errorf("dialpad: %s %s: %w", r.method, r.path, err))
}

// attempt sends r once and reads the answer.
func (c *Client) attempt(ctx context.Context, r request) answer {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, u.String(), body)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.requests.Add(1)
	c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logf("%s %s: %v (%s)", r.method, r.path, err, time.Since(start).Round(time.Millisecond))
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	c.logf("%s %s: %s (%s, %d bytes)", r.method, r.path, resp.Status, time.Since(start).Round(time.Millisecond), len(b))
	return answer{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

// logf sends one line to the debug hook, without the key.
func (c *Client) logf(format string, args ...any) {
	if c.debug == nil {
		return
	}
	c.debug(c.redact.string("dialpad: " + fmt.Sprintf(format, args...)))
}
