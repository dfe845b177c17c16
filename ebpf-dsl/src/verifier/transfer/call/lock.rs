//! `bpf_spin_lock` / `bpf_spin_unlock` (the kernel's `process_spin_lock`) and the rules of a
//! held lock (`do_check`, `check_ld_abs`, `check_resource_leak`, `check_map_access`):
//!
//! - the lock is the `struct bpf_spin_lock` of a map value, at the offset the map's BTF gives
//!   ([`MapSpec::btf`] or [`crate::verifier::VerifyInput::spin_locks`]); a map without one
//!   has no lock;
//! - the argument is a pointer into such a value at a constant offset equal to the lock's;
//!   or the `bpf_spin_lock` of an object the program allocated and owns (`graph.rs`'s
//!   `check_object_lock_arg`), held by that owning reference ([`OBJECT_LOCK`]);
//! - one lock at a time; `bpf_spin_unlock` releases the lock taken through the same value (the
//!   same map and the same lookup: the kernel keeps the lookup's id on the non-NULL pointer for
//!   these maps, [`LOCK_ID`]);
//! - while it is held: no helper call but `bpf_spin_unlock`, no kfunc, no `LD_ABS`/`LD_IND`,
//!   no `exit` of the program (nor, here, of a callback); calls of the program's own
//!   functions are allowed;
//! - loads, stores, atomics and helper accesses never touch the lock's 4 bytes;
//! - socket filters may not use a map that has a lock.

use super::*;
use crate::verifier::cfg::Op;
use crate::verifier::domain::state::OBJECT_LOCK;
use crate::verifier::lock_layout::{spin_lock_offsets, LOCK_SIZE, TIMER_SIZE};
use crate::verifier::VerifyInput;

/// `BPF_FUNC_spin_lock`.
pub(crate) const SPIN_LOCK: i32 = 93;
/// `BPF_FUNC_spin_unlock`.
pub(crate) const SPIN_UNLOCK: i32 = 94;

/// The map refused to socket filters (`check_map_prog_compatibility`: "socket filter progs
/// cannot use bpf_spin_lock yet"), checked for every map the program names, reached or not.
pub(crate) fn check_lock_maps(
    input: &VerifyInput,
    map_refs: &HashMap<usize, (u16, RelocKind)>,
) -> Result<(), Vec<VerifierError>> {
    if input.prog_type != crate::spec::ProgramType::SocketFilter {
        return Ok(());
    }
    let locks = spin_lock_offsets(input);
    let mut errors: Vec<VerifierError> = map_refs
        .iter()
        .filter(|(_, (m, _))| locks.get(*m as usize).copied().flatten().is_some())
        .map(|(pc, (m, _))| {
            e(
                *pc,
                Rule::MapCompatibility,
                format!(
                    "map `{}` holds a bpf_spin_lock, which socket filters cannot use",
                    input.maps[*m as usize].name_str()
                ),
            )
        })
        .collect();
    errors.sort_by_key(|e| e.insn_index);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

use std::collections::HashMap;

impl<'a> Exec<'a> {
    /// The lock `held` ([`State::lock`]) in words: "the bpf_spin_lock of a value of map `m`"
    /// or "the bpf_spin_lock of an object of struct T the program owns".
    pub(crate) fn held_lock_name(&self, held: (u16, u32)) -> String {
        match held {
            (OBJECT_LOCK, rf) => format!(
                "the bpf_spin_lock of an object the program owns (reference {})",
                rf & !super::graph::ALLOC_REF
            ),
            (m, _) => format!(
                "the bpf_spin_lock of a value of map `{}`",
                self.map(m).name_str()
            ),
        }
    }

    /// The offset of the `bpf_spin_lock` in the value of map `m`, if it has one.
    pub(crate) fn lock_offset(&self, m: u16) -> Option<u32> {
        self.locks.get(m as usize).copied().flatten()
    }

    /// The id of a lookup result from map `m` (fresh id `id`): marked with [`LOCK_ID`] when
    /// the value holds a lock, so that the non-NULL pointer keeps it.
    pub(crate) fn value_id(&self, m: u16, id: u32) -> u32 {
        if self.lock_offset(m).is_some() {
            id | LOCK_ID
        } else {
            id
        }
    }

    /// The id of a non-NULL pointer to a value of map `m` from lookup `id`: 0 unless the value
    /// holds a lock.
    pub(crate) fn lock_id(&self, m: u16, id: u32) -> u32 {
        if self.lock_offset(m).is_some() {
            id | LOCK_ID
        } else {
            0
        }
    }

    /// A helper's pointer to a special field of a map value (the kernel's
    /// `check_map_field_pointer`): argument `r` (value `v`) of helper `name` must point, not
    /// maybe-NULL, into a value of a map whose value holds the `field` (`bpf_spin_lock`,
    /// `bpf_timer`) at the offset `offset_of` gives for that map (`None`: it holds none;
    /// `missing` then says what it lacks and how one is described), at a constant offset that
    /// is exactly the field's. Gives the map and the pointer's value id.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_map_field_pointer(
        &self,
        pc: usize,
        r: u8,
        v: &RegVal,
        name: &str,
        field: &str,
        offset_of: fn(&Self, u16) -> Option<u32>,
        missing: &str,
    ) -> R<(u16, u32)> {
        let RegVal::MapValue { map, off, var, id } = v else {
            let null = matches!(v, RegVal::MapValueOrNull { .. });
            return Err(e(
                pc,
                if null {
                    Rule::NullCheck
                } else {
                    Rule::HelperArgument
                },
                format!(
                    "{name} expects a pointer to the {field} of a map value in r{r}, but r{r} is {}{}",
                    self.describe(v),
                    if null { "; null-check it first" } else { "" }
                ),
            ));
        };
        let Some(c) = var.as_const() else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name}: r{r} is {}, not at a constant offset; the {field} is at a constant offset of the value",
                    self.describe(v)
                ),
            ));
        };
        let spec = self.map(*map);
        let Some(field_at) = offset_of(self, *map) else {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name}: the value of map `{}` has {missing}",
                    spec.name_str()
                ),
            ));
        };
        let here = *off as i64 + c as i64;
        if here != field_at as i64 {
            return Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "{name}: r{r} points to offset {here} of the value of map `{}`, but its {field} is at offset {field_at}",
                    spec.name_str()
                ),
            ));
        }
        Ok((*map, *id))
    }

    /// Argument `r` (value `v`) of `bpf_spin_lock` / `bpf_spin_unlock` (`ARG_PTR_TO_SPIN_LOCK`,
    /// `process_spin_lock`), with the lock state of `st`.
    pub(crate) fn check_spin_lock_arg(
        &self,
        pc: usize,
        st: &State,
        r: u8,
        v: &RegVal,
        func: i32,
    ) -> R<()> {
        let name = if func == SPIN_LOCK {
            "bpf_spin_lock"
        } else {
            "bpf_spin_unlock"
        };
        let (map, id) = if let RegVal::Alloc { .. } = v {
            self.check_object_lock_arg(pc, r, v, name)?
        } else {
            self.check_map_field_pointer(
            pc,
            r,
            v,
            name,
            "bpf_spin_lock",
            Self::lock_offset,
            "no bpf_spin_lock (a map's lock is described by its value's BTF: a `struct bpf_spin_lock` member in C, a `BpfSpinLock` field of a `#[derive(Btf)]` value in `defmap!`, `spin_lock=OFFSET` in a `.map` line or a `--map`)",
        )?
        };
        match (func, st.lock) {
            (SPIN_LOCK, Some(_)) => Err(e(
                pc,
                Rule::HelperArgument,
                "bpf_spin_lock while a lock is already held: only one bpf_spin_lock may be held at a time",
            )),
            (SPIN_LOCK, None) => Ok(()),
            (_, None) => Err(e(
                pc,
                Rule::HelperArgument,
                "bpf_spin_unlock without a lock held on this path",
            )),
            (_, Some((m, i))) if m == map && i == id => Ok(()),
            (_, Some(held)) => Err(e(
                pc,
                Rule::HelperArgument,
                format!(
                    "bpf_spin_unlock of a different lock than the one held (the kernel: bpf_spin_unlock of different lock): {} is held, r{r} is {}",
                    self.held_lock_name(held),
                    self.describe(v)
                ),
            )),
        }
    }

    /// The rules of a held lock that concern the instruction at `pc` before it runs: a call
    /// other than `bpf_spin_unlock` or of one of the program's functions, `LD_ABS`/`LD_IND`,
    /// the program's `exit`, and a callback's `exit` (refused here; a false reject at worst).
    pub(crate) fn check_held_lock(&self, pc: usize, st: &State) -> R<()> {
        let Some(lock) = st.lock else {
            return Ok(());
        };
        // Worded only for a refusal (the instructions a lock allows cost no string).
        let held = || format!("while {} is held", self.held_lock_name(lock));
        match self.ops[pc] {
            Op::Call {
                helper: SPIN_UNLOCK,
                kfunc: false,
            } => Ok(()),
            // The tree and list kfuncs need the lock (`graph_tree.rs`);
            // bpf_refcount_acquire is allowed under it.
            Op::Call {
                helper,
                kfunc: true,
            } if crate::xdp::graph::GraphKfunc::from_placeholder(helper)
                .is_some_and(|k| k.allowed_under_lock()) =>
            {
                Ok(())
            }
            // The numbers iterator (`bpf_for` within the locked region), from 6.18.
            Op::Call {
                helper,
                kfunc: true,
            } if self.input.kernel >= KernelVersion::ITER_NUM_UNDER_LOCK
                && crate::xdp::iter::IterKfunc::from_placeholder(helper)
                    .is_some_and(|k| k.kind() == crate::xdp::iter::IterKind::Num) =>
            {
                Ok(())
            }
            Op::Call { helper, kfunc } => {
                let callee = if kfunc {
                    "a kfunc".to_string()
                } else {
                    match crate::helpers::helper_by_id(helper as u32) {
                        Some(h) => h.name.to_string(),
                        None => format!("helper #{helper}"),
                    }
                };
                Err(e(
                    pc,
                    Rule::HelperNotAllowed,
                    format!("a call of {callee} {}: no function calls but bpf_spin_unlock are allowed while a lock is held", held()),
                ))
            }
            Op::LdAbs { .. } => Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!("LD_ABS / LD_IND {}", held()),
            )),
            Op::Exit if st.frames.len() == 1 => Err(e(
                pc,
                Rule::ReferenceLeak,
                format!(
                    "the program exits {}; call bpf_spin_unlock on every path first",
                    held()
                ),
            )),
            // `less` runs with the tree's lock held, and returns with it.
            Op::Exit if self.in_rbtree_callback(st) => Ok(()),
            Op::Exit if self.in_callback(st) => Err(e(
                pc,
                Rule::ReferenceLeak,
                format!(
                    "a callback returns {}; call bpf_spin_unlock before it returns",
                    held()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// A load, store, atomic or helper access of bytes `lo..hi` of a value of map `m` must not
    /// touch its lock (`check_map_access`: "bpf_spin_lock cannot be accessed directly by
    /// load/store").
    pub(crate) fn check_lock_overlap(&self, pc: usize, r: u8, m: u16, lo: i64, hi: i64) -> R<()> {
        // Likewise its `bpf_timer` ("bpf_timer cannot be accessed directly by load/store").
        if let Some(t) = self.timer_offset(m) {
            let t = t as i64;
            if lo < t + TIMER_SIZE && t < hi {
                return Err(e(
                    pc,
                    Rule::MemoryAccess,
                    format!(
                        "this access through r{r} may touch bytes {lo}..{hi} of a value of map `{}`, whose bpf_timer (bytes {t}..{}) cannot be read or written directly",
                        self.map(m).name_str(),
                        t + TIMER_SIZE
                    ),
                ));
            }
        }
        // And its kptrs and graph roots (`graph.rs`).
        self.check_field_overlap(pc, r, m, lo, hi)?;
        let Some(lock) = self.lock_offset(m) else {
            return Ok(());
        };
        let lock = lock as i64;
        if lo < lock + LOCK_SIZE && lock < hi {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "this access through r{r} may touch bytes {lo}..{hi} of a value of map `{}`, whose bpf_spin_lock (bytes {lock}..{}) cannot be read or written directly",
                    self.map(m).name_str(),
                    lock + LOCK_SIZE
                ),
            ));
        }
        Ok(())
    }
}

/// The lock state after a checked `bpf_spin_lock` / `bpf_spin_unlock` whose argument was
/// `r1_in`: a map value's lock by its map and lookup, an object's by its owning reference.
pub(crate) fn spin_lock_effects(st: &mut State, func: i32, r1_in: &RegVal) {
    match (func, r1_in) {
        (SPIN_LOCK, RegVal::MapValue { map, id, .. }) => st.lock = Some((*map, *id)),
        (SPIN_LOCK, RegVal::Alloc { ref_id, .. }) => st.lock = Some((OBJECT_LOCK, *ref_id)),
        (SPIN_UNLOCK, _) => {
            st.lock = None;
            super::graph_tree::invalidate_non_owning(st);
        }
        _ => {}
    }
}

/// The value type of the unit tests' `lk` map: `struct { u32 cnt; struct bpf_spin_lock l;
/// u64 data; }` (the lock at offset 4).
#[cfg(test)]
pub(crate) fn lock_test_value(b: &mut crate::btf::Btf) -> u32 {
    use crate::btf::{BpfSpinLock, BtfType, Kind, Member, Type};
    let lock = BpfSpinLock::btf_type(b);
    let cnt = u32::btf_type(b);
    let data = u64::btf_type(b);
    b.add(Type::new(
        "val",
        Kind::Struct {
            size: 16,
            members: vec![
                Member::at("cnt", cnt, 0),
                Member::at("l", lock, 4),
                Member::at("data", data, 8),
            ],
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::super::super::testkit::*;
    use super::*;
    use crate::btf::MapSpinLock;
    use crate::verifier::domain::state::{covers, covers_masked};

    /// The unit tests' map with a lock (`lk`, index 5).
    const LK: u16 = 5;

    fn value(off: i32, id: u32) -> RegVal {
        RegVal::MapValue {
            map: LK,
            off,
            var: Scalar::konst(0),
            id,
        }
    }

    #[test]
    fn the_lock_offset_comes_from_the_value_btf_or_the_input() {
        let maps = maps();
        let input = VerifyInput::new(&[], crate::spec::ProgramType::Xdp).with_maps(&[], &maps);
        let offs = spin_lock_offsets(&input);
        assert_eq!(offs[LK as usize], Some(4));
        assert!(offs[..LK as usize].iter().all(Option::is_none));
        // An ELF object's map: the offset given beside the specs, by name; past the value or
        // on a map type that cannot hold a lock, none.
        let given = [
            MapSpinLock {
                map: "arr".into(),
                offset: 8,
            },
            MapSpinLock {
                map: "hash".into(),
                offset: 6,
            },
            MapSpinLock {
                map: "rb".into(),
                offset: 0,
            },
        ];
        let offs = spin_lock_offsets(&input.clone().with_spin_locks(&given));
        assert_eq!(&offs[..4], &[Some(8), None, None, None]);
    }

    #[test]
    fn lock_then_unlock_through_the_same_value() {
        let lock = One::new("call bpf_spin_lock\nexit");
        let unlock = One::new("call bpf_spin_unlock\nexit");
        let mut st = state(&[(1, value(4, 7 | LOCK_ID)), (6, value(0, 7 | LOCK_ID))]);
        lock.next(&mut st);
        assert_eq!(st.lock, Some((LK, 7 | LOCK_ID)));
        assert_eq!(*reg(&st, 0), RegVal::NotInit);
        assert_eq!(*reg(&st, 1), RegVal::NotInit);
        // The value itself is still usable, away from the lock.
        One::new("r0 = *(u64 *)(r6 + 8)\nexit").next(&mut st);
        st.cur_mut().regs[1] = value(4, 7 | LOCK_ID);
        unlock.next(&mut st);
        assert_eq!(st.lock, None);
        // A variable part that is a known constant counts.
        let mut st = state(&[(
            1,
            RegVal::MapValue {
                map: LK,
                off: 0,
                var: Scalar::konst(4),
                id: 3 | LOCK_ID,
            },
        )]);
        lock.next(&mut st);
        assert_eq!(st.lock, Some((LK, 3 | LOCK_ID)));
    }

    #[test]
    fn the_argument_must_be_the_lock_of_a_value_with_one() {
        let lock = One::new("call bpf_spin_lock\nexit");
        let (rule, msg) = lock.refused(&mut state(&[(1, value(0, 1 | LOCK_ID))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert_eq!(
            msg,
            "bpf_spin_lock: r1 points to offset 0 of the value of map `lk`, but its bpf_spin_lock is at offset 4"
        );
        let (rule, msg) = lock.refused(&mut state(&[(1, map_value(0, 4))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with("bpf_spin_lock: the value of map `arr` has no bpf_spin_lock"),
            "{msg}"
        );
        let var = RegVal::MapValue {
            map: LK,
            off: 4,
            var: Scalar::urange(0, 8),
            id: 1 | LOCK_ID,
        };
        let (rule, msg) = lock.refused(&mut state(&[(1, var)]));
        assert_eq!(rule, Rule::HelperArgument);
        assert!(msg.contains("not at a constant offset"), "{msg}");
        let (rule, _) = lock.refused(&mut state(&[(
            1,
            RegVal::MapValueOrNull {
                map: LK,
                id: 1 | LOCK_ID,
            },
        )]));
        assert_eq!(rule, Rule::NullCheck);
        let (rule, _) = lock.refused(&mut state(&[(1, stack(-8))]));
        assert_eq!(rule, Rule::HelperArgument);
    }

    #[test]
    fn one_lock_at_a_time_and_unlock_only_the_lock_held() {
        let lock = One::new("call bpf_spin_lock\nexit");
        let unlock = One::new("call bpf_spin_unlock\nexit");
        let mut held = state(&[(1, value(4, 2 | LOCK_ID))]);
        held.lock = Some((LK, 1 | LOCK_ID));
        // A second bpf_spin_lock is a call while a lock is held (refused before its argument).
        let (rule, msg) = lock.refused(&mut held.clone());
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.starts_with("a call of bpf_spin_lock while"), "{msg}");
        // Another lookup's value: a different lock.
        let (rule, msg) = unlock.refused(&mut held.clone());
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.starts_with("bpf_spin_unlock of a different lock"),
            "{msg}"
        );
        let (rule, msg) = unlock.refused(&mut state(&[(1, value(4, 2 | LOCK_ID))]));
        assert_eq!(rule, Rule::HelperArgument);
        assert_eq!(msg, "bpf_spin_unlock without a lock held on this path");
    }

    #[test]
    fn while_a_lock_is_held_no_calls_no_ld_abs_no_exit() {
        let mut held = state(&[(1, value(4, 1 | LOCK_ID)), (6, RegVal::Ctx { off: 0 })]);
        held.lock = Some((LK, 1 | LOCK_ID));
        let (rule, msg) = One::new("call bpf_ktime_get_ns\nexit").refused(&mut held.clone());
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(
            msg.starts_with(
                "a call of bpf_ktime_get_ns while the bpf_spin_lock of a value of map `lk` is held"
            ),
            "{msg}"
        );
        let (rule, msg) = One::new("r0 = 0\nexit")
            .at(1, &mut held.clone())
            .unwrap_err()
            .pipe();
        assert_eq!(rule, Rule::ReferenceLeak);
        assert!(msg.starts_with("the program exits while"), "{msg}");
        let (rule, _) = One::new("r0 = *(u8 *)skb[0]\nexit")
            .ty(crate::spec::ProgramType::SocketFilter)
            .refused(&mut held.clone());
        assert_eq!(rule, Rule::HelperNotAllowed);
        // Other instructions, a call of one of the program's functions and its exit are fine
        // (from 6.9, STATIC_CALL_UNDER_LOCK: refused before).
        One::new("r0 = 1\nexit").next(&mut held.clone());
        let mut st = held.clone();
        let src = "call f\nr0 = 0\nexit\nf:\nr0 = 0\nexit";
        let k = KernelVersion::STATIC_CALL_UNDER_LOCK;
        assert!(matches!(
            One::new(src).kernel(k).apply(&mut st),
            Ok(Step::Next(3))
        ));
        assert!(matches!(
            One::new(src).kernel(k).at(4, &mut st),
            Ok(Step::Next(1))
        ));
        assert_eq!(st.lock, held.lock);
        let old = KernelVersion::new(6, 6);
        let (rule, msg) = One::new(src).kernel(old).refused(&mut held.clone());
        assert_eq!(rule, Rule::HelperNotAllowed);
        assert!(msg.contains("needs Linux 6.9"), "{msg}");
        let mut st = held.clone();
        st.frames.push(st.cur().clone());
        let err = One::new(src).kernel(old).at(4, &mut st).unwrap_err().pipe();
        assert!(err.1.contains("bpf_spin_unlock is missing"), "{}", err.1);
    }

    trait Pipe {
        fn pipe(self) -> (Rule, String);
    }

    impl Pipe for VerifierError {
        fn pipe(self) -> (Rule, String) {
            (self.rule, self.message)
        }
    }

    #[test]
    fn the_lock_bytes_are_never_read_or_written_directly() {
        let st = || state(&[(1, value(0, 1 | LOCK_ID)), (2, konst(1))]);
        for src in [
            "r0 = *(u32 *)(r1 + 4)\nexit",
            "r0 = *(u64 *)(r1 + 0)\nexit",
            "r0 = *(u8 *)(r1 + 7)\nexit",
            "*(u32 *)(r1 + 4) = 0\nexit",
            "lock *(u32 *)(r1 + 4) += w2\nexit",
        ] {
            let (rule, msg) = One::new(src).refused(&mut st());
            assert_eq!(rule, Rule::MemoryAccess, "{src}");
            assert!(
                msg.contains("whose bpf_spin_lock (bytes 4..8)"),
                "{src}: {msg}"
            );
        }
        for src in [
            "r0 = *(u32 *)(r1 + 0)\nexit",
            "r0 = *(u64 *)(r1 + 8)\nexit",
            "*(u32 *)(r1 + 0) = 0\nexit",
        ] {
            One::new(src).next(&mut st());
        }
        // A helper reading the value (copying it to another map) touches the lock too.
        let mut st = state(&[
            (1, RegVal::MapPtr { map: 1 }),
            (2, stack(-8)),
            (3, value(0, 1 | LOCK_ID)),
            (4, konst(0)),
        ]);
        st.cur_mut().stack[63] = crate::verifier::domain::state::Slot::Bytes(
            [crate::verifier::domain::state::Byte::Zero; 8],
        );
        let (rule, _) = One::new("call bpf_map_update_elem\nexit").refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
    }

    #[test]
    fn a_lookup_in_a_map_with_a_lock_keeps_its_id_once_non_null() {
        let mut st = state(&[(1, RegVal::MapPtr { map: LK }), (2, stack(-8))]);
        st.cur_mut().stack[63] = crate::verifier::domain::state::Slot::Bytes(
            [crate::verifier::domain::state::Byte::Zero; 8],
        );
        One::new("call bpf_map_lookup_elem\nexit").next(&mut st);
        let RegVal::MapValueOrNull { id, .. } = *reg(&st, 0) else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_ne!(id & LOCK_ID, 0);
        let src = "if r0 == 0 goto out\nr0 = 0\nout:\nr0 = 0\nexit";
        let Ok(Step::Branch { other, .. }) = One::new(src).apply(&mut st) else {
            panic!("a null check branches")
        };
        let non_null = if matches!(reg(&st, 0), RegVal::MapValue { .. }) {
            st.clone()
        } else {
            *other
        };
        assert_eq!(*reg(&non_null, 0), value(0, id));
        // Other maps' values keep no id.
        let mut st = state(&[(1, RegVal::MapPtr { map: 1 }), (2, stack(-8))]);
        st.cur_mut().stack[63] = crate::verifier::domain::state::Slot::Bytes(
            [crate::verifier::domain::state::Byte::Zero; 8],
        );
        One::new("call bpf_map_lookup_elem\nexit").next(&mut st);
        let RegVal::MapValueOrNull { id, .. } = *reg(&st, 0) else {
            panic!()
        };
        assert_eq!(id & LOCK_ID, 0);
        assert!(matches!(
            crate::verifier::domain::branch::not_null(reg(&st, 0)),
            RegVal::MapValue { id: 0, .. }
        ));
    }

    #[test]
    fn states_with_different_locks_do_not_cover_each_other() {
        let a = state(&[(6, value(0, 1 | LOCK_ID))]);
        let mut locked = a.clone();
        locked.lock = Some((LK, 1 | LOCK_ID));
        assert!(covers(&a, &a, 0x7ff));
        assert!(!covers(&a, &locked, 0x7ff));
        assert!(!covers(&locked, &a, 0x7ff));
        assert!(covers(&locked, &locked, 0x7ff));
        // Also when nothing is live (the liveness-masked comparison).
        assert!(!covers_masked(&a, &locked, 0, 0, 0, &[]));
        assert!(!covers_masked(&locked, &a, 0, 0, 0, &[]));
        assert!(covers_masked(&locked, &locked, 0, 0, 0, &[]));
        // Renamed consistently: covered; the lock taken through another value than r6: not.
        let mut renamed = state(&[(6, value(0, 9 | LOCK_ID))]);
        renamed.lock = Some((LK, 9 | LOCK_ID));
        assert!(covers(&locked, &renamed, 0x7ff));
        let mut other = state(&[(6, value(0, 9 | LOCK_ID))]);
        other.lock = Some((LK, 8 | LOCK_ID));
        assert!(!covers(&locked, &other, 0x7ff));
    }

    #[test]
    fn socket_filters_cannot_use_a_map_with_a_lock() {
        let asm = crate::asm::assemble_unchecked("r1 = lk ll\nr0 = 0\nexit").unwrap();
        let maps = maps();
        let input = VerifyInput::new(&asm.insns, crate::spec::ProgramType::SocketFilter)
            .with_maps(&asm.relocations, &maps);
        let refs = crate::verifier::map_refs(&input).unwrap();
        let errs = check_lock_maps(&input, &refs).unwrap_err();
        assert_eq!(errs[0].rule, Rule::MapCompatibility);
        let xdp = VerifyInput {
            prog_type: crate::spec::ProgramType::Xdp,
            ..input
        };
        assert!(check_lock_maps(&xdp, &refs).is_ok());
    }
}
