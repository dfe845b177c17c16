#!/usr/bin/env bash
# Real clang-compiled XDP / tc / socket-filter programs (xdp-tools, xdp-tutorial, bpf-examples,
# katran, Suricata at pinned commits: programs.list): for every entry point, `ebpf-dsl check`
# (our ELF reader + static verifier) against the running kernel's verdict. Writes
# results/summary.md and results/programs.csv. Then mutants.py: every entry point both accept,
# as text with one safety check deleted, through both verifiers (results/mutants.md, .csv).
#
#   sudo tools/real-programs/run.sh
#   REAL_PROGRAMS_GIT_URL='/srv/git/{owner}/{repo}.git' tools/real-programs/run.sh  # mirror
#   REAL_PROGRAMS_ONLY=katran tools/real-programs/run.sh                            # a subset
#   REAL_PROGRAMS_MUTANTS=0 tools/real-programs/run.sh                              # no mutants
#   REAL_PROGRAMS_CFLAGS='-mcpu=v4' tools/real-programs/run.sh     # a compiler variant: flags
#   REAL_PROGRAMS_CLANG=clang-16 tools/real-programs/run.sh        # after the project's; clang
#     # its objects in $REAL_PROGRAMS_CACHE/variants/SLUG/obj, its results (unless
#     # REAL_PROGRAMS_RESULTS says where) in $REAL_PROGRAMS_CACHE/variants/SLUG/results
#
# Needs root (BPF_PROG_LOAD), git, python3, clang-19, llvm-objdump-19, cc, libbpf-dev,
# linux-libc-dev. The fetched sources (GPL and others) and the objects stay in the cache
# ($REAL_PROGRAMS_CACHE, default target/real-programs/) and are never committed.
# Exit status 1 if there is a false accept, 2 if no repository could be fetched.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export REAL_PROGRAMS_CACHE="${REAL_PROGRAMS_CACHE:-$repo/target/real-programs}"
# A compiler variant (another clang, flags after each project's own: the last -mcpu / -O
# wins) is kept apart from the main run: its own objects and, by default, results directory.
if [ -n "${REAL_PROGRAMS_CFLAGS:-}" ] || [ -n "${REAL_PROGRAMS_CLANG:-}" ]; then
    slug="$(printf '%s' "${REAL_PROGRAMS_CLANG:-clang-19} ${REAL_PROGRAMS_CFLAGS:-}" |
            tr -cs 'A-Za-z0-9.=-' '_' | sed 's/_$//')"
    export REAL_PROGRAMS_OBJ="$REAL_PROGRAMS_CACHE/variants/$slug/obj"
    export REAL_PROGRAMS_RESULTS="${REAL_PROGRAMS_RESULTS:-$REAL_PROGRAMS_CACHE/variants/$slug/results}"
    if [ "$(realpath -m "$REAL_PROGRAMS_RESULTS")" = "$here/results" ]; then
        echo "a compiler variant's results would replace the main ones in $here/results:" \
             "give REAL_PROGRAMS_RESULTS another directory" >&2
        exit 2
    fi
    echo "compiler variant $slug: objects in $REAL_PROGRAMS_OBJ, results in $REAL_PROGRAMS_RESULTS"
fi
export REAL_PROGRAMS_RESULTS="${REAL_PROGRAMS_RESULTS:-$here/results}"
start=$(date +%s)
mkdir -p "$REAL_PROGRAMS_CACHE"
cc -O1 -Wall -o "$REAL_PROGRAMS_CACHE/kload" "$here/kload.c" -lbpf
(cd "$repo" && cargo build -q -p ebpf-dsl-cli)
export KLOAD="$REAL_PROGRAMS_CACHE/kload"
# EBPF_DSL: another build of the CLI to measure (a copy kept while the tree changes).
export EBPF_DSL="${EBPF_DSL:-${CARGO_TARGET_DIR:-$repo/target}/debug/ebpf-dsl}"
status=0
python3 "$here/run.py" || status=$?
[ "$status" = 2 ] && exit 2  # nothing fetched: the committed results stay
# The mutants (one safety check deleted) of what both accept; REAL_PROGRAMS_MUTANTS=0 skips.
if [ "${REAL_PROGRAMS_MUTANTS:-1}" != 0 ]; then
    python3 "$here/mutants.py" || status=1
fi
echo "results: $REAL_PROGRAMS_RESULTS/summary.md, programs.csv, mutants.md, mutants.csv ($(( $(date +%s) - start )) s in all)"
exit $status
