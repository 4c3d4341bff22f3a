package offices

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAPIErrorFromDialpadBody(t *testing.T) {
	body := `{"error":{"code":400,"message":"Invalid country","errors":[{"domain":"global","reason":"badRequest","message":"Invalid country"},{"domain":"global","reason":"badRequest","message":"currency is required"}]}}`
	e := newAPIError("POST", "/api/v2/offices", 400, []byte(body))
	if e.Message != "Invalid country; currency is required" || e.Reason != "badRequest" {
		t.Errorf("message %q, reason %q", e.Message, e.Reason)
	}
	if got, want := e.Error(), "dialpad: POST /api/v2/offices: 400 Bad Request: Invalid country; currency is required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAPIErrorFallsBackToText(t *testing.T) {
	html := "<html>\n<body>" + strings.Repeat("Bad gateway ", 100) + "</body></html>"
	e := newAPIError("GET", "/api/v2/company", 502, []byte(html))
	if strings.Contains(e.Message, "\n") || len(e.Message) > maxErrorText+len("…") || !strings.HasPrefix(e.Message, "<html> <body>Bad gateway") {
		t.Errorf("message = %q", e.Message)
	}
	if !strings.HasSuffix(e.Message, "…") {
		t.Errorf("truncated message not marked: %q", e.Message)
	}
	e = newAPIError("GET", "/api/v2/company", 500, nil)
	if got := e.Error(); got != "dialpad: GET /api/v2/company: 500 Internal Server Error" {
		t.Errorf("empty body: %q", got)
	}
	// Cutting never splits a rune.
	e = newAPIError("GET", "/x", 500, []byte(strings.Repeat("é", 400)))
	if !strings.HasPrefix(e.Message, "é") || strings.ContainsRune(e.Message, '\uFFFD') {
		t.Errorf("message = %q", e.Message)
	}
}

func TestErrorPredicates(t *testing.T) {
	for status, want := range map[int][2]bool{
		400: {false, true}, 401: {true, false}, 403: {true, false}, 404: {false, true},
		409: {false, true}, 422: {false, true}, 429: {false, false}, 500: {false, false},
	} {
		err := fmt.Errorf("apply berlin: %w", newAPIError("GET", "/x", status, nil))
		if IsAuth(err) != want[0] || IsPermanent(err) != want[1] {
			t.Errorf("%d: IsAuth %v IsPermanent %v, want %v", status, IsAuth(err), IsPermanent(err), want)
		}
	}
	if IsAuth(errors.New("x")) || IsPermanent(nil) {
		t.Error("predicates true for a non-API error")
	}
	if !strings.Contains(newAPIError("GET", "/x", 401, nil).Error(), "DIALPAD_API_KEY") {
		t.Error("401 message does not say where the key comes from")
	}
}

func TestRedactor(t *testing.T) {
	r := redactor("s3cret")
	err := r.error(fmt.Errorf("wrap: %w", &APIError{Status: 400, Method: "GET", Path: "/x", Message: "echo s3cret"}))
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("err = %q", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Error("redaction broke the error chain")
	}
	plain := errors.New("nothing secret")
	if r.error(plain) != plain {
		t.Error("an error without the secret was rewrapped")
	}
}
