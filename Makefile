# The one test command: installs what the suite needs (as root), vets, and runs
# every test with -race on SQLite and PostgreSQL, browser tests included.
GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

.PHONY: test deps vet demo fuzz bench

# Two go tests run side by side. The browser tests spend most of their time
# waiting for Chromium rather than on the CPU, so they run in a go test of
# their own (every package that has them); the other tests of every package
# run in the second, the two longest packages first (go test starts packages
# in the order given, two at a time on two cores). The browser tests' output
# follows the rest; either failing fails the target.
BROWSER_PKGS = $(sort $(dir $(shell grep -rl '^func TestBrowser' --include=*_test.go ./internal ./cmd)))
TEST_FLAGS = -race -count=1 -timeout 40m

test: deps vet
	@log=$$(mktemp); \
	go test $(TEST_FLAGS) -run '^TestBrowser' $(BROWSER_PKGS) >$$log 2>&1 & browser=$$!; \
	go test $(TEST_FLAGS) -skip '^TestBrowser' ./internal/web/ ./cmd/portico/ ./...; rest=$$?; \
	wait $$browser; brc=$$?; \
	echo "browser tests:"; cat $$log; rm -f $$log; \
	test $$rest -eq 0 -a $$brc -eq 0

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
