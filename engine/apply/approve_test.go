package apply

import (
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/enginetest"
	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// TestApprove: the --max-creates rule comes first, then --auto-approve,
// then a person's "yes"; a plan that sends nothing needs no approval.
func TestApprove(t *testing.T) {
	three := enginetest.MustPlan(t, enginetest.Numbered(3), state.New())
	none := enginetest.MustPlan(t, nil, state.New())
	for _, tc := range []struct {
		name    string
		plan    int // 3 creates, or 0: nothing to send
		a       Approval
		answer  string
		ok      bool
		wantErr string
		asked   bool
	}{
		{name: "nothing to send", plan: 0, ok: true},
		{name: "over max", plan: 3, a: Approval{MaxCreates: 2, AutoApprove: true}, wantErr: "creates up to 3 offices, more than --max-creates 2; offices cost money (each one changes the company's Dialpad bill): check the plan, then pass --max-creates 3"},
		{name: "auto", plan: 3, a: Approval{MaxCreates: 3, AutoApprove: true}, ok: true},
		{name: "no terminal", plan: 3, a: Approval{MaxCreates: 25}, answer: "yes\n", wantErr: "stdin is not a terminal, so apply cannot ask before changing offices: review the plan, then pass --auto-approve"},
		{name: "yes", plan: 3, a: Approval{MaxCreates: 25, Interactive: true}, answer: " yes \n", ok: true, asked: true},
		{name: "y", plan: 3, a: Approval{MaxCreates: 25, Interactive: true}, answer: "y\n", asked: true},
		{name: "no answer", plan: 3, a: Approval{MaxCreates: 25, Interactive: true}, asked: true},
		{name: "max before asking", plan: 3, a: Approval{MaxCreates: 0, Interactive: true}, answer: "yes\n", wantErr: "more than --max-creates 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prompt strings.Builder
			tc.a.In, tc.a.Prompt = strings.NewReader(tc.answer), &prompt
			p := three
			if tc.plan == 0 {
				p = none
			}
			ok, err := Approve(p, tc.a)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Approve = %v, %v; want an error with %q", ok, err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Approve: %v", err)
			}
			if ok != tc.ok {
				t.Errorf("Approve = %v, want %v", ok, tc.ok)
			}
			if asked := strings.Contains(prompt.String(), "Apply? Only 'yes' is accepted: "); asked != tc.asked {
				t.Errorf("asked = %v, want %v (prompt %q)", asked, tc.asked, prompt.String())
			}
		})
	}
}

// TestListed: the errors Apply tells with the offices (an office's
// failure, the interrupt) are not the caller's to print again.
func TestListed(t *testing.T) {
	if !Listed(&OfficeError{Key: "berlin", Err: ErrStopped}) || !Listed(ErrInterrupted) {
		t.Error("an office's error or the interrupt is not Listed")
	}
	if Listed(ErrStopped) || Listed(nil) {
		t.Error("an error of the run itself is Listed")
	}
}

// TestAdoptions: only an office whose exact name is live once, under a
// valid id no other key holds, is counted as adopted; Approve then counts
// only the others against MaxCreates.
func TestAdoptions(t *testing.T) {
	st := state.New()
	st.Set("elsewhere", &state.Entry{ID: "40", Status: state.Created, Name: "Elsewhere"})
	p := enginetest.MustPlan(t, enginetest.Numbered(6), st)
	live := []offices.Live{
		{ID: 10, Name: "Office 000"},                               // adopted
		{ID: 11, Name: "Office 001"},                               // adopted
		{ID: 12, Name: "Office 002"}, {ID: 13, Name: "Office 002"}, // twice: fails at apply
		{ID: 14, Name: "Office 003", State: "deleted"}, // created again
		{ID: 40, Name: "Office 004"},                   // held by another key
		{ID: -1, Name: "Office 005"},                   // not a valid id
		{ID: 15, Name: "office 001"},                   // not the exact name
	}
	if n := Adoptions(p, st, live); n != 2 {
		t.Errorf("Adoptions = %d, want 2", n)
	}
	if names := CreateNames(p); len(names) != 6 || !names["Office 005"] {
		t.Errorf("CreateNames = %v", names)
	}
	if _, err := Approve(p, Approval{MaxCreates: 4, Adoptions: 2, AutoApprove: true}); err != nil {
		t.Errorf("4 creates and 2 adoptions, --max-creates 4: %v", err)
	}
	_, err := Approve(p, Approval{MaxCreates: 3, Adoptions: 2, AutoApprove: true})
	if err == nil || !strings.Contains(err.Error(), "creates up to 4 offices (and adopts 2 offices live under their exact names), more than --max-creates 3") {
		t.Errorf("4 creates and 2 adoptions, --max-creates 3: %v", err)
	}
}
