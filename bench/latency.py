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
        blocking recvfrom() (udp_echo)
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
load), LAT_SIZE (64-byte UDP payload), LAT_MODES (poll,busy), LAT_CLIENT (spin|sleep),
LAT_PORT (7777).

Besides the client's quantiles each run records what stalls it (bench/lat_attrib.py tells them
apart request by request): `preempted`, the server's involuntary context switches over its run
(other tasks on its CPU), and `steal_ms`, the steal time of the client's and the server's CPUs
during the client's run (/proc/stat: the hypervisor not running the vCPU).
"""

import os

ENV = os.environ
LAT_RATE = int(ENV.get("LAT_RATE", "1000"))
LAT_LOAD_RATE = int(ENV.get("LAT_LOAD_RATE", "50000"))
LAT_SIZE = ENV.get("LAT_SIZE", "64")
LAT_MODES = [m for m in ENV.get("LAT_MODES", "poll,busy").split(",") if m]
LAT_CLIENT = ENV.get("LAT_CLIENT", "spin")
LAT_PORT = ENV.get("LAT_PORT", "7777")
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


def server_cmd(h, impl, secs, mode):
    """The echo server `impl` in idle mode `mode` for `secs` seconds, or None if not built."""
    flags = MODE_FLAGS[mode][impl]
    if impl == "ours":
        e = h.exe("xsk-echo")
        if not e:
            return None
        return [e, "--iface", h.IF_B, "--queue", "0", "--port", LAT_PORT, "--duration",
                f"{secs:g}", *flags]
    if impl == "c":
        if LAT_PORT != "7777":
            raise RuntimeError("the C echo's XDP program answers port 7777 only")
        return [h.C_XSK, "-m", "echo", "-i", h.IF_B, "-q", "0", "-b", h.BATCH, "-d",
                f"{secs:g}", "-w", "0", "-o", h.C_OBJ, *flags]
    return [os.path.join(h.BUILD, "udp_echo"), "-p", LAT_PORT, "-d", f"{secs:g}", *flags]


def steal_ms(cpus):
    """Steal time so far of the CPUs `cpus` (numbers as strings), summed, in ms."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        rows = [line.split() for line in f if line.startswith("cpu")]
    return sum(int(r[8]) for r in rows if r[0] in {f"cpu{c}" for c in cpus}) * 1000 / tick


def run_latency(h, box, impl, rate, mode):
    """One round of one server at `rate` requests/s: the client's quantiles (microseconds)."""
    secs = h.WARMUP + h.DURATION + 2
    cmd = server_cmd(h, impl, secs, mode)
    if cmd is None:
        return None
    # The answers go to the client's socket: no XDP_DROP sink on the client's side now.
    box.sink(h.NS_A, h.IF_A, False)
    try:
        s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *cmd), secs + 15)
        h.time.sleep(0.5)
        steal0 = steal_ms({h.GEN_CPU, h.RX_CPU})
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", LAT_PORT,
                  "-r", str(rate), "-d", f"{h.DURATION:g}", "-w", f"{h.WARMUP:g}",
                  "-s", LAT_SIZE] + (["-S"] if LAT_CLIENT == "spin" else [])
        c = h.Proc(h.in_ns(h.NS_A, h.GEN_CPU, *client), h.WARMUP + h.DURATION + 15).wait()
        steal = steal_ms({h.GEN_CPU, h.RX_CPU}) - steal0
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
    return {**{m: res[m] for m in METRICS}, "preempted": s.preempted, "steal_ms": steal}


def workloads(h, name):
    """The harness's table rows for workload `name` (latency or latency-load)."""
    rate = LAT_RATE if name == "latency" else LAT_LOAD_RATE
    return [(f"echo round trip at {rate}/s ({mode})", "p50_us", "lower",
             (lambda m: lambda b, i: run_latency(h, b, i, rate, m))(mode), SIDES)
            for mode in LAT_MODES]
