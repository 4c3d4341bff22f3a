package officestest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// result is an endpoint's answer before it is written.
type result struct {
	status int
	body   any
}

// errorBody is Dialpad's error shape.
type errorBody struct {
	Error errorInner `json:"error"`
}

type errorInner struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Errors  []errorDetail `json:"errors"`
}

type errorDetail struct {
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// errorResult is a Dialpad-style error answer with one message per
// detail; the top message is the first detail's.
func errorResult(status int, reason string, msgs ...string) result {
	e := errorInner{Code: status, Errors: []errorDetail{}}
	for _, m := range msgs {
		e.Errors = append(e.Errors, errorDetail{Domain: "global", Reason: reason, Message: m})
	}
	if len(msgs) > 0 {
		e.Message = msgs[0]
	}
	return result{status: status, body: errorBody{e}}
}

// int64Fields are the keys of the int64 fields of OfficeProto,
// CompanyProto and PlanProto, which the API's examples send as strings.
var int64Fields = map[string]bool{
	"id": true, "office_id": true, "ring_seconds": true, "action_target_id": true,
	"office_count": true, "additional_number_lines": true, "contact_center_lines": true,
	"fax_lines": true, "next_billing_date": true, "room_lines": true, "sell_lines": true,
	"talk_lines": true, "tollfree_additional_number_lines": true, "tollfree_room_lines": true,
	"tollfree_uberconference_lines": true, "uberconference_lines": true,
}

// write writes res as JSON and returns its status.
func (s *Server) write(w http.ResponseWriter, res result) int {
	b, err := s.encode(res.body)
	if err != nil {
		res = errorResult(http.StatusInternalServerError, "backendError", "encoding the answer: "+err.Error())
		b, _ = json.Marshal(res.body)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(res.status)
	w.Write(append(b, '\n'))
	return res.status
}

// encode marshals v, with int64 fields as JSON strings unless
// Options.NumericIDs.
func (s *Server) encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || s.opts.NumericIDs {
		return b, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	stringifyInts(tree)
	return json.Marshal(tree)
}

// stringifyInts turns the numbers under int64Fields keys into strings.
func stringifyInts(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if n, ok := x.(json.Number); ok && (int64Fields[k] || groupInt64Fields[k]) {
				v[k] = string(n)
				continue
			}
			stringifyInts(x)
		}
	case []any:
		for _, x := range v {
			stringifyInts(x)
		}
	}
}
