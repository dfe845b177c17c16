"""Parser of the kernel's BPF_LOG_LEVEL2 verifier log (Linux 6.18 format) into observations.

An observation is what the log says about the state *before* one instruction is processed:
``(pc, depth, regs, stack)`` where ``regs`` maps a register number to a value dict (the shape
of ``ebpf-dsl check --dump-states``) or to ``NOT_INIT``, and ``stack`` maps a frame offset to a
slot. Locations the log leaves uncertain are absent (compared with nothing).

The kernel prints the whole state of the innermost frame only at the start of a path
(``from X to Y: ...``) and at a call's entry; after each instruction it prints only the
locations the instruction touched (``N: (op) insn ; R1=... fp-8=...``, or a separate
``N: R1=...`` line when something is printed in between). The state is therefore rebuilt
from those deltas, and a location that may have changed without being printed becomes
uncertain until printed again:

* a conditional jump refines, unprinted, the registers sharing an id with the compared ones
  (linked scalars, packet ranges, null checks): scalars with an id, pointers with an id,
  packet pointers and ``*_or_null`` pointers become uncertain (registers and spills);
* a helper or kfunc call clears r1-r5 (certain: ``NOT_INIT``), may invalidate packet
  pointers and released references and may write stack memory: every pointer other than
  ctx / fp / map pointers / map values / functions, and every stack slot, becomes uncertain;
* a bpf-to-bpf call pushes a frame (its state is printed after ``callee:``), a return pops
  one (``returning from callee:`` ... ``to caller at N:`` then the caller's delta).
"""

import re

NOT_INIT = {"t": "not_init"}

S64_MIN, S64_MAX, U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
S32_MIN, S32_MAX, U32_MAX = -(1 << 31), (1 << 31) - 1, (1 << 32) - 1


def unknown_scalar():
    """The scalar nothing is known about."""
    return {
        "t": "scalar", "smin": S64_MIN, "smax": S64_MAX, "umin": 0, "umax": U64_MAX,
        "s32min": S32_MIN, "s32max": S32_MAX, "u32min": 0, "u32max": U32_MAX,
        "tv": 0, "tm": U64_MAX, "id": 0,
    }


def const_scalar(v):
    """The scalar that is the constant ``v`` (a signed or unsigned 64-bit number)."""
    u = v & U64_MAX
    s = u - (1 << 64) if u >> 63 else u
    u32 = u & U32_MAX
    s32 = u32 - (1 << 32) if u32 >> 31 else u32
    return {
        "t": "scalar", "smin": s, "smax": s, "umin": u, "umax": u, "s32min": s32,
        "s32max": s32, "u32min": u32, "u32max": u32, "tv": u, "tm": 0, "id": 0,
    }


def num(s):
    s = s.strip()
    neg = s.startswith("-")
    s = s[1:] if neg else s
    v = int(s, 16) if s.startswith("0x") else int(s, 10)
    return -v if neg else v


def signed64(v):
    """``v`` as a signed 64-bit number (the kernel prints some offsets as unsigned hex)."""
    v &= U64_MAX
    return v - (1 << 64) if v >> 63 else v


def split_top(s, sep=","):
    """Splits ``s`` at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


BOUND_NAMES = {
    "smin": "smin", "smax": "smax", "umin": "umin", "umax": "umax",
    "smin32": "s32min", "smax32": "s32max", "umin32": "u32min", "umax32": "u32max",
}


def fill_scalar(fields):
    """A scalar from the printed fields (``smin=smin32=0``, ``var_off=(0x0; 0x7)``, ...);
    fields not printed take the kernel's defaults (unbounded), then the 64-bit signed range
    of a value whose unsigned range fits is implied as the kernel prints it."""
    sc = unknown_scalar()
    seen = set()
    for f in fields:
        parts = f.split("=")
        if parts[0] == "var_off":
            m = re.match(r"var_off=\((\S+); (\S+)\)", f)
            sc["tv"], sc["tm"] = num(m.group(1)), num(m.group(2))
            seen.add("var_off")
            continue
        if parts[0] == "id":
            idv = parts[1].split("+")[0].split("-")[0]
            sc["id"] = num(idv)
            continue
        names, val = parts[:-1], parts[-1]
        if not all(n in BOUND_NAMES for n in names):
            continue
        v = num(val)
        for n in names:
            k = BOUND_NAMES[n]
            if k in ("umin", "umax"):
                v2 = v & U64_MAX
            elif k in ("u32min", "u32max"):
                v2 = v & U32_MAX
            elif k in ("s32min", "s32max"):
                v2 = ((v & U32_MAX) ^ (1 << 31)) - (1 << 31)
            else:
                v2 = ((v & U64_MAX) ^ (1 << 63)) - (1 << 63)
            sc[k] = v2
            seen.add(k)
    return sc


POINTER_FIELDS = {"off", "r", "id", "ref_obj_id", "map", "ks", "vs", "sz", "imm", "frameno"}


def parse_value(text):
    """A register's printed value (``scalar(...)``, ``107``, ``fp-8``, ``pkt(off=2,r=4)``,
    ``map_value(map=m,ks=4,vs=16,off=...)``, ...) as a value dict; ``None`` if unreadable."""
    text = text.strip()
    if text.startswith("P"):
        text = text[1:]
    m = re.fullmatch(r"-?(0x[0-9a-f]+|\d+)", text)
    if m:
        return const_scalar(num(text))
    m = re.fullmatch(r"fp(\[(\d+)\])?(-?(0x[0-9a-f]+|\d+))", text)
    if m:
        off = signed64(num(m.group(3)))
        return {"t": "fp", "off": off, "frame": None if m.group(2) is None else int(m.group(2))}
    m = re.fullmatch(r"([a-z_0-9]+)\((.*)\)", text)
    if not m:
        return None
    kind, inner = m.group(1), m.group(2)
    fields = split_top(inner)
    if kind == "scalar":
        return fill_scalar(fields)
    v = {"t": kind}
    rest = []
    for f in fields:
        k = f.split("=")[0]
        if k in POINTER_FIELDS and "=" in f and len(f.split("=")) == 2:
            val = f.split("=")[1]
            if k in ("off", "r", "id", "ref_obj_id", "ks", "vs", "sz", "frameno", "imm"):
                try:
                    v[k] = signed64(num(val)) if k == "off" else num(val)
                except ValueError:
                    v[k] = val
            else:
                v[k] = val
        elif k in BOUND_NAMES or k == "var_off":
            rest.append(f)
    if rest:
        v["var"] = fill_scalar(rest)
    if "r" in v and v["r"] >= (1 << 63):
        # BEYOND_PKT_END / AT_PKT_END (negative ranges): nothing is readable.
        v["r"] = 0
    return v


TOKEN = re.compile(r"(R\d+|fp-\d+)(_[rwD]+)?=")


def parse_locations(text):
    """``R1=ctx() R2=fp-8 fp-8=0000????`` (with an optional ``frameN:`` prefix) as
    ``(frame, regs, stack, rest)``; ``rest`` holds what is not a location (``refs=1``, ...)."""
    frame = None
    text = text.strip()
    m = re.match(r"frame(\d+): ?", text)
    if m:
        frame = int(m.group(1))
        text = text[m.end():]
    regs, stack = {}, {}
    pos = [(mm.start(), mm.end(), mm.group(1)) for mm in TOKEN.finditer(text)]
    # Tokens inside parentheses are not locations.
    good = []
    for s, e, name in pos:
        depth = text[:s].count("(") - text[:s].count(")")
        if depth == 0 and (s == 0 or text[s - 1] == " "):
            good.append((s, e, name))
    for i, (s, e, name) in enumerate(good):
        end = good[i + 1][0] if i + 1 < len(good) else len(text)
        val = text[e:end].strip()
        # Trailing words that are not part of the value (`refs=1`, `cb`).
        val = split_top(val, " ")[0] if val else val
        if name.startswith("R"):
            pv = parse_value(val)
            if pv is not None:
                regs[int(name[1:])] = pv
        else:
            stack[-int(name[3:])] = parse_slot(val)
    return frame, regs, stack


KIND = re.compile(
    r"(scalar|ctx|fp|pkt|pkt_meta|pkt_end|func|map_\w+|mem\w*|rdonly_\w+|ringbuf_\w+"
    r"|sock\w*|tcp_sock\w*|xdp_sock\w*|\w*ptr_\w*|dynptr\w*|iter\w*|buf\w*|flow_keys"
    r"|tp_buffer|percpu_\w+|arena|insn_array\w*|\w*_mem\w*)"
)


def slot_value(text):
    """``parse_value`` for a spilled register: only the kernel's kind names are taken (the
    byte characters of a narrow spill come before it: ``mmscalar(...)``)."""
    m = re.fullmatch(r"P?([a-z_0-9]+)\(.*\)", text)
    if m and not KIND.fullmatch(m.group(1)):
        return None
    return parse_value(text)


def parse_slot(val):
    """A printed stack slot: byte characters (``0000????``), a spilled register, or bytes
    then a register (a narrow spill: ``????scalar(...)``)."""
    if re.fullmatch(r"[0m?rdif]{8}", val) and not re.fullmatch(r"\d+", val):
        return {"bytes": val}
    pv = slot_value(val)
    if pv is not None:
        return {"spill": pv}
    for n in range(1, 8):
        if not re.fullmatch(r"[0m?rdif]*", val[:n]):
            break
        pv = slot_value(val[n:])
        if pv is not None:
            return {"spill": pv, "narrow": val[:n]}
    return {"other": val}


INSN = re.compile(r"^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+; (.*))?$")
STATE_LINE = re.compile(r"^(\d+): (frame\d+: )?(R\d+|fp-\d+)")
FROM = re.compile(r"^from (\d+) to (\d+)(?: \(speculative execution\))?: (.*)$")

KEEP_AFTER_CALL = {"ctx", "fp", "map_ptr", "map_value", "func"}


def stale_after_jump(v):
    """True for a value a conditional jump may refine without printing it."""
    if v is NOT_INIT or v is None:
        return False
    t = v.get("t", "")
    if t == "scalar":
        return v.get("id", 0) != 0
    return v.get("id", 0) != 0 or t.startswith("pkt") or "or_null" in t


def stale_after_call(v):
    """True for a value a helper / kfunc call may change without printing it."""
    if v is NOT_INIT or v is None:
        return False
    t = v.get("t", "")
    return t not in KEEP_AFTER_CALL and t != "scalar"


class Frame:
    """The kernel's state of one frame as rebuilt so far (see the module documentation)."""

    def __init__(self):
        self.regs = {r: NOT_INIT for r in range(11)}
        self.stack = {}  # off -> slot; missing: invalid bytes, unless in self.unsure
        self.unsure_stack = False  # every slot not printed since is uncertain

    def copy(self):
        f = Frame()
        f.regs = dict(self.regs)
        f.stack = dict(self.stack)
        f.unsure_stack = self.unsure_stack
        return f


LIVE = re.compile(r"^\s+(?:\d+\s+)?(\d+): ([.0-9]{10}) \(")


def live_regs(text):
    """The kernel's static liveness (``Live regs before insn:``): for each instruction, the
    registers it may still read (a dead register's value never matters: not compared)."""
    live = {}
    for line in text.splitlines():
        m = LIVE.match(line)
        if m:
            live[int(m.group(1))] = {i for i, c in enumerate(m.group(2)) if c != "."}
    return live


FUNC = re.compile(r"^func#(\d+) @(\d+)$")
CODE = re.compile(r"^\s+(?:\d+\s+)?(\d+): (?:[.0-9]{10} )?\(([0-9a-f]{2})\)")


def layout(text):
    """The program as the kernel numbers it: ``(codes, starts)``, the opcode of every
    instruction listed (``Live regs before insn:``, or processed) by index and the first
    instruction of every function (``func#N @PC``), in increasing order."""
    codes, starts = {}, set()
    for line in text.splitlines():
        m = FUNC.match(line)
        if m:
            starts.add(int(m.group(2)))
            continue
        m = CODE.match(line) or INSN.match(line)
        if m:
            codes.setdefault(int(m.group(1)), int(m.group(2), 16))
    return codes, sorted(starts)


def parse(text):
    """The observations of a level-2 log: a list of ``(pc, depth, regs, stack, sure_stack)``;
    ``regs`` holds only the certain registers, ``stack`` only the certain slots, and
    ``sure_stack`` says whether a slot absent from ``stack`` is certainly invalid bytes."""
    obs = []
    frames = [Frame()]
    pending = None  # "callee" / "caller" / "return": the next location line's meaning
    started = False
    fork_at = None
    for line in text.splitlines():
        if line.startswith("func#") or line.startswith("Live regs") or line.startswith("     "):
            continue
        if line.startswith("Validating "):
            # A global function, verified from its prototype: a fresh walk.
            frames = [Frame()]
            started = False
            continue
        m = FROM.match(line)
        if m:
            rest = m.group(3)
            if rest.startswith("safe"):
                continue
            frame, regs, stack = parse_locations(rest)
            depth = (frame or 0) + 1
            f = Frame()
            for r in range(11):
                f.regs[r] = regs.get(r, NOT_INIT)
            f.stack = dict(stack)
            # The caller frames are not printed: kept as they were (only the innermost is
            # compared).
            frames = (frames[: depth - 1] + [f]) if len(frames) >= depth - 1 else [f]
            while len(frames) < depth:
                frames.insert(0, Frame())
            started = True
            # `from X to X`: a path the kernel forked at an ALU instruction
            # (`maybe_fork_scalars`), its destination narrowed before the instruction runs.
            fork_at = int(m.group(1)) if m.group(1) == m.group(2) else None
            continue
        if line == "caller:":
            pending = "caller"
            continue
        if line == "callee:":
            pending = "callee"
            continue
        if line == "returning from callee:":
            pending = "returning"
            continue
        m = re.match(r"^to caller at (\d+):$", line)
        if m:
            if len(frames) > 1:
                frames.pop()
            f = frames[-1]
            for r in range(1, 6):
                f.regs[r] = NOT_INIT
            f.unsure_stack = True
            pending = "to_caller"
            continue
        if pending and line.startswith(" "):
            frame, regs, stack = parse_locations(line)
            if pending == "callee":
                f = Frame()
                for r in range(11):
                    f.regs[r] = regs.get(r, NOT_INIT)
                f.stack = dict(stack)
                frames.append(f)
            elif pending == "to_caller":
                f = frames[-1]
                f.regs.update(regs)
                f.stack.update(stack)
            pending = None
            continue
        pending = None
        m = INSN.match(line)
        if m:
            pc, code, insn, delta = int(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)
            if not started and pc == 0:
                started = True
            f = frames[-1]
            regs = {r: v for r, v in f.regs.items() if v is not None}
            d = re.match(r"^[rw](\d+) ", insn)
            if fork_at == pc and code & 7 in (4, 7) and d and int(d.group(1)) in regs:
                # Tagged for the exactness check (the state before the instruction has no
                # twin in ours: our fork happens at the instruction).
                r = int(d.group(1))
                if regs[r] is not NOT_INIT:
                    regs[r] = dict(regs[r], fork=True)
            fork_at = None
            # A slot whose value became uncertain stays, as None (compared with nothing).
            stack = dict(f.stack)
            obs.append((pc, len(frames), regs, stack, not f.unsure_stack))
            cls, op = code & 7, code & 0xF0
            is_jmp = cls in (5, 6)
            if is_jmp and op not in (0x00, 0x80, 0x90):  # conditional jumps
                for r, v in f.regs.items():
                    if stale_after_jump(v):
                        f.regs[r] = None
                for o, s in list(f.stack.items()):
                    if s and "spill" in s and stale_after_jump(s["spill"]):
                        f.stack[o] = None
            if is_jmp and op == 0x80 and "pc" not in insn.split("call", 1)[-1][:4]:
                # A helper or kfunc call.
                for r, v in f.regs.items():
                    if stale_after_call(v):
                        f.regs[r] = None
                for r in range(1, 6):
                    f.regs[r] = NOT_INIT
                f.stack = {}
                f.unsure_stack = True
            if cls in (2, 3):
                # A store may overwrite a dynptr and invalidate its slices, unprinted.
                for r, v in f.regs.items():
                    if v is not None and v is not NOT_INIT and "mem" in v.get("t", ""):
                        f.regs[r] = None
            if delta:
                frame, regs, stack = parse_locations(delta)
                f.regs.update(regs)
                f.stack.update(stack)
            continue
        m = STATE_LINE.match(line)
        if m:
            frame, regs, stack = parse_locations(line.split(": ", 1)[1])
            f = frames[-1]
            f.regs.update(regs)
            f.stack.update(stack)
            continue
        if line.startswith(" frame") or line.startswith(" R"):
            continue
    return obs
