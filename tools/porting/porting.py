#!/usr/bin/env python3
"""The porting path on real public C programs (issue 13): clang object -> `ebpf-dsl disasm` ->
text -> `ebpf-dsl asm --elf` -> our object, and the two objects compared on packets.

The programs are XDP programs of the Linux kernel's BPF selftests, from Debian's
`linux-source-6.12` (GPL-2.0): fetched at run time with `apt-get download` into the cache
($PORTING_CACHE, default target/porting/), never committed. For each entry point:

1. `clang-19 -O2 -g -target bpf -c` the C file (the cache's include directory supplies the
   selftests' small headers);
2. `ebpf-dsl disasm OBJ.o --section FUNCTION > FUNCTION.s`, `ebpf-dsl check FUNCTION.s` (our
   static verifier, reported only), `ebpf-dsl asm FUNCTION.s --elf -o ours.o`;
3. both objects loaded by bpftool (libbpf: `bpftool prog loadall ... pinmaps DIR`), their maps
   filled the same way (`bpftool map update`), each packet run with BPF_PROG_TEST_RUN
   (`bpftool prog run ... data_in ... data_out ...`); the return value and the output packet
   must be the same, and so must the program tag the kernel computes.

Writes results/summary.md. Needs root, apt-get + dpkg-deb + xz, clang-19, bpftool, cargo.
Exit status 1 if any entry differs or fails.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "linux-source-6.12"
SELFTESTS = f"{PACKAGE}/tools/testing/selftests/bpf"
EXTRACT = [
    f"{SELFTESTS}/progs/test_xdp.c",
    f"{SELFTESTS}/progs/test_xdp_noinline.c",
    f"{SELFTESTS}/test_iptunnel_common.h",
    f"{SELFTESTS}/progs/bpf_compiler.h",
]
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def log(msg):
    print(f"porting: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def out(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def fetch(cache):
    """The extracted files (cached); the .deb is removed after extraction."""
    src = cache / "src"
    done = src / ".extracted"
    if done.exists():
        return src / PACKAGE
    shutil.rmtree(src, ignore_errors=True)
    dl = cache / "download"
    dl.mkdir(parents=True, exist_ok=True)
    if not list(dl.glob(f"{PACKAGE}_*.deb")):
        log(f"apt-get download {PACKAGE} (~150 MB, once)")
        run(["apt-get", "download", "-q", PACKAGE], cwd=dl)
    debs = sorted(dl.glob(f"{PACKAGE}_*.deb"))
    if not debs:
        raise SystemExit(f"apt-get download {PACKAGE} produced no .deb in {dl}")
    src.mkdir(parents=True)
    log(f"extracting {len(EXTRACT)} files from {debs[-1].name}")
    p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[-1])], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(["tar", "-xO", f"./usr/src/{PACKAGE}.tar.xz"], stdin=p1.stdout,
                          stdout=subprocess.PIPE)
    p3 = subprocess.Popen(["xz", "-dc"], stdin=p2.stdout, stdout=subprocess.PIPE)
    p4 = subprocess.Popen(["tar", "-x", "-C", str(src), *EXTRACT], stdin=p3.stdout)
    for p in (p1, p2, p3):
        p.stdout.close()
    rcs = [p4.wait(), p3.wait(), p2.wait(), p1.wait()]
    if any(rcs):
        raise SystemExit(f"extraction failed (exit statuses {rcs})")
    for deb in debs:
        deb.unlink()
    done.write_text(debs[-1].name + "\n")
    return src / PACKAGE


# ---- packets ---------------------------------------------------------------------------------

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def eth(ethertype):
    return mac("02:00:00:00:00:02") + mac("02:00:00:00:00:01") + struct.pack("!H", ethertype)


def tcp(sport, dport):
    # source, dest, seq, ack, data offset 5, flags ACK, window, checksum, urgent
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x10, 512, 0, 0)


def ipv4(src, dst, payload, proto=6):
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, proto, 0,
                      bytes(src), bytes(dst))
    return hdr + payload


def ipv6(src, dst, payload, nexthdr=6):
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64, bytes(src), bytes(dst))
    return hdr + payload


def v4_tcp(dst, dport, sport=4321):
    return eth(0x0800) + ipv4([192, 0, 2, 1], dst, tcp(sport, dport) + b"payload!")


def v6_tcp(dst, dport, sport=4321):
    src = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
    return eth(0x86DD) + ipv6(src, dst, tcp(sport, dport) + b"payload!")


VIP6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x64]
ARP = eth(0x0806) + bytes(28)


def hexbytes(b):
    return [f"{x:02x}" for x in b]


# ---- the entries -----------------------------------------------------------------------------

def iptunnel_maps():
    """test_xdp.c's `vip2tnl` (struct vip -> struct iptnl_info): 10.1.1.100:80/tcp and
    [2001:db8::64]:80/tcp are tunnelled (IPIP and IP6IP6) to a made-up endpoint."""
    key4 = struct.pack("<4s12xHHB3x", bytes([10, 1, 1, 100]), 0, 2, 6)
    key4 = key4[:16] + struct.pack("!H", 80) + key4[18:]
    val4 = struct.pack("<4s12x4s12xH6s", bytes([172, 16, 0, 1]), bytes([172, 16, 0, 2]), 2,
                       mac("0a:0b:0c:0d:0e:0f"))
    key6 = bytes(VIP6) + struct.pack("!H", 80) + struct.pack("<HB3x", 10, 6)
    val6 = (bytes([0xfd] + [0] * 14 + [1]) + bytes([0xfd] + [0] * 14 + [2])
            + struct.pack("<H6s", 10, mac("0a:0b:0c:0d:0e:0f")))
    return [("vip2tnl", key4, val4), ("vip2tnl", key6, val6)]


# The selftests' `pkt_v4` (prog_tests): zero addresses and ports, tot_len and urg_ptr 123.
# The balancer only picks a backend for the flow hash of exactly this packet.
PKT_V4 = (bytes(12) + struct.pack("!H", 0x0800)
          + struct.pack("!BBHHHBBH4s4s", 0x45, 0, 123, 0, 0, 0, 6, 0, bytes(4), bytes(4))
          + struct.pack("!HHIIBBHHH", 0, 0, 0, 0, 5 << 4, 0, 0, 0, 123))


def balancer_maps():
    """test_xdp_noinline.c's load balancer, set up as its selftest does: one VIP (0.0.0.0:0
    tcp, vip_num 5), both consistent-hashing slots of it pointing at real #3, whose address is
    the magic 0x1234 the program writes over the first bytes of the packet it encapsulates;
    and the same for 10.1.1.100:80 (a flow hash the program then refuses)."""
    meta = struct.pack("<II", 0, 5)
    real = struct.pack("<I12xB3x", 0x1234, 0)
    vip0 = bytes(16) + struct.pack("!H", 0) + struct.pack("<HB3x", 0, 6)
    vip = bytes([10, 1, 1, 100]) + bytes(12) + struct.pack("!H", 80) + struct.pack("<HB3x", 0, 6)
    return [
        ("vip_map", vip0, meta),
        ("vip_map", vip, meta),
        ("ch_rings", struct.pack("<I", 10), struct.pack("<I", 3)),
        ("ch_rings", struct.pack("<I", 11), struct.pack("<I", 3)),
        ("reals", struct.pack("<I", 3), real),
    ]


ENTRIES = [
    {
        "file": "progs/test_xdp.c",
        "function": "_xdp_tx_iptunnel",
        "what": "IPIP / IP6IP6 encapsulation of the packets to a VIP, XDP_TX (bpf_xdp_adjust_head)",
        "maps": iptunnel_maps,
        "packets": [
            ("IPv4 TCP to the VIP", v4_tcp([10, 1, 1, 100], 80)),
            ("IPv6 TCP to the VIP", v6_tcp(VIP6, 80)),
            ("IPv4 TCP to another port", v4_tcp([10, 1, 1, 100], 81)),
            ("IPv4 TCP to another address", v4_tcp([10, 1, 1, 7], 80)),
            ("ARP", ARP),
            ("a bare Ethernet header", eth(0x0800)),
        ],
    },
    {
        "file": "progs/test_xdp_noinline.c",
        "function": "balancer_ingress_v4",
        "what": "a Katran-style L4 load balancer (jhash, LRU, consistent hashing, encap), "
                "bpf-to-bpf calls",
        "maps": balancer_maps,
        "packets": [
            ("the selftests' pkt_v4, to the VIP", PKT_V4),
            ("IPv4 TCP to the other VIP", v4_tcp([10, 1, 1, 100], 80)),
            ("IPv4 TCP to no VIP", v4_tcp([10, 9, 9, 9], 80)),
            ("IPv6 TCP", v6_tcp(VIP6, 80)),
            ("ARP", ARP),
        ],
    },
]


# ---- running ---------------------------------------------------------------------------------

def load(obj, pins, function):
    """Loads every program of `obj` with bpftool, maps pinned under pins/maps; returns the pin
    of program `function` (or of the only program) and its tag."""
    progs, maps = pins / "progs", pins / "maps"
    pins.mkdir(parents=True)
    rc, _, err = out(["bpftool", "prog", "loadall", str(obj), str(progs), "pinmaps", str(maps)])
    if rc != 0:
        raise RuntimeError(f"bpftool prog loadall {obj.name}: {err.strip()}")
    names = sorted(os.listdir(progs))
    pick = function if function in names else (names[0] if len(names) == 1 else None)
    if pick is None:
        raise RuntimeError(f"{obj}: no program {function} among {names}")
    rc, text, err = out(["bpftool", "prog", "show", "pinned", str(progs / pick)])
    tag = text.split("tag ")[1].split()[0] if "tag " in text else "?"
    return progs / pick, maps, tag


def fill(maps, updates):
    for name, key, value in updates:
        run(["bpftool", "map", "update", "pinned", str(maps / name), "key", "hex",
             *hexbytes(key), "value", "hex", *hexbytes(value)], capture_output=True)


def test_run(prog, packet, tmp):
    pin = tmp / "in.bin"
    pout = tmp / "out.bin"
    pin.write_bytes(packet)
    if pout.exists():
        pout.unlink()
    rc, text, err = out(["bpftool", "prog", "run", "pinned", str(prog), "data_in", str(pin),
                         "data_out", str(pout)])
    if rc != 0:
        return f"error: {err.strip()}", b""
    ret = text.split("Return value: ")[1].split(",")[0] if "Return value: " in text else text
    return ret, pout.read_bytes() if pout.exists() else b""


ACTIONS = {"0": "XDP_ABORTED", "1": "XDP_DROP", "2": "XDP_PASS", "3": "XDP_TX", "4": "XDP_REDIRECT"}


def port(entry, selftests, inc, work, tool):
    function = entry["function"]
    d = work / function
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    clang_obj = d / "clang.o"
    run(["clang-19", "-O2", "-g", "-w", "-target", "bpf", "-I", str(inc), "-I", str(selftests),
         "-c", str(selftests / entry["file"]), "-o", str(clang_obj)])
    text = d / f"{function}.s"
    rc, listing, err = out([tool, "disasm", str(clang_obj), "--section", function])
    if rc != 0:
        return {"entry": entry, "error": f"disasm: {err.strip()}"}
    text.write_text(listing)
    rc, check_out, check_err = out([tool, "check", str(text)])
    check = "accepted" if rc == 0 else "rejected: " + (check_err.strip().splitlines() or ["?"])[0]
    ours = d / "ours.o"
    rc, _, err = out([tool, "asm", str(text), "--elf", "-o", str(ours)])
    if rc != 0:
        return {"entry": entry, "error": f"asm --elf: {err.strip()}"}
    results = {"entry": entry, "check": check, "insns": sum(
        1 for l in listing.splitlines() if l.startswith("\t")), "rows": []}
    base = Path("/sys/fs/bpf") / f"ebpf_dsl_porting_{os.getpid()}_{function}"
    try:
        return compare(entry, results, base, clang_obj, ours, d)
    except (RuntimeError, subprocess.CalledProcessError) as e:
        return {"entry": entry, "error": str(e)}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def compare(entry, results, base, clang_obj, ours, d):
    """Loads both objects, fills their maps, runs every packet on both: the table rows."""
    function = entry["function"]
    loaded = {}
    for name, obj in [("clang", clang_obj), ("ours", ours)]:
        pins = base / name
        prog, maps, tag = load(obj, pins, function)
        fill(maps, entry["maps"]())
        loaded[name] = (prog, tag)
    results["tags"] = (loaded["clang"][1], loaded["ours"][1])
    for what, packet in entry["packets"]:
        row = [what]
        for name in ("clang", "ours"):
            row.append(test_run(loaded[name][0], packet, d))
        results["rows"].append(row)
    return results


def main():
    if os.geteuid() != 0:
        raise SystemExit("porting: needs root (bpftool prog loadall, BPF_PROG_TEST_RUN)")
    cache = Path(os.environ.get("PORTING_CACHE", REPO / "target" / "porting")).resolve()
    src_dir = fetch(cache)
    inc = cache / "include"
    (inc / "gnu").mkdir(parents=True, exist_ok=True)
    # <gnu/stubs.h> asks for the 32-bit variant on the bpf target; nothing in it is needed.
    (inc / "gnu" / "stubs-32.h").write_text("")
    if not (inc / "asm").exists():
        (inc / "asm").symlink_to("/usr/include/x86_64-linux-gnu/asm")
    if not (inc / "bits").exists():
        (inc / "bits").symlink_to("/usr/include/x86_64-linux-gnu/bits")
    if not (inc / "sys").exists():
        (inc / "sys").symlink_to("/usr/include/x86_64-linux-gnu/sys")
    for gnu in Path("/usr/include/x86_64-linux-gnu/gnu").glob("*.h"):
        if not (inc / "gnu" / gnu.name).exists():
            (inc / "gnu" / gnu.name).symlink_to(gnu)
    run(["cargo", "build", "-q", "-p", "ebpf-dsl-cli"], cwd=REPO)
    tool = os.environ.get("EBPF_DSL", str(REPO / "target" / "debug" / "ebpf-dsl"))
    work = cache / "work"
    selftests = src_dir / SELFTESTS.split("/", 1)[1]
    all_results = [port(e, selftests, inc, work, tool) for e in ENTRIES]
    lines = [
        "# The porting path on real C programs",
        "",
        "Generated by `tools/porting/run.sh` (see [../README.md](../README.md)): each entry point",
        f"is compiled by clang-19 from the Linux kernel's BPF selftests ({PACKAGE}, GPL-2.0,",
        "fetched at run time, not in this repository), taken through `ebpf-dsl disasm` and",
        "`ebpf-dsl asm --elf`, and both objects are loaded by bpftool with the same map entries",
        "and run with BPF_PROG_TEST_RUN on the same packets.",
        "",
        f"Kernel: {os.uname().release}.",
        "",
    ]
    failed = False
    for r in all_results:
        e = r["entry"]
        lines.append(f"## `{e['function']}` ({e['file'].split('/')[-1]})")
        lines.append("")
        lines.append(e["what"] + ".")
        lines.append("")
        if "error" in r:
            failed = True
            lines += [f"**failed**: {r['error']}", ""]
            continue
        same_tag = r["tags"][0] == r["tags"][1]
        failed |= not same_tag
        lines.append(f"- {r['insns']} instructions; `ebpf-dsl check`: {r['check']}")
        lines.append(f"- program tag: clang's `{r['tags'][0]}`, ours `{r['tags'][1]}`"
                     f" ({'the same' if same_tag else 'DIFFERENT'})")
        lines.append("")
        lines.append("| packet | clang's object | our object | output packets | output, first 16 bytes |")
        lines.append("|---|---|---|---|---|")
        for what, (rc, pc), (ro, po) in r["rows"]:
            same = rc == ro and pc == po
            failed |= not same
            act = lambda v: f"{v} ({ACTIONS[v]})" if v in ACTIONS else v
            lines.append(f"| {what} | {act(rc)} | {act(ro)} | "
                         f"{'identical' if same else 'DIFFERENT'}, {len(pc)} bytes | `{pc[:16].hex()}` |")
        lines.append("")
    lines.append(f"Result: {'DIFFERENCES FOUND' if failed else 'every packet behaves the same'}.")
    summary = HERE / "results" / "summary.md"
    summary.parent.mkdir(exist_ok=True)
    summary.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
