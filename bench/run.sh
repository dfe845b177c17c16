#!/usr/bin/env bash
# The benchmark, in one command (as root):   bench/run.sh
#
# Builds everything (cargo build --release, the C references with gcc -O2, the XDP programs
# with clang-19 -O2 -target bpf), makes its own two network namespaces joined by a veth pair,
# runs every workload with ours and the reference interleaved for ROUNDS rounds, writes
# bench/results/latest.{csv,json,md,svg} and prints the table of ratios. Cleans up on exit.
#
# Environment: ROUNDS (5), DURATION (10 s per AF_XDP run), WARMUP (1 s), WORKLOADS (comma
# list: ceiling,rxdrop,rxdrop-poll,rxdrop-rate,txonly,l2fwd,l2fwd-rate,rxdrop-scale,l2fwd-scale,
# latency,latency-load,ring,ringbuf,ringbuf-work,prog,verify; or verify-real alone:
# bench/verify_real.py), RATE,
# L2FWD_RATE (fixed offered loads of the -rate workloads), GEN_CPU (0), RX_CPU (1),
# BATCH (64), RING_DESCS, PROG_REPEAT, GEN (auto | c | ours: the examples' xsk-pktgen;
# auto: c where the kernel runs live frames, else ours with its AF_PACKET engine),
# LAT_RATE (1000), LAT_LOAD_RATE (50000), LAT_DURATION / LAT_LOAD_DURATION (seconds per run
# at each rate), LAT_MODES (poll,busy; also spin), LAT_CLIENT (spin | sleep), LAT_SCHED
# (fifo | fifo-server), LAT_SCHED_MODES, LAT_RT_PRIO, LAT_SIZE (bench/latency.py; bench/README.md),
# RINGBUF_EVENTS (500000), RINGBUF_REPEAT, RINGBUF_WORK, RINGBUF_WORK_EVENTS (bench/ringbuf.py),
# SCALE_CPUS (0,1: bench/scaling.py),
# CARGO_TARGET_DIR. See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "$(id -u)" != 0 ]; then
  echo "bench/run.sh: needs root (network namespaces, XDP programs, AF_XDP sockets)" >&2
  exit 1
fi

# What a fresh machine lacks (the benchmark is not part of CI, so it installs its own).
export DEBIAN_FRONTEND=noninteractive
need=()
for p in gcc clang-19 llvm-19 libxdp-dev libbpf-dev iproute2 util-linux python3 ethtool; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -q
  apt-get install -y -q "${need[@]}"
fi

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$ROOT/bench/build
mkdir -p "$BUILD" "$BUILD/ours"

# verify-real (bench/verify_real.py): our static verifier against the kernel's on the real
# programs of tools/real-programs (REAL_PROGRAMS_GIT_URL: a mirror, as for its run.sh); it needs
# only the release CLI and the libbpf loader, so it runs on its own.
if [ "${WORKLOADS:-}" = verify-real ]; then
  export CARGO_TARGET_DIR=$TARGET KLOAD=$BUILD/kload EBPF_DSL=$TARGET/release/ebpf-dsl
  gcc -O2 -Wall -o "$KLOAD" tools/real-programs/kload.c -lbpf
  cargo build --release -q -p ebpf-dsl-cli
  exec python3 bench/verify_real.py
fi

echo "== building the C references"
ARCH_INC=/usr/include/$(gcc -dumpmachine)
for p in xdp_progs xdp_sink; do
  clang-19 -O2 -g -target bpf -I"$ARCH_INC" -c bench/c/$p.bpf.c -o "$BUILD/$p.bpf.o"
done
python3 bench/extract_bpf.py "$BUILD/xdp_progs.bpf.o" xdp "$BUILD/c_progs"
gcc -O2 -Wall -pthread -o "$BUILD/xsk_ref" bench/c/xsk_ref.c -lxdp -lbpf
gcc -O2 -Wall -o "$BUILD/pktgen" bench/c/pktgen.c -lbpf
gcc -O2 -Wall -o "$BUILD/progrun" bench/c/progrun.c -lbpf
gcc -O2 -Wall -pthread -o "$BUILD/ring_ref" bench/c/ring_ref.c
gcc -O2 -Wall -o "$BUILD/udp_echo" bench/c/udp_echo.c
gcc -O2 -Wall -o "$BUILD/udp_lat" bench/c/udp_lat.c
gcc -O2 -Wall -pthread -o "$BUILD/ringbuf_ref" bench/c/ringbuf_ref.c -lbpf

echo "== building ours (cargo build --release)"
export CARGO_TARGET_DIR=$TARGET
# The examples package holds the AF_XDP programs (xsk-rxdrop, xsk-txonly, xsk-l2fwd,
# xsk-pktgen) and bench-progs; whichever exist are built.
cargo build --release -p xsk-examples --bins
RING_BENCH=$(cargo bench -p xsk-runtime --bench ring --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "ring":
        print(m["executable"])' | tail -1)
export OURS_RING_BENCH=$RING_BENCH
if [ -x "$TARGET/release/bench-progs" ]; then
  "$TARGET/release/bench-progs" dump "$BUILD/ours"
fi

export BENCH_TAG=$$ BUILD TARGET
cleanup() {
  ip netns del "xbA$BENCH_TAG" 2>/dev/null || true
  ip netns del "xbB$BENCH_TAG" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
echo "== running (ROUNDS=${ROUNDS:-5} DURATION=${DURATION:-10})"
python3 bench/harness.py
