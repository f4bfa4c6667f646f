# postern: build, test and demo. CI runs `make check` (.ci/run).
SHELL := /bin/bash
# Swift lives in /opt/swift on the build machines; a swift already on PATH wins.
export PATH := $(PATH):/opt/swift/usr/bin

# `check` lists its steps in order; they must not run side by side.
.NOTPARALLEL:
.PHONY: deps build test-unit test-e2e check demo demo-stop fuzz-build fuzz fuzz-check bench

deps:           ## Debian packages, role users (needs root; idempotent)
	scripts/install-deps.sh

build:          ## debug build of every executable into .build/debug
	swift build

test-unit:      ## XCTest suites
	swift test

test-e2e:       ## the real daemon against real Dovecot and Postfix on loopback (needs root, a build)
	python3 -m pytest -q Tests/e2e

check: deps build test-unit test-e2e fuzz-check

# libFuzzer targets (Fuzz/, a package of their own so that a plain `swift build` never links
# them). One build for all, in its own scratch path; each run starts from a copy of the seed
# corpus, and a crash leaves its input in fuzz-artifacts/TARGET/ and fails the target.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := FuzzIMAP FuzzPOP3 FuzzSMTP FuzzSASL FuzzCredentials FuzzIPC
FUZZ_SWIFTFLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xswiftc -parse-as-library

fuzz-build:     ## the fuzz targets, optimised, with libFuzzer and ASan, into .build-fuzz/release
	swift build -c release --package-path Fuzz --scratch-path $(CURDIR)/.build-fuzz $(FUZZ_SWIFTFLAGS)

fuzz: fuzz-build  ## each fuzz target for FUZZ_SECONDS (300) seconds
	Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-check: fuzz-build  ## each fuzz target for 30 seconds (part of `check`)
	Fuzz/run.sh 30 $(FUZZ_TARGETS)

demo: deps build  ## Dovecot + postern on 127.0.0.1 in demo-run/; prints the curl command
	scripts/demo.sh

demo-stop:
	scripts/demo.sh stop

# SPEC §9's figures, measured from outside the processes, beside the budget; nginx's mail
# proxy measured the same way. A release build (figures of a debug build mean nothing).
# Exit 0 whether or not a budget is met. E.g. make bench BENCH_ARGS="--sessions 2000".
BENCH_ARGS ?=
bench: deps     ## performance figures of a release build beside SPEC §9's budget (needs root)
	swift build -c release
	POSTERN_BIN_DIR=$(CURDIR)/.build/release python3 scripts/bench.py $(BENCH_ARGS)
