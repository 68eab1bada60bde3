# The two commands: `make run` and `make test`. Everything else here is what they need.
SHELL := /bin/bash
GO ?= go
export PATH := $(shell $(GO) env GOPATH)/bin:$(PATH)

.PHONY: run test setup assets generate check bench build clean db-stop chromium screenshots

## run: start the portal with demo data on http://localhost:8080
run: setup
	$(GO) build -o bin/portal ./cmd/portal
	PORTAL_DEMO=$${PORTAL_DEMO:-true} FILES_DIR=$${FILES_DIR:-.data/files} scripts/devdb.sh bin/portal serve --seed

## test: every test, against a throwaway PostgreSQL and headless Chromium (scripts/test.sh:
## the browser package first, the others beside it at a lower priority). The static checks run
## beside the tests at the lowest priority; their output is printed after the tests', and
## either failing fails the target.
test: setup chromium
	@log=$$(mktemp); { nice -n 15 $(MAKE) --no-print-directory check >"$$log" 2>&1; echo $$? >"$$log.rc"; } & \
	GO=$(GO) scripts/devdb.sh --stop-after scripts/test.sh; rc=$$?; wait; \
	echo "== make check"; cat "$$log"; crc=$$(cat "$$log.rc"); rm -f "$$log" "$$log.rc"; \
	[ "$$crc" = 0 ] || echo "make check failed"; [ "$$rc" = 0 ] && [ "$$crc" = 0 ]

## setup: front-end packages from npm, copied into assets/dist; Go modules
setup: assets
	$(GO) mod download

assets: node_modules/.package-lock.json
	$(GO) run ./assets/build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## chromium: Debian's Chromium headless shell for the browser tests, installed when missing
## (without root, an installed chromium serves, at more CPU)
chromium:
	@command -v chromium-headless-shell >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; \
	  elif command -v chromium >/dev/null; then echo "chromium-headless-shell is missing: the browser tests run in chromium" >&2; \
	  else echo "install Debian's chromium-headless-shell package (apt-get install chromium-headless-shell)" >&2; exit 1; fi; }

## generate: regenerate templ views (commit the *_templ.go files)
generate:
	$(GO) tool templ generate -path views

## check: formatting, freshness of generated views, vet, staticcheck
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'); echo "gofmt wants the files above reformatted"; exit 1; }
	@tmp=$$(mktemp -d) && cp -r views "$$tmp/" && $(GO) tool templ generate -path "$$tmp/views" >/dev/null 2>&1 \
	  && diff -r -q views "$$tmp/views" >/dev/null || { echo "views/*_templ.go are stale: run make generate"; rm -rf "$$tmp"; exit 1; }; rm -rf "$$tmp"
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## bench: request throughput against a raw net/http baseline in the same process (the first run
## also generates the big database of bench/bigdb_test.go, about 10 minutes: hence the timeout)
bench: setup
	scripts/devdb.sh --stop-after $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./bench/

## screenshots: the front page, login, overview, case page and the app's request card at
## 320 px and 1280 px in both languages, as PNGs in .screenshots/ (the layout test takes them)
screenshots: setup chromium
	SCREENSHOT_DIR=$(CURDIR)/.screenshots scripts/devdb.sh --stop-after $(GO) test -count=1 -run TestLayoutAtPhoneAndDesktop ./browser/

build: assets
	$(GO) build -o bin/portal ./cmd/portal

db-stop:
	@[ -f .pgdata/data/postmaster.pid ] && runuser -u postgres -- $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D .pgdata/data -m fast stop || true

clean:
	rm -rf bin node_modules assets/dist/*.css assets/dist/*.js
