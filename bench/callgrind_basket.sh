#!/bin/bash
# The verifier's deterministic cost on six real entry points: callgrind's instruction count
# inside `verify_trusting` (the static verifier alone: no process start, ELF reader or BTF),
# per entry point and in total, with our statistics beside each so that a change of cost can
# be told from a change of work. Used by BENCHMARKS.md's verify-real sections ("the
# six-program basket") to measure changes of a few percent that wall time on a shared machine
# cannot see.
#
#   bench/callgrind_basket.sh [EBPF_DSL] [OBJ_DIR]
#
# EBPF_DSL: the CLI (default target/release/ebpf-dsl: `cargo build --release -p
# ebpf-dsl-cli`); OBJ_DIR: the real-program corpus' built objects (default
# target/real-programs/obj: `tools/real-programs/run.sh` builds them). Needs valgrind and the
# running kernel's BTF (/sys/kernel/btf/vmlinux). An object missing from OBJ_DIR is reported
# and left out of the total.
set -u
cd "$(dirname "$0")/.."
BIN=${1:-target/release/ebpf-dsl}
OBJ=${2:-target/real-programs/obj}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$BIN: no such program (cargo build --release -p ebpf-dsl-cli)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
total=0
for spec in "xdp-tools__xdp-filter-alw-all.o xdpfilt_alw_all xdp" \
            "bpf-examples__preserve-dscp.o read_dscp sched_cls" \
            "katran__balancer.o balancer_ingress xdp" \
            "loxilb__tc-main.o tc_csum_func1 sched_cls" \
            "xdp-tools__xdp-forward.o xdp_fwd_fib_full xdp" \
            "selftests__test-cls-redirect.o cls_redirect sched_cls"; do
  set -- $spec
  if [ ! -f "$OBJ/$1" ]; then echo "missing $OBJ/$1"; continue; fi
  valgrind --tool=callgrind --toggle-collect='*verify_trusting*' \
      --callgrind-out-file="$work/cg" "$BIN" check "$OBJ/$1" --section "$2" --type "$3" \
      --kernel 6.18 --btf /sys/kernel/btf/vmlinux --stats >"$work/out" 2>&1
  ir=$(grep -m1 "^summary:\|^totals:" "$work/cg" | awk '{print $2}')
  stats=$(grep -o "processed [0-9]* insns, [0-9]* states, [0-9]* pruned" "$work/out")
  printf "%-45s %12d  %s\n" "$1:$2" "$ir" "$stats"
  total=$((total + ir))
done
echo "TOTAL $total"
