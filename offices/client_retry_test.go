package offices

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	base, max := 100*time.Millisecond, time.Second
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		want *= time.Millisecond
		for range 200 {
			d := backoff(n, base, max)
			if d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s]", n, d, want/2, want)
			}
		}
	}
	if d := backoff(1000, base, max); d > max {
		t.Errorf("backoff(1000) = %s, above the cap", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"999999", 999999 * time.Second, true},
		{"1000000000000", maxRetryAfter, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(24 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
		{"Sat, 01 Mar 2025 12:00:45 GMT", 45 * time.Second, true},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestClassifyTransport(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, dialErr := http.Get("http://" + addr + "/")
	for _, tc := range []struct {
		err  error
		want transportKind
	}{
		{dialErr, notSent},
		{&net.DNSError{Err: "no such host", Name: "dialpad.invalid"}, notSent},
		{fmt.Errorf("wrapped: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), notSent},
		{&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}, maybeSent},
		{io.EOF, maybeSent},
		{io.ErrUnexpectedEOF, maybeSent},
		{context.DeadlineExceeded, maybeSent},
		{x509.UnknownAuthorityError{}, fatal},
	} {
		if got := classifyTransport(tc.err); got != tc.want {
			t.Errorf("classifyTransport(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestClientBackoffFakeTime drives the retry loop on fake time: 5xx
// answers are retried with growing waits, and a 429's Retry-After pauses
// the next attempt for that long.
func TestClientBackoffFakeTime(t *testing.T) {
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case n <= 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		case n <= 5:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			fmt.Fprint(w, `{"id":"123","name":"Example"}`)
		}
	}))
	defer ts.Close()
	clk := newFakeClock()
	c, err := NewClient(ClientConfig{
		BaseURL: ts.URL, APIKey: "k", Now: clk.Now, Sleep: clk.Sleep,
		RetryBaseDelay: time.Second, RetryMaxDelay: 10 * time.Second, MaxAttempts: 4,
	})
	if err != nil {
		t.Fatal(err)
	}
	start := clk.Now()
	co, err := c.GetCompany(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if co.ID != 123 {
		t.Errorf("company = %+v", co)
	}
	// Sleeps of a second or more are backoffs and Retry-After pauses;
	// shorter ones are the limiter's pacing (about 51ms at 1200/min).
	var long []time.Duration
	for _, d := range clk.sleeps {
		if d >= 400*time.Millisecond {
			long = append(long, d)
		}
	}
	if len(long) != 5 {
		t.Fatalf("long sleeps %v, want 3 backoffs and 2 Retry-After pauses", long)
	}
	for i, bounds := range [][2]time.Duration{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}, {2 * time.Second, 4 * time.Second}} {
		if long[i] < bounds[0] || long[i] > bounds[1] {
			t.Errorf("backoff %d = %s, want in %v", i, long[i], bounds)
		}
	}
	// 429s do not count as attempts (MaxAttempts is 4, and 5 attempts
	// failed); each pauses the limiter for its Retry-After.
	if long[3] != 7*time.Second || long[4] != 7*time.Second {
		t.Errorf("429 pauses %v, want 7s each", long[3:])
	}
	if elapsed := clk.Now().Sub(start); elapsed < 17500*time.Millisecond {
		t.Errorf("fake time elapsed %s, want at least 3.5s of backoff + 14s of Retry-After", elapsed)
	}
	st := c.Stats()
	if st.Requests != 6 || st.Retries != 5 || st.Throttled != 2 {
		t.Errorf("stats = %+v", st)
	}
}
