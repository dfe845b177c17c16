//! Kernel pointers (kptrs) in map values ([`crate::btf::MapKptr`]), as the kernel's
//! `check_map_access` and `check_map_kptr_access` check them (6.18):
//!
//! * a load of a referenced kptr (`__kptr`) is a `BPF_LDX | BPF_MEM | BPF_DW` at exactly the
//!   field's offset (a constant offset: "kptr access cannot have variable offset", "kptr
//!   access misaligned expected=...", "kptr access size must be BPF_DW", "kptr in map can only
//!   be accessed using BPF_MEM instruction mode"). It gives a BTF pointer to the kernel
//!   structure, possibly NULL (`btf_ld_kptr_type`): `MEM_RCU` when the structure is one the
//!   kernel frees after an RCU grace period (`rcu_protected_types`: `cgroup`, `bpf_cpumask`,
//!   `task_struct`, `bpf_crypto_ctx`, ...) and the program runs in an RCU read section (every
//!   non-sleepable program), else `PTR_UNTRUSTED`; an untrusted kptr (`__kptr_untrusted`)
//!   loads as `PTR_UNTRUSTED`;
//! * a store into a referenced kptr is refused ("store to referenced kptr disallowed": the
//!   program swaps it with `bpf_kptr_xchg`), so is any other access that may touch a kptr,
//!   by an instruction ("kptr access ...") or a helper ("kptr cannot be accessed indirectly
//!   by helper").
//!
//! * a load of a referenced kptr to the program's own struct (from `bpf_obj_new`, stored with
//!   `bpf_kptr_xchg`) gives an RCU-protected non-owning reference to it, possibly NULL
//!   (`MEM_ALLOC | MEM_RCU`, [`Exec::local_kptr_load`]), from Linux 6.12.
//!
//! Not modelled (refused with a message saying so): untrusted kptrs to the program's own
//! types, percpu kptrs, `__uptr`, stores into untrusted kptrs.

use super::*;
use crate::btf::KptrKind;
use crate::verifier::domain::state::BtfTrust;

/// The kernel's `rcu_protected_types`: kernel structures a referenced kptr to which loads as an
/// RCU pointer inside an RCU read section.
const RCU_PROTECTED: [&str; 5] = [
    "prog_test_ref_kfunc",
    "cgroup",
    "bpf_cpumask",
    "task_struct",
    "bpf_crypto_ctx",
];

/// The size of a kptr field.
const KPTR_SIZE: i64 = 8;

impl<'a> Exec<'a> {
    /// The kptr fields of the value of map `m` (none for inner maps).
    fn kptrs_of(&self, m: u16) -> &[(u32, KptrKind, String)] {
        self.kptrs.get(m as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The first kptr field of map `m` that bytes `lo..hi` of its value overlap.
    fn kptr_overlap(&self, m: u16, lo: i64, hi: i64) -> Option<&(u32, KptrKind, String)> {
        self.kptrs_of(m)
            .iter()
            .find(|(off, ..)| lo < *off as i64 + KPTR_SIZE && (*off as i64) < hi)
    }

    /// A load of `n` bytes at `base + off` (`sx`: sign-extending) through a map value pointer
    /// that reads a kptr field: the register it gives; `None` when the load touches no kptr
    /// (the ordinary map value rules then apply).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn kptr_load(
        &self,
        pc: usize,
        src: u8,
        base: &RegVal,
        off: i32,
        n: u32,
        sx: bool,
        st: &mut State,
    ) -> R<Option<RegVal>> {
        let RegVal::MapValue {
            map, off: o, var, ..
        } = base
        else {
            return Ok(None);
        };
        if self.kptrs_of(*map).is_empty() || var.umax >= MAX_VAR_OFF as u64 || var.smin < 0 {
            return Ok(None);
        }
        let a = *o as i64 + off as i64;
        let (lo, hi) = (a + var.umin as i64, a + var.umax as i64 + n as i64);
        let Some((field, kind, target)) = self.kptr_overlap(*map, lo, hi).cloned() else {
            return Ok(None);
        };
        let name = self.map(*map).name_str().to_string();
        let refuse = |why: String| {
            Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "this {n}-byte load through r{src} ({}) may touch the kptr at bytes {field}..{} of a value of map `{name}`: {why}",
                    self.describe(base),
                    field + 8
                ),
            ))
        };
        let Some(c) = var.as_const() else {
            return refuse("the kernel: `kptr access cannot have variable offset`".into());
        };
        if a + c as i64 != field as i64 {
            return refuse(format!(
                "a kptr is read whole, at its own offset (the kernel: `kptr access misaligned expected={field} off={}`)",
                a + c as i64
            ));
        }
        if n != 8 {
            return refuse("the kernel: `kptr access size must be BPF_DW`".into());
        }
        if sx {
            return refuse(
                "the kernel: `kptr in map can only be accessed using BPF_MEM instruction mode`"
                    .into(),
            );
        }
        if self.map(*map).flags & BPF_F_WRONLY_PROG != 0 {
            return refuse(format!(
                "map `{name}` is write-only for programs (BPF_F_WRONLY_PROG)"
            ));
        }
        if !matches!(kind, KptrKind::Ref | KptrKind::Untrusted) {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "a load of the {kind:?} kptr at bytes {field}..{} of a value of map `{name}` is not modelled by this verifier",
                    field + 8
                ),
            ));
        }
        // Sleepable programs (a syscall program, as libbpf loads it) run outside an RCU read
        // section unless they take one, which is not modelled.
        let in_rcu = self.input.prog_type != crate::spec::ProgramType::Syscall;
        if let Some(local) = self.local_kptr_target(pc, &target)? {
            return self.local_kptr_load(pc, local, in_rcu, kind, st, || {
                format!(
                    "the kptr to struct {target} at bytes {field}..{} of a value of map `{name}`",
                    field + 8
                )
            });
        }
        let what = format!(
            "the kptr to struct {target} at bytes {field}..{} of a value of map `{name}`",
            field + 8
        );
        let ty = self.kernel_struct(pc, &target, &what)?;
        let trust = if kind == KptrKind::Ref && in_rcu && RCU_PROTECTED.contains(&target.as_str()) {
            BtfTrust::Rcu
        } else {
            BtfTrust::Untrusted
        };
        Ok(Some(RegVal::BtfPtrOrNull {
            ty,
            trust,
            id: st.fresh(),
        }))
    }

    /// The id in the program's BTF of the struct a kptr field names, when it is the program's
    /// own type: the kernel looks the name up in its own BTF first (`btf_parse_kptr`), so a
    /// name the kernel knows is a kernel type; `None` for those (and without the program's BTF).
    fn local_kptr_target(&self, pc: usize, target: &str) -> R<Option<u32>> {
        let Some(types) = self.input.program_types else {
            return Ok(None);
        };
        let Some(local) = types.btf.find(target, 4) else {
            return Ok(None);
        };
        let vmlinux = self.vmlinux(pc, "a kptr field's type (a kernel or a program type)")?;
        Ok(self
            .find_kernel_type(vmlinux, target, 4)
            .is_none()
            .then_some(local))
    }

    /// The load of a referenced kptr to the program's own struct `ty` (from `bpf_obj_new`,
    /// stored with `bpf_kptr_xchg`), as the kernel's `btf_ld_kptr_type` types it in an RCU read
    /// section: `PTR_TO_BTF_ID | MEM_ALLOC | MEM_RCU | PTR_MAYBE_NULL` (every program type is
    /// `rcu_protected_object`), with `NON_OWN_REF` when the struct has a graph node. Modelled
    /// as a non-owning reference ([`RegVal::Alloc`] with no `ref_id`): its number members may
    /// be read and written, `bpf_refcount_acquire` takes it (giving an owning reference or
    /// NULL); it is neither dropped nor locked nor exchanged, and it dies at `bpf_spin_unlock`
    /// (the kernel's `invalidate_non_owning_refs`, for those with a graph node; for the others
    /// this is stricter than the kernel). Outside an RCU section (`PTR_UNTRUSTED`), an untrusted
    /// kptr, or a target before [`KernelVersion::LOCAL_KPTR_LOAD`]: refused as not modelled.
    fn local_kptr_load(
        &self,
        pc: usize,
        ty: u32,
        in_rcu: bool,
        kind: KptrKind,
        st: &mut State,
        what: impl Fn() -> String,
    ) -> R<Option<RegVal>> {
        let why = if kind != KptrKind::Ref {
            Some("an untrusted kptr to a program's own type".to_string())
        } else if !in_rcu {
            Some("outside an RCU read section it is an untrusted pointer".to_string())
        } else if self.input.kernel < KernelVersion::LOCAL_KPTR_LOAD {
            Some(format!(
                "the target kernel ({}) predates Linux {}, whose rules for it this verifier models",
                self.input.kernel,
                KernelVersion::LOCAL_KPTR_LOAD
            ))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "a direct load of {} (a program's own type): {why}; this verifier does not model it (swap the object out with bpf_kptr_xchg instead)",
                    what()
                ),
            ));
        }
        Ok(Some(RegVal::AllocOrNull {
            ty,
            off: 0,
            id: st.fresh(),
            ref_id: 0,
        }))
    }

    /// An access of bytes `lo..hi` of a value of map `m` by anything but a kptr load
    /// ([`Exec::kptr_load`]) must not touch a kptr field; `what`: the access as
    /// [`Exec::check_mem`] names it (`access by bpf_...` for a helper or kfunc).
    pub(crate) fn check_kptr_overlap(
        &self,
        pc: usize,
        r: u8,
        m: u16,
        (lo, hi): (i64, i64),
        write: bool,
        what: &str,
    ) -> R<()> {
        let Some((field, kind, _)) = self.kptr_overlap(m, lo, hi) else {
            return Ok(());
        };
        let why = if what.starts_with("access by ") {
            "the kernel: `kptr cannot be accessed indirectly by helper`"
        } else if what == "atomic operation" {
            "the kernel: `kptr in map can only be accessed using BPF_MEM instruction mode`"
        } else if (lo, hi) != (*field as i64, *field as i64 + KPTR_SIZE) {
            "a kptr is accessed whole, by 8 bytes at its offset (the kernel: `kptr access misaligned expected=...` or `kptr access size must be BPF_DW`)"
        } else if write && *kind == KptrKind::Ref {
            "the kernel: `store to referenced kptr disallowed` (swap it with bpf_kptr_xchg)"
        } else if write && *kind == KptrKind::Untrusted {
            "stores into an untrusted kptr are not modelled by this verifier"
        } else {
            "a kptr may only be loaded whole, by a u64 load at its offset"
        };
        Err(e(
            pc,
            if write && *kind == KptrKind::Untrusted && !what.starts_with("access by ") && what != "atomic operation" {
                Rule::Unsupported
            } else {
                Rule::MemoryAccess
            },
            format!(
                "this {what} through r{r} may touch bytes {lo}..{hi} of a value of map `{}`, whose kptr is at bytes {field}..{}: {why}",
                self.map(m).name_str(),
                field + 8
            ),
        ))
    }
}
