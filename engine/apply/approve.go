package apply

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// Approval is how a run asks before it changes offices.
type Approval struct {
	// MaxCreates is the most offices the plan may create (resumes count:
	// they may create): each one changes the company's Dialpad bill.
	MaxCreates int
	// Adoptions is how many of the offices the plan creates or resumes
	// are adopted instead (apply --adopt-existing; Adoptions counts them
	// from a listing): they change no bill and do not count against
	// MaxCreates.
	Adoptions int
	// MaxDeletes is the most departments and call centers the plan may
	// delete (default 0: none); a protected group is never deleted.
	MaxDeletes int
	// AutoApprove approves without asking (officectl apply --auto-approve).
	AutoApprove bool
	// Interactive is whether a person can answer: stdin is a terminal.
	// Without AutoApprove, a run that cannot ask is refused.
	Interactive bool
	// In is where the answer is read from, Prompt where the question goes.
	In     io.Reader
	Prompt io.Writer
}

// Approve decides whether p may be applied: a plan that sends nothing
// needs no approval; one that creates more than a.MaxCreates offices is
// refused with an error saying how to raise the limit, and so is one that
// deletes more than a.MaxDeletes departments and call centers; else it needs
// a.AutoApprove, or "yes" typed by a person (anything else: false, no
// error, and nothing may change).
func Approve(p *plan.Plan, a Approval) (bool, error) {
	sum := p.Summary()
	if sum.Create+sum.Resume+sum.UpdateE911+sum.Update+sum.Delete == 0 {
		return true, nil
	}
	if sum.Delete > a.MaxDeletes {
		return false, fmt.Errorf("this plan deletes %s (departments and call centers), more than --max-deletes %d; a deleted department or call center cannot be brought back (its numbers and history go with it): check the plan, then pass --max-deletes %d, or mark the ones to keep with protect: true", plural(sum.Delete, "group"), a.MaxDeletes, sum.Delete)
	}
	if osum := p.OfficeSummary(); osum.Create+osum.Resume-a.Adoptions > a.MaxCreates {
		n := osum.Create + osum.Resume - a.Adoptions
		adopted := ""
		if a.Adoptions > 0 {
			adopted = fmt.Sprintf(" (and adopts %s live under their exact names)", plural(a.Adoptions, "office"))
		}
		return false, fmt.Errorf("this plan creates up to %s%s, more than --max-creates %d; offices cost money (each one changes the company's Dialpad bill): check the plan, then pass --max-creates %d", plural(n, "office"), adopted, a.MaxCreates, n)
	}
	if a.AutoApprove {
		return true, nil
	}
	if !a.Interactive || a.In == nil {
		return false, errors.New("stdin is not a terminal, so apply cannot ask before changing offices: review the plan, then pass --auto-approve")
	}
	if a.Prompt != nil {
		fmt.Fprint(a.Prompt, "\nApply? Only 'yes' is accepted: ")
	}
	answer, _ := bufio.NewReader(io.LimitReader(a.In, 1<<10)).ReadString('\n')
	return strings.TrimSpace(answer) == "yes", nil
}

// CreateNames is the names of the offices p creates or resumes: the only
// live offices Adoptions looks at (a listing's ListOptions.Keep).
func CreateNames(p *plan.Plan) map[string]bool {
	names := map[string]bool{}
	for _, c := range p.Changes {
		if c.KindOf() == offices.KindOffice && (c.Action == plan.ActionCreate || c.Action == plan.ActionResume) && c.Office != nil {
			names[c.Office.Name] = true
		}
	}
	return names
}

// Adoptions counts the offices p creates or resumes that apply
// --adopt-existing adopts instead of creating, as live lists them now:
// those whose exact name is live once (deleted and cancelled offices
// aside) under a valid id that no other key of st holds. A name live
// twice, or under an id another key holds, fails at apply; it is counted
// as a create here, so that the limit errs on the side of the bill.
func Adoptions(p *plan.Plan, st *state.State, live []offices.Live) int {
	held := map[int64]string{}
	if st != nil {
		for k, e := range st.Offices {
			if e == nil {
				continue
			}
			if id, err := strconv.ParseInt(e.ID, 10, 64); err == nil {
				held[id] = k
			}
		}
	}
	byName := map[string][]offices.Live{}
	for _, l := range live {
		if l.State != "deleted" && l.State != "cancelled" {
			byName[l.Name] = append(byName[l.Name], l)
		}
	}
	n := 0
	for _, c := range p.Changes {
		if c.KindOf() != offices.KindOffice || (c.Action != plan.ActionCreate && c.Action != plan.ActionResume) || c.Office == nil {
			continue
		}
		m := byName[c.Office.Name]
		if len(m) != 1 || m[0].ID <= 0 {
			continue
		}
		if k, ok := held[m[0].ID]; ok && k != c.Key {
			continue
		}
		n++
	}
	return n
}

// Listed reports whether err, an error of Apply, is already told with the
// offices of its result (an office's failure, or the interrupt), so that
// the caller prints it no second time. Any other error (the state could
// not be saved, the key was refused) is the caller's to print.
func Listed(err error) bool {
	var oe *OfficeError
	return errors.As(err, &oe) || errors.Is(err, ErrInterrupted)
}
