#!/usr/bin/env bash
# Shows one converted case and runs it through `ebpf-dsl check` and `ebpf-dsl load` (root):
#
#   tools/verifier-selftests/case.sh verifier_scalar_ids/linked_regs_bpf_k
#   VERIFIER_SELFTESTS_SOURCE=linux-source-7.2 tools/verifier-selftests/case.sh verifier_subreg/arsh_31_and
#
# Run run.sh (or convert.py) first. The CLI's --map has no flags field and `load` sets no
# prog flags, so a case with map flags or __flag(...) (see the manifest) can differ from the
# test's verdict there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${VERIFIER_SELFTESTS_CACHE:-$repo/target/verifier-selftests}"
source="${VERIFIER_SELFTESTS_SOURCE:-linux-source-6.12}"
# another source than the default has its own subdirectory of the cache (as in convert.py)
[ "$source" = linux-source-6.12 ] || cache="$cache/$source"
manifest="$cache/corpus/manifest.tsv"
if [ $# -ne 1 ] || [[ "$1" != */* ]]; then
  echo "usage: $0 SUITE/CASE (e.g. verifier_and/invalid_and_of_negative_number)" >&2
  exit 2
fi
[ -f "$manifest" ] || { echo "no $manifest: run $here/run.sh first" >&2; exit 2; }
suite="${1%%/*}"
name="${1#*/}"
get() { awk -F'\t' -v s="$suite" -v c="$name" -v k="$1" '$1 == s && $2 == c { print $k }' "$manifest"; }
[ -n "$(get 2)" ] || { echo "no case $1 in $manifest" >&2; exit 2; }
reason="$(get 12)"
if [ -n "$reason" ]; then
  echo "$1: not expressible: $reason"
  exit 0
fi
ptype="$(get 3)"
file="$cache/corpus/$(get 10)"
map_args=()
for m in $(get 9); do
  map_args+=(--map "${m%:*}") # NAME:TYPE:KEY:VALUE:ENTRIES (the flags field dropped)
done
echo "== $file (type $ptype, prog flags $(get 5), maps: $(get 9), annotation: $(get 6))"
cat "$file"
cd "$repo"
echo "== ebpf-dsl check"
cargo run -q --bin ebpf-dsl -- check "$file" --type "$ptype" "${map_args[@]}" || true
echo "== ebpf-dsl load"
cargo run -q --bin ebpf-dsl -- load "$file" --type "$ptype" "${map_args[@]}" || true
