//! Calls of the dynptr kfuncs by name ([`DynptrKfunc`]: `call bpf_dynptr_from_xdp`), checked as
//! the kernel's `check_kfunc_call` checks them (`process_dynptr_func`,
//! `mark_stack_slots_dynptr`, `is_dynptr_reg_valid_init`, the `bpf_dynptr_slice` return).
//!
//! * Who may call them: every kfunc call needs a GPL-compatible licence; `bpf_dynptr_from_xdp`
//!   is registered for XDP programs, `bpf_dynptr_from_skb` for tc (`sched_cls`, `sched_act`)
//!   and socket filters (among the program types modelled); the others for every program
//!   type. The first four need Linux 6.4, the others 6.5.
//! * The dynptr: a `struct bpf_dynptr` is 16 bytes on the stack, two 8-byte slots
//!   ([`RegVal::Dynptr`] spilled in both: the kernel's `STACK_DYNPTR`). Its argument is a
//!   stack pointer at a constant offset, a multiple of 8, at least 16 bytes below the frame's
//!   top ("cannot pass in dynptr at an offset=..."). `bpf_dynptr_from_*` and the clone of
//!   `bpf_dynptr_clone` initialise it there (any dynptr the 16 bytes overlap is destroyed
//!   first); the other arguments must point to the first slot of an
//!   initialised one ("Expected an initialized dynptr as arg #0"). The return value of
//!   `bpf_dynptr_from_*` need not be tested: a failed initialisation leaves a NULL dynptr,
//!   which the other kfuncs accept.
//! * Its slots: a load from either is refused ("invalid read from stack"), so is a helper or
//!   kfunc reading or writing memory over it ("potential write to dynptr"); a store into
//!   either destroys both halves (`destroy_if_dynptr_stack_slot`), not the slices taken from
//!   it (the kernel leaves those valid).
//! * `bpf_dynptr_slice(p, offset, buffer__opt, buffer__szk)`: the size a known constant ("R4
//!   must be a known constant"), the buffer NULL or that many bytes of the stack or a map
//!   value (written); `r0` is read-only memory of that size or NULL (a [`RegVal::RingbufOrNull`]
//!   whose `ref_id` is the dynptr's id with [`DYNPTR_SLICE`]): null-check it, read within the
//!   size, never write it ("cannot write into rdonly_mem"). A slice of an skb or xdp dynptr
//!   dies with packet pointers (a helper that changes the packet: `clear_all_pkt_pointers`).
//! * `bpf_dynptr_slice_rdwr`: the reference kernel (Linux 6.18 here) refuses every call,
//!   whatever the program type ("bpf_dynptr_slice_rdwr() is not allowed", EPERM): so does this
//!   verifier.
//! * `bpf_dynptr_adjust`, `bpf_dynptr_is_null`, `bpf_dynptr_is_rdonly`, `bpf_dynptr_size`:
//!   an initialised dynptr (and numbers); `r0` is a number.
//!
//! * The helpers `bpf_dynptr_read(dst, len, src, offset, flags)` (201) and
//!   `bpf_dynptr_write(dst, offset, src, len, flags)` (202, Linux 5.19, every program type):
//!   an initialised dynptr of any kind, memory of the length's largest value (written by the
//!   read, read by the write); writing an skb dynptr invalidates the packet pointers and the
//!   slices (`changes_data`).
//!
//! * Ring buffer dynptrs (helpers 198-200, Linux 5.19): `bpf_ringbuf_reserve_dynptr(map,
//!   size, flags, ptr)` makes one holding a new reference (also when the reservation fails:
//!   discard it then); `bpf_ringbuf_submit_dynptr` / `bpf_ringbuf_discard_dynptr` release it,
//!   its clones and every slice of them. A store over one is refused ("cannot overwrite
//!   referenced dynptr"); one still held at the exit is a leak.
//!
//! * The local dynptr: `bpf_dynptr_from_mem(data, size, flags, ptr)` (197, Linux 5.19) over
//!   `size` bytes of a map value (no other memory).
//!
//! * `bpf_dynptr_data(ptr, offset, len)` (203, Linux 5.19, every program type: the kernel's
//!   `bpf_base_func_proto` for a `CAP_BPF` loader): an initialised dynptr of any kind, any
//!   offset (`ARG_ANYTHING`), a known constant length (`ARG_CONST_ALLOC_SIZE_OR_ZERO`: "R3 is
//!   not a known constant"); `r0` is writable memory of that length or NULL (a
//!   [`RegVal::RingbufOrNull`] whose `ref_id` is the dynptr's id with [`DYNPTR_DATA`]: the
//!   kernel's `PTR_TO_MEM | PTR_MAYBE_NULL` with the dynptr's `dynptr_id` and `ref_obj_id`). It
//!   dies with the dynptr: with a ring buffer dynptr's reference, and when an unreferenced
//!   dynptr's slots are overwritten (`destroy_if_dynptr_stack_slot` invalidates its plain
//!   `PTR_TO_MEM` slices). Over an skb or xdp dynptr the helper returns NULL at run time; the
//!   kernel verifies the other path all the same, and so does this verifier.

use super::*;
use crate::spec::ProgramType;
use crate::verifier::domain::state::SLOTS;
use crate::xdp::dynptr::DynptrKfunc;

/// `BPF_FUNC_dynptr_from_mem`.
const DYNPTR_FROM_MEM: i32 = 197;
/// `BPF_FUNC_ringbuf_reserve_dynptr`.
const RINGBUF_RESERVE_DYNPTR: i32 = 198;
/// `BPF_FUNC_ringbuf_submit_dynptr`.
const RINGBUF_SUBMIT_DYNPTR: i32 = 199;
/// `BPF_FUNC_ringbuf_discard_dynptr`.
const RINGBUF_DISCARD_DYNPTR: i32 = 200;
/// `BPF_FUNC_dynptr_read`.
const DYNPTR_READ: i32 = 201;
/// `BPF_FUNC_dynptr_write`.
const DYNPTR_WRITE: i32 = 202;
/// `BPF_FUNC_dynptr_data`.
const DYNPTR_DATA_HELPER: i32 = 203;

/// Destroys the dynptr one of whose halves is slot `slot` of frame `f`, if there is one: both
/// halves become unknown bytes (the kernel's `destroy_if_dynptr_stack_slot`; the slices of
/// `bpf_dynptr_slice` survive it: the kernel only invalidates plain `PTR_TO_MEM` there, and a
/// slice is `PTR_TO_MEM | MEM_RDONLY | DYNPTR_TYPE_*`). A dynptr holding a reference (ring
/// buffer) cannot be overwritten: `Err` gives its offset.
pub(crate) fn destroy_dynptr(st: &mut State, f: usize, slot: usize) -> Result<(), i64> {
    let Some(Slot::Spill(RegVal::Dynptr {
        first, ref_id, id, ..
    })) = st.frames[f].stack.get(slot).copied()
    else {
        return Ok(());
    };
    let lo = if first { slot } else { slot.saturating_sub(1) };
    if ref_id != 0 {
        return Err(lo as i64 * 8 - 512);
    }
    for i in lo..(lo + 2).min(SLOTS) {
        if matches!(st.frames[f].stack[i], Slot::Spill(RegVal::Dynptr { .. })) {
            st.frames[f].stack[i] = Slot::Bytes([Byte::Misc; 8]);
        }
    }
    // Its `bpf_dynptr_data` memory dies with it (not its read-only `bpf_dynptr_slice`s).
    let data = id | DYNPTR_DATA;
    st.for_each_reg(|r| match r {
        RegVal::Ringbuf { ref_id, .. } | RegVal::RingbufOrNull { ref_id, .. }
            if *ref_id == data =>
        {
            *r = RegVal::Scalar(Scalar::UNKNOWN)
        }
        _ => {}
    });
    Ok(())
}

/// The refusal of a store over a referenced dynptr at `off` (`destroy_if_dynptr_stack_slot`).
pub(crate) fn overwrite_error(pc: usize, off: i64) -> VerifierError {
    e(
        pc,
        Rule::StackAccess,
        format!(
            "this would overwrite the ring buffer dynptr at r10 {off:+}, which holds a reference: submit or discard it first (the kernel: `cannot overwrite referenced dynptr`)"
        ),
    )
}

/// The first slot of `lo..hi` (slot indices) of frame `f` holding half of a dynptr.
pub(crate) fn dynptr_in(st: &State, f: usize, lo: usize, hi: usize) -> Option<usize> {
    (lo..hi.min(SLOTS)).find(|&i| {
        matches!(
            st.frames.get(f).map(|fr| &fr.stack[i]),
            Some(Slot::Spill(RegVal::Dynptr { .. }))
        )
    })
}

impl<'a> Exec<'a> {
    /// `call` of the dynptr kfunc `k` by name.
    pub(crate) fn call_dynptr_kfunc(&mut self, pc: usize, st: &mut State, k: DynptrKfunc) -> R<()> {
        let full = k.name();
        self.check_dynptr_kfunc_allowed(pc, k)?;
        let args = match k {
            DynptrKfunc::FromSkb | DynptrKfunc::FromXdp | DynptrKfunc::Adjust => 3,
            DynptrKfunc::Slice | DynptrKfunc::SliceRdwr => 4,
            DynptrKfunc::Clone | DynptrKfunc::XdpPullData => 2,
            DynptrKfunc::IsNull | DynptrKfunc::IsRdonly | DynptrKfunc::Size => 1,
        };
        let mut regs = Vec::with_capacity(args);
        for r in 1..=args as u8 {
            regs.push(self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes {args} arguments, but {}", err.message);
                err
            })?);
        }
        let scalar = |this: &Self, r: u8| -> R<()> {
            let v = &regs[r as usize - 1];
            if matches!(v, RegVal::Scalar(_)) {
                return Ok(());
            }
            Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects a number in r{r}, but r{r} is {} (the kernel: `R{r} is not a scalar`)",
                    this.describe(v)
                ),
            ))
        };
        let r0 = match k {
            DynptrKfunc::FromSkb | DynptrKfunc::FromXdp => {
                if regs[0] != (RegVal::Ctx { off: 0 }) {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects the context pointer (the program's r1 at entry) in r1, but r1 is {}",
                            self.describe(&regs[0])
                        ),
                    ));
                }
                scalar(self, 2)?;
                let kind = if k == DynptrKfunc::FromSkb {
                    DynptrKind::Skb
                } else {
                    DynptrKind::Xdp
                };
                let place = self.dynptr_place(pc, st, full, 3, &regs[2], true)?;
                self.make_dynptr(pc, st, place, kind, 0)?;
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            DynptrKfunc::Clone => {
                let (kind, _, ref_id) = self.dynptr_init(pc, st, full, 1, &regs[0])?;
                let place = self.dynptr_place(pc, st, full, 2, &regs[1], true)?;
                // A clone of a ring buffer dynptr shares its reference.
                self.make_dynptr(pc, st, place, kind, ref_id)?;
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            DynptrKfunc::Slice | DynptrKfunc::SliceRdwr => {
                let (_, id, _) = self.dynptr_init(pc, st, full, 1, &regs[0])?;
                scalar(self, 2)?;
                let size = match &regs[3] {
                    RegVal::Scalar(s) => s.as_const().filter(|c| *c < MAX_VAR_OFF as u64),
                    _ => None,
                };
                let Some(size) = size else {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects the slice's size in r4, a known constant (the kernel: `R4 must be a known constant`), but r4 is {}",
                            self.describe(&regs[3])
                        ),
                    ));
                };
                let buf = regs[2];
                let null = matches!(buf, RegVal::Scalar(z) if z.as_const() == Some(0));
                if !null {
                    if !matches!(buf, RegVal::Stack { .. } | RegVal::MapValue { .. }) {
                        return Err(e(
                            pc,
                            Rule::HelperArgument,
                            format!(
                                "{full} expects in r3 NULL or a buffer of r4 = {size} bytes (on the stack or in a map value), but r3 is {}",
                                self.describe(&buf)
                            ),
                        ));
                    }
                    let name = full.strip_prefix("bpf_").unwrap_or(full);
                    if let Some(w) = self.check_helper_mem(pc, st, 3, &buf, size, true, name)? {
                        mark_written(st, &w);
                    }
                }
                // Before SLICE_RDWR_REFUSED (6.18) a program that may write the packet gets
                // a writable slice; it is taken here as the read-only one (its writes are
                // refused: a false reject only).
                let rdwr_ok = self.input.kernel < KernelVersion::SLICE_RDWR_REFUSED
                    && matches!(
                        self.input.prog_type,
                        ProgramType::Xdp | ProgramType::SchedCls | ProgramType::SchedAct
                    );
                if k == DynptrKfunc::SliceRdwr && !rdwr_ok {
                    return Err(e(
                        pc,
                        Rule::HelperNotAllowed,
                        "bpf_dynptr_slice_rdwr() is not allowed (the reference kernel, Linux 6.18, refuses every call of it); take a read-only slice with bpf_dynptr_slice, or write with direct packet access",
                    ));
                }
                RegVal::RingbufOrNull {
                    size: size as u32,
                    id: st.fresh(),
                    ref_id: id | DYNPTR_SLICE,
                }
            }
            DynptrKfunc::Adjust => {
                self.dynptr_init(pc, st, full, 1, &regs[0])?;
                scalar(self, 2)?;
                scalar(self, 3)?;
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            DynptrKfunc::IsNull | DynptrKfunc::IsRdonly | DynptrKfunc::Size => {
                self.dynptr_init(pc, st, full, 1, &regs[0])?;
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            DynptrKfunc::XdpPullData => {
                if regs[0] != (RegVal::Ctx { off: 0 }) {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full} expects the context pointer (the program's r1 at entry) in r1, but r1 is {} (the kernel: `arg#0 expected pointer to ctx`)",
                            self.describe(&regs[0])
                        ),
                    ));
                }
                scalar(self, 2)?;
                // A packet-changing kfunc (the kernel's is_kfunc_pkt_changing): the packet may
                // move, so every packet pointer of every frame becomes unusable.
                st.for_each_reg(|r| {
                    if r.is_packet() {
                        *r = RegVal::Scalar(Scalar::UNKNOWN);
                    }
                });
                RegVal::Scalar(Scalar::UNKNOWN)
            }
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, r0);
        Ok(())
    }

    /// `call` of the dynptr helpers `bpf_dynptr_read` (201) and `bpf_dynptr_write` (202), which
    /// the helper table does not list (their dynptr argument is checked here); `None` for any
    /// other helper.
    pub(crate) fn call_dynptr_helper(
        &mut self,
        pc: usize,
        st: &mut State,
        id: i32,
    ) -> Option<R<()>> {
        let name = match id {
            DYNPTR_READ => "bpf_dynptr_read",
            DYNPTR_WRITE => "bpf_dynptr_write",
            RINGBUF_RESERVE_DYNPTR => "bpf_ringbuf_reserve_dynptr",
            RINGBUF_SUBMIT_DYNPTR => "bpf_ringbuf_submit_dynptr",
            RINGBUF_DISCARD_DYNPTR => "bpf_ringbuf_discard_dynptr",
            DYNPTR_FROM_MEM => "bpf_dynptr_from_mem",
            DYNPTR_DATA_HELPER => "bpf_dynptr_data",
            _ => return None,
        };
        if self.input.kernel < KernelVersion::since(5, 19) {
            return Some(Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{name} needs Linux 5.19, but the target kernel is {} (see verifier::target)",
                    self.input.kernel
                ),
            )));
        }
        Some(match id {
            DYNPTR_READ | DYNPTR_WRITE => self.dynptr_helper(pc, st, id, name),
            DYNPTR_FROM_MEM => self.dynptr_from_mem(pc, st, name),
            DYNPTR_DATA_HELPER => self.dynptr_data(pc, st, name),
            _ => self.ringbuf_dynptr_helper(pc, st, id, name),
        })
    }

    /// `bpf_dynptr_from_mem(data, size, flags, ptr)`: `size` bytes of a map value (written:
    /// `ARG_PTR_TO_UNINIT_MEM`; the kernel takes no other memory: "Unsupported reg type ... for
    /// bpf_dynptr_from_mem data"), a number, an uninitialised dynptr, which becomes a local
    /// one.
    fn dynptr_from_mem(&mut self, pc: usize, st: &mut State, full: &str) -> R<()> {
        let mut regs = [RegVal::NotInit; 4];
        for r in 1..=4u8 {
            regs[r as usize - 1] = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes 4 arguments, but {}", err.message);
                err
            })?;
        }
        let len = match &regs[1] {
            RegVal::Scalar(s) if s.smin >= 0 && s.umax < MAX_VAR_OFF as u64 => s.umax,
            v => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                    "{full} expects the size in r2, a bounded non-negative number, but r2 is {}",
                    self.describe(v)
                ),
                ))
            }
        };
        if !matches!(regs[0], RegVal::MapValue { .. }) {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects a pointer into a map value in r1 (the kernel: `Unsupported reg type ... for bpf_dynptr_from_mem data`), but r1 is {}",
                    self.describe(&regs[0])
                ),
            ));
        }
        let name = full.strip_prefix("bpf_").unwrap_or(full);
        self.check_helper_mem(pc, st, 1, &regs[0], len, true, name)?;
        let place = self.dynptr_place(pc, st, full, 4, &regs[3], true)?;
        self.make_dynptr(pc, st, place, DynptrKind::Local, 0)?;
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(())
    }

    /// `bpf_ringbuf_reserve_dynptr(map, size, flags, ptr)`: a ring buffer map, two numbers,
    /// an uninitialised dynptr, which becomes a ring buffer dynptr holding a new reference (even
    /// when the reservation fails: it must be discarded then too);
    /// `bpf_ringbuf_submit_dynptr(ptr, flags)` / `bpf_ringbuf_discard_dynptr(ptr, flags)`: a
    /// ring buffer dynptr, whose reference is released: it, its clones and their slices die
    /// (`unmark_stack_slots_dynptr`).
    fn ringbuf_dynptr_helper(&mut self, pc: usize, st: &mut State, id: i32, full: &str) -> R<()> {
        let args = if id == RINGBUF_RESERVE_DYNPTR { 4 } else { 2 };
        let mut regs = [RegVal::NotInit; 4];
        for r in 1..=args as u8 {
            regs[r as usize - 1] = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes {args} arguments, but {}", err.message);
                err
            })?;
        }
        if id == RINGBUF_RESERVE_DYNPTR {
            // A ring buffer map, named or the inner map of a map of maps (null-checked).
            let ok = match regs[0] {
                RegVal::MapPtr { map } => self.map(map).map_type == crate::spec::MapType::Ringbuf,
                RegVal::Opaque { map } => {
                    self.is_inner_map(map)
                        && self.map(map).map_type == crate::spec::MapType::Ringbuf
                }
                _ => false,
            };
            if !ok {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects a ring buffer map (`r1 = my_ringbuf ll`) in r1, but r1 is {}",
                        self.describe(&regs[0])
                    ),
                ));
            }
            let place = self.dynptr_place(pc, st, full, 4, &regs[3], true)?;
            let rf = st.fresh();
            self.make_dynptr(pc, st, place, DynptrKind::Ringbuf, rf)?;
            st.refs.push(rf);
            for r in 1..=5 {
                self.set(st, r, RegVal::NotInit);
            }
            self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
            return Ok(());
        }
        let (kind, _, rf) = self.dynptr_init(pc, st, full, 1, &regs[0])?;
        if kind != DynptrKind::Ringbuf || rf == 0 {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects a ring buffer dynptr (from bpf_ringbuf_reserve_dynptr) at r1, but it is {} (the kernel: `Expected a dynptr of type ringbuf as arg #0`)",
                    self.describe(&RegVal::Dynptr { kind, first: true, id: 0, ref_id: rf })
                ),
            ));
        }
        // The reference, every dynptr sharing it (clones) and their slices
        // (`unmark_stack_slots_dynptr`, `release_reference`).
        st.refs.retain(|x| *x != rf);
        let slice = rf | DYNPTR_MEM | DYNPTR_SLICE;
        let data = rf | DYNPTR_MEM | DYNPTR_DATA;
        st.for_each_reg(|r| match r {
            RegVal::Ringbuf { ref_id, .. } | RegVal::RingbufOrNull { ref_id, .. }
                if *ref_id == slice || *ref_id == data =>
            {
                *r = RegVal::Scalar(Scalar::UNKNOWN)
            }
            _ => {}
        });
        for fr in &mut st.frames {
            for i in 0..SLOTS {
                if matches!(fr.stack[i], Slot::Spill(RegVal::Dynptr { ref_id, .. }) if ref_id == rf)
                {
                    fr.stack[i] = Slot::Bytes([Byte::Misc; 8]);
                }
            }
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        self.set(st, 0, RegVal::NotInit);
        Ok(())
    }

    /// `bpf_dynptr_data(ptr, offset, len)`: see the module's documentation.
    fn dynptr_data(&mut self, pc: usize, st: &mut State, full: &str) -> R<()> {
        let mut regs = [RegVal::NotInit; 3];
        for r in 1..=3u8 {
            regs[r as usize - 1] = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes 3 arguments, but {}", err.message);
                err
            })?;
        }
        let (_, id, _) = self.dynptr_init(pc, st, full, 1, &regs[0])?;
        // Any constant (`ARG_CONST_ALLOC_SIZE_OR_ZERO`); the slice's size is its low 32 bits
        // (the kernel's `int mem_size`), the helper gives NULL at run time past the data.
        let size = match &regs[2] {
            RegVal::Scalar(s) => s.as_const(),
            _ => None,
        };
        let Some(size) = size else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{full} expects the length in r3, a known constant (the kernel: `R3 is not a known constant`), but r3 is {}",
                    self.describe(&regs[2])
                ),
            ));
        };
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        let r0 = RegVal::RingbufOrNull {
            size: size as u32,
            id: st.fresh(),
            ref_id: id | DYNPTR_DATA,
        };
        self.set(st, 0, r0);
        Ok(())
    }

    /// The rules and effects of `bpf_dynptr_read(dst, len, src, offset, flags)` and
    /// `bpf_dynptr_write(dst, offset, src, len, flags)`.
    fn dynptr_helper(&mut self, pc: usize, st: &mut State, id: i32, full: &str) -> R<()> {
        let mut regs = [RegVal::NotInit; 5];
        for r in 1..=5u8 {
            regs[r as usize - 1] = self.read(st, pc, r).map_err(|mut err| {
                err.message = format!("{full} takes 5 arguments, but {}", err.message);
                err
            })?;
        }
        // (memory register, size register, written)
        let (mem, size, dynptr, write) = if id == DYNPTR_READ {
            (1u8, 2u8, 3u8, true)
        } else {
            (3, 4, 1, false)
        };
        let (kind, ..) = self.dynptr_init(pc, st, full, dynptr, &regs[dynptr as usize - 1])?;
        let len = match &regs[size as usize - 1] {
            RegVal::Scalar(s) if s.smin >= 0 && s.umax < MAX_VAR_OFF as u64 => s.umax,
            v => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects the length in r{size}, a bounded non-negative number, but r{size} is {}",
                        self.describe(v)
                    ),
                ))
            }
        };
        let name = full.strip_prefix("bpf_").unwrap_or(full);
        let v = regs[mem as usize - 1];
        // `bpf_dynptr_read`'s destination is `ARG_PTR_TO_UNINIT_MEM` (only written).
        let w = if write {
            self.check_helper_out(pc, st, mem, &v, len, name)?
        } else {
            self.check_helper_mem(pc, st, mem, &v, len, false, name)?
        };
        if let Some(w) = w {
            mark_written(st, &w);
        }
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        // Writing an skb dynptr may move the packet (`changes_data`).
        if id == DYNPTR_WRITE && kind == DynptrKind::Skb {
            st.for_each_reg(|r| {
                if r.is_packet() {
                    *r = RegVal::Scalar(Scalar::UNKNOWN);
                }
            });
        }
        self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
        Ok(())
    }

    /// Licence, program type and target kernel of a call of `k`.
    fn check_dynptr_kfunc_allowed(&self, pc: usize, k: DynptrKfunc) -> R<()> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        let pt = self.input.prog_type;
        let who = match k {
            DynptrKfunc::FromXdp | DynptrKfunc::XdpPullData if pt != ProgramType::Xdp => {
                Some("xdp programs")
            }
            DynptrKfunc::FromSkb
                if !matches!(
                    pt,
                    ProgramType::SchedCls | ProgramType::SchedAct | ProgramType::SocketFilter
                ) =>
            {
                Some("programs with a struct __sk_buff context (sched_cls, sched_act, socket_filter, ...)")
            }
            _ => None,
        };
        if let Some(who) = who {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!(
                    "{full} can only be called from {who}, not from {pt} programs (the kernel: `calling kernel function {full} is not allowed`)"
                ),
            ));
        }
        Ok(())
    }

    /// Where the dynptr argument in `r` (value `v`) points: its frame and first slot
    /// (`dynptr_get_spi`): a stack pointer at a constant offset, a multiple of 8, with room
    /// for the 16 bytes below the frame's top. `uninit`: the kfunc initialises it.
    fn dynptr_place(
        &mut self,
        pc: usize,
        st: &State,
        full: &str,
        r: u8,
        v: &RegVal,
        uninit: bool,
    ) -> R<(usize, usize)> {
        let (frame, off) = match v {
            RegVal::Stack { frame, off } => (*frame, *off as i64),
            RegVal::StackVar { frame, off, var } => match var.as_const() {
                Some(c) => (*frame, *off as i64 + c as i64),
                None => {
                    return Err(e(
                        pc,
                        Rule::HelperArgument,
                        format!(
                            "{full}: r{r} is {}, but a dynptr has to be at a constant offset",
                            self.describe(v)
                        ),
                    ))
                }
            },
            _ => {
                return Err(e(
                    pc,
                    Rule::HelperArgument,
                    format!(
                        "{full} expects a pointer to a struct bpf_dynptr on the stack in r{r} (the kernel: `arg#{} expected pointer to stack or const struct bpf_dynptr`), but r{r} is {}",
                        r - 1,
                        self.describe(v)
                    ),
                ))
            }
        };
        if off % 8 != 0 || off > -16 {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "{full}: a struct bpf_dynptr takes 16 bytes at an offset that is a multiple of 8, but r{r} is r10 {off:+} (the kernel: `cannot pass in dynptr at an offset={off}`)"
                ),
            ));
        }
        let f = frame as usize;
        if off < -512 || f >= st.frames.len() {
            let why = if uninit {
                "outside the stack frame"
            } else {
                "no initialized dynptr"
            };
            return Err(e(
                pc,
                Rule::StackAccess,
                format!("{full}: r{r} is r10 {off:+}, {why}"),
            ));
        }
        if uninit {
            self.note_depth(st, f, off as i32);
        }
        Ok((f, ((off + 512) / 8) as usize))
    }

    /// An initialised dynptr argument (`is_dynptr_reg_valid_init`): its kind, id and
    /// reference.
    pub(crate) fn dynptr_init(
        &mut self,
        pc: usize,
        st: &State,
        full: &str,
        r: u8,
        v: &RegVal,
    ) -> R<(DynptrKind, u32, u32)> {
        let (f, i) = self.dynptr_place(pc, st, full, r, v, false)?;
        let stack = &st.frames[f].stack;
        if let (
            Slot::Spill(RegVal::Dynptr {
                kind,
                first: true,
                id,
                ref_id,
            }),
            Some(Slot::Spill(RegVal::Dynptr {
                first: false,
                id: id2,
                ..
            })),
        ) = (&stack[i], stack.get(i + 1))
        {
            if id == id2 {
                return Ok((*kind, *id, *ref_id));
            }
        }
        Err(e(
            pc,
            Rule::HelperArgument,
            format!(
                "{full} expects an initialized dynptr (from bpf_dynptr_from_xdp, bpf_dynptr_from_skb or bpf_dynptr_clone) at r{r}, but {} holds none (the kernel: `Expected an initialized dynptr as arg #{}`)",
                self.describe(v),
                r - 1
            ),
        ))
    }

    /// A new dynptr of `kind` in slots `i` and `i + 1` of frame `f`, after destroying the
    /// dynptrs those slots held (`mark_stack_slots_dynptr`); `ref_id`: the reference it holds.
    fn make_dynptr(
        &self,
        pc: usize,
        st: &mut State,
        (f, i): (usize, usize),
        kind: DynptrKind,
        ref_id: u32,
    ) -> R<()> {
        for slot in [i, i + 1] {
            destroy_dynptr(st, f, slot).map_err(|off| overwrite_error(pc, off))?;
        }
        // A ring buffer dynptr is known by its reference, shared with its clones, so that
        // the release finds every slice of them.
        let id = match kind {
            DynptrKind::Ringbuf => ref_id | DYNPTR_MEM,
            DynptrKind::Local => st.fresh() | DYNPTR_MEM,
            DynptrKind::Skb | DynptrKind::Xdp => st.fresh(),
        };
        let stack = &mut st.frames[f].stack;
        for (slot, first) in [(i, true), (i + 1, false)] {
            stack[slot] = Slot::Spill(RegVal::Dynptr {
                kind,
                first,
                id,
                ref_id,
            });
        }
        Ok(())
    }

    /// Refuses an access of stack bytes `lo..hi` (frame offsets) of frame `f` by a helper,
    /// a kfunc or a variable-offset instruction when they overlap a dynptr (the kernel:
    /// `invalid read from stack` / `potential write to dynptr`).
    pub(crate) fn check_no_dynptr(
        &self,
        pc: usize,
        st: &State,
        f: usize,
        lo: i64,
        hi: i64,
        what: &dyn std::fmt::Display,
    ) -> R<()> {
        if hi <= lo || lo < -512 {
            return Ok(());
        }
        let (a, b) = (((lo + 512) / 8) as usize, ((hi + 511) / 8) as usize + 1);
        if let Some(i) = super::iter::iter_in(st, f, a, b) {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "{what} r10 {lo:+} .. r10 {hi:+}, which overlaps an open-coded iterator (at r10 {:+}): its bytes may only be passed to the iterator kfuncs (the kernel: `invalid read from stack` / the iterator's reference unreleased)",
                    i as i64 * 8 - 512
                ),
            ));
        }
        match dynptr_in(st, f, a, b) {
            None => Ok(()),
            Some(i) => Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "{what} r10 {lo:+} .. r10 {hi:+}, which overlaps a struct bpf_dynptr (at r10 {:+}): its bytes may only be passed to the dynptr kfuncs",
                    i as i64 * 8 - 512
                ),
            )),
        }
    }
}

#[cfg(test)]
#[path = "dynptr_tests.rs"]
mod tests;
