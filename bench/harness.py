#!/usr/bin/env python3
"""The benchmark harness behind bench/run.sh (run that, not this: it builds things first).

Runs every workload for ROUNDS rounds, ours and the C reference interleaved within each round
(the order flips every round: A B, B A, ... so slow drift of this noisy machine hits both
sides alike; three sides go through every permutation in turn, latency.run_order), writes bench/results/latest.csv and latest.json, draws latest.svg
(bench/plot.py), and prints the table of ratios (median of the per-round ratios, min-max).

Configuration (environment): ROUNDS (5), DURATION seconds per AF_XDP run (10), WARMUP (1),
WORKLOADS (comma list, default all: ceiling,rxdrop,rxdrop-poll,rxdrop-rate,txonly,l2fwd,
l2fwd-rate,rxdrop-scale,l2fwd-scale,latency,latency-load,ring,ringbuf,ringbuf-work,prog,verify;
latency*, ringbuf* and *-scale are in bench/latency.py, bench/ringbuf.py and bench/scaling.py with
their own settings), RATE (300000: the fixed offered load of rxdrop-rate),
L2FWD_RATE (100000: of l2fwd-rate),
GEN_CPU (0), RX_CPU (1), BATCH (64), RING_DESCS (2*10^7), RING_REPS (5), PROG_REPEAT (10^6), GEN (auto|c|ours:
auto = the C live-frames generator where the kernel runs live frames, else xsk-pktgen, whose
AF_PACKET engine then feeds both sides),
NICE (-10, for every measured process on both sides, and its session's autogroup unless
AUTOGROUP=0), OURS_XSK (auto|examples|bench: which
of ours' AF_XDP programs to run, see ours_xsk()),
BUILD (bench/build), TARGET (cargo target dir), OUT (bench/results).

Only packets inside two network namespaces made here (unique names, removed on exit, also
on SIGINT/SIGTERM) ever exist; every process it starts is bounded in time and killed if it
overstays.
"""

import csv
import json
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

import latency
import ringbuf
import scaling

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = os.environ
ROUNDS = int(ENV.get("ROUNDS", "5"))
DURATION = float(ENV.get("DURATION", "10"))
WARMUP = float(ENV.get("WARMUP", "1"))
GEN_CPU = ENV.get("GEN_CPU", "0")
RX_CPU = ENV.get("RX_CPU", "1")
BATCH = ENV.get("BATCH", "64")
RING_DESCS = ENV.get("RING_DESCS", "20000000")
RING_REPS = int(ENV.get("RING_REPS", "5"))
PROG_REPEAT = ENV.get("PROG_REPEAT", "1000000")
GEN = ENV.get("GEN", "auto")
NICE = ENV.get("NICE", "-10")
AUTOGROUP = ENV.get("AUTOGROUP", "1")
OURS_XSK = ENV.get("OURS_XSK", "auto")
RATE = int(ENV.get("RATE", "300000"))
L2FWD_RATE = int(ENV.get("L2FWD_RATE", "100000"))
BUILD = ENV.get("BUILD", os.path.join(HERE, "build"))
TARGET = ENV.get("TARGET", os.path.join(ROOT, "target"))
OUT = ENV.get("OUT", os.path.join(HERE, "results"))
ALL = ["ceiling", "rxdrop", "rxdrop-poll", "rxdrop-rate", "txonly", "l2fwd", "l2fwd-rate",
       "rxdrop-scale", "l2fwd-scale", "latency", "latency-load", "ring", "ringbuf",
       "ringbuf-work", "prog", "verify"]
WORKLOADS = [w for w in ENV.get("WORKLOADS", ",".join(ALL)).split(",") if w]

TAG = ENV.get("BENCH_TAG") or str(os.getpid())
NS_A, NS_B = "xbA" + TAG, "xbB" + TAG  # generator side, receiver side
IF_A, IF_B = "xbA" + TAG, "xbB" + TAG
MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"

C_PKTGEN = os.path.join(BUILD, "pktgen")
C_XSK = os.path.join(BUILD, "xsk_ref")
C_RING = os.path.join(BUILD, "ring_ref")
C_PROGRUN = os.path.join(BUILD, "progrun")
C_OBJ = os.path.join(BUILD, "xdp_progs.bpf.o")
C_SINK = os.path.join(BUILD, "xdp_sink.bpf.o")
OURS_DUMP = os.path.join(BUILD, "ours")
C_PROGS = os.path.join(BUILD, "c_progs")  # extract_bpf.py writes the C programs' slots here  # bench-progs dump writes ours' programs here
REL = os.path.join(TARGET, "release")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


# ----------------------------------------------------------------------------- the sandbox

class Sandbox:
    """Two namespaces joined by one veth pair; an XDP_DROP sink on the generator's side so
    that what comes back (txonly, l2fwd) is counted in its rx_packets and goes no further."""

    def __init__(self):
        self.up = False

    def __enter__(self):
        sh("ip", "netns", "add", NS_A)
        sh("ip", "netns", "add", NS_B)
        self.up = True
        for ns in (NS_A, NS_B):
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
               "net.ipv6.conf.default.disable_ipv6=1")
        # Two queues a side for the scaling workloads (bench/scaling.py), set to one channel:
        # what every other workload expects (a UDP client's flow hash must not pick queue 1).
        # Without ethtool, a pair of one queue (the scaling workloads then fail, alone).
        two = ["numtxqueues", "2", "numrxqueues", "2"] if shutil.which("ethtool") else []
        sh("ip", "link", "add", IF_A, "netns", NS_A, "address", MAC_A, *two, "type", "veth",
           "peer", "name", IF_B, "netns", NS_B, "address", MAC_B, *two)
        if two:
            for ns, ifname in ((NS_A, IF_A), (NS_B, IF_B)):
                sh("ip", "netns", "exec", ns, "ethtool", "-L", ifname, "rx", "1", "tx", "1")
        sh("ip", "-n", NS_A, "addr", "add", "10.77.0.1/24", "dev", IF_A)
        sh("ip", "-n", NS_B, "addr", "add", "10.77.0.2/24", "dev", IF_B)
        sh("ip", "-n", NS_A, "link", "set", IF_A, "up")
        sh("ip", "-n", NS_B, "link", "set", IF_B, "up")
        self.sink(NS_A, IF_A, True)
        return self

    def sink(self, ns, ifname, on):
        if on:
            sh("ip", "-n", ns, "link", "set", "dev", ifname, "xdpdrv", "obj", C_SINK, "sec", "xdp")
        else:
            sh("ip", "-n", ns, "link", "set", "dev", ifname, "xdpdrv", "off", check=False)

    def rx_packets(self, ns, ifname):
        out = sh("ip", "-n", ns, "-s", "-j", "link", "show", "dev", ifname)
        return json.loads(out)[0]["stats64"]["rx"]["packets"]

    def __exit__(self, *exc):
        cleanup()


def cleanup():
    for ns in (NS_A, NS_B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)


# ----------------------------------------------------------------------------- processes

LIVE = set()  # started processes not yet waited for, ended by on_signal


class Proc:
    """A started program, bounded in time, whose CPU time we take from wait4()."""

    def __init__(self, cmd, limit):
        self.cmd = cmd
        self.t0 = time.monotonic()
        self.limit = limit
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        LIVE.add(self.p)

    def wait(self):
        # Sleep on a pidfd until the process ends (or its limit): no periodic wake-ups of this
        # harness, which would have to preempt a measured process that spins on one CPU while
        # the other spins too (the latency workloads: 20 wake-ups a second used to).
        deadline = self.t0 + self.limit
        fd = os.pidfd_open(self.p.pid)
        try:
            select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        finally:
            os.close(fd)
        pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
        if not pid:
            log(f"  killing {self.cmd[0]}... (over its {self.limit:.0f} s limit)")
            # os.kill on the pid, not Popen's methods: those reap the process, and wait4()
            # below must (an unreaped process keeps its pid, so this signals no other).
            os.kill(self.p.pid, signal.SIGTERM)
            time.sleep(1)
            pid, status, ru = os.wait4(self.p.pid, os.WNOHANG)
            if not pid:
                os.kill(self.p.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(self.p.pid, 0)
        LIVE.discard(self.p)
        self.p.returncode = os.waitstatus_to_exitcode(status)
        out, err = self.p.stdout.read(), self.p.stderr.read()
        self.wall = time.monotonic() - self.t0
        self.cpu = ru.ru_utime + ru.ru_stime
        self.preempted = ru.ru_nivcsw  # involuntary context switches
        self.out, self.err, self.rc = out, err, self.p.returncode
        return self


def result_line(text):
    """key=value pairs of the last line starting with RESULT (numbers as floats)."""
    kv = {}
    for line in text.splitlines():
        if line.startswith("RESULT"):
            kv = {}
            for m in re.finditer(r"(\w+)=(\S+)", line):
                v = m.group(2)
                try:
                    kv[m.group(1)] = float(v)
                except ValueError:
                    kv[m.group(1)] = v
    return kv


def in_ns(ns, cpu, *cmd):
    # nice: the machine is shared with compilers; a higher weight (the same for both sides)
    # keeps them from taking half of a measured CPU. With the kernel's autogroup scheduling
    # (/proc/sys/kernel/sched_autogroup_enabled) nice only ranks a process within its session,
    # so each measured process gets a session of its own (setsid) whose autogroup gets NICE too
    # (AUTOGROUP=0: not, as before 2026-12-04).
    if AUTOGROUP == "0":
        return ["ip", "netns", "exec", ns, "nice", "-n", NICE, "taskset", "-c", cpu, *cmd]
    return ["ip", "netns", "exec", ns, "setsid", "sh", "-c",
            'echo "$0" > /proc/self/autogroup 2>/dev/null; exec "$@"', NICE,
            "nice", "-n", NICE, "taskset", "-c", cpu, *cmd]


# ----------------------------------------------------------------------------- the programs

def exe(name):
    p = os.path.join(REL, name)
    return p if os.access(p, os.X_OK) else None


_LIVE_FRAMES = []


def live_frames_ok():
    """Whether this kernel runs `BPF_PROG_TEST_RUN` live frames (both generators' fast path),
    asked once: `xsk-pktgen --engine live` sends one frame in a sandbox of its own. A kernel
    built or patched without them refuses even root (EPERM): then the C generator cannot run
    at all and ours falls back to AF_PACKET."""
    if not _LIVE_FRAMES:
        ok = True
        if exe("xsk-pktgen"):
            r = subprocess.run([exe("xsk-pktgen"), "--engine", "live", "--count", "1",
                                "--duration", "2"], capture_output=True, text=True,
                               timeout=60)
            ok = r.returncode == 0
            if not ok:
                last = (r.stderr.strip().splitlines() or ["?"])[-1]
                print(f"live frames refused by this kernel ({last}): the C generator cannot "
                      "run; traffic comes from xsk-pktgen's AF_PACKET engine for both sides",
                      flush=True)
        _LIVE_FRAMES.append(ok)
    return _LIVE_FRAMES[0]


def gen_impl():
    """The generator feeding both sides: `GEN` (c | ours), or with `auto` (the default) the C
    one where live frames run, else ours (AF_PACKET)."""
    if GEN in ("c", "ours"):
        return GEN
    return "c" if live_frames_ok() or not exe("xsk-pktgen") else "ours"


def gen_cmd(duration, which=None, rate=None):
    """The command line of one generator thread on IF_A (`which`: c | ours, default
    [`gen_impl`])."""
    which = which or gen_impl()
    if which == "ours" and exe("xsk-pktgen"):
        cmd = [exe("xsk-pktgen"), "--iface", IF_A, "--duration", f"{duration:g}",
               "--dst-mac", MAC_B, "--src-mac", MAC_A]
        if rate:
            cmd += ["--rate", str(rate)]
    else:
        cmd = [C_PKTGEN, "-i", IF_A, "-d", f"{duration:g}", "-D", MAC_B, "-S", MAC_A]
        if rate:
            cmd += ["-r", str(rate)]
    return cmd


def generator(duration, which=None, rate=None):
    return Proc(in_ns(NS_A, GEN_CPU, *gen_cmd(duration, which, rate)), duration + 15)


def ours_xsk(mode):
    """Ours' AF_XDP program: the examples' xsk-rxdrop / xsk-txonly / xsk-l2fwd when built
    (OURS_XSK=examples or auto), else bench-xsk (OURS_XSK=bench or auto), which mirrors the C
    reference line by line on xsk-runtime."""
    if OURS_XSK in ("auto", "examples") and exe("xsk-" + mode):
        return exe("xsk-" + mode), []
    if OURS_XSK in ("auto", "bench") and exe("bench-xsk"):
        return exe("bench-xsk"), [mode]
    return None, []


def xsk_cmd(impl, mode, poll=False):
    """The AF_XDP program under test. Ours are the examples xsk-rxdrop / xsk-txonly /
    xsk-l2fwd, which take the options below and print the same RESULT line as xsk_ref."""
    if impl == "c":
        cmd = [C_XSK, "-m", mode, "-i", IF_B, "-q", "0", "-b", BATCH, "-d", f"{DURATION:g}",
               "-w", f"{WARMUP:g}"]
        if mode != "txonly":
            cmd += ["-o", C_OBJ]
        if poll:
            cmd.append("-p")
        return cmd
    binary, sub = ours_xsk(mode)
    if not binary:
        return None
    cmd = [binary, *sub, "--iface", IF_B, "--queue", "0", "--batch", BATCH,
           "--duration", f"{DURATION:g}", "--warmup", f"{WARMUP:g}"]
    if poll:
        cmd.append("--poll")
    return cmd


# ----------------------------------------------------------------------------- workloads
# Each run function returns {metric: value} for one implementation in one round.

def run_ceiling(box, impl):
    """The generator alone into an XDP_DROP sink: the most any AF_XDP program can see here.
    Both generators: ours (the examples' xsk-pktgen) and the C one (bench/c/pktgen.c)."""
    if impl == "ours" and not exe("xsk-pktgen"):
        return None
    if impl == "c" and not live_frames_ok():
        return None  # the C generator is live frames only
    box.sink(NS_B, IF_B, True)
    try:
        g = generator(WARMUP + DURATION + 1, impl)
        time.sleep(WARMUP)
        c0, t0 = box.rx_packets(NS_B, IF_B), time.monotonic()
        time.sleep(DURATION)
        c1, t1 = box.rx_packets(NS_B, IF_B), time.monotonic()
        g.wait()
        if g.rc != 0:
            raise RuntimeError(f"generator failed: {g.err.strip()}")
        return {"pps": (c1 - c0) / (t1 - t0)}
    finally:
        box.sink(NS_B, IF_B, False)


# A closed AF_XDP socket lets go of its queue asynchronously (the kernel releases its buffer
# pool in deferred work), so the next side, started right after, may find the queue still held
# and its bind fail with EBUSY (seen on 6.18: the C txonly started just after ours'). Such a
# run measured nothing; it is started again after a pause, at most QUEUE_BUSY_RETRIES times.
QUEUE_BUSY_RETRIES = 5
QUEUE_BUSY_PAUSE = 0.5


def run_xsk(box, impl, mode, poll=False, rate=None):
    for attempt in range(QUEUE_BUSY_RETRIES + 1):
        try:
            return run_xsk_once(box, impl, mode, poll, rate)
        except QueueBusy as e:
            if attempt == QUEUE_BUSY_RETRIES:
                raise RuntimeError(str(e)) from None
            log(f"  {impl} {mode}: the queue is still held by the previous socket; "
                f"again in {QUEUE_BUSY_PAUSE} s")
            time.sleep(QUEUE_BUSY_PAUSE)


class QueueBusy(Exception):
    """The program under test could not bind: its queue still held (EBUSY)."""


def run_xsk_once(box, impl, mode, poll=False, rate=None):
    cmd = xsk_cmd(impl, mode, poll)
    if cmd is None:
        return None
    g = generator(WARMUP + DURATION + 3, rate=rate) if mode != "txonly" else None
    if g:
        time.sleep(0.3)
    r = Proc(in_ns(NS_B, RX_CPU, *cmd), WARMUP + DURATION + 20)
    # The returning traffic (txonly, l2fwd) counted by the sink on the other side, over the
    # program's measured window, independent of what the program says.
    time.sleep(WARMUP + 0.1)
    c0, t0 = box.rx_packets(NS_A, IF_A), time.monotonic()
    time.sleep(max(DURATION - 0.3, 0.1))
    c1, t1 = box.rx_packets(NS_A, IF_A), time.monotonic()
    r.wait()
    if g:
        g.wait()
        if g.rc != 0:
            raise RuntimeError(f"generator failed: {g.err.strip()}")
    res = result_line(r.out)
    if r.rc != 0 and "total_pkts" not in res and ("Device or resource busy" in r.err
                                                   or "EBUSY" in r.err):
        raise QueueBusy(f"{impl} {mode} failed (exit {r.rc}): {r.err.strip()[-400:]}")
    if r.rc != 0 or "total_pkts" not in res:
        raise RuntimeError(f"{impl} {mode} failed (exit {r.rc}): {r.err.strip()[-400:]}")
    m = {
        # CPU of the whole process (wait4), per packet it handled in its whole life.
        "cpu_ns_per_pkt": r.cpu * 1e9 / max(res["total_pkts"], 1),
    }
    if mode == "rxdrop":
        m["pps"] = res["pps"]
    else:
        m["pps"] = (c1 - c0) / (t1 - t0)
        m["self_pps"] = res["pps"]
    return m


def ring_cmd(impl):
    if impl == "c":
        return ["nice", "-n", NICE, C_RING, "-n", RING_DESCS, "-b", BATCH, "-P", GEN_CPU,
                "-C", RX_CPU]
    ring = ENV.get("OURS_RING_BENCH")
    if not ring or not os.access(ring, os.X_OK):
        return None
    return ["nice", "-n", NICE, ring, "-n", RING_DESCS, "-b", BATCH, "-P", GEN_CPU, "-C", RX_CPU]


def run_ring(box, impl):
    """The best of RING_REPS runs: two spinning threads are the first victims of anything else
    scheduled on either CPU, so the minimum is the figure that says something about the code."""
    cmd = ring_cmd(impl)
    if cmd is None:
        return None
    best = None
    for _ in range(RING_REPS):
        r = Proc(cmd, 120).wait()
        res = result_line(r.out)
        if r.rc != 0 or "ns_per_desc" not in res:
            raise RuntimeError(f"{impl} ring failed: {r.err.strip()}")
        best = res["ns_per_desc"] if best is None else min(best, res["ns_per_desc"])
    return {"ns_per_desc": best}


PROGS = ["xsk_all", "xsk_udp", "parse_udp"]


def run_prog(box, impl, name):
    if impl == "c":
        # The clang-built function's slots, extracted from the ELF object (extract_bpf.py), so
        # both sides are loaded by the same code: loaded through libbpf instead, the very same
        # bytes ran ~8% slower here (BTF, func info and a different JIT image placement), a
        # loader effect that is not the program's. `progrun obj` still does that for a check.
        f = os.path.join(C_PROGS, name + ".insns")
        cmd = [C_PROGRUN, "raw", f, "-r", PROG_REPEAT]
    else:
        f = os.path.join(OURS_DUMP, name + ".insns")
        if not os.path.exists(f):
            return None
        cmd = [C_PROGRUN, "raw", f, "-r", PROG_REPEAT]
    r = Proc(cmd, 120).wait()
    res = result_line(r.out)
    if r.rc != 0 or "ns_per_run" not in res:
        raise RuntimeError(f"{impl} {name} failed: {r.err.strip()[-600:]}")
    return {"ns_per_run": res["ns_per_run"], "insns": res["insns"],
            "xlated_insns": res["xlated_insns"], "jited_bytes": res["jited_bytes"]}


VERIFY_SIZES = [1000, 10000]


def run_verify(box, impl, size):
    """ours: parse + check + verify by ebpf-dsl (bench-progs compile); kernel: BPF_PROG_LOAD's
    own `verification time` for the very same instructions. Both the best of 5."""
    src = os.path.join(OURS_DUMP, f"gen{size}.s")
    insns = os.path.join(OURS_DUMP, f"gen{size}.insns")
    if not os.path.exists(insns):
        return None
    if impl == "kernel":
        r = Proc([C_PROGRUN, "verify", insns, "-k", "5"], 120).wait()
        res = result_line(r.out)
        if r.rc != 0 or "kernel_verify_us" not in res:
            raise RuntimeError(f"kernel verify gen{size} failed: {r.err.strip()[-600:]}")
        return {"verify_us": res["kernel_verify_us"], "verifier_only_us": res["kernel_verify_us"],
                "processed_insns": res["processed_insns"], "insns": res["insns"]}
    b = exe("bench-progs")
    if not b:
        return None
    r = Proc([b, "compile", src], 120).wait()
    res = result_line(r.out)
    if r.rc != 0 or "total_us" not in res:
        raise RuntimeError(f"ours compile gen{size} failed: {r.err.strip()[-600:]}")
    return {"verify_us": res["total_us"], "verifier_only_us": res["verify_us"],
            "processed_insns": res["processed_insns"], "insns": res["insns"],
            "parse_us": res["parse_us"], "check_us": res["check_us"]}


# name, unit of the headline metric, better ("higher"/"lower"), runner, the two sides
def workload_table():
    t = []
    for w in WORKLOADS:
        if w == "ceiling":
            t.append(("generator -> XDP_DROP (ceiling)", "pps", "higher", run_ceiling,
                      ["ours", "c"]))
        elif w == "rxdrop":
            t.append(("rxdrop", "pps", "higher",
                      lambda b, i: run_xsk(b, i, "rxdrop"), ["ours", "c"]))
        elif w == "rxdrop-poll":
            t.append(("rxdrop-poll", "pps", "higher",
                      lambda b, i: run_xsk(b, i, "rxdrop", poll=True), ["ours", "c"]))
        elif w == "rxdrop-rate":
            t.append((f"rxdrop-poll at {RATE} pps", "cpu_ns_per_pkt", "lower",
                      lambda b, i: run_xsk(b, i, "rxdrop", poll=True, rate=RATE), ["ours", "c"]))
        elif w == "l2fwd-rate":
            t.append((f"l2fwd-poll at {L2FWD_RATE} pps", "cpu_ns_per_pkt", "lower",
                      lambda b, i: run_xsk(b, i, "l2fwd", poll=True, rate=L2FWD_RATE),
                      ["ours", "c"]))
        elif w == "txonly":
            t.append(("txonly", "pps", "higher",
                      lambda b, i: run_xsk(b, i, "txonly"), ["ours", "c"]))
        elif w == "l2fwd":
            t.append(("l2fwd", "pps", "higher",
                      lambda b, i: run_xsk(b, i, "l2fwd"), ["ours", "c"]))
        elif w in ("rxdrop-scale", "l2fwd-scale"):
            t.extend(scaling.workloads(sys.modules[__name__], w))
        elif w in ("latency", "latency-load"):
            t.extend(latency.workloads(sys.modules[__name__], w))
        elif w in ("ringbuf", "ringbuf-work"):
            t.extend(ringbuf.workloads(sys.modules[__name__], w))
        elif w == "ring":
            t.append(("ring (batch %s)" % BATCH, "ns_per_desc", "lower", run_ring, ["ours", "c"]))
        elif w == "prog":
            for p in PROGS:
                t.append((f"prog {p}", "ns_per_run", "lower",
                          (lambda p: lambda b, i: run_prog(b, i, p))(p), ["ours", "c"]))
        elif w == "verify":
            for s in VERIFY_SIZES:
                t.append((f"verify {s} insns", "verify_us", "lower",
                          (lambda s: lambda b, i: run_verify(b, i, s))(s), ["ours", "kernel"]))
        else:
            raise SystemExit(f"unknown workload {w}; known: {','.join(ALL)}")
    return t


# ----------------------------------------------------------------------------- main

def summarize(rows, table):
    """Per workload and metric: medians and min-max per side, and the per-round ratios. A
    workload with several references (ours, c, kernel) gets one entry per reference."""
    summary = []
    expanded = []
    for name, unit, better, fn, sides in table:
        if len(sides) > 2:
            expanded += [(name, unit, better, fn, [sides[0], ref], f" vs {ref}")
                         for ref in sides[1:]]
        else:
            expanded.append((name, unit, better, fn, sides, ""))
    for name, unit, better, _, sides, suffix in expanded:
        metrics = sorted({r["metric"] for r in rows if r["workload"] == name},
                         key=lambda m: (m != unit, m))
        for metric in metrics:
            entry = {"workload": name + suffix, "metric": metric, "headline": metric == unit,
                     "better": better if metric in (unit, "cpu_ns_per_pkt") else None,
                     "sides": {}}
            if metric in ("cpu_ns_per_pkt", "verifier_only_us", "consumer_cpu_ns_per_event",
                          "full", "cpu_ns_per_pkt_1q", "cpu_ns_per_pkt_2q") or metric in latency.METRICS:
                entry["better"] = "lower"
            per_round = {}
            for side in sides:
                vals = [r["value"] for r in rows if r["workload"] == name and
                        r["metric"] == metric and r["impl"] == side]
                if vals:
                    entry["sides"][side] = {"median": statistics.median(vals), "min": min(vals),
                                            "max": max(vals), "n": len(vals)}
                for r in rows:
                    if r["workload"] == name and r["metric"] == metric and r["impl"] == side:
                        per_round.setdefault(r["round"], {})[side] = r["value"]
            if len(sides) == 2:
                a, b = sides
                ratios = [v[a] / v[b] for v in per_round.values() if a in v and b in v and v[b]]
                if ratios:
                    entry["ratio"] = {"median": statistics.median(ratios), "min": min(ratios),
                                      "max": max(ratios), "n": len(ratios), "of": f"{a}/{b}"}
            summary.append(entry)
    return summary


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:.1f}k"
    return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"


def table_text(summary):
    lines = ["| workload | metric | ours (median, min-max) | reference (median, min-max) "
             "| ratio ours/ref (median, min-max) | better |",
             "|---|---|---|---|---|---|"]
    for e in summary:
        ours = [v for k, v in e["sides"].items() if k == "ours"]
        ref = [(k, v) for k, v in e["sides"].items() if k != "ours"]
        oc = f"{fmt(ours[0]['median'])} ({fmt(ours[0]['min'])}-{fmt(ours[0]['max'])})" if ours else "not built"
        rc = (f"{ref[0][0]}: {fmt(ref[0][1]['median'])} ({fmt(ref[0][1]['min'])}-"
              f"{fmt(ref[0][1]['max'])})") if ref else "-"
        r = e.get("ratio")
        rt = f"{r['median']:.3f} ({r['min']:.3f}-{r['max']:.3f})" if r else "-"
        lines.append(f"| {e['workload']} | {e['metric']} | {oc} | {rc} | {rt} | {e['better'] or ''} |")
    return "\n".join(lines)


def main():
    if os.geteuid() != 0:
        raise SystemExit("bench: needs root (network namespaces, XDP, AF_XDP)")
    os.makedirs(OUT, exist_ok=True)
    table = workload_table()
    needs_net = any(w in WORKLOADS for w in ("ceiling", "rxdrop", "rxdrop-poll", "rxdrop-rate",
                                             "txonly", "l2fwd", "l2fwd-rate", "latency",
                                             "latency-load", "rxdrop-scale", "l2fwd-scale"))

    def on_signal(sig, frame):
        for p in list(LIVE):  # only the processes this harness started, by their pid
            try:
                p.terminate()
            except OSError:
                pass
        cleanup()
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    rows = []
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    box = Sandbox()
    try:
        if needs_net:
            box.__enter__()
        for rnd in range(ROUNDS):
            for name, unit, better, fn, sides in table:
                order = latency.run_order(sides, rnd)
                for side in order:
                    t = time.monotonic()
                    try:
                        m = fn(box, side)
                    except Exception as e:  # one failed run must not lose the others
                        log(f"round {rnd + 1} {name} {side}: FAILED: {e}")
                        continue
                    if m is None:
                        why = ("the kernel refuses live frames, the C generator's only way"
                               if name.endswith("(ceiling)") and side == "c"
                               and not live_frames_ok() else "not built yet")
                        log(f"round {rnd + 1} {name} {side}: not available ({why})")
                        continue
                    log(f"round {rnd + 1} {name} {side}: " +
                        " ".join(f"{k}={fmt(v)}" for k, v in m.items()) +
                        f"  [{time.monotonic() - t:.1f} s]")
                    for k, v in m.items():
                        rows.append({"round": rnd + 1, "workload": name, "impl": side,
                                     "metric": k, "value": v})
    finally:
        if needs_net:
            box.__exit__(None, None, None)

    summary = summarize(rows, table)
    with open(os.path.join(OUT, "latest.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["round", "workload", "impl", "metric", "value"])
        w.writeheader()
        w.writerows(rows)
    meta = {"started": started, "rounds": ROUNDS, "duration_s": DURATION, "warmup_s": WARMUP,
            "batch": int(BATCH), "gen_cpu": GEN_CPU, "rx_cpu": RX_CPU,
            "generator": ("bench/c/pktgen" if gen_impl() == "c" else
                          "xsk-pktgen" + ("" if live_frames_ok() else " (AF_PACKET: live frames refused)")),
            "kernel": os.uname().release, "machine": machine(),
            "ours_xsk": {m: os.path.basename(ours_xsk(m)[0] or "-") for m in
                         ("rxdrop", "txonly", "l2fwd")}}
    pool = latency.pooled()  # the latency rows' quantiles over all rounds (empty without)
    targets = latency.targets(rows)  # the latency targets per cell, with confidence intervals
    with open(os.path.join(OUT, "latest.json"), "w") as f:
        json.dump({"meta": meta, "summary": summary, "rows": rows, "latency_pooled": pool,
                   "latency_targets": targets}, f, indent=1)
    subprocess.run([sys.executable, os.path.join(HERE, "plot.py"),
                    os.path.join(OUT, "latest.json"), os.path.join(OUT, "latest.svg")], check=False)
    text = table_text(summary)
    if targets:
        text += "\n\n" + latency.targets_text(targets)
    if pool:
        text += "\n\n" + latency.pooled_text(pool)
    with open(os.path.join(OUT, "latest.md"), "w") as f:
        f.write(f"Run {started}, {ROUNDS} rounds x {DURATION:g} s, batch {BATCH}, "
                f"kernel {meta['kernel']}, {meta['machine']}\n\n{text}\n")
    print(text)
    print(f"\nwritten: {OUT}/latest.csv latest.json latest.md latest.svg")


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}"


if __name__ == "__main__":
    main()
