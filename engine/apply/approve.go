package apply

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/officectl/officectl/engine/plan"
)

// Approval is how a run asks before it changes offices.
type Approval struct {
	// MaxCreates is the most offices the plan may create (resumes count:
	// they may create): each one changes the company's Dialpad bill.
	MaxCreates int
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
	if osum := p.OfficeSummary(); osum.Create+osum.Resume > a.MaxCreates {
		n := osum.Create + osum.Resume
		return false, fmt.Errorf("this plan creates up to %s, more than --max-creates %d; offices cost money (each one changes the company's Dialpad bill): check the plan, then pass --max-creates %d", plural(n, "office"), a.MaxCreates, n)
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

// Listed reports whether err, an error of Apply, is already told with the
// offices of its result (an office's failure, or the interrupt), so that
// the caller prints it no second time. Any other error (the state could
// not be saved, the key was refused) is the caller's to print.
func Listed(err error) bool {
	var oe *OfficeError
	return errors.As(err, &oe) || errors.Is(err, ErrInterrupted)
}
