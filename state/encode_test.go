package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sampleSpec returns a realistic office spec of about 1 KB, its keys in
// declaration order rather than sorted.
func sampleSpec(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"name":"Office %d","country":"US","currency":"USD","plan_period":"monthly",`+
		`"invoiced":false,"unified_billing":true,"annual_commit_monthly_billing":false,"auto_call_recording":false,"hours_on":true,`+
		`"billing_address":{"address_line_1":"%d Market Street","city":"San Francisco","country":"US","postal_code":"94105","region":"CA"},`+
		`"billing_contact":{"email":"billing+%d@example.com","name":"Accounts Payable","phone":"+14155550100"},`+
		`"e911_address":{"address":"%d Market Street","address2":"Floor 4","city":"San Francisco","country":"US","state":"CA","zip":"94105"},`+
		`"monday_hours":["08:00","12:00","13:00","18:00"],"tuesday_hours":["08:00","18:00"],"wednesday_hours":["08:00","18:00"],`+
		`"thursday_hours":["08:00","18:00"],"friday_hours":["08:00","16:00"],"saturday_hours":[],"sunday_hours":[],`+
		`"timezone":"America/Los_Angeles","ring_seconds":30,"mainline_number":"+14155550%03d","group_description":"Sales and support office number %d",`+
		`"routing_options":{"open":{"action":"department","action_target_type":"office","action_target_id":{"office":"hq"},"try_dial_operators":false},`+
		`"closed":{"action":"voicemail","try_dial_operators":false,"dtmf":[{"input":"1","options":{"action":"department","action_target_id":5100000000000001}}]}},`+
		`"voice_intelligence":{"allow_pause":true,"auto_start":false}}`, i, i, i, i, i%1000, i))
}

// bigState returns a state of n offices with ~1 KB specs.
func bigState(n int) *State {
	s := New()
	s.Lineage = "5f1c2e7a-8b9d-4c3e-a1f0-6d2b7e9c4a18"
	s.Serial = 99
	s.CompanyID = "4200000000000001"
	t := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		e := &Entry{
			Name:       fmt.Sprintf("Office %d", i),
			Spec:       sampleSpec(i),
			SpecSHA256: strings.Repeat("ab", 32),
			Status:     Created,
			ID:         fmt.Sprint(5100000000000000 + i),
			CreatedAt:  &t,
		}
		if i%3 == 0 {
			e.Status, e.ID, e.CreatedAt, e.StartedAt = Pending, "", nil, &t
		}
		s.Set(fmt.Sprintf("office-%05d", i), e)
	}
	return s
}

// TestEncodeMatchesMarshalIndent: for a state whose specs are already
// canonical, Encode writes what json.MarshalIndent (without HTML escaping)
// writes, plus a newline.
func TestEncodeMatchesMarshalIndent(t *testing.T) {
	s := bigState(20)
	s.Offices["weird"] = &Entry{Name: "a\"b\\c\n\t\x01<>&\u2028 é 東京", Status: Pending, SpecSHA256: ""}
	for _, e := range s.Offices {
		if e.Spec != nil {
			e.Spec = canonicalCompact(t, e.Spec)
		}
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), string(Encode(s))); diff != "" {
		t.Errorf("Encode differs from json.MarshalIndent (-want +got):\n%s", diff)
	}
}

func canonicalCompact(t testing.TB, b []byte) []byte {
	t.Helper()
	var c canon
	out, err := c.appendCanonical(nil, b, 0, false)
	if err != nil {
		t.Fatalf("canonical %s: %v", b, err)
	}
	return out
}

func TestEncodeDeterministic(t *testing.T) {
	s := bigState(200)
	first := Encode(s)
	for range 5 {
		if !bytes.Equal(first, Encode(s.Clone())) {
			t.Fatal("Encode gave different bytes for the same state")
		}
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Error("no trailing newline")
	}
}

func TestEncodeInvalidSpecStaysJSON(t *testing.T) {
	s := New()
	s.Set("a", &Entry{Name: "A", Status: Pending, Spec: json.RawMessage(`{"x":`)})
	out := Encode(s)
	if !json.Valid(out) {
		t.Fatalf("Encode wrote invalid JSON:\n%s", out)
	}
	if !strings.Contains(string(out), `"spec": "{\"x\":"`) {
		t.Errorf("invalid spec not written as a string:\n%s", out)
	}
}

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{` { "b" : 1 , "a" : [ ] } `, `{"a":[],"b":1}`},
		{`{"b":{"d":1,"c":2},"a":[{"z":1,"y":2}]}`, `{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}`},
		{`"\u0041\u00e9\ud83d\ude00"`, `"Aé😀"`},
		{`"\ud800"`, "\"\ufffd\""}, // lone surrogate
		{`"\ud800\u0041"`, "\"\ufffdA\""},
		{"\"\xff\"", "\"\ufffd\""}, // invalid UTF-8
		{`"\u003c\u003e\u0026"`, `"<>&"`},
		{`"\b\f\n\r\t\u001f\u007f"`, "\"\\b\\f\\n\\r\\t\\u001f\x7f\""},
		{`"\u2028\u2029"`, `"\u2028\u2029"`},
		{`{"\u0062":1,"a":2}`, `{"a":2,"b":1}`},
		{`{"a\n":1,"a":2}`, `{"a":2,"a\n":1}`},
		{`[1,-0,0.5e+3,1E-2,true,false,null]`, `[1,-0,0.5e+3,1E-2,true,false,null]`},
	} {
		var c canon
		got, err := c.appendCanonical(nil, []byte(tc.in), 0, false)
		if err != nil {
			t.Errorf("canonical(%s): %v", tc.in, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("canonical(%s) = %s, want %s", tc.in, got, tc.want)
		}
		// The canonical form agrees with encoding/json on what it means.
		var a, b any
		if json.Unmarshal([]byte(tc.in), &a) != nil || json.Unmarshal(got, &b) != nil || !cmp.Equal(a, b) {
			t.Errorf("canonical(%s) = %s does not mean the same", tc.in, got)
		}
	}
}

func TestCanonicalErrors(t *testing.T) {
	for _, in := range []string{
		``, `{`, `{"a"}`, `{"a":1,}`, `{"a":1 "b":2}`, `[1,]`, `[1 2]`, `"abc`, "\"a\nb\"", `"\x"`, `"\u12"`,
		`01`, `-`, `1.`, `1e`, `.5`, `tru`, `nul`, `{"a":1}x`, `{"a":1,"a":2}`, `{"b":1,"a":2,"b":3}`,
		`{"a":1,"\u0061":2}`, strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	} {
		var c canon
		if got, err := c.appendCanonical(nil, []byte(in), 0, false); err == nil {
			t.Errorf("canonical(%.40q) = %s, want an error", in, got)
		} else if json.Valid([]byte(in)) && !strings.Contains(err.Error(), "duplicate") && !strings.Contains(err.Error(), "depth") {
			t.Errorf("canonical(%.40q): %v, but encoding/json accepts it", in, err)
		}
	}
}

func TestCanonicalIndent(t *testing.T) {
	in := `{"b":[1,{"y":[],"x":{}}],"a":"s"}`
	var c canon
	got, err := c.appendCanonical(nil, []byte(in), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal([]byte(in), &v)
	want, _ := json.MarshalIndent(v, "", "  ")
	if string(got) != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkEncode encodes a state of 10,000 offices with ~1 KB specs from
// scratch, as Save does.
func BenchmarkEncode(b *testing.B) {
	s := bigState(10000)
	b.SetBytes(int64(len(Encode(s))))
	b.ReportAllocs()
	for b.Loop() {
		Encode(s)
	}
}

// BenchmarkEncodeCached is what a Store's save costs to encode: the same
// state with one entry changed each time.
func BenchmarkEncodeCached(b *testing.B) {
	s := bigState(10000)
	enc := newCachingEncoder()
	buf, err := enc.encode(nil, s, true)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := s.Offices[fmt.Sprintf("office-%05d", i%10000)]
		e.Name = fmt.Sprintf("Office %d (%d)", i%10000, i)
		i++
		if buf, err = enc.encode(buf[:0], s, true); err != nil {
			b.Fatal(err)
		}
	}
}
