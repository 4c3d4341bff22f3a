package load

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/schema"
)

// WriteDiagnostics writes diags in format: "text" (FILE:LINE:COL: error:
// PATH: MESSAGE, one per line), "json" (an array of {file, line, column,
// severity, path, message}) or "github" (workflow commands that GitHub
// Actions shows as annotations on the pull request).
func WriteDiagnostics(w io.Writer, diags []schema.Diagnostic, format string) error {
	switch format {
	case "text", "":
		for _, d := range diags {
			if _, err := fmt.Fprintln(w, d.String()); err != nil {
				return err
			}
		}
		return nil
	case "json":
		if diags == nil {
			diags = []schema.Diagnostic{}
		}
		b, err := json.MarshalIndent(diags, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(offices.EscapeJSON(b), '\n'))
		return err
	case "github":
		for _, d := range diags {
			cmd := "error"
			switch d.Severity {
			case schema.Warning:
				cmd = "warning"
			case schema.Note:
				cmd = "notice"
			}
			msg := d.Message
			if d.Path != "" {
				msg = d.Path + ": " + msg
			}
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d::%s\n", cmd, ghProperty(d.File), max(d.Line, 1), max(d.Column, 1), ghData(msg))
		}
		return nil
	}
	return fmt.Errorf("unknown format %q: use text, json or github", format)
}

// ghData escapes a workflow command's message (offices.GitHubData).
func ghData(s string) string { return offices.GitHubData(s) }

// ghProperty escapes a workflow command's property value
// (offices.GitHubProperty).
func ghProperty(s string) string { return offices.GitHubProperty(s) }
