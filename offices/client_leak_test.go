package offices_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
)

// TestKeyNeverLeaks runs every error path with debug logging on and checks
// that the API key appears in no error text and no log line, even when the
// server echoes the Authorization header back in its error bodies.
func TestKeyNeverLeaks(t *testing.T) {
	const key = "sk-CANARY-7c1e9b2f04d8a6"
	var mu sync.Mutex
	var debug strings.Builder
	logTo := func(s string) { mu.Lock(); debug.WriteString(s + "\n"); mu.Unlock() }

	// echo answers with status and a body quoting the request's
	// Authorization header and query, as a careless server might.
	echo := func(status int) *httptest.Server {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(status)
			if status == http.StatusOK {
				fmt.Fprintf(w, "not json %s", auth)
				return
			}
			fmt.Fprintf(w, `{"error":{"code":%d,"message":"bad key %s","errors":[{"domain":"global","reason":"x","message":"header was %s"}]}}`, status, auth, auth)
		}))
		t.Cleanup(ts.Close)
		return ts
	}
	client := func(url string, mod func(*offices.ClientConfig)) *offices.Client {
		cfg := fastConfig(url)
		cfg.APIKey = key
		cfg.MaxAttempts = 2
		cfg.Debug = logTo
		if mod != nil {
			mod(&cfg)
		}
		return newClient(t, cfg)
	}
	sim := newSim(t, officestest.Options{Token: "another-key"})
	faulty := newSim(t, officestest.Options{Token: key})
	closed := newSim(t, officestest.Options{})
	closed.Close()
	slow := newSim(t, officestest.Options{Token: key, Latency: time.Second})

	var errs []error
	run := func(err error) {
		if err == nil {
			t.Error("an error path did not fail")
			return
		}
		errs = append(errs, err)
	}
	ctx := context.Background()
	for _, status := range []int{400, 401, 403, 404, 409, 422, 500, 503} {
		c := client(echo(status).URL, nil)
		_, err := c.CreateOffice(ctx, berlin("Berlin"))
		run(err)
		_, err = c.GetOffice(ctx, 1)
		run(err)
		_, err = c.UpdateE911(ctx, 1, offices.E911Update{})
		run(err)
	}
	{ // 200 with a body that is not JSON, for POST and GET
		c := client(echo(200).URL, nil)
		_, err := c.CreateOffice(ctx, berlin("Berlin"))
		run(err)
		_, err = c.ListOffices(ctx, offices.ListOptions{})
		run(err)
	}
	{ // 429 forever, until the context ends
		c := client(echo(429).URL, nil)
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err := c.GetCompany(cctx)
		cancel()
		run(err)
	}
	{ // wrong key at the simulator
		_, err := client(sim.URL, nil).ListOffices(ctx, offices.ListOptions{})
		run(err)
	}
	for _, f := range []officestest.Faults{{Reset: 1}, {Drop: 1}, {ServerError: 1}} {
		faulty.SetFaults(f)
		c := client(faulty.URL, nil)
		_, err := c.CreateOffice(ctx, berlin("Berlin"))
		run(err)
		_, err = c.GetCompany(ctx)
		run(err)
	}
	{ // connection refused
		c := client(closed.URL, nil)
		_, err := c.CreateOffice(ctx, berlin("Berlin"))
		run(err)
		_, err = c.GetCompany(ctx)
		run(err)
	}
	{ // attempt timeout and caller's deadline
		c := client(slow.URL, func(cfg *offices.ClientConfig) { cfg.Timeout = 50 * time.Millisecond })
		_, err := c.CreateOffice(ctx, berlin("Berlin"))
		run(err)
		_, err = c.GetCompany(ctx)
		run(err)
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err = client(slow.URL, nil).GetCompany(cctx)
		cancel()
		run(err)
	}
	{ // bad config
		_, err := offices.NewClient(offices.ClientConfig{BaseURL: "http://example.com", APIKey: key})
		run(err)
		_, err = offices.NewClient(offices.ClientConfig{APIKey: key + "\n"})
		if err != nil {
			run(err)
		}
		_, err = offices.NewClient(offices.ClientConfig{APIKey: "a\x00" + key})
		run(err)
	}

	if testing.Verbose() {
		for _, err := range errs {
			t.Log(err)
		}
	}
	redactedSeen := false
	for _, err := range errs {
		for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%q", err)} {
			if strings.Contains(text, key) {
				t.Errorf("error leaks the key: %s", text)
			}
			redactedSeen = redactedSeen || strings.Contains(text, "[REDACTED]")
		}
	}
	mu.Lock()
	log := debug.String()
	mu.Unlock()
	if strings.Contains(log, key) {
		t.Errorf("debug log leaks the key:\n%s", log)
	}
	if !redactedSeen {
		t.Error("no error showed [REDACTED]: the echoing server's bodies did not reach the errors, so the test proves little")
	}
	if len(errs) < 30 || !strings.Contains(log, "429") || !strings.Contains(log, "retrying") {
		t.Errorf("%d errors; debug log lacks 429 or retry lines:\n%s", len(errs), log)
	}
}

// TestDecodeErrorRedactsBeforeCutting answers 200 with a body that is not
// JSON and echoes the Authorization header so that the key straddles the
// 200th byte, where the decode error cuts the body: cutting first would
// leave a prefix of the key that the redactor no longer recognises.
func TestDecodeErrorRedactsBeforeCutting(t *testing.T) {
	const key = "sk-CANARY-7c1e9b2f04d8a6"
	// Spaces, which the error folds away, so that the key's prefix would
	// show within the error's first 60 characters.
	pad := strings.Repeat(" ", 200-len("Bearer ")-13)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s%s and more", pad, r.Header.Get("Authorization"))
	}))
	t.Cleanup(ts.Close)
	cfg := fastConfig(ts.URL)
	cfg.APIKey = key
	_, err := newClient(t, cfg).GetCompany(context.Background())
	if err == nil {
		t.Fatal("GetCompany of a body that is not JSON succeeded")
	}
	if strings.Contains(err.Error(), key[:6]) {
		t.Errorf("decode error leaks a prefix of the key: %v", err)
	}
	if !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("decode error does not show the redacted body: %v", err)
	}
}
