"""The latency workloads of bench/harness.py: round trips through a UDP echo server.

One client (bench/c/udp_lat.c, in the generator's namespace, on GEN_CPU) sends requests at a
fixed rate from an ordinary UDP socket, open loop, and takes p50 / p99 / p99.9 of the round
trips from a log-linear histogram. The server, in the receiver's namespace on RX_CPU, is one of:

  ours    the examples' xsk-echo (AF_XDP; UDP to port 7777 redirected by its XDP program)
  c       bench/c/xsk_ref.c -m echo (libxdp; the `xsk_echo` program of xdp_progs.bpf.c)
  kernel  bench/c/udp_echo.c (an ordinary UDP socket: the kernel stack both ways)

LAT_MODES lists what the servers do while no request waits, each mode a row of its own in the
same run (all three servers get the same treatment):

  poll  sleep until a request arrives: poll() on the XSK (xsk-echo --poll, xsk_ref -p), a
        blocking recvfrom() (udp_echo); LAT_OURS_ARGS="--spin-before-sleep 25" measures
        xsk-echo's adaptive variant instead (under load, requests < 25 us apart on average,
        it watches its RX ring for up to 25 us before it sleeps: more CPU, not C's twin)
  busy  never sleep, on a CPU of its own (taskset RX_CPU): spin on the RX ring with the
        kernel's busy-poll socket options and a non-blocking recvfrom() while idle, TX kicked
        only when the kernel asks (xsk-echo --busy-poll, xsk_ref -B); a non-blocking recvfrom()
        loop with the same socket options (udp_echo -B)
  spin  never sleep, no busy-poll options (xsk-echo --spin, xsk_ref without -p, udp_echo -s)

LAT_CLIENT says how the client waits for answers: `spin` (default: a non-blocking recv() loop
on GEN_CPU, so that its own wake-up, the same for every server, is not in the figure) or
`sleep` (ppoll() between sends; the round trips then include the client's wake-up).

Every process runs in a session of its own whose autogroup gets NICE (bench/harness.py
in_ns): with the kernel's autogroup scheduling, a plain `nice` only ranks a process within its
own session, and the compilers of other sessions would still take half of a spinning CPU.

Environment: LAT_RATE (1000 requests/s: the fixed low rate), LAT_LOAD_RATE (50000: under
load), LAT_DURATION and LAT_LOAD_DURATION (seconds measured per run at each rate; default
DURATION), LAT_FRAMES (UMEM frames of both AF_XDP echoes; default 4,096), LAT_SIZE (64-byte UDP payload), LAT_MODES (poll,busy), LAT_CLIENT (spin|sleep),
LAT_SCHED ("" | fifo | fifo-server: SCHED_FIFO for the servers and the client, or the servers
only, at LAT_RT_PRIO, default 10; see rt_prefix()) in the idle modes of LAT_SCHED_MODES
(default: all), LAT_PORT (7777).

Besides the per-round quantiles (the harness's table: medians of the rounds), the client's
histograms are summed over the rounds per server and row: quantiles over every round trip of
the run (pooled(); in latest.md under the table and in latest.json as "latency_pooled").

The targets (issue 16: p50 and p99 no worse than the C echo's, lower than the kernel socket's)
are judged on the per-round ratios, each round's ours against the reference run next to it in
the same round (targets(): the median of the ratios with a distribution-free confidence
interval from order statistics, and whether the target holds within it); in latest.md as
"Targets" and in latest.json as "latency_targets". `python3 bench/latency.py DIR/latest.json`
prints that table for an earlier run.

Besides the client's quantiles each run records what stalls it (bench/lat_attrib.py tells them
apart request by request): `preempted` and `client_preempted`, the server's and the client's
involuntary context switches over their runs (other tasks on their CPUs), and `steal_ms`, the
steal time of the client's and the server's CPUs during the client's run (/proc/stat: the
hypervisor not running the vCPU).
"""

import itertools
import json
import math
import os
import statistics
import sys

ENV = os.environ
LAT_RATE = int(ENV.get("LAT_RATE", "1000"))
LAT_LOAD_RATE = int(ENV.get("LAT_LOAD_RATE", "50000"))
LAT_SIZE = ENV.get("LAT_SIZE", "64")
LAT_MODES = [m for m in ENV.get("LAT_MODES", "poll,busy").split(",") if m]
LAT_CLIENT = ENV.get("LAT_CLIENT", "spin")
LAT_PORT = ENV.get("LAT_PORT", "7777")
# Extra arguments for ours' xsk-echo (e.g. `--frames 2048`, to count or time a setup against
# the default one; bench/lat_counts.py takes it too).
LAT_OURS_ARGS = ENV.get("LAT_OURS_ARGS", "").split()
# Seconds measured per run at each rate (default DURATION): the low rate needs more of them
# for its p99 not to be decided by a handful of stalls (1,000 req/s for 4 s: 40 round trips
# above p99).
# UMEM frames of both AF_XDP echoes, every one on the fill ring (ours: `--frames N`; C:
# `-F N -R N/2`, which makes its RX, TX and completion rings N/2 entries, ours' stay 2,048);
# default: each echo's own, 4,096. Fewer frames in rotation keep each frame's page in use:
# at 1,000 req/s with 4,096 frames each is written again only every 4 s, and on the benchmark's
# VM the kernel's copy of a request into a frame untouched that long stalls the client's CPU
# for ~150 us now and then; but N frames are also all the requests that can wait while a
# server is off its CPU (with 256 at 50,000 req/s on a loaded machine both echoes dropped
# hundreds to thousands a run; BENCHMARKS.md, "Busy-poll latency attribution, session 30").
LAT_FRAMES = ENV.get("LAT_FRAMES", "")
if LAT_FRAMES and (not LAT_FRAMES.isdigit() or not 64 <= int(LAT_FRAMES) <= 65536
                   or int(LAT_FRAMES) & (int(LAT_FRAMES) - 1)):
    raise SystemExit("LAT_FRAMES: a power of two from 64 to 65,536")
LAT_DURATION = ENV.get("LAT_DURATION")
LAT_LOAD_DURATION = ENV.get("LAT_LOAD_DURATION")
# How the measured processes are scheduled: "" (default: SCHED_OTHER, NICE in an autogroup
# of their own), "fifo" (servers and client SCHED_FIFO at LAT_RT_PRIO) or "fifo-server" (the
# servers only). See rt_prefix().
LAT_SCHED = ENV.get("LAT_SCHED", "")
LAT_RT_PRIO = ENV.get("LAT_RT_PRIO", "10")
# The idle modes whose runs get LAT_SCHED (default: all); e.g. `poll` alone, since a spinning
# SCHED_FIFO server loses its CPU to the kernel's fair server for up to 50 ms at a time.
LAT_SCHED_MODES = [m for m in ENV.get("LAT_SCHED_MODES", ",".join(LAT_MODES)).split(",") if m]
SIDES = ["ours", "c", "kernel"]
METRICS = ["p50_us", "p99_us", "p999_us", "max_us", "mean_us", "lost"]


# Each server's flags per idle mode: ours (xsk-echo), c (xsk_ref -m echo), kernel (udp_echo).
MODE_FLAGS = {
    "poll": {"ours": ["--poll"], "c": ["-p"], "kernel": []},
    "busy": {"ours": ["--busy-poll"], "c": ["-B"], "kernel": ["-B"]},
    "spin": {"ours": ["--spin"], "c": [], "kernel": ["-s"]},
}
for _m in LAT_MODES:
    if _m not in MODE_FLAGS:
        raise SystemExit(f"LAT_MODES: unknown mode {_m}; known: {','.join(MODE_FLAGS)}")
if LAT_CLIENT not in ("spin", "sleep"):
    raise SystemExit("LAT_CLIENT: spin or sleep")
if LAT_SCHED not in ("", "fifo", "fifo-server"):
    raise SystemExit("LAT_SCHED: fifo or fifo-server (or empty: the default scheduling)")
for _m in LAT_SCHED_MODES:
    if _m not in MODE_FLAGS:
        raise SystemExit(f"LAT_SCHED_MODES: unknown mode {_m}; known: {','.join(MODE_FLAGS)}")
if not LAT_RT_PRIO.isdigit() or not 1 <= int(LAT_RT_PRIO) <= 49:
    raise SystemExit("LAT_RT_PRIO: 1 to 49 (below the kernel's interrupt threads, 50)")


def fair_share_guaranteed():
    """Whether tasks of the ordinary class keep a share of a CPU that a SCHED_FIFO task spins
    on: the kernel's RT throttling (sched_rt_runtime_us below the period) or, from Linux 6.12,
    its fair server (50 ms a second for them, whatever sched_rt_runtime_us says; measured on
    6.18 with sched_rt_runtime_us = -1: a spinning FIFO task still lost 40-50 ms a second to
    the compilers that wanted its CPU)."""
    with open("/proc/sys/kernel/sched_rt_runtime_us") as f:
        throttled = int(f.read()) >= 0
    major, minor = (int(x) for x in os.uname().release.split(".")[:2])
    return throttled or (major, minor) >= (6, 12)


def rt_prefix(role, mode):
    """`chrt -f PRIO` for a server (role "server") or the client in idle mode `mode` when
    LAT_SCHED and LAT_SCHED_MODES say so.

    A SCHED_FIFO task is never preempted by an ordinary task: on its CPU it runs until it
    sleeps, whatever else wants that CPU (other tasks move to the other CPU or wait). A spinning
    one (busy, spin, the spinning client) is safe only while the kernel keeps a share of the CPU
    for the others (fair_share_guaranteed()): with both CPUs spinning under FIFO, everything
    else on the machine (this harness too) gets that share alone, 5 % a CPU, for the run."""
    if not LAT_SCHED or mode not in LAT_SCHED_MODES or (role == "client" and LAT_SCHED != "fifo"):
        return []
    if not fair_share_guaranteed():
        raise RuntimeError("LAT_SCHED: sched_rt_runtime_us is -1 on a kernel without the fair "
                           "server (< 6.12): a spinning SCHED_FIFO task could starve the CPU")
    return ["chrt", "-f", LAT_RT_PRIO]


def server_cmd(h, impl, secs, mode):
    """The echo server `impl` in idle mode `mode` for `secs` seconds, or None if not built."""
    flags = MODE_FLAGS[mode][impl]
    if impl == "ours":
        e = h.exe("xsk-echo")
        if not e:
            return None
        frames = ["--frames", LAT_FRAMES] if LAT_FRAMES else []
        return [e, "--iface", h.IF_B, "--queue", "0", "--port", LAT_PORT, "--duration",
                f"{secs:g}", *flags, *frames, *LAT_OURS_ARGS]
    if impl == "c":
        if LAT_PORT != "7777":
            raise RuntimeError("the C echo's XDP program answers port 7777 only")
        frames = ["-F", LAT_FRAMES, "-R", str(int(LAT_FRAMES) // 2)] if LAT_FRAMES else []
        return [h.C_XSK, "-m", "echo", "-i", h.IF_B, "-q", "0", "-b", h.BATCH, "-d",
                f"{secs:g}", "-w", "0", "-o", h.C_OBJ, *flags, *frames]
    return [os.path.join(h.BUILD, "udp_echo"), "-p", LAT_PORT, "-d", f"{secs:g}", *flags]


def steal_ms(cpus):
    """Steal time so far of the CPUs `cpus` (numbers as strings), summed, in ms."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        rows = [line.split() for line in f if line.startswith("cpu")]
    return sum(int(r[8]) for r in rows if r[0] in {f"cpu{c}" for c in cpus}) * 1000 / tick


# The client's histograms of every run, summed per (workload row, server): quantiles over all
# rounds' round trips (pooled()), which a few stalls in one round cannot decide the way they
# decide that round's p99.
HISTS = {}
SUB = 32  # udp_lat.c's buckets: 32 per power of two


def parse_hist(text):
    """{bucket: count} of udp_lat's `HIST b:c ...` line (empty if none)."""
    for line in text.splitlines():
        if line.startswith("HIST"):
            return {int(b): int(c) for b, c in (kv.split(":") for kv in line.split()[1:])}
    return {}


def bucket_high_ns(b):
    """The upper edge of bucket `b` (udp_lat.c's bucket_high)."""
    if b < SUB:
        return b
    shift = b // SUB - 1
    return ((SUB + b % SUB) << shift) + (1 << shift) - 1


def quantile_us(hist, q):
    """Quantile `q` of a histogram, as udp_lat.c reports it (the bucket's upper edge)."""
    total = sum(hist.values())
    if not total:
        return None
    rank, seen = min(int(q * total), total - 1), 0
    for b in sorted(hist):
        seen += hist[b]
        if seen > rank:
            return bucket_high_ns(b) / 1e3
    return None


def pooled():
    """Per workload row and server: round trips counted and pooled p50/p99/p99.9 (us)."""
    out = {}
    for (name, impl), hist in sorted(HISTS.items()):
        out.setdefault(name, {})[impl] = {
            "n": sum(hist.values()), "p50_us": quantile_us(hist, 0.5),
            "p99_us": quantile_us(hist, 0.99), "p999_us": quantile_us(hist, 0.999)}
    return out


def pooled_text(pool):
    """The pooled quantiles as a Markdown table, with ours' ratios to the references."""
    if not pool:
        return ""
    lines = ["Pooled over all rounds (every round trip of a server's runs in one histogram):", "",
             "| workload | metric | ours | c | kernel | ours/c | ours/kernel |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, sides in pool.items():
        for m in ("n", "p50_us", "p99_us", "p999_us"):
            v = {k: sides.get(k, {}).get(m) for k in SIDES}
            cell = [f"{v[k]:,}" if m == "n" and v[k] is not None else
                    (f"{v[k]:.3g}" if v[k] is not None and v[k] < 100 else
                     (f"{v[k]:,.0f}" if v[k] is not None else "-")) for k in SIDES]
            ratio = ["-" if m == "n" or not v["ours"] or not v[k] else f"{v['ours'] / v[k]:.2f}"
                     for k in ("c", "kernel")]
            lines.append(f"| {name} | {m} | " + " | ".join(cell + ratio) + " |")
    return "\n".join(lines) + "\n"


def run_latency(h, box, impl, rate, mode):
    """One round of one server at `rate` requests/s: the client's quantiles (microseconds)."""
    dur = float((LAT_DURATION if rate == LAT_RATE else LAT_LOAD_DURATION) or h.DURATION)
    secs = h.WARMUP + dur + 2
    cmd = server_cmd(h, impl, secs, mode)
    if cmd is None:
        return None
    # The answers go to the client's socket: no XDP_DROP sink on the client's side now.
    box.sink(h.NS_A, h.IF_A, False)
    try:
        s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *rt_prefix("server", mode), *cmd), secs + 15)
        h.time.sleep(0.5)
        steal0 = steal_ms({h.GEN_CPU, h.RX_CPU})
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", LAT_PORT,
                  "-r", str(rate), "-d", f"{dur:g}", "-w", f"{h.WARMUP:g}",
                  "-s", LAT_SIZE] + (["-S"] if LAT_CLIENT == "spin" else [])
        c = h.Proc(h.in_ns(h.NS_A, h.GEN_CPU, *rt_prefix("client", mode), *client),
                   h.WARMUP + dur + 15).wait()
        steal = steal_ms({h.GEN_CPU, h.RX_CPU}) - steal0
        # Done measuring: stop the server now rather than at the end of its --duration (every
        # server stops cleanly on SIGTERM and reports as at its end).
        # (os.kill, not Popen's: that reaps an ended server before wait4() can read its
        # rusage; unreaped, its pid cannot be reused.)
        os.kill(s.p.pid, h.signal.SIGTERM)
        s.wait()
    finally:
        box.sink(h.NS_A, h.IF_A, True)
    res = h.result_line(c.out)
    if c.rc != 0 or "p50_us" not in res:
        raise RuntimeError(f"latency client failed (exit {c.rc}): {c.err.strip()[-400:]}")
    if s.rc != 0:
        raise RuntimeError(f"{impl} echo failed (exit {s.rc}): {s.err.strip()[-400:]}")
    if not res.get("answered"):
        raise RuntimeError(f"{impl} echo answered nothing ({res})")
    hist = HISTS.setdefault((row_name(rate, mode), impl), {})
    for b, n in parse_hist(c.out).items():
        hist[b] = hist.get(b, 0) + n
    return {**{m: res[m] for m in METRICS}, "preempted": s.preempted,
            "client_preempted": c.preempted, "steal_ms": steal}


def row_name(rate, mode):
    """The harness's name of the row of `rate` requests/s in idle mode `mode`."""
    return f"echo round trip at {rate}/s ({mode})"


def workloads(h, name):
    """The harness's table rows for workload `name` (latency or latency-load)."""
    rate = LAT_RATE if name == "latency" else LAT_LOAD_RATE
    return [(row_name(rate, mode), "p50_us", "lower",
             (lambda m: lambda b, i: run_latency(h, b, i, rate, m))(mode), SIDES)
            for mode in LAT_MODES]


# ----------------------------------------------------------------------------- the targets
# Judged per cell (workload row x quantile) on the per-round ratios ours/reference: both runs
# of a ratio are in the same round, next to each other, so slow drift of the machine (other
# sessions' builds, steal time) cancels; rounds rotate the servers' order (bench/harness.py
# run_order) so that no server always runs first, in the middle or last. The median of the
# ratios gets a confidence interval from order statistics (no assumption on how the noise is
# distributed; ties and the histograms' 3 % buckets are fine), and the target is stated against
# that interval, not against the median alone.

TARGET_METRICS = ("p50_us", "p99_us")
CONFIDENCE = float(ENV.get("LAT_CONFIDENCE", "0.95"))


def median_ci(values, level=CONFIDENCE):
    """(median, low, high, coverage) of `values`: the order-statistic interval
    [x_(k), x_(n+1-k)] around the median with the largest k whose coverage (the probability
    that the true median lies inside: 1 - 2 P(Binomial(n, 1/2) < k)) is at least `level`; with
    too few values for `level` (n < 6 at 95 %), the widest one, [min, max], and its coverage
    (94 % for 5 values, 88 % for 4)."""
    x = sorted(values)
    n = len(x)
    if not n:
        return None

    def coverage(k):
        return 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2 ** n

    k = 1
    while k + 1 <= (n + 1) // 2 and coverage(k + 1) >= level:
        k += 1
    return statistics.median(x), x[k - 1], x[n - k], coverage(k)


def verdict(ref, lo, hi):
    """Whether ours' target against `ref` holds within the interval [lo, hi] of ours/ref.
    Against the C echo the target is "no worse": held if the whole interval is at or below 1,
    missed if the whole interval is above 1, else level (the rounds cannot tell the two
    apart). Against the kernel socket it is "lower": held if the whole interval is below 1,
    missed if it is at or above 1, else not shown."""
    if ref == "c":
        return "holds" if hi <= 1 else ("missed" if lo > 1 else "level (CI spans 1)")
    return "holds" if hi < 1 else ("missed" if lo >= 1 else "not shown (CI spans 1)")


def targets(rows):
    """Per latency row, quantile of TARGET_METRICS and reference (c, kernel): the per-round
    ratios ours/reference, their median, its confidence interval and the verdict."""
    vals = {}
    for r in rows:
        if r["metric"] in TARGET_METRICS and r["workload"].startswith("echo round trip"):
            vals.setdefault((r["workload"], r["metric"]), {}).setdefault(r["round"], {})[
                r["impl"]] = r["value"]
    out = []
    for (name, metric), per_round in vals.items():
        for ref in ("c", "kernel"):
            ratios = [v["ours"] / v[ref] for v in per_round.values()
                      if v.get("ours") is not None and v.get(ref)]
            if not ratios:
                continue
            med, lo, hi, cov = median_ci(ratios)
            # Below 5 rounds even [min, max] covers the median with less than 94 %.
            say = verdict(ref, lo, hi) if cov >= min(CONFIDENCE, 0.9375) else \
                f"too few rounds ({len(ratios)})"
            out.append({"workload": name, "metric": metric, "ref": ref, "n": len(ratios),
                        "median": med, "low": lo, "high": hi, "coverage": cov,
                        "verdict": say})
    return out


def targets_text(t):
    """The targets as a Markdown table (empty if none)."""
    if not t:
        return ""
    lines = ["Targets (issue 16): per-round ratio ours/reference, median and its order-statistic "
             "confidence interval; against C the target is \"no worse\" (holds: CI <= 1), against "
             "the kernel socket \"lower\" (holds: CI < 1):", "",
             "| workload | metric | reference | rounds | ours/ref median | CI | coverage | target |",
             "|---|---|---|---:|---:|---|---:|---|"]
    for e in t:
        lines.append(f"| {e['workload']} | {e['metric']} | {e['ref']} | {e['n']} | "
                     f"{e['median']:.3f} | {e['low']:.3f}-{e['high']:.3f} | "
                     f"{e['coverage'] * 100:.1f} % | {e['verdict']} |")
    return "\n".join(lines) + "\n"


def run_order(sides, rnd):
    """The order of `sides` in round `rnd` (from 0): with two, A B then B A; with more, every
    permutation in turn, so that over len(sides)! rounds each side runs in each position (and
    after each other side) equally often. (A B C / C B A would always run the C echo in the
    middle: after another AF_XDP or socket server, never first.)"""
    if len(sides) <= 2:
        return list(sides) if rnd % 2 == 0 else list(reversed(sides))
    perms = list(itertools.permutations(sides))
    return list(perms[rnd % len(perms)])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 bench/latency.py DIR/latest.json  (prints its targets)")
    with open(sys.argv[1]) as f:
        print(targets_text(targets(json.load(f)["rows"])), end="")
