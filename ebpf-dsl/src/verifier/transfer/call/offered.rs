//! Which kernel helpers the kernel offers to each program family at all (Linux 6.18, loaded
//! by root with a GPL licence: `xdp_func_proto`, `tc_cls_act_func_proto`,
//! `sk_filter_func_proto` and their fallbacks `bpf_sk_base_func_proto` and
//! `bpf_base_func_proto`; measured by loading `call N` for every N into the running kernel and
//! looking for "program of this type cannot use helper"), so that a call to a helper
//! of other program types (`bpf_csum_update` in XDP) is refused as such, not as a helper
//! this verifier does not model.

use super::*;
use crate::isa::helpers::avail::{ALL, SOCK, TC, XDP};
use crate::verifier::KernelVersion;

/// The [`helpers::avail`] families the kernel offers helper `id` to (0: none of them).
pub(crate) fn offered(id: i32) -> u8 {
    match id {
        1..=3
        | 5..=8
        | 12
        | 14..=17
        | 22
        | 25
        | 35
        | 37
        | 42
        | 55
        | 80
        | 87..=89
        | 93
        | 94
        | 105
        | 106
        | 109
        | 112..=115
        | 117
        | 118
        | 120
        | 123
        | 125
        | 130..=134
        | 136..=141
        | 148
        | 149
        | 153
        | 154
        | 156..=158
        | 160
        | 164
        | 165
        | 169..=172
        | 175..=178
        | 180..=182
        | 191
        | 194..=203
        | 208..=211 => ALL,
        26 | 46 | 47 | 68 | 122 => SOCK | TC,
        23 | 28 | 69 | 84..=86 | 99 | 100 | 110 | 163 | 204..=207 => XDP | TC,
        44 | 51 | 54 | 65 | 188..=190 => XDP,
        9..=11
        | 13
        | 18..=21
        | 24
        | 29..=34
        | 38..=41
        | 43
        | 48
        | 50
        | 66
        | 79
        | 83
        | 95..=98
        | 107
        | 108
        | 124
        | 135
        | 151
        | 152
        | 155
        | 192 => TC,
        _ => 0,
    }
}

/// The first target release that offers helper `id` to programs of `family` where that is
/// later than the helper's own first release (the table above is the 6.18 reference
/// kernel's): `None` where no such gate applies.
pub(crate) fn offered_since(id: i32, family: u8) -> Option<KernelVersion> {
    match id {
        // Not in 6.6.47's nor 6.1.192's `bpf_base_func_proto`.
        14 | 120 => Some(KernelVersion::BASE_TASK_HELPERS),
        // In 6.6.47's `bpf_base_func_proto`, not in 6.1.192's.
        80 | 123 => Some(KernelVersion::BASE_CGROUP_HELPERS),
        // Offered by the 6.18 reference kernel, by none of the protos of 6.12.118.
        15 | 16 | 22 | 37 | 55 | 109 | 117 => Some(KernelVersion::BASE_MORE_HELPERS),
        122 if family & (TC | SOCK) != 0 => Some(KernelVersion::SKB_NETNS_COOKIE),
        _ => None,
    }
}

/// Whether release `kernel` offers helper `id` to programs of `family` ([`offered`] and the
/// release gates of [`offered_since`]).
pub(crate) fn offered_to(id: u32, family: u8, kernel: KernelVersion) -> bool {
    let Ok(id) = i32::try_from(id) else {
        return false;
    };
    offered(id) & family != 0 && offered_since(id, family).is_none_or(|since| kernel >= since)
}

/// The prototype of helper `p` as the kernel `kernel` gives it to programs of `family`
/// ([`Exec::family_proto`]).
pub(crate) fn family_proto(p: helpers::Proto, family: u8, kernel: KernelVersion) -> helpers::Proto {
    // The socket lookups' tuple size: `ARG_CONST_SIZE` before SK_LOOKUP_SIZE_ZERO.
    if matches!(p.id, 84 | 85 | 99) && kernel < KernelVersion::SK_LOOKUP_SIZE_ZERO {
        use crate::isa::helpers::Arg::{Anything, Ctx, MemRead, Size};
        return helpers::Proto {
            args: &[Ctx, MemRead, Size, Anything, Anything],
            ..p
        };
    }
    if p.id == 17 && family & TC == 0 && kernel >= KernelVersion::since(6, 18) {
        return helpers::Proto {
            args: &[],
            avail: p.avail | family,
            ..p
        };
    }
    p
}

impl<'a> Exec<'a> {
    /// The prototype of helper `p` as the kernel gives it to this program's family, where
    /// that differs from the table's: `bpf_get_cgroup_classid` (17) takes the `__sk_buff` in
    /// tc programs, but every other program type of Linux 6.18 is offered the current task's
    /// version, which takes no argument (`bpf_get_cgroup_classid_curr_proto`; 6.12 offered it
    /// to socket filters and XDP programs not at all, so older targets keep the tc-only row).
    pub(crate) fn family_proto(&self, p: helpers::Proto) -> helpers::Proto {
        family_proto(p, self.family, self.input.kernel)
    }

    /// Refuses a call to kernel helper `id` that the target kernel withholds from this
    /// program's type though its release has it ([`VerifyInput::unavailable_helpers`], probed):
    /// the kernel's first check of a helper call (`check_helper_call`: no `get_func_proto`).
    pub(crate) fn check_available(&self, pc: usize, id: i32) -> R<()> {
        let Ok(uid) = u32::try_from(id) else {
            return Ok(());
        };
        // One the release does not offer this type either is refused later, as such.
        if !self.input.unavailable_helpers.contains(&uid) || offered(id) & self.family == 0 {
            return Ok(());
        }
        let name = crate::helpers::helper_by_id(uid)
            .map(|h| format!("`{}`", h.name))
            .unwrap_or_else(|| "this helper".to_string());
        Err(e(
            pc,
            Rule::HelperNotAllowed,
            format!(
                "{name} (helper #{id}) is not offered to {} programs by the target kernel, though Linux {} has it: that kernel was built or patched without it (it says \"program of this type cannot use helper\"; the helpers it withholds are VerifyInput::unavailable_helpers, `--unavailable-helpers`)",
                self.input.prog_type, self.input.kernel
            ),
        ))
    }

    /// Refuses a call to kernel helper `id` that the kernel does not offer to this program's
    /// type at all.
    pub(crate) fn check_offered(&self, pc: usize, id: i32) -> R<()> {
        let Some(h) = u32::try_from(id)
            .ok()
            .and_then(crate::helpers::helper_by_id)
        else {
            return Ok(());
        };
        if offered(id) & self.family != 0 {
            return Ok(());
        }
        Err(e(
            pc,
            Rule::HelperNotAllowed,
            format!(
                "{} (helper #{id}) is not offered to {} programs by the kernel (Linux 6.18 gives it to other program types only)",
                h.name, self.input.prog_type
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_modelled_helper_is_offered_where_its_prototype_says() {
        for p in helpers::PROTOS.iter() {
            assert_eq!(offered(p.id) & p.avail, p.avail, "bpf_{}", p.name);
        }
    }

    /// `verifier::offered_to`: the table's families with the release gates.
    #[test]
    fn offered_to_follows_the_table_and_the_release_gates() {
        use crate::spec::ProgramType::{SchedCls, SocketFilter, Xdp};
        use crate::verifier::offered_to;
        let (k612, k618) = (KernelVersion::new(6, 12), KernelVersion::new(6, 18));
        assert!(offered_to(54, Xdp, k618) && !offered_to(54, SocketFilter, k618));
        assert!(offered_to(1, SocketFilter, k612) && offered_to(40, SchedCls, k612));
        assert!(!offered_to(40, Xdp, k618));
        // bpf_get_current_pid_tgid (#14): XDP / tc / socket filters from 6.12 only.
        assert!(!offered_to(14, Xdp, KernelVersion::new(6, 6)) && offered_to(14, Xdp, k612));
        assert!(!offered_to(0, Xdp, k618) && !offered_to(212, Xdp, k618));
        assert!(!offered_to(1, crate::spec::ProgramType::Kprobe, k618));
    }

    /// A helper the target kernel withholds from the program type (probed:
    /// `VerifyInput::unavailable_helpers`) is refused where a call of it is reached, as that
    /// kernel refuses it; an unreached call is not; a helper the release does not offer the
    /// type anyway keeps its own refusal.
    #[test]
    fn a_helper_the_target_withholds_is_refused_where_reached() {
        let verdict = |src: &str, withheld: &[u32]| {
            let a = crate::asm::assemble_unchecked(src).expect("valid text");
            let input = crate::verifier::VerifyInput::new(&a.insns, crate::spec::ProgramType::Xdp)
                .with_unavailable_helpers(withheld);
            crate::verifier::verify(&input)
                .map(|_| ())
                .map_err(|e| e[0].clone())
        };
        let meta = "r1 = r1\nr2 = -8\ncall bpf_xdp_adjust_meta\nr0 = 2\nexit\n";
        assert_eq!(verdict(meta, &[]), Ok(()));
        assert_eq!(verdict(meta, &[1, 2, 3]), Ok(()));
        let err = verdict(meta, &[54]).unwrap_err();
        assert_eq!(
            (err.insn_index, err.rule),
            (2, Rule::HelperNotAllowed),
            "{err}"
        );
        assert!(
            err.message.contains("`bpf_xdp_adjust_meta` (helper #54) is not offered to xdp programs by the target kernel"),
            "{err}"
        );
        let unreached = "r0 = 2\nif r0 == 2 goto out\ncall bpf_xdp_adjust_meta\nout:\nexit\n";
        assert_eq!(verdict(unreached, &[54]), Ok(()));
        let csum = "r1 = r1\nr2 = 0\ncall bpf_csum_update\nr0 = 2\nexit\n";
        let err = verdict(csum, &[40]).unwrap_err();
        assert!(
            err.message.contains("cannot be called from xdp programs"),
            "{err}"
        );
    }
}
