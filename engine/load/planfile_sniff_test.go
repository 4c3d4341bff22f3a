package load_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/schema"
	"github.com/officectl/officectl/state"
)

// It is an external test (package load_test): it makes the plan file
// with engine/plan, which imports load.

// TestLoadSkipsLargePlanFile: a plan file in the config directory is
// skipped with the usual note even when it is over the config file size
// limit; another JSON file over the limit is still refused.
func TestLoadSkipsLargePlanFile(t *testing.T) {
	dir := t.TempDir()
	src := load.PlainOfficeYAML("berlin", "Berlin")
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err := load.Load(dir, load.LoadOptions{})
	if err != nil || cfg == nil {
		t.Fatalf("Load: %v %v", err, diags)
	}
	p, err := plan.MakePlan(cfg, state.New())
	if err != nil {
		t.Fatal(err)
	}
	var pf bytes.Buffer
	if err := plan.WritePlanFile(&pf, p); err != nil {
		t.Fatal(err)
	}
	limit := int64(len(src))
	if int64(pf.Len()) <= limit {
		t.Fatalf("plan file of %d bytes, want it over the limit %d", pf.Len(), limit)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), pf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags, err = load.Load(dir, load.LoadOptions{MaxFileSize: limit})
	if err != nil || cfg == nil || len(cfg.Offices) != 1 {
		t.Fatalf("Load with a large plan file: %v %v", err, diags)
	}
	if len(diags) != 1 || diags[0].Severity != schema.Note || !strings.Contains(diags[0].Message, "plan file, not config: skipped") {
		t.Fatalf("diagnostics %v, want the plan file note", diags)
	}

	big := `{"offices": {}, "changes": "` + strings.Repeat("x", int(limit)) + `"}`
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags, _ = load.Load(dir, load.LoadOptions{MaxFileSize: limit})
	if len(diags) != 1 || diags[0].Severity != schema.Error || !strings.Contains(diags[0].Message, "over the limit of") {
		t.Fatalf("a JSON file over the limit that is no plan: %v, want the size error", diags)
	}
}
