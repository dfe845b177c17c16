#!/usr/bin/env bash
# The state oracle over the 2^29 offset fuzzer's programs: every exactness mark of ours
# (`ebpf_dsl::verifier::exact`) compared with the kernel's bounds at the same states.
#
#   sudo tools/state-compare/fuzz_exact.sh DIR [SEED] [PROGRAMS]
#
# Writes the programs (`OFFSET_FUZZ_DUMP`), each one's kernel level-2 log (`ebpf-dsl load
# --verbose`) and our states (`ebpf-dsl check --kernel 6.18 --dump-states`) into DIR, then runs
# `compare.py --dir DIR --exact` (exit status 1 on an (X) or (A) report). Needs root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="$1"
seed="${2:-1}"
count="${3:-2000}"
mkdir -p "$dir"
cd "$repo"
cargo build -q -p ebpf-dsl-cli
OFFSET_FUZZ_DUMP="$dir" OFFSET_FUZZ_SEED="$seed" OFFSET_FUZZ_PROGRAMS="$count" \
    cargo test -q --release -p workspace-tests --test verifier_offset_fuzz >/dev/null || true
bin="$repo/target/debug/ebpf-dsl"
for s in "$dir"/*.s; do
    n="${s%.s}"
    "$bin" load --map m:array:4:16:1 --verbose "$s" >"$n.s.klog" 2>&1 || true
    "$bin" check --kernel 6.18 --map m:array:4:16:1 "$s" --dump-states "$n.s.ours" >/dev/null 2>&1 || true
done
python3 "$here/compare.py" --dir "$dir" --exact
