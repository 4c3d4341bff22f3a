package officestest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults are the probabilities (0..1, summing to at most 1) that an
// admitted, authorized request meets each fault instead of a normal
// answer.
type Faults struct {
	// ServerError answers 500 before the request takes effect.
	ServerError float64
	// TooManyRequests answers 429 with Retry-After: RetryAfter.
	TooManyRequests float64
	// Reset closes the connection before the request takes effect.
	Reset float64
	// Drop lets the request take effect (a POST creates the office), then
	// closes the connection without an answer.
	Drop float64
	// RetryAfter is the Retry-After of injected 429s, sent in whole
	// seconds rounded up (0 sends "0").
	RetryAfter time.Duration
}

// fault is what drawFault picked.
type fault int

const (
	faultNone fault = iota
	fault429
	fault5xx
	faultReset
	faultDrop
)

// drawFault picks the fault of one request with one draw from the seeded
// source, so a run is repeatable for a given order of requests.
func (s *Server) drawFault() fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	if f.TooManyRequests+f.ServerError+f.Reset+f.Drop <= 0 {
		return faultNone
	}
	u := s.rng.Float64()
	for _, c := range []struct {
		p float64
		f fault
	}{{f.TooManyRequests, fault429}, {f.ServerError, fault5xx}, {f.Reset, faultReset}, {f.Drop, faultDrop}} {
		if u < c.p {
			switch c.f {
			case fault429:
				s.stats.Injected429++
			case fault5xx:
				s.stats.Injected5xx++
			case faultReset:
				s.stats.Resets++
			case faultDrop:
				s.stats.Drops++
			}
			return c.f
		}
		u -= c.p
	}
	return faultNone
}

// ParseFaults reads faults written as for `officectl sim --faults`:
// comma-separated NAME=VALUE with names 5xx, 429, reset and drop
// (probabilities from 0 to 1) and retry-after (a Go duration, or whole
// seconds; default 1s). "" means no faults. Example:
//
//	5xx=0.1,429=0.05,reset=0.03,drop=0.05
func ParseFaults(s string) (Faults, error) {
	f := Faults{RetryAfter: time.Second}
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.ToLower(strings.TrimSpace(name))
		val = strings.TrimSpace(val)
		if !ok || name == "" {
			return Faults{}, fmt.Errorf("faults: %q is not NAME=VALUE (e.g. 5xx=0.1,429=0.05,reset=0.03,drop=0.05)", part)
		}
		if seen[name] {
			return Faults{}, fmt.Errorf("faults: %s given twice", name)
		}
		seen[name] = true
		if name == "retry-after" {
			d, err := time.ParseDuration(val)
			if err != nil {
				secs, err2 := strconv.Atoi(val)
				if err2 != nil {
					return Faults{}, fmt.Errorf("faults: retry-after=%s: want a duration like 2s or whole seconds", val)
				}
				d = time.Duration(secs) * time.Second
			}
			if d < 0 {
				return Faults{}, fmt.Errorf("faults: retry-after=%s is negative", val)
			}
			f.RetryAfter = d
			continue
		}
		p, err := strconv.ParseFloat(val, 64)
		if err != nil || p < 0 || p > 1 {
			return Faults{}, fmt.Errorf("faults: %s=%s: want a probability from 0 to 1", name, val)
		}
		switch name {
		case "5xx":
			f.ServerError = p
		case "429":
			f.TooManyRequests = p
		case "reset":
			f.Reset = p
		case "drop":
			f.Drop = p
		default:
			return Faults{}, fmt.Errorf("faults: unknown fault %q (known: 5xx, 429, reset, drop, retry-after)", name)
		}
	}
	if sum := f.ServerError + f.TooManyRequests + f.Reset + f.Drop; sum > 1+1e-9 {
		return Faults{}, fmt.Errorf("faults: probabilities add up to %g, more than 1", sum)
	}
	return f, nil
}

// String writes f as ParseFaults reads it.
func (f Faults) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		p    float64
	}{{"5xx", f.ServerError}, {"429", f.TooManyRequests}, {"reset", f.Reset}, {"drop", f.Drop}} {
		if c.p > 0 {
			parts = append(parts, c.name+"="+strconv.FormatFloat(c.p, 'g', -1, 64))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(append(parts, "retry-after="+f.RetryAfter.String()), ",")
}
