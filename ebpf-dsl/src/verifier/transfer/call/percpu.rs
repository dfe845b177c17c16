//! Per-CPU objects of the program's own types (Linux 6.6), as the 6.18 kernel's
//! `check_kfunc_call` checks `bpf_percpu_obj_new_impl` / `bpf_percpu_obj_drop_impl`
//! (offered to XDP and tc programs, `generic_btf_ids`; not to socket filters: "calling kernel
//! function ... is not allowed"):
//!
//! * `bpf_percpu_obj_new_impl(local_type_id__k, meta__ign)`: r1 a known constant, the id of a
//!   struct of the program's BTF ("bpf_obj_new/bpf_percpu_obj_new type ID argument must be of
//!   a struct") of at most 512 bytes ("bpf_percpu_obj_new type size (N) is greater than
//!   512"), whose members are numbers, arrays of numbers or such structs, three deep ("must
//!   be of a struct of scalars"), and which has no special field ("must not contain special
//!   fields"); r0 an owning reference to the new object, or NULL (`PTR_TO_BTF_ID | MEM_ALLOC
//!   | MEM_PERCPU | PTR_MAYBE_NULL`: a [`RegVal::AllocOrNull`] whose `ty` carries
//!   [`PERCPU_TY`]);
//! * the object is never read or written through that pointer ("R0 is ptr_T access percpu
//!   memory: off=N", `graph.rs`'s `check_alloc_access`); a constant may be added to it;
//! * `bpf_percpu_obj_drop_impl(p__alloc, meta__ign)`: r1 an owned per-CPU object at its start
//!   (a plain object: "arg#0 expected for bpf_obj_drop_impl()", and `bpf_obj_drop_impl` of a
//!   per-CPU one: "arg#0 expected for bpf_percpu_obj_drop_impl()"); the reference is
//!   released.
//!
//! Not modelled (refused with a message naming it): stashing one in a `__percpu_kptr` field
//! with `bpf_kptr_xchg`, and the per-CPU pointers loaded back from such a field.

use super::graph::{release_alloc, ALLOC_REF, PERCPU_TY};
use super::*;
use crate::btf::{Btf, Kind};
use crate::xdp::rcu::RcuKfunc;

/// The largest per-CPU object (`BPF_GLOBAL_PERCPU_MA_MAX_SIZE`).
const MAX_SIZE: u32 = 512;

impl<'a> Exec<'a> {
    /// `call` of `bpf_percpu_obj_new_impl` or `bpf_percpu_obj_drop_impl`.
    pub(crate) fn call_percpu_kfunc(&mut self, pc: usize, st: &mut State, k: RcuKfunc) -> R<()> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        self.check_generic_kfunc_offered(pc, full)?;
        let r0 = if k == RcuKfunc::PercpuObjNewImpl {
            let ty = self.check_percpu_new(pc, st)?;
            let id = st.fresh();
            let rf = st.fresh() | ALLOC_REF;
            st.refs.push(rf);
            RegVal::AllocOrNull {
                ty: ty | PERCPU_TY,
                off: 0,
                id,
                ref_id: rf,
            }
        } else {
            let v = self.read(st, pc, 1)?;
            let rf = self.percpu_owned_arg(pc, &v, full)?;
            release_alloc(st, rf);
            RegVal::NotInit
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, r0);
        Ok(())
    }

    /// `bpf_percpu_obj_drop_impl`'s r1 (`v`): an owned per-CPU object at its start; gives its
    /// reference.
    fn percpu_owned_arg(&self, pc: usize, v: &RegVal, full: &str) -> R<u32> {
        let why = match *v {
            RegVal::Alloc {
                ty,
                off: 0,
                ref_id,
            } if ty & PERCPU_TY != 0 && ref_id != 0 => return Ok(ref_id),
            RegVal::Alloc { ty, .. } if ty & PERCPU_TY == 0 => {
                "a plain object, which bpf_obj_drop_impl frees (the kernel: arg#0 expected for bpf_obj_drop_impl())"
            }
            RegVal::Alloc { off, .. } if off != 0 => {
                "not at its start (the kernel: R1 must have zero offset when passed to release func or trusted arg to kfunc)"
            }
            RegVal::AllocOrNull { .. } => {
                return Err(e(pc, Rule::NullCheck, format!(
                    "{full} takes a per-CPU object the program owns in r1, but r1 is {}; null-check it first (the kernel: Possibly NULL pointer passed to trusted arg0)",
                    self.describe(v)
                )))
            }
            _ => "not a per-CPU object the program owns (from bpf_percpu_obj_new; the kernel: arg#0 expected pointer to allocated object)",
        };
        Err(e(
            pc,
            Rule::HelperArgument,
            format!(
                "{full} takes a per-CPU object the program owns in r1, but r1 is {}: {why}",
                self.describe(v)
            ),
        ))
    }

    /// `bpf_percpu_obj_new_impl`'s r1: the type id of a struct of numbers of the program's BTF.
    fn check_percpu_new(&self, pc: usize, st: &State) -> R<u32> {
        let full = RcuKfunc::PercpuObjNewImpl.name();
        let v = self.read(st, pc, 1)?;
        let Some(id) = (match v {
            RegVal::Scalar(s) => s.as_const(),
            _ => None,
        }) else {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{full} takes the BTF id of the type to allocate in r1, which must be a known constant (the kernel: R1 must be a known constant), but r1 is {}",
                self.describe(&v)
            )));
        };
        let btf = self.program_btf(pc, full)?;
        let ty = u32::try_from(id)
            .ok()
            .filter(|&i| i != 0 && i & PERCPU_TY == 0);
        let Some((ty, t)) = ty.and_then(|i| btf.get(i).map(|t| (i, t))) else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("{full}: r1 = {id} is no type id of the program's BTF"),
            ));
        };
        let refuse = |why: String| {
            Err(e(
                pc,
                Rule::HelperArgument,
                format!("{full}: type {id} (`{}`) {why}", t.name),
            ))
        };
        let Kind::Struct { size, .. } = t.kind else {
            return refuse("is not a struct (the kernel: bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct)".into());
        };
        if size > MAX_SIZE {
            return refuse(format!("is {size} bytes; a per-CPU object is at most {MAX_SIZE} (the kernel: bpf_percpu_obj_new type size ({size}) is greater than {MAX_SIZE})"));
        }
        if !scalar_struct(btf, ty, 0) {
            return refuse("has a member that is not a number, an array of numbers or a struct of them (three deep at most) (the kernel: bpf_percpu_obj_new type ID argument must be of a struct of scalars)".into());
        }
        if !self
            .special_fields(btf, ty)
            .is_ok_and(|f| f.fields.is_empty())
        {
            return refuse("holds a special field (a bpf_spin_lock, a graph root or node, ...) (the kernel: bpf_percpu_obj_new type ID argument must not contain special fields)".into());
        }
        Ok(ty)
    }
}

/// The kernel's `__btf_type_is_scalar_struct`: `id` (after modifiers) is a struct or union
/// whose members are integers or enums, non-empty arrays of them, or such structs and unions
/// (at most three levels below the first).
fn scalar_struct(btf: &Btf, id: u32, depth: u32) -> bool {
    let Some(t) = skip(btf, id).and_then(|i| btf.get(i)) else {
        return false;
    };
    let (Kind::Struct { members, .. } | Kind::Union { members, .. }) = &t.kind else {
        return false;
    };
    members.iter().all(|m| {
        let Some(mt) = skip(btf, m.ty).and_then(|i| btf.get(i)) else {
            return false;
        };
        match &mt.kind {
            Kind::Struct { .. } | Kind::Union { .. } => {
                depth < 3 && scalar_struct(btf, m.ty, depth + 1)
            }
            Kind::Array { elem, nelems, .. } => {
                *nelems != 0
                    && matches!(
                        skip(btf, *elem).and_then(|i| btf.get(i)).map(|t| &t.kind),
                        Some(Kind::Int { .. } | Kind::Enum { .. })
                    )
            }
            Kind::Int { .. } | Kind::Enum { .. } => true,
            _ => false,
        }
    })
}

/// `id` after typedefs, qualifiers and type tags (`btf_type_skip_modifiers`).
fn skip(btf: &Btf, mut id: u32) -> Option<u32> {
    for _ in 0..32 {
        match btf.get(id)?.kind {
            Kind::Typedef(n)
            | Kind::Volatile(n)
            | Kind::Const(n)
            | Kind::Restrict(n)
            | Kind::TypeTag(n) => id = n,
            _ => return Some(id),
        }
    }
    None
}

#[cfg(test)]
#[path = "percpu_tests.rs"]
mod tests;
