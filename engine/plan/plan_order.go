package plan

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/officectl/officectl/offices"
	"github.com/officectl/officectl/state"
)

// ordered is one office of the config in apply order, with its references.
type ordered struct {
	key  string
	refs []string // Office.References()
}

// planOrder returns the offices of desired in apply order: a topological
// order of the reference graph (every office after each office it refers
// to), ties broken by key — Kahn's algorithm with a min-heap as the ready
// set. References to keys only in inState need no ordering. A reference to
// a key in neither, or a cycle, is an error naming the keys.
func planOrder(desired map[string]*offices.Office, inState map[string]*state.Entry) ([]ordered, error) {
	refs := make(map[string][]string, len(desired))
	for k, o := range desired {
		refs[k] = o.References()
	}
	known := func(key string) bool { _, ok := inState[key]; return ok }
	return planOrderAll(refs, known, func(string) string { return "office" })
}

// planOrderAll is planOrder over offices, departments and call centers:
// refs holds each key's references, known reports whether a key outside
// refs exists in the state, and kindOf names a key's kind in errors.
func planOrderAll(refsOf map[string][]string, known func(string) bool, kindOf func(string) string) ([]ordered, error) {
	keys := make([]string, 0, len(refsOf))
	for k := range refsOf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Offices are numbered in key order, so the smallest number is the
	// smallest key.
	num := make(map[string]int32, len(keys))
	for i, k := range keys {
		num[k] = int32(i)
	}

	allRefs := make([][]string, len(keys))  // i → References() of office i
	deps := make([][]int32, len(keys))      // i → offices of the config i refers to
	referrers := make([][]int32, len(keys)) // i → offices that refer to i
	waiting := make([]int32, len(keys))     // i → deps not yet placed
	for i, k := range keys {
		allRefs[i] = refsOf[k]
		for _, r := range allRefs[i] {
			if j, ok := num[r]; ok {
				deps[i] = append(deps[i], j)
				referrers[j] = append(referrers[j], int32(i))
				waiting[i]++
				continue
			}
			if !known(r) {
				return nil, fmt.Errorf("plan: %s %q refers to %s %q, which is neither in the config nor in the state", kindOf(k), k, kindOf(r), r)
			}
		}
	}

	ready := make(minHeap, 0, len(keys))
	for i := range keys {
		if waiting[i] == 0 {
			ready = append(ready, int32(i)) // ascending, hence already a heap
		}
	}
	order := make([]ordered, 0, len(keys))
	for len(ready) > 0 {
		i := ready.pop()
		order = append(order, ordered{key: keys[i], refs: allRefs[i]})
		for _, r := range referrers[i] {
			waiting[r]--
			if waiting[r] == 0 {
				ready.push(r)
			}
		}
	}
	if len(order) < len(keys) {
		return nil, cycleError(keys, deps, waiting, kindOf)
	}
	return order, nil
}

// cycleError names one reference cycle among the offices Kahn's algorithm
// could not place (those still waiting), and how many more it blocks.
func cycleError(keys []string, deps [][]int32, waiting []int32, kindOf func(string) string) error {
	stuck := 0
	first := int32(-1)
	for i := range keys {
		if waiting[i] > 0 {
			stuck++
			if first < 0 {
				first = int32(i)
			}
		}
	}
	// Every stuck office refers to a stuck office, so walking references
	// from the first stuck one must come back to one already seen.
	seen := map[int32]int{}
	var path []string
	for i := first; ; {
		if at, ok := seen[i]; ok {
			path = append(path[at:], keys[i])
			break
		}
		seen[i] = len(path)
		path = append(path, keys[i])
		for _, d := range deps[i] {
			if waiting[d] > 0 {
				i = d
				break
			}
		}
	}
	what := "office"
	for _, k := range path {
		if kindOf(k) != "office" {
			what = "one"
		}
	}
	msg := fmt.Sprintf("plan: reference cycle: %s (each %s refers to the next)", strings.Join(path, " → "), what)
	if n := stuck - (len(path) - 1); n > 0 {
		more := "office(s)"
		if what != "office" {
			more = "key(s)"
		}
		msg += fmt.Sprintf("; %d more %s wait on it", n, more)
	}
	return errors.New(msg)
}

// minHeap is a binary min-heap of office numbers.
type minHeap []int32

func (h *minHeap) push(x int32) {
	*h = append(*h, x)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent] <= s[i] {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

func (h *minHeap) pop() int32 {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(s) && s[l] < s[small] {
			small = l
		}
		if r < len(s) && s[r] < s[small] {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*h = s
	return top
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
