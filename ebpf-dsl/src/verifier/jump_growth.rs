//! How many instructions each of the kernel's rewrites after verification adds, for the
//! jumps' 16-bit range (`super::jump_range`). Counted for a privileged load on an x86-64 JIT
//! (`bpf_capable`, `bypass_spec_v1`/`_v4`: no speculation masks; the JIT zero-extends, so no
//! `opt_subreg_zext_lo32_rnd_hi32`). Each count was measured on Linux 6.18.44 (`bpftool prog
//! dump xlated`: one instruction of each kind, the rewritten program's length against the
//! original's) and read in 6.12.118's `kernel/bpf/verifier.c` and `net/core/filter.c`.
//!
//! Every count is the kernel's exact one where the rewrite's size is fixed by the
//! instruction, and a lower bound (0) where it depends on what this verifier does not follow
//! (a socket's fields, the kfuncs of other sets): a program refused here is refused by the
//! kernel, never the reverse for a rewrite counted.
//!
//! * `do_misc_fixups`: a division or modulo by a register gets the kernel's zero (and, signed,
//!   -1) checks: `/` +3, `%` +1 (64-bit) or +3 (32-bit), `s/` +7, `s%` +6 (64-bit) or +8
//!   (32-bit); by an immediate, nothing. `LD_ABS` becomes a call of the skb load helper and its
//!   error exit (+5), `LD_IND` the same and the index's addition when its immediate is not 0
//!   (+6). `may_goto` becomes the count's load, test, decrement and store (+3), with 6.18's
//!   timed `may_goto` on x86-64 also the call of `arch_bpf_timed_may_goto` (+6), and each
//!   function with one gets the count's initial store(s) at its start (+1; +2 timed). Helpers
//!   the kernel inlines: `bpf_jiffies64` (+2), `bpf_get_smp_processor_id` (+2, 6.10),
//!   `bpf_kptr_xchg` (+1), `bpf_timer_set_callback` (+2: the program's aux in r3), the
//!   `bpf_*_storage_get` helpers (+1: the GFP flags in r5). The generic kfuncs get their
//!   hidden arguments (`fixup_kfunc_call`): `bpf_obj_new_impl` / `bpf_percpu_obj_new_impl`
//!   +3, `bpf_obj_drop_impl` / `bpf_percpu_obj_drop_impl` / `bpf_refcount_acquire_impl` +2,
//!   `bpf_list_push_{front,back}_impl` / `bpf_rbtree_add_impl` +3. Tail calls of a privileged
//!   JIT program add nothing (a poke descriptor, or the unmasked call).
//! * `convert_ctx_accesses`: each context field access becomes the kernel structure's loads
//!   ([`ctx_growth`]; a narrower load than the field gets a shift and a mask).
//! * `optimize_bpf_loop`: a `bpf_loop` call whose flags are 0 and callback the same on every
//!   path becomes the loop itself (+18), *before* the unreached code is removed.

use super::target::KernelVersion;
use crate::isa::insn::Insn;
use crate::spec::ProgramType;
use crate::xdp::graph::GraphKfunc;
use crate::xdp::rcu::RcuKfunc;

/// `bpf_loop`'s inline expansion (`inline_bpf_loop`): 19 instructions for the call.
pub(crate) const LOOP_INLINE: u32 = 18;

/// The instructions `may_goto` adds, and those its function's start gets (the count's
/// initial store), for `kernel` (0 when it has no `may_goto`).
pub(crate) fn may_goto_growth(kernel: KernelVersion) -> (u32, u32) {
    if kernel >= KernelVersion::TIMED_MAY_GOTO {
        (6, 2)
    } else if kernel >= KernelVersion::MAY_GOTO {
        (3, 1)
    } else {
        (0, 0)
    }
}

/// The instructions the kernel adds at `insn` by its opcode alone (divisions, `LD_ABS`,
/// `may_goto`, the helpers it inlines), or 0.
pub(crate) fn insn_growth(insn: &Insn, kernel: KernelVersion) -> u32 {
    let class = insn.code & 0x07;
    let op = insn.code & 0xf0;
    match class {
        // BPF_ALU / BPF_ALU64 with a register source: BPF_DIV, BPF_MOD.
        0x04 | 0x07 if insn.code & 0x08 != 0 && (op == 0x30 || op == 0x90) => {
            let is64 = class == 0x07;
            let signed = insn.off == 1;
            match (op == 0x30, signed, is64) {
                (true, false, _) => 3,
                (true, true, _) => 7,
                (false, false, true) => 1,
                (false, false, false) => 3,
                (false, true, true) => 6,
                (false, true, false) => 8,
            }
        }
        // BPF_LD | BPF_ABS / BPF_IND (`bpf_gen_ld_abs`).
        0x00 => match insn.code & 0xe0 {
            0x20 => 5,
            0x40 if insn.imm != 0 => 6,
            0x40 => 5,
            _ => 0,
        },
        // BPF_JMP | BPF_JCOND: may_goto.
        0x05 if insn.code == 0xe5 => may_goto_growth(kernel).0,
        // A helper call (`src_reg` 0).
        0x05 if insn.code == 0x85 && insn.src() == 0 => helper_growth(insn.imm, kernel),
        _ => 0,
    }
}

/// The instructions the kernel adds at a call of helper `id`.
fn helper_growth(id: i32, kernel: KernelVersion) -> u32 {
    match id {
        // bpf_jiffies64: the address of jiffies, then its load.
        118 => 2,
        // bpf_get_smp_processor_id: this CPU's number through the per-CPU offset (6.10).
        8 if kernel >= KernelVersion::PERCPU_LOOKUP_INLINE => 2,
        // bpf_kptr_xchg: a move and an atomic exchange (read in 6.12).
        194 if kernel >= KernelVersion::new(6, 12) => 1,
        // bpf_timer_set_callback: the program's aux in r3.
        170 => 2,
        // bpf_sk_storage_get, bpf_inode_storage_get, bpf_task_storage_get,
        // bpf_cgrp_storage_get: the allocation flags in r5.
        107 | 145 | 156 | 210 => 1,
        _ => 0,
    }
}

/// The instructions the kernel adds at a call of the kfunc whose placeholder is `imm`.
pub(crate) fn kfunc_growth(imm: i32) -> u32 {
    if let Some(k) = GraphKfunc::from_placeholder(imm) {
        return match k {
            // The size in r1 and the type's meta in r2 (a 64-bit load).
            GraphKfunc::ObjNewImpl => 3,
            // The meta in r2.
            GraphKfunc::ObjDropImpl | GraphKfunc::RefcountAcquireImpl => 2,
            // The meta and the node's offset.
            GraphKfunc::ListPushFrontImpl
            | GraphKfunc::ListPushBackImpl
            | GraphKfunc::RbtreeAddImpl => 3,
            _ => 0,
        };
    }
    match RcuKfunc::from_placeholder(imm) {
        Some(RcuKfunc::PercpuObjNewImpl) => 3,
        Some(RcuKfunc::PercpuObjDropImpl) => 2,
        _ => 0,
    }
}

/// One field of a context structure: its offset and width, the instructions its full-width
/// access adds (load, store), and the width of the kernel's field it reads (`target_size`: a
/// narrower load of a wider one gets a mask, and a shift unless it reads the low bytes).
struct Field {
    off: i16,
    width: u8,
    load: u32,
    store: u32,
    target: u8,
}

const fn f(off: i16, width: u8, load: u32, store: u32, target: u8) -> Field {
    Field {
        off,
        width,
        load,
        store,
        target,
    }
}

/// `struct __sk_buff` for `sched_cls` / `sched_act` (`tc_cls_act_convert_ctx_access`) and,
/// where `socket` says so, `socket_filter` (`sk_filter`'s fields are a subset; `ifindex`
/// differs: `bpf_convert_ctx_access` tests the device for NULL). Measured on 6.18.44.
const SKB: &[Field] = &[
    f(0, 4, 0, 0, 4),   // len
    f(4, 4, 1, 0, 1),   // pkt_type: a byte, masked
    f(8, 4, 0, 0, 4),   // mark
    f(12, 4, 0, 1, 2),  // queue_mapping (its store tests for NO_QUEUE_MAPPING)
    f(16, 4, 0, 0, 2),  // protocol
    f(20, 4, 2, 0, 4),  // vlan_present
    f(24, 4, 0, 0, 2),  // vlan_tci
    f(28, 4, 0, 0, 2),  // vlan_proto
    f(32, 4, 0, 0, 4),  // priority
    f(36, 4, 0, 0, 4),  // ingress_ifindex
    f(40, 4, 1, 0, 4),  // ifindex (tc: the device, then its ifindex)
    f(44, 4, 0, 0, 2),  // tc_index
    f(68, 4, 0, 0, 4),  // hash
    f(72, 4, 0, 0, 2),  // tc_classid
    f(84, 4, 2, 0, 4),  // napi_id
    f(160, 4, 0, 0, 4), // wire_len
    f(164, 4, 3, 0, 2), // gso_segs: through skb_shinfo
    f(176, 4, 3, 0, 2), // gso_size
    f(180, 1, 1, 0, 1), // tstamp_type: a byte, masked
    f(184, 8, 3, 0, 8), // hwtstamp: through skb_shinfo
];

/// `__sk_buff.tstamp` (152): unless the program reads `tstamp_type` anywhere (the kernel's
/// `prog->tstamp_type_access`), a load tests the ingress and delivery-time bits (+7), a
/// store clears the type at ingress (+5).
const TSTAMP: i16 = 152;
/// `__sk_buff.tstamp_type`.
pub(crate) const TSTAMP_TYPE: i16 = 180;

/// `struct xdp_md` (`xdp_convert_ctx_access`; loads of the full field only).
const XDP: &[Field] = &[
    f(12, 4, 2, 0, 4), // ingress_ifindex: rxq, its device, its ifindex
    f(16, 4, 1, 0, 4), // rx_queue_index: rxq, its queue index
    f(20, 4, 2, 0, 4), // egress_ifindex (devmap programs): txq, its device, its ifindex
];

/// The instructions the kernel adds to a context access of `prog_type` at offset `off` of
/// `size` bytes (a load when `load`), once `convert_ctx_accesses` rewrites it into the kernel
/// structure's accesses; `tstamp_type_read`: the program reads `__sk_buff.tstamp_type`
/// somewhere. 0 for the program types whose context this does not know, and for
/// `__sk_buff` before 6.12 (the table is 6.18.44's, each field read the same in 6.12.118's
/// `bpf_convert_ctx_access`; 6.1's `vlan_present` and `tstamp` differ, 6.6's filter.c was not
/// read: a lower bound).
pub(crate) fn ctx_growth(
    kernel: KernelVersion,
    prog_type: ProgramType,
    off: i16,
    size: u8,
    load: bool,
    tstamp_type_read: bool,
) -> u32 {
    let skb = kernel >= KernelVersion::new(6, 12);
    let (table, socket) = match prog_type {
        ProgramType::SchedCls | ProgramType::SchedAct if skb => (SKB, false),
        ProgramType::SocketFilter if skb => (SKB, true),
        ProgramType::Xdp => (XDP, false),
        _ => return 0,
    };
    if table.as_ptr() == SKB.as_ptr() && off == TSTAMP && size == 8 {
        return match (socket || tstamp_type_read, load) {
            (true, _) => 0,
            (false, true) => 7,
            (false, false) => 5,
        };
    }
    let Some(fd) = table
        .iter()
        .find(|fd| off >= fd.off && off < fd.off + i16::from(fd.width))
    else {
        return 0;
    };
    if !load {
        return fd.store;
    }
    // ifindex: sk_filter's conversion tests the device for NULL.
    let base = fd.load + u32::from(socket && fd.off == 40);
    if size >= fd.width || size >= fd.target {
        return base;
    }
    // A narrower load (`is_narrower_load && size < target_size`): a mask, and a shift unless
    // it reads the field's low bytes.
    base + 1 + u32::from(off != fd.off)
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: KernelVersion = KernelVersion::new(6, 18);

    #[test]
    fn narrow_loads_get_a_mask_and_a_shift() {
        let tc = ProgramType::SchedCls;
        // Before 6.12 the socket buffer's fields count as none (not read there).
        assert_eq!(
            ctx_growth(KernelVersion::new(6, 6), tc, 20, 4, true, false),
            0
        );
        assert_eq!(
            ctx_growth(
                KernelVersion::new(6, 6),
                ProgramType::Xdp,
                12,
                4,
                true,
                false
            ),
            2
        );
        // len: 4 bytes of a 4-byte field.
        assert_eq!(ctx_growth(K, tc, 0, 4, true, false), 0);
        assert_eq!(ctx_growth(K, tc, 0, 1, true, false), 1);
        assert_eq!(ctx_growth(K, tc, 1, 1, true, false), 2);
        assert_eq!(ctx_growth(K, tc, 2, 2, true, false), 2);
        // queue_mapping is 2 bytes in the kernel: a 2-byte load is not narrower.
        assert_eq!(ctx_growth(K, tc, 12, 2, true, false), 0);
        assert_eq!(ctx_growth(K, tc, 13, 1, true, false), 2);
        // ifindex: one more for a socket filter.
        assert_eq!(ctx_growth(K, tc, 40, 4, true, false), 1);
        assert_eq!(
            ctx_growth(K, ProgramType::SocketFilter, 40, 4, true, false),
            2
        );
        // tstamp, unless tstamp_type is read.
        assert_eq!(ctx_growth(K, tc, TSTAMP, 8, true, false), 7);
        assert_eq!(ctx_growth(K, tc, TSTAMP, 8, false, false), 5);
        assert_eq!(ctx_growth(K, tc, TSTAMP, 8, true, true), 0);
        // cb[] and the XDP packet pointers: none.
        assert_eq!(ctx_growth(K, tc, 49, 1, true, false), 0);
        assert_eq!(ctx_growth(K, ProgramType::Xdp, 0, 4, true, false), 0);
        assert_eq!(ctx_growth(K, ProgramType::Xdp, 12, 4, true, false), 2);
    }

    #[test]
    fn context_growth_is_the_measured_one() {
        let mut wrong = Vec::new();
        let mut rows = 0;
        for line in include_str!("jump_growth_measured.txt").lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let w: Vec<&str> = line.split_whitespace().collect();
            let ty = match w[0] {
                "classifier" => ProgramType::SchedCls,
                "socket" => ProgramType::SocketFilter,
                _ => ProgramType::Xdp,
            };
            let off: i16 = w[2].parse().expect("offset");
            let size: u8 = match w[3] {
                "u8" => 1,
                "u16" => 2,
                "u32" => 4,
                _ => 8,
            };
            let want: u32 = w[4].parse().expect("growth");
            let got = ctx_growth(K, ty, off, size, w[1] != "S", false);
            if got != want {
                wrong.push(format!("{line}: ours {got}"));
            }
            rows += 1;
        }
        assert!(rows > 250);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn divisions_by_a_register_get_checks() {
        let k = KernelVersion::new(6, 18);
        let alu = |code: u8, off: i16| Insn {
            code,
            regs: 0x21,
            off,
            imm: 0,
        };
        // r1 /= r2, w1 /= w2, r1 %= r2, w1 %= w2, and the signed ones.
        assert_eq!(insn_growth(&alu(0x3f, 0), k), 3);
        assert_eq!(insn_growth(&alu(0x3c, 0), k), 3);
        assert_eq!(insn_growth(&alu(0x9f, 0), k), 1);
        assert_eq!(insn_growth(&alu(0x9c, 0), k), 3);
        assert_eq!(insn_growth(&alu(0x3f, 1), k), 7);
        assert_eq!(insn_growth(&alu(0x9f, 1), k), 6);
        assert_eq!(insn_growth(&alu(0x9c, 1), k), 8);
        // By an immediate: nothing.
        assert_eq!(insn_growth(&alu(0x37, 0), k), 0);
        // may_goto: timed on 6.18, the plain one on 6.12, none on 6.6.
        assert_eq!(insn_growth(&alu(0xe5, 0), k), 6);
        assert_eq!(insn_growth(&alu(0xe5, 0), KernelVersion::new(6, 12)), 3);
        assert_eq!(insn_growth(&alu(0xe5, 0), KernelVersion::new(6, 6)), 0);
    }
}
