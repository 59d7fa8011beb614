# cachesim — make targets. `make test` is what CI runs.
GO ?= go
BIN := bin/cachesim
# staticcheck at a pinned version: `go run` fetches it through the module
# proxy on first use (.ci/run installs it up front), so a machine with only
# Go installed runs the same checks.
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: build test bench fuzz run fmt vet lint clean pgo

build:
	$(GO) build -o $(BIN) ./cmd/cachesim

# go vet and staticcheck, then every test with the race detector, then the
# packages whose slow single-goroutine tests (reference replays, long
# randomised comparisons) skip themselves under it, again without it.
test:
	$(GO) vet ./...
	$(STATICCHECK) ./...
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./policy ./sim

# Replay throughput and the other benchmarks (see README, Performance).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each trace parser's fuzz target for FUZZTIME (default 1m); `make test`
# runs only their seed corpora. Failures are saved under traces/testdata/fuzz.
# A run that ends with "context deadline exceeded" and no failing input is
# the fuzzer's own time-out at the end of FUZZTIME (golang/go#75804), not a
# crasher, and passes: `make fuzz` fails only when an input is found.
FUZZTIME ?= 1m
FUZZ_TARGETS := $(shell grep -ho '^func Fuzz[A-Za-z0-9]*' traces/*_test.go | cut -c6-)
fuzz:
	@log=$$(mktemp); trap 'rm -f $$log' EXIT; \
	for t in $(FUZZ_TARGETS); do \
		echo "fuzzing $$t for $(FUZZTIME)"; \
		$(GO) test ./traces -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) >$$log 2>&1; rc=$$?; cat $$log; \
		if [ $$rc -ne 0 ]; then \
			if grep -q 'Failing input written to' $$log || ! grep -q 'context deadline exceeded' $$log; then exit 1; fi; \
			echo "$$t: no crasher found (the deadline error is golang/go#75804)"; \
		fi; \
	done

# cmd/cachesim/default.pgo is the CPU profile the Go compiler optimises the
# binary with (profile-guided optimisation, on by default for a main
# package: hot calls inlined past the usual budget, hot interface calls
# devirtualised; 3-7% off the sweeps, replays and curves of the
# Performance section, measured in alternating runs). `make pgo` remakes it from those workloads, on
# inputs made from ../shared/traces, with a binary built without it.
# Remake it when the hot paths change; a stale profile only optimises less.
TRACES ?= ../shared/traces
PGO_RUNS ?= 3
pgo:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(GO) build -pgo=off -o $$tmp/cachesim ./cmd/cachesim; cs=$$tmp/cachesim; \
	for i in $$(seq 50); do cat $(TRACES)/cloudPhysicsIO.oracleGeneral.bin; done >$$tmp/cp50.oracleGeneral.bin; \
	for i in $$(seq 50); do cat $(TRACES)/cloudPhysicsIO.txt; done >$$tmp/cp50.txt; \
	$$cs convert $(TRACES)/oltp.gz $$tmp/oltp.oracleGeneral.bin --to oracleGeneral 2>/dev/null; \
	$$cs convert $(TRACES)/p3.gz $$tmp/p3.oracleGeneral.bin --to oracleGeneral 2>/dev/null; \
	n=0; run() { n=$$((n+1)); echo "profiling: cachesim $$*"; CACHESIM_CPUPROFILE=$$tmp/$$n.prof $$cs "$$@" >/dev/null 2>&1; }; \
	for r in $$(seq $(PGO_RUNS)); do \
		run sweep $$tmp/oltp.oracleGeneral.bin --policy lru,fifo,lfu,clock,sieve,arc,s3fifo,lirs,slru,twoq --sizes 250,500,1000,2000,5000,10000 --format csv; \
		run sweep $$tmp/p3.oracleGeneral.bin --policy lru,fifo,lfu,arc --sizes 25000,100000,200000,600000 --format csv; \
		run replay $$tmp/cp50.oracleGeneral.bin --policy lru --size 10000; \
		run replay $$tmp/cp50.txt --policy lru --size 10000; \
		run mrc $$tmp/p3.oracleGeneral.bin; \
		run sweep --policy lru,lfu --sizes 50:500:50; \
	done; \
	$(GO) tool pprof -proto $$tmp/*.prof >$$tmp/default.pgo 2>/dev/null; \
	mv $$tmp/default.pgo cmd/cachesim/default.pgo; echo "wrote cmd/cachesim/default.pgo"

# The main job on the built-in default workload.
run:
	$(GO) run ./cmd/cachesim sweep --policy lru,lfu --sizes 50:500:50

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

lint: vet
	$(STATICCHECK) ./...

clean:
	rm -rf bin
