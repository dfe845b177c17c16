//! The context of one verification run, shared by the driver (`super::driver`, which explores
//! the paths) and the transfer functions (`super::transfer`, which are methods of [`Exec`]): the
//! program and its control-flow graph, and what the run has counted so far. It sits below both,
//! so that neither imports the other for it.

use std::collections::HashMap;

use crate::spec::{MapSpec, RelocKind};

use super::cfg::{Cfg, Op};
use super::domain::state::State;
use super::helpers;
use super::VerifyInput;

/// Where a path goes after one instruction.
#[cfg_attr(test, derive(Debug))]
pub(crate) enum Step {
    Next(usize),
    /// Two ways on: `pc` with the state stepped, `other_pc` with `other` (boxed: a step is
    /// returned and matched at every instruction, and only a branch has a state to carry).
    Branch {
        other_pc: usize,
        other: Box<State>,
        pc: usize,
    },
    Done,
    /// A callback returned: the path goes back to the helper call at `callsite`.
    Callback {
        callsite: usize,
    },
}

/// Per-instruction tables of the pruning, shared by the functions explored (see
/// [`Exec::prune_tables`]): the bpf-to-bpf calls, the instructions outside every loop, the
/// kernel's strongly connected components.
pub(crate) type PruneTables = (std::rc::Rc<[bool]>, std::rc::Rc<[bool]>, std::rc::Rc<[u32]>);

pub(crate) struct Exec<'a> {
    pub(crate) input: &'a VerifyInput<'a>,
    pub(crate) ops: &'a [Op],
    pub(crate) cfg: &'a Cfg,
    pub(crate) map_refs: HashMap<usize, (u16, RelocKind)>,
    pub(crate) family: u8,
    pub(crate) gpl: bool,
    pub(crate) processed: usize,
    pub(crate) pruned: usize,
    /// Per instruction slot: reached by a path (the kernel's `seen`; see `super::dead_code`).
    pub(crate) seen: Vec<bool>,
    /// Deepest stack offset used, per subprogram.
    pub(crate) depth: Vec<u32>,
    /// The stack accesses of the instruction being applied (frame, slot of the lowest byte),
    /// for [`Exec::apply_growth`].
    pub(crate) grown: Vec<(u8, u8)>,
    /// Calls and ranges taken on trust (`super::trust`, `transfer/trust.rs`).
    pub(crate) trust: super::trust::Trust,
    /// Maps the program reaches without naming them, numbered after the input's: the inner
    /// map of each map of maps ([`MapSpec::inner`]), what a lookup in it gives.
    pub(crate) extra_maps: Vec<MapSpec>,
    /// For each input map that holds maps: the number of its inner map.
    pub(crate) inner_of: Vec<Option<u16>>,
    /// For each map (input and inner): the number of a read-only map whose value is its key,
    /// what a `bpf_for_each_map_elem` callback's key pointer points into (`PTR_TO_MAP_KEY`).
    pub(crate) key_of: Vec<u16>,
    /// For each input map: the offset of the `bpf_spin_lock` in its value, if it has one
    /// (from its BTF; see `transfer/call/lock.rs`).
    pub(crate) locks: Vec<Option<u32>>,
    /// For each input map: the offset of the `bpf_timer` in its value, if it has one (from
    /// its BTF; see `transfer/call/timer.rs`).
    pub(crate) timers: Vec<Option<u32>>,
    /// For each input map: the kptr fields of its value (offset, kind, the pointed-to struct),
    /// from its BTF (see `transfer/kptr.rs`).
    pub(crate) kptrs: Vec<Vec<(u32, crate::btf::KptrKind, String)>>,
    /// For each input map: the special fields of its value from the program's BTF (kptrs,
    /// graph roots, ...; see `transfer/call/graph.rs`), if it has any.
    pub(crate) fields: Vec<Option<crate::btf::SpecialFields>>,
    /// Per subprogram: a timer callback (`bpf_timer_set_callback` took it on a verified path;
    /// the kernel's `is_async_cb`), whose stack is its own (see `check_stack_depth`).
    pub(crate) async_cb: Vec<bool>,
    /// What the pruning did, when traced (`super::trace`).
    pub(crate) tracer: super::trace::Tracer,
    /// Per subprogram: a global function a verified path calls / one verified on its own
    /// (`transfer/call/global.rs`).
    pub(crate) global_called: Vec<bool>,
    pub(crate) global_verified: Vec<bool>,
    /// Type ids of the kernel's BTF found by (name, kind) (`transfer/btf_access.rs`: the
    /// socket casts' structures, the `__safe_*` lists), so that each is searched once.
    pub(crate) kernel_types: std::cell::RefCell<HashMap<(String, u32), Option<u32>>>,
    /// The pruning's tables of the program's instructions, computed by the first function
    /// explored and shared by the next ones (`driver.rs`): the bpf-to-bpf calls and the
    /// instructions outside every loop (`super::cfg::outside_loops`).
    pub(crate) prune_tables: Option<PruneTables>,
    /// Per `bpf_obj_new_impl` / `bpf_obj_drop_impl` / `bpf_refcount_acquire_impl` call
    /// instruction: the object type a verified path gave it (`transfer/call/graph.rs`).
    pub(crate) alloc_call_types: HashMap<usize, u32>,
    /// Per `bpf_map_lookup_elem` call instruction: the map every verified path passed, or
    /// `None` once two paths passed different ones or an inner map (the kernel's
    /// `record_func_map` and its poisoned map pointer: such a call is not inlined); read by
    /// `super::jump_range`.
    /// (Indexed by instruction, grown as calls are met: `None` for an instruction without
    /// such a call; a hashed map cost ~190 machine instructions a call in a loop.)
    pub(crate) lookup_maps: Vec<Option<Option<u16>>>,
    /// Per `bpf_loop` call instruction: its callback's first instruction when every verified
    /// path passed that callback and flags 0 (the kernel's `loop_inline_state`: the call is
    /// inlined after verifying), `None` otherwise; read by `super::jump_range`.
    pub(crate) loop_inline: HashMap<usize, Option<usize>>,
    /// Per load, store or atomic instruction: the kinds of base pointer the verified paths
    /// reached it with, each with the first such pointer (described only in an error:
    /// `transfer/same_insn.rs`, `ptr_types.rs`).
    pub(crate) ptr_types: super::ptr_types::PtrTypes,
    /// The second walk of the 2^29 class (`super::exact`): exactness marks are kept, and an
    /// offset marked exact is judged by its own minimum instead of tainting the path.
    pub(crate) exact_decide: bool,
    /// The instruction just run recorded an entry in the path's instruction history by its
    /// own work (a comparison the kernel cannot decide that links copies of an operand:
    /// `collect_linked_regs`); set by the transfer, read and cleared by `driver.rs`.
    pub(crate) hist_entry: std::cell::Cell<bool>,
    /// The last operands and result of each ALU instruction's scalar arithmetic
    /// (`alu_memo.rs`).
    pub(crate) alu_memo: super::alu_memo::AluMemo,
    /// The special fields of the program's BTF types asked for so far, by type id
    /// ([`Exec::special_fields`](crate::verifier::context::Exec), `transfer/call/graph.rs`).
    pub(crate) special: std::cell::RefCell<HashMap<u32, SpecialResult>>,
}

/// What [`crate::btf::Btf::special_fields`] says of one type.
pub(crate) type SpecialResult = Result<crate::btf::SpecialFields, String>;

impl<'a> Exec<'a> {
    pub(crate) fn new(
        input: &'a VerifyInput<'a>,
        ops: &'a [Op],
        cfg: &'a Cfg,
        map_refs: HashMap<usize, (u16, RelocKind)>,
    ) -> Self {
        Exec {
            input,
            ops,
            cfg,
            map_refs,
            family: helpers::family(input.prog_type).unwrap_or(0),
            gpl: super::license_is_gpl_compatible(input.license),
            processed: 0,
            pruned: 0,
            seen: vec![false; ops.len()],
            depth: vec![0; cfg.subprog_starts.len()],
            grown: Vec::new(),
            trust: Default::default(),
            extra_maps: Vec::new(),
            inner_of: Vec::new(),
            key_of: Vec::new(),
            locks: super::lock_layout::spin_lock_offsets(input),
            timers: super::lock_layout::timer_offsets(input),
            kptrs: super::lock_layout::kptr_fields(input),
            fields: super::lock_layout::map_fields(input),
            async_cb: vec![false; cfg.subprog_starts.len()],
            tracer: None,
            global_called: vec![false; cfg.subprog_starts.len()],
            global_verified: vec![false; cfg.subprog_starts.len()],
            kernel_types: Default::default(),
            prune_tables: None,
            alloc_call_types: HashMap::new(),
            lookup_maps: Vec::new(),
            loop_inline: HashMap::new(),
            ptr_types: Default::default(),
            exact_decide: false,
            hist_entry: std::cell::Cell::new(false),
            alu_memo: Default::default(),
            special: Default::default(),
        }
        .with_inner_maps()
    }

    /// Numbers the inner maps of the maps of maps after the input's maps.
    fn with_inner_maps(mut self) -> Self {
        let n = self.input.maps.len();
        for m in self.input.maps {
            let inner = m.inner.map(|i| {
                let spec = i.spec(format!("{}.inner", m.name_str()));
                // The inner maps' values have the inner template's lock and special fields
                // (the kernel's inner map meta keeps its BTF record); `locks` and `fields`
                // have one entry per input map so far, so this one is at the inner map's index.
                let at = n + self.extra_maps.len();
                if self.locks.len() == at && self.fields.len() == at {
                    self.locks
                        .push(super::lock_layout::spin_lock_offset(self.input, &spec));
                    self.fields
                        .push(super::lock_layout::map_field(self.input, spec.name_str()));
                }
                self.extra_maps.push(spec);
                (n + self.extra_maps.len() - 1) as u16
            });
            self.inner_of.push(inner);
        }
        let total = n + self.extra_maps.len();
        for i in 0..total {
            let m = if i < n {
                &self.input.maps[i]
            } else {
                &self.extra_maps[i - n]
            };
            let key = MapSpec {
                name: format!("{}.key", m.name_str()).into(),
                map_type: crate::spec::MapType::Array,
                key_size: 4,
                value_size: m.key_size,
                max_entries: 1,
                flags: 1 << 7, // BPF_F_RDONLY_PROG: a key is not written
                btf: None,
                inner: None,
            };
            self.extra_maps.push(key);
            self.key_of.push((n + self.extra_maps.len() - 1) as u16);
        }
        self
    }

    /// The read-only map standing for the keys of map `m` (see [`Exec::key_of`]).
    pub(crate) fn key_map(&self, m: u16) -> u16 {
        self.key_of.get(m as usize).copied().unwrap_or(m)
    }
}
