"""The latency workloads of bench/harness.py: round trips through a UDP echo server.

One client (bench/c/udp_lat.c, in the generator's namespace, on GEN_CPU) sends requests at a
fixed rate from an ordinary UDP socket, open loop, and takes p50 / p99 / p99.9 of the round
trips from a log-linear histogram. The server, in the receiver's namespace on RX_CPU, is one of:

  ours    the examples' xsk-echo (AF_XDP; UDP to port 7777 redirected by its XDP program)
  c       bench/c/xsk_ref.c -m echo (libxdp; the `xsk_echo` program of xdp_progs.bpf.c)
  kernel  bench/c/udp_echo.c (an ordinary UDP socket: the kernel stack both ways)

LAT_IDLE says what a server does while no request waits: `poll` (default: sleep in poll() /
recvfrom()) or `spin` (busy loop). On a machine whose CPUs are all busy, spinning servers
starve the veth's softirq work (it then runs late in ksoftirqd) and round trips grow to
milliseconds, so `poll` is the default here; on a quiet machine with spare CPUs try both.

Environment: LAT_RATE (1000 requests/s: the fixed low rate), LAT_LOAD_RATE (50000: under
load), LAT_SIZE (64-byte UDP payload), LAT_IDLE (poll|spin), LAT_PORT (7777).
"""

import os

ENV = os.environ
LAT_RATE = int(ENV.get("LAT_RATE", "1000"))
LAT_LOAD_RATE = int(ENV.get("LAT_LOAD_RATE", "50000"))
LAT_SIZE = ENV.get("LAT_SIZE", "64")
LAT_IDLE = ENV.get("LAT_IDLE", "poll")
LAT_PORT = ENV.get("LAT_PORT", "7777")
SIDES = ["ours", "c", "kernel"]
METRICS = ["p50_us", "p99_us", "p999_us", "max_us", "mean_us", "lost"]


def server_cmd(h, impl, secs):
    """The echo server `impl` for `secs` seconds, or None if it is not built."""
    if impl == "ours":
        e = h.exe("xsk-echo")
        if not e:
            return None
        return [e, "--iface", h.IF_B, "--queue", "0", "--port", LAT_PORT, "--duration",
                f"{secs:g}", "--spin" if LAT_IDLE == "spin" else "--poll"]
    if impl == "c":
        if LAT_PORT != "7777":
            raise RuntimeError("the C echo's XDP program answers port 7777 only")
        cmd = [h.C_XSK, "-m", "echo", "-i", h.IF_B, "-q", "0", "-b", h.BATCH, "-d", f"{secs:g}",
               "-w", "0", "-o", h.C_OBJ]
        return cmd if LAT_IDLE == "spin" else cmd + ["-p"]
    cmd = [os.path.join(h.BUILD, "udp_echo"), "-p", LAT_PORT, "-d", f"{secs:g}"]
    return cmd + ["-s"] if LAT_IDLE == "spin" else cmd


def run_latency(h, box, impl, rate):
    """One round of one server at `rate` requests/s: the client's quantiles (microseconds)."""
    secs = h.WARMUP + h.DURATION + 2
    cmd = server_cmd(h, impl, secs)
    if cmd is None:
        return None
    # The answers go to the client's socket: no XDP_DROP sink on the client's side now.
    box.sink(h.NS_A, h.IF_A, False)
    try:
        s = h.Proc(h.in_ns(h.NS_B, h.RX_CPU, *cmd), secs + 15)
        h.time.sleep(0.5)
        client = [os.path.join(h.BUILD, "udp_lat"), "-a", "10.77.0.2", "-p", LAT_PORT,
                  "-r", str(rate), "-d", f"{h.DURATION:g}", "-w", f"{h.WARMUP:g}",
                  "-s", LAT_SIZE]
        c = h.Proc(h.in_ns(h.NS_A, h.GEN_CPU, *client), h.WARMUP + h.DURATION + 15).wait()
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
    return {m: res[m] for m in METRICS}


def workloads(h, name):
    """The harness's table rows for workload `name` (latency or latency-load)."""
    rate = LAT_RATE if name == "latency" else LAT_LOAD_RATE
    label = f"echo round trip at {rate}/s ({LAT_IDLE})"
    return [(label, "p50_us", "lower", lambda b, i: run_latency(h, b, i, rate), SIDES)]
