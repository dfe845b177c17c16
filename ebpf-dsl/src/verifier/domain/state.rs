//! The abstract machine state: register types, stack slots, call frames, acquired references;
//! and the "is this new state covered by an already-verified one" test used for pruning.

use std::ops::{Index, IndexMut};
use std::rc::Rc;

use super::scalar::Scalar;

/// Which packet pointer family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PktKind {
    /// `PTR_TO_PACKET` (from `data`), bounded by `data_end`.
    Data,
    /// `PTR_TO_PACKET_META` (from `data_meta`), bounded by `data`.
    Meta,
}

/// The abstract value of a register (the kernel's `bpf_reg_state`, simplified). `Copy`: a
/// state's registers and slots are copied as plain memory when it is cloned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum RegVal {
    /// Never written (`NOT_INIT`).
    #[default]
    NotInit,
    /// A number.
    Scalar(Scalar),
    /// `PTR_TO_CTX` plus a constant offset.
    Ctx {
        /// Constant offset.
        off: i32,
    },
    /// `PTR_TO_CTX` plus a constant and a variable offset: the kernel allows the arithmetic
    /// (`adjust_ptr_min_max_vals`) but refuses every access through it and every argument
    /// made of it (`__check_ptr_off_reg`: "variable ctx access var_off=... disallowed"), so it
    /// can only be moved, spilled, compared or offset again.
    CtxVar {
        /// Constant offset.
        off: i32,
        /// Variable offset (not constant).
        var: Scalar,
    },
    /// `PTR_TO_STACK`: frame `frame`'s frame pointer plus `off`.
    Stack {
        /// Call frame index (0 = main program).
        frame: u8,
        /// Offset from that frame's `r10`.
        off: i32,
    },
    /// `PTR_TO_STACK` with a variable part: frame `frame`'s `r10` + `off` + `var`.
    StackVar {
        /// Call frame index (0 = main program).
        frame: u8,
        /// Constant part of the offset.
        off: i32,
        /// Variable part of the offset.
        var: Scalar,
    },
    /// `PTR_TO_PACKET` / `PTR_TO_PACKET_META`: start + `var` + `off`; bytes `0..range` past
    /// start + `var` are proven readable. Pointers with the same `id` share `var`.
    Pkt {
        /// Data or metadata.
        kind: PktKind,
        /// Constant part of the offset.
        off: i32,
        /// Variable part of the offset.
        var: Scalar,
        /// Identity of the variable part (0: none).
        id: u32,
        /// Proven-safe length.
        range: i32,
    },
    /// `PTR_TO_PACKET_END` (`data_end`).
    PktEnd,
    /// `PTR_TO_FUNC`: the address of the function starting at instruction `target` (a
    /// callback, `r2 = my_callback ll`).
    Func {
        /// The function's first instruction.
        target: u32,
    },
    /// `CONST_PTR_TO_MAP`: the map at index `map` of the input.
    MapPtr {
        /// Index into [`super::VerifyInput::maps`].
        map: u16,
    },
    /// `PTR_TO_MAP_VALUE` + `off` + `var`.
    MapValue {
        /// Index into [`super::VerifyInput::maps`].
        map: u16,
        /// Constant offset.
        off: i32,
        /// Variable offset.
        var: Scalar,
        /// Which value (0: not tracked): the lookup a pointer into a value holding a
        /// `bpf_spin_lock` comes from (the kernel keeps `reg->id` after the null check for
        /// these), so that the lock taken and the lock released are known to be the same.
        id: u32,
    },
    /// `PTR_TO_MAP_VALUE_OR_NULL` (a lookup result before its null check).
    MapValueOrNull {
        /// Index into [`super::VerifyInput::maps`].
        map: u16,
        /// Shared by copies, so a null check marks them all.
        id: u32,
    },
    /// A non-null pointer the program may not dereference (an XSKMAP / DEVMAP entry).
    Opaque {
        /// Index into [`super::VerifyInput::maps`].
        map: u16,
    },
    /// [`RegVal::Opaque`] or NULL.
    OpaqueOrNull {
        /// Index into [`super::VerifyInput::maps`].
        map: u16,
        /// Shared by copies.
        id: u32,
    },
    /// Ring buffer memory from `bpf_ringbuf_reserve` (must be submitted or discarded); also
    /// the kernel's other `PTR_TO_MEM` of a known size: a global function's memory argument
    /// (`ref_id` 0) and a read-only slice of a packet dynptr (`ref_id` with [`DYNPTR_SLICE`]).
    Ringbuf {
        /// Reserved size.
        size: u32,
        /// Constant offset.
        off: i32,
        /// Variable offset.
        var: Scalar,
        /// The reference it holds (0: none; with [`DYNPTR_SLICE`]: none, a dynptr slice).
        ref_id: u32,
    },
    /// [`RegVal::Ringbuf`] or NULL.
    RingbufOrNull {
        /// Reserved size.
        size: u32,
        /// Shared by copies.
        id: u32,
        /// The reference it holds.
        ref_id: u32,
    },
    /// `PTR_TO_SOCKET` / `PTR_TO_SOCK_COMMON` from a socket lookup (must be released with
    /// `bpf_sk_release`); no arithmetic, reads of some `struct bpf_sock` fields only.
    Sock {
        /// `PTR_TO_SOCK_COMMON` (from `bpf_skc_lookup_tcp`) rather than a full socket.
        common: bool,
        /// The reference it holds.
        ref_id: u32,
    },
    /// [`RegVal::Sock`] or NULL.
    SockOrNull {
        /// `PTR_TO_SOCK_COMMON_OR_NULL` rather than `PTR_TO_SOCKET_OR_NULL`.
        common: bool,
        /// Shared by copies.
        id: u32,
        /// The reference it holds.
        ref_id: u32,
    },
    /// `PTR_TO_BTF_ID` of a socket structure from a `bpf_skc_to_*` cast (`tcp_sock`, ...): it
    /// can be passed to `bpf_sk_release` (when it holds a reference) and to the other casts
    /// (a constant added gives a [`RegVal::BtfObjAt`]);
    /// its fields are not modelled (reads are refused), writes are refused as by the kernel.
    /// With `ty` `"bpf_tcp_sock"` it is the kernel's `PTR_TO_TCP_SOCK` from `bpf_tcp_sock`,
    /// whose `struct bpf_tcp_sock` fields may be read.
    BtfSock {
        /// The kernel structure it points to (`tcp_sock`, `udp6_sock`, ...).
        ty: &'static str,
        /// The reference it shares with the socket it was cast from (0: none).
        ref_id: u32,
    },
    /// [`RegVal::BtfSock`] or NULL.
    BtfSockOrNull {
        /// The kernel structure it points to.
        ty: &'static str,
        /// Shared by copies.
        id: u32,
        /// The reference it shares with the socket it was cast from (0: none).
        ref_id: u32,
    },
    /// `PTR_TO_BTF_ID` of a kernel object a kfunc returned (`struct nf_conn` from the
    /// conntrack kfuncs): trusted, passed to the kfuncs taking that structure, released by its
    /// release kfunc; a constant added gives a [`RegVal::BtfObjAt`]; reads of the scalar fields of the structure's layout
    /// (`verifier::transfer::call::kfunc_nf`).
    KObj {
        /// The kernel structure (`nf_conn`, `nf_conn___init`).
        ty: &'static str,
        /// The reference it holds (0: none).
        ref_id: u32,
    },
    /// A [`RegVal::KObj`] (`kobj`) or a [`RegVal::BtfSock`] cast (not `PTR_TO_TCP_SOCK`) plus a
    /// nonzero constant offset (`PTR_TO_BTF_ID` arithmetic): its fields are read (and
    /// `nf_conn.mark` written) at the offset plus the access's; no helper or kfunc takes it
    /// (the kernel wants a zero offset for release and trusted arguments), and it is
    /// invalidated with the reference it shares.
    BtfObjAt {
        /// The kernel structure (`nf_conn`, `tcp_sock`, ...).
        ty: &'static str,
        /// A kfunc's object ([`RegVal::KObj`]) rather than a socket cast.
        kobj: bool,
        /// Constant offset from the structure's start (never 0: offset 0 is the object).
        off: i32,
        /// The reference it shares with the object (0: none).
        ref_id: u32,
    },
    /// [`RegVal::KObj`] or NULL.
    KObjOrNull {
        /// The kernel structure.
        ty: &'static str,
        /// Shared by copies.
        id: u32,
        /// The reference it holds (0: none).
        ref_id: u32,
    },
    /// One of the two 8-byte halves of a `struct bpf_dynptr` on the stack (the kernel's
    /// `STACK_DYNPTR` slots): only ever in a [`Slot::Spill`], never in a register; a load of
    /// it is refused, a store into either half destroys both
    /// (`verifier::transfer::call::dynptr`).
    Dynptr {
        /// What it points into.
        kind: DynptrKind,
        /// The first (lower) half, where a dynptr argument points.
        first: bool,
        /// The dynptr's identity, shared by the two halves and by the slices taken from it
        /// (theirs is `id | DYNPTR_SLICE`); for a ring buffer dynptr, its reference with
        /// [`DYNPTR_MEM`] (its clones share it).
        id: u32,
        /// The reference a ring buffer dynptr holds (shared with its clones; 0: none).
        ref_id: u32,
    },
    /// One 8-byte slot of an open-coded iterator on the stack (`struct bpf_iter_num`, 8 bytes;
    /// `struct bpf_iter_bits`, 16): the kernel's `STACK_ITER` slots. Only ever in a
    /// [`Slot::Spill`], never in a register; loads and stores over it are refused, only the
    /// iterator kfuncs take it (`verifier::transfer::call::iter`).
    Iter {
        /// Which iterator.
        kind: crate::xdp::iter::IterKind,
        /// The first (lower) slot, where the iterator's pointer points.
        first: bool,
        /// The reference it holds until `bpf_iter_*_destroy` (in [`State::refs`]).
        ref_id: u32,
        /// `BPF_ITER_STATE_DRAINED` (`next` returned NULL) rather than `ACTIVE`.
        drained: bool,
        /// The rounds of `next` it went through (the kernel's `iter.depth`): never compared
        /// for pruning, only to tell a loop that makes progress from one that does not
        /// (`iter_active_depths_differ`).
        depth: u32,
    },
    /// `PTR_TO_BTF_ID` of a structure of the kernel's BTF ([`super::super::VerifyInput::vmlinux`]),
    /// holding no reference: the result of `bpf_cast_to_kern_ctx` or `bpf_rdonly_cast`, or a
    /// pointer member read through another such pointer (`transfer/btf_access.rs`); its fields
    /// may be read (never written), a constant may be added to it.
    BtfPtr {
        /// The structure's type id in the kernel's BTF.
        ty: u32,
        /// Constant offset from the structure's start.
        off: i32,
        /// Its type flags.
        trust: BtfTrust,
    },
    /// [`RegVal::BtfPtr`] or NULL (`PTR_MAYBE_NULL`: an RCU or trusted pointer member the
    /// kernel lists as possibly NULL).
    BtfPtrOrNull {
        /// The structure's type id in the kernel's BTF.
        ty: u32,
        /// Its type flags once null-checked.
        trust: BtfTrust,
        /// Shared by copies.
        id: u32,
    },
    /// `PTR_TO_BTF_ID | MEM_ALLOC`: an object of a struct type of the program's own BTF
    /// ([`super::super::VerifyInput::program_types`]) from `bpf_obj_new` or `bpf_kptr_xchg`,
    /// which the program owns (`transfer/call/graph.rs`): its number members may be read and
    /// written, a constant may be added to it; it must be dropped or stored into a kptr.
    Alloc {
        /// The struct's type id in the program's BTF.
        ty: u32,
        /// Constant offset from the object's start.
        off: i32,
        /// The reference it holds (owning), or 0: a non-owning reference (an object in a
        /// tree, from `bpf_rbtree_first` or added by `bpf_rbtree_add`), valid until
        /// `bpf_spin_unlock`.
        ref_id: u32,
    },
    /// [`RegVal::Alloc`] or NULL.
    AllocOrNull {
        /// The struct's type id in the program's BTF.
        ty: u32,
        /// Constant offset from the object's start (a graph node's, from the rbtree kfuncs).
        off: i32,
        /// Shared by copies.
        id: u32,
        /// The reference it holds.
        ref_id: u32,
    },
}

/// The type flags of a [`RegVal::BtfPtr`] (`PTR_TRUSTED`, `MEM_RCU`, `PTR_UNTRUSTED`, or
/// none: the kernel's "old compat" plain `PTR_TO_BTF_ID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BtfTrust {
    /// No flag (walked from a pointer neither trusted nor RCU, or a member not listed).
    Plain,
    /// `PTR_TRUSTED` (`bpf_cast_to_kern_ctx`, a member the kernel lists as trusted).
    Trusted,
    /// `MEM_RCU` (a member the kernel lists as RCU-protected).
    Rcu,
    /// `PTR_UNTRUSTED` (`bpf_rdonly_cast`, anything walked from it, members of unions).
    Untrusted,
}

/// What a dynptr points into (the kernel's `enum bpf_dynptr_type`; the kinds modelled).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DynptrKind {
    /// `BPF_DYNPTR_TYPE_SKB`, from `bpf_dynptr_from_skb`.
    Skb,
    /// `BPF_DYNPTR_TYPE_XDP`, from `bpf_dynptr_from_xdp`.
    Xdp,
    /// `BPF_DYNPTR_TYPE_RINGBUF`, from `bpf_ringbuf_reserve_dynptr` (reference-tracked).
    Ringbuf,
    /// `BPF_DYNPTR_TYPE_LOCAL`, from `bpf_dynptr_from_mem` (over a map value).
    Local,
}

/// Marks the `ref_id` of a [`RegVal::Ringbuf`] / [`RegVal::RingbufOrNull`] that is a slice of
/// a dynptr (`bpf_dynptr_slice`: read-only `PTR_TO_MEM` of a constant size, no reference
/// held); the other bits are the dynptr's id. A slice of a packet dynptr dies whenever packet
/// pointers do.
pub const DYNPTR_SLICE: u32 = 1 << 27;

/// Marks the `ref_id` of a [`RegVal::Ringbuf`] / [`RegVal::RingbufOrNull`] that is the memory
/// `bpf_dynptr_data` gave (writable `PTR_TO_MEM` of a constant size); the other bits are the
/// dynptr's id. It dies with the dynptr: released with a ring buffer dynptr's reference,
/// invalidated when an unreferenced dynptr is overwritten (`destroy_if_dynptr_stack_slot`).
pub const DYNPTR_DATA: u32 = 1 << 23;

/// Marks the id of a dynptr that is not over the packet (a ring buffer or local one): its
/// slices survive packet changes.
pub const DYNPTR_MEM: u32 = 1 << 26;

impl RegVal {
    /// True for anything but scalars and uninitialised registers.
    pub fn is_pointer(&self) -> bool {
        !matches!(self, RegVal::NotInit | RegVal::Scalar(_))
    }

    /// True for the pointers a call that changes the packet invalidates (the kernel's
    /// `clear_all_pkt_pointers`): packet pointers, `data_end`, and slices of skb / xdp
    /// dynptrs.
    pub fn is_packet(&self) -> bool {
        match self {
            RegVal::Pkt { .. } | RegVal::PktEnd => true,
            RegVal::Ringbuf { ref_id, .. } | RegVal::RingbufOrNull { ref_id, .. } => {
                ref_id & (DYNPTR_SLICE | DYNPTR_MEM) == DYNPTR_SLICE
            }
            _ => false,
        }
    }
}

/// What one stack byte holds (uninitialised bytes read as unknown for a privileged loader, so
/// they are not distinguished from [`Byte::Misc`], except by [`Byte::Unset`] for the targets
/// that refuse a read deeper than every write).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Byte {
    /// Some unknown byte.
    Misc,
    /// A known zero.
    Zero,
    /// A byte of a frame never written, for a target before
    /// [`KernelVersion::UNINIT_STACK_GROW`](crate::verifier::KernelVersion::UNINIT_STACK_GROW)
    /// only (the frames of later ones start as [`Byte::Misc`]): the kernel's frame is as deep
    /// as its deepest write (`allocated_stack`, whole 8-byte slots) and a read deeper than
    /// that is refused ([`Stack::allocated_from`]); within it the byte reads as unknown.
    Unset,
}

/// One 8-byte stack slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Individual bytes.
    Bytes([Byte; 8]),
    /// A whole register stored with an aligned 8-byte store (type preserved).
    Spill(RegVal),
    /// A number stored with a 1-, 2- or 4-byte store at the start of the slot (the kernel's
    /// narrow spill): its bounds (before truncation), the store's size, which of the bytes
    /// past it are known zeros (bit `i` for byte `i`; the kernel keeps their `STACK_ZERO`
    /// through a narrow spill, `save_register_state`) and which were never written
    /// ([`Byte::Unset`]: `save_register_state` leaves `STACK_INVALID` alone, so that a target
    /// before [`KernelVersion::UNINIT_STACK_READ`](crate::verifier::KernelVersion::UNINIT_STACK_READ)
    /// still refuses their read); the others are unknown.
    Part(Scalar, u8, u8, u8),
}

impl Slot {
    /// True if byte `i` (0..8) of the slot is a known zero (the kernel's `STACK_ZERO`; the
    /// bytes of a spilled register never are, even when it holds zero).
    pub fn zero_byte(&self, i: usize) -> bool {
        match self {
            Slot::Bytes(b) => b[i] == Byte::Zero,
            Slot::Part(_, n, z, _) => i >= *n as usize && z & (1 << i) != 0,
            Slot::Spill(_) => false,
        }
    }

    /// True if byte `i` (0..8) of the slot was never written ([`Byte::Unset`]).
    pub fn unset_byte(&self, i: usize) -> bool {
        match self {
            Slot::Bytes(b) => b[i] == Byte::Unset,
            Slot::Part(_, n, _, u) => i >= *n as usize && u & (1 << i) != 0,
            Slot::Spill(_) => false,
        }
    }

    /// The slot once what it held is destroyed (a store of plain bytes into a spilled
    /// register's slot, a helper's write): unknown bytes, those never written kept so
    /// (`scrub_spilled_slot` leaves `STACK_INVALID` alone).
    pub fn scrubbed(&self) -> Slot {
        Slot::Bytes(std::array::from_fn(|i| {
            if self.unset_byte(i) {
                Byte::Unset
            } else {
                Byte::Misc
            }
        }))
    }

    /// The known-zero bytes of the slot as a mask (bit `i` for byte `i`).
    pub fn zero_mask(&self) -> u8 {
        (0..8)
            .filter(|i| self.zero_byte(*i))
            .fold(0, |m, i| m | 1 << i)
    }
}

/// Number of 8-byte slots in a 512-byte frame.
pub const SLOTS: usize = 64;

/// Slots per shared chunk of a [`Stack`].
pub const CHUNK: usize = 8;

/// The 64 slots of one frame, shared copy-on-write between the states that hold them, in
/// chunks of 8, the chunks themselves in one shared array: cloning a state (at every branch and
/// stored prune point) only bumps one count, and the first write to a slot copies the array of
/// chunk pointers and its chunk alone if another state still shares them. (One pointer keeps a
/// frame small: a state's frames fit the allocator's fast per-thread cache.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stack(Rc<[Rc<[Slot; CHUNK]>; SLOTS / CHUNK]>);

impl Stack {
    /// A frame of unknown bytes.
    fn new() -> Stack {
        Stack::of(Byte::Misc)
    }

    /// A frame never written ([`Byte::Unset`] bytes): a target's before
    /// [`KernelVersion::UNINIT_STACK_GROW`](crate::verifier::KernelVersion::UNINIT_STACK_GROW).
    pub fn unset() -> Stack {
        Stack::of(Byte::Unset)
    }

    fn of(b: Byte) -> Stack {
        let chunk = Rc::new(std::array::from_fn(|_| Slot::Bytes([b; 8])));
        Stack(Rc::new(std::array::from_fn(|_| Rc::clone(&chunk))))
    }

    /// The deepest slot of the frame as the kernel has allocated it (`allocated_stack`): the
    /// lowest slot index holding anything but [`Byte::Unset`] bytes, so that every slot from
    /// it up to `r10` is allocated; [`SLOTS`] for a frame never written. 0 for a frame that
    /// started as unknown bytes (every target from
    /// [`KernelVersion::UNINIT_STACK_GROW`](crate::verifier::KernelVersion::UNINIT_STACK_GROW)
    /// on): found at the first slot.
    pub fn allocated_from(&self) -> usize {
        // The frames of the later targets (every pruning comparison asks): slot 0 written.
        if !matches!(&self[0], Slot::Bytes(b) if b.contains(&Byte::Unset)) {
            return 0;
        }
        self.iter()
            .position(|s| !matches!(s, Slot::Bytes(b) if b.iter().all(|x| *x == Byte::Unset)))
            .unwrap_or(SLOTS)
    }

    /// True if slot `i` of `self` and of `other` are the same shared memory (hence equal).
    pub fn shares_slot(&self, other: &Stack, i: usize) -> bool {
        self.chunks_shared(other, i / CHUNK)
    }

    /// True if chunk `c` (slots `c * 8 .. c * 8 + 8`) of `self` and of `other` are the same
    /// shared memory (hence equal).
    pub fn chunks_shared(&self, other: &Stack, c: usize) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || Rc::ptr_eq(&self.0[c], &other.0[c])
    }

    /// The slots of chunk `c` (slots `c * 8 .. c * 8 + 8`).
    pub fn chunk(&self, c: usize) -> &[Slot; CHUNK] {
        &self.0[c]
    }

    /// Number of slots ([`SLOTS`]).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        SLOTS
    }

    /// Slot `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&Slot> {
        self.0.get(i / CHUNK).map(|c| &c[i % CHUNK])
    }

    /// The slots in order.
    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.0.iter().flat_map(|c| c.iter())
    }

    /// The slots in order, mutably (every chunk is unshared first).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Slot> {
        Rc::make_mut(&mut self.0)
            .iter_mut()
            .flat_map(|c| Rc::make_mut(c).iter_mut())
    }
}

impl Index<usize> for Stack {
    type Output = Slot;
    fn index(&self, i: usize) -> &Slot {
        &self.0[i / CHUNK][i % CHUNK]
    }
}

impl IndexMut<usize> for Stack {
    fn index_mut(&mut self, i: usize) -> &mut Slot {
        &mut Rc::make_mut(&mut Rc::make_mut(&mut self.0)[i / CHUNK])[i % CHUNK]
    }
}

/// One call frame.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// `r0`..`r10`.
    pub regs: [RegVal; 11],
    /// Slot `i` covers frame offsets `-512 + 8 i .. -512 + 8 i + 8`.
    pub stack: Stack,
    /// The `call` instruction that created this frame (0 for the main program).
    pub callsite: usize,
    /// The subprogram this frame runs.
    pub subprog: usize,
    /// The deepest slot the kernel has allocated in this frame (its `allocated_stack`, whole
    /// 8-byte slots): every access, read or write, by an instruction or a helper, grows it
    /// down to the slot of its lowest byte (`grow_stack_state`). Slots below it hold only
    /// bytes never written; a checkpoint whose live slot there holds anything else (a spill,
    /// a known zero) does not cover this frame (`stacksafe`: `i >= cur->allocated_stack`).
    /// [`SLOTS`] for a frame the walk created and never accessed; 0 (all allocated, no effect
    /// on comparisons) for frames built by hand.
    pub alloc: u8,
    /// Rounds of the callback this frame is calling (the kernel's `callback_depth`): set in
    /// the callback's path, 0 on the path that goes on after the call. A state covers another
    /// only if it has no more rounds behind it (`bpf_loop` explores as many rounds as its
    /// count allows).
    pub callback_depth: u32,
}

impl Frame {
    /// A frame whose registers are all uninitialised except `r10`.
    pub fn new(index: u8, callsite: usize, subprog: usize) -> Frame {
        let mut regs: [RegVal; 11] = Default::default();
        regs[10] = RegVal::Stack {
            frame: index,
            off: 0,
        };
        Frame {
            regs,
            stack: Stack::new(),
            alloc: 0,
            callsite,
            subprog,
            callback_depth: 0,
        }
    }
}

/// The whole abstract state of one path.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// Call frames, main program first.
    pub frames: Vec<Frame>,
    /// References held (ring buffer reservations).
    pub refs: Vec<u32>,
    /// Next fresh id.
    pub next_id: u32,
    /// A pointer arithmetic instruction on this path whose scalar may, for the kernel, have a
    /// minimum of 2^29 or more (it then refuses the instruction): the path is refused when it
    /// ends, unless an error comes first.
    pub taint: Option<(usize, String)>,
    /// `may_goto` fall-throughs taken on this path (the kernel's `may_goto_depth`): a loop
    /// through a `may_goto` that comes back with a different depth is bounded by the kernel's
    /// hidden counter.
    pub may_goto_depth: u32,
    /// The `bpf_spin_lock` held on this path (the kernel's `active_lock`): the map and the id
    /// of the value pointer it was taken through, or [`OBJECT_LOCK`] and the owning reference
    /// of the allocated object whose lock it is.
    pub lock: Option<(u16, u32)>,
    /// An RCU read section is open on this path (`bpf_rcu_read_lock`, the kernel's
    /// `active_rcu_lock`; sections do not nest).
    pub rcu: bool,
    /// Which scalars hold exactly the kernel's bounds (`super::super::exact`): computed only
    /// by the dump's walk, and not part of the state's identity (always equal, no hash).
    pub exact: super::exact_marks::Exact,
}

/// The "map" of [`State::lock`] when the lock held is the `bpf_spin_lock` of an object the
/// program allocated (the kernel's lock state keyed by the program's BTF and the object's
/// `reg->id`, its owning reference here): no map has this index.
pub const OBJECT_LOCK: u16 = u16::MAX;

impl Clone for State {
    // One shared copy, not one inlined at every clone site.
    #[inline(never)]
    fn clone(&self) -> State {
        State {
            frames: self.frames.clone(),
            refs: self.refs.clone(),
            next_id: self.next_id,
            taint: self.taint.clone(),
            may_goto_depth: self.may_goto_depth,
            lock: self.lock,
            rcu: self.rcu,
            exact: self.exact.clone(),
        }
    }

    /// Field by field, reusing `self`'s memory (the frames' vector above all).
    #[inline(never)]
    fn clone_from(&mut self, o: &State) {
        self.frames.clone_from(&o.frames);
        self.refs.clone_from(&o.refs);
        self.next_id = o.next_id;
        self.taint.clone_from(&o.taint);
        self.may_goto_depth = o.may_goto_depth;
        self.lock = o.lock;
        self.rcu = o.rcu;
        self.exact.clone_from(&o.exact);
    }
}

impl State {
    /// The key a map helper reads through `key`, if the kernel knows it is a constant
    /// (`get_constant_map_key`, for array maps): a key on the stack at a constant offset,
    /// within one 8-byte slot, either `size` bytes all known zeros, or ending exactly where a
    /// spilled constant's bytes end (the kernel counts the spilled bytes from the key's start
    /// up and wants exactly `size`: a 4-byte spill at the slot's start, or the upper half of an
    /// 8-byte one), which gives the whole spilled register's value, not the bytes the key
    /// covers. Anything else (a value stored off a slot's start, which the kernel keeps as
    /// plain bytes) is no constant key.
    pub fn constant_key(&self, key: &RegVal, size: u32) -> Option<u64> {
        let RegVal::Stack { frame, off } = key else {
            return None;
        };
        let f = self.frames.get(*frame as usize)?;
        let start = usize::try_from(*off + 512).ok()?;
        // The kernel counts the zero bytes within the key's first 8-byte slot only.
        if size == 0 || start / 8 != (start + size as usize - 1) / 8 {
            return None;
        }
        let zero = (start..start + size as usize)
            .all(|pos| matches!(f.stack.get(pos / 8), Some(s) if s.zero_byte(pos % 8)));
        if zero {
            return Some(0);
        }
        let ends_at = start % 8 + size as usize;
        match f.stack.get(start / 8)? {
            Slot::Part(v, n, ..) if ends_at == *n as usize => v.as_const(),
            Slot::Spill(RegVal::Scalar(v)) if ends_at == 8 => v.as_const(),
            _ => None,
        }
    }

    /// The innermost frame.
    pub fn cur(&self) -> &Frame {
        self.frames.last().expect("at least one frame")
    }

    /// The innermost frame, mutably.
    pub fn cur_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("at least one frame")
    }

    /// True if `r1` of the innermost frame points to the first slot of an active iterator
    /// (the kernel's test at an iterator's `next` call before an unfinished checkpoint may
    /// end the loop).
    pub fn iter_arg_active(&self) -> bool {
        let RegVal::Stack { frame, off } = self.cur().regs[1] else {
            return false;
        };
        if off % 8 != 0 || !(-512..0).contains(&off) {
            return false;
        }
        matches!(
            self.frames
                .get(frame as usize)
                .map(|f| &f.stack[((off + 512) / 8) as usize]),
            Some(Slot::Spill(RegVal::Iter {
                first: true,
                drained: false,
                ..
            }))
        )
    }

    /// A fresh id.
    pub fn fresh(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// Applies `f` to every register and spilled register in every frame.
    pub fn for_each_reg(&mut self, f: impl FnMut(&mut RegVal)) {
        self.for_each_reg_where(|_| true, f)
    }

    /// Applies `f` to every register and spilled register in every frame for which `pick` is
    /// true (the same as [`State::for_each_reg`] with an `f` that leaves the others alone, but
    /// a spilled register `pick` refuses is neither copied nor compared).
    pub fn for_each_reg_where(
        &mut self,
        pick: impl Fn(&RegVal) -> bool,
        f: impl FnMut(&mut RegVal),
    ) {
        self.for_each_reg_where_in(true, pick, f)
    }

    /// [`State::for_each_reg_where`], the narrow spills (`Slot::Part`) left out unless
    /// `narrow`: before [`KernelVersion::NARROW_SPILL_SYNC`](crate::verifier::KernelVersion::NARROW_SPILL_SYNC)
    /// the kernel's walk over the spilled registers sees only full 8-byte spills.
    pub fn for_each_reg_where_in(
        &mut self,
        narrow: bool,
        pick: impl Fn(&RegVal) -> bool,
        mut f: impl FnMut(&mut RegVal),
    ) {
        for fr in &mut self.frames {
            for r in fr.regs.iter_mut() {
                if pick(r) {
                    f(r);
                }
            }
            // Only spilled registers can change: leave shared slots shared unless one does.
            // Read chunk by chunk: a chunk of plain bytes is passed over at once.
            for c in 0..SLOTS / CHUNK {
                if fr
                    .stack
                    .chunk(c)
                    .iter()
                    .all(|s| matches!(s, Slot::Bytes(_)))
                {
                    continue;
                }
                for i in c * CHUNK..(c + 1) * CHUNK {
                    match &fr.stack[i] {
                        Slot::Spill(r) => {
                            if !pick(r) {
                                continue;
                            }
                            let mut r2 = *r;
                            f(&mut r2);
                            if r2 != *r {
                                fr.stack[i] = Slot::Spill(r2);
                            }
                        }
                        s @ Slot::Part(v, size, z, u) if narrow => {
                            let (v, size, z, u, scrubbed) = (*v, *size, *z, *u, s.scrubbed());
                            let mut r2 = RegVal::Scalar(v);
                            if !pick(&r2) {
                                continue;
                            }
                            f(&mut r2);
                            match r2 {
                                RegVal::Scalar(n) if n == v => {}
                                RegVal::Scalar(n) => fr.stack[i] = Slot::Part(n, size, z, u),
                                _ => fr.stack[i] = scrubbed,
                            }
                        }
                        Slot::Part(..) | Slot::Bytes(_) => {}
                    }
                }
            }
        }
    }
}

#[path = "state_covers.rs"]
mod covers;
pub use covers::*;

#[cfg(test)]
#[path = "scalar_ids_tests.rs"]
mod scalar_ids_tests;
