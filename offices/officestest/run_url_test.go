package officestest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
)

// TestRunWildcardURL: on a wildcard address the simulator prints a
// loopback URL that officectl's client accepts and reaches, and says how
// other machines reach it.
func TestRunWildcardURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() { done <- Run(ctx, "0.0.0.0:0", Options{Token: token, AllowNonLoopback: true}, &log) }()
	defer func() { cancel(); <-done }()
	var url string
	for deadline := time.Now().Add(5 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, rest, ok := strings.Cut(log.String(), "listening on "); ok && strings.Contains(rest, "\n") {
			url = strings.Fields(rest)[0]
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q, want http://127.0.0.1:PORT; log:\n%s", url, log.String())
	}
	if out := log.String(); !strings.Contains(out, "this host's address with a client that allows plain http") {
		t.Errorf("log does not say how other machines reach it:\n%s", out)
	}
	c, err := offices.NewClient(offices.ClientConfig{BaseURL: url, APIKey: token})
	if err != nil {
		t.Fatalf("officectl's client refuses the printed URL: %v", err)
	}
	if _, err := c.GetCompany(context.Background()); err != nil {
		t.Fatalf("GET company through %s: %v", url, err)
	}
}
