//! `ld_imm64` of a kernel variable or function by its BTF id (`src_reg` 3,
//! `BPF_PSEUDO_BTF_ID`: libbpf's load of a typed `__ksym` variable; in the text syntax
//! `ld_pseudo rN, 3, btf_id(var NAME)`), as the kernel's `check_pseudo_btf_id` (before
//! verifying, for every such instruction, reached or not) and `check_ld_imm` type it:
//!
//! * the second slot's `imm` is a module BTF's file descriptor (0: vmlinux's). Module BTF is
//!   not modelled: refused as not supported;
//! * `imm` must be a type of the kernel's BTF ("ldimm64 insn specifies invalid btf_id N."), a
//!   `VAR` or a `FUNC` ("pseudo btf_id N in ldimm64 isn't KIND_VAR or KIND_FUNC"), whose name
//!   the kernel finds among its symbols ("ldimm64 failed to find the address for kernel
//!   symbol 'X'.": [`crate::btf::Kallsyms`]; a kernel without `CONFIG_KALLSYMS_ALL`, the live
//!   6.18.44 among them, lists no variable, so refuses them all);
//! * a `FUNC`: read-only memory of 0 bytes (`PTR_TO_MEM | MEM_RDONLY`, a [`RegVal::Ringbuf`]
//!   whose `ref_id` is [`KSYM_MEM`]);
//! * a `VAR` of the kernel's per-CPU section (the `.data..percpu` `DATASEC`):
//!   `PTR_TO_BTF_ID | MEM_PERCPU` of the variable's type, a [`RegVal::BtfPtr`] whose `ty` has
//!   [`PERCPU_VAR`]: never read or written through ("R1 is ptr_T access percpu memory"), only
//!   given to `bpf_this_cpu_ptr` / `bpf_per_cpu_ptr` (`call/cpu_ptr.rs`) at offset 0;
//! * a `VAR` of a struct or union type: `PTR_TO_BTF_ID` of it, no flag (a plain
//!   [`RegVal::BtfPtr`]: its fields are read as any BTF pointer's, `btf_access.rs`);
//! * a `VAR` of another type: read-only memory of the type's size ("ldimm64 unable to resolve
//!   the size of type 'T'" where it has none).

use super::*;
use crate::btf::{Btf, Kind, Types};
use crate::verifier::domain::state::BtfTrust;
use crate::verifier::VerifyInput;

/// Marks the `ty` of a [`RegVal::BtfPtr`] that is a per-CPU kernel variable (`PTR_TO_BTF_ID |
/// MEM_PERCPU`); the other bits are the variable's type id (modifiers kept) in the kernel's
/// BTF. No type is found at such an id, so no walk, cast or argument check takes it for a
/// structure.
pub(crate) const PERCPU_VAR: u32 = 1 << 31;

/// The `ref_id` of a [`RegVal::Ringbuf`] / [`RegVal::RingbufOrNull`] of read-only kernel
/// memory (`PTR_TO_MEM | MEM_RDONLY`): a kernel variable or function loaded by its BTF id, or
/// what `bpf_this_cpu_ptr` / `bpf_per_cpu_ptr` give for a per-CPU variable that is not a
/// structure. It holds no reference and is not in the packet; its flags make it read-only.
pub(crate) const KSYM_MEM: u32 = DYNPTR_SLICE | DYNPTR_MEM | (1 << 25);

/// The kernel's `.data..percpu` `DATASEC` name.
const PERCPU_SEC: &str = ".data..percpu";

/// The id of the kernel's per-CPU `DATASEC` (`find_btf_percpu_datasec`).
pub(crate) fn percpu_datasec(btf: &Btf) -> Option<u32> {
    btf.find(PERCPU_SEC, 15)
}

/// What the kernel gives for a pointer to the type `ty` of the kernel's BTF as a variable's
/// address or a per-CPU variable's (`check_pseudo_btf_id`, `RET_PTR_TO_MEM_OR_BTF_ID`): a BTF
/// pointer for a struct or union (`Ok(true)`), else read-only memory of its size
/// (`Ok(false)` with the size), or the name of a type of no size.
pub(crate) fn pointee(btf: &Btf, ty: u32) -> Result<(bool, u32), String> {
    let sid = btf.skip_mods(ty).unwrap_or(ty);
    let t = btf.get(sid);
    if let Some(Kind::Struct { .. } | Kind::Union { .. }) = t.map(|t| &t.kind) {
        return Ok((true, 0));
    }
    match btf_access::resolve_size(btf, sid) {
        Some(r) => Ok((false, r.size)),
        None => Err(t.map_or_else(String::new, |t| t.name.clone())),
    }
}

/// Read-only kernel memory of `size` bytes at offset 0.
pub(crate) fn ksym_mem(size: u32) -> RegVal {
    RegVal::Ringbuf {
        size,
        off: 0,
        var: Scalar::konst(0),
        ref_id: KSYM_MEM,
    }
}

/// The value of `ld_imm64 dst, 3, imm` (see the module docs), or the rule and message of its
/// refusal. `percpu` is the kernel's per-CPU `DATASEC` ([`percpu_datasec`]).
pub(crate) fn ksym_value(
    input: &VerifyInput,
    percpu: Option<u32>,
    imm: u64,
) -> Result<RegVal, (Rule, String)> {
    let (id, fd) = (imm as u32, (imm >> 32) as u32);
    if fd != 0 {
        return Err((Rule::Unsupported, format!(
            "this ld_imm64 loads the kernel object of BTF id {id} of the module BTF whose file descriptor is {fd} (BPF_PSEUDO_BTF_ID): a module's variables are not modelled by this verifier (not supported)"
        )));
    }
    let Some(btf) = input.vmlinux else {
        return Err((
            Rule::Unsupported,
            format!(
                "an ld_imm64 of the kernel object of BTF id {id} (BPF_PSEUDO_BTF_ID, a `__ksym` variable's address): {NEEDS_BTF}"
            ),
        ));
    };
    let Some(t) = btf.get(id) else {
        return Err((Rule::Structure, format!(
            "this ld_imm64 loads the kernel object of BTF id {id} (BPF_PSEUDO_BTF_ID), but the kernel's BTF has no type {id} (the kernel: ldimm64 insn specifies invalid btf_id {id}.)"
        )));
    };
    let var_ty = match t.kind {
        Kind::Var { ty, .. } => Some(ty),
        Kind::Func { .. } if input.kernel >= KernelVersion::KSYM_FUNC => None,
        Kind::Func { .. } => {
            return Err((Rule::Structure, format!(
                "this ld_imm64 loads the address of the kernel function `{}` (BPF_PSEUDO_BTF_ID of a BTF FUNC), which needs Linux {}, but the target kernel is {} (see verifier::target; the kernel: pseudo btf_id {id} in ldimm64 isn't KIND_VAR.)",
                t.name, KernelVersion::KSYM_FUNC, input.kernel
            )))
        }
        _ => {
            return Err((Rule::Structure, format!(
                "this ld_imm64 loads the kernel object of BTF id {id} (BPF_PSEUDO_BTF_ID), but type {id} is the {} `{}`, not a variable or a function (the kernel: pseudo btf_id {id} in ldimm64 isn't KIND_VAR or KIND_FUNC)",
                t.kind.name(), t.name
            )))
        }
    };
    let Some(syms) = input.kallsyms else {
        return Err((Rule::Unsupported, format!(
            "this ld_imm64 loads the kernel {} `{}` (BPF_PSEUDO_BTF_ID), which the kernel loads only if it finds its address by name: this needs the target kernel's symbol names (`--kallsyms /proc/kallsyms`, `VerifyInput::kallsyms`)",
            if var_ty.is_some() { "variable" } else { "function" }, t.name
        )));
    };
    if !syms.contains(&t.name) {
        return Err((Rule::Structure, format!(
            "this ld_imm64 loads the kernel {} `{}` (BPF_PSEUDO_BTF_ID), which is in the target kernel's BTF but not among its symbols (kallsyms{}) (the kernel: ldimm64 failed to find the address for kernel symbol '{}'.)",
            if var_ty.is_some() { "variable" } else { "function" }, t.name,
            if var_ty.is_some() { ": a kernel built without CONFIG_KALLSYMS_ALL lists no variable" } else { "" },
            t.name
        )));
    }
    let Some(ty) = var_ty else {
        return Ok(ksym_mem(0));
    };
    let in_percpu = percpu.and_then(|s| btf.get(s)).is_some_and(
        |s| matches!(&s.kind, Kind::Datasec { vars, .. } if vars.iter().any(|v| v.ty == id)),
    );
    if in_percpu {
        return Ok(RegVal::BtfPtr {
            ty: ty | PERCPU_VAR,
            off: 0,
            trust: BtfTrust::Plain,
        });
    }
    match pointee(btf, ty) {
        Ok((true, _)) => Ok(RegVal::BtfPtr {
            ty,
            off: 0,
            trust: BtfTrust::Plain,
        }),
        Ok((false, size)) => Ok(ksym_mem(size)),
        Err(tname) => Err((Rule::Structure, format!(
            "this ld_imm64 loads the kernel variable `{}` (BPF_PSEUDO_BTF_ID), whose type has no size (the kernel: ldimm64 unable to resolve the size of type '{tname}')",
            t.name
        ))),
    }
}

/// The kernel's `check_pseudo_btf_id` over the program before it is verified: every
/// `ld_imm64` with `src_reg` 3 among the first `upto` slots, reached or not, names a kernel
/// variable or function the target kernel has (see the module docs). The kernel checks them in
/// the same pass as the opcodes, in order: a program whose decoding failed at slot N is
/// checked up to N, so that the first refusal is the kernel's.
pub(crate) fn check_pseudo_btf_ids(
    input: &VerifyInput,
    upto: usize,
) -> Result<(), Vec<VerifierError>> {
    let mut percpu = None;
    let mut pc = 0;
    let insns = &input.insns[..upto.min(input.insns.len())];
    while pc < insns.len() {
        let i = insns[pc];
        if i.is_ld_imm64() && pc + 1 < insns.len() {
            if i.src() == 3 {
                let imm = u64::from(i.imm as u32) | (u64::from(insns[pc + 1].imm as u32) << 32);
                let sec = *percpu.get_or_insert_with(|| input.vmlinux.and_then(percpu_datasec));
                if let Err((rule, m)) = ksym_value(input, sec, imm) {
                    return Err(vec![e(pc, rule, m)]);
                }
            }
            pc += 2;
        } else {
            pc += 1;
        }
    }
    Ok(())
}

impl Exec<'_> {
    /// `dst = ` the kernel variable or function of BTF id `imm` (checked before the walk).
    pub(crate) fn ksym_load(&self, pc: usize, imm: u64) -> R<RegVal> {
        let percpu = self
            .input
            .vmlinux
            .and_then(|b| self.find_kernel_type(b, PERCPU_SEC, 15));
        ksym_value(self.input, percpu, imm).map_err(|(rule, m)| e(pc, rule, m))
    }
}

#[cfg(test)]
#[path = "ksym_tests.rs"]
mod tests;
