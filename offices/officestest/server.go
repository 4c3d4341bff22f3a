package officestest

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/officectl/officectl/offices"
)

// DefaultFirstID is the id of the first office a Server creates.
const DefaultFirstID int64 = 5100000000000000

// Options configures a Server. Zero fields take the defaults.
type Options struct {
	// Token is the API key the server accepts, as "Authorization: Bearer
	// TOKEN" or ?apikey=TOKEN. Empty accepts any non-empty key; a missing
	// key is always refused with 401.
	Token string
	// RatePerMinute is how many requests the server admits in any sliding
	// Window (one minute unless Window is set, hence the name); default
	// 1200, negative for no limit. Every request counts, whatever its
	// path, method or outcome, except those answered 429 by this limit.
	RatePerMinute int
	// Window is the rate limit's sliding window, default one minute.
	// Tests shrink it to check a client's pacing in a few seconds.
	Window time.Duration
	// PageSize is the number of offices per page of GET /api/v2/offices,
	// default 100.
	PageSize int
	// Latency delays every admitted, authorized request.
	Latency time.Duration
	// LatencyFunc, when set, gives the delay of each request instead of
	// Latency.
	LatencyFunc func(r *http.Request) time.Duration
	// Faults are injected into admitted, authorized requests.
	Faults Faults
	// Seed seeds the random source of the faults.
	Seed uint64
	// FirstID is the id of the first office created, default
	// DefaultFirstID; ids then count up.
	FirstID int64
	// Company is what GET /api/v2/company answers (OfficeCount is filled
	// in); its zero value gives a made-up company.
	Company offices.Company
	// NumericIDs makes answers carry int64 fields as JSON numbers; by
	// default they are strings ("id": "124"), as in the reference's
	// examples.
	NumericIDs bool
	// Now replaces the clock of the rate limit and of the records.
	Now func() time.Time
	// Log, when set, receives one line per request (method, path without
	// the query, status, duration), one write at a time. It never holds
	// the key.
	Log io.Writer
	// AllowNonLoopback lets Run listen on an address that is not loopback.
	AllowNonLoopback bool
	// ListWithoutE911 leaves e911_address out of GET /api/v2/offices, as
	// an API whose listing does not carry it would: clients must then
	// fetch each address on its own.
	ListWithoutE911 bool
	// Users and Rooms are how many users (userN@example.com, id
	// FirstUserID+N) and rooms (id FirstRoomID+N) the company has, to be
	// operators of offices and groups; default 100 and 10, negative for
	// none. SeedUsers and SeedRooms add others.
	Users, Rooms int
	// PeopleFile, for Run, is a JSON file of more users and rooms (see
	// LoadPeople).
	PeopleFile string
	// DataFile, for Run, is where the offices and the next id are kept
	// across restarts: read at start (a missing file is an empty
	// simulator), written atomically after changes and at the end.
	DataFile string
}

// Record is one request the server received.
type Record struct {
	// At is when it arrived.
	At time.Time
	// Method is the HTTP method.
	Method string
	// Path is the URL path, without the query string.
	Path string
	// Status is the status answered, or 0 when the connection was closed
	// without an answer (reset and drop faults, or a client that left).
	Status int
}

// Stats counts what the server did.
type Stats struct {
	// Requests is the number of requests received.
	Requests int
	// RateLimited is the number of 429s answered because the sliding
	// window was full.
	RateLimited int
	// Injected429, Injected5xx, Resets and Drops count injected faults.
	Injected429, Injected5xx, Resets, Drops int
	// Unauthorized is the number of 401s answered.
	Unauthorized int
	// Created is the number of offices created through POST.
	Created int
	// GroupsCreated is the number of departments and call centers
	// created through POST.
	GroupsCreated int
}

// Server is the simulated Dialpad API; it implements http.Handler. It is
// safe for concurrent use.
type Server struct {
	opts  Options
	now   func() time.Time
	logMu sync.Mutex // serializes writes to opts.Log

	mu      sync.Mutex
	offices map[int64]*offices.Live
	grp     groupStore // departments, call centers, operators, users, rooms
	nextID  int64
	window  window
	rng     *rand.Rand
	faults  Faults
	records []Record
	stats   Stats
	// notify, when not nil, gets a value (without blocking) after every
	// change of the offices: Run's saver of the data file waits on it.
	notify chan struct{}
}

// New returns a Server with no offices.
func New(opts Options) *Server {
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = 1200
	}
	if opts.Window <= 0 {
		opts.Window = time.Minute
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.FirstID <= 0 {
		opts.FirstID = DefaultFirstID
	}
	if opts.Company == (offices.Company{}) {
		opts.Company = offices.Company{
			AccountType: "enterprise", AdminEmail: "admin@example.com", Country: "us",
			Domain: "example.com", ID: 4200000000000001, Name: "Example, Inc", State: "active",
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		opts:    opts,
		now:     now,
		offices: map[int64]*offices.Live{},
		grp:     newGroupStore(),
		nextID:  opts.FirstID,
		window:  window{size: opts.Window, limit: opts.RatePerMinute},
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		faults:  opts.Faults,
	}
	s.seedPeople(orDefault(opts.Users, defaultUsers), orDefault(opts.Rooms, defaultRooms))
	return s
}

// SetFaults replaces the faults injected from now on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// ServeHTTP answers one request: rate limit, auth, latency, faults, then
// the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		status := s.serveAdmin(w, r)
		s.logRequest(r, status, start)
		return
	}
	s.mu.Lock()
	now := s.now()
	s.stats.Requests++
	idx := len(s.records)
	s.records = append(s.records, Record{At: now, Method: r.Method, Path: r.URL.Path})
	admitted, retryAfter := s.window.admit(now)
	if !admitted {
		s.stats.RateLimited++
	}
	s.mu.Unlock()

	finish := func(status int) {
		s.mu.Lock()
		s.records[idx].Status = status
		s.mu.Unlock()
		s.logRequest(r, status, start)
	}
	if !admitted {
		w.Header().Set("Retry-After", retryAfterSeconds(retryAfter))
		finish(s.write(w, errorResult(http.StatusTooManyRequests, "rateLimitExceeded",
			fmt.Sprintf("Rate limit exceeded: at most %d requests per %s", s.opts.RatePerMinute, s.opts.Window))))
		return
	}
	if !s.authorized(r) {
		s.mu.Lock()
		s.stats.Unauthorized++
		s.mu.Unlock()
		finish(s.write(w, errorResult(http.StatusUnauthorized, "authError", "Unauthorized: the API key is missing or invalid")))
		return
	}
	// Read the body now: the server notices a client that leaves (and
	// cancels r.Context) only once the body has been read.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		finish(0)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if d := s.latency(r); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-r.Context().Done():
			t.Stop()
			finish(0)
			return
		case <-t.C:
		}
	}
	fault := s.drawFault()
	switch fault {
	case fault429:
		w.Header().Set("Retry-After", retryAfterSeconds(s.currentFaults().RetryAfter))
		finish(s.write(w, errorResult(http.StatusTooManyRequests, "rateLimitExceeded", "Rate limit exceeded (injected fault)")))
		return
	case fault5xx:
		finish(s.write(w, errorResult(http.StatusInternalServerError, "backendError", "Internal error (injected fault)")))
		return
	case faultReset:
		finish(0)
		panic(http.ErrAbortHandler) // closes the connection without an answer
	}
	res := s.route(r)
	if fault == faultDrop {
		finish(0)
		panic(http.ErrAbortHandler)
	}
	finish(s.write(w, res))
}

// logRequest writes r's log line, if the server has a log.
func (s *Server) logRequest(r *http.Request, status int, start time.Time) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, "%s %s %d %s\n", r.Method, r.URL.Path, status, time.Since(start).Round(time.Millisecond))
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// authorized checks the bearer token or ?apikey=.
func (s *Server) authorized(r *http.Request) bool {
	key := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return false
		}
		key = strings.TrimSpace(tok)
	} else {
		key = r.URL.Query().Get("apikey")
	}
	if key == "" {
		return false
	}
	if s.opts.Token == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.Token)) == 1
}

func (s *Server) latency(r *http.Request) time.Duration {
	if s.opts.LatencyFunc != nil {
		return s.opts.LatencyFunc(r)
	}
	return s.opts.Latency
}

// Seed adds offices as they are, bypassing validation, and returns their
// ids. An office with ID 0 gets the next id; OfficeID follows ID; State
// defaults to "active"; countries are lower-cased as the API returns them.
func (s *Server) Seed(offs ...offices.Live) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(offs))
	for _, o := range offs {
		l := cloneLive(o)
		if l.ID == 0 {
			l.ID = s.nextID
			s.nextID++
		} else if l.ID >= s.nextID {
			s.nextID = l.ID + 1
		}
		l.OfficeID = l.ID
		if l.State == "" {
			l.State = "active"
		}
		l.Country = strings.ToLower(l.Country)
		s.offices[l.ID] = &l
		ids = append(ids, l.ID)
	}
	s.changed()
	return ids
}

// Mutate changes the live office id in place, e.g. to simulate a change
// made in Dialpad's web app (drift). It fails when there is no such office.
func (s *Server) Mutate(id int64, f func(*offices.Live)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return fmt.Errorf("officestest: no office %d", id)
	}
	f(l)
	l.ID, l.OfficeID = id, id
	s.changed()
	return nil
}

// SetState sets the enablement state of office id (active, cancelled,
// deleted, pending or suspended).
func (s *Server) SetState(id int64, state string) error {
	return s.Mutate(id, func(l *offices.Live) { l.State = state })
}

// Offices returns a copy of every office, by ascending id.
func (s *Server) Offices() []offices.Live {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]offices.Live, 0, len(s.offices))
	for _, id := range s.sortedIDs() {
		out = append(out, cloneLive(*s.offices[id]))
	}
	return out
}

// Office returns a copy of office id.
func (s *Server) Office(id int64) (offices.Live, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.offices[id]
	if !ok {
		return offices.Live{}, false
	}
	return cloneLive(*l), true
}

// CountByName returns how many offices have each name: a count above 1
// means a client created a duplicate (Dialpad accepts them, and so does
// the simulator).
func (s *Server) CountByName() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := map[string]int{}
	for _, l := range s.offices {
		n[l.Name]++
	}
	return n
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Records returns every request received so far, in arrival order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

// MaxInWindow returns the largest number of requests that arrived within
// any span of length d (every request counts, 429s included): a client
// that respects a limit of N per d keeps it at most N.
func (s *Server) MaxInWindow(d time.Duration) int {
	recs := s.Records()
	best, lo := 0, 0
	for hi := range recs {
		for !recs[lo].At.After(recs[hi].At.Add(-d)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// PerSecond returns the number of requests that arrived in each second
// since the first one.
func (s *Server) PerSecond() []int {
	recs := s.Records()
	if len(recs) == 0 {
		return nil
	}
	var out []int
	for _, r := range recs {
		i := int(r.At.Sub(recs[0].At) / time.Second)
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i]++
	}
	return out
}

// sortedIDs returns the office ids in ascending order; s.mu is held.
func (s *Server) sortedIDs() []int64 {
	ids := make([]int64, 0, len(s.offices))
	for id := range s.offices {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// cloneLive deep-copies l.
func cloneLive(l offices.Live) offices.Live {
	b, err := json.Marshal(l)
	if err != nil {
		panic("officestest: marshal Live: " + err.Error())
	}
	var c offices.Live
	if err := json.Unmarshal(b, &c); err != nil {
		panic("officestest: unmarshal Live: " + err.Error())
	}
	return c
}
