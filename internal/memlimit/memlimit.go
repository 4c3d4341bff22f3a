// Package memlimit keeps officectl's memory close to what it holds. main
// collects garbage less often than Go's default (GOGC 400: the heap may
// grow to five times what is live), which loads large configs faster; on
// its own that also lets a run of a few thousand files peak at 110 MiB
// where some 13 MiB are live. A soft memory limit of 64 MiB, raised after
// each collection to four times the live heap, keeps small and middling
// runs near 64 MiB at the same speed (5,000 office files: 113 -> 79 MiB
// peak RSS, wall time 1.01x; docs/performance.md) and lets large ones
// grow without collecting ever more often. The limit counts all of Go's
// memory and GOGC only the heap, so once more than 16 MiB is live the
// limit decides when to collect, about as GOGC 300 would.
package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Floor is the least memory limit, and factor the multiple of the live
// heap the limit follows above it.
const (
	Floor  = 64 << 20
	factor = 4
)

// Limit is the memory limit for a live heap of live bytes.
func Limit(live uint64) int64 {
	if live > math.MaxInt64/factor {
		return math.MaxInt64
	}
	return max(Floor, factor*int64(live))
}

// Start sets the limit and keeps it following the live heap, unless
// GOMEMLIMIT sets one: then that one holds. Starting again ends the
// watch of the start before.
func Start() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(Floor)
	watch(round.Add(1))
}

// sentinel is garbage whose finalizer runs after a collection. It holds
// a pointer and is larger than 16 bytes: the tiny allocator may keep a
// smaller object without pointers alive, and its finalizer with it.
type sentinel struct {
	_ *byte
	_ [16]byte
}

// watch sets the limit from the live heap after the next collection, and
// then again after the one after, for as long as r is the current round
// (a new Start, or a test ending its watch, begins another).
func watch(r int64) {
	var w func(*sentinel)
	w = func(*sentinel) {
		if round.Load() != r {
			return
		}
		follow()
		runtime.SetFinalizer(&sentinel{}, w)
	}
	runtime.SetFinalizer(&sentinel{}, w)
}

// round counts the watches begun; only the latest one sets the limit.
var round atomic.Int64

var live = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// follows counts the limits set by follow.
var follows atomic.Int64

// follow sets the limit for the heap live now.
func follow() {
	follows.Add(1)
	metrics.Read(live)
	if live[0].Value.Kind() == metrics.KindUint64 {
		debug.SetMemoryLimit(Limit(live[0].Value.Uint64()))
	}
}
