# The one test command: installs what the suite needs (as root), vets, and runs
# every test with -race on SQLite and PostgreSQL, browser tests included.
GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

.PHONY: test deps vet demo fuzz bench

# The two longest packages are named first so that they start first: go test
# runs packages in the order given, two at a time on two cores, and the web
# package alone takes most of the run.
test: deps vet
	go test -race -count=1 -timeout 40m ./internal/web/ ./cmd/portico/ ./...

deps:
	./scripts/install-deps.sh

# vet also fails when go.mod or go.sum is not tidy (a direct import listed as
# indirect, a module no longer used).
vet:
	go mod tidy -diff
	go vet ./...
	staticcheck ./...

demo:
	go run ./cmd/portico demo

# bench fills the load-test tenant at 100k and 1M protocols on SQLite and
# PostgreSQL (kept in ./bench-data, so a re-run skips filling), serves each and
# prints one table of every portal page against a bare net/http page. Knobs:
# BENCH_ENGINES, BENCH_SIZES, BENCH_DURATION, BENCH_CONNECTIONS (scripts/bench.sh).
bench:
	./scripts/bench.sh

# fuzz runs every fuzz target for FUZZTIME each, one target per go test (the
# only way go test fuzzes), one after another. A crasher is written to the
# package's testdata/fuzz/<Target>/ and fails the run. Go 1.26 can end a
# clean run with a bare "context deadline exceeded" (golang/go#75804): that,
# with no crasher written, is reported and the run goes on.
FUZZTIME ?= 60s

fuzz:
	@list=$$(go test -list '^Fuzz' ./...) || { echo "$$list"; exit 1; }; \
	echo "$$list" | awk '/^Fuzz/ { names = names " " $$1 } /^ok/ { n = split(names, a, " "); for (i = 1; i <= n; i++) print $$2, a[i]; names = "" }' | \
	while read -r pkg name; do \
		echo "== $$name in $$pkg for $(FUZZTIME)"; \
		out=$$(go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg" 2>&1); \
		echo "$$out" | grep '^fuzz: elapsed' | tail -n 1; echo "$$out" | grep -v '^fuzz: elapsed'; \
		if echo "$$out" | grep -q '^ok'; then continue; fi; \
		if echo "$$out" | grep -q '^    context deadline exceeded$$' && \
			! echo "$$out" | grep -q -e 'Failing input written' -e '_test.go:[0-9]'; then \
			echo "$$name: no crasher; Go stopped at its deadline (golang/go#75804)"; continue; fi; \
		exit 1; \
	done
