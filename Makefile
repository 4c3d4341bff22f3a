# officectl — build, test, bench, demo. `make test` is what CI runs.
GO      ?= go
BIN     ?= ./officectl
PKGS    := ./...

.PHONY: build test test-short bench fmt vet demo reliability fuzz clean facts

build:
	$(GO) build -o $(BIN) .

# The whole suite: unit, golden, simulator and end-to-end CLI tests, with
# the race detector, plus a short pass over every fuzz corpus (the seeds).
# Each step says what it does as it starts; go test prints a line per
# package as it ends (internal/testprogress), and the packages still
# running every minute.
test: vet
	@echo "== go test -race ./... (links the test binaries, then a line per package as it ends)"
	@$(GO) run ./internal/testprogress $(GO) test -race -count=1 $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

# Go benchmarks (validate 1k/10k files, plan 10k, state encode/save), then
# the bench table (docs/performance.md): BENCH_N=10000 BENCH_RUNS=1;
# BENCH_ROWS=6,8,9 runs only those rows (requests against their minimum).
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x ./engine/... ./state
	./testdata/bench/run.sh

# The facts of Dialpad's API reference (../shared/reference, beside the
# repository) that the conformance tests and the simulator check against.
facts:
	$(GO) generate ./offices/officestest/specfacts

fmt:
	gofmt -w $$(git ls-files '*.go')

# go vet and staticcheck type-check the packages with -race, as go test
# -race compiles them: the three share one compilation of every package.
RACEFLAGS := $(strip $(shell $(GO) env GOFLAGS) -race)

vet:
	@echo "== gofmt -l"
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	@echo "== building staticcheck (go tool, pinned in go.mod) and, beside it, officectl without -race (the tests run it as a process)"
	@$(GO) tool -n staticcheck > /dev/null & sc=$$!; $(GO) build -o /dev/null . || { wait $$sc; exit 1; }; wait $$sc
	@echo "== go vet -race ./... (compiles every package with the race detector first, for go test too)"
	@$(GO) vet -race $(PKGS)
	@echo "== staticcheck ./..."
	@sc=$$($(GO) tool -n staticcheck) && GOFLAGS="$(RACEFLAGS)" $$sc $(PKGS)

# The reliability suite: the full chaos run (1,000 offices, faults, 100 ms
# latency, three SIGKILLs; make test runs a short variant of it), then the
# crash and concurrency tests: SIGKILL during a state save, a state cut at
# every byte offset or with a byte flipped, two processes after one lock,
# and the apply binary killed, interrupted and locked out; then the
# hostile-API run: bad and duplicate ids, endless cursors, huge
# Retry-After, connection refused, a signal while requests queue.
reliability:
	OFFICECTL_RELIABILITY=long $(GO) test -count=1 -run 'TestReliability' -timeout 30m -v .
	$(GO) test -count=1 -v -run 'TestSaveKilled|TestLoadRefuses|TestLockExcludesProcesses|TestLockHeldByOtherProcess|TestStoreConcurrentUpdates' ./state
	$(GO) test -count=1 -v -run 'TestApplyCLI' .
	$(GO) test -count=1 -v -run 'TestHostileAPI' ./offices ./engine

demo: build
	./testdata/demo/run.sh

clean:
	rm -f $(BIN)
