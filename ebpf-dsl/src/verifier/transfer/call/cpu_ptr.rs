//! `bpf_per_cpu_ptr` (153) and `bpf_this_cpu_ptr` (154), the helpers that take the address of
//! a per-CPU kernel variable (Linux 5.10; offered to every program type of a loader with
//! `CAP_PERFMON`, `bpf_base_func_proto`; not GPL-only), as the kernel checks them:
//!
//! * r1 (`ARG_PTR_TO_PERCPU_BTF_ID`): a per-CPU variable loaded by its BTF id
//!   (`PTR_TO_BTF_ID | MEM_PERCPU`, `transfer/ksym.rs`), unmodified (`__check_ptr_off_reg`:
//!   "dereference of modified percpu_ptr_ ptr R1 off=N disallowed"); anything else: "R1
//!   type=T expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_";
//! * `bpf_per_cpu_ptr`'s r2: the CPU, any initialised value;
//! * r0 (`RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY`, `PTR_MAYBE_NULL` for `bpf_per_cpu_ptr`,
//!   whose CPU may not exist): for a variable of a struct or union type, a plain BTF pointer
//!   to it (read as any BTF pointer, `btf_access.rs`); for another type, read-only memory of
//!   its size (a [`RegVal::Ringbuf`] with [`KSYM_MEM`]); from `bpf_per_cpu_ptr`, NULL-able
//!   (test it before use).

use super::super::ksym::{pointee, KSYM_MEM, PERCPU_VAR};
use super::*;
use crate::verifier::domain::state::BtfTrust;

/// `BPF_FUNC_per_cpu_ptr`.
pub(crate) const PER_CPU_PTR: i32 = 153;
/// `BPF_FUNC_this_cpu_ptr`.
pub(crate) const THIS_CPU_PTR: i32 = 154;

impl<'a> Exec<'a> {
    /// `call bpf_per_cpu_ptr` or `call bpf_this_cpu_ptr` (see the module docs).
    pub(crate) fn call_cpu_ptr(&mut self, pc: usize, st: &mut State, id: i32) -> R<()> {
        let name = if id == PER_CPU_PTR {
            "bpf_per_cpu_ptr"
        } else {
            "bpf_this_cpu_ptr"
        };
        self.check_offered(pc, id)?;
        let v = self.read(st, pc, 1)?;
        let ty = match v {
            RegVal::BtfPtr { ty, off, .. } if ty & PERCPU_VAR != 0 => {
                if off != 0 {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{name} takes a per-CPU kernel variable at its start in r1, but r1 is {} (the kernel: dereference of modified percpu_ptr_ ptr R1 off={off} disallowed)",
                        self.describe(&v)
                    )));
                }
                ty & !PERCPU_VAR
            }
            _ => {
                return Err(e(pc, Rule::HelperArgument, format!(
                    "{name} takes a per-CPU kernel variable in r1 (loaded by its BTF id: a `__ksym` variable of the kernel's .data..percpu section, PTR_TO_BTF_ID | MEM_PERCPU), but r1 is {} (the kernel: R1 type=... expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_)",
                    self.describe(&v)
                )))
            }
        };
        if ty == 0 {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!("{name}: r1's variable has no type (the kernel: Helper has invalid btf_id in R1)"),
            ));
        }
        if id == PER_CPU_PTR {
            self.read(st, pc, 2).map_err(|mut err| {
                err.message = format!("bpf_per_cpu_ptr takes the CPU in r2, but {}", err.message);
                err
            })?;
        }
        let btf = self.vmlinux(pc, name)?;
        let or_null = id == PER_CPU_PTR;
        let r0 = match pointee(btf, ty) {
            Ok((true, _)) if or_null => RegVal::BtfPtrOrNull {
                ty,
                trust: BtfTrust::Plain,
                id: st.fresh(),
            },
            Ok((true, _)) => RegVal::BtfPtr {
                ty,
                off: 0,
                trust: BtfTrust::Plain,
            },
            Ok((false, size)) if or_null => RegVal::RingbufOrNull {
                size,
                id: st.fresh(),
                ref_id: KSYM_MEM,
            },
            Ok((false, size)) => super::super::ksym::ksym_mem(size),
            Err(tname) => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!("{name}: r1's variable has a type of no size (the kernel: unable to resolve the size of type '{tname}')"),
                ))
            }
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, r0);
        Ok(())
    }
}
