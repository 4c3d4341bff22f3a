package officestest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/officectl/officectl/offices"
)

// AdminClient calls a running simulator's admin endpoints (see
// AdminPrefix): `officectl sim edit` and `officectl sim delete`.
type AdminClient struct {
	// URL is the simulator's base URL, e.g. http://127.0.0.1:8089: a
	// loopback host unless AllowNonLoopback, and then https.
	URL string
	// Key is the API key the simulator accepts.
	Key string
	// AllowNonLoopback lets URL name a host that is not loopback: a
	// simulator run elsewhere on purpose (officectl sim
	// --allow-non-loopback). Without it the key is sent only to this
	// machine, whatever URL says (DIALPAD_API_URL may name Dialpad).
	AllowNonLoopback bool
	// HTTP is the client to use; nil uses one with a 30-second timeout.
	// Redirects are never followed: the key goes only to URL.
	HTTP *http.Client
}

// CheckURL checks c.URL before any request: an http or https URL with a
// host, loopback unless c.AllowNonLoopback, and then https.
func (c *AdminClient) CheckURL() (*url.URL, error) {
	base, err := url.Parse(c.URL)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("simulator URL %q: want http://HOST:PORT, as officectl sim prints it", c.URL)
	}
	loopback := offices.IsLoopbackHost(base.Hostname())
	switch {
	case !loopback && !c.AllowNonLoopback:
		return nil, fmt.Errorf("simulator URL %q is not a loopback address: sim edit and delete talk only to a simulator on this machine "+
			"(give --url as officectl sim prints it, e.g. http://127.0.0.1:8089); to reach a simulator on another host on purpose, give --allow-non-loopback and its --token", c.URL)
	case base.Scheme == "http" && !loopback:
		return nil, fmt.Errorf("simulator URL %q: plain http only to a loopback host", c.URL)
	}
	return base, nil
}

// Edit changes fields of office id (see Server.Edit) and returns the
// office as it is now.
func (c *AdminClient) Edit(ctx context.Context, id int64, edits ...Edit) (*offices.Live, error) {
	body, err := editRequest(edits)
	if err != nil {
		return nil, err
	}
	var l offices.Live
	if err := c.do(ctx, http.MethodPatch, id, body, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// editRequest is the body of an admin PATCH that makes edits.
func editRequest(edits []Edit) ([]byte, error) {
	set := make(map[string]json.RawMessage, len(edits))
	for _, e := range edits {
		set[e.Path] = e.Value
	}
	return json.Marshal(adminRequest{Set: set})
}

// Delete deletes office id (see Server.Delete).
func (c *AdminClient) Delete(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodDelete, id, nil, nil)
}

func (c *AdminClient) do(ctx context.Context, method string, id int64, body []byte, out any) error {
	return c.doKind(ctx, method, "offices", id, body, out)
}

// doKind sends an admin request about id under AdminPrefix+kinds (offices,
// departments or callcenters).
func (c *AdminClient) doKind(ctx context.Context, method, kinds string, id int64, body []byte, out any) error {
	what := strings.TrimSuffix(kinds, "s")
	base, err := c.CheckURL()
	if err != nil {
		return err
	}
	target := strings.TrimSuffix(base.String(), "/") + AdminPrefix + kinds + "/" + strconv.FormatInt(id, 10)
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set(AdminHeader, "yes")
	req.Header.Set("Content-Type", "application/json")
	hc := &http.Client{Timeout: 30 * time.Second}
	if c.HTTP != nil {
		cp := *c.HTTP
		hc = &cp
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("simulator admin %s %s %d: %w", method, what, id, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRequestBody))
	if err != nil {
		return fmt.Errorf("simulator admin %s %s %d: %w", method, what, id, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		msg := resp.Status
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg += ": " + e.Error.Message
		}
		return fmt.Errorf("simulator admin %s %s %d: %s", method, what, id, oneLine(msg))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return errors.New("simulator admin: the answer is not JSON: " + err.Error())
	}
	return nil
}

// oneLine bounds s to 300 bytes on one line, without control characters,
// for a terminal.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
