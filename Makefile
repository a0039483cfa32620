# The one test command: installs what the suite needs (as root), vets, and runs
# every test with -race on SQLite and PostgreSQL, browser tests included.
GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

.PHONY: test deps vet demo

test: deps vet
	go test -race -count=1 -timeout 25m ./...

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
