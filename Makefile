# postern: build, test and demo. CI runs `make check` (.ci/run).
SHELL := /bin/bash
# Swift lives in /opt/swift on the build machines; a swift already on PATH wins.
export PATH := $(PATH):/opt/swift/usr/bin

# `check` lists its steps in order; they must not run side by side.
.NOTPARALLEL:
.PHONY: deps build test-unit test-e2e check demo demo-stop fuzz-build fuzz fuzz-check fuzz-merge bench soak deb test-package

deps:           ## Debian packages, role users (needs root; idempotent)
	scripts/install-deps.sh

build:          ## debug build of every executable into .build/debug
	swift build

test-unit:      ## XCTest suites
	swift test

test-e2e:       ## the real daemon against real Dovecot and Postfix on loopback (needs root, a build)
	python3 -m pytest -q Tests/e2e

check: deps build test-unit test-e2e test-package fuzz-check

# The Debian package (packaging/): a static-stdlib release build in .build-deb, dpkg-buildpackage,
# then lintian (no error, no warning). The version comes from packaging/debian/changelog.
DEB_VERSION = $(shell dpkg-parsechangelog -l packaging/debian/changelog -S Version 2>/dev/null)
DEB_FILE = dist/postern_$(DEB_VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb

deb:            ## dist/postern_<version>_amd64.deb, checked by lintian
	packaging/build-deb.sh $(CURDIR)/dist

# Installs the package on this machine, runs the daemon as the unit would, reinstalls, removes and
# purges it (purged even when a test fails). After test-e2e: it must not share the machine with it.
test-package: deb  ## the package installed, run, upgraded in place, removed and purged (needs root)
	POSTERN_DEB=$(CURDIR)/$(DEB_FILE) python3 -m pytest -q Tests/e2e/test_package.py

# libFuzzer targets (Fuzz/, a package of their own so that a plain `swift build` never links
# them). One build for all, in its own scratch path; each run starts from a copy of the seed
# corpus, and a crash leaves its input in fuzz-artifacts/TARGET/ and fails the target.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := FuzzIMAP FuzzPOP3 FuzzSMTP FuzzSASL FuzzCredentials FuzzIPC FuzzRADIUS FuzzDNMapping FuzzPortal
FUZZ_SWIFTFLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xswiftc -parse-as-library

fuzz-build:     ## the fuzz targets, optimised, with libFuzzer and ASan, into .build-fuzz/release
	swift build -c release --package-path Fuzz --scratch-path $(CURDIR)/.build-fuzz $(FUZZ_SWIFTFLAGS)

fuzz: fuzz-build  ## each fuzz target for FUZZ_SECONDS (300) seconds
	Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-check: fuzz-build  ## each fuzz target for 30 seconds (part of `check`)
	Fuzz/run.sh 30 $(FUZZ_TARGETS)

# Grows the seed corpora in the repository: each target for FUZZ_SECONDS, then what it found
# that adds coverage merged into Fuzz/corpus/TARGET (libFuzzer -merge=1), ready to commit.
fuzz-merge: fuzz-build  ## each fuzz target for FUZZ_SECONDS, its finds merged into Fuzz/corpus
	Fuzz/run.sh --merge $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: deps build  ## Dovecot + postern on 127.0.0.1 in demo-run/; prints the curl command
	scripts/demo.sh

demo-stop:
	scripts/demo.sh stop

# SPEC §9's figures, measured from outside the processes, beside the budget; nginx's mail
# proxy measured the same way. A release build (figures of a debug build mean nothing).
# Exit 0 whether or not a budget is met. E.g. make bench BENCH_ARGS="--sessions 2000".
# The bench ends with a short soak (memory per role after 10,000 connections of warm-up);
# `make soak` runs the long one: 100,000 connections of nine kinds after the warm-up.
BENCH_ARGS ?=
SOAK_ARGS ?= --per-kind 1000 --no-penalty-wait
bench: deps     ## performance figures of a release build beside SPEC §9's budget (needs root)
	swift build -c release
	POSTERN_BIN_DIR=$(CURDIR)/.build/release python3 scripts/bench.py $(BENCH_ARGS)
	POSTERN_BIN_DIR=$(CURDIR)/.build/release python3 scripts/soak.py $(SOAK_ARGS)

soak: deps      ## memory, descriptors and tables of every role over 100,000 connections (needs root)
	swift build -c release
	POSTERN_BIN_DIR=$(CURDIR)/.build/release python3 scripts/soak.py
