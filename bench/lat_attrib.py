#!/usr/bin/env python3
"""Where a latency run's slow round trips come from: the echo server off its CPU, the client
off its CPU, or neither (then: the data path, or the VM itself).

Record the scheduler during one run of bench/c/udp_lat.c (CLOCK_MONOTONIC, as the client's
timestamps) and have the client log its slow round trips (-S -T US), then:

    perf record -k CLOCK_MONOTONIC -a -e sched:sched_switch,irq:softirq_entry \
        -o sched.data -- sleep 8 &
    udp_lat -a 10.77.0.2 -r 50000 -d 4 -w 1 -S -T 300 2> slow.txt    # (server on RX_CPU)
    perf script -i sched.data -F comm,tid,cpu,time,event,trace > sched.txt
    python3 bench/lat_attrib.py sched.txt slow.txt xsk-echo [SERVER_CPU [CLIENT_CPU]]

Prints how long and how often the server (the task whose name starts with the third argument,
on SERVER_CPU, default 1) and the client (udp_lat*, on CLIENT_CPU, default 0) were off their
CPUs for over 1 ms, and groups the slow round trips into episodes (sends less than 2 ms apart),
each put down to the server or the client if that one was off its CPU for over 100 us from
10 ms before the episode to its last answer, else to neither (those are listed, with the
longest stretch without any recorded event on either CPU: with the softirq events recorded, a
serving CPU is never silent for long, and a silence of milliseconds while its task was on it
is the hypervisor not running that vCPU: steal time, see /proc/stat).
"""

import re
import sys

EVENT = re.compile(r"\[(\d+)\]\s+([\d.]+):")
SWITCH = re.compile(r"\[(\d+)\]\s+([\d.]+):\s+sched:sched_switch:.*prev_comm=(.*?) prev_pid=.*"
                    r"next_comm=(.*?) next_pid=")


def off_cpu(lines, name, cpu):
    """(from, to) of every time task `name*` was switched out on `cpu` until it came back."""
    out, since = [], None
    for m in lines:
        if int(m[0]) != cpu:
            continue
        t = float(m[1])
        if m[2].startswith(name):
            since = t
        if m[3].startswith(name) and since is not None:
            out.append((since, t))
            since = None
    return out


def silence(times, lo, hi):
    """The longest time between consecutive events in [lo, hi] (bounds included as events)."""
    inside = [lo] + [t for t in times if lo < t < hi] + [hi]
    return max(b - a for a, b in zip(inside, inside[1:]))


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    sched, slow_file, server = sys.argv[1:4]
    server_cpu = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    client_cpu = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    text = open(sched).read().splitlines()
    lines = [m.groups() for m in map(SWITCH.search, text) if m]
    events = {}  # cpu -> sorted event times
    for m in filter(None, map(EVENT.search, text)):
        events.setdefault(int(m[1]), []).append(float(m[2]))
    slow, gaps = [], []
    for line in open(slow_file):
        f = line.split()
        if f and f[0] == "SLOW":
            slow.append((float(f[1]), float(f[2]) / 1e6))
        elif f and f[0] == "CLIENTGAP":
            gaps.append(float(f[1]))
    stamps = [t for t, _ in slow] + gaps
    lo, hi = (min(stamps) - 0.1, max(stamps) + 0.1) if stamps else (0.0, float("inf"))
    srv = [iv for iv in off_cpu(lines, server, server_cpu) if lo <= iv[0] and iv[1] <= hi]
    cli = [iv for iv in off_cpu(lines, "udp_lat", client_cpu) if lo <= iv[0] and iv[1] <= hi]
    for who, iv in ((f"server {server} (CPU {server_cpu})", srv),
                    (f"client udp_lat (CPU {client_cpu})", cli)):
        big = [b - a for a, b in iv if b - a > 1e-3]
        print(f"{who}: off its CPU >1 ms {len(big)} times, {sum(big) * 1e3:.0f} ms in all, "
              f"longest {max(big, default=0) * 1e3:.1f} ms")
    episodes = []  # [first send, last send, peak rtt, last answer, count]
    for t, rtt in slow:
        if episodes and t - episodes[-1][1] < 0.002:
            e = episodes[-1]
            e[1], e[2], e[3], e[4] = t, max(e[2], rtt), max(e[3], t + rtt), e[4] + 1
        else:
            episodes.append([t, t, rtt, t + rtt, 1])
    counts = {"server": 0, "client": 0, "neither": 0}
    for first, last, peak, end, n in episodes:
        def hit(iv):
            return any(b - a > 1e-4 and b >= first - 0.01 and a <= end for a, b in iv)
        why = "server" if hit(srv) else "client" if hit(cli) else "neither"
        counts[why] += 1
        if why == "neither":
            quiet = {c: silence(events.get(c, []), first - 0.001, end)
                     for c in (server_cpu, client_cpu)}
            print(f"  neither: sends {first:.6f}..{last:.6f}, {n} slow, peak {peak * 1e3:.3f} ms;"
                  f" longest silence: CPU {server_cpu} {quiet[server_cpu] * 1e3:.2f} ms, "
                  f"CPU {client_cpu} {quiet[client_cpu] * 1e3:.2f} ms")
    print(f"slow episodes: {len(episodes)}; off its CPU: server {counts['server']}, client "
          f"{counts['client']}; neither {counts['neither']}")


if __name__ == "__main__":
    main()
