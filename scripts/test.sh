#!/usr/bin/env bash
# The README's "set up and test" command: sets everything up, then runs the whole test suite:
# unit tests, lab tests with real KVM (inside the KVM lab where there is no /dev/kvm), and the
# benchmarks, which print "BENCH <name> <value> <unit>" lines. Exits non-zero if anything failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$("$root/scripts/bootstrap.sh")
cd "$root"

status=0
echo "== unit tests" >&2
ctest --test-dir "$build" -LE lab --output-on-failure --timeout 600 || status=1

echo "== lab tests (real KVM)" >&2
tests/lab/run ctest --test-dir "$build" -L lab --output-on-failure --timeout 1200 || status=1

echo "== benchmarks" >&2
tests/bench/run "$build" || status=1

exit $status
