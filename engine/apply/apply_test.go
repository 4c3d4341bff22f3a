package apply_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// These tests run Apply against the simulator over loopback: real HTTP,
// the real client with its limiter and retries, a real state file.

// TestApplyResolvesReferencesInOrder: every office is POSTed after the
// offices it refers to, with their real ids in the body.
func TestApplyResolvesReferencesInOrder(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Latency: 5 * time.Millisecond}, nil)
	hq, a, b, c := enginetest.Office("HQ", "DE"), enginetest.Office("A", "DE"), enginetest.Office("B", "DE"), enginetest.Office("C", "DE")
	enginetest.RouteTo(&a, "hq")
	enginetest.RouteTo(&b, "a", "hq")
	enginetest.RouteTo(&c, "b", "a", "hq")
	ds := append(enginetest.Numbered(12), load.Desired{Key: "a", Office: a}, load.Desired{Key: "b", Office: b}, load.Desired{Key: "c", Office: c}, load.Desired{Key: "hq", Office: hq})
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 8, false)
	if res.Err != nil || res.Counts.Created != len(ds) {
		t.Fatalf("created %d of %d: %v", res.Counts.Created, len(ds), res.Err)
	}

	// Ids count up in creation order, so they show the server-side order.
	id := map[string]int64{}
	lives := map[string]offices.Live{}
	for _, l := range env.Sim.Offices() {
		id[l.Name], lives[l.Name] = l.ID, l
	}
	if !(id["HQ"] < id["A"] && id["A"] < id["B"] && id["B"] < id["C"]) {
		t.Errorf("creation order HQ %d, A %d, B %d, C %d: an office was created before one it refers to", id["HQ"], id["A"], id["B"], id["C"])
	}
	target := func(name string, tg *offices.Target) {
		t.Helper()
		if tg == nil || tg.IsRef() || tg.ID != id[name] {
			t.Errorf("target %+v, want the id of %s (%d)", tg, name, id[name])
		}
	}
	ro := lives["C"].RoutingOptions
	if ro == nil || len(ro.Closed.DTMF) != 2 {
		t.Fatalf("C's routing options on the server: %+v", ro)
	}
	target("B", ro.Open.ActionTargetID)
	target("A", ro.Closed.DTMF[0].Options.ActionTargetID)
	target("HQ", ro.Closed.DTMF[1].Options.ActionTargetID)
	target("HQ", lives["A"].RoutingOptions.Open.ActionTargetID)

	// State keeps the references unresolved, so the next plan is empty.
	if e, _ := env.Store.Entry("c"); !strings.Contains(string(e.Spec), `{"office":"b"}`) {
		t.Errorf("state spec of c holds no reference: %s", e.Spec)
	}
	if s := env.Plan(t, ds).Summary(); s.Changed() != 0 {
		t.Errorf("plan after apply: %+v, want no changes", s)
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), len(ds))
}

// TestApplyParallelismBound: never more requests at the server at once
// than --parallelism, and the bound is reached (the offices overlap).
func TestApplyParallelismBound(t *testing.T) {
	t.Parallel()
	sim := officestest.NewServer(t, officestest.Options{Token: enginetest.TestKey, RatePerMinute: -1, Latency: 40 * time.Millisecond})
	counter := &enginetest.InflightCounter{H: sim.Server}
	front := httptest.NewServer(counter)
	t.Cleanup(front.Close)
	env := enginetest.NewEnvAt(t, sim, front.URL, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(48)), 3, false)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := counter.Max.Load(); got > 3 || got < 2 {
		t.Errorf("at most %d requests at once, want 3 (parallelism 3)", got)
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), 48)
}

// TestApplyStaysUnderRate: at 120 requests a minute with a burst of 4 and
// 8 requests in flight, a run of 150 offices (over a minute of requests)
// sends every request through the limiter, and the limiter never admits
// more than the burst plus the rate in any span (a second, ten seconds)
// nor more than 120 in any minute, while keeping to that pace.
//
// It runs on a fake clock, so it proves this every run, whatever the
// machine's load: the limiter's waits return at once and the clock moves
// to each admitted request's scheduled time (what a sleeper waking on
// time would see), and the assertions read that schedule, which does not
// depend on when a goroutine happens to run. The simulator has no rate
// limit here (its window would count real arrival times); the limiter's
// slack for arrival jitter is checked against the simulator's window in
// offices (TestClientSlidingWindowScaled).
func TestApplyStaysUnderRate(t *testing.T) {
	t.Parallel()
	const limit, burst, offs = 120, 4, 150
	clk := enginetest.NewClock()
	var (
		mu       sync.Mutex
		admitted []time.Time
	)
	lim := offices.NewLimiter(offices.LimiterConfig{Limit: limit, Burst: burst, Now: clk.Now,
		// The limiter's wait ends at the admission's scheduled time,
		// which Admitted moves the clock to. (The simulator never
		// answers 429 here, so no pause waits on this clock.)
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Admitted: func(at time.Time) {
			clk.AdvanceTo(at)
			mu.Lock()
			admitted = append(admitted, at)
			mu.Unlock()
		}})
	env := enginetest.NewEnv(t, officestest.Options{}, func(c *offices.ClientConfig) {
		c.Limiter, c.Now, c.Sleep = lim, clk.Now, clk.Sleep
	})
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(offs)), 8, false)
	if res.Err != nil || res.Counts.Created != offs {
		t.Fatalf("created %d of %d: %v", res.Counts.Created, offs, res.Err)
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), offs)
	mu.Lock()
	defer mu.Unlock()
	n := len(admitted)
	if sent := env.Sim.Stats().Requests; n != sent {
		t.Fatalf("the limiter admitted %d requests, the server received %d: every request must wait for the limiter", n, sent)
	}
	slices.SortFunc(admitted, time.Time.Compare)
	took := admitted[n-1].Sub(admitted[0])
	t.Logf("%d requests over %s of fake time", n, took)
	if n <= limit {
		t.Fatalf("%d requests: the run does not fill a minute's window, so it proves less than it says", n)
	}
	perSecond := float64(limit) / 60
	for _, span := range []time.Duration{time.Second, 10 * time.Second, time.Minute} {
		want := burst + int(math.Ceil(perSecond*span.Seconds()))
		if span == time.Minute {
			want = limit
		}
		if got := maxWithin(admitted, span); got > want {
			t.Errorf("%d requests admitted within %s, want at most %d", got, span, want)
		}
	}
	// Not faster than the rate, and not much slower: the limiter keeps
	// (limit - burst) / (a minute and a second) a minute.
	fastest := time.Duration(float64(n-burst) / perSecond * float64(time.Second))
	if took < fastest || took > fastest*110/100 {
		t.Errorf("%d requests over %s, want %s to %s", n, took, fastest, fastest*110/100)
	}
}

// maxWithin returns the most of the sorted times within any span of
// length d (a time t counts in (t-d, t], as the simulator's window counts).
func maxWithin(times []time.Time, d time.Duration) int {
	best, lo := 0, 0
	for hi, t := range times {
		for !times[lo].After(t.Add(-d)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// TestApplyAbsorbs429: a third of the answers are 429; every office is
// created, none fails.
func TestApplyAbsorbs429(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Faults: officestest.Faults{TooManyRequests: 0.3}, Seed: 7}, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(40)), 8, false)
	if res.Err != nil || res.Counts.Failed != 0 || res.Counts.Created != 40 {
		t.Fatalf("counts %+v, err %v", res.Counts, res.Err)
	}
	if n := env.Sim.Stats().Injected429; n == 0 {
		t.Error("no 429 was injected: the test proves nothing")
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), 40)
}

// TestApplyFaultsNoDuplicates: 300 offices through 10% 5xx, 5%
// commit-then-drop and 3% resets, in one run: exactly 300 offices exist,
// no name twice, and the state holds the server's ids.
func TestApplyFaultsNoDuplicates(t *testing.T) {
	t.Parallel()
	faults := officestest.Faults{ServerError: 0.10, Drop: 0.05, Reset: 0.03}
	env := enginetest.NewEnv(t, officestest.Options{Faults: faults, Seed: 42, Latency: time.Millisecond, PageSize: 100}, nil)
	ds := enginetest.Numbered(300)
	for i := 10; i < 300; i += 10 { // some order to keep
		enginetest.RouteTo(&ds[i].Office, ds[i-1].Key)
	}
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 8, false)
	ss := env.Sim.Stats()
	t.Logf("counts %+v; server: %d requests, %d 5xx, %d drops, %d resets", res.Counts, ss.Requests, ss.Injected5xx, ss.Drops, ss.Resets)
	if res.Err != nil || res.Counts.Created != 300 {
		t.Errorf("created %d of 300 in one run: %v", res.Counts.Created, res.Err)
	}
	if ss.Drops == 0 || ss.Injected5xx == 0 || ss.Resets == 0 {
		t.Error("a fault was never injected: the test proves less than it says")
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), 300)
}

// TestApplyThenPlanNoChanges: apply, then the plan is empty; an e911
// change is applied with PUT e911 and then the plan is empty again.
func TestApplyThenPlanNoChanges(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ny := enginetest.Office("New York", "US")
	ds := append(enginetest.Numbered(5), load.Desired{Key: "new-york", Office: ny})
	if res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 8, false); res.Err != nil {
		t.Fatal(res.Err)
	}
	if s := env.Plan(t, ds).Summary(); s.Changed() != 0 {
		t.Fatalf("plan after apply: %+v", s)
	}

	ds[5].Office.E911Address = &offices.E911Address{Address: "1 Broadway", City: "New York", Country: "US", State: "NY", Zip: "10004"}
	p := env.Plan(t, ds)
	if s := p.Summary(); s.UpdateE911 != 1 || s.Changed() != 1 {
		t.Fatalf("plan after the e911 change: %+v", s)
	}
	res, evs := applytest.Apply(t, env, context.Background(), p, 8, false)
	if res.Err != nil || res.Counts.Updated != 1 || res.Counts.Unchanged != 5 || res.Elapsed <= 0 {
		t.Fatalf("counts %+v, err %v, elapsed %s", res.Counts, res.Err, res.Elapsed)
	}
	if evs[1].Type != apply.EventUpdated || evs[1].Key != "new-york" {
		t.Errorf("events %+v", evs)
	}
	e, _ := env.Store.Entry("new-york")
	id, _ := strconv.ParseInt(e.ID, 10, 64)
	live, _ := env.Sim.Office(id)
	if live.E911Address == nil || live.E911Address.Address != "1 Broadway" {
		t.Errorf("server e911 %+v", live.E911Address)
	}
	if e.UpdatedAt == nil {
		t.Error("no updated_at in state")
	}
	if s := env.Plan(t, ds).Summary(); s.Changed() != 0 {
		t.Errorf("plan after the e911 update: %+v", s)
	}
}

// TestApplyBadRequestSkipsDependants: the simulator refuses one office
// (400); the offices referring to it, directly or not, are skipped; the
// others are created; the refused one leaves no state entry.
func TestApplyBadRequestSkipsDependants(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	bad := enginetest.Office("Bad", "DE")
	bad.RingSeconds = enginetest.Ptr(int64(99)) // the apply.API allows 10..45
	child, grandchild := enginetest.Office("Child", "DE"), enginetest.Office("Grandchild", "DE")
	enginetest.RouteTo(&child, "bad")
	enginetest.RouteTo(&grandchild, "child")
	ds := append(enginetest.Numbered(6), load.Desired{Key: "bad", Office: bad}, load.Desired{Key: "child", Office: child}, load.Desired{Key: "grandchild", Office: grandchild})
	res, evs := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 4, false)

	if c := res.Counts; c.Created != 6 || c.Failed != 1 || c.Skipped != 2 {
		t.Errorf("counts %+v", c)
	}
	var oe *apply.OfficeError
	if !errors.As(res.Err, &oe) || oe.Key != "bad" || !strings.Contains(oe.Error(), "ring_seconds") || !offices.IsPermanent(res.Err) {
		t.Errorf("first error %v, want bad's 400 with the API's message", res.Err)
	}
	for _, o := range res.Offices {
		if (o.Key == "child" || o.Key == "grandchild") && (o.Outcome != apply.OutcomeSkipped || !errors.Is(o.Err, apply.ErrDependencyFailed)) {
			t.Errorf("%s: %s %v, want skipped: dependency failed", o.Key, o.Outcome, o.Err)
		}
	}
	var skipped []string
	for _, ev := range evs {
		if ev.Type == apply.EventSkipped {
			skipped = append(skipped, ev.Key)
		}
	}
	if strings.Join(skipped, ",") != "child,grandchild" {
		t.Errorf("skipped events for %v", skipped)
	}
	if _, ok := env.Store.Entry("bad"); ok {
		t.Error("the refused office left a state entry")
	}
	enginetest.CheckStateMatchesServer(t, env.Sim, env.Store.State(), 6)
}

// TestApplyFailFast: with FailFast, nothing starts after the first
// failure.
func TestApplyFailFast(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ds := enginetest.Numbered(6)
	ds[0].Office.RingSeconds = enginetest.Ptr(int64(5))
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 1, true)
	c := res.Counts
	// Parallelism 1: one office may have been on its way as office-000
	// failed.
	if c.Failed != 1 || c.Created > 1 || c.Skipped != 5-c.Created {
		t.Errorf("counts %+v, want 1 failed, at most 1 created, the rest skipped", c)
	}
	if n := posts(env.Sim); n != c.Failed+c.Created {
		t.Errorf("%d creates sent, want %d", n, c.Failed+c.Created)
	}
	for _, o := range res.Offices {
		if o.Outcome == apply.OutcomeSkipped && !errors.Is(o.Err, apply.ErrStopped) {
			t.Errorf("%s: %v, want ErrStopped", o.Key, o.Err)
		}
	}
}

// TestApplyUnauthorizedStops: a 401 stops everything at once.
func TestApplyUnauthorizedStops(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Token: "another-key"}, nil)
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, enginetest.Numbered(50)), 8, false)
	if !offices.IsAuth(res.Err) || !strings.Contains(res.Err.Error(), "DIALPAD_API_KEY") {
		t.Errorf("error %v, want a 401 that mentions DIALPAD_API_KEY", res.Err)
	}
	if n := env.Sim.Stats().Requests; n > 2 {
		t.Errorf("%d requests after a 401", n)
	}
	if res.Counts.Created != 0 || res.Counts.Skipped+res.Counts.Failed != 50 {
		t.Errorf("counts %+v", res.Counts)
	}
	if strings.Contains(fmt.Sprint(res.Err), enginetest.TestKey) {
		t.Error("the error holds the key")
	}
}

// TestApplyRefusesLiveName: a create whose name already exists in Dialpad
// but not in state fails and points at import; a resume adopts its office.
func TestApplyRefusesLiveNameAdoptsPending(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ds := enginetest.Numbered(3)
	ids := env.Sim.Seed(offices.Live{Name: "Office 000"}, offices.Live{Name: "Office 001"})
	// office-001 has a pending create from a run that crashed.
	o := ds[1].Office
	started := time.Now().UTC()
	if err := env.Store.Update(func(st *state.State) error {
		st.Set("office-001", &state.Entry{Status: state.Pending, Name: o.Name, Spec: o.Canonical(), SpecSHA256: o.SpecSHA256(), StartedAt: &started})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p := env.Plan(t, ds)
	if s := p.Summary(); s.Create != 2 || s.Resume != 1 {
		t.Fatalf("plan %+v", s)
	}
	res, _ := applytest.Apply(t, env, context.Background(), p, 8, false)
	got := map[string]apply.Outcome{}
	for _, r := range res.Offices {
		got[r.Key] = r.Outcome
	}
	if got["office-000"] != apply.OutcomeFailed || !errors.Is(res.Offices[0].Err, apply.ErrNameExists) || !strings.Contains(res.Offices[0].Err.Error(), "officectl import") {
		t.Errorf("office-000: %s %v, want failed: exists, use import", got["office-000"], res.Offices[0].Err)
	}
	if got["office-001"] != apply.OutcomeAdopted || res.Offices[1].ID != ids[1] {
		t.Errorf("office-001: %s id %d, want adopted %d", got["office-001"], res.Offices[1].ID, ids[1])
	}
	if got["office-002"] != apply.OutcomeCreated {
		t.Errorf("office-002: %s", got["office-002"])
	}
	if n := len(env.Sim.Offices()); n != 3 {
		t.Errorf("%d offices on the server, want 3", n)
	}
}

// TestApplyPendingAmbiguous: a pending create whose name two live offices
// have fails and stays pending.
func TestApplyPendingAmbiguous(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{}, nil)
	ds := enginetest.Numbered(1)
	env.Sim.Seed(offices.Live{Name: "Office 000"}, offices.Live{Name: "Office 000"})
	o := ds[0].Office
	if err := env.Store.Update(func(st *state.State) error {
		st.Set("office-000", &state.Entry{Status: state.Pending, Name: o.Name, SpecSHA256: o.SpecSHA256()})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, _ := applytest.Apply(t, env, context.Background(), env.Plan(t, ds), 8, false)
	if !errors.Is(res.Err, apply.ErrAmbiguousName) || !res.Offices[0].Pending {
		t.Errorf("err %v pending %v, want ErrAmbiguousName, pending", res.Err, res.Offices[0].Pending)
	}
	if e, _ := env.Store.Entry("office-000"); e.Status != state.Pending {
		t.Errorf("entry %+v, want pending", e)
	}
}

// TestApplyInterruptedStartsNothingNew: once ctx ends, the offices in
// flight finish and are saved, and nothing else starts.
func TestApplyInterruptedStartsNothingNew(t *testing.T) {
	t.Parallel()
	env := enginetest.NewEnv(t, officestest.Options{Latency: 50 * time.Millisecond}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var evs []apply.Event
	sent := -1 // creates the server had received at the interrupt
	res, err := apply.Apply(ctx, env.Plan(t, enginetest.Numbered(40)), apply.ApplyOptions{
		Store: env.Store, API: env.Client, Parallelism: 2,
		Events: func(ev apply.Event) {
			evs = append(evs, ev)
			if ev.Type == apply.EventCreated && ev.Done == 3 {
				cancel()
				sent = posts(env.Sim)
			}
		},
	})
	if !res.Interrupted || !errors.Is(err, apply.ErrInterrupted) {
		t.Fatalf("interrupted %v, err %v", res.Interrupted, err)
	}
	// At most Parallelism requests were on their way at the interrupt.
	if n := posts(env.Sim); n > sent+2 {
		t.Errorf("%d creates reached the server after the interrupt (%d before), want at most 2 (in flight)", n-sent, sent)
	}
	created := res.Counts.Created
	if created < 3 || res.Counts.Skipped != 40-created {
		t.Errorf("counts %+v", res.Counts)
	}
	st := env.Store.State()
	enginetest.CheckStateMatchesServer(t, env.Sim, st, created)
	if last := evs[len(evs)-1]; last.Type != apply.EventSummary || !last.Interrupted {
		t.Errorf("last event %+v", last)
	}
}

// posts counts the creates the server received.
func posts(sim *officestest.TestServer) int {
	n := 0
	for _, r := range sim.Records() {
		if r.Method == http.MethodPost {
			n++
		}
	}
	return n
}
