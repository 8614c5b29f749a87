#!/usr/bin/env bash
# Runs the test files under the given folders with node's test runner (Node 20's --test takes no
# globs, so the files are listed here). Without arguments: unit tests two files at a time, then
# contract, integration and e2e tests one file at a time, since those share one Docker engine and
# a 2-core machine and measure nothing by time, but do wait on leases and heartbeats.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
  local concurrency=$1; shift
  mapfile -t files < <(find "$@" -name '*.test.ts' 2>/dev/null | sort)
  [ ${#files[@]} -gt 0 ] || { echo "no test files under $*" >&2; return 1; }
  node --import tsx --test --test-concurrency="$concurrency" "${files[@]}"
}

if [ $# -gt 0 ]; then
  run "${TEST_CONCURRENCY:-2}" "$@"
else
  run "${TEST_CONCURRENCY:-2}" test/unit
  run "${TEST_CONCURRENCY:-1}" test/contract test/integration test/e2e test/faults
fi
