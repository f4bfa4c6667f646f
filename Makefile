# postern: build, test and demo. CI runs `make check` (.ci/run).
SHELL := /bin/bash
# Swift lives in /opt/swift on the build machines; a swift already on PATH wins.
export PATH := $(PATH):/opt/swift/usr/bin

# `check` lists its steps in order; they must not run side by side.
.NOTPARALLEL:
.PHONY: deps build test-unit test-e2e check demo demo-stop

deps:           ## Debian packages, role users (needs root; idempotent)
	scripts/install-deps.sh

build:          ## debug build of every executable into .build/debug
	swift build

test-unit:      ## XCTest suites
	swift test

test-e2e:       ## the real daemon against a real Dovecot on loopback (needs root, a build)
	python3 -m pytest -q Tests/e2e

check: deps build test-unit test-e2e

demo: deps build  ## Dovecot + postern on 127.0.0.1 in demo-run/; prints the curl command
	scripts/demo.sh

demo-stop:
	scripts/demo.sh stop
