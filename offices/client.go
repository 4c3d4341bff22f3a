package offices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxRetryWait is ClientConfig.MaxRetryWait's default.
const DefaultMaxRetryWait = 60 * time.Second

// DefaultBaseURL is where the Dialpad API lives; paths /api/v2/… are
// joined to it.
const DefaultBaseURL = "https://dialpad.com"

// ClientConfig configures a Client. Zero fields take the defaults.
type ClientConfig struct {
	// BaseURL is the API's root, default DefaultBaseURL. It must be https,
	// or http to a loopback host (127.0.0.0/8, ::1, localhost) such as the
	// simulator; it may have a path prefix but no query, fragment or
	// user info.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer KEY" and never appears in
	// an error, log line or debug output. Required.
	APIKey string
	// Rate is the most requests the API accepts in any sliding Window,
	// default 1200 (Dialpad's limit per minute). The client paces itself
	// slightly under it (see Limiter).
	Rate int
	// Window is the API's counting window for Rate, default one minute.
	Window time.Duration
	// Burst is how many requests may start at once, default 1.
	Burst int
	// Limiter, when set, is used instead of one built from Rate, Window
	// and Burst, so that several clients can share one budget.
	Limiter *Limiter
	// HTTPClient sends the requests, default a client with keep-alive
	// connections. The client never follows redirects.
	HTTPClient *http.Client
	// Timeout bounds each attempt, default 30s.
	Timeout time.Duration
	// MaxAttempts bounds the attempts of one request that fails with a
	// network error or a 5xx answer, default 5. 429 answers do not count:
	// they are retried until the context ends (see MaxRetryWait). When
	// connections are refused MaxAttempts times in a row, across all
	// requests, each request gives up with ErrUnreachable at its next
	// refusal.
	MaxAttempts int
	// MaxRetryWait is the longest the client waits before sending a
	// request again, default 60s: a 429 whose Retry-After asks for longer
	// fails the request with an error wrapping ErrRetryTooLong that names
	// the server's value, and no backoff waits longer.
	MaxRetryWait time.Duration
	// RetryBaseDelay and RetryMaxDelay shape the exponential backoff with
	// jitter between attempts: about RetryBaseDelay·2^n, at most
	// RetryMaxDelay. Defaults 500ms and 30s.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// Debug, when set, receives one line per attempt and per wait, from
	// several goroutines at once when requests run in parallel. The API
	// key never appears in it.
	Debug func(string)
	// Now and Sleep replace the clock in tests (for the limiter and the
	// backoff). Sleep returns ctx.Err() when ctx ends first.
	Now func() time.Time
	// Sleep waits for d; see Now.
	Sleep func(ctx context.Context, d time.Duration) error
	// UserAgent is sent with every request, default "officectl".
	UserAgent string
}

// Client talks to the Dialpad offices API. All its requests go through one
// Limiter. GET and PUT are retried on network errors and 5xx answers; a
// POST is retried only when it provably did not reach the server (a dial
// error) or was refused with 429, and otherwise fails with an error
// wrapping ErrOutcomeUnknown, so an office is never created twice.
//
// A Client is safe for concurrent use.
type Client struct {
	base      *url.URL
	key       string
	redact    redactor
	hc        *http.Client
	lim       *Limiter
	timeout   time.Duration
	attempts  int
	baseDelay time.Duration
	maxDelay  time.Duration
	maxWait   time.Duration
	debug     func(string)
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
	userAgent string

	requests, throttled, retries atomic.Int64
	// inFlight counts the attempts on the wire now; downStreak the
	// attempts in a row, across all requests, that could not connect.
	inFlight, downStreak atomic.Int64
}

// Stats counts what a Client did, for progress lines and benchmarks.
type Stats struct {
	// Requests is the number of HTTP requests sent, retries included.
	Requests int64
	// Throttled is the number of 429 answers received.
	Throttled int64
	// Retries is the number of requests sent again after a 429, a 5xx or a
	// network error.
	Retries int64
	// PerMinute is the limiter's current pace.
	PerMinute float64
	// InFlight is the number of requests on the wire right now.
	InFlight int64
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return nil, errors.New("no Dialpad API key: set DIALPAD_API_KEY or use --api-key-file")
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, errors.New("the Dialpad API key holds control characters: check DIALPAD_API_KEY or the --api-key-file")
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		key:       key,
		redact:    redactor(key),
		lim:       cfg.Limiter,
		timeout:   orDefault(cfg.Timeout, 30*time.Second),
		attempts:  cfg.MaxAttempts,
		baseDelay: orDefault(cfg.RetryBaseDelay, 500*time.Millisecond),
		maxDelay:  orDefault(cfg.RetryMaxDelay, 30*time.Second),
		maxWait:   orDefault(cfg.MaxRetryWait, DefaultMaxRetryWait),
		debug:     cfg.Debug,
		now:       cfg.Now,
		sleep:     cfg.Sleep,
		userAgent: cfg.UserAgent,
	}
	if c.attempts <= 0 {
		c.attempts = 5
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.userAgent == "" {
		c.userAgent = "officectl"
	}
	if c.lim == nil {
		c.lim = NewLimiter(LimiterConfig{Limit: cfg.Rate, Window: cfg.Window, Burst: cfg.Burst, Now: c.now, Sleep: c.sleep})
	}
	if cfg.HTTPClient != nil {
		hc := *cfg.HTTPClient
		c.hc = &hc
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32
		c.hc = &http.Client{Transport: t}
	}
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// parseBaseURL checks a BaseURL: https anywhere, http only to loopback.
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("API URL %q: %w", s, err)
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("API URL %q has no host: use e.g. %s", s, DefaultBaseURL)
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("API URL %q: give only scheme, host and path (the API key goes in DIALPAD_API_KEY)", u.Redacted())
	case u.Scheme == "https":
	case u.Scheme == "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("API URL %q: plain http is allowed only to a loopback host (127.0.0.1, ::1, localhost); use https", s)
		}
	default:
		return nil, fmt.Errorf("API URL %q: scheme must be https (or http to a loopback host)", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsLoopbackHost reports whether host (a name or IP, without port) is
// localhost or in 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Stats returns the client's counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:  c.requests.Load(),
		Throttled: c.throttled.Load(),
		Retries:   c.retries.Load(),
		PerMinute: c.lim.PerMinute(),
		InFlight:  c.inFlight.Load(),
	}
}

// Limiter returns the limiter all of c's requests go through.
func (c *Client) Limiter() *Limiter { return c.lim }

// CreateOffice creates a secondary office (POST /api/v2/offices) and
// returns it. body must have no {office: KEY} references left (see
// Office.Resolve); otherwise CreateOffice fails with ErrUnresolved and
// sends nothing.
//
// When the outcome is unknown the error wraps ErrOutcomeUnknown and the
// request is not repeated: the caller must list offices to find out
// whether the office exists before creating it again.
func (c *Client) CreateOffice(ctx context.Context, body Office) (*Live, error) {
	if refs := body.References(); len(refs) > 0 {
		return nil, fmt.Errorf("create office %q: %w: %s (resolve them with the ids of the offices referred to first)", body.Name, ErrUnresolved, strings.Join(refs, ", "))
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("create office %q: %w", body.Name, err)
	}
	var resp OfficeUpdateResponse
	if err := c.do(ctx, request{method: http.MethodPost, path: "/api/v2/offices", body: b}, &resp); err != nil {
		return nil, err
	}
	if resp.Office == nil || resp.Office.ID == 0 {
		return nil, fmt.Errorf("dialpad: POST /api/v2/offices: %w: the answer holds no office id", ErrOutcomeUnknown)
	}
	return resp.Office, nil
}

// The bounds of one listing (ListOffices): far above any real company,
// and reached in about a minute at Dialpad's rate limit. An API whose
// cursor never ends fails the listing instead of looping forever.
const (
	MaxListPages   = 1000
	MaxListOffices = 100_000
	// maxCursor bounds the length of a cursor the client sends back.
	maxCursor = 4096
)

// ListOptions selects offices for ListOffices and ListOfficesPage.
type ListOptions struct {
	// ActiveOnly asks only for active offices (active_only=true).
	ActiveOnly bool
	// Cursor starts at the page a previous OfficePage.Cursor pointed to;
	// "" starts at the first page.
	Cursor string
	// Keep, when set, is asked about every office listed, and ListOffices
	// returns only those it keeps, so that a caller that looks for a few
	// names holds only those in memory. Every page is read all the same.
	Keep func(Live) bool
}

// ListOfficesPage fetches one page of GET /api/v2/offices.
func (c *Client) ListOfficesPage(ctx context.Context, opts ListOptions) (*OfficePage, error) {
	q := url.Values{}
	if opts.Cursor != "" {
		q.Set("cursor", opts.Cursor)
	}
	if opts.ActiveOnly {
		q.Set("active_only", "true")
	}
	var page OfficePage
	if err := c.do(ctx, request{method: http.MethodGet, path: "/api/v2/offices", query: q}, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// ListOffices fetches every office (the ones opts.Keep keeps, when set),
// following the cursor from page to page (from opts.Cursor on). It fails,
// returning no office, when a cursor repeats or is longer than 4 KiB, and
// with an error wrapping ErrListTooLong past MaxListPages pages or
// MaxListOffices offices.
func (c *Client) ListOffices(ctx context.Context, opts ListOptions) ([]Live, error) {
	var all []Live
	err := followCursor("GET /api/v2/offices", "offices", opts.Cursor, func(cursor string) (int, string, error) {
		opts.Cursor = cursor
		page, err := c.ListOfficesPage(ctx, opts)
		if err != nil {
			return 0, "", err
		}
		for _, l := range page.Items {
			if opts.Keep == nil || opts.Keep(l) {
				all = append(all, l)
			}
		}
		return len(page.Items), page.Cursor, nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// followCursor fetches page after page, from cursor on, until a page has
// no cursor: fetch gets a page's cursor and returns how many items it
// held and the next cursor. It fails when a cursor repeats or is longer
// than 4 KiB, and with an error wrapping ErrListTooLong past MaxListPages
// pages or MaxListOffices items; what (e.g. "offices") names the items
// in its errors.
func followCursor(path, what, cursor string, fetch func(cursor string) (int, string, error)) error {
	seen := map[string]bool{}
	listed := 0
	for pages := 1; ; pages++ {
		n, next, err := fetch(cursor)
		if err != nil {
			return err
		}
		listed += n
		if listed > MaxListOffices {
			return fmt.Errorf("dialpad: %s: %w: more than %d %s in %d pages; refusing to act on a partial list (is the API looping?)", path, ErrListTooLong, MaxListOffices, what, pages)
		}
		switch {
		case next == "":
			return nil
		case pages >= MaxListPages:
			return fmt.Errorf("dialpad: %s: %w: the cursor still points to another page after %d pages (%d %s); refusing to act on a partial list (is the API looping?)", path, ErrListTooLong, pages, listed, what)
		case len(next) > maxCursor:
			return fmt.Errorf("dialpad: %s: the API returned a cursor of %d bytes (at most %d accepted); stopping", path, len(next), maxCursor)
		case seen[next]:
			return fmt.Errorf("dialpad: %s: the API returned cursor %q twice; stopping to avoid an endless loop", path, next)
		}
		seen[next] = true
		cursor = next
	}
}

// GetOffice fetches one office (GET /api/v2/offices/{id}).
func (c *Client) GetOffice(ctx context.Context, id int64) (*Live, error) {
	var l Live
	if err := c.do(ctx, request{method: http.MethodGet, path: officePath(id)}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// GetE911 fetches an office's emergency address
// (GET /api/v2/offices/{id}/e911).
func (c *Client) GetE911(ctx context.Context, id int64) (*LiveE911, error) {
	var e LiveE911
	if err := c.do(ctx, request{method: http.MethodGet, path: officePath(id) + "/e911"}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// UpdateE911 replaces an office's emergency address
// (PUT /api/v2/offices/{id}/e911) and returns the address now set.
func (c *Client) UpdateE911(ctx context.Context, id int64, u E911Update) (*LiveE911, error) {
	b, err := json.Marshal(u)
	if err != nil {
		return nil, fmt.Errorf("update E911 of office %d: %w", id, err)
	}
	var e LiveE911
	if err := c.do(ctx, request{method: http.MethodPut, path: officePath(id) + "/e911", body: b, idempotent: true}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// GetCompany fetches the company of the API key (GET /api/v2/company).
func (c *Client) GetCompany(ctx context.Context) (*Company, error) {
	var co Company
	if err := c.do(ctx, request{method: http.MethodGet, path: "/api/v2/company"}, &co); err != nil {
		return nil, err
	}
	return &co, nil
}

func officePath(id int64) string {
	return "/api/v2/offices/" + strconv.FormatInt(id, 10)
}
