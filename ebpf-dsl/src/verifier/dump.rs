//! Every abstract state this verifier reaches, instruction by instruction, as JSON lines, for
//! comparing with the states the kernel prints at `BPF_LOG_LEVEL2`
//! (`ebpf-dsl check --dump-states FILE`, `tools/state-compare/`).
//!
//! `trace::verify_dumped` walks the program a second time with *exact* pruning: a path is pruned
//! only by a checkpoint that covers it on every location, never by liveness or precision, so
//! that the states it reaches at an instruction cover every state a sound walk can reach there
//! (the kernel's pruning relaxations would otherwise stop our walk where the kernel's goes on).
//! The verdict of that walk is not the program's (it may run into the instruction limit where
//! the ordinary walk does not): callers take the verdict from [`super::verify_trusting`].
//!
//! A first line describes the program's layout (see `prog_line`), then one line per
//! instruction processed, before it runs:
//! `{"pc":N,"depth":D,"regs":{"0":REG,...},"stack":{"-8":SLOT,...}}`, the innermost frame only
//! (the kernel prints that one), `D` the number of frames. A register: `{"t":"scalar",` the
//! eight bounds `smin smax umin umax s32min s32max u32min u32max`, the tnum `tv tm`, `"id"`
//! its link`}`, or a pointer `{"t":KIND,"off":N,"var":SCALAR?,"r":RANGE?,"id":N?,"frame":N?}`
//! with the kernel's names for the kinds (`ctx`, `fp`, `pkt`, `pkt_meta`, `pkt_end`,
//! `map_ptr`, `map_value`, `map_value_or_null`, `mem`, `mem_or_null`, ...). A slot: its eight
//! bytes as the kernel prints them (`m` unknown, `0` zero), or `{"spill":REG}`, or
//! `{"part":SCALAR,"n":SIZE,"zero":MASK}` (a narrow spill); unknown slots are left out. A
//! scalar register the walk believes holds exactly the kernel's bounds (`super::exact`) has
//! `"x":1`.

use std::fmt::Write as _;

use super::domain::scalar::Scalar;
use super::domain::state::{PktKind, RegVal, Slot, State};

/// Bytes of JSON lines kept per program: past them the walk goes on unrecorded and the text
/// ends with `{"truncated":true}` (an exact walk of a program with many paths can reach
/// millions of states).
pub const MAX_DUMP: usize = 64 << 20;

/// The dump's first line: `{"prog":{"code":[OPCODE,...],"funcs":[START,...]}}`, the opcode
/// byte of every slot and the first instruction of every function (the main program's, then
/// each target of a bpf-to-bpf call or of a function address, in increasing order). The
/// kernel numbers the instructions of the program it is given, which a loader such as libbpf
/// lays out in its own order (subprograms appended as they are called): the comparison maps
/// each kernel function to ours by these opcodes.
pub(crate) fn prog_line(insns: &[crate::isa::insn::Insn]) -> String {
    let mut funcs = std::collections::BTreeSet::from([0usize]);
    for (i, insn) in insns.iter().enumerate() {
        let src = insn.regs >> 4;
        // `call pc+imm` (BPF_PSEUDO_CALL) and `ld_imm64` of a function (BPF_PSEUDO_FUNC).
        if (insn.code == 0x85 && src == 1) || (insn.code == 0x18 && src == 4) {
            let target = i as i64 + 1 + i64::from(insn.imm);
            if let Ok(t) = usize::try_from(target) {
                if t < insns.len() {
                    funcs.insert(t);
                }
            }
        }
    }
    let code: Vec<String> = insns.iter().map(|i| i.code.to_string()).collect();
    let funcs: Vec<String> = funcs.iter().map(|f| f.to_string()).collect();
    format!(
        "{{\"prog\":{{\"code\":[{}],\"funcs\":[{}]}}}}\n",
        code.join(","),
        funcs.join(",")
    )
}

/// Appends the JSON line of `st` at `pc` (see the module documentation) to `out`.
pub(crate) fn state_line(out: &mut String, pc: usize, st: &State) {
    if out.len() >= MAX_DUMP {
        return;
    }
    let f = st.cur();
    let _ = write!(
        out,
        "{{\"pc\":{pc},\"depth\":{},\"regs\":{{",
        st.frames.len()
    );
    let mut first = true;
    for (r, v) in f.regs.iter().enumerate() {
        if matches!(v, RegVal::NotInit) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "\"{r}\":");
        reg(out, v);
        // An exactness mark (`super::exact`): `{...,"x":1}` on a scalar believed to hold
        // exactly the kernel's bounds.
        if matches!(v, RegVal::Scalar(_)) && st.exact.reg(st.frames.len() - 1, r) {
            out.pop();
            out.push_str(",\"x\":1}");
        }
    }
    out.push_str("},\"stack\":{");
    let mut first = true;
    for (i, s) in f.stack.iter().enumerate() {
        let off = -512 + 8 * i as i32;
        let text = match s {
            Slot::Bytes(_) if s.zero_mask() == 0 => continue,
            Slot::Bytes(_) => {
                let mut b = String::from("\"");
                // The kernel prints the byte at the highest address first.
                for k in (0..8).rev() {
                    b.push(if s.zero_byte(k) { '0' } else { 'm' });
                }
                b.push('"');
                b
            }
            Slot::Spill(v) => {
                let mut b = String::from("{\"spill\":");
                reg(&mut b, v);
                b.push('}');
                b
            }
            Slot::Part(v, n, z, _) => {
                let mut b = String::from("{\"part\":");
                scalar(&mut b, v);
                let _ = write!(b, ",\"n\":{n},\"zero\":{z}}}");
                b
            }
        };
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(out, "\"{off}\":{text}");
    }
    out.push_str("}}\n");
}

/// A scalar as a JSON object.
fn scalar(out: &mut String, s: &Scalar) {
    let _ = write!(
        out,
        "{{\"t\":\"scalar\",\"smin\":{},\"smax\":{},\"umin\":{},\"umax\":{},\"s32min\":{},\"s32max\":{},\"u32min\":{},\"u32max\":{},\"tv\":{},\"tm\":{},\"id\":{}}}",
        s.smin, s.smax, s.umin, s.umax, s.s32min, s.s32max, s.u32min, s.u32max, s.t.value,
        s.t.mask, s.id()
    );
}

/// A pointer of kind `t` with a constant offset and optional fields.
fn ptr(out: &mut String, t: &str, off: i32, var: Option<&Scalar>, extra: &str) {
    let _ = write!(out, "{{\"t\":\"{t}\",\"off\":{off}");
    if let Some(v) = var {
        out.push_str(",\"var\":");
        scalar(out, v);
    }
    out.push_str(extra);
    out.push('}');
}

/// A register as a JSON object.
fn reg(out: &mut String, v: &RegVal) {
    match v {
        RegVal::NotInit => out.push_str("{\"t\":\"not_init\"}"),
        RegVal::Scalar(s) => scalar(out, s),
        RegVal::Ctx { off } => ptr(out, "ctx", *off, None, ""),
        RegVal::CtxVar { off, var } => ptr(out, "ctx", *off, Some(var), ""),
        RegVal::Stack { frame, off } => ptr(out, "fp", *off, None, &format!(",\"frame\":{frame}")),
        RegVal::StackVar { frame, off, var } => {
            ptr(out, "fp", *off, Some(var), &format!(",\"frame\":{frame}"))
        }
        RegVal::Pkt {
            kind,
            off,
            var,
            id,
            range,
        } => {
            let t = match kind {
                PktKind::Data => "pkt",
                PktKind::Meta => "pkt_meta",
            };
            ptr(
                out,
                t,
                *off,
                Some(var),
                &format!(",\"r\":{range},\"id\":{id}"),
            );
        }
        RegVal::PktEnd => ptr(out, "pkt_end", 0, None, ""),
        RegVal::Func { target } => ptr(out, "func", 0, None, &format!(",\"target\":{target}")),
        RegVal::MapPtr { map } => ptr(out, "map_ptr", 0, None, &format!(",\"map\":{map}")),
        RegVal::MapValue { map, off, var, .. } => ptr(
            out,
            "map_value",
            *off,
            Some(var),
            &format!(",\"map\":{map}"),
        ),
        RegVal::MapValueOrNull { map, .. } => ptr(
            out,
            "map_value_or_null",
            0,
            None,
            &format!(",\"map\":{map}"),
        ),
        RegVal::Ringbuf { off, var, size, .. } => {
            ptr(out, "mem", *off, Some(var), &format!(",\"size\":{size}"))
        }
        RegVal::RingbufOrNull { size, .. } => {
            ptr(out, "mem_or_null", 0, None, &format!(",\"size\":{size}"))
        }
        RegVal::Opaque { .. } => ptr(out, "opaque", 0, None, ""),
        RegVal::OpaqueOrNull { .. } => ptr(out, "opaque_or_null", 0, None, ""),
        RegVal::Sock { common, .. } => ptr(
            out,
            if *common { "sock_common" } else { "sock" },
            0,
            None,
            "",
        ),
        RegVal::SockOrNull { common, .. } => {
            let t = if *common {
                "sock_common_or_null"
            } else {
                "sock_or_null"
            };
            ptr(out, t, 0, None, "")
        }
        RegVal::BtfObjAt { off, .. } => ptr(out, "ptr_", *off, None, ""),
        RegVal::BtfPtr { off, .. } | RegVal::Alloc { off, .. } => ptr(out, "ptr_", *off, None, ""),
        RegVal::BtfSock { .. } | RegVal::KObj { .. } => ptr(out, "ptr_", 0, None, ""),
        RegVal::BtfSockOrNull { .. }
        | RegVal::KObjOrNull { .. }
        | RegVal::BtfPtrOrNull { .. }
        | RegVal::AllocOrNull { .. } => ptr(out, "ptr_or_null_", 0, None, ""),
        RegVal::Dynptr { .. } => ptr(out, "dynptr", 0, None, ""),
        RegVal::Iter { .. } => ptr(out, "iter", 0, None, ""),
    }
}
