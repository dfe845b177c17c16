#!/usr/bin/env python3
"""Regenerates llvm19.txt, the golden encodings of every eBPF instruction form.

Each asm line below is assembled by `llvm-mc-19 -triple bpfel -mcpu=v4` and disassembled by
`llvm-objdump-19 -d --mattr=+alu32` (the option that makes objdump print 32-bit subregisters,
`w1`, and the 32-bit atomics, as `-mcpu=v3`+ code uses them; without it LLVM 19 prints
`r` for `w` and `<unknown>` for `xchg32_32`/`cmpxchg32_32`). The jump annotation objdump adds
after a target (`goto +0x3 <.text+0x18>`) depends on the object file and is dropped, and the
tab objdump prints after `ld_pseudo` is written as a space.

Output: one line per instruction, three tab-separated fields:
    <asm text as written>\t<hex bytes, 8 or 16>\t<llvm-objdump-19 text>

It also writes llvm19_programs.txt: small programs with labels (jumps and JMP32 jumps of every
condition to labels forward and back, `goto`/`gotol`/`may_goto` to labels, bpf-to-bpf `call`
to a label before and after the caller, jumps over `ld_imm64`), which a one-line vector cannot
hold. Each is one line, statements separated by `;` (LLVM's separator too), assembled alone
with `-filetype=obj` so LLVM resolves the labels; the bytes are its `.text` section:
    <asm text>\t<hex bytes of the whole program>

Usage: python3 ebpf-dsl/tests/golden/gen.py   (from anywhere; needs llvm-mc-19, llvm-objdump-19,
llvm-objcopy-19)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "llvm19.txt")
OUT_PROGRAMS = os.path.join(HERE, "llvm19_programs.txt")
CONDS = ["==", ">", ">=", "&", "!=", "s>", "s>=", "<", "<=", "s<", "s<="]


def lines():
    out = []
    alu = ["+=", "-=", "*=", "/=", "s/=", "%=", "s%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "="]
    shifts = {"<<=", ">>=", "s>>="}
    imms = ["0", "1", "-1", "42", "0x7fffffff", "-2147483648", "0x1234", "-0x10"]
    pairs = [(0, 1), (1, 2), (9, 10), (10, 0), (5, 5)]
    for p in ["r", "w"]:
        for op in alu:
            for v in (["0", "1", "31", "7"] if op in shifts else imms):
                out.append(f"{p}3 {op} {v}")
            for d, s in pairs:
                out.append(f"{p}{d} {op} {p}{s}")
        for r in [0, 1, 10]:
            out.append(f"{p}{r} = -{p}{r}")
    for d, s in pairs:
        for b in ["s8", "s16", "s32"]:
            out.append(f"r{d} = ({b})r{s}")
        for b in ["s8", "s16"]:
            out.append(f"w{d} = ({b})w{s}")
    for r in [0, 1, 9, 10]:
        for k in ["be", "le", "bswap"]:
            for bits in [16, 32, 64]:
                out.append(f"r{r} = {k}{bits} r{r}")
    offs = ["0", "16", "-16", "32767", "-32768", "-1"]
    pairs2 = [(0, 1), (4, 6), (9, 10), (10, 10)]
    for off in offs:
        sign = "-" if off.startswith("-") else "+"
        o = off.lstrip("-")
        for d, s in pairs2:
            for t in ["u8", "u16", "u32", "u64", "s8", "s16", "s32"]:
                out.append(f"r{d} = *({t} *)(r{s} {sign} {o})")
            for t in ["u8", "u16", "u32"]:
                out.append(f"w{d} = *({t} *)(r{s} {sign} {o})")
            for t in ["u8", "u16", "u32", "u64"]:
                out.append(f"*({t} *)(r{s} {sign} {o}) = r{d}")
            for t in ["u8", "u16", "u32"]:
                out.append(f"*({t} *)(r{s} {sign} {o}) = w{d}")
        for t in ["u8", "u16", "u32", "u64"]:
            for v in ["0", "7", "-7", "0x7fffffff", "-2147483648"]:
                out.append(f"*({t} *)(r10 {sign} {o}) = {v}")
    for off in ["0", "8", "-8", "32767", "-32768"]:
        sign = "-" if off.startswith("-") else "+"
        o = off.lstrip("-")
        for d, s in [(1, 2), (10, 0), (0, 9)]:
            a = f"r{d} {sign} {o}"
            for c, op in [("+=", "add"), ("|=", "or"), ("&=", "and"), ("^=", "xor")]:
                out.append(f"lock *(u64 *)({a}) {c} r{s}")
                out.append(f"lock *(u32 *)({a}) {c} w{s}")
                out.append(f"r{s} = atomic_fetch_{op}((u64 *)({a}), r{s})")
                out.append(f"w{s} = atomic_fetch_{op}((u32 *)({a}), w{s})")
            out.append(f"r{s} = xchg_64({a}, r{s})")
            out.append(f"w{s} = xchg32_32({a}, w{s})")
            out.append(f"r0 = cmpxchg_64({a}, r0, r{s})")
            out.append(f"w0 = cmpxchg32_32({a}, w0, w{s})")
    for r in [0, 1, 10]:
        for v in ["0", "1", "-1", "0x123456789", "0x7fffffffffffffff", "-9223372036854775808",
                  "0xffffffff", "0x80000000", "-2147483648", "0x100000000", "0x1122334455667788"]:
            out.append(f"r{r} = {v} ll")
        for k in range(1, 7):
            for v in ["0", "5", "-1"]:
                out.append(f"ld_pseudo r{r}, {k}, {v}")
    for t in ["u8", "u16", "u32"]:
        for v in ["0", "12", "0x7fffffff", "-4"]:
            out.append(f"r0 = *({t} *)skb[{v}]")
        for r in [0, 1, 9, 10]:
            out.append(f"r0 = *({t} *)skb[r{r}]")
    conds = ["==", ">", ">=", "&", "!=", "s>", "s>=", "<", "<=", "s<", "s<="]
    for p in ["r", "w"]:
        for c in conds:
            for off in ["+0", "+3", "-3", "+32767", "-32768"]:
                out.append(f"if {p}1 {c} {p}2 goto {off}")
            for v in ["0", "-1", "0x7fffffff", "-2147483648", "42"]:
                out.append(f"if {p}3 {c} {v} goto +1")
            out.append(f"if {p}10 {c} {p}0 goto -1")
    for off in ["+0", "+1", "-1", "+32767", "-32768"]:
        out.append(f"goto {off}")
        out.append(f"gotol {off}")
    for off in ["+0", "+1", "-1", "+32767", "-32768"]:
        out.append(f"may_goto {off}")
    for d, s, a, b in [(1, 2, 1, 0), (1, 2, 0, 1), (3, 3, 0x10, 0x20), (10, 0, 0xffff, 0xffff)]:
        out.append(f"r{d} = addr_space_cast(r{s}, {a}, {b})")
    for v in ["0", "1", "12", "51", "211", "-1", "0x7fffffff", "-2147483648"]:
        out.append(f"call {v}")
    for r in range(11):
        out.append(f"callx r{r}")
    out.append("exit")
    return out


def programs():
    """Programs whose jumps and calls name labels."""
    out = []
    for p in ["r", "w"]:
        # Every condition, immediate and register, to a label ahead and a label behind.
        body = ["back: r0 = 0"]
        for c in CONDS:
            body.append(f"if {p}1 {c} {p}2 goto out")
            body.append(f"if {p}1 {c} 7 goto back")
            body.append(f"if {p}3 {c} -1 goto out")
            body.append(f"if {p}4 {c} {p}5 goto back")
        body.append("out: exit")
        out.append("; ".join(body))
    out.append("goto fwd; back: r0 = 1; exit; fwd: goto back")
    out.append("gotol fwd; back: r0 = 1; exit; fwd: gotol back")
    out.append("l: may_goto out; goto l; out: r0 = 0; exit")
    # bpf-to-bpf calls: callee after and before the caller.
    out.append("r1 = 1; call sub; exit; sub: r0 = r1; exit")
    out.append("goto main; sub: r0 = 2; exit; main: call sub; call sub; exit")
    # Distances count both slots of an ld_imm64.
    out.append("if r1 > 2 goto out; r2 = 0x1122334455667788 ll; r3 = 0 ll; out: r0 = 0; "
               "if r0 == 0 goto out; exit")
    # A label on its own line is the next instruction; two labels on one slot.
    out.append(r"a:\nb: r0 = 0; if r0 != 0 goto a; if r0 != 1 goto b; exit")
    return out


def program_hex(src, tmp, i):
    """The .text bytes of `src` assembled alone, as hex."""
    s = os.path.join(tmp, f"p{i}.s")
    o = os.path.join(tmp, f"p{i}.o")
    b = os.path.join(tmp, f"p{i}.bin")
    with open(s, "w") as f:
        f.write(src.replace("\\n", "\n") + "\n")
    subprocess.run(["llvm-mc-19", "-triple", "bpfel", "-mcpu=v4", "-filetype=obj", s, "-o", o],
                   check=True)
    relocs = subprocess.run(["llvm-objdump-19", "-r", o], check=True, capture_output=True,
                            text=True).stdout
    if "R_BPF" in relocs:
        sys.exit(f"`{src}` leaves relocations; LLVM did not resolve its labels:\n{relocs}")
    subprocess.run(["llvm-objcopy-19", "-O", "binary", "--only-section=.text", o, b],
                   check=True)
    with open(b, "rb") as f:
        return f.read().hex()


def assemble_hex(asm):
    """The encoding of each line, as hex, via `llvm-mc-19 -show-encoding`."""
    res = subprocess.run(["llvm-mc-19", "-triple", "bpfel", "-mcpu=v4", "-show-encoding"],
                         input="\n".join(asm) + "\n", check=True, capture_output=True, text=True)
    out = []
    for line in res.stdout.splitlines():
        m = re.search(r"# encoding: \[(.*)\]", line)
        if m:
            out.append("".join(b[2:] for b in m.group(1).split(",")))
    if len(out) != len(asm):
        sys.exit(f"llvm-mc gave {len(out)} encodings for {len(asm)} lines")
    return out


def main():
    asm = lines()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "g.s")
        obj = os.path.join(tmp, "g.o")
        with open(src, "w") as f:
            f.write("\n".join(asm) + "\n")
        subprocess.run(["llvm-mc-19", "-triple", "bpfel", "-mcpu=v4", "-filetype=obj", src,
                        "-o", obj], check=True)
        dump = subprocess.run(["llvm-objdump-19", "-d", "--mattr=+alu32", obj], check=True,
                              capture_output=True, text=True).stdout
    rows = []
    for line in dump.splitlines():
        m = re.match(r"^\s*\d+:\t([0-9a-f ]+?)\t(.*)$", line)
        if m:
            # objdump separates `ld_pseudo` from its operands with a tab; keep the file
            # three-column by printing a space, as our disassembler does.
            text = re.sub(r" <[^<>]*>$", "", m.group(2).strip()).replace("\t", " ")
            rows.append((m.group(1).replace(" ", ""), text))
    if len(rows) != len(asm):
        sys.exit(f"objdump printed {len(rows)} instructions for {len(asm)} lines")
    # objdump's text must itself reassemble to the same bytes, or it is no reference for a
    # disassembler whose output has to reassemble.
    again = assemble_hex([text for _, text in rows])
    for a, (hexb, text), h2 in zip(asm, rows, again):
        if hexb != h2:
            sys.exit(f"objdump text `{text}` of `{a}` reassembles to {h2}, not {hexb}")
    with open(OUT, "w") as f:
        f.write("# Generated by gen.py with llvm-mc-19 / llvm-objdump-19 --mattr=+alu32: do not edit.\n")
        f.write("# <asm text>\\t<hex bytes>\\t<llvm-objdump-19 text>\n")
        for a, (hexb, text) in zip(asm, rows):
            f.write(f"{a}\t{hexb}\t{text}\n")
    print(f"wrote {len(asm)} vectors to {OUT}")
    progs = programs()
    with tempfile.TemporaryDirectory() as tmp:
        hexes = [program_hex(p, tmp, i) for i, p in enumerate(progs)]
    with open(OUT_PROGRAMS, "w") as f:
        f.write("# Generated by gen.py with llvm-mc-19: do not edit. One program a line, `;` between\n")
        f.write("# statements, `\\n` for a line break.\n# <asm text>\\t<hex bytes of the .text section>\n")
        for p, h in zip(progs, hexes):
            f.write(f"{p}\t{h}\n")
    print(f"wrote {len(progs)} programs to {OUT_PROGRAMS}")


if __name__ == "__main__":
    main()
