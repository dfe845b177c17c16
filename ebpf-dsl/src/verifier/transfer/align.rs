//! The alignment of loads, stores and atomics through pointers other than the stack (the
//! kernel's `check_ptr_alignment`; stack accesses are always aligned, [`super::stack`]).
//!
//! Rules mirrored from kernel 6.18:
//! - an access of `n` bytes (`n` > 1) is aligned when the pointer's constant offset plus the
//!   instruction's offset plus the known bits of its variable offset is a multiple of `n`
//!   for every value the unknown bits can take (`tnum_is_aligned(var_off + off, n)`);
//! - packet and metadata pointers count 2 more bytes (`NET_IP_ALIGN`, fixed at 2 in strict
//!   mode): a 4-byte load at `data + 2` is aligned, one at `data + 0` is not
//!   (`misaligned packet access off 2+0+0 size 4`);
//! - this is checked only in strict mode (`BPF_F_STRICT_ALIGNMENT` without
//!   `BPF_F_ANY_ALIGNMENT`, [`VerifyInput::strict_alignment`](crate::verifier::VerifyInput))
//!   for plain loads and stores, and always for atomics (`strict_alignment_once`), on every
//!   kind of pointer: context, packet, map values and keys, `PTR_TO_MEM`, sockets, BTF
//!   pointers, map pointers.

use super::*;

impl<'a> Exec<'a> {
    /// Checks that `n` bytes at `base + off` (through `r`) are aligned, as the kernel's
    /// `check_ptr_alignment` with `strict`; `what` names the access in the message.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_alignment(
        &self,
        pc: usize,
        r: u8,
        base: &RegVal,
        off: i32,
        n: u32,
        what: &str,
    ) -> R<()> {
        let Some((var, c, kind)) = alignment_base(base) else {
            return Ok(());
        };
        let total = c + off as i64;
        if is_aligned(var, total, n) {
            return Ok(());
        }
        let (shown, ip) = if kind == "packet " {
            (
                total - 2,
                " once the kernel's 2 bytes of NET_IP_ALIGN are added (strict alignment judges a packet pointer as if the packet started 2 bytes past an aligned address)",
            )
        } else {
            (total, "")
        };
        Err(e(
            pc,
            Rule::MemoryAccess,
            format!(
                "misaligned {kind}access: the {n}-byte {what} through r{r}, {}, at offset {shown} is not known to be a multiple of {n}{ip} (strict alignment: the kernel's `misaligned {kind}access`)",
                self.describe(base),
            ),
        ))
    }
}

/// What the kernel's alignment check adds up for a pointer: the known bits of its variable
/// offset, its constant offset (plus 2 for a packet pointer) and the kernel's name for its
/// kind; `None` for the stack (its own, always strict, rule) and for what is not a pointer
/// that can be dereferenced (refused elsewhere).
pub(crate) fn alignment_base(base: &RegVal) -> Option<(Tnum, i64, &'static str)> {
    let zero = Tnum::konst(0);
    Some(match base {
        RegVal::Pkt { off, var, .. } => (var.t, *off as i64 + 2, "packet "),
        RegVal::MapValue { off, var, .. } => (var.t, *off as i64, "value "),
        RegVal::Ringbuf { off, var, .. } => (var.t, *off as i64, ""),
        RegVal::Ctx { off } => (zero, *off as i64, "context "),
        RegVal::Sock { common: true, .. } => (zero, 0, "sock_common "),
        RegVal::Sock { common: false, .. } => (zero, 0, "sock "),
        RegVal::BtfSock { ty, .. } if *ty == TCP_SOCK => (zero, 0, "tcp_sock "),
        RegVal::BtfSock { .. } | RegVal::KObj { .. } | RegVal::MapPtr { .. } => (zero, 0, ""),
        // 6.18's untrusted read-only memory keeps being such a pointer through any 64-bit
        // arithmetic with a number, which this verifier does not follow (its `off` stays put):
        // its alignment is unknown.
        RegVal::BtfPtr { ty: 0, .. } => (Tnum::UNKNOWN, 0, ""),
        RegVal::BtfPtr { off, .. } | RegVal::Alloc { off, .. } | RegVal::BtfObjAt { off, .. } => {
            (zero, *off as i64, "")
        }
        _ => return None,
    })
}

/// `tnum_is_aligned(var + c, n)`: every value the offset can take is a multiple of `n`.
pub(crate) fn is_aligned(var: Tnum, c: i64, n: u32) -> bool {
    if n <= 1 {
        return true;
    }
    let t = var.add(Tnum::konst(c as u64));
    (t.value | t.mask) & (n as u64 - 1) == 0
}

#[cfg(test)]
#[path = "align_tests.rs"]
mod tests;
