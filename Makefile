# officectl — build, test, bench, demo. `make test` is what CI runs.
GO      ?= go
BIN     ?= ./officectl
PKGS    := ./...

.PHONY: build test test-short bench fmt vet demo reliability fuzz clean

build:
	$(GO) build -o $(BIN) .

# The whole suite: unit, golden, simulator and end-to-end CLI tests, with
# the race detector, plus a short pass over every fuzz corpus (the seeds).
test: vet
	$(GO) test -race -count=1 $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

# Go benchmarks (validate 1k/10k files, plan 10k, state encode/save), then
# the bench table (see README "Performance"): BENCH_N=10000 BENCH_RUNS=1.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x ./engine ./state
	./testdata/bench/run.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

demo: build
	./testdata/demo/run.sh

clean:
	rm -f $(BIN)
