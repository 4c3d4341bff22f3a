package state

import (
	"unicode/utf16"
	"unicode/utf8"
)

// string copies a string literal, re-escaped canonically, and says
// whether what it wrote holds an escape.
func (c *canon) string() (escaped bool, err error) {
	c.pos++ // "
	c.dst = append(c.dst, '"')
	for {
		start := c.pos
		for c.pos < len(c.src) && plain[c.src[c.pos]] {
			c.pos++
		}
		c.dst = append(c.dst, c.src[start:c.pos]...)
		if c.pos >= len(c.src) {
			return false, c.eof()
		}
		switch b := c.src[c.pos]; {
		case b == '"':
			c.pos++
			c.dst = append(c.dst, '"')
			return escaped, nil
		case b < 0x20:
			return false, c.errorf("invalid character %s in string literal", quoteChar(b))
		case b == '\\':
			r, err := c.escape()
			if err != nil {
				return false, err
			}
			if c.appendRune(r) {
				escaped = true
			}
		default:
			r, size := utf8.DecodeRune(c.src[c.pos:])
			if r == utf8.RuneError && size == 1 {
				c.dst = utf8.AppendRune(c.dst, utf8.RuneError)
			} else if r == '\u2028' || r == '\u2029' {
				c.appendRune(r)
				escaped = true
			} else {
				c.dst = append(c.dst, c.src[c.pos:c.pos+size]...)
			}
			c.pos += size
		}
	}
}

// escape decodes the escape sequence at c.pos.
func (c *canon) escape() (rune, error) {
	if c.pos+1 >= len(c.src) {
		return 0, c.eof()
	}
	c.pos++
	switch b := c.src[c.pos]; b {
	case '"', '\\', '/':
		c.pos++
		return rune(b), nil
	case 'b':
		c.pos++
		return '\b', nil
	case 'f':
		c.pos++
		return '\f', nil
	case 'n':
		c.pos++
		return '\n', nil
	case 'r':
		c.pos++
		return '\r', nil
	case 't':
		c.pos++
		return '\t', nil
	case 'u':
		c.pos++
		r, err := c.hex4()
		if err != nil {
			return 0, err
		}
		if utf16.IsSurrogate(r) {
			// A valid pair is one rune; anything else is U+FFFD and
			// the following escape, if any, stands on its own.
			if c.pos+6 <= len(c.src) && c.src[c.pos] == '\\' && c.src[c.pos+1] == 'u' {
				save := c.pos
				c.pos += 2
				r2, err := c.hex4()
				if err == nil {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						return dec, nil
					}
				}
				c.pos = save
			}
			return utf8.RuneError, nil
		}
		return r, nil
	default:
		return 0, c.errorf("invalid character %s in string escape code", quoteChar(b))
	}
}

func (c *canon) hex4() (rune, error) {
	var r rune
	for i := 0; i < 4; i++ {
		if c.pos >= len(c.src) {
			return 0, c.eof()
		}
		b := c.src[c.pos]
		var v byte
		switch {
		case '0' <= b && b <= '9':
			v = b - '0'
		case 'a' <= b && b <= 'f':
			v = b - 'a' + 10
		case 'A' <= b && b <= 'F':
			v = b - 'A' + 10
		default:
			return 0, c.errorf("invalid character %s in \\u hexadecimal character escape", quoteChar(b))
		}
		r = r<<4 | rune(v)
		c.pos++
	}
	return r, nil
}

// appendRune writes r as encoding/json would inside a string and says
// whether it wrote an escape.
func (c *canon) appendRune(r rune) bool {
	c.dst = appendStringRune(c.dst, r)
	return r < 0x20 || r == '"' || r == '\\' || r == '\u2028' || r == '\u2029'
}

const hexDigits = "0123456789abcdef"

// plain holds the bytes a string copies as they are: ASCII but for
// control characters, quote and backslash.
var plain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendStringRune appends r as encoding/json writes it inside a string
// (without HTML escaping).
func appendStringRune(dst []byte, r rune) []byte {
	switch r {
	case '"', '\\':
		return append(dst, '\\', byte(r))
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\u2028', '\u2029':
		return append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
	}
	if r < 0x20 {
		return append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xF])
	}
	return utf8.AppendRune(dst, r)
}

// appendString appends s as a JSON string, escaped as canon escapes.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if plain[b] {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		r, size := rune(b), 1
		if b >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r >= utf8.RuneSelf && r != '\u2028' && r != '\u2029' && !(r == utf8.RuneError && size == 1) {
			dst = append(dst, s[i:i+size]...)
		} else {
			dst = appendStringRune(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
