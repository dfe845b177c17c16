#!/usr/bin/env python3
"""Where the server's part of a round trip goes, request by request: a `perf record` of the
kernel's tracepoints during a short run of each AF_XDP echo (and the kernel socket's), cut into
phases. Times, not counts: other sessions' load moves them, but all servers are traced the same
way in the same minutes, and the phases say *where* a difference is.

    sudo python3 bench/lat_trace.py [MODE]

MODE is one of bench/latency.py's idle modes (default `poll`). For each server (ours' `xsk-echo`,
ours with TRACE_VARIANTS' arguments, the C echo, the kernel socket; TRACE_ROUNDS times in turn)
`udp_lat` sends TRACE_RATE requests/s (50000) for TRACE_SECS seconds (0.5) while `perf record -a
-C GEN_CPU,RX_CPU -k CLOCK_MONOTONIC` records:

  xdp:xdp_redirect        on the client's CPU: request k is in the server's RX ring (AF_XDP)
  net:netif_receive_skb   on the server's CPU, on the client's interface: answer k reached the
                          client's stack (the server's send ran the delivery in its context)
  irq:softirq_entry       NET_RX on the client's CPU: the request's receive on the server's
                          interface begins (veth's NAPI poll, which runs the XDP program and,
                          for AF_XDP, copies the request into a UMEM frame)
  sched:sched_switch      the server going to sleep / coming back
  raw_syscalls:sys_enter  the server's own system calls (filtered on its pid; TRACE_SYSCALL
                          names one kind instead, e.g. syscalls:sys_enter_sendto, the TX kick:
                          busy polling makes ~100 recvfrom() a request, too many to record)

The k-th request is matched with the k-th answer (one queue, answered in order; a run whose
counts differ is reported and skipped). Printed per server, the medians and 90th percentiles
(µs) over every request of the rounds of:

  total     request in the RX ring -> answer at the client's stack
  asleep    the same, for requests that found the server asleep (and their share)
  wake      those: request in the ring -> the server on its CPU again
  awake     total, for requests that found the server running (a round or a wait in progress)
  send      the server's last system call entry before the answer -> the answer
  tail      the server's last answer before a sleep -> the sleep (how long it stays awake
            after answering: a request that comes within it is not one that wakes it)
  per wake  answers per time the server came back from a sleep
  react     request in the RX ring -> the server's first traced system call after it (with
            TRACE_SYSCALL=syscalls:sys_enter_sendto: its TX kick), when that is the one before
            the answer
  copy      the NET_RX softirq's start on the client's CPU -> request k in the RX ring (the
            kernel socket: at the server's interface): veth's poll, the XDP program and the
            copy into the frame, before `total` starts
and how many requests took over 50 µs in total, copy and react.

Needs perf and bench/build from bench/run.sh. Environment: as bench/lat_kernel.py (BUILD,
TARGET, GEN_CPU, RX_CPU, NICE, LAT_SCHED, LAT_SCHED_MODES, LAT_OURS_ARGS), TRACE_RATE,
TRACE_SECS, TRACE_ROUNDS (3), TRACE_SYSCALL, LAT_FRAMES (bench/latency.py), TRACE_VARIANTS (`NAME:ARGS;NAME:ARGS`, as KCOUNT_VARIANTS),
TRACE_SIDES (default `ours,c,kernel` plus the variants).
"""
import bisect
import os
import re
import subprocess
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import lat_kernel as lk  # noqa: E402
import latency as lat  # noqa: E402

RATE = int(os.environ.get("TRACE_RATE", "50000"))
SECS = float(os.environ.get("TRACE_SECS", "0.5"))
ROUNDS = int(os.environ.get("TRACE_ROUNDS", "3"))
# The server's system calls traced: every one (default), or one kind, e.g.
# `syscalls:sys_enter_sendto` (the TX kick: one a request in busy mode, where recording every
# idle round's recvfrom() loses events).
SYSCALL = os.environ.get("TRACE_SYSCALL", "raw_syscalls:sys_enter")
LINE = re.compile(r"^\s*(\S.*?)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")


def record(box, impl, mode, extra, data):
    """Runs server `impl` and the client under `perf record` into `data`; returns the server's
    pid and the answers the client got."""
    cmd = lat.server_cmd(h, impl, SECS + 4, mode)
    if cmd is None:
        return None, 0
    if impl == "ours":
        cmd = cmd + list(extra)
    s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *cmd), SECS + 40)
    time.sleep(1.0)
    pid = lk.server_pid(cmd[0])
    box.sink(h.NS_A, h.IF_A, False)
    try:
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", lat.LAT_PORT,
                  "-r", str(RATE), "-d", f"{SECS:g}", "-w", "0", "-s", lat.LAT_SIZE, "-S"]
        c = h.Proc(["perf", "record", "-q", "-k", "CLOCK_MONOTONIC", "-a", "-C",
                    f"{h.GEN_CPU},{h.RX_CPU}", "-o", data, "-m", "1024",
                    "-e", "xdp:xdp_redirect",
                    "-e", "net:netif_receive_skb",
                    "--filter", f'name == "{h.IF_A}" || name == "{h.IF_B}"',
                    "-e", "irq:softirq_entry", "--filter", "vec == 3",
                    "-e", "sched:sched_switch",
                    "-e", SYSCALL, "--filter", f"common_pid == {pid}",
                    "--", *h.in_ns(h.NS_A, h.GEN_CPU, *client)], SECS + 60).wait()
    finally:
        box.sink(h.NS_A, h.IF_A, True)
        os.kill(s.p.pid, h.signal.SIGTERM)
        s.wait()
        time.sleep(1.5)  # the kernel lets go of the queue asynchronously
    a = re.search(r"answered=(\d+).*p50_us=([\d.]+) p99_us=([\d.]+)", c.out)
    load = re.search(r"under load .*", s.out)  # xsk-echo's --spin-before-sleep counts
    if load:
        print(f"  {impl} {' '.join(extra)}: {load[0]}", flush=True)
    return pid, (int(a[1]), float(a[2]), float(a[3])) if a else (0, 0.0, 0.0)


def phases(data, pid, impl):
    """The per-request phases (lists of µs) of one recorded run of server `impl`, or a reason it
    has none. A request enters an AF_XDP echo at its XDP redirect, the kernel socket's at the
    receive of the server's interface (both on the client's CPU, inside its sendto())."""
    out = subprocess.run(["perf", "script", "--ns", "-i", data, "-F", "comm,tid,cpu,time,event,trace"],
                         capture_output=True, text=True, check=False).stdout
    req, ans, enters, ins, outs, rx_softirq, copy = [], [], [], [], [], [], []
    gen, rx = int(h.GEN_CPU), int(h.RX_CPU)
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        tid, cpu, t, ev, rest = int(m[2]), int(m[3]), float(m[4]) * 1e6, m[5], m[6]
        if ev == "irq:softirq_entry" and cpu == gen:
            rx_softirq.append(t)
        elif ev == "xdp:xdp_redirect" and cpu == gen and impl != "kernel":
            req.append(t)
            copy.append(t - rx_softirq[-1] if rx_softirq else 0.0)
        elif ev == "net:netif_receive_skb" and f"dev={h.IF_B} " in rest:
            if cpu == gen and impl == "kernel":
                # An ARP request from the client's stack is no request (size checked below).
                ln = re.search(r"len=(\d+)", rest)
                req.append((t, int(ln[1]) if ln else 0))
                copy.append(t - rx_softirq[-1] if rx_softirq else 0.0)
        elif ev == "net:netif_receive_skb" and cpu == rx:
            ln = re.search(r"len=(\d+)", rest)
            ans.append((t, int(ln[1]) if ln else 0))
        elif ev == SYSCALL and tid == pid:
            enters.append(t)
        elif ev == "sched:sched_switch" and cpu == rx:
            if f"prev_pid={pid} " in rest and "prev_state=S" in rest:
                outs.append(t)
            elif f"next_pid={pid} " in rest and outs:
                ins.append(t)
    # The answers are the requests' size (an ARP reply or another packet of the stack is not).
    if ans:
        size = max(set(n for _, n in ans), key=[n for _, n in ans].count)
        ans = [t for t, n in ans if n == size]
        if impl == "kernel":
            copy = [c for c, (_, n) in zip(copy, req) if n == size]
            req = [t for t, n in req if n == size]
    if impl == "kernel" and req and isinstance(req[0], tuple):
        req = [t for t, _ in req]
    if not req or abs(len(req) - len(ans)) > 10:
        return f"{len(req)} requests, {len(ans)} answers traced: not matched"
    # A request or answer more or less at an end (in flight when the trace started or
    # stopped, or another packet of the same size): the alignment whose round trips are all
    # positive and shortest (a wrong one is off by the 1/RATE between requests).
    def pairs(off):
        return list(zip(req[max(-off, 0):], ans[max(off, 0):]))

    def fit(off):
        d = [a - r for r, a in pairs(off)]
        return (sum(x < 0 for x in d), sorted(d)[len(d) // 2])
    off = min(range(-10, 11), key=fit)
    total, asleep, wake, awake, send, tail, react = [], [], [], [], [], [], []
    for o in outs:
        k = bisect.bisect_right(ans, o) - 1
        if k >= 0 and o - ans[k] < 1e3:
            tail.append(o - ans[k])
    for r, a in pairs(off):
        total.append(a - r)
        i = bisect.bisect_right(outs, r) - 1  # the server's last sleep before the request
        j = bisect.bisect_right(ins, r) - 1   # ... and its last return
        if i >= 0 and (j < 0 or ins[j] < outs[i]):
            asleep.append(a - r)
            k = bisect.bisect_right(ins, r)
            if k < len(ins) and ins[k] <= a:
                wake.append(ins[k] - r)
        else:
            awake.append(a - r)
        e = bisect.bisect_right(enters, a) - 1
        if e >= 0:
            send.append(a - enters[e])
            if enters[e] >= r:
                react.append(enters[e] - r)
    return {"total": total, "asleep": asleep, "wake": wake, "awake": awake, "send": send,
            "tail": tail, "react": react, "copy": copy,
            "wakes": len(ins), "answers": len(ans)}


def over(v, us=50.0):
    """How many of `v` exceed `us` microseconds."""
    return sum(x > us for x in v)


def q(v, p):
    """Quantile `p` of `v` (nearest rank), or nan."""
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(int(p * len(v)), len(v) - 1)]


def main():
    mode = (sys.argv[1:] or ["poll"])[0]
    if mode not in lat.MODE_FLAGS:
        sys.exit(f"lat_trace.py: unknown mode {mode!r}")
    sides = [(impl, impl, ()) for impl in lat.SIDES]
    for v in filter(None, os.environ.get("TRACE_VARIANTS", "").split(";")):
        vname, _, vargs = v.partition(":")
        sides.insert(1, (f"ours-{vname.strip()}", "ours", tuple(vargs.split())))
    only = os.environ.get("TRACE_SIDES")
    if only:
        sides = [s for s in sides if s[0] in only.split(",")]
    acc = {name: {} for name, _, _ in sides}
    client = {}  # name -> [(p50, p99) of the client, per round]
    box = h.Sandbox()
    box.__enter__()
    tmp = tempfile.mkdtemp(prefix="lat_trace-")
    try:
        for rnd in range(ROUNDS):
            order = sides[rnd % len(sides):] + sides[:rnd % len(sides)]
            for name, impl, extra in order:
                data = os.path.join(tmp, f"{name}.data")
                pid, (answers, p50, p99) = record(box, impl, mode, extra, data)
                client.setdefault(name, []).append((p50, p99))
                if pid is None:
                    continue
                ph = phases(data, pid, impl)
                os.unlink(data)
                if isinstance(ph, str):
                    print(f"round {rnd} {name}: {ph}", flush=True)
                    continue
                print(f"round {rnd} {name}: {answers} answers, client p50 {p50:.1f} p99 "
                      f"{p99:.1f}; server p50 total "
                      f"{q(ph['total'], 0.5):.2f} awake {q(ph['awake'], 0.5):.2f} asleep "
                      f"{q(ph['asleep'], 0.5):.2f} wake {q(ph['wake'], 0.5):.2f} send "
                      f"{q(ph['send'], 0.5):.2f} react {q(ph['react'], 0.5):.2f} tail {q(ph['tail'], 0.5):.2f} us, asleep share "
                      f"{len(ph['asleep']) / max(len(ph['total']), 1):.2f}, per wake "
                      f"{ph['answers'] / max(ph['wakes'], 1):.2f}", flush=True)
                for k, v in ph.items():
                    if isinstance(v, list):
                        acc[name].setdefault(k, []).extend(v)
                    else:
                        acc[name][k] = acc[name].get(k, 0) + v
    finally:
        box.__exit__()
        os.rmdir(tmp)
    print(f"\n{mode}, {RATE} req/s, {ROUNDS} x {SECS:g} s: p50 / p90 in us over every request")
    print(f"{'server':14} {'total':>13} {'asleep':>13} {'share':>6} {'wake':>13} "
          f"{'awake':>13} {'send':>13} {'react':>13} {'tail':>13} {'per wake':>8} "
          f"{'copy':>13} {'>50us: total':>12} {'copy':>5} {'react':>5}")
    for name, _, _ in sides:
        a = acc[name]
        if not a:
            continue

        def cell(k):
            return f"{q(a[k], 0.5):6.1f}/{q(a[k], 0.9):6.1f}"
        share = len(a["asleep"]) / max(len(a["total"]), 1)
        print(f"{name:14} {cell('total')} {cell('asleep')} {share:6.2f} {cell('wake')} "
              f"{cell('awake')} {cell('send')} {cell('react')} {cell('tail')} {a['answers'] / max(a['wakes'], 1):8.2f} "
              f"{cell('copy')} {over(a['total']):12d} {over(a['copy']):5d} {over(a['react']):5d}")
    ref = client.get("c")
    print("\nthe client's p50 / p99 (us), median of the rounds; per-round ratio to the C echo's")
    for name, _, _ in sides:
        v = client.get(name)
        if not v:
            continue
        line = (f"{name:14} p50 {statistics.median(x for x, _ in v):6.1f}  p99 "
                f"{statistics.median(y for _, y in v):7.1f}")
        if ref and name != "c" and len(ref) == len(v):
            r50 = sorted(x / max(c, 1e-9) for (x, _), (c, _) in zip(v, ref))
            r99 = sorted(y / max(c, 1e-9) for (_, y), (_, c) in zip(v, ref))
            line += (f"   ours/C p50 {statistics.median(r50):.3f} ({r50[0]:.3f}-{r50[-1]:.3f})"
                     f"  p99 {statistics.median(r99):.3f} ({r99[0]:.3f}-{r99[-1]:.3f})")
        print(line)


if __name__ == "__main__":
    main()
