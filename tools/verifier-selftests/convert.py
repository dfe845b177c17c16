#!/usr/bin/env python3
"""Fetches the kernel's verifier selftests and converts their socket/xdp/tc cases to text programs.

The kernel source is GPL: nothing this script fetches or writes is committed. Everything goes
into the cache directory (default `target/verifier-selftests/` of the checkout, or
$VERIFIER_SELFTESTS_CACHE), which is ignored by git.

Steps (each one is skipped when its output exists already):

1. fetch: the Debian source package $VERIFIER_SELFTESTS_SOURCE (default `linux-source-6.12`):
   `apt-get download` when apt has a candidate for it, otherwise the .deb named by Debian's
   package index (sid, then trixie-backports: `dists/SUITE/main/binary-all/Packages.xz`) is
   downloaded from the pool by URL and checked against the index's SHA256. Extract only
   `tools/testing/selftests/bpf/progs/verifier_*.c` and the headers they include, delete the .deb.
   Another source than the default gets its own cache subdirectory (`CACHE/linux-source-X.Y/`).
2. headers: `vmlinux.h` from the running kernel's BTF (`bpftool btf dump ... format c`).
3. compile: each `verifier_*.c` with `clang-19 -target bpf -S`. clang does the inline-asm
   substitutions for us: `%[name]` operands (`__imm_const(x, offsetof(struct __sk_buff, mark))`
   becomes the number, `__imm_addr(map)` the map's symbol, `__imm(bpf_xxx)` the helper id),
   `l0_%=` labels become unique. A few extra globals appended to each file make clang evaluate
   the map geometry (`sizeof` of key and value, max_entries, flags) and the `__flag(...)` values.
4. convert: every function in a socket/xdp/tc section whose body is inline asm becomes
   `corpus/<suite>/<case>.s`: helper ids become `call bpf_<name>`, `.quad` raw data `.8byte`,
   clang's numeric-label names `.LtmpN` plain labels; asm subprograms it calls are appended as
   labels, and so are callbacks (`r2 = func ll`, BPF_PSEUDO_FUNC, stays as is: a label in our
   syntax). Maps of maps get their inner map (`__array(values, struct {...})`) as
   `:inner=TYPE:K:V:MAX:FLAGS`. The annotations (`__success`, `__failure`, `__msg`, `__flag`,
   `__failure_unpriv`, ...) come from the C source. Cases that need what a text program cannot
   express (kfuncs, BTF, global data, C code) are listed with the reason.
5. llvm-mc: each program goes through `llvm-mc-19 -triple bpfel -mcpu=v4` (does LLVM take it).

Output: `corpus/manifest.tsv`, one case a line (see COLUMNS), read by the Rust runner
`tests/tests/verifier_selftests.rs`.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from source import (
    PACKAGE,
    PROGS,
    log,
    run,
    cache_dir,
    download,
    fetch,
    headers,
    tree_headers,
)

CLANG = os.environ.get("CLANG", "clang-19")
LLVM_MC = os.environ.get("LLVM_MC", "llvm-mc-19")

# Section -> (our program type, expected_attach_type number or 0).
SECTIONS = {
    "socket": ("socket_filter", 0),
    "xdp": ("xdp", 0),
    "?xdp": ("xdp", 0),
    "tc": ("sched_cls", 0),
    "classifier": ("sched_cls", 0),
    "tc/ingress": ("sched_cls", 0),
    "tc/egress": ("sched_cls", 0),
    "tcx/ingress": ("sched_cls", 46),  # BPF_TCX_INGRESS
    "tcx/egress": ("sched_cls", 47),  # BPF_TCX_EGRESS
    "action": ("sched_act", 0),
}

# BPF_PROG_LOAD prog_flags, bit 0 upwards
PROG_FLAGS = [
    "BPF_F_STRICT_ALIGNMENT",
    "BPF_F_ANY_ALIGNMENT",
    "BPF_F_TEST_RND_HI32",
    "BPF_F_TEST_STATE_FREQ",
    "BPF_F_SLEEPABLE",
    "BPF_F_XDP_HAS_FRAGS",
    "BPF_F_XDP_DEV_BOUND_ONLY",
    "BPF_F_TEST_REG_INVARIANTS",
]

COLUMNS = [
    "suite",  # verifier_xxx
    "case",  # the C function name
    "prog_type",  # xdp | socket_filter | sched_cls | sched_act
    "attach_type",  # expected_attach_type (0: none)
    "prog_flags",  # BPF_F_* from __flag(...)
    "expect",  # success | failure | - (the annotation, privileged)
    "expect_unpriv",  # success | failure | -
    "expect_msg",  # the first __msg(...)
    "maps",  # NAME:TYPE:KEY:VALUE:ENTRIES:FLAGS separated by spaces
    "file",  # corpus-relative path of the text program ("" when not expressible)
    "llvm_mc",  # ok | error: first line
    "not_expressible",  # the reason, empty when expressible
]


# ---------------------------------------------------------------------------------------------
# The C source: maps and annotations


def matching(text: str, open_pos: int, open_ch: str, close_ch: str) -> int:
    """Index of the bracket closing the one at open_pos (brackets in strings do not count)."""
    depth = 0
    in_str = False
    i = open_pos
    while i < len(text):
        c = text[i]
        if in_str:
            if c == "\\":
                i += 1
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: " " * len(m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse_maps(text: str):
    """`struct { __uint(type, ...); ... } NAME SEC(".maps");` -> [(name, {field: kind}, body)]."""
    maps = []
    for m in re.finditer(r'\}\s*(\w+)\s*(\[[^\]]*\])?\s*SEC\(\s*"\.maps"\s*\)', text):
        close = m.start()
        # walk back to the matching '{'
        depth = 0
        i = close
        while i >= 0:
            if text[i] == "}":
                depth += 1
            elif text[i] == "{":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        body = text[i + 1 : close]
        # a map of maps: `__array(values, struct { ... })` is the shape of the maps it holds
        inner = None
        am = re.search(r"__array\(\s*values\s*,\s*struct\s*\{", body)
        if am:
            end = matching(body, am.end() - 1, "{", "}")
            ibody = body[am.end() : end]
            body = body[: am.start()] + "__array(values, " + body[end + 1 :]
            inner = {"fields": map_fields(ibody), "type_name": map_type_name(ibody)}
        maps.append(
            {
                "name": m.group(1),
                "is_array": bool(m.group(2)),
                "fields": map_fields(body),
                "type_name": map_type_name(body),
                "inner": inner,
                "lock": lock_member(text, body),
            }
        )
    return maps


def lock_member(text: str, body: str):
    """(struct, member) of the value's `struct bpf_spin_lock` member, when the map's value is
    `struct X` declared in this file with one (its offset goes to the text as `spin_lock=`)."""
    vm = re.search(r"__type\(\s*value\s*,\s*struct\s+(\w+)\s*\)", body)
    if not vm:
        return None
    sm = re.search(r"\bstruct\s+" + vm.group(1) + r"\s*\{", text)
    if not sm:
        return None
    end = matching(text, sm.end() - 1, "{", "}")
    lm = re.search(r"\bstruct\s+bpf_spin_lock\s+(\w+)\s*;", text[sm.end() : end])
    return (vm.group(1), lm.group(1)) if lm else None


def map_fields(body: str):
    return {f.group(2): f.group(1) for f in re.finditer(r"__(uint|type|array)\(\s*(\w+)\s*,", body)}


def map_type_name(body: str):
    tm = re.search(r"__uint\(\s*type\s*,\s*(\w+)\s*\)", body)
    return tm.group(1) if tm else None


DEFINE_RE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)", re.M)
MACRO_TOKEN_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|(?<!#)#(?!#)\s*(\w+)|\b(\w+)\b')


def split_args(s: str):
    """The top-level, comma-separated arguments of a macro invocation (brackets and strings
    kept whole)."""
    args, depth, cur, i = [], 0, [], 0
    while i < len(s):
        c = s[i]
        if c == '"':
            j = i + 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur.append(s[i : j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    args.append("".join(cur).strip())
    return args


def expand_case_macros(text: str) -> str:
    """`text` followed by the expansion of each invocation of a function-like macro whose body
    defines a program (`SEC(...)`, e.g. `DEFINE_SIMPLE_JUMP_TABLE_PROG(ok, ..., __success)`),
    so that parse_cases sees the cases' names and annotations: parameters are substituted
    outside string literals, `#param` is stringified and `##` pastes."""
    out = []
    for m in DEFINE_RE.finditer(text):
        name, body = m.group(1), m.group(3).replace("\\\n", "\n")
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        if "SEC(" not in body or not params:
            continue
        for inv in re.finditer(r"^[ \t]*" + re.escape(name) + r"\s*\(", text, re.M):
            open_pos = inv.end() - 1
            close = matching(text, open_pos, "(", ")")
            args = split_args(text[open_pos + 1 : close])
            if len(args) != len(params):
                continue
            sub = dict(zip(params, args))

            def one(t):
                if t.group(1) is not None:
                    return '"' + sub[t.group(1)].replace('"', '\\"') + '"' if t.group(1) in sub else t.group(0)
                if t.group(2) is not None and t.group(2) in sub:
                    return sub[t.group(2)]
                return t.group(0)

            out.append(re.sub(r"\s*##\s*", "", MACRO_TOKEN_RE.sub(one, body)))
    return text + ("\n" + "\n".join(out) if out else "")


ANNOT_RE = re.compile(r"\b(__[a-z_0-9]+)\b")


def string_args(s: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))


def parse_cases(text: str):
    """Each `SEC("...")` function: name, section and annotations."""
    cases = []
    blank = re.sub(r'"(?:[^"\\\n]|\\.)*"', lambda q: '"' + " " * (len(q.group(0)) - 2) + '"', text)
    for m in re.finditer(r'\bSEC\(\s*"([^"]*)"\s*\)', text):
        sec = m.group(1)
        if sec.startswith(".") or sec == "license":
            continue
        # search the structure with string contents blanked (messages contain `;` and `{`)
        brace = blank.find("{", m.end())
        semi = blank.find(";", m.end())
        if brace < 0 or (0 <= semi < brace):
            continue
        decl = text[m.end() : brace]
        fm = re.search(r"(\w+)\s*\(([^()]*)\)\s*$", blank[m.end() : brace])
        if not fm:
            continue
        annot_text = decl[: fm.start()]
        a = {
            "flags": [],
            "msgs": [],
            "msgs_unpriv": [],
            "expect": "-",
            "expect_unpriv": "-",
            "auxiliary": False,
            "arch": None,
            "btf_path": None,
            "retval": None,
        }
        pos = 0
        while True:
            am = ANNOT_RE.search(annot_text, pos)
            if not am:
                break
            name = am.group(1)
            pos = am.end()
            arg = None
            rest = annot_text[pos:]
            if rest.lstrip().startswith("("):
                open_pos = pos + (len(rest) - len(rest.lstrip()))
                close = matching(annot_text, open_pos, "(", ")")
                arg = annot_text[open_pos + 1 : close]
                pos = close + 1
            if name == "__success":
                a["expect"] = "success"
            elif name == "__failure":
                a["expect"] = "failure"
            elif name == "__success_unpriv":
                a["expect_unpriv"] = "success"
            elif name == "__failure_unpriv":
                a["expect_unpriv"] = "failure"
            elif name == "__msg" and arg is not None:
                a["msgs"].append(string_args(arg))
            elif name == "__msg_unpriv" and arg is not None:
                a["msgs_unpriv"].append(string_args(arg))
            elif name == "__flag" and arg is not None:
                a["flags"].append(arg.strip())
            elif name in ("__auxiliary", "__auxiliary_unpriv"):
                a["auxiliary"] = True
            elif name.startswith("__arch"):
                a["arch"] = arg or name
            elif name == "__btf_path":
                a["btf_path"] = arg
            elif name == "__retval" and arg is not None:
                a["retval"] = arg.strip()
        cases.append({"name": fm.group(1), "section": sec, **a})
    return cases


# ---------------------------------------------------------------------------------------------
# Compiling and reading clang's assembly


def compile_suite(src_root: Path, inc: Path, tree_inc: Path, c_file: Path, maps, flag_exprs, build: Path):
    """Compiles c_file (plus the geometry globals) to assembly; returns (text, error)."""
    bpf_dir = src_root / "tools/testing/selftests/bpf"
    lines = [f'#include "{c_file}"', ""]
    for mp in maps:
        if mp["is_array"]:
            continue
        n = mp["name"]
        for field, kind in mp["fields"].items():
            if kind == "uint":
                expr = f"sizeof(*((typeof({n}) *)0)->{field}) / sizeof(int)"
            elif kind == "type":
                expr = f"sizeof(*((typeof({n}) *)0)->{field})"
            else:
                continue
            lines.append(f"const unsigned long __h6_geom__{n}__{field} = {expr};")
        if mp["lock"]:
            st, member = mp["lock"]
            lines.append(f"const unsigned long __h6_lock__{n} = __builtin_offsetof(struct {st}, {member});")
        for field, kind in (mp["inner"] or {"fields": {}})["fields"].items():
            inner = f"((typeof({n}) *)0)->values[0]->{field}"
            if kind == "uint":
                expr = f"sizeof(*{inner}) / sizeof(int)"
            elif kind == "type":
                expr = f"sizeof(*{inner})"
            else:
                continue
            lines.append(f"const unsigned long __h6_inner__{n}__{field} = {expr};")
    # the BPF_PROG_LOAD flags (uapi) for files that include vmlinux.h, which lacks #defines
    for bit, flag in enumerate(PROG_FLAGS):
        lines.append(f"#ifndef {flag}\n#define {flag} (1U << {bit})\n#endif")
    for i, fx in enumerate(flag_exprs):
        lines.append(f"const unsigned long __h6_flag__{i} = ({fx});")
    wrapper = build / f"{c_file.stem}.wrap.c"
    wrapper.write_text("\n".join(lines) + "\n")
    out = build / f"{c_file.stem}.s"
    base = [
        CLANG,
        "-target",
        "bpf",
        "-mcpu=v4",
        "-O2",
        "-S",
        "-std=gnu11",
        "-D__TARGET_ARCH_x86",
        # as the selftests' Makefile defines it for a clang with BPF atomics: with clang >= 18
        # it turns on the load-acquire / store-release cases (CAN_USE_LOAD_ACQ_STORE_REL)
        "-DENABLE_ATOMICS_TESTS",
        "-Wno-compare-distinct-pointer-types",
        "-w",
        f"-I{inc}",
        f"-I{bpf_dir}",
        f"-I{bpf_dir / 'progs'}",
        f"-I{src_root / 'tools/include/uapi'}",
        f"-I{src_root / 'tools/testing/selftests'}",
        # newer trees keep bpf_may_goto.h, bpf_arena_common.h, ... here
        f"-I{bpf_dir / 'libarena/include'}",
        "-I/usr/include/x86_64-linux-gnu",
        # last: tools/include/linux/filter.h includes <uapi/linux/filter.h>
        f"-idirafter{src_root / 'tools/include'}",
        str(wrapper),
        "-o",
        str(out),
    ]
    err = ""
    # a few files use builtins that need -g; some call the open-coded iterator kfuncs, which
    # the installed bpftool's vmlinux.h does not declare; newer trees need their own libbpf
    # headers (tried last, so what compiles with the installed ones is compiled as before);
    # last, a call to a kfunc no header declares (bpf_xdp_pull_data) is left to clang's
    # implicit declaration: it stays a call by name, and the cases making it count as not
    # expressible (kfunc call) while the file's others are converted
    tree = ["-g", f"-I{tree_inc}"]
    attempts = ([], ["-g"], ["-include", str(inc / "kfuncs.h")], tree)
    attempts += (tree + ["-Wno-error=implicit-function-declaration"],)
    undeclared = set()
    for extra in attempts:
        r = subprocess.run(base[:1] + extra + base[1:], capture_output=True, text=True)
        if r.returncode == 0:
            return out.read_text(), ""
        undeclared |= set(re.findall(r"use of undeclared identifier '(\w+)'", r.stderr))
        if not err:  # report the first attempt's error
            err = next((ln for ln in r.stderr.splitlines() if "error:" in ln), r.stderr.strip())
            err = err.split("error:", 1)[-1].strip()[:100]
    gone = [mp for mp in maps if mp["name"] in undeclared]
    if gone:
        # a map the preprocessor left out (`#ifdef CAN_USE_...` around both the map and the
        # tests using it): compile again without asking for its geometry
        return compile_suite(src_root, inc, tree_inc, c_file, [m for m in maps if m not in gone], flag_exprs, build)
    return None, err


SECTION_RE = re.compile(r'^\s*\.section\s+"?([^",\s]+)"?')
LABEL_RE = re.compile(r"^([A-Za-z_.$][\w.$]*):")


def read_asm(text: str):
    """Functions (name -> {section, asm lines, has_c}) and data values (name -> int)."""
    declared = set(re.findall(r"\.type\s+([\w.$]+),@function", text))
    funcs = {}
    values = {}
    section = ".text"
    cur = None
    in_app = False
    data_label = None
    for raw in text.splitlines():
        line = raw.rstrip()
        s = line.strip()
        if s == "#APP":
            in_app = True
            continue
        if s == "#NO_APP":
            in_app = False
            continue
        if in_app:
            if cur is not None:
                cur["asm"].append(line)
            continue
        m = SECTION_RE.match(line)
        if m:
            section = m.group(1)
            continue
        if s in (".text", ".data", ".bss"):
            section = s
            continue
        lm = LABEL_RE.match(line)
        if lm:
            name = lm.group(1)
            if name.startswith(".Lfunc_end"):
                cur = None
            elif name in declared:
                cur = {"section": section, "asm": [], "has_c": False}
                funcs[name] = cur
            elif cur is not None:
                cur["asm"].append(f"{name}:")  # a basic block of compiled C
            elif not name.startswith("."):
                data_label = name
            continue
        if cur is not None:
            if s and not s.startswith("#") and not s.startswith("."):
                # compiled C: kept as text too (the kernel gets the same instructions)
                cur["has_c"] = True
                cur["asm"].append(line)
            continue
        dm = re.match(r"\.(quad|long|short|byte)\s+(-?\d+)", s)
        if dm and data_label and data_label.startswith("__h6_"):
            values[data_label] = int(dm.group(2))
            data_label = None
    return funcs, values


# ---------------------------------------------------------------------------------------------
# Converting one case


DATA_SECTION_RE = re.compile(r"^\.(data|bss|rodata)(\.[\w.]*)?$")
INT_DIRECTIVES = {".byte": 1, ".short": 2, ".2byte": 2, ".long": 4, ".4byte": 4, ".quad": 8, ".8byte": 8}


def read_data(text: str):
    """Global variables: {symbol: (section, offset)} and {section: bytearray} of the `.data*`,
    `.bss*` and `.rodata*` sections (what libbpf turns into array maps); a section holding
    what we do not lay out (a relocated pointer, an unknown directive) is left out."""
    syms, data, bad = {}, {}, set()
    sec = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = SECTION_RE.match(line)
        if m or line in (".text", ".data", ".bss"):
            name = m.group(1) if m else line
            sec = name if DATA_SECTION_RE.match(name) else None
            if sec is not None:
                data.setdefault(sec, bytearray())
            continue
        if sec is None:
            continue
        buf = data[sec]
        lm = LABEL_RE.match(line)
        if lm:
            syms[lm.group(1)] = (sec, len(buf))
            continue
        d, args = (re.split(r"\s+", line, maxsplit=1) + [""])[:2]
        try:
            if d == ".p2align":
                align = 1 << int(args.split(",")[0])
                buf.extend(b"\0" * (-len(buf) % align))
            elif d == ".zero":
                n, _, v = args.partition(",")
                buf.extend(bytes([int(v or "0", 0) & 0xFF]) * int(n, 0))
            elif d in INT_DIRECTIVES:
                for v in args.split(","):
                    buf.extend((int(v.strip(), 0) % (1 << (8 * INT_DIRECTIVES[d]))).to_bytes(INT_DIRECTIVES[d], "little"))
            elif d in (".ascii", ".asciz"):
                b = bytes(args.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1")
                buf.extend(b + (b"\0" if d == ".asciz" else b""))
            elif d in (".type", ".size", ".globl", ".local", ".weak", ".hidden", ".section", ".addrsig", ".addrsig_sym"):
                pass
            else:
                bad.add(sec)
        except ValueError:
            bad.add(sec)
    return {k: v for k, v in syms.items() if v[0] not in bad}, {k: v for k, v in data.items() if k not in bad}


def data_map_decls(sections, data):
    """`.map` declarations (our text syntax) for the data sections a program uses."""
    names, decls = {}, []
    for i, sec in enumerate(sorted(sections)):
        name = sec if len(sec) <= 15 else f".data{i}"
        names[sec] = name
        b = bytes(data[sec]) or b"\0"
        size = len(b)
        line = f".map {name} array key=4 value={size}"
        if sec.startswith(".rodata"):
            line += " flags=rdonly_prog"
        init = b.rstrip(b"\0")
        if init:
            line += f" init={init.hex()}"
        decls.append(line)
    return names, decls


def struct_body(text: str, name: str):
    """The members of `struct NAME { ... }` in `text`, whitespace-normalised, or None."""
    m = re.search(r"\bstruct\s+" + re.escape(name) + r"\s*\{", text)
    if not m:
        return None
    end = matching(text, m.end() - 1, "{", "}")
    return " ".join(text[m.end() : end].split())


# What relocates something else than a member of a struct the file marks
# `preserve_access_index` itself (types, enum values, access expressions, every struct under a
# `#pragma clang attribute`, vmlinux.h's included): a file using it is not converted by
# external_btf_identity.
OTHER_CORE_RE = re.compile(
    r"\b(bpf_core_type_\w+|bpf_core_enum_\w+|__builtin_preserve_type_info|__builtin_preserve_enum_value"
    r"|__builtin_btf_type_id|__builtin_preserve_access_index|vmlinux\.h)\b|#\s*pragma\s+clang\s+attribute"
)


def external_btf_identity(text: str, btf_path: str, progs: Path):
    """Why a case whose CO-RE relocations resolve against an external BTF
    (`__btf_path("btf__NAME.bpf.o")`) cannot be expressed, or None when they are the identity.

    The selftests build `btf__NAME.bpf.o` from `progs/btf__NAME.c`, which includes
    `core_reloc_types.h` and declares only `struct NAME` (e.g. `void f(struct
    core_reloc_bitfields x) {}`). When every `preserve_access_index` struct of the file is
    `struct NAME`, defined member for member as the header defines it, and the file uses no
    type or enum relocation, libbpf relocates each access to the offsets, sizes and shifts
    clang computed already: the instructions clang emitted are what the kernel is given."""
    m = re.fullmatch(r'\s*"btf__(\w+)\.bpf\.o"\s*', btf_path)
    if not m:
        return f"needs external BTF ({btf_path.strip()})"
    name = m.group(1)
    header = progs / "core_reloc_types.h"
    if not header.exists():
        return "needs external BTF (no core_reloc_types.h to compare with)"
    if OTHER_CORE_RE.search(text):
        return "needs external BTF (type or enum relocations)"
    local = re.findall(r"\bstruct\s+(\w+)\s*\{[^{}]*\}\s*__attribute__\(\(preserve_access_index\)\)", text)
    if set(local) != {name}:
        return f"needs external BTF (relocated structs {sorted(set(local))}, the BTF has struct {name})"
    theirs = struct_body(strip_comments(header.read_text(errors="replace")), name)
    if theirs is None or theirs != struct_body(text, name):
        return f"needs external BTF (struct {name} differs from core_reloc_types.h's)"
    return None


def helper_names(src_root: Path):
    uapi = (src_root / "tools/include/uapi/linux/bpf.h").read_text()
    return {int(i): f"bpf_{n}" for n, i in re.findall(r"FN\((\w+),\s*(\d+)", uapi)}


# Kfuncs the text syntax calls by name (`call NAME`, a placeholder the loader resolves against
# the running kernel's BTF) whose selftests are converted; calls of other kfuncs stay "not
# expressible". The open-coded numbers and bits iterators (ebpf-dsl/src/xdp/iter.rs); the arena
# kfuncs: the reference kernel refuses them (and arena maps), and so must the static verifier;
# LLVM's `__bpf_trap` (ebpf-dsl/src/xdp/exception.rs), refused wherever it is reached;
# bpf_xdp_pull_data and the dynptr kfuncs (ebpf-dsl/src/xdp/dynptr.rs; their case
# verifier_global_subprogs arg_tag_dynptr also calls the helper bpf_dynptr_data, modelled).
DYNPTR_KFUNCS = {
    "bpf_dynptr_from_skb", "bpf_dynptr_from_xdp", "bpf_dynptr_slice", "bpf_dynptr_slice_rdwr",
    "bpf_dynptr_adjust", "bpf_dynptr_is_null", "bpf_dynptr_is_rdonly", "bpf_dynptr_size",
    "bpf_dynptr_clone",
}
NAMED_KFUNCS = {
    f"bpf_iter_{kind}_{op}" for kind in ("num", "bits") for op in ("new", "next", "destroy")
} | {"bpf_arena_alloc_pages", "bpf_arena_free_pages", "bpf_arena_reserve_pages", "__bpf_trap", "bpf_xdp_pull_data"} | DYNPTR_KFUNCS
CALL_RE = re.compile(r"^(\s*)call\s+([\w.$]+)\s*(#.*)?$")
LDSYM_RE = re.compile(r"^\s*r\d+\s*=\s*([A-Za-z_.$][\w.$]*)\s+ll\b")
LTMP_RE = re.compile(r"\.Ltmp(\d+)\b")
# Whether the running kernel has gotox (indirect jumps through an insn_array map, Linux 6.19):
# set by main() from its BTF (vmlinux.h).
KERNEL_HAS_GOTOX = True
LBB_RE = re.compile(r"\.?LBB(\d+_\d+)\b")


def convert_case(case_name, funcs, map_names, helpers, gsyms=None, gdata=None, ksyms=()):
    """Returns (text, reason): the program text, or why it cannot be expressed."""
    gsyms, gdata, used_sections = gsyms or {}, gdata or {}, {}
    jump_tables = {}  # symbol -> (offset in the `jumptables` map, entries)
    order = [case_name]
    seen = {case_name}
    i = 0
    out = []
    while i < len(order):
        fname = order[i]
        f = funcs[fname]
        if i > 0:
            out.append("")
            out.append(f"{fname}:")
        in_jt = False
        for line in f["asm"]:
            sm = SECTION_RE.match(line)
            if sm and sm.group(1) == ".jumptables":
                in_jt = True
                continue
            if in_jt:
                # a jump table (`.pushsection .jumptables`, Linux 6.19's gotox): its labels
                # and `.quad TARGET - SECTION` entries, up to the `.section` going back
                if sm:
                    in_jt = False
                    continue
                lm = LABEL_RE.match(line.strip())
                if lm:
                    jt_label = lm.group(1)
                    jump_tables[jt_label] = (8 * sum(n for _, n in jump_tables.values()), 0)
                elif re.match(r"\s*\.quad\b", line) and jump_tables:
                    off, n = jump_tables[jt_label]
                    jump_tables[jt_label] = (off, n + 1)
                continue
            line = LTMP_RE.sub(lambda m: f"ltmp_{m.group(1)}", line)
            line = LBB_RE.sub(lambda m: f"LBB{m.group(1)}", line)
            line = re.sub(r"^(\s*)\.quad\b", r"\1.8byte", line)
            cm = CALL_RE.match(line)
            if cm:
                target = cm.group(2)
                if target.isdigit():
                    hid = int(target)
                    if hid in helpers:
                        line = f"{cm.group(1)}call {helpers[hid]}"
                elif target in funcs:
                    if target not in seen:
                        seen.add(target)
                        order.append(target)
                elif target in NAMED_KFUNCS:
                    # a kfunc our text syntax calls by name (the loader resolves its id)
                    pass
                else:
                    return None, "kfunc call (needs BTF)"
            lm = LDSYM_RE.match(line)
            if lm:
                sym = lm.group(1)
                if sym in funcs:
                    # a callback (bpf_loop, bpf_for_each_map_elem, ...): `rN = label ll` in
                    # our syntax too (BPF_PSEUDO_FUNC); the function is appended as a label
                    if sym not in seen:
                        seen.add(sym)
                        order.append(sym)
                elif sym in jump_tables:
                    if KERNEL_HAS_GOTOX:
                        return None, "jump table (an insn_array map, gotox)"
                    line = line.replace(f"{sym} ll", f"map_value(jumptables, {jump_tables[sym][0]}) ll")
                elif sym in ksyms and sym not in map_names:
                    # a typed `__ksym` variable's address (`BPF_PSEUDO_BTF_ID`, its VAR in the
                    # running kernel's BTF, named for the runner to resolve)
                    line = re.sub(r"^(\s*)(r\d+)\s*=.*$",
                                  rf"\1ld_pseudo \2, 3, btf_id(var {sym})", line)
                elif sym in gsyms and sym not in map_names:
                    # a global variable: a pointer into its section's array map
                    sec, off = gsyms[sym]
                    used_sections[sec] = True
                    line = line.replace(f"{sym} ll", f"@@{sec}@@{off} ll")
                elif sym not in map_names:
                    return None, "global variable (needs .data/.bss/.rodata maps)"
            out.append(line)
        i += 1
    text = "\n".join(ln.rstrip() for ln in out).strip("\n") + "\n"
    if jump_tables and "map_value(jumptables," in text:
        # The running kernel has no gotox (no BPF_MAP_TYPE_INSN_ARRAY, before Linux 6.19): it
        # refuses the BPF_JMP|BPF_JA|BPF_X opcode itself ("unknown opcode 0d"), and would refuse
        # the insn_array map libbpf creates for the table. The table becomes a read-only array
        # of zeros (its targets are not laid out): no verdict gets as far as reading it.
        size = 8 * sum(n for _, n in jump_tables.values()) or 8
        text = (
            "# jump tables: a read-only array of zeros, the running kernel has no gotox\n"
            f".map jumptables array key=4 value={size} flags=rdonly_prog\n" + text
        )
    if used_sections:
        names, decls = data_map_decls(used_sections, gdata)
        text = re.sub(r"@@([^@]+)@@(\d+) ll", lambda m: f"map_value({names[m.group(1)]}, {m.group(2)}) ll", text)
        text = "\n".join(decls) + "\n" + text
    return text, None


def llvm_mc(path: Path) -> str:
    r = subprocess.run(
        [LLVM_MC, "-triple", "bpfel", "-mcpu=v4", "-filetype=obj", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
    )
    if r.returncode == 0:
        return "ok"
    first = next((ln for ln in r.stderr.splitlines() if "error" in ln), r.stderr.strip())
    first = first.split("error:", 1)[-1].strip()
    return "error: " + first


def clean(s: str) -> str:
    return re.sub(r"[\t\n\r]+", " ", s).strip()


def main():
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    src_root = fetch(cache)
    inc = headers(cache)
    tree_inc = tree_headers(cache, src_root)
    helpers = helper_names(src_root)
    global KERNEL_HAS_GOTOX
    KERNEL_HAS_GOTOX = "BPF_MAP_TYPE_INSN_ARRAY" in (inc / "vmlinux.h").read_text(errors="replace")
    progs = src_root / PROGS
    corpus = cache / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir()
    build = cache / "build"
    build.mkdir(exist_ok=True)
    rows = []
    suites = sorted(progs.glob("verifier_*.c"))
    log(f"converting {len(suites)} suites")
    for c_file in suites:
        suite = c_file.stem
        text = strip_comments(c_file.read_text(errors="replace"))
        maps = parse_maps(text)
        cases, names = [], set()
        for c in parse_cases(expand_case_macros(text)):
            # a macro invoked under `#if ... #else` defines the same case twice: one row, with
            # the first one's annotations (the program is the one clang compiled; the verdicts
            # are the kernel's and ours, the annotation is only reported)
            if c["section"] in SECTIONS and c["name"] not in names:
                names.add(c["name"])
                cases.append(c)
        if not cases:
            continue
        flag_exprs = sorted({fx for c in cases for fx in c["flags"]})
        asm_text, err = compile_suite(src_root, inc, tree_inc, c_file, maps, flag_exprs, build)
        if asm_text is None:
            for c in cases:
                rows.append(row(suite, c, "", "", "", "", f"the file does not compile here: {clean(err)}"))
            continue
        funcs, values = read_asm(asm_text)
        gsyms, gdata = read_data(asm_text)
        # typed `extern ... NAME __ksym;` variables (a kfunc's `...) __ksym;` is not one)
        ksyms = set(re.findall(r"\bextern\b[^;(]*?\b([A-Za-z_]\w*)\s+__ksym\s*;", text))
        flag_vals = {fx: values.get(f"__h6_flag__{i}") for i, fx in enumerate(flag_exprs)}
        map_desc = {}
        map_bad = {}
        for mp in maps:
            n = mp["name"]
            tn = mp["type_name"] or ""
            if mp["is_array"]:
                map_bad[n] = "array of map definitions"
                continue
            if not tn.startswith("BPF_MAP_TYPE_"):
                map_bad[n] = f"map type `{tn}`"
                continue

            def geometry(prefix, type_name):
                def g(field, default=0):
                    return values.get(f"{prefix}{n}__{field}", default)

                key = g("key", None)
                key = g("key_size") if key is None else key
                val = g("value", None)
                val = g("value_size") if val is None else val
                if not val and mp["fields"].get("values") == "array" and prefix == "__h6_geom__":
                    # prog arrays and maps of maps hold 4-byte ids (fds when updated)
                    val = 4
                entries = g("max_entries", 1)
                flags = g("map_flags", 0)
                short = type_name[len("BPF_MAP_TYPE_") :].lower()
                return short, key, val, entries, flags

            short, key, val, entries, flags = geometry("__h6_geom__", tn)
            desc = f"{n}:{short}:{key}:{val}:{entries}:{flags}"
            if f"__h6_lock__{n}" in values:
                # the value's `struct bpf_spin_lock`: the runner creates the map with BTF
                desc += f":spin_lock={values[f'__h6_lock__{n}']}"
            if short in ("array_of_maps", "hash_of_maps"):
                itn = (mp["inner"] or {}).get("type_name") or ""
                if not itn.startswith("BPF_MAP_TYPE_"):
                    map_bad[n] = "map-in-map without an inner map spec we can read"
                    continue
                desc += ":inner=" + ":".join(str(x) for x in geometry("__h6_inner__", itn))
            elif mp["inner"]:
                map_bad[n] = f"`__array(values, struct ...)` in a {short} map"
                continue
            map_desc[n] = desc
        (corpus / suite).mkdir(exist_ok=True)
        for c in cases:
            if c["name"] not in funcs:
                # excluded by the preprocessor (e.g. `dummy_test` when the compiler has the feature)
                continue
            ptype, attach = SECTIONS[c["section"]]
            c["prog_type"], c["attach"] = ptype, attach
            if c["auxiliary"]:
                # a tail-call target other tests load with them, not a test itself
                continue
            if c["btf_path"]:
                why = external_btf_identity(text, c["btf_path"], progs)
                if why:
                    rows.append(row(suite, c, "", "", "", "", why))
                    continue
            if c["arch"] and "X86" not in c["arch"].upper():
                rows.append(row(suite, c, "", "", "", "", f"other architecture ({c['arch']})"))
                continue
            prog, reason = convert_case(
                c["name"], funcs, set(map_desc) | set(map_bad), helpers, gsyms, gdata, ksyms
            )
            if prog is not None:
                used = sorted(set(re.findall(r"=\s*([A-Za-z_]\w*)\s+ll\b", prog)))
                bad = [f"{u}: {map_bad[u]}" for u in used if u in map_bad]
                if bad:
                    prog, reason = None, bad[0].split(": ", 1)[1]
            flags = 0
            for fx in c["flags"]:
                v = flag_vals.get(fx)
                if v is None:
                    reason = reason or f"unknown __flag({fx})"
                else:
                    flags |= v
            if prog is None or reason:
                rows.append(row(suite, c, "", "", flags, "", reason))
                continue
            rel = f"{suite}/{c['name']}.s"
            (corpus / rel).write_text(prog)
            maps_arg = " ".join(map_desc[u] for u in used if u in map_desc)
            rows.append(row(suite, c, rel, maps_arg, flags, llvm_mc(corpus / rel), ""))
    with open(corpus / "manifest.tsv.tmp", "w") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(clean(str(r[k])) for k in COLUMNS) + "\n")
    os.rename(corpus / "manifest.tsv.tmp", corpus / "manifest.tsv")
    # which .deb the corpus comes from, for the report's header
    deb = (cache / "src" / ".extracted").read_text().splitlines()[0].strip()
    (corpus / "source.txt").write_text(f"{PACKAGE}\t{deb}\n")
    n_expr = sum(1 for r in rows if not r["not_expressible"])
    log(f"{len(rows)} socket/xdp/tc cases, {n_expr} converted -> {corpus}/manifest.tsv")


def row(suite, c, rel, maps_arg, flags, mc, reason):
    return {
        "suite": suite,
        "case": c["name"],
        "prog_type": c.get("prog_type") or SECTIONS[c["section"]][0],
        "attach_type": c.get("attach") or SECTIONS[c["section"]][1],
        "prog_flags": flags or 0,
        "expect": c["expect"],
        "expect_unpriv": c["expect_unpriv"],
        "expect_msg": c["msgs"][0] if c["msgs"] else "",
        "maps": maps_arg,
        "file": rel,
        "llvm_mc": mc,
        "not_expressible": reason or "",
    }


if __name__ == "__main__":
    main()
