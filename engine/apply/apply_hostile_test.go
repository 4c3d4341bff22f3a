package apply_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/apply"
	"github.com/officectl/officectl/engine/apply/applytest"
	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// These tests hold apply to its promises against a hostile or broken API
// (`make reliability` runs them): the real client over loopback, against
// the simulator or a fake server in front of it.

// TestHostileAPIE911WrongOffice: before a PUT of an E911 address, apply
// checks that the live office with the recorded id has the recorded name;
// a mismatch fails that office, without the PUT, and the others go on.
func TestHostileAPIE911WrongOffice(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ds := []load.Desired{{Key: "boston", Office: enginetest.Office("Boston", "US")}, {Key: "new-york", Office: enginetest.Office("New York", "US")}}
	if res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 4, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	chicago := env.Sim.Seed(offices.Live{Name: "Chicago", State: "active", Country: "us"})[0]
	// A bad merge of the state file: new-york now records Chicago's id.
	if err := env.Store.Update(func(st *state.State) error {
		e, _ := st.Get("new-york")
		e.ID = strconv.FormatInt(chicago, 10)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, street := range []string{"1 Beacon St", "1 Broadway"} {
		ds[i].Office.E911Address = &offices.E911Address{Address: street, City: ds[i].Office.Name, Country: "US", State: "MA", Zip: "02108"}
	}
	p := env.Plan(t, ds)
	if s := p.Summary(); s.UpdateE911 != 2 {
		t.Fatalf("plan: %+v", s)
	}
	res, _ := applytest.Apply(t, env, context.Background(), p, 4, false)
	if res.Counts.Updated != 1 || res.Counts.Failed != 1 {
		t.Fatalf("counts %+v, want boston updated, new-york failed", res.Counts)
	}
	var ny apply.OfficeResult
	for _, o := range res.Offices {
		if o.Key == "new-york" {
			ny = o
		}
	}
	msg := fmt.Sprint(ny.Err)
	for _, want := range []string{`"new-york"`, strconv.FormatInt(chicago, 10), `"Chicago"`, `"New York"`} {
		if !errors.Is(ny.Err, apply.ErrWrongOffice) || !strings.Contains(msg, want) {
			t.Errorf("new-york: %v; want ErrWrongOffice naming %s", ny.Err, want)
		}
	}
	if live, _ := env.Sim.Office(chicago); live.E911Address != nil {
		t.Errorf("Chicago got an E911 address: %+v", live.E911Address)
	}
	for _, r := range env.Sim.Records() {
		if r.Method == http.MethodPut && strings.Contains(r.Path, strconv.FormatInt(chicago, 10)) {
			t.Errorf("PUT sent to Chicago: %s", r.Path)
		}
	}
}

// badIDServer is a fake API in front of a simulator: it answers the
// creates of the names in bad with the id given there (created nowhere),
// and of the names in dupOf with the id the simulator gave another name.
type badIDServer struct {
	sim   *officestest.TestServer
	bad   map[string]int64
	dupOf map[string]string

	mu  sync.Mutex
	ids map[string]int64 // ids the simulator gave, by name
}

func (b *badIDServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		b.sim.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var o offices.Office
	json.Unmarshal(body, &o)
	if id, ok := b.bad[o.Name]; ok {
		fmt.Fprintf(w, `{"office":{"id":"%d","name":%q,"state":"active"}}`, id, o.Name)
		return
	}
	if other, ok := b.dupOf[o.Name]; ok {
		for {
			b.mu.Lock()
			id, ok := b.ids[other]
			b.mu.Unlock()
			if ok {
				fmt.Fprintf(w, `{"office":{"id":%d,"name":%q,"state":"active"}}`, id, o.Name)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	rec := httptest.NewRecorder()
	r.Body = io.NopCloser(bytes.NewReader(body))
	b.sim.ServeHTTP(rec, r)
	var resp offices.OfficeUpdateResponse
	if json.Unmarshal(rec.Body.Bytes(), &resp) == nil && resp.Office != nil {
		b.mu.Lock()
		b.ids[o.Name] = resp.Office.ID
		b.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// TestHostileAPIBadCreateIDs: a create answered with an id that is not a
// positive int64, or with an id the state holds for another key, fails
// that office only, its entry pending; the other offices are saved and
// the run goes on.
func TestHostileAPIBadCreateIDs(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1})
	fake := &badIDServer{sim: sim, ids: map[string]int64{},
		bad:   map[string]int64{"Office 003": -9007199254740991, "Office 005": 0},
		dupOf: map[string]string{"Office 007": "Office 001"},
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	env := enginetest.NewEnvAt(t, sim, srv.URL, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(12)), 8, false)
	if res.Counts.Created != 9 || res.Counts.Failed != 3 || res.Counts.Skipped != 0 || res.Counts.Pending != 3 {
		t.Fatalf("counts %+v, want 9 created, 3 failed and pending, none skipped; err %v", res.Counts, res.Err)
	}
	// Office 007 is answered with Office 001's id once the simulator has
	// given it; which of the two answers apply reads first is up to the
	// scheduler, so exactly one of them is refused and stays pending.
	refused := map[string]bool{}
	for _, o := range res.Offices {
		switch o.Name {
		case "Office 003", "Office 001", "Office 007":
			if o.Outcome == apply.OutcomeCreated && o.Name != "Office 003" {
				continue
			}
			if !errors.Is(o.Err, apply.ErrBadAnswer) || !o.Pending {
				t.Errorf("%s: %v (pending %v), want ErrBadAnswer, pending", o.Key, o.Err, o.Pending)
			}
			refused[o.Key] = true
		case "Office 005": // no id at all: the outcome is unknown
			if o.Outcome != apply.OutcomeFailed || !o.Pending {
				t.Errorf("%s: %s %v", o.Key, o.Outcome, o.Err)
			}
		default:
			if o.Outcome != apply.OutcomeCreated {
				t.Errorf("%s: %s %v", o.Key, o.Outcome, o.Err)
			}
		}
	}
	if !refused["office-003"] || refused["office-001"] == refused["office-007"] {
		t.Errorf("refused %v: want office-003 and exactly one of office-001 and office-007", refused)
	}
	if err := env.Store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := state.Load(env.StatePath)
	if err != nil {
		t.Fatalf("the state saved after bad answers does not load: %v", err)
	}
	seen := map[string]string{}
	for k, e := range st.Offices {
		if e.Status == state.Created {
			if other, dup := seen[e.ID]; dup {
				t.Errorf("id %s recorded for %s and %s", e.ID, other, k)
			}
			seen[e.ID] = k
		}
	}
	for k := range refused {
		if e, ok := st.Get(k); !ok || e.Status != state.Pending {
			t.Errorf("%s: %+v, want pending", k, e)
		}
	}
}

// TestHostileAPIEndlessListing: apply stops with a clear error
// when the listing does not end; no create is sent, nothing is adopted.
func TestHostileAPIEndlessListing(t *testing.T) {
	t.Parallel()
	url, posts := enginetest.EndlessListing(t)
	env := enginetest.NewEnvAt(t, nil, url, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(3)), 4, false)
	if !errors.Is(res.Err, offices.ErrListTooLong) || res.Counts.Created+res.Counts.Adopted != 0 || posts.Load() != 0 {
		t.Fatalf("apply: counts %+v, %d creates sent, err %v; want ErrListTooLong and nothing sent", res.Counts, posts.Load(), res.Err)
	}
	if n := len(env.Store.State().Offices); n != 0 {
		t.Errorf("%d state entries after the listings failed, want none", n)
	}
}

// TestHostileAPIInterruptNoNewRequests: once ctx ends, no request waiting
// in the rate limiter (or out a Retry-After) is sent: only those on the
// wire finish, and Apply returns soon after.
func TestHostileAPIInterruptNoNewRequests(t *testing.T) {
	t.Parallel()
	// Not a multiple of the limiter's 50 ms interval (1,200 a minute): the
	// interrupt falls between two admissions, not on one, so a request the
	// limiter admits at the very moment of the interrupt (started before
	// it, counted after it) does not make the count ambiguous.
	const latency = 275 * time.Millisecond
	env := enginetest.NewEnv(t, officestest.Options{Latency: latency}, func(c *offices.ClientConfig) { c.Rate = 1200 })
	ctx, cancel := context.WithCancel(context.Background())
	var (
		cancelled time.Time
		inFlight  int64
		started   int64 // requests the client had sent (or was sending) at the interrupt
	)
	res, _ := apply.Apply(ctx, env.Plan(t, enginetest.Numbered(60)), apply.ApplyOptions{
		Store: env.Store, API: env.Client, Parallelism: 8,
		Events: func(ev apply.Event) {
			if ev.Type == apply.EventCreated && ev.Done == 5 {
				cancel()
				cancelled = time.Now()
				st := env.Client.Stats() // after the cancel: whatever starts now is counted as sent after it
				inFlight, started = st.InFlight, st.Requests
			}
		},
	})
	returned := time.Now()
	if !res.Interrupted || cancelled.IsZero() {
		t.Fatalf("interrupted %v (cancelled at %v), counts %+v", res.Interrupted, cancelled, res.Counts)
	}
	// A request already on the wire may reach the server a little after
	// the interrupt (the race detector slows both ends), so the promise is
	// checked by counts: none sent after it, none received beyond those.
	sent, received := env.Client.Stats().Requests, int64(len(env.Sim.Records()))
	t.Logf("%d in flight and %d sent at the interrupt; %d sent and %d received in all; Apply returned %s after it",
		inFlight, started, sent, received, returned.Sub(cancelled).Round(time.Millisecond))
	if sent > started {
		t.Errorf("%d requests sent after the interrupt, want none", sent-started)
	}
	if received > started {
		t.Errorf("the server received %d requests, more than the %d sent before the interrupt", received, started)
	}
	if d := returned.Sub(cancelled); d > latency+2*time.Second {
		t.Errorf("Apply returned %s after the interrupt", d)
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), res.Counts.Created)
}

// TestHostileAPIUnreachable: when connections are refused, apply stops
// starting offices after a few attempts in a row and says the API is
// unreachable; the state holds nothing for what was not created.
func TestHostileAPIUnreachable(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close() // connection refused from now on
	env := enginetest.NewEnvAt(t, nil, url, func(c *offices.ClientConfig) { c.MaxAttempts = 5 })
	// The listing before the creates went through; then the API went down.
	api := &enginetest.FakeAPI{
		List:   func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) { return nil, nil },
		Create: env.Client.CreateOffice,
	}
	start := time.Now()
	res, err := apply.Apply(context.Background(), env.Plan(t, enginetest.Numbered(22)), apply.ApplyOptions{Store: env.Store, API: api, Parallelism: 8})
	took := time.Since(start)
	requests := env.Client.Stats().Requests
	t.Logf("%d requests, %s; counts %+v", requests, took.Round(time.Millisecond), res.Counts)
	if !errors.Is(err, offices.ErrUnreachable) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("err = %v, want the API unreachable", err)
	}
	if requests > 8+5 {
		t.Errorf("%d requests, want at most %d", requests, 8+5)
	}
	if res.Counts.Created != 0 || res.Counts.Skipped < 22-16 {
		t.Errorf("counts %+v, want most skipped", res.Counts)
	}
	if n := len(env.Store.State().Offices); n != 0 {
		t.Errorf("%d state entries, want none: nothing was created", n)
	}
}

// TestHostileAPIInterruptDuringRetryAfter: requests waiting out a long
// Retry-After (within --max-retry-wait) stop waiting at the interrupt and
// are not sent; Apply returns at once.
func TestHostileAPIInterruptDuringRetryAfter(t *testing.T) {
	t.Parallel()
	faults := officestest.Faults{TooManyRequests: 0.5, RetryAfter: 30 * time.Second}
	env := enginetest.NewEnv(t, officestest.Options{Faults: faults, Seed: 1}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res, _ := apply.Apply(ctx, env.Plan(t, enginetest.Numbered(20)), apply.ApplyOptions{Store: env.Store, API: env.Client, Parallelism: 4})
	took := time.Since(start)
	t.Logf("returned after %s; %d requests, %d answered 429; counts %+v", took.Round(time.Millisecond), env.Sim.Stats().Requests, env.Client.Stats().Throttled, res.Counts)
	if env.Client.Stats().Throttled == 0 {
		t.Fatal("no 429 answered: the test proves nothing")
	}
	if !res.Interrupted || took > 5*time.Second {
		t.Errorf("interrupted %v after %s; want Apply back soon after the interrupt at 300ms", res.Interrupted, took)
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), res.Counts.Created)
}

// TestHostileAPIHugeRetryAfterStops: a create answered 429 with a
// Retry-After beyond MaxRetryWait fails, naming the server's value, and
// apply starts no other office: the API asked everyone to wait.
func TestHostileAPIHugeRetryAfterStops(t *testing.T) {
	t.Parallel()
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.Header().Set("Retry-After", "1000000000")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	env := enginetest.NewEnvAt(t, nil, srv.URL, nil)
	api := &enginetest.FakeAPI{ // the listing before the creates went through
		List:   func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) { return nil, nil },
		Create: env.Client.CreateOffice,
	}
	start := time.Now()
	res, err := apply.Apply(context.Background(), env.Plan(t, enginetest.Numbered(30)), apply.ApplyOptions{Store: env.Store, API: api, Parallelism: 4})
	t.Logf("%d creates sent in %s; counts %+v", posts.Load(), time.Since(start).Round(time.Millisecond), res.Counts)
	if !errors.Is(err, offices.ErrRetryTooLong) || !strings.Contains(err.Error(), `"1000000000"`) {
		t.Errorf("err = %v, want ErrRetryTooLong naming the Retry-After", err)
	}
	if n := posts.Load(); n > 4 {
		t.Errorf("%d creates sent, want at most the 4 in flight", n)
	}
	if n := len(env.Store.State().Offices); n != 0 {
		t.Errorf("%d state entries, want none: a 429 creates nothing", n)
	}
}
