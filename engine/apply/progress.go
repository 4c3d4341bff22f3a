package apply

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
)

// ProgressOptions configure a Progress.
type ProgressOptions struct {
	// Live redraws one status line (done/total, requests per second,
	// ETA), for a terminal; failures still get a line of their own.
	// Otherwise every office gets a line.
	Live bool
	// Requests returns how many requests were sent so far, for the rate;
	// nil leaves the rate out.
	Requests func() int64
	// Now is the clock, default time.Now.
	Now func() time.Time
	// Interval is how often the live line is redrawn, default 250ms.
	Interval time.Duration
}

// Progress prints the events of an apply run for people (see
// ProgressOptions). Its Event method is an ApplyOptions.Events function.
// Close it when the run is over.
type Progress struct {
	w    io.Writer
	opts ProgressOptions

	mu          sync.Mutex
	start       time.Time
	done, total int
	drawn       bool // the live line is on screen
	closed      bool
	stop        chan struct{}
	wg          sync.WaitGroup
}

// NewProgress returns a Progress writing to w.
func NewProgress(w io.Writer, opts ProgressOptions) *Progress {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Interval <= 0 {
		opts.Interval = 250 * time.Millisecond
	}
	p := &Progress{w: w, opts: opts, start: opts.Now(), stop: make(chan struct{})}
	if opts.Live {
		p.wg.Go(p.tick)
	}
	return p
}

// tick redraws the live line so that the rate and ETA move while requests
// wait.
func (p *Progress) tick() {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.total > 0 {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

// Event prints e.
func (p *Progress) Event(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.done, p.total = e.Done, e.Total
	switch e.Type {
	case EventStart:
		p.start = p.opts.Now()
		if e.Total > 0 {
			p.line(fmt.Sprintf("Applying %s (create, resume, update or delete)…", plural(e.Total, "change")))
		}
		return
	case EventSummary:
		p.clear()
		return
	}
	// Offices never started are only counted: after an interruption
	// there may be thousands.
	notStarted := e.Type == EventSkipped && (e.Error == errNotStarted.Error() || e.Error == ErrStopped.Error())
	if !notStarted && (!p.opts.Live || e.Type == EventFailed || e.Type == EventSkipped) {
		p.line(officeLine(e))
	}
	if p.opts.Live {
		p.draw()
	}
}

// officeLine is the line of one office's event, e.g.
// "[ 3/12] created  berlin (Berlin): id 5100000000000000".
func officeLine(e Event) string {
	w := len(fmt.Sprint(e.Total))
	var b strings.Builder
	key := offices.Printable(e.Key)
	if e.Kind != "" {
		key = e.Kind + " " + key
	}
	fmt.Fprintf(&b, "[%*d/%d] %-8s %s", w, e.Done, e.Total, e.Type, key)
	if e.Name != "" {
		b.WriteString(" (" + offices.Printable(e.Name) + ")")
	}
	switch {
	case e.Error != "":
		b.WriteString(": " + offices.Printable(e.Error))
	case e.Type == EventUpdated && e.Kind == "" && e.Action != plan.ActionUpdate:
		b.WriteString(": e911 address, id " + offices.Printable(e.ID))
	case e.ID != "":
		b.WriteString(": id " + offices.Printable(e.ID))
	}
	if e.Note != "" {
		b.WriteString("; " + offices.Printable(e.Note))
	}
	return b.String()
}

// line prints s on a line of its own, above the live line.
func (p *Progress) line(s string) {
	p.clear()
	fmt.Fprintln(p.w, s)
}

// clear removes the live line.
func (p *Progress) clear() {
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// draw writes the live line: done/total, rate, ETA.
func (p *Progress) draw() {
	elapsed := p.opts.Now().Sub(p.start)
	var b strings.Builder
	fmt.Fprintf(&b, "\r\x1b[KApplying: %d/%d done", p.done, p.total)
	if p.opts.Requests != nil && elapsed > 0 {
		fmt.Fprintf(&b, ", %.1f req/s", float64(p.opts.Requests())/elapsed.Seconds())
	}
	if p.done > 0 && p.done < p.total {
		eta := time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done))
		fmt.Fprintf(&b, ", ETA %s", roundDuration(eta))
	}
	io.WriteString(p.w, b.String())
	p.drawn = true
}

// Close stops redrawing and removes the live line.
func (p *Progress) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.stop)
	p.clear()
	p.mu.Unlock()
	p.wg.Wait()
}

// roundDuration rounds d for people: whole seconds, tenths below 10s,
// hundredths below 1s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond)
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// WriteApplySummary writes the end of an apply run for people: one line
// of counts, then what needs attention (failures, entries left pending,
// manual changes, orphans) and what to do about it.
func WriteApplySummary(w io.Writer, res *ApplyResult) error {
	var b strings.Builder
	c := res.Counts
	head := "Apply complete"
	switch {
	case res.Interrupted:
		head = "Apply interrupted"
	case res.Err != nil:
		head = "Apply finished with errors"
	}
	deleted := ""
	if c.Deleted > 0 {
		deleted = fmt.Sprintf(", %d deleted", c.Deleted)
	}
	if c.Moved > 0 {
		deleted += fmt.Sprintf(", %d moved", c.Moved)
	}
	fmt.Fprintf(&b, "%s: %d created, %d adopted, %d updated%s, %d failed, %d skipped, %d unchanged (%s).\n",
		head, c.Created, c.Adopted, c.Updated, deleted, c.Failed, c.Skipped, c.Unchanged, roundDuration(res.Elapsed))
	var failed []string
	for _, o := range res.Offices {
		if o.Outcome == OutcomeFailed {
			failed = append(failed, fmt.Sprintf("  %s (%s): %v", offices.Printable(o.Key), offices.Printable(o.Name), offices.Printable(fmt.Sprint(o.Err))))
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "Failed:\n%s\n", strings.Join(failed, "\n"))
	}
	if c.Skipped > 0 {
		b.WriteString("Skipped offices were not tried: they refer to an office that failed, or the run stopped first.\n")
	}
	if c.Pending > 0 {
		fmt.Fprintf(&b, "%s left pending: the create may have happened; the next apply looks them up by name before creating again.\n", plural(c.Pending, "office"))
	}
	if res.Interrupted {
		b.WriteString("The state file is saved; run apply again to finish.\n")
	}
	if c.Manual > 0 {
		fmt.Fprintf(&b, "%s not applied: the API cannot change those fields (see the plan for how to resolve them).\n", plural(c.Manual, "manual change"))
	}
	if c.Orphan > 0 {
		fmt.Fprintf(&b, "%s only in the state file left alone (`%s` forgets one).\n", plural(c.Orphan, "office"), res.Invocation.Command("state rm", "KEY"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
