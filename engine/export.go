package engine

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/officectl/officectl/offices"
)

// Export writes the effective offices of cfg (defaults filled, references
// unresolved) as one JSON object keyed by office key, keys sorted.
func Export(w io.Writer, cfg *Config) error {
	var buf bytes.Buffer
	buf.WriteString("{")
	for i, d := range cfg.Offices {
		if i > 0 {
			buf.WriteString(",")
		}
		k, _ := json.Marshal(d.Key)
		buf.WriteString("\n  ")
		buf.Write(k)
		buf.WriteString(": ")
		var body bytes.Buffer
		if err := json.Indent(&body, d.Office.Canonical(), "  ", "  "); err != nil {
			return err
		}
		buf.Write(body.Bytes())
	}
	if len(cfg.Offices) > 0 {
		buf.WriteString("\n")
	}
	buf.WriteString("}\n")
	_, err := w.Write(offices.EscapeJSON(buf.Bytes()))
	return err
}
