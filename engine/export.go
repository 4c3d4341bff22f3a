package engine

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/officectl/officectl/engine/load"
	"github.com/officectl/officectl/offices"
)

// Export writes the effective offices of cfg (defaults filled, references
// unresolved) as a config file: a JSON object whose one field, offices,
// holds each office by key, keys sorted. Saved as a .json file it
// validates again to the same offices.
func Export(w io.Writer, cfg *load.Config) error {
	var buf bytes.Buffer
	buf.WriteString("{\n  \"offices\": {")
	for i, d := range cfg.Offices {
		if i > 0 {
			buf.WriteString(",")
		}
		k, _ := json.Marshal(d.Key)
		buf.WriteString("\n    ")
		buf.Write(k)
		buf.WriteString(": ")
		var body bytes.Buffer
		if err := json.Indent(&body, d.Office.Canonical(), "    ", "  "); err != nil {
			return err
		}
		buf.Write(body.Bytes())
	}
	if len(cfg.Offices) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("}\n}\n")
	_, err := w.Write(offices.EscapeJSON(buf.Bytes()))
	return err
}
