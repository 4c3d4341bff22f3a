package load

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/officectl/officectl/schema"
)

// TestLoadSkipsJSONSchema: the JSON Schema officectl prints, saved in the
// config directory for an editor, is skipped with a note, and a JSON
// config file naming it with "$schema" is valid (both failed with
// `unknown top-level field "$schema"`).
func TestLoadSkipsJSONSchema(t *testing.T) {
	dir := t.TempDir()
	js, err := schema.JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"officectl.schema.json": string(js),
		"a.yaml":                PlainOfficeYAML("berlin", "Berlin"),
		"groups.json":           `{"$schema": "./officectl.schema.json", "departments": {"sales": {"office": "berlin", "name": "Sales"}}}`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags, err := Load(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		t.Fatalf("config not valid:\n%s", fmtDiags(diags))
	}
	if len(cfg.Groups) != 1 {
		t.Errorf("groups = %d, want 1", len(cfg.Groups))
	}
	if len(diags) != 1 || diags[0].Severity != schema.Note || filepath.Base(diags[0].File) != "officectl.schema.json" {
		t.Errorf("diagnostics, want one note at officectl.schema.json:\n%s", fmtDiags(diags))
	}
}

func TestIsJSONSchema(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{`{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}`, true},
		{`{"$schema": "http://json-schema.org/draft-07/schema#"}`, true},
		{`{"$schema": "./officectl.schema.json", "offices": {}}`, false},
		{`{"$schema": "https://json-schema.org/draft/2020-12/schema", "offices": {}}`, false},
		{`{"offices": {"a": {"name": "json-schema.org"}}}`, false},
		{`offices: {}`, false},
	} {
		if got := IsJSONSchema([]byte(c.src)); got != c.want {
			t.Errorf("IsJSONSchema(%s) = %v, want %v", c.src, got, c.want)
		}
	}
}
