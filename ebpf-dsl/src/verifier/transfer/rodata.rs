//! Frozen read-only maps: their bytes are known at verification time (`bpf_map_is_rdonly`,
//! `bpf_map_direct_read` in the kernel's `check_mem_access`).
//!
//! The kernel reads a map's bytes while it verifies a program when the map was created with
//! `BPF_F_RDONLY_PROG` (the program cannot change it) and has been frozen from user space
//! (`BPF_MAP_FREEZE`: no one else can either). A load through a map value pointer whose
//! offset is a constant then gives the loaded bytes as a known number, so a `const volatile`
//! configuration in `.rodata` turns the branches it switches off into dead code. Only array
//! maps give their bytes (`map_direct_value_addr`), and only one-entry arrays: for a frozen
//! read-only array of more entries the kernel's read fails (`-ENOTSUPP`) and the program is
//! refused.
//!
//! The verifier knows a map is frozen only from [`VerifyInput::data`]: an entry marked
//! `read_only` is the loader's promise to freeze that map, with those bytes, before the
//! program loads. A map without such an entry, an offset that is not a constant, or an inner
//! map of a map of maps stays unknown, as it is for a kernel that does not see it frozen.

use super::*;
use crate::spec::RelocKind;
use crate::verifier::VerifyInput;

/// The kernel's checks of every `map_value(MAP, OFF)` reference when the program is loaded,
/// before verification and so even in code no path reaches (`resolve_pseudo_ldimm64`: the
/// map must have a direct value address at that offset): an array of one entry and an
/// offset inside its value.
pub(crate) fn check_direct_value_refs(input: &VerifyInput) -> Result<(), Vec<VerifierError>> {
    let mut errors = Vec::new();
    for r in input.relocations {
        let RelocKind::MapValue { offset } = r.kind else {
            continue;
        };
        let Some(spec) = input.maps.iter().find(|m| m.name_str() == r.symbol) else {
            continue; // reported by `map_refs`
        };
        // The words and rules of `ld_imm64`'s own checks, which the reachable ones meet first.
        let (rule, message) = if spec.map_type != MapType::Array {
            (
                Rule::MapReference,
                format!(
                    "direct value access (`map_value`) needs an array map; `{}` is a {}",
                    spec.name_str(),
                    spec.map_type
                ),
            )
        } else if spec.max_entries != 1 {
            (
                Rule::MapReference,
                format!(
                    "direct value access (`map_value`) needs an array of one entry; `{}` has {} (the kernel refuses it when the program loads)",
                    spec.name_str(),
                    spec.max_entries
                ),
            )
        } else if offset >= spec.value_size {
            (
                Rule::MapValueBounds,
                format!(
                    "offset {offset} is outside the {}-byte value of map `{}`",
                    spec.value_size,
                    spec.name_str()
                ),
            )
        } else {
            continue;
        };
        errors.push(e(r.insn_index, rule, message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl<'a> Exec<'a> {
    /// The bytes of map `m` when the kernel will see it read-only and frozen: a map of the
    /// input (not an inner or key map) created with `BPF_F_RDONLY_PROG` whose initial contents
    /// the loader freezes ([`VerifyInput::data`], `read_only`).
    pub(crate) fn frozen_bytes(&self, m: u16) -> Option<&'a [u8]> {
        let input: &'a VerifyInput<'a> = self.input;
        let spec = input.maps.get(m as usize)?;
        if spec.flags & BPF_F_RDONLY_PROG == 0 {
            return None;
        }
        // The first contents given for the map, as the loader takes them.
        input
            .data
            .iter()
            .find(|d| d.map == spec.name_str())
            .filter(|d| d.read_only)
            .map(|d| d.bytes.as_slice())
    }

    /// The value a load of `n` bytes at `base + off` gives when `base` points into a frozen
    /// read-only map at a constant offset (the access already checked by
    /// [`Exec::check_mem`]): `Some` known number; `None` when the map is not frozen or the
    /// offset not constant (the load gives an unknown number). Refused where the kernel's
    /// read fails: a frozen read-only array of more than one entry.
    pub(crate) fn frozen_read(
        &self,
        pc: usize,
        src: u8,
        base: &RegVal,
        off: i32,
        n: u32,
        sx: bool,
    ) -> R<Option<Scalar>> {
        let RegVal::MapValue {
            map, off: o, var, ..
        } = base
        else {
            return Ok(None);
        };
        let Some(c) = var.as_const() else {
            return Ok(None);
        };
        let Some(bytes) = self.frozen_bytes(*map) else {
            return Ok(None);
        };
        let spec = self.map(*map);
        // Only arrays have `map_direct_value_addr`; the kernel leaves the others unknown.
        if spec.map_type != MapType::Array {
            return Ok(None);
        }
        if spec.max_entries != 1 {
            return Err(e(pc, Rule::MemoryAccess, format!(
                "r{src} points into map `{}`, which is read-only for programs and frozen: the kernel reads such a map's bytes at a constant offset while verifying, which it can only do for an array of one entry (this one has {}), and refuses the program (`bpf_map_direct_read`: -ENOTSUPP); give it max_entries=1 or do not freeze it",
                spec.name_str(),
                spec.max_entries
            )));
        }
        let at = *o as i64 + off as i64 + c as i64;
        let n = n as usize;
        if at < 0 || spec.value_size as usize != bytes.len() {
            // Contents of another size than the value: the loader refuses them; stay unknown.
            return Ok(None);
        }
        let at = at as usize;
        let Some(b) = bytes.get(at..at + n) else {
            return Ok(None);
        };
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(b);
        let v = u64::from_le_bytes(le);
        let v = if sx && n < 8 {
            let shift = 64 - 8 * n as u32;
            (((v << shift) as i64) >> shift) as u64
        } else {
            v
        };
        Ok(Some(Scalar::konst(v)))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use crate::asm::assemble_unchecked;
    use crate::spec::{GlobalData, MapSpec, MapType, ProgramType};

    use super::super::super::context::{Exec, Step};
    use super::super::super::domain::scalar::Scalar;
    use super::super::super::domain::state::RegVal;
    use super::super::super::{cfg, map_refs, Rule, VerifierError, VerifyInput};
    use super::super::testkit::{map_value, reg, state};

    /// `cfg` (array, 1 entry, 16-byte value, read-only for programs), `cfg4` (the same with 4
    /// entries), `rw` (a writable array of 1 entry), `pcpu` (a read-only per-CPU array).
    fn maps() -> Vec<MapSpec> {
        let map = |name: &'static str, map_type, max_entries, flags| MapSpec {
            name: Cow::Borrowed(name),
            map_type,
            key_size: 4,
            value_size: 16,
            max_entries,
            flags,
            btf: None,
            inner: None,
        };
        vec![
            map("cfg", MapType::Array, 1, 1 << 7),
            map("cfg4", MapType::Array, 4, 1 << 7),
            map("rw", MapType::Array, 1, 0),
            map("pcpu", MapType::PercpuArray, 1, 1 << 7),
        ]
    }

    /// Bytes 0..16: 0x11 0x22 ... with byte 4 = 0xfe (negative as i8) and bytes 8..16 a u64.
    fn bytes() -> Vec<u8> {
        vec![
            0x11, 0x22, 0x33, 0x44, 0xfe, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8,
        ]
    }

    fn data(map: &str, read_only: bool) -> GlobalData {
        GlobalData {
            map: map.to_string(),
            section: map.to_string(),
            bytes: bytes(),
            read_only,
        }
    }

    /// Applies the first instruction of `src` to a state where `r1` is `base`.
    fn apply(
        src: &str,
        base: RegVal,
        data: &[GlobalData],
    ) -> (Result<Step, VerifierError>, RegVal) {
        let asm = assemble_unchecked(src).unwrap_or_else(|e| panic!("{e:?}"));
        let maps = maps();
        let input = VerifyInput::new(&asm.insns, ProgramType::Xdp)
            .with_maps(&asm.relocations, &maps)
            .with_data(data);
        let ops = cfg::decode(&asm.insns).expect("decode");
        let cfg = cfg::check(&ops).expect("well-formed");
        let refs = map_refs(&input).expect("maps");
        let mut ex = Exec::new(&input, &ops, &cfg, refs);
        let mut st = state(&[(1, base)]);
        let r = ex.step(0, &mut st);
        let v = *reg(&st, 0);
        (r, v)
    }

    fn frozen(map: &str) -> Vec<GlobalData> {
        vec![data(map, true)]
    }

    #[test]
    fn loads_at_constant_offsets_of_a_frozen_map_are_known() {
        let d = frozen("cfg");
        let cases: [(&str, u64); 7] = [
            ("r0 = *(u8 *)(r1 + 1)\nexit", 0x22),
            ("r0 = *(u16 *)(r1 + 2)\nexit", 0x4433),
            ("r0 = *(u32 *)(r1 + 0)\nexit", 0x4433_2211),
            ("r0 = *(u64 *)(r1 + 8)\nexit", 0x0807_0605_0403_0201),
            ("r0 = *(u32 *)(r1 + 4)\nexit", 0xffff_fffe),
            // Sign-extending loads extend the byte read, as `bpf_map_direct_read` does.
            ("r0 = *(s8 *)(r1 + 4)\nexit", (-2i64) as u64),
            ("r0 = *(s32 *)(r1 + 0)\nexit", 0x4433_2211),
        ];
        for (src, want) in cases {
            let (r, v) = apply(src, map_value(0, 0), &d);
            assert!(matches!(r, Ok(Step::Next(1))), "{src}: {r:?}");
            assert_eq!(v, RegVal::Scalar(Scalar::konst(want)), "{src}");
        }
        // The pointer's own offset and a constant variable offset count too.
        let (_, v) = apply("r0 = *(u8 *)(r1 + 1)\nexit", map_value(0, 8), &d);
        assert_eq!(v, RegVal::Scalar(Scalar::konst(2)));
        let base = RegVal::MapValue {
            map: 0,
            off: 2,
            var: Scalar::konst(4),
            id: 0,
        };
        let (_, v) = apply("r0 = *(u8 *)(r1 + 3)\nexit", base, &d);
        assert_eq!(v, RegVal::Scalar(Scalar::konst(2)));
    }

    #[test]
    fn loads_stay_unknown_unless_frozen_read_only_and_constant() {
        let unknown = |v: &RegVal| matches!(v, RegVal::Scalar(s) if s.as_const().is_none());
        // No data, data not marked read-only (not frozen), data of another map.
        // Two entries for one map: the loader takes the first (writable) one.
        for d in [
            vec![],
            vec![data("cfg", false)],
            frozen("rw"),
            vec![data("cfg", false), data("cfg", true)],
        ] {
            let (r, v) = apply("r0 = *(u32 *)(r1 + 0)\nexit", map_value(0, 0), &d);
            assert!(r.is_ok() && unknown(&v), "{d:?}: {v:?}");
        }
        // Frozen, but the map lacks BPF_F_RDONLY_PROG (the kernel's `bpf_map_is_rdonly`).
        let (r, v) = apply(
            "r0 = *(u32 *)(r1 + 0)\nexit",
            map_value(2, 0),
            &frozen("rw"),
        );
        assert!(r.is_ok() && unknown(&v), "{v:?}");
        // A per-CPU array has no direct value address.
        let (r, v) = apply(
            "r0 = *(u32 *)(r1 + 0)\nexit",
            map_value(3, 0),
            &frozen("pcpu"),
        );
        assert!(r.is_ok() && unknown(&v), "{v:?}");
        // A variable offset.
        let base = RegVal::MapValue {
            map: 0,
            off: 0,
            var: Scalar::konst(0).join(&Scalar::konst(4)),
            id: 0,
        };
        let (r, v) = apply("r0 = *(u32 *)(r1 + 0)\nexit", base, &frozen("cfg"));
        assert!(r.is_ok() && unknown(&v), "{v:?}");
        // Contents shorter than the value (a loader refuses them): unknown.
        let mut short = data("cfg", true);
        short.bytes.truncate(8);
        let (r, v) = apply("r0 = *(u32 *)(r1 + 0)\nexit", map_value(0, 0), &[short]);
        assert!(r.is_ok() && unknown(&v), "{v:?}");
    }

    #[test]
    fn out_of_bounds_and_multi_entry_frozen_reads_are_refused() {
        // Bounds are checked first, as `check_map_access` does.
        let (r, _) = apply(
            "r0 = *(u64 *)(r1 + 12)\nexit",
            map_value(0, 0),
            &frozen("cfg"),
        );
        assert_eq!(r.unwrap_err().rule, Rule::MapValueBounds);
        // A frozen read-only array of 4 entries: the kernel's direct read fails.
        let (r, _) = apply(
            "r0 = *(u32 *)(r1 + 0)\nexit",
            map_value(1, 0),
            &frozen("cfg4"),
        );
        let err = r.unwrap_err();
        assert_eq!(err.rule, Rule::MemoryAccess);
        assert!(
            err.message.contains("array of one entry"),
            "{}",
            err.message
        );
        // Not frozen: an ordinary unknown load.
        let (r, _) = apply("r0 = *(u32 *)(r1 + 0)\nexit", map_value(1, 0), &[]);
        assert!(r.is_ok());
    }

    #[test]
    fn map_value_references_need_a_one_entry_array_whatever_the_path() {
        let verdict = |src: &str| {
            let a = assemble_unchecked(src).unwrap_or_else(|e| panic!("{e:?}"));
            let maps = maps();
            let input =
                VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &maps);
            crate::verifier::verify(&input).map_err(|e| (e[0].insn_index, e[0].rule))
        };
        assert!(verdict("r1 = map_value(cfg, 15) ll\nr0 = 0\nexit").is_ok());
        // In a branch no path takes: refused all the same, as the kernel resolves every
        // `ld_imm64` before it verifies.
        for bad in ["cfg4, 0", "pcpu, 0", "cfg, 16"] {
            let src = format!("r0 = 0\nif r0 == 0 goto out\nr1 = map_value({bad}) ll\nout:\nexit");
            let rule = if bad == "cfg, 16" {
                Rule::MapValueBounds
            } else {
                Rule::MapReference
            };
            assert_eq!(verdict(&src), Err((2, rule)), "{bad}");
        }
    }
}
