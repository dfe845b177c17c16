#!/usr/bin/env bash
# The kernel's older verifier tests (test_verifier's tools/testing/selftests/bpf/verifier/*.c,
# socket/xdp/tc tests) against our static verifier, with the running kernel's verdict as ground
# truth. Writes results/legacy/summary.md and cases.csv (results/SOURCE/legacy/ for another
# source than linux-source-6.12).
#
#   sudo tools/verifier-selftests/legacy/run.sh
#
# Needs root (BPF_PROG_LOAD), python3, a C compiler (cc: the dumper is compiled against the
# extracted tree), apt-get + dpkg-deb, xz, llvm-mc-19. The kernel source and everything
# converted from it stay in the cache (target/verifier-selftests/legacy/, or
# $VERIFIER_SELFTESTS_CACHE/legacy/): GPL, never committed. Exit status 1 on a false accept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
source="${VERIFIER_SELFTESTS_SOURCE:-linux-source-6.12}"
export VERIFIER_SELFTESTS_SOURCE="$source"
export VERIFIER_SELFTESTS_CACHE="${VERIFIER_SELFTESTS_CACHE:-$repo/target/verifier-selftests}"
if [ "$source" = linux-source-6.12 ]; then
    results="$(cd "$here/.." && pwd)/results/legacy"
    cache="$VERIFIER_SELFTESTS_CACHE/legacy"
else
    results="$(cd "$here/.." && pwd)/results/$source/legacy"
    cache="$VERIFIER_SELFTESTS_CACHE/$source/legacy"
fi
export VERIFIER_SELFTESTS_RESULTS="${VERIFIER_SELFTESTS_RESULTS:-$results}"
export VERIFIER_SELFTESTS_CORPUS="$cache/corpus"
start=$(date +%s)
python3 "$here/legacy.py"
mkdir -p "$VERIFIER_SELFTESTS_RESULTS"
cd "$repo"
status=0
cargo test -q -p workspace-tests --test verifier_selftests -- --nocapture || status=$?
echo "results: $VERIFIER_SELFTESTS_RESULTS/summary.md, cases.csv ($(( $(date +%s) - start )) s in all)"
exit $status
