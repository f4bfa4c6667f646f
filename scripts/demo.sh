#!/usr/bin/env bash
# Starts a demo in demo-run/: a Dovecot with user "demo" and a welcome message, and postern
# in front of it on 127.0.0.1; prints the curl command that reads the mailbox through postern.
#   scripts/demo.sh         start (replacing a demo that is already running)
#   scripts/demo.sh stop    stop it
# Needs root (Dovecot's mail users; postern's role users) and a build (make build).
# The work is done by Tests/e2e/harness/demo.py, the same helpers the end-to-end tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHONPATH="$PWD/Tests/e2e${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m harness.demo "${1:-start}" "$PWD/demo-run"
