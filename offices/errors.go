package offices

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrOutcomeUnknown is wrapped by the error of a request that may or may
// not have taken effect: a POST that timed out, whose connection broke
// after it was sent, or that got a 5xx answer. The client never sends such
// a POST again by itself; the caller lists offices to find out whether the
// office was created before creating it again.
var ErrOutcomeUnknown = errors.New("outcome unknown (the request may have taken effect: list offices before trying again)")

// ErrAuth is matched (with errors.Is) by an *APIError of status 401 or 403:
// the API key is missing, wrong or lacks permission, so nothing else will
// work either.
var ErrAuth = errors.New("the Dialpad API refused the API key")

// ErrUnresolved is wrapped by CreateOffice's error when the office still
// holds {office: KEY} references instead of ids.
var ErrUnresolved = errors.New("office has unresolved references")

// ErrNotSent is wrapped by the error of a request that was never sent,
// nor any attempt of it that may have taken effect: the context given
// with WithStartContext ended while it waited (rate limiter, Retry-After,
// backoff). Nothing changed in Dialpad because of it.
var ErrNotSent = errors.New("not sent: stopping")

// ErrUnreachable is wrapped by the error of a request given up because the
// API could not be reached: connections were refused or the host name did
// not resolve, several times in a row across all requests of the client.
var ErrUnreachable = errors.New("the Dialpad API is unreachable")

// ErrRetryTooLong is wrapped by the error of a request answered 429 Too
// Many Requests with a Retry-After longer than the client's MaxRetryWait.
var ErrRetryTooLong = errors.New("the API asked for too long a wait")

// ErrListTooLong is wrapped by the error of a listing (ListOffices, and
// the groups and users listings) that goes on past MaxListPages pages or
// MaxListOffices items: no partial list is returned.
var ErrListTooLong = errors.New("the listing is longer than officectl accepts")

// maxErrorText bounds the raw error text kept in an APIError.
const maxErrorText = 300

// APIError is an HTTP error answer of the Dialpad API.
type APIError struct {
	// Status is the HTTP status code, e.g. 400.
	Status int
	// Method and Path say which request failed, e.g. "POST" and
	// "/api/v2/offices"; Path has no query string.
	Method, Path string
	// Message is the error message from Dialpad's error body
	// ({"error":{"message":…,"errors":[{"message":…}]}}), or the body's
	// text (truncated, on one line) when it has another shape.
	Message string
	// Reason is the first errors[].reason of the body (e.g. "badRequest"),
	// or "".
	Reason string
	// Body is the raw body, truncated to a few kilobytes.
	Body []byte
}

// Error says which request failed, its status and Dialpad's message; for
// 401/403 it says how to fix the key.
func (e *APIError) Error() string {
	return fmt.Sprintf("dialpad: %s %s: %s", e.Method, e.Path, e.answer())
}

// answer describes the answer: status, message and, for 401/403, what to
// do.
func (e *APIError) answer() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		b.WriteString(" (check the API key in DIALPAD_API_KEY or --api-key-file, and that it may manage offices)")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrAuth) true for 401 and 403.
func (e *APIError) Is(target error) bool {
	return target == ErrAuth && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// IsAuth reports whether err comes from a 401 or 403 answer: the caller
// should stop everything and have the API key fixed.
func IsAuth(err error) bool { return errors.Is(err, ErrAuth) }

// IsPermanent reports whether err is an answer that trying again will not
// change: 400, 404, 409 or 422. The office concerned fails with the
// API's message.
func IsPermanent(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// dialpadError is the shape of Dialpad's error bodies.
type dialpadError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Domain  string `json:"domain"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"error"`
}

// newAPIError builds the APIError of an answer with status and body.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path, Body: truncateBytes(body, 4096)}
	var de dialpadError
	if err := json.Unmarshal(body, &de); err == nil && (de.Error.Message != "" || len(de.Error.Errors) > 0) {
		msgs := []string{}
		add := func(m string) {
			m = strings.TrimSpace(m)
			for _, have := range msgs {
				if have == m {
					return
				}
			}
			if m != "" {
				msgs = append(msgs, m)
			}
		}
		add(de.Error.Message)
		for _, d := range de.Error.Errors {
			add(d.Message)
			if e.Reason == "" {
				e.Reason = d.Reason
			}
		}
		e.Message = oneLine(strings.Join(msgs, "; "), 4*maxErrorText)
		return e
	}
	e.Message = oneLine(string(body), maxErrorText)
	return e
}

// oneLine folds s onto one line and truncates it to max bytes (at a rune
// boundary), marking the cut.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func truncateBytes(b []byte, max int) []byte {
	if len(b) > max {
		b = b[:max]
	}
	return bytes.Clone(b)
}

// redactor removes a secret from texts that leave the client.
type redactor string

const redacted = "[REDACTED]"

func (r redactor) string(s string) string {
	if r == "" {
		return s
	}
	return strings.ReplaceAll(s, string(r), redacted)
}

func (r redactor) bytes(b []byte) []byte {
	if r == "" {
		return b
	}
	return bytes.ReplaceAll(b, []byte(r), []byte(redacted))
}

// error returns err, or an error with the same chain but the secret
// removed from its text when its text holds the secret.
func (r redactor) error(err error) error {
	if err == nil || r == "" || !strings.Contains(err.Error(), string(r)) {
		return err
	}
	return &chainError{msg: r.string(err.Error()), errs: []error{err}}
}

// chainError is an error with its own text whose chain (for errors.Is and
// errors.As) is errs.
type chainError struct {
	msg  string
	errs []error
}

// Error returns the error's own text.
func (e *chainError) Error() string { return e.msg }

// Unwrap returns the chain, for errors.Is and errors.As.
func (e *chainError) Unwrap() []error { return e.errs }
