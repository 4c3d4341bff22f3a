package load

import (
	"bytes"
	"encoding/json"

	"github.com/officectl/officectl/schema"
)

// IsPlanFile reports whether data is an officectl plan (a plan file, or
// plan --format json): a JSON object with format_version and changes at
// its top level. The config loader skips such files.
func IsPlanFile(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(data, []byte(`"format_version"`)) {
		return false
	}
	var head struct {
		FormatVersion json.RawMessage `json:"format_version"`
		Changes       json.RawMessage `json:"changes"`
	}
	return json.Unmarshal(data, &head) == nil && head.FormatVersion != nil && head.Changes != nil
}

// planFileNote is the note on a plan file found in the config directory,
// which the loader skips.
func planFileNote(name string) schema.Diagnostic {
	return schema.Diagnostic{File: name, Severity: schema.Note,
		Message: "an officectl plan file, not config: skipped (save plans outside the config directory to silence this note)"}
}
