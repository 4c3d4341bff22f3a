package plan

import (
	"encoding/json"
	"io"

	"github.com/officectl/officectl/offices"
)

// DriftFormatVersion is the version of the drift report's JSON form.
const DriftFormatVersion = 1

// jsonDrift is the JSON form of a DriftReport. Field order is output
// order.
type jsonDrift struct {
	FormatVersion   int             `json:"format_version"`
	Checked         int             `json:"checked"`
	Summary         DriftSummary    `json:"summary"`
	Drifts          []Drift         `json:"drifts"`
	Skipped         []SkippedOffice `json:"skipped"`
	UncheckedFields []string        `json:"unchecked_fields"`
}

// RenderDriftJSON writes r as stable, 2-space indented JSON with a
// trailing newline, in this shape (keys in this order):
//
//	{
//	  "format_version": 1,
//	  "checked": 9,
//	  "summary": {"changed": 1, "deleted": 1, "e911": 0},
//	  "drifts": [
//	    {"key": "munich", "name": "Munich", "id": "5100000000000001", "kind": "changed",
//	     "fields": [{"path": "ring_seconds", "old": "30", "new": "45"}]},
//	    {"key": "paris", "name": "Paris", "id": "5100000000000002", "kind": "deleted",
//	     "live_state": "deleted", "fields": []}
//	  ],
//	  "skipped": [{"key": "…", "name": "…", "reason": "…"}],
//	  "unchecked_fields": ["annual_commit_monthly_billing", …]
//	}
//
// "drifts" lists only the offices that drifted, by key; "old" is the last
// applied value, "new" the live one (compact JSON, "" when absent); "id"
// is a string, as in the state file. "kind" is changed, deleted or e911.
func RenderDriftJSON(w io.Writer, r *DriftReport) error {
	jd := jsonDrift{
		FormatVersion:   DriftFormatVersion,
		Checked:         r.Checked,
		Summary:         r.Summary(),
		Drifts:          r.Drifts,
		Skipped:         r.Skipped,
		UncheckedFields: UncheckedFields,
	}
	if jd.Drifts == nil {
		jd.Drifts = []Drift{}
	}
	if jd.Skipped == nil {
		jd.Skipped = []SkippedOffice{}
	}
	enc := json.NewEncoder(offices.JSONWriter(w))
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(jd)
}
