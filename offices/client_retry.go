package offices

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter is the longest Retry-After parseRetryAfter reports, so
// that a huge value does not overflow; the client compares what it reads
// with its MaxRetryWait and refuses to wait longer.
const maxRetryAfter = time.Duration(math.MaxInt64)

// backoff returns the wait before retry n (0-based): base·2^n capped at
// max, with "equal jitter" (a uniformly random point in its upper half) so
// that parallel requests do not retry in step.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date. It reports false when the header is absent or malformed. The wait
// is never negative; a wait too long for a time.Duration is
// maxRetryAfter.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), maxRetryAfter), true
}

// transportKind says what a transport error means for a retry.
type transportKind int

const (
	// maybeSent: the request may have reached the server.
	maybeSent transportKind = iota
	// notSent: the connection could not be made; nothing was sent.
	notSent
	// fatal: nothing was sent and trying again will not help (a bad TLS
	// certificate, a server that does not speak TLS).
	fatal
)

// classifyTransport sorts an error of http.Client.Do.
func classifyTransport(err error) transportKind {
	var (
		certErr   *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		recordErr tls.RecordHeaderError
		opErr     *net.OpError
		dnsErr    *net.DNSError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &recordErr):
		return fatal
	case errors.As(err, &dnsErr):
		return notSent
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return notSent
	}
	return maybeSent
}
