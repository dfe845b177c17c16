#!/usr/bin/env bash
# The porting path on real public C programs: clang-19 object -> `ebpf-dsl disasm` ->
# `ebpf-dsl asm --elf`, both objects compared with BPF_PROG_TEST_RUN on packets (through
# bpftool). Fetches Debian's linux-source-6.12 once into target/porting/ (GPL, never committed).
#
#   sudo tools/porting/run.sh       # writes tools/porting/results/summary.md
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")" && pwd)/porting.py" "$@"
