#!/usr/bin/env python3
"""The mutations of a text program, one line at a time: shared by `mutants.py` (the real
programs' texts, `ebpf-dsl disasm`: hexadecimal immediates) and
`tools/verifier-selftests/mutants.py` (the kernel's selftests converted: clang's decimal ones).

`variants(kind, text, i)` gives the ways a mutant of `kind` may replace line `i` of `text` (a
list of lines, comments already stripped): each variant is the list of lines that replace it
(empty: the line deleted); an empty list of variants means the kind does not apply to the line.
`mutate(kind, text, i, choice)` takes variant `choice` (modulo their number), None when the kind
does not apply. Both are deterministic: a caller that wants variety picks `choice` from a seeded
generator.

Two families of kinds:

- `REAL_KINDS` (the real programs' mutants): one safety check deleted, a comparison between
  registers (`bounds`, the packet bounds checks), with 0 (`null`, after a map lookup), with
  another constant (`range`), an AND mask (`mask`); or weakened by a little: a constant bound
  one further (`bound+1`), the `rX += K` of a packet bounds check one byte short (`pkt-1`), a
  mask one bit wider (`mask+1`), a load or store widened to 8 bytes (`widen`).
- `SMALL_KINDS` (what suits small hand-written programs, whose lines sit on the kernel's
  boundaries): a conditional jump's operator changed (`jop`: strict and not, signed and not,
  negated, reversed) or its register operands swapped (`jswap`); an immediate moved by one
  (`imm+-1`), to a power-of-two boundary (`imm-pow2`: the next power of two above it, one
  less, its negation, the 32-bit extremes) or negated (`imm-neg`); an access size changed
  (`size`: loads, stores, atomics); an ALU operation changed to another (`alu`); one
  instruction that is not an exit dropped (`drop`); a stack offset moved by 1 or 8 (`fp+-`),
  another base's offset by 1 or the access size (`off+-`); a conditional jump's 64-bit form
  made 32-bit and back (`jmp32`); an ALU64 operation or move made ALU32 and back (`alu32`);
  a source register made another (`reg`: a move's or ALU operation's source, a store's value,
  a load's or store's base).
"""

import re

# A number as either text writes it: `0x10`, `-0x10`, `16`, `-16`.
NUM = r"-?(?:0x[0-9a-fA-F]+|\d+)"
REG_CMP = re.compile(r"^\s*if r\d+ [<>]=? r\d+ goto ")
ZERO_CMP = re.compile(r"^\s*if r\d+ (==|!=) (?:0x0|0) goto ")
CONST_CMP = re.compile(r"^\s*if [rw]\d+ s?[<>]=? (0x[0-9a-f]+|-?\d+) goto ")
MASK = re.compile(r"^\s*[rw]\d+ &= (?:0x[0-9a-f]+|\d+)$")
# The weakened checks: a bound one further (`if r1 > 0xf` -> `if r1 > 0x10`), a packet
# bounds check one byte short (the `rX += K` just before `if rX > rEnd`: K - 1), a mask one
# bit wider (`&= 0xff` -> `&= 0x1ff`), a load or store widened to 8 bytes (`w1 = *(u16 *)
# (r2 + 12)` -> `r1 = *(u64 *)(r2 + 12)`: past what was checked).
BOUND = re.compile(r"^(\s*if [rw]\d+ s?[<>]=? )(0x[0-9a-f]+|-?\d+)( goto .*)$")
REG_CMP_REGS = re.compile(r"^\s*if (r\d+) [<>]=? (r\d+) goto ")
ADD_CONST = re.compile(r"^(\s*)(r\d+) \+= (0x[0-9a-f]+|\d+)$")
MASK_PARTS = re.compile(r"^(\s*[rw]\d+ &= )(0x[0-9a-f]+|\d+)$")
OFF = r"(?:0x[0-9a-f]+|\d+)"
LOAD = re.compile(rf"^(\s*)[rw](\d+) = \*\(u(8|16|32) \*\)(\(r\d+ [+-] {OFF}\))$")
STORE = re.compile(rf"^(\s*)\*\(u(8|16|32) \*\)(\(r\d+ [+-] {OFF}\)) = "
                   r"(?:[rw](\d+)|(0x[0-9a-f]+|-?\d+))$")
REAL_KINDS = ("bounds", "null", "range", "mask", "bound+1", "pkt-1", "mask+1", "widen")

# The small programs' kinds.
JUMP = re.compile(rf"^(\s*if )([rw])(\d+) (==|!=|>=|>|<=|<|s>=|s>|s<=|s<|&) "
                  rf"([rw]\d+|{NUM})( goto .*)$")
ALU_OPS = ("+", "-", "*", "/", "%", "|", "&", "^", "<<", ">>", "s>>", "s/", "s%")
ALU = re.compile(rf"^(\s*)([rw])(\d+) (\+|-|\*|/|%|\||&|\^|<<|>>|s>>|s/|s%)= ([rw]\d+|{NUM})$")
MOV = re.compile(rf"^(\s*)([rw])(\d+) = ([rw]\d+|{NUM})$")
MOV_IMM = re.compile(rf"^(\s*[rw]\d+ = )({NUM})( ll)?$")
ALU_IMM = re.compile(rf"^(\s*[rw]\d+ (?:\+|-|\*|/|%|\||&|\^|<<|>>|s>>|s/|s%)= )({NUM})$")
JUMP_IMM = re.compile(rf"^(\s*if [rw]\d+ (?:==|!=|>=|>|<=|<|s>=|s>|s<=|s<|&) )({NUM})( goto .*)$")
STORE_IMM = re.compile(rf"^(\s*\*\(u(?:8|16|32|64) \*\)\(r\d+ [+-] {OFF}\) = )({NUM})$")
MEM = re.compile(rf"^(.*\*\([us](8|16|32|64) \*\)\()(r\d+) ([+-]) ({OFF})(\).*)$")
LOAD_ANY = re.compile(rf"^(\s*)([rw])(\d+) = \*\(([us])(8|16|32|64) \*\)(\(r\d+ [+-] {OFF}\))$")
STORE_ANY = re.compile(rf"^(\s*)\*\(u(8|16|32|64) \*\)(\(r\d+ [+-] {OFF}\)) = ([rw]\d+|{NUM})$")
ATOMIC = re.compile(rf"^(\s*lock \*\(u)(32|64)( \*\)\(r\d+ [+-] {OFF}\) \S+ )([rw])(\d+)$")
# The other operators a conditional jump's may become: strict and not, signed and not, the
# negation, the reverse (and `&`, the bit test, for the equalities).
JOP = {
    "==": ("!=", ">=", "<=", "&"), "!=": ("==", ">", "<", "&"),
    ">": (">=", "s>", "<=", "<", "!="), ">=": (">", "s>=", "<", "<="),
    "<": ("<=", "s<", ">=", ">", "!="), "<=": ("<", "s<=", ">", ">="),
    "s>": ("s>=", ">", "s<=", "s<"), "s>=": ("s>", ">=", "s<", "s<="),
    "s<": ("s<=", "<", "s>=", "s>"), "s<=": ("s<", "<=", "s>", "s>="),
    "&": ("==", "!="),
}
SMALL_KINDS = ("jop", "jswap", "imm+-1", "imm-pow2", "imm-neg", "size", "alu", "drop", "fp+-",
               "off+-", "jmp32", "alu32", "reg")
ALL_KINDS = REAL_KINDS + SMALL_KINDS


def strip_comment(line):
    """The line without its trailing comment (`\\t# ...`, what the converted selftests keep of
    the C source), and without trailing blanks."""
    m = re.search(r"\s#", line)
    return (line[:m.start()] if m else line).rstrip()


def number(text):
    return int(text, 0) if not text.startswith("-") else -int(text[1:], 0)


def like(orig, v):
    """`v` written as `orig` is: hexadecimal (`0x10`, `-0x10`) or decimal."""
    if "0x" in orig.lower():
        return hex(v) if v >= 0 else f"-{hex(-v)}"
    return str(v)


def fits(v, wide):
    """An immediate the instruction can hold: 32-bit signed, or 64-bit for an `ld_imm64`."""
    return -2**63 <= v < 2**64 if wide else -2**31 <= v < 2**31


def variants(kind, text, i):
    """The lines that may replace line `i` of `text` in a mutant of `kind`, one list a variant
    (an empty list: the line deleted); [] when the kind does not apply to the line."""
    ln = text[i]
    deleted = {"bounds": REG_CMP, "null": ZERO_CMP, "range": CONST_CMP, "mask": MASK}
    if kind in deleted:
        return [[]] if deleted[kind].match(ln) else []
    if kind == "bound+1":
        m = BOUND.match(ln)
        if not m:
            return []
        v = number(m.group(2)) + 1
        if v >= 2**31:  # past a 32-bit immediate
            return []
        return [[f"{m.group(1)}{hex(v) if v >= 0 and '0x' in m.group(2) else v}{m.group(3)}"]]
    if kind == "pkt-1":
        m = ADD_CONST.match(ln)
        if not m or number(m.group(3)) == 0:
            return []
        # the next lines: the register compared with another before it changes again
        for nxt in text[i + 1:i + 4]:
            c = REG_CMP_REGS.match(nxt)
            if c and m.group(2) in (c.group(1), c.group(2)):
                v = number(m.group(3)) - 1
                return [[f"{m.group(1)}{m.group(2)} += {like(m.group(3), v)}"]]
            if re.match(rf"^\s*(if |{m.group(2)} |w{m.group(2)[1:]} |call |goto |exit)", nxt):
                return []
        return []
    if kind == "mask+1":
        m = MASK_PARTS.match(ln)
        if not m:
            return []
        v = number(m.group(2))
        w = v | (v << 1) | 1
        return [[f"{m.group(1)}{like(m.group(2), w)}"]] if w != v and w < 2**31 else []
    if kind == "widen":
        m = LOAD.match(ln)
        if m:
            return [[f"{m.group(1)}r{m.group(2)} = *(u64 *){m.group(4)}"]]
        m = STORE.match(ln)
        if m:
            src = f"r{m.group(4)}" if m.group(4) else m.group(5)
            return [[f"{m.group(1)}*(u64 *){m.group(3)} = {src}"]]
        return []
    if kind in SMALL_KINDS:
        return [[] if v is None else [v] for v in small(kind, ln)]
    raise ValueError(f"unknown kind of mutant {kind!r}; the kinds are {', '.join(ALL_KINDS)}")


def immediate(ln):
    """(text before, the immediate, text after, 64-bit?) of a line with an immediate operand."""
    for pat in (MOV_IMM, ALU_IMM, JUMP_IMM, STORE_IMM):
        m = pat.match(ln)
        if m:
            after = m.group(3) if pat in (MOV_IMM, JUMP_IMM) else ""
            return m.group(1), m.group(2), after or "", pat is MOV_IMM and bool(m.group(3))
    return None


def small(kind, ln):
    """The one-line variants of `ln` for a kind of SMALL_KINDS."""
    out = []
    if kind == "jop":
        m = JUMP.match(ln)
        if m:
            out = [f"{m.group(1)}{m.group(2)}{m.group(3)} {op} {m.group(5)}{m.group(6)}"
                   for op in JOP[m.group(4)]]
    elif kind == "jswap":
        m = JUMP.match(ln)
        if m and m.group(5)[0] in "rw" and m.group(5)[1:] != m.group(3):
            out = [f"{m.group(1)}{m.group(5)} {m.group(4)} {m.group(2)}{m.group(3)}{m.group(6)}"]
    elif kind in ("imm+-1", "imm-pow2", "imm-neg"):
        parts = immediate(ln)
        if parts:
            head, imm, tail, wide = parts
            v = number(imm)
            if kind == "imm+-1":
                new = [v + 1, v - 1]
            elif kind == "imm-neg":
                new = [-v]
            else:
                p = 1 << abs(v).bit_length()  # the next power of two above |v|
                new = [p, p - 1, -p, 2**31 - 1, -2**31]
            out = [f"{head}{like(imm, n)}{tail}" for n in dict.fromkeys(new)
                   if n != v and fits(n, wide)]
    elif kind == "size":
        m = LOAD_ANY.match(ln)
        if m:
            sizes = ("8", "16", "32") if m.group(4) == "s" else ("8", "16", "32", "64")
            for s in sizes:
                if s != m.group(5):
                    dst = "r" if s == "64" or m.group(4) == "s" else m.group(2)
                    out.append(f"{m.group(1)}{dst}{m.group(3)} = *({m.group(4)}{s} *)"
                               f"{m.group(6)}")
        m = STORE_ANY.match(ln)
        if m:
            src = m.group(4)
            for s in ("8", "16", "32", "64"):
                if s != m.group(2):
                    v = f"r{src[1:]}" if s == "64" and src[0] == "w" else src
                    out.append(f"{m.group(1)}*(u{s} *){m.group(3)} = {v}")
        m = ATOMIC.match(ln)
        if m:
            s, reg = ("64", "r") if m.group(2) == "32" else ("32", "w")
            out.append(f"{m.group(1)}{s}{m.group(3)}{reg}{m.group(5)}")
    elif kind == "alu":
        m = ALU.match(ln)
        if m:
            out = [f"{m.group(1)}{m.group(2)}{m.group(3)} {op}= {m.group(5)}"
                   for op in ALU_OPS if op != m.group(4)]
    elif kind == "drop":
        code = ln.strip()
        if ln[:1].isspace() and code and code != "exit" and not code.startswith("."):
            out = [None]
    elif kind in ("fp+-", "off+-"):
        m = MEM.match(ln)
        if m and (m.group(3) == "r10") == (kind == "fp+-"):
            off = number(m.group(5)) * (-1 if m.group(4) == "-" else 1)
            deltas = (1, -1, 8, -8) if kind == "fp+-" else (1, -1, int(m.group(2)) // 8,
                                                            -(int(m.group(2)) // 8))
            for d in dict.fromkeys(deltas):
                n = off + d
                if -2**15 <= n < 2**15:
                    sign = "-" if n < 0 else "+"
                    out.append(f"{m.group(1)}{m.group(3)} {sign} {like(m.group(5), abs(n))}"
                               f"{m.group(6)}")
    elif kind == "jmp32":
        m = JUMP.match(ln)
        if m:
            w, b = width_flipped(m, 2, 5)
            out = [f"{m.group(1)}{w}{m.group(3)} {m.group(4)} {b}{m.group(6)}"]
    elif kind == "alu32":
        m = ALU.match(ln)
        if m:
            w, b = width_flipped(m, 2, 5)
            out = [f"{m.group(1)}{w}{m.group(3)} {m.group(4)}= {b}"]
        m = MOV.match(ln)
        if m:
            w, b = width_flipped(m, 2, 4)
            out = [f"{m.group(1)}{w}{m.group(3)} = {b}"]
    elif kind == "reg":
        out = other_register(ln)
    return out


def width_flipped(m, reg, src):
    """The other width's register prefix for group `reg` of match `m` ("r" <-> "w") and
    group `src` (a register operand) in that width; an immediate source stays as it is."""
    w = "w" if m.group(reg) == "r" else "r"
    b = m.group(src)
    return w, (w + b[1:] if b[0] in "rw" else b)


def other_register(ln):
    """`ln` with one source register (a move's or ALU operation's source, a store's value, a
    load's or store's base) replaced by each other register r0-r10 (w0-w9 in 32-bit forms)."""
    m = re.match(r"^(\s*[rw]\d+ (?:[-+*/%|&^]|<<|>>|s>>|s/|s%)?= )([rw])(\d+)$", ln)
    if not m:
        m = re.match(r"^(\s*(?:lock )?\*\([us]\d+ \*\)\(r\d+ [+-] \S+\) \S*= )([rw])(\d+)$",
                     ln)
    if not m:
        m = re.match(r"^(\s*(?:[rw]\d+ = )?(?:lock )?\*\([us]\d+ \*\)\()(r)(\d+)( .*)$", ln)
    if not m:
        return []
    tail = m.group(4) if m.lastindex >= 4 else ""
    regs = range(11) if m.group(2) == "r" else range(10)
    return [f"{m.group(1)}{m.group(2)}{n}{tail}" for n in regs if str(n) != m.group(3)]


def mutate(kind, text, i, choice=0):
    """The lines that replace line `i` in a mutant of this kind (empty: the line deleted), or
    None if the line is not one this kind mutates; `choice` picks among the variants."""
    vs = variants(kind, text, i)
    if not vs:
        return None
    return vs[choice % len(vs)]


def self_test():
    """Checks each kind on lines of both texts (`python3 mutation.py` runs it; the workspace
    test `tools_mutation` too). Raises AssertionError on a difference."""
    assert ALL_KINDS == REAL_KINDS + SMALL_KINDS and len(set(ALL_KINDS)) == len(ALL_KINDS)
    def one(kind, line, context=()):
        text = [line, *context]
        return [v[0] if v else None for v in variants(kind, text, 0)]
    # the real programs' kinds, on disasm's hexadecimal text and clang's decimal one
    assert one("null", "\tif r1 == 0x0 goto L3") == [None]
    assert one("null", "\tif r1 == 0 goto l0_3") == [None]
    assert one("bound+1", "\tif r1 > 0xf goto L3") == ["\tif r1 > 0x10 goto L3"]
    assert one("bound+1", "\tif w1 s> 15 goto l1") == ["\tif w1 s> 16 goto l1"]
    assert one("pkt-1", "\tr2 += 0xe", ["\tif r2 > r3 goto L1"]) == ["\tr2 += 0xd"]
    assert one("pkt-1", "\tr2 += 14", ["\tif r2 > r3 goto L1"]) == ["\tr2 += 13"]
    assert one("pkt-1", "\tr2 += 14", ["\tcall bpf_trace_printk"]) == []
    assert one("mask+1", "\tr1 &= 0xff") == ["\tr1 &= 0x1ff"]
    assert one("widen", "\tw1 = *(u16 *)(r2 + 12)") == ["\tr1 = *(u64 *)(r2 + 12)"]
    # the small programs' kinds
    assert one("jop", "\tif r1 > r2 goto l") == [f"\tif r1 {op} r2 goto l"
                                                 for op in (">=", "s>", "<=", "<", "!=")]
    assert one("jswap", "\tif r1 s< r2 goto l") == ["\tif r2 s< r1 goto l"]
    assert one("jswap", "\tif r1 s< 3 goto l") == []
    assert one("imm+-1", "\tr1 = 0x10 ll") == ["\tr1 = 0x11 ll", "\tr1 = 0xf ll"]
    assert one("imm+-1", "\t*(u32 *)(r10 - 8) = -1") == ["\t*(u32 *)(r10 - 8) = 0",
                                                         "\t*(u32 *)(r10 - 8) = -2"]
    assert one("imm+-1", "\tr1 = 2147483647") == ["\tr1 = 2147483646"], "past 32 bits"
    assert one("imm-pow2", "\tif w1 > 5 goto l") == [f"\tif w1 > {v} goto l"
                                                     for v in (8, 7, -8, 2**31 - 1, -2**31)]
    assert one("imm-neg", "\tr1 += -8") == ["\tr1 += 8"]
    assert one("imm-neg", "\tr1 += 0") == []
    assert one("size", "\tw1 = *(u8 *)(r2 + 0)") == ["\tw1 = *(u16 *)(r2 + 0)",
                                                    "\tw1 = *(u32 *)(r2 + 0)",
                                                    "\tr1 = *(u64 *)(r2 + 0)"]
    assert one("size", "\t*(u64 *)(r10 - 8) = r1")[0] == "\t*(u8 *)(r10 - 8) = r1"
    assert one("size", "\tlock *(u32 *)(r10 - 8) += w1") == ["\tlock *(u64 *)(r10 - 8) += r1"]
    assert len(one("alu", "\tr1 <<= 3")) == len(ALU_OPS) - 1
    assert one("drop", "\texit") == [] and one("drop", "l0:") == []
    assert one("drop", "\tr0 = 0") == [None]
    assert one("fp+-", "\tr1 = *(u64 *)(r10 - 8)") == [
        "\tr1 = *(u64 *)(r10 - 7)", "\tr1 = *(u64 *)(r10 - 9)", "\tr1 = *(u64 *)(r10 + 0)",
        "\tr1 = *(u64 *)(r10 - 16)"]
    assert one("off+-", "\tr1 = *(u64 *)(r10 - 8)") == []
    assert one("off+-", "\tw1 = *(u32 *)(r1 + 76)") == [
        "\tw1 = *(u32 *)(r1 + 77)", "\tw1 = *(u32 *)(r1 + 75)", "\tw1 = *(u32 *)(r1 + 80)",
        "\tw1 = *(u32 *)(r1 + 72)"]
    assert one("jmp32", "\tif r1 == r2 goto l") == ["\tif w1 == w2 goto l"]
    assert one("jmp32", "\tif w1 == 7 goto l") == ["\tif r1 == 7 goto l"]
    assert one("alu32", "\tr1 += r2") == ["\tw1 += w2"]
    assert one("alu32", "\tw1 = 5") == ["\tr1 = 5"]
    assert one("alu32", "\tr1 = 5 ll") == []
    assert strip_comment("\tr1 = r2\t# a C comment") == "\tr1 = r2"
    assert one("reg", "\tr1 = r2")[:2] == ["\tr1 = r0", "\tr1 = r1"]
    assert len(one("reg", "\tw1 += w2")) == 9
    assert one("reg", "\tr0 = *(u32 *)(r1 + 8)")[0] == "\tr0 = *(u32 *)(r0 + 8)"
    assert one("reg", "\t*(u64 *)(r10 - 8) = r1")[-1] == "\t*(u64 *)(r10 - 8) = r10"
    assert one("reg", "\tr1 = 5") == []
    assert mutate("drop", ["\tr0 = 0"], 0) == [] and mutate("drop", ["\texit"], 0) is None
    assert mutate("jop", ["\tif r1 & 4 goto l"], 0, 1) == ["\tif r1 != 4 goto l"]


if __name__ == "__main__":
    self_test()
    print("mutation.py: self test passed")
