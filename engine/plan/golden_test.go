package plan_test

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/officectl/officectl/engine/plan"
	"github.com/officectl/officectl/engine/render"
	"github.com/officectl/officectl/schema"
)

// update rewrites the golden files under testdata instead of comparing:
// go test ./engine/plan -update, then read the diff before committing.
var update = flag.Bool("update", false, "rewrite golden files")

// fmtDiags lists diags one a line, for test failures.
func fmtDiags(diags []schema.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + d.String() + "\n")
	}
	return b.String()
}

// renderings renders p in every format, by golden-file suffix.
func renderings(t testing.TB, p *plan.Plan) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, render := range map[string]func(*bytes.Buffer) error{
		".txt":       func(b *bytes.Buffer) error { return render.RenderText(b, p, render.TextOptions{}) },
		".color.txt": func(b *bytes.Buffer) error { return render.RenderText(b, p, render.TextOptions{Color: true}) },
		".md":        func(b *bytes.Buffer) error { return render.RenderMarkdown(b, p) },
		".json":      func(b *bytes.Buffer) error { return plan.RenderJSON(b, p) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}
