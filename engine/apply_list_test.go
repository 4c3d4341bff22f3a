package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// fakeAPI is an API whose methods are function fields.
type fakeAPI struct {
	create func(ctx context.Context, body offices.Office) (*offices.Live, error)
	list   func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error)
	e911   func(ctx context.Context, id int64, u offices.E911Update) (*offices.LiveE911, error)
}

var _ API = (*fakeAPI)(nil)

func (f *fakeAPI) CreateOffice(ctx context.Context, body offices.Office) (*offices.Live, error) {
	return f.create(ctx, body)
}

func (f *fakeAPI) ListOffices(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
	return f.list(ctx, opts)
}

func (f *fakeAPI) UpdateE911(ctx context.Context, id int64, u offices.E911Update) (*offices.LiveE911, error) {
	return f.e911(ctx, id, u)
}

// TestApplySharesListings: offices whose creates all end with an unknown
// outcome at about the same time find out with a shared listing, not one
// each.
func TestApplySharesListings(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		live     []offices.Live
		nextID   int64 = 100
		listings atomic.Int32
	)
	api := &fakeAPI{
		// Every create takes effect, and its answer is lost.
		create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			nextID++
			live = append(live, offices.Live{ID: nextID, Name: body.Name, State: "active"})
			return nil, fmt.Errorf("connection reset: %w", offices.ErrOutcomeUnknown)
		},
		list: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
			listings.Add(1)
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			return append([]offices.Live(nil), live...), nil
		},
	}
	st, err := state.Open(t.TempDir()+"/officectl.state", state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := mustPlan(t, numbered(16), st.State())
	res, err := Apply(context.Background(), p, ApplyOptions{Store: st, API: api, Parallelism: 8})
	if err != nil || res.Counts.Created != 16 {
		t.Fatalf("counts %+v, err %v", res.Counts, err)
	}
	// One listing before the creates, then a few shared ones; one per
	// office would be 17.
	if n := listings.Load(); n > 6 {
		t.Errorf("%d listings for 16 unknown outcomes, want them shared", n)
	}
	t.Logf("%d listings", listings.Load())
	if len(live) != 16 {
		t.Errorf("%d offices created, want 16", len(live))
	}
}

// TestApplyOutcomeUnknownRecreates: a create that did not happen (the
// listing does not show it) is sent again, up to a bound.
func TestApplyOutcomeUnknownRecreates(t *testing.T) {
	t.Parallel()
	var creates atomic.Int32
	api := &fakeAPI{
		create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
			if creates.Add(1) < 3 {
				return nil, fmt.Errorf("500: %w", offices.ErrOutcomeUnknown)
			}
			return &offices.Live{ID: 7, Name: body.Name}, nil
		},
		list: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) { return nil, nil },
	}
	st, err := state.Open(t.TempDir()+"/officectl.state", state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := Apply(context.Background(), mustPlan(t, numbered(1), st.State()), ApplyOptions{Store: st, API: api})
	if err != nil || res.Counts.Created != 1 || creates.Load() != 3 {
		t.Fatalf("counts %+v, %d creates, err %v", res.Counts, creates.Load(), err)
	}
	if e, _ := st.Entry("office-000"); e.Status != state.Created || e.ID != "7" || e.StartedAt != nil || e.CreatedAt == nil {
		t.Errorf("entry %+v", e)
	}

	// Never happening: bounded, and the entry stays pending.
	creates.Store(-100)
	st2, err := state.Open(t.TempDir()+"/officectl.state", state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	res, err = Apply(context.Background(), mustPlan(t, numbered(1), st2.State()), ApplyOptions{Store: st2, API: api})
	if err == nil || res.Counts.Pending != 1 || creates.Load() != -100+maxCreateAttempts {
		t.Errorf("counts %+v, %d creates, err %v", res.Counts, creates.Load()+100, err)
	}
	if e, _ := st2.Entry("office-000"); e == nil || e.Status != state.Pending {
		t.Errorf("entry %+v, want pending", e)
	}
}
