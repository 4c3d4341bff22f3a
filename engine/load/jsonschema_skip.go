package load

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/officectl/officectl/schema"
)

// IsJSONSchema reports whether data is a JSON Schema (such as the one
// `officectl schema --format jsonschema` prints, saved beside the config
// for an editor) rather than config: a JSON object whose "$schema" names a
// json-schema.org dialect and which has none of the config's top-level
// fields. A config file may carry "$schema" too, naming its schema.
func IsJSONSchema(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(data, []byte(`json-schema.org`)) {
		return false
	}
	var head map[string]json.RawMessage
	if json.Unmarshal(data, &head) != nil {
		return false
	}
	var dialect string
	if json.Unmarshal(head["$schema"], &dialect) != nil || !strings.Contains(dialect, "json-schema.org") {
		return false
	}
	for _, top := range []string{"offices", "departments", "callcenters"} {
		if _, ok := head[top]; ok {
			return false
		}
	}
	return true
}

// jsonSchemaNote is the note on a JSON Schema found in the config
// directory, which the loader skips.
func jsonSchemaNote(name string) schema.Diagnostic {
	return schema.Diagnostic{File: name, Severity: schema.Note,
		Message: "a JSON Schema, not config: skipped (editors can use it where it is; see docs/editors.md)"}
}
