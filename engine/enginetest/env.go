package enginetest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/offices/officestest"
	"github.com/officectl/officectl/state"
)

// TestKey is the API key of an Env's simulator.
const TestKey = "apply-test-key-5f2c9d"

// Env is a simulator, a client talking to it over loopback (real HTTP,
// the real client with its limiter and retries) and a locked state file.
type Env struct {
	Sim       *officestest.TestServer
	Client    *offices.Client
	Store     *state.Store
	StatePath string
}

// NewEnv starts a simulator with simOpts (no rate limit unless set) and a
// fast-retrying client; tweak, when not nil, adjusts the client's config.
func NewEnv(t testing.TB, simOpts officestest.Options, tweak func(*offices.ClientConfig)) *Env {
	t.Helper()
	if simOpts.Token == "" {
		simOpts.Token = TestKey
	}
	if simOpts.RatePerMinute == 0 {
		simOpts.RatePerMinute = -1
	}
	sim := officestest.NewServer(t, simOpts)
	return NewEnvAt(t, sim, sim.URL, tweak)
}

// NewEnvAt is NewEnv with the client talking to url (a fake in front of
// sim, or another server).
func NewEnvAt(t testing.TB, sim *officestest.TestServer, url string, tweak func(*offices.ClientConfig)) *Env {
	t.Helper()
	cfg := offices.ClientConfig{
		BaseURL: url, APIKey: TestKey, Rate: 60000,
		RetryBaseDelay: 5 * time.Millisecond, RetryMaxDelay: 50 * time.Millisecond,
		Timeout: 10 * time.Second, MaxAttempts: 10,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := offices.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "officectl.state")
	st, err := state.Open(path, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Env{Sim: sim, Client: c, Store: st, StatePath: path}
}

// Plan plans ds against the env's state.
func (e *Env) Plan(t testing.TB, ds []load.Desired) *plan.Plan {
	t.Helper()
	return MustPlan(t, ds, e.Store.State())
}

// GroupsYAML is an office with two departments and a call center that
// route to each other, with operators by email, user id and room (ROOM1
// and USER4: see GroupsConfig).
const GroupsYAML = `offices:
  hq:
    name: HQ
    country: DE
    currency: EUR
    plan_period: monthly
    invoiced: false
    unified_billing: true
    annual_commit_monthly_billing: false
    billing_address: {address_line_1: Alexanderplatz 1, city: Berlin, country: DE, postal_code: "10178", region: Berlin}
    operators: [{user: user1@example.com, role: admin}]
departments:
  sales:
    office: hq
    name: Sales
    ring_seconds: 20
    routing_options:
      open: {action: operator, try_dial_operators: true, operator_routing: simultaneous}
      closed: {action: department, action_target_type: callcenter, action_target_id: {callcenter: support}, try_dial_operators: false}
    operators: [{user: user2@example.com}, {room: ROOM1}]
  archive:
    office: hq
    name: Archive
    protect: true
  team-1:
    office: hq
    name: Team 1
    operators: []
callcenters:
  support:
    office: hq
    name: Support
    ring_seconds: 30
    operators: [{user: user3@example.com, role: supervisor, skill_level: 80}, {user: USER4}]
`

// GroupsConfig writes src (ROOM1 and USER4 replaced by the simulator's
// seeded ids) to a folder of t and loads it.
func GroupsConfig(t testing.TB, src string) *load.Config {
	t.Helper()
	src = strings.NewReplacer("ROOM1", fmt.Sprint(officestest.FirstRoomID+1), "USER4", fmt.Sprint(officestest.FirstUserID+4)).Replace(src)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	return cfg
}

// CheckGroupsMatch checks that the simulator holds exactly one group of
// each name of the config, with exactly the config's operators.
func CheckGroupsMatch(t testing.TB, sim *officestest.TestServer, st *state.State, cfg *load.Config) {
	t.Helper()
	for _, g := range cfg.Groups {
		e, ok := st.GetOf(state.Kind(g.Kind), g.Key)
		if !ok || e.Status != state.Created {
			t.Errorf("%s: state entry %+v", g.Key, e)
			continue
		}
		officeID := st.Offices[g.Office].ID
		var oid int64
		fmt.Sscan(officeID, &oid)
		if n := sim.CountGroupsByName(g.Kind, oid)[g.Name]; n != 1 {
			t.Errorf("%s: %d groups named %q in the simulator", g.Key, n, g.Name)
		}
		if g.Operators == nil {
			continue
		}
		var id int64
		fmt.Sscan(e.ID, &id)
		var got, want []string
		for _, o := range sim.Operators(id) {
			got = append(got, fmt.Sprintf("%s %d %s %d", o.Type, o.ID, o.Role, o.SkillLevel))
		}
		for _, o := range e.Operators {
			skill := o.SkillLevel
			if g.Kind == load.KindCallCenter && skill == 0 {
				skill = 100 // the API's default
			}
			want = append(want, fmt.Sprintf("%s %s %s %d", o.Type, o.ID, o.Role, skill))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") || len(want) != len(g.Operators) {
			t.Errorf("%s: operators in Dialpad %q, in state %q, config has %d", g.Key, got, want, len(g.Operators))
		}
	}
}

// Pace is the rate of recs in requests per minute.
func Pace(recs []officestest.Record) float64 {
	if len(recs) < 2 {
		return 0
	}
	return float64(len(recs)-1) / recs[len(recs)-1].At.Sub(recs[0].At).Minutes()
}

// EndlessListing is a fake API whose office listing never ends and which
// counts the creates it receives.
func EndlessListing(t testing.TB) (url string, posts *atomic.Int64) {
	posts = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			posts.Add(1)
			http.Error(w, `{"error":{"message":"no"}}`, http.StatusBadRequest)
		default:
			n := r.URL.Query().Get("cursor")
			fmt.Fprintf(w, `{"cursor":"%s.","items":[{"id":"%d","name":"Office 000"}]}`, n, len(n)+1)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, posts
}

// InflightCounter wraps a handler and records the most requests it served
// at once.
type InflightCounter struct {
	H        http.Handler
	cur, Max atomic.Int64
}

func (c *InflightCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.cur.Add(1)
	defer c.cur.Add(-1)
	for {
		m := c.Max.Load()
		if n <= m || c.Max.CompareAndSwap(m, n) {
			break
		}
	}
	c.H.ServeHTTP(w, r)
}

// StallWatch measures how late the scheduler wakes a 5 ms sleeper until
// stop is called: an overloaded machine delivers evenly paced requests in
// clumps, and then the server's counts say nothing about the client.
func StallWatch() (stop func() time.Duration) {
	var (
		stall time.Duration
		wg    sync.WaitGroup
		quit  atomic.Bool
	)
	wg.Go(func() {
		for !quit.Load() {
			start := time.Now()
			time.Sleep(5 * time.Millisecond)
			stall = max(stall, time.Since(start)-5*time.Millisecond)
		}
	})
	return func() time.Duration {
		quit.Store(true)
		wg.Wait()
		return stall
	}
}
