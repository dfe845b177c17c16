"""The ring buffer workload of bench/harness.py (`ringbuf`): events per second and consumer CPU
per event of a BPF_MAP_TYPE_RINGBUF consumer, ours (examples' bench-ringbuf, xsk-runtime's
RingBuf::poll) against libbpf's ring_buffer (bench/c/ringbuf_ref.c). Both run the same XDP
program (one 8-byte event per run, bpf_ringbuf_output with flags 0: a wake-up per event) from a
producer thread on GEN_CPU with BPF_PROG_TEST_RUN, and read on RX_CPU, checking the order.

Environment: RINGBUF_EVENTS (500000 per run), RINGBUF_REPEAT (1000 runs per test-run call).
"""

import os

ENV = os.environ
EVENTS = ENV.get("RINGBUF_EVENTS", "500000")
REPEAT = ENV.get("RINGBUF_REPEAT", "1000")


def run(h, box, impl):
    if impl == "ours":
        b = h.exe("bench-ringbuf")
        if not b:
            return None
        cmd = [b, "--events", EVENTS, "--repeat", REPEAT, "--producer-cpu", h.GEN_CPU,
               "--consumer-cpu", h.RX_CPU]
    else:
        cmd = [os.path.join(h.BUILD, "ringbuf_ref"), "-n", EVENTS, "-r", REPEAT, "-P", h.GEN_CPU,
               "-C", h.RX_CPU]
    r = h.Proc(["nice", "-n", h.NICE, *cmd], 600).wait()
    res = h.result_line(r.out)
    if r.rc != 0 or "eps" not in res:
        raise RuntimeError(f"{impl} ringbuf failed (exit {r.rc}): {r.err.strip()[-400:]}")
    return {"eps": res["eps"], "consumer_cpu_ns_per_event": res["consumer_cpu_ns_per_event"],
            "full": res["full"]}


def workloads(h):
    return [("ring buffer, 8-byte events", "eps", "higher", lambda b, i: run(h, b, i),
             ["ours", "c"])]
