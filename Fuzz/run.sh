#!/usr/bin/env bash
# Runs each fuzz target for a bounded time, one after the other (they share two cores).
# usage: Fuzz/run.sh [--merge] SECONDS TARGET...   (after `make fuzz-build`)
#
# Each target starts from a scratch copy of its seed corpus, Fuzz/corpus/TARGET, because
# libFuzzer adds what it finds to the corpus directory it is given and a run must not change
# the repository. A crash, leak, timeout or out-of-memory leaves the input in
# fuzz-artifacts/TARGET/ (git-ignored) and makes this script fail after all targets ran.
#
# --merge: after a clean run, what it found that adds coverage is merged into Fuzz/corpus/TARGET
# for committing (libFuzzer's -set_cover_merge=1: the inputs already there stay, and of the new
# ones a small set is added that covers the features they do not; -merge=1 adds about 1.5
# times as many). Never after a failed run.
set -uo pipefail

merge=false
if [ "${1:-}" = --merge ]; then
    merge=true
    shift
fi
seconds=${1:?usage: Fuzz/run.sh [--merge] SECONDS TARGET...}
shift
# ASan records a stack for every allocation, to report where freed or overflowed memory came
# from. Swift allocates constantly and that recording was a third of a dialogue target's time;
# the reproducing command below runs without this setting, with the full stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}
root=$(cd "$(dirname "$0")/.." && pwd)
binaries=$root/.build-fuzz/${FUZZ_CONFIGURATION:-release}
artifacts=$root/fuzz-artifacts
failed=()

for target in "$@"; do
    binary=$binaries/$target
    if [ ! -x "$binary" ]; then
        echo "fuzz: $binary is missing; run 'make fuzz-build' first" >&2
        exit 2
    fi
    corpus=$(mktemp -d "/tmp/postern-fuzz-$target.XXXXXX")
    cp -R "$root/Fuzz/corpus/$target/." "$corpus/"
    mkdir -p "$artifacts/$target"
    log=$artifacts/$target/last-run.log
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096
             -print_final_stats=1 -artifact_prefix="$artifacts/$target/")
    dictionary=$root/Fuzz/dictionaries/$target.dict
    [ -f "$dictionary" ] && options+=(-dict="$dictionary")

    echo "fuzz: $target for ${seconds}s (log: ${log#"$root"/})"
    started=$SECONDS
    # The Swift runtime's backtracer would hold a crashing process for minutes; libFuzzer must
    # see the signal itself to write the input out.
    SWIFT_BACKTRACE=enable=no "$binary" "${options[@]}" "$corpus" >"$log" 2>&1
    status=$?

    if [ "$status" -eq 0 ]; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        speed=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1)
        echo "fuzz: $target ok: ${runs:-?} inputs in $((SECONDS - started))s, ${speed:-exec/s: ?}, ${coverage:-cov: ?}"
        if $merge; then
            before=$(ls "$root/Fuzz/corpus/$target" | wc -l)
            if SWIFT_BACKTRACE=enable=no "$binary" -set_cover_merge=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
                    -artifact_prefix="$artifacts/$target/" "$root/Fuzz/corpus/$target" "$corpus" \
                    >"$artifacts/$target/last-merge.log" 2>&1; then
                echo "fuzz: $target merged: $before -> $(ls "$root/Fuzz/corpus/$target" | wc -l) inputs in Fuzz/corpus/$target"
            else
                failed+=("$target")
                echo "fuzz: $target merge FAILED; see ${artifacts#"$root"/}/$target/last-merge.log" >&2
            fi
        fi
        rm -rf "$corpus"
        continue
    fi
    rm -rf "$corpus"
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); the end of its log:" >&2
    grep -v '^#[0-9]' "$log" | tail -n 40 >&2
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ -n "$input" ]; then
        echo "fuzz: $target crashing input: ${input#"$root"/}" >&2
        echo "fuzz: reproduce with: SWIFT_BACKTRACE=enable=no ${binary#"$root"/} ${input#"$root"/}" >&2
    fi
done

# The closing line CI reads: targets that ran clean, and those that crashed.
echo "fuzz: $(( $# - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
