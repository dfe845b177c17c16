#!/usr/bin/env python3
"""State-by-state soundness oracle: is every state the kernel reached at an instruction
covered by a state our static verifier reached there? See README.md.

  compare.py --dir DIR            pairs NAME.klog (kernel level-2 log) + NAME.ours
                                  (ebpf-dsl check --dump-states) in DIR
  compare.py KLOG OURS            one pair
  compare.py --self-test          the tool must flag a hand-written over-precise state
  --exact                         an (X) report (a register marked exact whose bounds are not
                                  the kernel's in every covering state) fails the run too

Exit status 1 if a kernel state is not covered (an (A) report) in a pair whose exact walk
completed; the summary table goes to stdout, each (A) report with the first locations that
differ.
"""

import json
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import klog  # noqa: E402

BOUNDS = ("smin", "smax", "umin", "umax", "s32min", "s32max", "u32min", "u32max")

# Our kinds -> the kernel's (the kernel prints several names for one of ours).
KIND_ALIASES = {
    "mem": {"mem", "rdonly_mem", "ringbuf_mem", "rdonly_untrusted_mem", "alloc_mem"},
    "mem_or_null": {"mem_or_null", "rdonly_mem_or_null", "ringbuf_mem_or_null"},
    "opaque_or_null": {"xdp_sock_or_null", "ptr_or_null_"},
    "sock": {"sock", "tcp_sock"},
    "ptr_": {"tcp_sock", "rdonly_untrusted_mem"},
    # An inner map from a lookup in a map of maps: ours is a pointer not to dereference.
    "opaque": {"xdp_sock", "ptr_", "map_ptr"},
    "ptr_or_null_": {"tcp_sock_or_null"},
    # A callback's key pointer (`bpf_for_each_map_elem`): ours is a map value of the key's
    # size.
    "map_value": {"map_value", "map_key"},
    "sock_or_null": {"sock_or_null", "tcp_sock_or_null"},
}


def kind_matches(ours, kern):
    """True if our kind and the kernel's name the same family (prefix families for the
    BTF pointers: ``ptr_``, ``trusted_ptr_``, ...)."""
    if ours == kern:
        return True
    if kern in KIND_ALIASES.get(ours, ()):
        return True
    if ours in ("ptr_", "opaque") and "ptr_" in kern and "or_null" not in kern:
        return True
    if ours in ("ptr_or_null_", "opaque_or_null") and "ptr_" in kern and "or_null" in kern:
        return True
    if ours == "dynptr" and kern.startswith("dynptr"):
        return True
    if ours == "iter" and kern.startswith("iter"):
        return True
    return False


def scalar_covers(o, k):
    """``None`` if our scalar ``o`` includes the kernel's ``k``, else the first bound that
    does not."""
    for b in BOUNDS:
        if b.endswith("min") and o[b] > k[b]:
            return f"{b} {o[b]} > kernel {k[b]}"
        if b.endswith("max") and o[b] < k[b]:
            return f"{b} {o[b]} < kernel {k[b]}"
    om, km = o["tm"], k["tm"]
    if km & ~om & klog.U64_MAX or (k["tv"] & ~om) != (o["tv"] & ~om):
        return f"var_off ({o['tv']:#x}; {om:#x}) vs kernel ({k['tv']:#x}; {km:#x})"
    return None


def scalar_equal(o, k):
    return all(o[b] == k[b] for b in BOUNDS) and o["tm"] == k["tm"] and o["tv"] == k["tv"]


def total_range(v):
    """The constant plus variable offset of a pointer as a signed range."""
    off = v.get("off", 0) or 0
    var = v.get("var")
    if var is None:
        return off, off
    return off + var["smin"], off + var["smax"]


def reg_covers(o, k):
    """``(ok, coarser, why)``: whether our value ``o`` covers the kernel's ``k``, whether it
    is strictly coarser (informational), and why not."""
    if k is klog.NOT_INIT or k.get("t") == "not_init":
        if o is None or o.get("t") == "not_init":
            return True, False, ""
        return False, False, f"kernel not initialised, ours {o['t']}"
    if o is None or o.get("t") == "not_init":
        return True, True, ""
    ot, kt = o["t"], k["t"]
    if ot == "scalar" and kt == "scalar":
        why = scalar_covers(o, k)
        if why:
            return False, False, why
        return True, not scalar_equal(o, k), ""
    if not kind_matches(ot, kt):
        if ot.endswith("_or_null") and kind_matches(ot[: -len("_or_null")], kt):
            # Ours may be NULL where the kernel knows it is not (an array lookup with a
            # constant key in range): coarser.
            return True, True, ""
        return False, False, f"kind {ot} vs kernel {kt}"
    if ot in ("pkt", "pkt_meta", "map_value", "mem", "ctx", "fp"):
        olo, ohi = total_range(o)
        klo, khi = total_range(k)
        if olo > klo or ohi < khi:
            return False, False, f"offset {olo}..{ohi} vs kernel {klo}..{khi}"
        if ot in ("pkt", "pkt_meta"):
            orr, kr = o.get("r", 0), k.get("r", 0)
            # Ranges are relative to the pointer's start plus its variable part.
            if orr > kr:
                return False, False, f"packet range r={orr} vs kernel r={kr}"
            if orr < kr:
                return True, True, ""
        return True, (olo, ohi) != (klo, khi), ""
    return True, False, ""


def slot_view(s):
    """A slot as ``(bytes8, reg)``: bytes highest address first (``m`` unknown, ``0``
    zero, ``s`` part of a spill), and the spilled value if any."""
    if s is None:
        return "mmmmmmmm", None
    if isinstance(s, str):
        return s.replace("?", "m"), None
    if "bytes" in s:
        return s["bytes"].replace("?", "m"), None
    if "part" in s:
        n, z = s["n"], s["zero"]
        b = "".join("0" if (i >= n and z >> i & 1) else ("s" if i < n else "m") for i in range(7, -1, -1))
        return b, s["part"]
    if "spill" in s:
        narrow = s.get("narrow")
        if narrow:
            return narrow.replace("?", "m") + "s" * (8 - len(narrow)), s["spill"]
        return "ssssssss", s["spill"]
    return "mmmmmmmm", None


def spill_size(s):
    """The bytes a spill holds: 8, or a narrow spill's size."""
    if isinstance(s, dict) and "part" in s:
        return s["n"]
    if isinstance(s, dict) and s.get("narrow"):
        return 8 - len(s["narrow"])
    return 8


def low_bytes(v, n):
    """Scalar ``v`` as its low ``n`` bytes read back unsigned (the kernel's
    ``coerce_reg_to_size``: a constant's bytes, the bounds kept when they fit, else
    ``0..2^(8n)-1`` with the known bits of those bytes)."""
    mask = (1 << (8 * n)) - 1
    if v["tm"] == 0:
        return klog.const_scalar(v["tv"] & mask)
    if 0 <= v["umin"] and v["umax"] <= mask:
        return v
    sc = klog.unknown_scalar()
    sc.update(smin=0, smax=mask, umin=0, umax=mask, tv=v["tv"] & mask, tm=v["tm"] & mask)
    if n < 4:
        sc.update(s32min=0, s32max=mask, u32max=mask)
    return sc


def slot_covers(o, k):
    """``(ok, coarser, why)`` for our slot ``o`` and the kernel's ``k`` (``None``: unknown
    bytes)."""
    ob, ov = slot_view(o)
    kb, kv = slot_view(k)
    if k is not None and "other" in k:
        return True, False, ""
    if ov is not None and kv is not None:
        n = spill_size(o)
        if n < 8 and n == spill_size(k) and ov.get("t") == "scalar" and kv.get("t") == "scalar":
            # A narrow spill is read back through its low bytes only (a fill of its size is
            # coerced, zero- or sign-extended from them): the kernel keeps a stored immediate
            # whole (`*(u8 *)(r10 -8) = -1` prints `???????-1`), ours its low bytes (255).
            return reg_covers(low_bytes(ov, n), low_bytes(kv, n))
        return reg_covers(ov, kv)
    if k is None and ov is not None and ov.get("t") in ("dynptr", "iter"):
        # The kernel prints a dynptr or iterator once, at one of its slots.
        return True, False, ""
    if ov is None and kv is None:
        for a, b in zip(ob, kb):
            if a == "0" and b != "0":
                return False, False, f"bytes {ob} vs kernel {kb}"
        return True, ob != kb, ""
    if ov is None:
        # Bytes of ours against a spill of the kernel's: a zero byte of ours must be a zero
        # of the kernel's constant.
        if "0" in ob:
            if kv.get("t") == "scalar" and kv["tm"] == 0 and kv["tv"] == 0:
                return True, False, ""
            return False, False, f"bytes {ob} vs kernel spill {kv.get('t')}"
        return True, True, ""
    # A spill of ours against bytes of the kernel's: ours knows more unless it is an unknown
    # scalar (or the zero constant over zero bytes).
    if ov.get("t") == "scalar":
        if scalar_covers(ov, klog.unknown_scalar()) is None:
            return True, False, ""
        if ov["tm"] == 0:
            # A constant: each spilled byte (``s``, lowest addresses last) must be a zero the
            # kernel knows (it keeps a stored zero constant as STACK_ZERO bytes), the other
            # bytes compared as bytes.
            ok = True
            for i, (a, b) in enumerate(zip(ob, kb)):
                byte = (ov["tv"] >> (8 * (7 - i))) & 0xFF if a == "s" else None
                if a == "s" and not (b == "0" and byte == 0):
                    ok = False
                if a == "0" and b != "0":
                    ok = False
            if ok:
                return True, False, ""
    return False, False, f"spill {ov.get('t')} vs kernel bytes {kb}"


def covers(ours, kobs, live=None):
    """``(failures, coarser)`` of our state dict ``ours`` against one kernel observation
    (``live``: the registers live there, if known)."""
    _, _, kregs, kstack, sure_stack = kobs
    fails, coarser = [], []
    oregs = ours["regs"]
    for r, kv in kregs.items():
        if r == 10 or (live is not None and r not in live):
            continue
        ov = oregs.get(str(r))
        ok, c, why = reg_covers(ov, kv)
        if not ok:
            fails.append(f"r{r}: {why}")
        elif c:
            coarser.append(f"r{r}")
    ostack = ours["stack"]
    offs = set(int(o) for o in ostack) | set(kstack)
    for off in sorted(offs):
        if off in kstack:
            ks = kstack[off]
            if ks is None:
                continue
        elif sure_stack:
            ks = None
        else:
            continue
        os_ = ostack.get(str(off))
        ok, c, why = slot_covers(os_, ks)
        if not ok:
            fails.append(f"fp{off}: {why}")
        elif c:
            coarser.append(f"fp{off}")
    return fails, coarser


def first_difference(ktext, otext, all_regs=True):
    """The first kernel observation (in log order) that no state of ours equals on every
    location compared, with the locations where the closest state of ours differs: where
    the two walks' beliefs first part (``--first-diff``), covered or not."""
    obs = klog.parse(ktext)
    live = {} if all_regs else klog.live_regs(ktext)
    ours, _, _ = load_ours(otext)
    mapping = pc_map(ktext, ours.prog)
    for o in obs:
        pc, depth, kregs, kstack, _ = o
        best = None
        for c in ours.get((map_pc(mapping, pc), depth), []):
            diffs = []
            for r, kv in kregs.items():
                if r == 10 or (live.get(pc) is not None and r not in live[pc]):
                    continue
                ov = c["regs"].get(str(r))
                ok, coarser, why = reg_covers(ov, kv)
                if not ok or coarser:
                    diffs.append(f"r{r}: ours {brief(ov)} kernel {brief(kv)}")
            if not diffs:
                best = None
                break
            if best is None or len(diffs) < len(best):
                best = diffs
        else:
            return pc, depth, best or ["never reached by ours"]
    return None


def brief(v):
    """A value in a few words."""
    if v is None or v.get("t") == "not_init":
        return "not_init"
    if v["t"] == "scalar":
        return f"[{v['smin']},{v['smax']}] u[{v['umin']},{v['umax']}] ({v['tv']:#x};{v['tm']:#x})"
    lo, hi = total_range(v)
    r = f" r={v['r']}" if "r" in v else ""
    return f"{v['t']} off {lo}..{hi}{r}"


def pc_map(ktext, prog):
    """Each kernel instruction index -> ours (``None``: the kernel's function has no twin in
    ours), from the kernel's function starts and opcodes (``klog.layout``) and our dump's
    ``prog`` line; the identity when either side lacks them. A loader lays the functions out
    in its own order (libbpf appends each subprogram where it is first called, ours keeps the
    object's order): a kernel function is our function with the same opcodes, the first such
    one not taken yet."""
    codes, kstarts = klog.layout(ktext)
    if not prog or not kstarts or not codes:
        return None
    ocode, ostarts = prog["code"], prog["funcs"]
    kend = max(codes) + 1
    # The second slot of an `ld_imm64` is not listed: its code is 0 on both sides.
    kseq = [[codes.get(pc, 0) for pc in range(a, b)] for a, b in zip(kstarts, kstarts[1:] + [kend])]
    oseq = [ocode[a:b] for a, b in zip(ostarts, ostarts[1:] + [len(ocode)])]
    if [x for s_ in kseq for x in s_] == ocode:
        return None
    taken, mapping = set(), {}
    for ks, kseq_ in zip(kstarts, kseq):
        for j, (os_, oseq_) in enumerate(zip(ostarts, oseq)):
            if j not in taken and oseq_ == kseq_:
                taken.add(j)
                for i in range(len(kseq_)):
                    mapping[ks + i] = os_ + i
                break
    return mapping


def map_pc(mapping, pc):
    """Our instruction index for the kernel's ``pc`` (``None``: no twin)."""
    return pc if mapping is None else mapping.get(pc)


class States(defaultdict):
    """Our states by ``(pc, depth)``, with the dump's ``prog`` line (or ``None``)."""

    prog = None


def load_ours(text):
    """Our dump: states by ``(pc, depth)``, the walk's end line, truncated or not, and the
    program's layout line (``None`` in dumps without one)."""
    by = States(list)
    end, truncated, prog = None, False, None
    seen = set()
    for line in text.splitlines():
        if not line or line.startswith("##"):
            continue
        d = json.loads(line)
        if "prog" in d:
            prog = d["prog"]
            continue
        if "end" in d:
            end = d
            continue
        if "truncated" in d:
            truncated = True
            continue
        key = (d["pc"], d["depth"], json.dumps(d["regs"], sort_keys=True), json.dumps(d["stack"], sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        by[(d["pc"], d["depth"])].append(d)
    by.prog = prog
    return by, end, truncated


def compare_pair(ktext, otext, all_regs=False):
    """Compares one kernel log with one dump of ours: a result dict (``all_regs``: compare
    the registers the kernel's liveness says are dead too)."""
    obs = klog.parse(ktext)
    live = {} if all_regs else klog.live_regs(ktext)
    ours, end, truncated = load_ours(otext)
    mapping = pc_map(ktext, ours.prog)
    res = {"kernel_states": 0, "uncovered": [], "coarser": Counter(), "inexact": [], "exact_equal": 0, "complete": end is not None and end.get("end") == "accept" and not truncated, "end": end, "truncated": truncated}
    seen = set()
    for o in obs:
        pc, depth, regs, stack, sure = o
        key = (pc, depth, repr(sorted(regs.items(), key=lambda x: x[0])), repr(sorted(stack.items())), sure)
        if key in seen:
            continue
        seen.add(key)
        res["kernel_states"] += 1
        cands = ours.get((map_pc(mapping, pc), depth), [])
        best = None
        # (X): the covering states of ours whose exactness marks all disagree somewhere.
        inexact = None
        for i, c in enumerate(cands):
            fails, coarser = covers(c, o, live.get(pc))
            if not fails:
                wrong = exact_differences(c, o, live.get(pc))
                if wrong:
                    if inexact is None or len(wrong) < len(inexact):
                        inexact = wrong
                    continue
                best = None
                inexact = None
                res["exact_equal"] += exact_count(c, o, live.get(pc))
                for loc in coarser:
                    res["coarser"][loc[:2] if loc.startswith("r") else "fp"] += 1
                # The next kernel states there are most often covered by the same one of ours
                # (a large program has thousands of ours at one instruction): tried first.
                cands.insert(0, cands.pop(i))
                break
            if best is None or len(fails) < len(best):
                best = fails
        else:
            if inexact is not None:
                res["inexact"].append((pc, depth, inexact))
                continue
            if not cands:
                best = ["instruction never reached by ours at this call depth"]
            res["uncovered"].append((pc, depth, best))
    return res


def exact_count(ours, kobs, live=None):
    """How many registers of ``ours`` marked exact were compared with the kernel's."""
    _, _, kregs, _, _ = kobs
    return sum(1 for r, kv in kregs.items()
               if r != 10 and (live is None or r in live) and kv is not klog.NOT_INIT
               and kv.get("t") == "scalar" and not kv.get("fork")
               and (ours["regs"].get(str(r)) or {}).get("x"))


def exact_differences(ours, kobs, live=None):
    """The registers of our state ``ours`` marked exact (``"x":1``, the verifier's belief that
    they hold exactly the kernel's bounds on this path) whose bounds are not the kernel's in
    the observation ``kobs``."""
    _, _, kregs, _, _ = kobs
    wrong = []
    for r, kv in kregs.items():
        if r == 10 or (live is not None and r not in live):
            continue
        ov = ours["regs"].get(str(r))
        if not ov or not ov.get("x") or kv is klog.NOT_INIT or kv.get("t") != "scalar" or kv.get("fork"):
            continue
        if not scalar_equal(ov, kv):
            wrong.append(f"r{r}: ours exact {brief(ov)} kernel {brief(kv)}")
    return wrong


def report(name, res, out):
    status = "complete" if res["complete"] else ("truncated" if res["truncated"] else f"incomplete ({(res['end'] or {}).get('msg', 'no end line')[:60]})")
    out.append(f"{name}\t{res['kernel_states']}\t{len(res['uncovered'])}\t{status}")
    tag = "(A)" if res["complete"] else "(A?)"
    for pc, depth, fails in res["uncovered"][:5]:
        out.append(f"  {tag} {name}: insn {pc} (depth {depth}): " + "; ".join(fails[:3]))
    xtag = "(X)" if res["complete"] else "(X?)"
    for pc, depth, wrong in res["inexact"][:5]:
        out.append(f"  {xtag} {name}: insn {pc} (depth {depth}): " + "; ".join(wrong[:3]))


def main(argv):
    if argv and argv[0] == "--self-test":
        return self_test()
    all_regs = "--all-regs" in argv
    if "--first-diff" in argv:
        k, o = [a for a in argv if not a.startswith("--")]
        with open(k, errors="replace") as fk, open(o) as fo:
            d = first_difference(fk.read(), fo.read())
        print("no difference" if d is None else f"insn {d[0]} (depth {d[1]}): " + "; ".join(d[2]))
        return 0
    # --exact: an (X) report fails the run as an (A) one does.
    exact_fatal = 1 if "--exact" in argv else 0
    argv = [a for a in argv if a not in ("--all-regs", "--exact")]
    pairs = []
    if argv and argv[0] == "--dir":
        d = argv[1]
        for f in sorted(os.listdir(d)):
            if f.endswith(".klog") and os.path.exists(os.path.join(d, f[:-5] + ".ours")):
                pairs.append((f[:-5], os.path.join(d, f), os.path.join(d, f[:-5] + ".ours")))
    elif len(argv) == 2:
        pairs.append((os.path.basename(argv[0]), argv[0], argv[1]))
    else:
        print(__doc__)
        return 2
    lines = ["# program\tkernel states\tnot covered (A)\tour exact walk"]
    tot = Counter()
    coarser = Counter()
    bad = 0
    limit = int(os.environ.get("STATE_COMPARE_MAX_BYTES", str(4 << 20)))
    for name, k, o in pairs:
        if os.path.getsize(k) > limit or os.path.getsize(o) > 4 * limit:
            lines.append(f"{name}\t-\t-\tskipped (log or dump over STATE_COMPARE_MAX_BYTES={limit})")
            tot["skipped"] += 1
            continue
        with open(k, errors="replace") as fk, open(o) as fo:
            res = compare_pair(fk.read(), fo.read(), all_regs)
        report(name, res, lines)
        tot["programs"] += 1
        tot["states"] += res["kernel_states"]
        coarser.update(res["coarser"])
        if res["uncovered"]:
            if res["complete"]:
                tot["A"] += len(res["uncovered"])
                tot["A_programs"] += 1
                bad += 1
            else:
                tot["A_incomplete"] += len(res["uncovered"])
        tot["exact_equal"] += res["exact_equal"]
        if res["inexact"]:
            if res["complete"]:
                tot["X"] += len(res["inexact"])
                tot["X_programs"] += 1
                bad += exact_fatal
            else:
                tot["X_incomplete"] += len(res["inexact"])
        if not res["complete"]:
            tot["incomplete"] += 1
    print("\n".join(lines))
    print(f"# {tot['skipped']} pairs skipped for their size")
    print(f"# {tot['programs']} programs, {tot['states']} kernel states compared; (A) not covered: {tot['A']} in {tot['A_programs']} programs whose exact walk completed, {tot['A_incomplete']} more in {tot['incomplete']} programs whose walk did not (rejected or truncated: our walk order differs, noise)")
    print(f"# (X) kernel states covered only by states of ours with an exactness mark on a register whose bounds are not the kernel's: {tot['X']} in {tot['X_programs']} programs whose exact walk completed, {tot['X_incomplete']} more in programs whose walk did not; {tot['exact_equal']} marked registers found equal to the kernel's")
    print("# (B) locations where ours is strictly coarser (covered): " + ", ".join(f"{k}={v}" for k, v in sorted(coarser.items())))
    return 1 if bad else 0


SELF_LOG = """func#0 @0
0: R1=ctx() R10=fp0
0: (b7) r2 = 5                        ; R2=5
1: (61) r3 = *(u32 *)(r1 +0)          ; R1=ctx() R3=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
2: (95) exit
"""

SELF_OURS_GOOD = """{"pc":0,"depth":1,"regs":{"1":{"t":"ctx","off":0},"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"pc":1,"depth":1,"regs":{"1":{"t":"ctx","off":0},"2":%s,"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"pc":2,"depth":1,"regs":{"1":{"t":"ctx","off":0},"2":%s,"3":%s,"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"end":"accept"}
"""

SELF_LOG_LAYOUT = """func#0 @0
func#1 @2
Live regs before insn:
      0: .......... (85) call pc+1
      1: 0......... (95) exit
      2: .......... (b7) r0 = 7
      3: 0......... (95) exit
0: R1=ctx() R10=fp0
0: (85) call pc+1
caller:
 R10=fp0
callee:
 frame1: R1=ctx() R10=fp0
2: frame1: R1=ctx() R10=fp0
2: (b7) r0 = 7                        ; frame1: R0=7
3: (95) exit
returning from callee:
 frame1: R0=7 R10=fp0
to caller at 1:
 R0=7 R10=fp0

from 3 to 1: R0=7 R10=fp0
1: (95) exit
"""

SELF_OURS_LAYOUT = """{"prog":{"code":[133,149,180,97,149,183,149],"funcs":[0,2,5]}}
{"pc":0,"depth":1,"regs":{"1":{"t":"ctx","off":0},"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"pc":5,"depth":2,"regs":{"1":{"t":"ctx","off":0},"10":{"t":"fp","off":0,"frame":1}},"stack":{}}
{"pc":6,"depth":2,"regs":{"0":R0,"10":{"t":"fp","off":0,"frame":1}},"stack":{}}
{"pc":1,"depth":1,"regs":{"0":R0,"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"end":"accept"}
"""

SELF_LOG_NARROW = """0: R1=ctx() R10=fp0
0: (72) *(u8 *)(r10 -8) = -1          ; R10=fp0 fp-8=???????-1
1: (95) exit
"""

SELF_OURS_NARROW = """{"pc":0,"depth":1,"regs":{"1":{"t":"ctx","off":0},"10":{"t":"fp","off":0,"frame":0}},"stack":{}}
{"pc":1,"depth":1,"regs":{"1":{"t":"ctx","off":0},"10":{"t":"fp","off":0,"frame":0}},"stack":%s}
{"end":"accept"}
"""


def self_test():
    """The oracle must accept a faithful dump and flag an over-precise one."""
    five = json.dumps(klog.const_scalar(5))
    u32 = klog.unknown_scalar()
    u32.update(smin=0, smax=0xFFFFFFFF, umax=0xFFFFFFFF, tm=0xFFFFFFFF)
    good = compare_pair(SELF_LOG, SELF_OURS_GOOD % (five, five, json.dumps(u32)))
    tight = dict(u32, umax=0xFFFF, smax=0xFFFF, u32max=0xFFFF, s32max=0xFFFF, s32min=0, tm=0xFFFF)
    bad = compare_pair(SELF_LOG, SELF_OURS_GOOD % (five, five, json.dumps(tight)))
    ptr = compare_pair(SELF_LOG, SELF_OURS_GOOD % (five, five, '{"t":"pkt","off":0,"r":0,"id":0}'))
    ok = (good["kernel_states"] == 3 and not good["uncovered"] and good["complete"]
          and len(bad["uncovered"]) == 1 and bad["uncovered"][0][0] == 2
          and len(ptr["uncovered"]) == 1)
    # Log parsing: deltas, stack bytes, narrow spills, packet pointers, calls.
    o = klog.parse("""0: R1=ctx() R10=fp0
0: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????
1: (61) r2 = *(u32 *)(r1 +76)         ; R1=ctx() R2=pkt(id=2,off=4,r=4,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (95) exit
""")
    ok = ok and len(o) == 4 and o[1][3][-8] == {"bytes": "0000????"}
    p = o[2][2][2]
    ok = ok and p["t"] == "pkt" and p["off"] == 4 and p["r"] == 4 and p["var"]["umax"] == 7
    ok = ok and o[3][2][2] is klog.NOT_INIT and o[3][4] is False
    # Function layouts: the kernel's (libbpf's: a subprogram where it is first called) is
    # not ours (the object's order, an unused function first); states are compared by
    # function, not by index.
    lay = []
    for r0 in (7, 8):
        ours = SELF_OURS_LAYOUT.replace("R0", json.dumps(klog.const_scalar(r0)))
        lay.append(compare_pair(SELF_LOG_LAYOUT, ours))
        lay.append(compare_pair(SELF_LOG_LAYOUT, ours.split("\n", 1)[1]))
    ok = ok and klog.layout(SELF_LOG_LAYOUT) == ({0: 0x85, 1: 0x95, 2: 0xB7, 3: 0x95}, [0, 2])
    ok = ok and lay[0]["kernel_states"] == 4 and not lay[0]["uncovered"]
    # Without the layout line: compared by index, never reached; ours over-precise: flagged.
    ok = ok and [u[0] for u in lay[1]["uncovered"]] == [2, 3]
    ok = ok and [u[0] for u in lay[2]["uncovered"]] == [3, 1]
    # A narrow spill of an immediate: the kernel keeps -1, ours the byte 255.
    narrow = []
    for byte in (255, 254):
        part = {"part": klog.const_scalar(byte), "n": 1, "zero": 0}
        ours = (SELF_OURS_NARROW % json.dumps({"-8": part}))
        narrow.append(compare_pair(SELF_LOG_NARROW, ours))
    ok = ok and narrow[0]["kernel_states"] == 2 and not narrow[0]["uncovered"]
    ok = ok and [u[0] for u in narrow[1]["uncovered"]] == [1]
    # Exactness marks: a marked register must equal the kernel's, not merely cover it.
    marked = dict(u32, x=1)
    wide = dict(klog.unknown_scalar(), x=1)
    same_x = compare_pair(SELF_LOG, SELF_OURS_GOOD % (five, five, json.dumps(marked)))
    wide_x = compare_pair(SELF_LOG, SELF_OURS_GOOD % (five, five, json.dumps(wide)))
    ok = ok and not same_x["inexact"] and not same_x["uncovered"]
    ok = ok and [u[0] for u in wide_x["inexact"]] == [2] and not wide_x["uncovered"]
    print("self test:", "ok" if ok else f"FAILED {good} {bad} {ptr} {o} {lay} {narrow} {same_x} {wide_x}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
