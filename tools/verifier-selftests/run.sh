#!/usr/bin/env bash
# The kernel's verifier selftests (socket/xdp/tc cases) against our static verifier, with the
# running kernel's verdict as ground truth. Writes results/summary.md and results/cases.csv.
#
#   tools/verifier-selftests/run.sh            # fetch (once, ~150 MB, cached), convert, compare
#   VERIFIER_SELFTESTS_SOURCE=linux-source-7.2 tools/verifier-selftests/run.sh
#                                              # newer selftests: results/linux-source-7.2/
#   VERIFIER_SELFTESTS_MUTANTS=2 tools/verifier-selftests/run.sh
#                                              # mutants of the cases (mutants.py), at most 2 of
#                                              # each kind per case: results/mutants/
#
# Needs root (BPF_PROG_LOAD), python3, apt-get + dpkg-deb (Debian's linux-source-6.12, or the
# source package VERIFIER_SELFTESTS_SOURCE names: through apt when it has a candidate, else
# from Debian's pool by URL), xz, clang-19, llvm-mc-19, bpftool. The kernel source and
# everything converted from it stay in the cache ($VERIFIER_SELFTESTS_CACHE, default
# target/verifier-selftests/; another source than 6.12 in its own subdirectory): it is GPL and
# is never committed. Exit status 1 if there is a false accept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source="${VERIFIER_SELFTESTS_SOURCE:-linux-source-6.12}"
export VERIFIER_SELFTESTS_SOURCE="$source"
export VERIFIER_SELFTESTS_CACHE="${VERIFIER_SELFTESTS_CACHE:-$repo/target/verifier-selftests}"
if [ "$source" = linux-source-6.12 ]; then
    results="$here/results"
    cache="$VERIFIER_SELFTESTS_CACHE"
else
    results="$here/results/$source"
    cache="$VERIFIER_SELFTESTS_CACHE/$source"
fi
# VERIFIER_SELFTESTS_MUTANTS=N: mutants of the cases instead (mutants.py: at most N of each kind
# per case, seeded by VERIFIER_SELFTESTS_MUTANTS_SEED), results in results/.../mutants/.
if [ -n "${VERIFIER_SELFTESTS_MUTANTS:-}" ]; then
    results="$results/mutants"
    export VERIFIER_SELFTESTS_CORPUS="$cache/mutants"
fi
export VERIFIER_SELFTESTS_RESULTS="${VERIFIER_SELFTESTS_RESULTS:-$results}"
start=$(date +%s)
python3 "$here/convert.py"
if [ -n "${VERIFIER_SELFTESTS_MUTANTS:-}" ]; then
    python3 "$here/mutants.py"
fi
cd "$repo"
status=0
# A mutant run builds the test optimised: the mutants that make a loop unbounded take our
# verifier to its instruction limit, 10x faster in a release build.
profile=()
[ -z "${VERIFIER_SELFTESTS_MUTANTS:-}" ] || profile=(--release)
cargo test -q "${profile[@]}" -p workspace-tests --test verifier_selftests -- --nocapture || status=$?
echo "results: $VERIFIER_SELFTESTS_RESULTS/summary.md, cases.csv ($(( $(date +%s) - start )) s in all)"
exit $status
