//! The `prog_flags` of `BPF_PROG_LOAD` that change the verifier's verdict.

/// `BPF_F_STRICT_ALIGNMENT` (bit 0 of `prog_flags`): the verifier checks the alignment of
/// every load and store (packet pointers as if the packet started 2 bytes past an aligned
/// address, the kernel's fixed `NET_IP_ALIGN`), not only of stack accesses and atomics.
pub const BPF_F_STRICT_ALIGNMENT: u32 = 1 << 0;

/// `BPF_F_ANY_ALIGNMENT` (bit 1 of `prog_flags`): no strict alignment, even with
/// [`BPF_F_STRICT_ALIGNMENT`] or on an architecture without efficient unaligned access
/// (stack accesses and atomics stay aligned).
pub const BPF_F_ANY_ALIGNMENT: u32 = 1 << 1;

/// Whether a program loaded with `prog_flags` is verified with strict alignment on an
/// architecture with efficient unaligned access (x86-64, arm64: the kernel's
/// `CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS`): [`BPF_F_STRICT_ALIGNMENT`] without
/// [`BPF_F_ANY_ALIGNMENT`], as the kernel's `bpf_check` decides `env->strict_alignment`.
pub fn strict_alignment(prog_flags: u32) -> bool {
    prog_flags & BPF_F_STRICT_ALIGNMENT != 0 && prog_flags & BPF_F_ANY_ALIGNMENT == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_alignment_wins_over_strict() {
        assert!(!strict_alignment(0));
        assert!(strict_alignment(BPF_F_STRICT_ALIGNMENT));
        assert!(strict_alignment(BPF_F_STRICT_ALIGNMENT | (1 << 5)));
        assert!(!strict_alignment(BPF_F_ANY_ALIGNMENT));
        assert!(!strict_alignment(
            BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT
        ));
    }
}
