//! The program's own allocated objects ("local kptrs") and the `__kptr` fields that hold them,
//! as the kernel's `check_kfunc_call`, `check_helper_call` (`bpf_kptr_xchg`) and
//! `check_ptr_to_btf_access` check them (Linux 6.2+, 6.18 rules):
//!
//! * `bpf_obj_new_impl(local_type_id__k, meta__ign)`: r1 a known constant, the id of a struct
//!   of the program's BTF (`VerifyInput::program_types`; "bpf_obj_new type ID argument must
//!   be of a struct"); r0 an owning reference to a new object of that type, or NULL
//!   (`PTR_TO_BTF_ID | MEM_ALLOC | PTR_MAYBE_NULL`, reference-tracked: it must be dropped or
//!   stored into a kptr before the program exits);
//! * `bpf_obj_drop_impl(p__alloc, meta__ign)`: r1 an owning reference at offset 0 ("R1 must
//!   have zero offset when passed to release func or trusted arg to kfunc"); the reference and
//!   every copy of it are released;
//! * `bpf_kptr_xchg(dst, ptr)` (helper 194): r1 points at a referenced `__kptr` field, at a
//!   constant offset, of a map value or of an owned object ("off=N doesn't point to kptr");
//!   r2 is NULL or an owning reference at offset 0 to an object of the field's type ("invalid
//!   kptr access, R2 type=ptr_A expected=ptr_B"), whose reference moves into the field; r0 is
//!   the field's previous object or NULL, an owning reference;
//! * loads and stores through an object: within one scalar member of its struct, never its
//!   special fields (`bpf_rb_node`, `bpf_refcount`, kptrs, ...: "direct access to ... is
//!   disallowed"); a number may be stored, a pointer is refused here; a constant may be added
//!   to the pointer.
//!
//! * `bpf_spin_lock` / `bpf_spin_unlock` of an object the program owns, at its struct's
//!   `bpf_spin_lock` (`check_object_lock_arg`): it guards the object's own trees and lists
//!   (`graph_tree.rs`).
//!
//! The tree and list kfuncs and `bpf_refcount_acquire` are `graph_tree.rs`'s and below. Not
//! modelled (refused with a message naming it): kptrs of kernel types, percpu objects,
//! reading a kptr field directly.

use super::*;
use crate::btf::{FieldKind, Kind, SpecialFields};
use crate::spec::ProgramType;
use crate::verifier::domain::state::OBJECT_LOCK;
use crate::xdp::graph::GraphKfunc;

/// `BPF_FUNC_kptr_xchg`.
pub(crate) const KPTR_XCHG: i32 = 194;

/// Marks the references of allocated objects.
pub(crate) const ALLOC_REF: u32 = 1 << 25;

/// The bit of [`RegVal::Alloc`]'s `ty` that marks a per-CPU object (`MEM_PERCPU`, from
/// `percpu.rs`'s `bpf_percpu_obj_new_impl`): no type id of a program's BTF has it.
pub(crate) const PERCPU_TY: u32 = 1 << 31;

impl<'a> Exec<'a> {
    /// The program's BTF, or the refusal of `what` without it.
    pub(super) fn program_btf(&self, pc: usize, what: &str) -> R<&'a crate::btf::Btf> {
        match self.input.program_types {
            Some(t) => Ok(&t.btf),
            None => Err(e(
                pc,
                Rule::Unsupported,
                format!("{what} needs the program's own BTF (an ELF object's .BTF: VerifyInput::program_types), which was not given, or which the kernel refuses (libbpf then loads the object without BTF; the kernel: bpf_obj_new/bpf_percpu_obj_new requires prog BTF)"),
            )),
        }
    }

    /// `btf.special_fields(ty)`, worked out once per type of the program's BTF for the whole
    /// verification (a pure function of the type, which the list and tree kfuncs ask for at
    /// every call: thousands of times in a loop); another BTF's is computed each time.
    pub(crate) fn special_fields(
        &self,
        btf: &crate::btf::Btf,
        ty: u32,
    ) -> crate::verifier::context::SpecialResult {
        if !self
            .input
            .program_types
            .is_some_and(|t| std::ptr::eq(&t.btf, btf))
        {
            return btf.special_fields(ty);
        }
        self.special
            .borrow_mut()
            .entry(ty)
            .or_insert_with(|| btf.special_fields(ty))
            .clone()
    }

    /// The name of struct `ty` of the program's BTF (for messages; a per-CPU object's too).
    pub(crate) fn local_name(&self, ty: u32) -> String {
        let ty = ty & !PERCPU_TY;
        self.input
            .program_types
            .and_then(|t| t.btf.get(ty))
            .map_or_else(|| format!("#{ty}"), |t| t.name.clone())
    }

    /// The kernel registers its generic kfunc set (local objects, lists, trees, per-CPU
    /// objects) for sched_cls programs, and for XDP ones from
    /// [`KernelVersion::GENERIC_KFUNCS_XDP`]; never for sched_act or socket filter programs
    /// ("calling kernel function ... is not allowed").
    pub(crate) fn check_generic_kfunc_offered(&self, pc: usize, full: &str) -> R<()> {
        let xdp_since = KernelVersion::GENERIC_KFUNCS_XDP;
        match self.input.prog_type {
            ProgramType::SchedCls => Ok(()),
            ProgramType::Xdp if self.input.kernel >= xdp_since => Ok(()),
            ProgramType::Xdp => Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{full} is offered to XDP programs from Linux {xdp_since} (the generic kfunc set; 6.6's is registered for sched_cls, tracing and struct_ops only), but the target kernel is {} (see verifier::target)",
                    self.input.kernel
                ),
            )),
            t => Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{full} is not offered to {t} programs (the kernel registers its generic kfunc set for sched_cls and XDP programs only: calling kernel function {full} is not allowed)"
                ),
            )),
        }
    }

    /// `call` of the local-object kfunc `k`.
    pub(crate) fn call_graph_kfunc(
        &mut self,
        pc: usize,
        st: &mut State,
        k: GraphKfunc,
    ) -> R<Option<(usize, State)>> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        self.check_generic_kfunc_offered(pc, full)?;
        if k.needs_lock() {
            return self.call_rbtree_kfunc(pc, st, k);
        }
        let r0 = match k {
            GraphKfunc::ObjNewImpl => {
                let ty = self.check_obj_new(pc, st)?;
                self.one_type_per_call(pc, ty, full)?;
                let id = st.fresh();
                let rf = st.fresh() | ALLOC_REF;
                st.refs.push(rf);
                RegVal::AllocOrNull {
                    ty,
                    off: 0,
                    id,
                    ref_id: rf,
                }
            }
            GraphKfunc::ObjDropImpl => {
                let v = self.read(st, pc, 1)?;
                if let RegVal::Alloc { ty, .. } = v {
                    if ty & PERCPU_TY != 0 {
                        return Err(e(pc, Rule::HelperArgument, format!(
                            "{full} takes an object the program owns in r1, but r1 is {}, which bpf_percpu_obj_drop_impl frees (the kernel: arg#0 expected for bpf_percpu_obj_drop_impl())",
                            self.describe(&v)
                        )));
                    }
                }
                let rf = self.owned_arg(pc, 1, &v, full)?;
                if let RegVal::Alloc { ty, .. } = v {
                    self.one_type_per_call(pc, ty, full)?;
                }
                release_alloc(st, rf);
                RegVal::NotInit
            }
            GraphKfunc::RefcountAcquireImpl => {
                let v = self.read(st, pc, 1)?;
                let (ty, owned) = match v {
                    RegVal::Alloc { ty, off: 0, ref_id } => (ty, ref_id != 0),
                    _ => {
                        return Err(e(pc, if crate::verifier::domain::branch::is_or_null(&v) { Rule::NullCheck } else { Rule::HelperArgument }, format!(
                            "{full} expects an object the program owns or holds in a tree or list, at its start, in r1, but r1 is {} (the kernel: arg#0 is neither owning or non-owning ref)",
                            self.describe(&v)
                        )))
                    }
                };
                self.one_type_per_call(pc, ty, full)?;
                let btf = self.program_btf(pc, full)?;
                if !self
                    .special_fields(btf, ty)
                    .is_ok_and(|f| f.has("bpf_refcount"))
                {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{full}: struct {} has no bpf_refcount (the kernel: arg#0 doesn't point to a type with bpf_refcount field)",
                        self.local_name(ty)
                    )));
                }
                let rf = st.fresh() | ALLOC_REF;
                st.refs.push(rf);
                if owned {
                    RegVal::Alloc {
                        ty,
                        off: 0,
                        ref_id: rf,
                    }
                } else {
                    RegVal::AllocOrNull {
                        ty,
                        off: 0,
                        id: st.fresh(),
                        ref_id: rf,
                    }
                }
            }
            _ => unreachable!("the tree and list kfuncs are graph_tree.rs's"),
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, r0);
        Ok(None)
    }

    /// The kernel keeps one object type per call instruction of these kfuncs (the struct
    /// meta it passes at run time): a call verified with another type on another path is
    /// refused (6.18.44: "same call cannot be used with different types"; clang -O1 merges
    /// calls of an inlined function, selftests' linked_list `*_list_in_list`).
    fn one_type_per_call(&mut self, pc: usize, ty: u32, full: &str) -> R<()> {
        match self.alloc_call_types.get(&pc) {
            Some(&seen) if seen != ty => Err(e(pc, Rule::HelperArgument, format!(
                "{full} is called here with a struct {} and, on another path, a struct {}: the kernel keeps one type per call instruction (same call cannot be used with different types; use one call per type, e.g. mark the function holding it __attribute__((nomerge)))",
                self.local_name(ty),
                self.local_name(seen)
            ))),
            _ => {
                self.alloc_call_types.insert(pc, ty);
                Ok(())
            }
        }
    }

    /// `bpf_obj_new_impl`'s r1: the type id of a struct of the program's BTF.
    fn check_obj_new(&self, pc: usize, st: &State) -> R<u32> {
        let full = GraphKfunc::ObjNewImpl.name();
        let v = self.read(st, pc, 1)?;
        let Some(id) = (match v {
            RegVal::Scalar(s) => s.as_const(),
            _ => None,
        }) else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} takes the BTF id of the type to allocate in r1, which must be a known constant (the kernel: R1 must be a known constant), but r1 is {}",
                    self.describe(&v)
                ),
            ));
        };
        let btf = self.program_btf(pc, full)?;
        let ty = u32::try_from(id).ok().filter(|&i| i != 0);
        let Some((ty, t)) = ty.and_then(|i| btf.get(i).map(|t| (i, t))) else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("{full}: r1 = {id} is no type id of the program's BTF"),
            ));
        };
        let Kind::Struct { size, .. } = t.kind else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full}: type {id} (`{}`) of the program's BTF is not a struct (the kernel: bpf_obj_new type ID argument must be of a struct)",
                    t.name
                ),
            ));
        };
        if size > 4096 {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("{full}: struct {} is {size} bytes; the kernel allocates at most 4096 (bpf_obj_new type size too big)", t.name),
            ));
        }
        if let Err(why) = self.special_fields(btf, ty) {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "{full}: the layout of struct {} is not modelled by this verifier ({why})",
                    t.name
                ),
            ));
        }
        Ok(ty)
    }

    /// An argument the call releases or takes ownership of: an owning reference to an object
    /// at offset 0; gives its reference.
    pub(super) fn owned_arg(&self, pc: usize, r: u8, v: &RegVal, full: &str) -> R<u32> {
        match v {
            RegVal::Alloc { off: 0, ref_id, .. } if *ref_id != 0 => Ok(*ref_id),
            RegVal::Alloc { off, ref_id, .. } if *ref_id != 0 => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} takes an object the program owns at its start in r{r}, but r{r} is {} (the kernel: R{r} must have zero offset when passed to release func or trusted arg to kfunc); subtract the offset first",
                    self.describe(v)
                ),
            )),
            RegVal::AllocOrNull { .. } => Err(e(
                pc,
                Rule::NullCheck,
                format!(
                    "{full} takes an object the program owns in r{r}, but r{r} is {}; null-check it first",
                    self.describe(v)
                ),
            )),
            _ => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} takes an object the program owns (from bpf_obj_new or bpf_kptr_xchg) in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            )),
        }
    }

    /// The offset of the `bpf_spin_lock` of struct `ty` of the program's BTF, if it has one.
    pub(crate) fn object_lock_offset(&self, ty: u32) -> Option<u32> {
        let btf = self.input.program_types.map(|t| &t.btf)?;
        self.special_fields(btf, ty).ok().and_then(|f| {
            f.fields
                .iter()
                .find(|f| f.kind == FieldKind::Managed("bpf_spin_lock"))
                .map(|f| f.offset)
        })
    }

    /// Argument `r` (`v`, an allocated object) of `bpf_spin_lock` / `bpf_spin_unlock` (`name`):
    /// the kernel's `process_spin_lock` for `PTR_TO_BTF_ID | MEM_ALLOC`. The object is one the
    /// program owns (a non-owning reference, in a tree or list, is no `spin_lock_types`
    /// argument), and `v` points at its struct's `bpf_spin_lock`. Gives the lock's identity in
    /// [`State::lock`]: [`OBJECT_LOCK`] and the owning reference (the kernel's `reg->id`,
    /// which an object with a lock keeps after its NULL check).
    pub(crate) fn check_object_lock_arg(
        &self,
        pc: usize,
        r: u8,
        v: &RegVal,
        name: &str,
    ) -> R<(u16, u32)> {
        let RegVal::Alloc { ty, off, ref_id } = *v else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name} expects a pointer to a bpf_spin_lock in r{r}, but r{r} is {}",
                    self.describe(v)
                ),
            ));
        };
        if ref_id == 0 {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{name}: r{r} is {}; only the lock of a map value or of an object the program owns is taken (the kernel: R{r} type=ptr_{} expected=map_value, ptr_)",
                self.describe(v),
                self.local_name(ty)
            )));
        }
        let Some(lock) = self.object_lock_offset(ty) else {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{name}: struct {} has no bpf_spin_lock (the kernel: local 'kptr' has no valid bpf_spin_lock)",
                self.local_name(ty)
            )));
        };
        if off != lock as i32 {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{name}: r{r} points to offset {off} of an object of struct {}, but its bpf_spin_lock is at offset {lock} (the kernel: off {off} doesn't point to 'struct bpf_spin_lock' that is at {lock})",
                self.local_name(ty)
            )));
        }
        Ok((OBJECT_LOCK, ref_id))
    }

    /// The special fields of the value of map `m`, if any.
    pub(crate) fn fields_of_map(&self, m: u16) -> Option<&SpecialFields> {
        self.fields.get(m as usize).and_then(|f| f.as_ref())
    }

    /// `call bpf_kptr_xchg`.
    pub(crate) fn call_kptr_xchg(&mut self, pc: usize, st: &mut State) -> R<()> {
        let name = "bpf_kptr_xchg";
        // (The helper is in 5.19, before the oldest target.)
        let dst = self.read(st, pc, 1)?;
        let new = self.read(st, pc, 2)?;
        let (fields, at, owner) = match &dst {
            RegVal::MapValue { map, off, var, .. } => match var.as_const() {
                Some(c) => (
                    self.fields_of_map(*map).cloned(),
                    *off as i64 + c as i64,
                    format!("a value of map `{}`", self.map(*map).name_str()),
                ),
                None => return Err(e(pc, Rule::HelperArgument, format!(
                    "{name}: r1 is {} at a variable offset; a kptr is at a constant offset (the kernel: R1 doesn't have constant offset. kptr has to be at the constant offset)",
                    self.describe(&dst)
                ))),
            },
            RegVal::Alloc { ty, off, ref_id } if *ref_id != 0 => {
                let btf = self.program_btf(pc, name)?;
                (
                    self.special_fields(btf, *ty).ok(),
                    *off as i64,
                    format!("struct {}", self.local_name(*ty)),
                )
            }
            _ => return Err(e(pc, if crate::verifier::domain::branch::is_or_null(&dst) { Rule::NullCheck } else { Rule::HelperArgument }, format!(
                "{name} expects a pointer to a __kptr field of a map value or of an object the program owns in r1, but r1 is {}",
                self.describe(&dst)
            ))),
        };
        let field = fields.as_ref().and_then(|f| f.kptr_at(at)).cloned();
        let Some(field) = field else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name}: r1 points at byte {at} of {owner}, where there is no __kptr field (the kernel: off={at} doesn't point to kptr)"
                ),
            ));
        };
        let FieldKind::Kptr {
            target,
            referenced,
            percpu,
        } = field.kind
        else {
            unreachable!("kptr_at gives kptrs")
        };
        if !referenced {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{name}: the field at byte {at} of {owner} is a __kptr_untrusted, which bpf_kptr_xchg cannot exchange (the kernel: off={at} kptr isn't referenced kptr)"
            )));
        }
        let btf = self.program_btf(pc, name)?;
        let local = target != 0
            && btf
                .get(target)
                .is_some_and(|t| self.special_fields(btf, target).is_ok() && !t.name.is_empty());
        // A kptr to a kernel type: its target is a struct the program's BTF declares with
        // the kernel's name; which struct is local is told by the kernel by looking the name
        // up in vmlinux. Only objects the program allocates are modelled.
        let Some(vmlinux) = self.input.vmlinux else {
            return Err(e(pc, Rule::Unsupported, format!(
                "{name}: whether the __kptr field at byte {at} of {owner} holds a kernel or a program type: {}",
                crate::verifier::transfer::NEEDS_BTF
            )));
        };
        let kernel_type = btf
            .get(target)
            .is_some_and(|t| vmlinux.find(&t.name, 4).is_some());
        if percpu || !local || kernel_type {
            return Err(e(pc, Rule::Unsupported, format!(
                "{name}: the field at byte {at} of {owner} holds a {} (`{}`), which this verifier does not model (only kptrs to the program's own struct types)",
                if percpu { "percpu kptr" } else { "kptr to a kernel type" },
                btf.get(target).map_or("?", |t| t.name.as_str())
            )));
        }
        let moved = match &new {
            RegVal::Scalar(s) if s.as_const() == Some(0) => None,
            RegVal::Alloc { ty, .. } if *ty != target => {
                return Err(e(pc, Rule::HelperArgument, format!(
                    "{name}: r2 is {}, but the field at byte {at} of {owner} holds a struct {} (the kernel: invalid kptr access, R2 type=ptr_{} expected=ptr_{})",
                    self.describe(&new),
                    self.local_name(target),
                    self.local_name(*ty),
                    self.local_name(target)
                )));
            }
            _ => Some(self.owned_arg(pc, 2, &new, name)?),
        };
        if let Some(rf) = moved {
            release_alloc(st, rf);
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        let id = st.fresh();
        let rf = st.fresh() | ALLOC_REF;
        st.refs.push(rf);
        self.set(
            st,
            0,
            RegVal::AllocOrNull {
                ty: target,
                off: 0,
                id,
                ref_id: rf,
            },
        );
        Ok(())
    }

    /// A load or store of `n` bytes at `off` of an object of struct `ty` (through `r`): within
    /// one scalar member (nested structs walked), never a special field (the same rule for
    /// both; what a store may write is `memory.rs`'s).
    pub(crate) fn check_alloc_access(
        &self,
        pc: usize,
        r: u8,
        ty: u32,
        off: i32,
        n: u64,
        what: &str,
    ) -> R<()> {
        if ty & PERCPU_TY != 0 {
            return Err(e(pc, Rule::MemoryAccess, format!(
                "this {what} through r{r} of a per-CPU object of struct {}: its memory is never read or written through the pointer bpf_percpu_obj_new gives (the kernel: R{r} is ptr_{} access percpu memory: off={off})",
                self.local_name(ty),
                self.local_name(ty)
            )));
        }
        let btf = self.program_btf(pc, "an allocated object")?;
        let name = self.local_name(ty);
        let (lo, hi) = (off as i64, off as i64 + n as i64);
        if let Some(f) = self
            .special_fields(btf, ty)
            .ok()
            .and_then(|f| f.overlapping(lo, hi).cloned())
        {
            let kind = match f.kind {
                FieldKind::Managed(s) => s.to_string(),
                FieldKind::GraphRoot { list: false, .. } => "bpf_rb_root".to_string(),
                FieldKind::GraphRoot { list: true, .. } => "bpf_list_head".to_string(),
                FieldKind::Kptr { .. } => "__kptr".to_string(),
            };
            return Err(e(pc, Rule::MemoryAccess, format!(
                "this {what} of bytes {lo}..{hi} of struct {name} through r{r} touches its {kind} field (bytes {}..{}), which is never read or written directly (the kernel: direct access to {kind} is disallowed)",
                f.offset, f.offset + f.size
            )));
        }
        if lo < 0 || !scalar_member(btf, ty, lo, hi, 0) {
            return Err(e(pc, Rule::MemoryAccess, format!(
                "this {what} of bytes {lo}..{hi} of struct {name} through r{r} does not lie within one of its number members (the kernel's btf_struct_access: access beyond the end of member, or no field at the offset)"
            )));
        }
        Ok(())
    }

    /// A load, store or helper access of bytes `lo..hi` of a value of map `m` must not touch
    /// its special fields other than the lock and timer (`lock.rs`): kptrs and graph roots.
    pub(crate) fn check_field_overlap(&self, pc: usize, r: u8, m: u16, lo: i64, hi: i64) -> R<()> {
        let Some(f) = self.fields_of_map(m).and_then(|f| f.overlapping(lo, hi)) else {
            return Ok(());
        };
        let kind = match f.kind {
            FieldKind::Managed("bpf_spin_lock" | "bpf_timer") => return Ok(()),
            FieldKind::Managed(s) => s.to_string(),
            FieldKind::GraphRoot { list: false, .. } => "bpf_rb_root".to_string(),
            FieldKind::GraphRoot { list: true, .. } => "bpf_list_head".to_string(),
            FieldKind::Kptr { .. } => "__kptr".to_string(),
        };
        Err(e(pc, Rule::MemoryAccess, format!(
            "this access through r{r} may touch bytes {lo}..{hi} of a value of map `{}`, whose {kind} field (bytes {}..{}) is not read or written directly here ({})",
            self.map(m).name_str(),
            f.offset,
            f.offset + f.size,
            if kind == "__kptr" { "exchange it with bpf_kptr_xchg; a direct load of a kptr is not modelled" } else { "only its kfuncs use it" }
        )))
    }
}

/// True if bytes `lo..hi` of struct `ty` lie within one member that is a number (integer,
/// enum, float, or an array of them), nested structs walked.
fn scalar_member(btf: &crate::btf::Btf, ty: u32, lo: i64, hi: i64, depth: u32) -> bool {
    let Some(t) = strip(btf, ty).and_then(|i| btf.get(i)) else {
        return false;
    };
    if depth > 8 {
        return false;
    }
    let Kind::Struct { members, .. } = &t.kind else {
        return false;
    };
    members.iter().any(|m| {
        if m.bitfield_size != 0 || m.bit_offset % 8 != 0 {
            return false;
        }
        let start = i64::from(m.bit_offset / 8);
        let Some(size) = btf.size_of(m.ty) else {
            return false;
        };
        if lo < start || hi > start + i64::from(size) {
            return false;
        }
        match strip(btf, m.ty).and_then(|i| btf.get(i)).map(|t| &t.kind) {
            Some(
                Kind::Int { .. } | Kind::Enum { .. } | Kind::Enum64 { .. } | Kind::Float { .. },
            ) => true,
            Some(Kind::Array { elem, .. }) => matches!(
                strip(btf, *elem).and_then(|i| btf.get(i)).map(|t| &t.kind),
                Some(
                    Kind::Int { .. } | Kind::Enum { .. } | Kind::Enum64 { .. } | Kind::Float { .. }
                )
            ),
            Some(Kind::Struct { .. }) => {
                scalar_member(btf, m.ty, lo - start, hi - start, depth + 1)
            }
            _ => false,
        }
    })
}

/// `id` after typedefs and qualifiers.
fn strip(btf: &crate::btf::Btf, mut id: u32) -> Option<u32> {
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

/// Releases the object reference `rf`: it and every copy of the pointer are gone.
pub(crate) fn release_alloc(st: &mut State, rf: u32) {
    st.refs.retain(|x| *x != rf);
    st.for_each_reg(|r| match r {
        RegVal::Alloc { ref_id, .. } | RegVal::AllocOrNull { ref_id, .. } if *ref_id == rf => {
            *r = RegVal::Scalar(Scalar::UNKNOWN)
        }
        _ => {}
    });
}

#[cfg(test)]
#[path = "graph_tests.rs"]
pub(super) mod tests;
