# cachesim — make targets. `make test` is what CI runs.
GO ?= go
BIN := bin/cachesim

.PHONY: build test bench run fmt vet clean

build:
	$(GO) build -o $(BIN) ./cmd/cachesim

# go vet, then every test with the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Replay throughput and the other benchmarks (see README, Performance).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The main job on the built-in default workload.
run:
	$(GO) run ./cmd/cachesim sweep --policy lru,lfu --sizes 50:500:50

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
