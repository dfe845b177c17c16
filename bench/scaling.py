"""The scaling workloads of bench/harness.py (`rxdrop-scale`, `l2fwd-scale`): the same AF_XDP
program on 1 queue and on 2 queues of the receiving veth end, one thread per queue pinned to
its CPU, ours (the examples' xsk-rxdrop / xsk-l2fwd `--queues N --cpus LIST`, on
xsk-runtime's Workers) against the C reference (bench/c/xsk_ref.c `-Q N -C LIST`, libxdp, one
thread per queue). Both sides run their multi-queue code for 1 queue too, so the ratio
2 queues / 1 queue compares one code path with itself.

How traffic reaches 2 queues on veth: the live-frames generator's XDP_TX frames land on the
peer's rx queue `sending CPU % real_num_rx_queues` (veth_select_rxq; no flow hashing on this
path). So two generators run, one pinned to each CPU, in both configurations: with the
receiving end set to 1 channel (`ethtool -L IF rx 1 tx 1`) both land on queue 0; set to 2,
each CPU's frames land on its own queue. The offered load is the same; only the number of
queues (and receiver threads) changes. The veth pair is made with 2 queues a side
(harness.py) and set back to 1 channel after each run, which is what every other workload
sees (the generator end's XDP_DROP sink is detached while the counts change: veth refuses
counts an XDP program on either end could see mismatched).

On a 2-CPU machine the generators, the kernel's receive work (veth's NAPI runs on the
sending CPU) and the receiver threads share the same two CPUs: the ratio says what this
machine allows, not what the code would reach with a CPU per queue and a separate sender.

Metrics per side and round: pps_1q, pps_2q, scale (= pps_2q / pps_1q), and the receiver's
CPU ns per packet for each. rxdrop counts what the receiver says it received; l2fwd what the
XDP_DROP sink on the generator's end counted coming back.

Environment: SCALE_CPUS ("0,1": the two CPUs, one generator and one queue each), SCALE_POLL
(1: the receivers poll() while their RX ring is empty, both sides; 0: they spin), and RX_CPU for
the 1-queue receiver (harness.py).
"""

import os
import time

ENV = os.environ
SCALE_CPUS = ENV.get("SCALE_CPUS", "0,1").split(",")
# poll() while the RX ring is empty (1, the default) or busy-spin (0): spinning receivers take
# the CPUs the generators and the kernel's receive work need on a 2-CPU machine.
SCALE_POLL = ENV.get("SCALE_POLL", "1") == "1"
_turn = [0]


def channels(h, box, n):
    """Both ends to n rx and n tx queues. veth refuses a channel count that an XDP program on
    either end could see mismatched (veth_set_channels), so the generator end's XDP_DROP sink
    is detached while the counts change."""
    box.sink(h.NS_A, h.IF_A, False)
    try:
        for ns, ifname in ((h.NS_A, h.IF_A), (h.NS_B, h.IF_B)):
            h.sh("ip", "netns", "exec", ns, "ethtool", "-L", ifname, "rx", str(n), "tx", str(n))
    finally:
        box.sink(h.NS_A, h.IF_A, True)


def receiver_cmd(h, impl, mode, queues, cpus):
    if impl == "c":
        return [h.C_XSK, "-m", mode, "-i", h.IF_B, "-q", "0", "-b", h.BATCH,
                "-d", f"{h.DURATION:g}", "-w", f"{h.WARMUP:g}", "-o", h.C_OBJ,
                "-Q", str(queues), "-C", ",".join(cpus)] + (["-p"] if SCALE_POLL else [])
    b = h.exe("xsk-" + mode)
    if not b:
        return None
    return [b, "--iface", h.IF_B, "--queue", "0", "--batch", h.BATCH,
            "--duration", f"{h.DURATION:g}", "--warmup", f"{h.WARMUP:g}",
            "--queues", str(queues), "--cpus", ",".join(cpus)] + (["--poll"] if SCALE_POLL else [])


def one(h, box, impl, mode, queues):
    cpus = SCALE_CPUS[:queues] if queues > 1 else [h.RX_CPU]
    cmd = receiver_cmd(h, impl, mode, queues, cpus)
    if cmd is None:
        return None
    channels(h, box, queues)
    try:
        span = h.WARMUP + h.DURATION + 3
        gens = []
        for cpu in SCALE_CPUS:
            gcmd = h.gen_cmd(span)
            # The generators share the CPUs with the receivers here: they run at normal
            # priority (not NICE), so a receiver with work gets its CPU first.
            gens.append(h.Proc(["ip", "netns", "exec", h.NS_A, "taskset", "-c", cpu, *gcmd],
                               span + 15))
        time.sleep(0.3)
        r = h.Proc(h.in_ns(h.NS_B, ",".join(cpus), *cmd), h.WARMUP + h.DURATION + 20)
        time.sleep(h.WARMUP + 0.1)
        c0, t0 = box.rx_packets(h.NS_A, h.IF_A), time.monotonic()
        time.sleep(max(h.DURATION - 0.3, 0.1))
        c1, t1 = box.rx_packets(h.NS_A, h.IF_A), time.monotonic()
        r.wait()
        for g in gens:
            g.wait()
            if g.rc != 0:
                raise RuntimeError(f"generator failed: {g.err.strip()}")
    finally:
        channels(h, box, 1)
    res = h.result_line(r.out)
    if r.rc != 0 or "total_pkts" not in res:
        raise RuntimeError(f"{impl} {mode} x{queues} failed (exit {r.rc}): {r.err.strip()[-400:]}")
    pps = res["pps"] if mode == "rxdrop" else (c1 - c0) / (t1 - t0)
    return {"pps": pps, "cpu": r.cpu * 1e9 / max(res["total_pkts"], 1)}


def run(h, box, impl, mode):
    # Alternate which configuration goes first, so drift hits both alike.
    _turn[0] += 1
    order = (1, 2) if _turn[0] % 2 else (2, 1)
    got = {}
    for q in order:
        m = one(h, box, impl, mode, q)
        if m is None:
            return None
        got[q] = m
    return {"scale": got[2]["pps"] / max(got[1]["pps"], 1e-9), "pps_1q": got[1]["pps"],
            "pps_2q": got[2]["pps"], "cpu_ns_per_pkt_1q": got[1]["cpu"],
            "cpu_ns_per_pkt_2q": got[2]["cpu"]}


def workloads(h, w):
    mode = "rxdrop" if w == "rxdrop-scale" else "l2fwd"
    return [(f"{mode}: 2 queues / 1 queue", "scale", "higher",
             lambda b, i: run(h, b, i, mode), ["ours", "c"])]
