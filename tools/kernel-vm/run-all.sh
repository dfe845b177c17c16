#!/usr/bin/env bash
# The differential instruments on Debian's kernels in QEMU (run.sh): the rule cases, the
# verifier selftests (6.12 source) and the legacy test_verifier cases, per kernel package.
# Summaries go to tools/kernel-vm/results/PACKAGE/ (rules.txt: the rule cases' summary,
# `differs:` lines and false accepts; selftests.md and legacy.md: the selftests' summaries).
#
#   tools/kernel-vm/run-all.sh                       # the two packages measured (README.md)
#   tools/kernel-vm/run-all.sh linux-image-6.1.0-57-amd64
#
# The test binaries are built and the selftests converted on the host first (in the guest,
# under TCG, the conversion alone takes longer than every verdict). Exit status 1 if an
# instrument failed (a false accept) on some kernel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
[ $# -gt 0 ] || set -- linux-image-6.1.0-57-amd64 linux-image-6.12.118+deb12-amd64
cache="${VERIFIER_SELFTESTS_CACHE:-$repo/target/verifier-selftests}"
export VERIFIER_SELFTESTS_SOURCE=linux-source-6.12 VERIFIER_SELFTESTS_CACHE="$cache"
# Host side: the corpora (the converters' own caches make this quick after the first run).
VERIFIER_SELFTESTS_RESULTS="$repo/target/kernel-vm/host-convert" python3 tools/verifier-selftests/convert.py
VERIFIER_SELFTESTS_CORPUS="$cache/legacy/corpus" VERIFIER_SELFTESTS_RESULTS="$repo/target/kernel-vm/host-convert/legacy" \
    python3 tools/verifier-selftests/legacy/legacy.py
cargo test --release -j1 -p workspace-tests --test verifier_kernel_rules --no-run
cargo test -j1 -p workspace-tests --test verifier_selftests --no-run
status=0
for pkg in "$@"; do
    res="$here/results/$pkg"
    mkdir -p "$res"
    out="$repo/target/kernel-vm/out"
    KERNEL_VM_OUT="$out/rules-$pkg" "$here/run.sh" "$pkg" -- \
        cargo test --release -p workspace-tests --test verifier_kernel_rules -- --nocapture \
        > "$out/rules-$pkg.txt" 2>&1 || status=1
    grep -E '^(kernel |differs:|[^ ]+: (FALSE ACCEPT|we accept, not loadable)|skipped:|[0-9]+ kernel rule cases)' \
        "$out/rules-$pkg.txt" | sort -u > "$res/rules.txt" || true
    for kind in selftests legacy; do
        o="$out/$kind-$pkg"
        corpus=()
        [ "$kind" = legacy ] && corpus=("VERIFIER_SELFTESTS_CORPUS=$cache/legacy/corpus")
        KERNEL_VM_OUT="$o" KERNEL_VM_ENV="VERIFIER_SELFTESTS_SOURCE=linux-source-6.12 VERIFIER_SELFTESTS_CACHE=$cache ${corpus[*]} VERIFIER_SELFTESTS_RESULTS=$o/results" \
            "$here/run.sh" "$pkg" -- cargo test -q -p workspace-tests --test verifier_selftests -- --nocapture \
            > "$o.txt" 2>&1 || status=1
        cp "$o/results/summary.md" "$res/$kind.md" 2>/dev/null || echo "kernel-vm: no $kind summary for $pkg" >&2
    done
done
exit $status
