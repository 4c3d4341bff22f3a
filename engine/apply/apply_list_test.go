package apply

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

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
	api := &enginetest.FakeAPI{
		// Every create takes effect, and its answer is lost.
		Create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
			time.Sleep(20 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			nextID++
			live = append(live, offices.Live{ID: nextID, Name: body.Name, State: "active"})
			return nil, fmt.Errorf("connection reset: %w", offices.ErrOutcomeUnknown)
		},
		List: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
			listings.Add(1)
			time.Sleep(30 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			return append([]offices.Live(nil), live...), nil
		},
	}
	st := enginetest.TempStore(t)
	p := enginetest.MustPlan(t, enginetest.Numbered(16), st.State())
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
	api := &enginetest.FakeAPI{
		Create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
			if creates.Add(1) < 3 {
				return nil, fmt.Errorf("500: %w", offices.ErrOutcomeUnknown)
			}
			return &offices.Live{ID: 7, Name: body.Name}, nil
		},
		List: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) { return nil, nil },
	}
	st := enginetest.TempStore(t)
	res, err := Apply(context.Background(), enginetest.MustPlan(t, enginetest.Numbered(1), st.State()), ApplyOptions{Store: st, API: api})
	if err != nil || res.Counts.Created != 1 || creates.Load() != 3 {
		t.Fatalf("counts %+v, %d creates, err %v", res.Counts, creates.Load(), err)
	}
	if e, _ := st.Entry("office-000"); e.Status != state.Created || e.ID != "7" || e.StartedAt != nil || e.CreatedAt == nil {
		t.Errorf("entry %+v", e)
	}

	// Never happening: bounded, and the entry stays pending.
	creates.Store(-100)
	st2 := enginetest.TempStore(t)
	res, err = Apply(context.Background(), enginetest.MustPlan(t, enginetest.Numbered(1), st2.State()), ApplyOptions{Store: st2, API: api})
	if err == nil || res.Counts.Pending != 1 || creates.Load() != -100+maxCreateAttempts {
		t.Errorf("counts %+v, %d creates, err %v", res.Counts, creates.Load()+100, err)
	}
	if e, _ := st2.Entry("office-000"); e == nil || e.Status != state.Pending {
		t.Errorf("entry %+v, want pending", e)
	}
}

// TestApplyInterruptNeverLost: an interrupt that comes while a result is
// ready too is never lost (the scheduler's select may pick the result):
// offices left unstarted make the run Interrupted, with an error (exit
// 130), never a success.
//
// Each run creates three offices, two at a time. The first one's event
// interrupts the run and returns only once the second create has
// finished, so its result waits beside the interrupt when the scheduler
// selects; every later event gives what was started meanwhile time to
// finish too. A run counts only when that happened with an office left
// unstarted, and the test fails when none did. A scheduler that asks
// only its select about the interrupt starts the third office, and then
// loses the interrupt in about one run in four.
func TestApplyInterruptNeverLost(t *testing.T) {
	t.Parallel()
	lost, reached := 0, 0
	const runs = 40
	for n := 0; n < runs; n++ {
		var id atomic.Int64
		second := make(chan struct{})
		api := &enginetest.FakeAPI{
			Create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
				time.Sleep(5 * time.Millisecond)
				i := id.Add(1)
				if i == 2 {
					close(second)
				}
				return &offices.Live{ID: 100 + i, Name: body.Name, State: "active"}, nil
			},
			List: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) { return nil, nil },
		}
		st := enginetest.TempStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		p := enginetest.MustPlan(t, enginetest.Numbered(3), st.State())
		interrupted, ready := false, false
		res, err := Apply(ctx, p, ApplyOptions{Store: st, API: api, Parallelism: 1,
			Events: func(ev Event) {
				switch {
				case ev.Type == EventCreated && !interrupted:
					interrupted = true
					cancel() // SIGINT while the scheduler is busy with this event
					select {
					case <-second:
						time.Sleep(5 * time.Millisecond) // its result reaches the channel
						ready = true
					case <-time.After(2 * time.Second):
					}
				case interrupted:
					time.Sleep(5 * time.Millisecond)
				}
			}})
		st.Close()
		cancel()
		if ready && res.Counts.Skipped > 0 {
			reached++
		}
		if res.Counts.Skipped > 0 && (!res.Interrupted || err == nil) {
			lost++
			if lost == 1 {
				t.Logf("counts %+v interrupted=%v err=%v", res.Counts, res.Interrupted, err)
			}
		}
	}
	if reached == 0 {
		t.Fatalf("in none of %d runs did the interrupt come with a result ready and an office left to start: the test checked nothing", runs)
	}
	t.Logf("%d of %d runs reached the case", reached, runs)
	if lost > 0 {
		t.Errorf("%d/%d interrupted runs reported Interrupted=false, err=nil (exit 0, not 130)", lost, runs)
	}
}

// TestApplyRefusedRetryKeepsPending: after a create of unknown outcome
// whose listing showed nothing, a second POST is refused (409: the first
// landed late). The entry stays pending, for the next apply to look the
// office up by name; it is not forgotten.
func TestApplyRefusedRetryKeepsPending(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		live  []offices.Live
		calls int
	)
	api := &enginetest.FakeAPI{
		Create: func(ctx context.Context, body offices.Office) (*offices.Live, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				return nil, fmt.Errorf("timeout: %w", offices.ErrOutcomeUnknown)
			}
			// the first create has landed meanwhile
			live = append(live, offices.Live{ID: 777, Name: body.Name, State: "active"})
			return nil, &offices.APIError{Status: http.StatusConflict, Method: "POST", Path: "/api/v2/offices", Message: "name already in use"}
		},
		List: func(ctx context.Context, opts offices.ListOptions) ([]offices.Live, error) {
			mu.Lock()
			defer mu.Unlock()
			return append([]offices.Live(nil), live...), nil
		},
	}
	st := enginetest.TempStore(t)
	p := enginetest.MustPlan(t, enginetest.Numbered(1), st.State())
	res, _ := Apply(context.Background(), p, ApplyOptions{Store: st, API: api, Parallelism: 1})
	e, ok := st.Entry("office-000")
	if !ok || e.Status != state.Pending {
		t.Errorf("office 777 may be ours, but the state entry is %+v (found %v), want pending", e, ok)
	}
	if r := res.Offices[0]; r.Outcome != OutcomeFailed || !r.Pending {
		t.Errorf("result %+v, want failed and pending", r)
	}
}

// tempStore opens a state store in a fresh temporary directory, closed
// when the test ends.

var _ API = (*enginetest.FakeAPI)(nil)
