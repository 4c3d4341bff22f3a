package schema

import (
	"bytes"
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/encoding/jsonschema"
)

// JSONSchema returns a JSON Schema (draft 2020-12) of #Config, for YAML and
// JSON editors. It carries the structure, types, enums and patterns; the
// rules only CUE and officectl check (hours order, e911 by country,
// references) are left to `officectl validate`.
func JSONSchema() ([]byte, error) {
	ctx := newContext()
	v := ctx.CompileBytes(source, cue.Filename(SourceName))
	expr, err := jsonschema.Generate(v.LookupPath(cue.ParsePath("#Config")), nil)
	if err != nil {
		return nil, fmt.Errorf("generate JSON Schema: %w", err)
	}
	js := ctx.BuildExpr(expr)
	if err := js.Err(); err != nil {
		return nil, fmt.Errorf("generate JSON Schema: %w", err)
	}
	b, err := js.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("generate JSON Schema: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
