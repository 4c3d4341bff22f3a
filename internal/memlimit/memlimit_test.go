package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, Floor}, {13 << 20, Floor}, {16 << 20, Floor}, {17 << 20, 68 << 20},
		{1 << 30, 4 << 30}, {math.MaxUint64, math.MaxInt64}, {math.MaxInt64 / 4, math.MaxInt64 / 4 * 4},
	} {
		if got := Limit(c.live); got != c.want {
			t.Errorf("Limit(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// TestStartFollowsLiveHeap checks that the limit starts at Floor and,
// once far more than Floor/4 is live, rises after a collection to four
// times the live heap.
func TestStartFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer round.Add(1)
	Start()
	if got := debug.SetMemoryLimit(-1); got != Floor {
		t.Fatalf("limit after Start: %d, want %d", got, Floor)
	}
	held := make([][]byte, 64)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < 4*64<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with 64 MiB live: it did not follow the live heap", debug.SetMemoryLimit(-1)>>20)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(held)
}

// TestStartAgainEndsTheWatchBefore checks that only the latest Start's
// watch sets the limit: after two Starts, one limit per collection.
func TestStartAgainEndsTheWatchBefore(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer round.Add(1)
	Start()
	Start()
	const gcs = 40
	before := follows.Load()
	for range gcs {
		runtime.GC()
		time.Sleep(2 * time.Millisecond) // the finalizer runs
	}
	time.Sleep(20 * time.Millisecond)
	if n := follows.Load() - before; n < gcs/2 || n > gcs+2 {
		t.Errorf("%d limits set over %d collections: want one each", n, gcs)
	}
}

// TestStartKeepsGOMEMLIMIT checks that a limit the user sets holds.
func TestStartKeepsGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	Start()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after Start with GOMEMLIMIT set, want %d", got, before)
	}
}
