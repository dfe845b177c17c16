#!/usr/bin/env python3
"""Kernel events per answer of the latency workloads' echo servers: counts of tracepoints
(syscalls, context switches, softirqs, NAPI polls, XDP redirects, wake-up IPIs) on the
client's and the server's CPUs, divided by the answers the client got. Counts, which other
sessions' builds do not disturb the way they disturb timings, to check that two servers take
the same kernel path per request.

    sudo python3 bench/lat_kernel.py [MODE ...]

MODE is one of bench/latency.py's idle modes (`poll`, `busy`, `spin`; default `poll`). Each
server of bench/latency.py (ours' `xsk-echo`, the C echo `xsk_ref -m echo`, the kernel's
`udp_echo`) runs in the harness's sandbox while `udp_lat` sends KCOUNT_RATE requests/s (1000)
for KCOUNT_SECS seconds (3), and `perf stat -a -C GEN_CPU,RX_CPU` counts the events on both
CPUs while the client runs (perf starts the client). The counts are system-wide on those CPUs: other processes' syscalls and
context switches there are counted too (the network events are this sandbox's alone).
Also printed: SERVER_EVENTS counted in the server's own context (`perf stat -p`), and its own time on its CPU per answer (/proc/PID/schedstat, user and kernel
together: a time, so other sessions' load moves it, but not by the wake-up delays that decide
the round trips).

Needs perf and bench/build from bench/run.sh. Environment: as bench/harness.py (BUILD,
TARGET, GEN_CPU, RX_CPU, NICE) and bench/latency.py (LAT_OURS_ARGS), KCOUNT_RATE, KCOUNT_SECS,
KCOUNT_VARIANTS (more runs of ours with extra arguments, `NAME:ARGS;NAME:ARGS`, e.g.
`poll:--wait poll;kick:--kick-before-wait`).
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import latency as lat  # noqa: E402

RATE = int(os.environ.get("KCOUNT_RATE", "1000"))
SECS = float(os.environ.get("KCOUNT_SECS", "3"))
EVENTS = ["raw_syscalls:sys_enter", "syscalls:sys_enter_sendto", "syscalls:sys_enter_recvfrom",
          "syscalls:sys_enter_poll", "syscalls:sys_enter_epoll_wait",
          "sched:sched_switch", "sched:sched_wakeup", "irq:softirq_entry", "napi:napi_poll",
          "net:net_dev_xmit", "net:netif_receive_skb", "skb:consume_skb", "skb:kfree_skb",
          "xdp:xdp_redirect", "irq_vectors:reschedule_entry",
          "irq_vectors:call_function_single_entry"]
# Counted in the server's own context only (`perf stat -p PID`: while it is the running task,
# its system calls and the kernel work they do, softirqs included): what the server makes the
# kernel do, free of the other processes on its CPU.
SERVER_EVENTS = ["raw_syscalls:sys_enter", "sched:sched_switch", "timer:hrtimer_start",
                 "timer:hrtimer_cancel", "timer:timer_start", "timer:timer_cancel",
                 "irq:softirq_entry", "napi:napi_poll", "net:net_dev_xmit",
                 "net:netif_receive_skb", "skb:consume_skb", "skb:kfree_skb"]


def server_pid(exe):
    """The pid of the newest process whose argv[0] is `exe` (the server under its namespace
    and scheduling wrappers), or None."""
    best = None
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if argv0 == exe and (best is None or int(d) > best):
            best = int(d)
    return best


def on_cpu_ns(pid):
    """Nanoseconds task `pid` has run so far (/proc/PID/schedstat), or None."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError, TypeError):
        return None


def count(box, impl, mode, extra=()):
    """{event: {cpu: count}} over a client run against server `impl` in `mode` (ours with the
    extra arguments `extra`; SERVER_EVENTS in the server's context under cpu "server"), the
    answers the client got, and the server's time on its CPU over the run (ns, or None)."""
    cmd = lat.server_cmd(h, impl, SECS + 4, mode)
    if cmd is None:
        return None, 0, None
    if impl == "ours":
        cmd = cmd + list(extra)
    s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *cmd), SECS + 40)
    time.sleep(1.0)
    pid = server_pid(cmd[0])
    before = on_cpu_ns(pid)
    box.sink(h.NS_A, h.IF_A, False)
    own = None
    try:
        if pid:
            own = subprocess.Popen(["perf", "stat", "-x", ",", "-p", str(pid), "-e",
                                    ",".join(SERVER_EVENTS)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        # perf runs the client: the counts cover exactly the client's run.
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", lat.LAT_PORT,
                  "-r", str(RATE), "-d", f"{SECS:g}", "-w", "0", "-s", lat.LAT_SIZE, "-S"]
        c = h.Proc(["perf", "stat", "-x", ",", "-a", "-A", "-C", f"{h.GEN_CPU},{h.RX_CPU}",
                    "-e", ",".join(EVENTS), "--", *h.in_ns(h.NS_A, h.GEN_CPU, *client)],
                   SECS + 30).wait()
        after = on_cpu_ns(pid)
        if own:
            own.send_signal(h.signal.SIGINT)
            own_err = own.communicate(timeout=30)[1]
            own = None
        else:
            own_err = ""
    finally:
        if own:
            own.kill()
            own.wait()
        box.sink(h.NS_A, h.IF_A, True)
        os.kill(s.p.pid, h.signal.SIGTERM)
        s.wait()
        time.sleep(1.5)  # the kernel lets go of the queue asynchronously
    if s.rc != 0:
        raise RuntimeError(f"{impl} echo failed (exit {s.rc}): {s.err.strip()[-400:]}")
    a = re.search(r"answered=(\d+)", c.out)
    counts = {}
    for line in c.err.splitlines():
        f = line.split(",")
        if len(f) > 3 and re.fullmatch(r"[\d.]+", f[1]):
            counts.setdefault(f[3], {})[f[0]] = float(f[1])
    for line in own_err.splitlines():
        f = line.split(",")
        if len(f) > 2 and re.fullmatch(r"[\d.]+", f[0]):
            counts.setdefault(f[2], {})["server"] = float(f[0])
    ran = after - before if before is not None and after is not None else None
    return counts, int(a.group(1)) if a else 0, ran


def main():
    modes = sys.argv[1:] or ["poll"]
    for m in modes:
        if m not in lat.MODE_FLAGS:
            sys.exit(f"lat_kernel.py: unknown mode {m!r} ({', '.join(lat.MODE_FLAGS)})")
    if not shutil.which("perf"):
        sys.exit("lat_kernel.py: needs perf")
    box = h.Sandbox()
    box.__enter__()
    try:
        sides = [(impl, impl, ()) for impl in lat.SIDES]
        for v in filter(None, os.environ.get("KCOUNT_VARIANTS", "").split(";")):
            vname, _, vargs = v.partition(":")
            sides.insert(1, (f"ours-{vname.strip()}", "ours", tuple(vargs.split())))
        for mode in modes:
            for name, impl, extra in sides:
                counts, answers, ran = count(box, impl, mode, extra)
                if counts is None:
                    print(f"{mode} {name}: not built")
                    continue
                cpu = (f"; server on CPU {ran / 1e3 / max(answers, 1):.2f} us per answer"
                       if ran is not None else "")
                print(f"{mode} {name}: {answers:,} answers{cpu}; per answer:", flush=True)
                for e in EVENTS + [e for e in SERVER_EVENTS if e not in EVENTS]:
                    per = counts.get(e, {})
                    cells = "  ".join(f"{cpu} {n / max(answers, 1):8.2f}"
                                      for cpu, n in sorted(per.items()))
                    print(f"    {e:42} {cells}", flush=True)
    finally:
        box.__exit__()


if __name__ == "__main__":
    main()
