package state

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// maxDepth bounds the nesting of a canonicalised value, as encoding/json
// bounds what it decodes.
const maxDepth = 10000

// canon rewrites one JSON value into its canonical form: object keys unique
// and sorted by their decoded value (as encoding/json sorts map keys),
// strings re-escaped as encoding/json escapes them without HTML escaping
// (invalid UTF-8 and lone surrogates become U+FFFD), numbers and literals
// as written, and either no whitespace or json.MarshalIndent's two-space
// indent. A canon is reused between calls to spare allocations.
type canon struct {
	src     []byte
	pos     int
	dst     []byte
	indent  bool
	depth   int
	members []member // objects being written, innermost last
	tmp     []byte   // scratch for reordering members
	scratch []byte   // output buffer for callers that only check
}

// member is one object member written to dst: [start,end) is the member
// (newline and indent, key, colon, value), [key0,key1) its key's escaped
// bytes without quotes.
type member struct {
	start, end int
	key0, key1 int
	escaped    bool // the key's bytes hold an escape
	srcPos     int  // where the key starts in src
}

// canonError is a problem at byte offset Offset of the canonicalised value.
type canonError struct {
	msg    string
	offset int
}

func (e *canonError) Error() string { return e.msg }

// appendCanonical appends the canonical form of the JSON value src to dst.
// With indent, the value is laid out as json.MarshalIndent(v, "", "  ")
// would lay it out at nesting level (a member of a member of the top level
// is at level 2).
func (c *canon) appendCanonical(dst, src []byte, level int, indent bool) ([]byte, error) {
	c.src, c.pos, c.dst, c.indent, c.depth = src, 0, dst, indent, 0
	c.members = c.members[:0]
	c.skipSpace()
	err := c.value(level)
	if err == nil {
		c.skipSpace()
		if c.pos < len(c.src) {
			err = c.errorf("invalid character %s after top-level value", quoteChar(c.src[c.pos]))
		}
	}
	out := c.dst
	c.src, c.dst = nil, nil
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *canon) errorf(format string, args ...any) error {
	return &canonError{msg: fmt.Sprintf(format, args...), offset: c.pos}
}

func (c *canon) eof() error {
	return &canonError{msg: "unexpected end of JSON input", offset: len(c.src)}
}

func quoteChar(b byte) string {
	if b == '\'' {
		return `'\''`
	}
	if b == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(b)))
	return "'" + s[1:len(s)-1] + "'"
}

func (c *canon) skipSpace() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

const spaces = "                                                                "

func (c *canon) newline(level int) {
	c.dst = append(c.dst, '\n')
	for n := 2 * level; n > 0; {
		k := min(n, len(spaces))
		c.dst = append(c.dst, spaces[:k]...)
		n -= k
	}
}

func (c *canon) value(level int) error {
	if c.pos >= len(c.src) {
		return c.eof()
	}
	switch b := c.src[c.pos]; {
	case b == '{':
		return c.object(level)
	case b == '[':
		return c.array(level)
	case b == '"':
		_, err := c.string()
		return err
	case b == 't':
		return c.literal("true")
	case b == 'f':
		return c.literal("false")
	case b == 'n':
		return c.literal("null")
	case b == '-' || '0' <= b && b <= '9':
		return c.number()
	default:
		return c.errorf("invalid character %s looking for beginning of value", quoteChar(b))
	}
}

func (c *canon) literal(lit string) error {
	if !bytes.HasPrefix(c.src[c.pos:], []byte(lit)) {
		for i := 0; i < len(lit); i++ {
			if c.pos+i >= len(c.src) {
				return c.eof()
			}
			if c.src[c.pos+i] != lit[i] {
				c.pos += i
				return c.errorf("invalid character %s in literal %s", quoteChar(c.src[c.pos]), lit)
			}
		}
	}
	c.dst = append(c.dst, lit...)
	c.pos += len(lit)
	return nil
}

func (c *canon) digits() int {
	n := 0
	for c.pos < len(c.src) && '0' <= c.src[c.pos] && c.src[c.pos] <= '9' {
		c.pos++
		n++
	}
	return n
}

// number checks the JSON number grammar and copies the number as written.
func (c *canon) number() error {
	start := c.pos
	if c.src[c.pos] == '-' {
		c.pos++
	}
	if c.pos >= len(c.src) {
		return c.eof()
	}
	switch b := c.src[c.pos]; {
	case b == '0':
		c.pos++
	case '1' <= b && b <= '9':
		c.digits()
	default:
		return c.errorf("invalid character %s in numeric literal", quoteChar(b))
	}
	if c.pos < len(c.src) && c.src[c.pos] == '.' {
		c.pos++
		if c.digits() == 0 {
			if c.pos >= len(c.src) {
				return c.eof()
			}
			return c.errorf("invalid character %s after decimal point in numeric literal", quoteChar(c.src[c.pos]))
		}
	}
	if c.pos < len(c.src) && (c.src[c.pos] == 'e' || c.src[c.pos] == 'E') {
		c.pos++
		if c.pos < len(c.src) && (c.src[c.pos] == '+' || c.src[c.pos] == '-') {
			c.pos++
		}
		if c.digits() == 0 {
			if c.pos >= len(c.src) {
				return c.eof()
			}
			return c.errorf("invalid character %s in exponent of numeric literal", quoteChar(c.src[c.pos]))
		}
	}
	c.dst = append(c.dst, c.src[start:c.pos]...)
	return nil
}

func (c *canon) enter() error {
	c.depth++
	if c.depth > maxDepth {
		return c.errorf("exceeded max depth")
	}
	return nil
}

func (c *canon) array(level int) error {
	if err := c.enter(); err != nil {
		return err
	}
	c.pos++ // [
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == ']' {
		c.pos++
		c.dst = append(c.dst, "[]"...)
		c.depth--
		return nil
	}
	c.dst = append(c.dst, '[')
	for {
		if c.indent {
			c.newline(level + 1)
		}
		c.skipSpace()
		if err := c.value(level + 1); err != nil {
			return err
		}
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.eof()
		}
		b := c.src[c.pos]
		c.pos++
		if b == ']' {
			break
		}
		if b != ',' {
			c.pos--
			return c.errorf("invalid character %s after array element", quoteChar(b))
		}
		c.dst = append(c.dst, ',')
	}
	if c.indent {
		c.newline(level)
	}
	c.dst = append(c.dst, ']')
	c.depth--
	return nil
}

func (c *canon) object(level int) error {
	if err := c.enter(); err != nil {
		return err
	}
	c.pos++ // {
	c.skipSpace()
	if c.pos < len(c.src) && c.src[c.pos] == '}' {
		c.pos++
		c.dst = append(c.dst, "{}"...)
		c.depth--
		return nil
	}
	c.dst = append(c.dst, '{')
	objStart := len(c.dst)
	base := len(c.members)
	sorted := true
	for {
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.eof()
		}
		if c.src[c.pos] != '"' {
			return c.errorf("invalid character %s looking for beginning of object key string", quoteChar(c.src[c.pos]))
		}
		m := member{start: len(c.dst), srcPos: c.pos}
		if c.indent {
			c.newline(level + 1)
		}
		m.key0 = len(c.dst) + 1
		escaped, err := c.string()
		if err != nil {
			return err
		}
		m.key1, m.escaped = len(c.dst)-1, escaped
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.eof()
		}
		if c.src[c.pos] != ':' {
			return c.errorf("invalid character %s after object key", quoteChar(c.src[c.pos]))
		}
		c.pos++
		if c.indent {
			c.dst = append(c.dst, ':', ' ')
		} else {
			c.dst = append(c.dst, ':')
		}
		c.skipSpace()
		if err := c.value(level + 1); err != nil {
			return err
		}
		m.end = len(c.dst)
		if len(c.members) > base {
			switch c.compareKeys(c.members[len(c.members)-1], m) {
			case 0:
				return c.duplicate(m)
			case 1:
				sorted = false
			}
		}
		c.members = append(c.members, m)
		c.skipSpace()
		if c.pos >= len(c.src) {
			return c.eof()
		}
		b := c.src[c.pos]
		c.pos++
		if b == '}' {
			break
		}
		if b != ',' {
			c.pos--
			return c.errorf("invalid character %s after object key:value pair", quoteChar(b))
		}
		c.dst = append(c.dst, ',')
	}
	if !sorted {
		ms := c.members[base:]
		slices.SortFunc(ms, c.compareKeys)
		for i := 1; i < len(ms); i++ {
			if c.compareKeys(ms[i-1], ms[i]) == 0 {
				if ms[i-1].srcPos > ms[i].srcPos {
					return c.duplicate(ms[i-1])
				}
				return c.duplicate(ms[i])
			}
		}
		c.tmp = append(c.tmp[:0], c.dst[objStart:]...)
		c.dst = c.dst[:objStart]
		for i, m := range ms {
			if i > 0 {
				c.dst = append(c.dst, ',')
			}
			c.dst = append(c.dst, c.tmp[m.start-objStart:m.end-objStart]...)
		}
	}
	c.members = c.members[:base]
	if c.indent {
		c.newline(level)
	}
	c.dst = append(c.dst, '}')
	c.depth--
	return nil
}

func (c *canon) duplicate(m member) error {
	return &canonError{msg: fmt.Sprintf("duplicate key %s", c.dst[m.key0-1:m.key1+1]), offset: m.srcPos}
}

// compareKeys orders members by their keys' decoded values.
func (c *canon) compareKeys(a, b member) int {
	ka, kb := c.dst[a.key0:a.key1], c.dst[b.key0:b.key1]
	if !a.escaped && !b.escaped {
		return bytes.Compare(ka, kb)
	}
	return bytes.Compare(unescape(ka), unescape(kb))
}

// unescape decodes a string's bytes as canon wrote them (without quotes).
func unescape(b []byte) []byte {
	s, err := strconv.Unquote(`"` + string(b) + `"`)
	if err != nil {
		// canon writes only escapes that Go shares with JSON.
		return b
	}
	return []byte(s)
}
