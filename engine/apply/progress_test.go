package apply

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fakeClock returns a clock that moves a second per call.
func fakeClock() func() time.Time {
	t := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestProgressLines(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b, ProgressOptions{Now: fakeClock()})
	p.Event(Event{Type: EventStart, Total: 12})
	p.Event(Event{Type: EventCreated, Key: "berlin", Name: "Berlin", ID: "51", Done: 1, Total: 12})
	p.Event(Event{Type: EventFailed, Key: "munich", Name: "Munich", Error: "400 Bad Request: ring_seconds", Done: 2, Total: 12})
	p.Event(Event{Type: EventSkipped, Key: "x", Name: "X", Error: "an office it refers to was not created: munich", Done: 3, Total: 12})
	p.Event(Event{Type: EventSkipped, Key: "y", Name: "Y", Error: errNotStarted.Error(), Done: 4, Total: 12})
	p.Event(Event{Type: EventUpdated, Key: "ny", Name: "New York", ID: "52", Done: 5, Total: 12})
	p.Close()
	want := `Applying 12 changes (create, resume, update or delete)…
[ 1/12] created  berlin (Berlin): id 51
[ 2/12] failed   munich (Munich): 400 Bad Request: ring_seconds
[ 3/12] skipped  x (X): an office it refers to was not created: munich
[ 5/12] updated  ny (New York): e911 address, id 52
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProgressLive(t *testing.T) {
	var b strings.Builder
	p := NewProgress(&b, ProgressOptions{Live: true, Now: fakeClock(), Interval: time.Hour, Requests: func() int64 { return 8 }})
	p.Event(Event{Type: EventStart, Total: 4})
	p.Event(Event{Type: EventCreated, Key: "a", Done: 1, Total: 4})
	p.Event(Event{Type: EventFailed, Key: "b", Error: "boom", Done: 2, Total: 4})
	p.Close()
	out := b.String()
	for _, want := range []string{"\r\x1b[KApplying: 1/4 done, 8.0 req/s, ETA 3s", "\r\x1b[K[2/4] failed   b: boom\n", "Applying: 2/4 done"} {
		if !strings.Contains(out, want) {
			t.Errorf("live output %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "created  a") {
		t.Error("a line for a created office on a terminal")
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the live line is not cleared at the end: %q", out)
	}
}

func TestWriteApplySummary(t *testing.T) {
	res := &ApplyResult{
		Offices: []OfficeResult{
			{Key: "munich", Name: "Munich", Outcome: OutcomeFailed, Err: errors.New("400 Bad Request"), Pending: false},
			{Key: "rome", Name: "Rome", Outcome: OutcomeFailed, Err: errors.New("outcome unknown"), Pending: true},
		},
		Counts:  ApplyCounts{Created: 3, Failed: 2, Skipped: 1, Unchanged: 2, Manual: 1, Pending: 1},
		Err:     errors.New("munich failed"),
		Elapsed: 1500 * time.Millisecond,
	}
	var b strings.Builder
	if err := WriteApplySummary(&b, res); err != nil {
		t.Fatal(err)
	}
	want := `Apply finished with errors: 3 created, 0 adopted, 0 updated, 2 failed, 1 skipped, 2 unchanged (1.5s).
Failed:
  munich (Munich): 400 Bad Request
  rome (Rome): outcome unknown
Skipped offices were not tried: they refer to an office that failed, or the run stopped first.
1 office left pending: the create may have happened; the next apply looks them up by name before creating again.
1 manual change not applied: the API cannot change those fields (see the plan for how to resolve them).
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
