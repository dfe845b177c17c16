#!/usr/bin/env python3
"""Converts the kernel's older verifier tests (test_verifier's `verifier/*.c`) to text programs.

`tools/testing/selftests/bpf/verifier/*.c` are `struct bpf_test` initialisers (a description,
raw instructions written with the `BPF_*()` macros, the expected privileged and unprivileged
results, map fd fixups, prog flags) that `test_verifier.c` compiles into one array. Nothing of
them is committed (GPL): at run time this script

1. fetches Debian's `linux-source-6.12` (source.py's download: apt, or Debian's pool by URL)
   and extracts `verifier/*.c`, `test_verifier.c`, the selftests' headers and `tools/include`
   into `CACHE/legacy/src/` (CACHE: `target/verifier-selftests/` or $VERIFIER_SELFTESTS_CACHE;
   another source than 6.12 in `CACHE/SOURCE/legacy/`);
2. compiles our dumper (`dump.c` here) after the head of the tree's `test_verifier.c` (its
   includes, `struct bpf_test`, the macros and fill helpers: everything before its `tests[]`
   array), with one array per `verifier/NAME.c` `#include`d, with the host's cc; the dumper
   prints every test as a JSON line (raw instructions, fill helpers run, fixups, flags);
3. writes each socket filter / xdp / sched_cls / sched_act test as a text program of raw
   `.8byte` instructions into `CACHE/legacy/corpus/NAME/NNN_DESCRIPTION.s`, a map fd fixup
   becoming a declared map of the geometry test_verifier creates (`maps` column) and
   `rD = MAP ll` (`map_value(MAP, OFF)` for a direct value load), and `manifest.tsv` in the
   form `tests/tests/verifier_selftests.rs` reads (`VERIFIER_SELFTESTS_CORPUS`). Other tests
   are rows with the reason they are "not expressible".

The expected result is the privileged one (`.result`; the runner loads as root); the prog
flags are test_verifier's (`F_NEEDS_EFFICIENT_UNALIGNED_ACCESS` -> `BPF_F_ANY_ALIGNMENT`,
`F_LOAD_WITH_STRICT_ALIGNMENT` -> `BPF_F_STRICT_ALIGNMENT`, other bits passed as they are).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from convert import llvm_mc  # noqa: E402
from source import PACKAGE, cache_dir, fetch, log  # noqa: E402

CC = os.environ.get("CC", "cc")
LLVM_MC = os.environ.get("LLVM_MC", "llvm-mc-19")
HERE = Path(__file__).resolve().parent
SELFTESTS = "tools/testing/selftests/bpf"
EXTRACT = [
    f"{PACKAGE}/{SELFTESTS}/verifier/*.c",
    f"{PACKAGE}/{SELFTESTS}/test_verifier.c",
    f"{PACKAGE}/{SELFTESTS}/*.h",
    f"{PACKAGE}/tools/include/*",
    f"{PACKAGE}/tools/arch/x86/include/*",
]

# enum bpf_prog_type -> our name (the four types the text corpus takes)
PROG_TYPES = {0: "socket_filter", 1: "socket_filter", 3: "sched_cls", 4: "sched_act", 6: "xdp"}

# VERIFIER_LEGACY_ALL_TYPES=1: every program type (but those attached by BTF id, `.kfunc`),
# not only the four above: a wider differential run (its results go elsewhere)
ALL_TYPES = os.environ.get("VERIFIER_LEGACY_ALL_TYPES") == "1"

# test_verifier.c's do_test_fixup: fixup -> (map name, TYPE:KEY:VALUE:MAX:FLAGS[:extra])
BPF_F_NO_PREALLOC = 1
MAPS = {
    "map_hash_8b": ("hash_8b", f"hash:8:8:1:{BPF_F_NO_PREALLOC}"),
    "map_hash_48b": ("hash_48b", f"hash:8:48:1:{BPF_F_NO_PREALLOC}"),
    "map_hash_16b": ("hash_16b", f"hash:8:16:1:{BPF_F_NO_PREALLOC}"),
    "map_array_48b": ("array_48b", "array:4:48:1:0"),
    "map_sockmap": ("sockmap", "sockmap:4:4:1:0"),
    "map_sockhash": ("sockhash", "sockhash:4:4:1:0"),
    "map_xskmap": ("xskmap", "xskmap:4:4:1:0"),
    "map_stacktrace": ("stacktrace", "stack_trace:4:8:1:0"),
    "prog1": ("prog1", "prog_array:4:4:4:0"),
    "prog2": ("prog2", "prog_array:4:4:8:0"),
    "map_in_map": ("map_in_map", "array_of_maps:4:4:1:0:inner=array:4:4:1:0"),
    "cgroup_storage": ("cg_storage", "cgroup_storage:12:64:0:0"),
    "percpu_cgroup_storage": ("pcpu_cg_storage", "percpu_cgroup_storage:12:64:0:0"),
    # struct val { int cnt; struct bpf_spin_lock l; }: the lock at 4
    "map_spin_lock": ("spin_lock", "array:4:8:1:0:spin_lock=4"),
    "map_array_ro": ("array_ro", "array:4:48:1:128"),  # BPF_F_RDONLY_PROG
    "map_array_wo": ("array_wo", "array:4:48:1:256"),  # BPF_F_WRONLY_PROG
    "map_array_small": ("array_small", "array:4:1:1:0"),
    # the selftest's value is struct val (a lock at 4); the runner gives it 8 bytes of BTF
    "sk_storage_map": ("sk_storage", f"sk_storage:4:8:0:{BPF_F_NO_PREALLOC}"),
    "map_event_output": ("event_output", "perf_event_array:4:4:1:0"),
    "map_reuseport_array": ("reuseport", "reuseport_sockarray:4:8:1:0"),
    "map_ringbuf": ("ringbuf", "ringbuf:0:0:4096:0"),
}
NOT_MAPS = {
    "map_timer": "a map whose value is a `bpf_timer` (BTF the runner does not build)",
    "map_kptr": "a map whose value holds kptrs to bpf_testmod types "
    "(BTF the runner does not build)",
}

COLUMNS = [
    "suite",
    "case",
    "prog_type",
    "attach_type",
    "prog_flags",
    "expect",
    "expect_unpriv",
    "expect_msg",
    "maps",
    "file",
    "llvm_mc",
    "not_expressible",
]
RESULTS = {1: "success", 2: "failure", 3: "success"}  # ACCEPT, REJECT, VERBOSE_ACCEPT


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def legacy_cache() -> Path:
    return cache_dir() / "legacy"


def dump(root: Path, build: Path) -> list:
    """Every test of verifier/*.c, as the dumper prints it (one dict a test)."""
    st = root / SELFTESTS
    head = (st / "test_verifier.c").read_text(errors="replace")
    m = re.search(r"^static struct bpf_test tests\[\] = \{", head, re.M)
    if not m:
        raise SystemExit("test_verifier.c: no `static struct bpf_test tests[] = {`")
    # a fixup the dumper does not print would leave its ld_imm64 without a map, silently
    theirs = set(re.findall(r"\bint fixup_(\w+)\[", head[: m.start()]))
    ours = set(re.findall(r"LEGACY_FIXUP\((\w+)\);", (HERE / "dump.c").read_text()))
    if theirs - ours:
        missing = sorted(theirs - ours)
        raise SystemExit(f"test_verifier.c has fixups dump.c does not print: {missing}")
    files = sorted(p.stem for p in (st / "verifier").glob("*.c"))
    parts = [head[: m.start()]]
    for f in files:
        parts.append(f'static struct bpf_test legacy_{f}[] = {{\n#include "verifier/{f}.c"\n}};\n')
    parts.append("#define LEGACY_FILES " + " ".join(f"LEGACY_FILE({f})" for f in files) + "\n")
    parts.append(f'#include "{HERE / "dump.c"}"\n')
    build.mkdir(parents=True, exist_ok=True)
    wrapper = build / "wrapper.c"
    wrapper.write_text("".join(parts))
    exe = build / "dump"
    inc = ["-I", str(st), "-I", str(root / "tools/include"), "-I", str(root / "tools/include/uapi")]
    r = subprocess.run(
        [CC, "-O0", "-w", *inc, "-o", str(exe), str(wrapper)], capture_output=True, text=True
    )
    if r.returncode != 0:
        raise SystemExit(f"the dumper does not compile:\n{r.stderr[-3000:]}")
    out = run([str(exe)], capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def prog_type_names(root: Path) -> dict:
    """enum bpf_prog_type's values -> lower-case names without the prefix."""
    text = (root / "tools/include/uapi/linux/bpf.h").read_text(errors="replace")
    body = re.search(r"enum bpf_prog_type \{(.*?)\};", text, re.S).group(1)
    names = re.findall(r"\bBPF_PROG_TYPE_(\w+)", body)
    return {i: n.lower() for i, n in enumerate(names) if n != "UNSPEC" and not n.startswith("__")}


def slug(descr: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "_", descr or "").strip("_")
    return s[:60].rstrip("_") or "unnamed"


def word(hexword: str):
    """(code, dst, src, off, imm) of one raw instruction (the dumper's little-endian u64)."""
    w = int(hexword, 16)
    code = w & 0xFF
    regs = (w >> 8) & 0xFF
    off = (w >> 16) & 0xFFFF
    imm = (w >> 32) & 0xFFFFFFFF
    off = off - (1 << 16) if off & 0x8000 else off
    imm = imm - (1 << 32) if imm & 0x80000000 else imm
    return code, regs & 0xF, regs >> 4, off, imm


def convert(t: dict):
    """(text program, maps, reason): the reason is set when the test is not expressible."""
    if t["kfunc_fixups"]:
        return None, [], "calls kfuncs by BTF id (bpf_testmod's, fixed up by test_verifier)"
    if t["btf_types"]:
        return None, [], "loads its own BTF (`btf_types`)"
    if t["func_info_cnt"]:
        return None, [], "loads func_info (BTF for its subprograms)"
    for f in t["fixups"]:
        if f in NOT_MAPS:
            return None, [], NOT_MAPS[f]
        if f not in MAPS:
            return None, [], f"fixup `{f}` the converter does not know"
    insns = t["insns"]
    at = {}
    maps = []
    for f, idxs in t["fixups"].items():
        name, geom = MAPS[f]
        maps.append(f"{name}:{geom}")
        for i in idxs:
            at[i] = name
    lines = []
    i = 0
    while i < len(insns):
        if i in at:
            code, dst, src, off, _imm = word(insns[i])
            if code != 0x18 or i + 1 >= len(insns):
                return None, [], f"map fixup at instruction {i}, not an ld_imm64"
            code2, dst2, src2, off2, imm2 = word(insns[i + 1])
            if off:
                # the kernel looks the map's fd up before it reads the first slot's `off`
                return None, [], "a map fixup on an ld_imm64 whose first slot has `off` set"
            if code2 or dst2 or src2 or off2 or (src == 1 and imm2):
                # `rD = MAP ll` would drop them, and the test is about them: the two words as
                # written (no map fd: both verifiers judge the same bytes, which the kernel
                # refuses for their second slot before it looks the fd up)
                lines.append(f".8byte 0x{insns[i]}")
                lines.append(f".8byte 0x{insns[i + 1]}")
                i += 2
                continue
            if src == 1:
                lines.append(f"r{dst} = {at[i]} ll")
            elif src == 2:
                lines.append(f"r{dst} = map_value({at[i]}, {imm2}) ll")
            else:
                return None, [], f"map fixup at instruction {i}: an ld_imm64 with src {src}"
            i += 2
            continue
        lines.append(f".8byte 0x{insns[i]}")
        i += 1
    return "\n".join(lines) + "\n", maps, ""


def prog_flags(flags: int) -> int:
    """test_verifier's do_test_single: its F_* bits to BPF_PROG_LOAD's prog_flags."""
    p = 0
    if flags & 2:  # F_LOAD_WITH_STRICT_ALIGNMENT
        p |= 1  # BPF_F_STRICT_ALIGNMENT
    if flags & 1:  # F_NEEDS_EFFICIENT_UNALIGNED_ACCESS
        p |= 2  # BPF_F_ANY_ALIGNMENT
    if flags & ~3:
        p |= flags
    return p


def clean(s) -> str:
    return re.sub(r"[\t\n\r]+", " ", str(s)).strip()


def main():
    cache = legacy_cache()
    cache.mkdir(parents=True, exist_ok=True)
    root = fetch(cache, EXTRACT, f"{SELFTESTS}/verifier/*.c, test_verifier.c and headers")
    tests = dump(root, cache / "build")
    names = prog_type_names(root)
    corpus = cache / ("corpus-all" if ALL_TYPES else "corpus")
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir()
    rows = []
    seen = set()
    for t in tests:
        suite = t["file"]
        case = f"{t['index']:03d}_{slug(t['descr'])}"
        while (suite, case) in seen:
            case += "_"
        seen.add((suite, case))
        ptype = PROG_TYPES.get(t["prog_type"])
        if ptype is None and ALL_TYPES and not t["kfunc"]:
            ptype = names.get(t["prog_type"])
        result = RESULTS.get(t["result"], "-")
        unpriv = RESULTS.get(t["result_unpriv"], result)
        errstr = (t["errstr"] or "").split("\t")[0]
        row = {
            "suite": suite,
            "case": case,
            "prog_type": ptype or names.get(t["prog_type"], "socket_filter"),
            "attach_type": t["expected_attach_type"],
            "prog_flags": prog_flags(t["flags"]),
            "expect": result,
            "expect_unpriv": unpriv,
            "expect_msg": errstr,
            "maps": "",
            "file": "",
            "llvm_mc": "",
            "not_expressible": "",
        }
        if ptype is None:
            row["not_expressible"] = f"program type {names.get(t['prog_type'], t['prog_type'])}"
        else:
            prog, maps, why = convert(t)
            if why:
                row["not_expressible"] = why
            else:
                (corpus / suite).mkdir(exist_ok=True)
                rel = f"{suite}/{case}.s"
                (corpus / rel).write_text(prog)
                row.update(maps=" ".join(maps), file=rel, llvm_mc=llvm_mc(corpus / rel))
        rows.append(row)
    with open(corpus / "manifest.tsv", "w") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(clean(r[k]) for k in COLUMNS) + "\n")
    deb = (cache / "src" / ".extracted").read_text().splitlines()[0].strip()
    (corpus / "source.txt").write_text(f"{PACKAGE} test_verifier\t{deb}\n")
    n = sum(1 for r in rows if not r["not_expressible"])
    log(f"test_verifier: {len(rows)} tests, {n} converted -> {corpus}/manifest.tsv")


if __name__ == "__main__":
    main()
