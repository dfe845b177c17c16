"""The ring buffer workload of bench/harness.py (`ringbuf`): events per second and consumer CPU
per event of a BPF_MAP_TYPE_RINGBUF consumer, ours (examples' bench-ringbuf, xsk-runtime's
RingBuf::poll) against libbpf's ring_buffer (bench/c/ringbuf_ref.c). Both run the same XDP
program (xsk-testkit/src/seqring.rs: one 16-byte record per run, bpf_ringbuf_output with flags 0:
the kernel's adaptive wake-up) from a
producer thread on GEN_CPU with BPF_PROG_TEST_RUN, and read on RX_CPU, checking the order.

The consumer-bound variant (`ringbuf-work`): the program writes with BPF_RB_NO_WAKEUP, the
producer makes few long test-run calls (RINGBUF_WORK_REPEAT runs each: a test-run call costs a
fixed ~30 ms here, mostly off-CPU, whatever its repeat count, which is what bounds the variant
above at ~40 k events/s), and the consumer spins on RingBuf::consume / ring_buffer__consume and
does RINGBUF_WORK rounds of xorshift64* per record: the ring fills (the `full` count) and
events/s is the consumer's capacity; consumer CPU per event is its cost per record.

Environment: RINGBUF_EVENTS (500000 per run), RINGBUF_REPEAT (1000 runs per test-run call),
RINGBUF_WORK_EVENTS (4000000), RINGBUF_WORK_REPEAT (100000), RINGBUF_WORK (128 rounds).
"""

import os

ENV = os.environ
EVENTS = ENV.get("RINGBUF_EVENTS", "500000")
REPEAT = ENV.get("RINGBUF_REPEAT", "1000")
WORK_EVENTS = ENV.get("RINGBUF_WORK_EVENTS", "4000000")
WORK_REPEAT = ENV.get("RINGBUF_WORK_REPEAT", "100000")
WORK = ENV.get("RINGBUF_WORK", "128")


def run(h, box, impl, work=False):
    events, repeat = (WORK_EVENTS, WORK_REPEAT) if work else (EVENTS, REPEAT)
    if impl == "ours":
        b = h.exe("bench-ringbuf")
        if not b:
            return None
        cmd = [b, "--events", events, "--repeat", repeat, "--producer-cpu", h.GEN_CPU,
               "--consumer-cpu", h.RX_CPU]
        if work:
            cmd += ["--busy", "--work", WORK]
    else:
        cmd = [os.path.join(h.BUILD, "ringbuf_ref"), "-n", events, "-r", repeat, "-P", h.GEN_CPU,
               "-C", h.RX_CPU]
        if work:
            cmd += ["-B", "-W", WORK]
    r = h.Proc(["nice", "-n", h.NICE, *cmd], 600).wait()
    res = h.result_line(r.out)
    if r.rc != 0 or "eps" not in res:
        raise RuntimeError(f"{impl} ringbuf failed (exit {r.rc}): {r.err.strip()[-400:]}")
    return {"eps": res["eps"], "consumer_cpu_ns_per_event": res["consumer_cpu_ns_per_event"],
            "full": res["full"]}


def workloads(h, w="ringbuf"):
    if w == "ringbuf-work":
        return [(f"ring buffer, consumer-bound ({WORK} rounds/record, no wake-ups)", "eps",
                 "higher", lambda b, i: run(h, b, i, work=True), ["ours", "c"])]
    return [("ring buffer, 16-byte events", "eps", "higher", lambda b, i: run(h, b, i),
             ["ours", "c"])]
