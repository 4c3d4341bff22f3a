package engine

import (
	"container/heap"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// planOrder returns the keys of desired in apply order: a topological order
// of the reference graph (every office after each office it refers to),
// ties broken by key — Kahn's algorithm with a min-heap as the ready set.
// References to keys only in inState need no ordering. A reference to a key
// in neither, or a cycle, is an error naming the keys.
func planOrder(desired map[string]*offices.Office, inState map[string]*state.Entry) ([]string, error) {
	keys := make([]string, 0, len(desired))
	for k := range desired {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	refs := make(map[string][]string, len(keys))      // key → offices of the config it refers to
	referrers := make(map[string][]string, len(keys)) // key → offices that refer to it
	waiting := make(map[string]int, len(keys))        // key → refs not yet placed
	for _, k := range keys {
		for _, r := range desired[k].References() {
			if _, ok := desired[r]; ok {
				refs[k] = append(refs[k], r)
				referrers[r] = append(referrers[r], k)
				waiting[k]++
				continue
			}
			if _, ok := inState[r]; !ok {
				return nil, fmt.Errorf("plan: office %q refers to office %q, which is neither in the config nor in the state", k, r)
			}
		}
	}

	ready := make(keyHeap, 0, len(keys))
	for _, k := range keys {
		if waiting[k] == 0 {
			ready = append(ready, k) // sorted, hence already a heap
		}
	}
	order := make([]string, 0, len(keys))
	for len(ready) > 0 {
		k := heap.Pop(&ready).(string)
		order = append(order, k)
		for _, r := range referrers[k] {
			waiting[r]--
			if waiting[r] == 0 {
				heap.Push(&ready, r)
			}
		}
	}
	if len(order) < len(keys) {
		return nil, cycleError(keys, refs, waiting)
	}
	return order, nil
}

// cycleError names one reference cycle among the offices Kahn's algorithm
// could not place (those still waiting), and how many offices it blocks.
func cycleError(keys []string, refs map[string][]string, waiting map[string]int) error {
	var stuck []string
	for _, k := range keys {
		if waiting[k] > 0 {
			stuck = append(stuck, k)
		}
	}
	// Every stuck office refers to a stuck office, so walking references
	// from the first stuck key must come back to a key already seen.
	seen := map[string]int{}
	var path []string
	k := stuck[0]
	for {
		if i, ok := seen[k]; ok {
			path = append(path[i:], k)
			break
		}
		seen[k] = len(path)
		path = append(path, k)
		for _, r := range refs[k] {
			if waiting[r] > 0 {
				k = r
				break
			}
		}
	}
	msg := fmt.Sprintf("plan: reference cycle: %s (each office refers to the next)", strings.Join(path, " → "))
	if n := len(stuck) - (len(path) - 1); n > 0 {
		msg += fmt.Sprintf("; %d more office(s) wait on it", n)
	}
	return fmt.Errorf("%s", msg)
}

// keyHeap is a min-heap of office keys.
type keyHeap []string

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *keyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// parallelFor calls f(0) … f(n-1) on up to GOMAXPROCS goroutines and returns
// when all have returned. Each f(i) must touch only its own index's data.
func parallelFor(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n/256 {
		workers = n / 256 // small inputs are not worth a goroutine
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				f(i)
			}
		}()
	}
	wg.Wait()
}
