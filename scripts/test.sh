#!/usr/bin/env bash
# Runs the test files under the given folders (default: all of test/) with node's test runner.
# Node 20's --test takes no globs, so the files are listed here.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(test/unit test/contract test/integration test/e2e)
mapfile -t files < <(find "${dirs[@]}" -name '*.test.ts' 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under ${dirs[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" "${files[@]}"
