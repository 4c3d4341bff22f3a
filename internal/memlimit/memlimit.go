// Package memlimit keeps officectl's memory close to what it holds. main
// collects garbage less often than Go's default (GOGC 400: the heap may
// grow to five times what is live), which loads large configs faster; on
// its own that also lets a run of a few thousand files peak at 110 MiB
// where some 13 MiB are live. A soft memory limit of 64 MiB, raised after
// each collection to four times the live heap, keeps small and middling
// runs near 64 MiB at the same speed (5,000 office files: 114 -> 77 MiB
// peak RSS, wall time 1.00x; docs/performance.md) and lets large ones
// grow without collecting ever more often.
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
// GOMEMLIMIT sets one: then that one holds.
func Start() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(Floor)
	watch()
}

// sentinel is garbage whose finalizer runs after a collection. It holds
// a pointer and is larger than 16 bytes: the tiny allocator may keep a
// smaller object without pointers alive, and its finalizer with it.
type sentinel struct {
	_ *byte
	_ [16]byte
}

// watch sets the limit from the live heap after the next collection, and
// then again after the one after, for as long as round is the current
// one (tests end a watch by starting another round).
func watch() {
	r := round.Load()
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

var round atomic.Int64

var live = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// follow sets the limit for the heap live now.
func follow() {
	metrics.Read(live)
	if live[0].Value.Kind() == metrics.KindUint64 {
		debug.SetMemoryLimit(Limit(live[0].Value.Uint64()))
	}
}
