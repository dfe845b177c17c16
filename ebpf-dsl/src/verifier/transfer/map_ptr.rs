//! Loads through a map pointer (`r1 = my_map ll; r0 = *(u32 *)(r1 + 76)`): the kernel's
//! `check_ptr_to_map_access`, which walks the map's kernel structure (`struct bpf_array`,
//! `struct bpf_htab`, ...; each starts with a `struct bpf_map`) through its BTF
//! (`btf_struct_walk`).
//!
//! Modelled: reads of the number fields of `struct bpf_map` — any access that lies inside
//! one such field (or one array of numbers, e.g. `name[16]`, or one `atomic64_t`) gives an
//! unknown number of the access's size, as `btf_struct_walk` returns `WALK_SCALAR`.
//! Refused, as by the kernel: negative offsets, writes, accesses that straddle fields or fall
//! into a hole. Refused here although the kernel allows them (a false reject, never a false
//! accept): reads of its pointer fields (the kernel gives a `PTR_TO_BTF_ID` this verifier
//! does not model), of its nested structures other than `atomic64_t`, past `struct bpf_map`
//! (the per-type fields), sign-extending loads of a pointer member, and any such read for a
//! target kernel before 6.18, whose `struct bpf_map` has another layout. A sign-extending
//! load of a number field gives an unknown number sign-extended from the access's size
//! (`coerce_reg_to_size_sx`).
//!
//! The layout is the one of Linux 6.18 on x86_64 with `CONFIG_SECURITY` and `CONFIG_MEMCG`
//! (Debian's and most distributions' configuration), read from `/sys/kernel/btf/vmlinux`:
//! 6.18 put a 32-byte `sha` and a `u32 excl` before `ops`.
//!
//! With the target kernel's BTF ([`crate::verifier::VerifyInput::vmlinux`]) the read is the
//! kernel's own walk instead (`check_ptr_to_map_access`: a plain `PTR_TO_BTF_ID` of the map's
//! structure, `btf_struct_access`; `transfer/btf_access.rs`), for any target: numbers
//! anywhere in the structure (the map type's own fields too: `struct bpf_array`'s
//! `elem_size`, ...), a pointer member to a structure read whole (`ops`, `inner_map_meta`,
//! `record`, ...) gives a plain BTF pointer to it (untrusted through a union of several
//! members; one carrying a type tag, `__rcu` ..., which this path keeps, is refused as not
//! modelled), a pointer to anything else 6.18's untrusted read-only memory. Without the BTF, a
//! read the table above cannot give a number for is refused asking for it, so that `ebpf-dsl
//! check --btf` verifies it again with the BTF.

use super::*;
use crate::verifier::domain::state::BtfTrust;

/// A field of `struct bpf_map` (6.18): name, byte offset, size in bytes, and whether reads
/// inside it give a number.
struct Field {
    name: &'static str,
    off: i32,
    size: i32,
    number: bool,
}

const fn f(name: &'static str, off: i32, size: i32, number: bool) -> Field {
    Field {
        name,
        off,
        size,
        number,
    }
}

/// `sizeof(struct bpf_map)` in 6.18.
const BPF_MAP_SIZE: i32 = 296;

/// The members of `struct bpf_map` in 6.18, in order (`number: false`: a pointer or a
/// structure whose reads are not modelled).
const FIELDS: &[Field] = &[
    f("sha", 0, 32, true),
    f("excl", 32, 4, true),
    f("ops", 40, 8, false),
    f("inner_map_meta", 48, 8, false),
    f("security", 56, 8, false),
    f("map_type", 64, 4, true),
    f("key_size", 68, 4, true),
    f("value_size", 72, 4, true),
    f("max_entries", 76, 4, true),
    f("map_extra", 80, 8, true),
    f("map_flags", 88, 4, true),
    f("id", 92, 4, true),
    f("record", 96, 8, false),
    f("numa_node", 104, 4, true),
    f("btf_key_type_id", 108, 4, true),
    f("btf_value_type_id", 112, 4, true),
    f("btf_vmlinux_value_type_id", 116, 4, true),
    f("btf", 120, 8, false),
    f("objcg", 128, 8, false),
    f("name", 136, 16, true),
    f("freeze_mutex", 152, 32, false),
    f("refcnt", 184, 8, true),
    f("usercnt", 192, 8, true),
    f("work", 200, 32, false),
    f("writecnt", 232, 8, true),
    f("owner_lock", 240, 8, false),
    f("owner", 248, 8, false),
    f("bypass_spec_v1", 256, 1, true),
    f("frozen", 257, 1, true),
    f("init_private", 258, 1, true),
    f("free_after_mult_rcu_gp", 259, 1, true),
    f("free_after_rcu_gp", 260, 1, true),
    f("sleepable_refcnt", 264, 8, true),
    f("elem_count", 272, 8, false),
    f("cookie", 280, 8, true),
    f("excl_prog_sha", 288, 8, false),
];

/// The kernel structure of a map of type `t` (`map_btf_id` of its ops), if it is one this
/// verifier knows to start with a `struct bpf_map`.
fn kernel_struct(t: MapType) -> Option<&'static str> {
    use MapType::*;
    Some(match t {
        Array | PercpuArray | ProgArray | PerfEventArray | CgroupArray | ArrayOfMaps => "bpf_array",
        Hash | PercpuHash | LruHash | LruPercpuHash | HashOfMaps => "bpf_htab",
        LpmTrie => "lpm_trie",
        Queue | Stack => "bpf_queue_stack",
        Ringbuf => "bpf_ringbuf_map",
        Devmap | DevmapHash => "bpf_dtab",
        Cpumap => "bpf_cpu_map",
        Xskmap => "xsk_map",
        Sockmap => "bpf_stab",
        Sockhash => "bpf_shtab",
        BloomFilter => "bpf_bloom_filter",
        StackTrace => "bpf_stack_map",
        ReuseportSockarray => "reuseport_array",
        _ => return None,
    })
}

/// The first target kernel whose `struct bpf_map` has the layout of [`FIELDS`].
const LAYOUT_SINCE: KernelVersion = KernelVersion::since(6, 18);

/// Why an `n`-byte read at `off` of `struct bpf_map` is refused, or `None` if it reads a
/// number.
fn check_read(off: i32, n: i32) -> Option<String> {
    if off < 0 {
        return Some(format!("invalid negative access: off={off}"));
    }
    let Some(fd) = FIELDS
        .iter()
        .find(|fd| off >= fd.off && off < fd.off + fd.size)
    else {
        return Some(if off >= BPF_MAP_SIZE {
            format!("offset {off} is past struct bpf_map ({BPF_MAP_SIZE} bytes), in the map type's own structure, whose layout comes from the kernel's BTF; {NEEDS_BTF}")
        } else {
            format!("struct bpf_map has no field at offset {off}")
        });
    };
    if !fd.number {
        return Some(format!(
            "offset {off} is in `{}` (bytes {}..{}), a pointer or structure member of struct bpf_map: reading it gives a kernel pointer (PTR_TO_BTF_ID) of the kernel's BTF; {NEEDS_BTF}",
            fd.name,
            fd.off,
            fd.off + fd.size
        ));
    }
    if off + n > fd.off + fd.size {
        return Some(format!(
            "access beyond the end of member {} (bytes {}..{}) in struct bpf_map with off {off} size {n}",
            fd.name,
            fd.off,
            fd.off + fd.size
        ));
    }
    None
}

impl<'a> Exec<'a> {
    /// `rD = *(size *)(rS + off)` with `rS` the map `m`: an unknown number of the read's
    /// size, for the fields of `struct bpf_map` listed in [`FIELDS`].
    pub(crate) fn map_ptr_read(
        &self,
        pc: usize,
        src: u8,
        m: u16,
        off: i32,
        n: u32,
        sx: bool,
    ) -> R<RegVal> {
        let spec = self.map(m);
        let what = format!("r{src} is the map `{}`", spec.name_str());
        let Some(ty) = kernel_struct(spec.map_type) else {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!(
                    "{what}: reading fields of a map of type {} is not modelled by this verifier",
                    spec.map_type
                ),
            ));
        };
        // A sign-extending load of a number field: the kernel's `check_mem_access` ends with
        // `coerce_reg_to_size_sx` of the unknown number it read. Anything else read that way
        // (a pointer member) stays refused.
        let sign = |v: RegVal| {
            match v {
            RegVal::Scalar(_) if sx => Ok(RegVal::Scalar(scalar_of(n, true))),
            RegVal::Scalar(_) => Ok(v),
            _ if sx => Err(e(pc, Rule::MemoryAccess, format!(
                "{what}: a sign-extending load of a pointer member of its struct {ty} is not modelled by this verifier"
            ))),
            _ => Ok(v),
        }
        };
        if let Some(btf) = self.input.vmlinux {
            return sign(self.map_ptr_read_btf(pc, src, btf, ty, off, n, &what)?);
        }
        if self.input.kernel < LAYOUT_SINCE {
            return Err(e(pc, Rule::Unsupported, format!(
                "{what}: reading fields of its struct {ty} without the kernel's BTF is modelled for target kernels 6.18 and later only (the layout of struct bpf_map differs before; the target is {}); {NEEDS_BTF}",
                self.input.kernel
            )));
        }
        if let Some(why) = check_read(off, n as i32) {
            // A pointer member or a field past struct bpf_map: asking for the BTF.
            let rule = if why.ends_with(NEEDS_BTF) {
                Rule::Unsupported
            } else {
                Rule::MemoryAccess
            };
            return Err(e(pc, rule, format!("{what} (struct {ty}): {why}")));
        }
        sign(RegVal::Scalar(scalar_of(n, false)))
    }

    /// A read of the map's structure `ty` through the kernel's BTF `btf`, as the kernel's
    /// `check_ptr_to_map_access` (see the module's documentation).
    #[allow(clippy::too_many_arguments)]
    fn map_ptr_read_btf(
        &self,
        pc: usize,
        src: u8,
        btf: &crate::btf::Btf,
        ty: &str,
        off: i32,
        n: u32,
        what: &str,
    ) -> R<RegVal> {
        let id = self.kernel_struct(pc, ty, what)?;
        let refuse = |m: String| Err(e(pc, Rule::MemoryAccess, format!("{what}: {m}")));
        if off < 0 {
            return refuse(format!("R{src} is {ty} invalid negative access: off={off}"));
        }
        let straddle = self.input.kernel >= KernelVersion::FLEX_STRADDLE;
        match btf_access::walk(btf, id, off as u32, n, straddle) {
            Err(m) => refuse(m),
            Ok(btf_access::Walked::Scalar) => Ok(RegVal::Scalar(scalar_of(n, false))),
            Ok(btf_access::Walked::Mem) if self.input.kernel >= KernelVersion::since(6, 18) => {
                Ok(btf_access::UNTRUSTED_MEM)
            }
            Ok(btf_access::Walked::Mem) => Ok(RegVal::Scalar(scalar_of(n, false))),
            Ok(btf_access::Walked::Ptr { tag: Some(tag), field, .. }) => Err(e(
                pc,
                Rule::MemoryAccess,
                format!("{what}: `{field}` at offset {off} of struct {ty} is a `__{tag}` pointer; the kernel keeps that flag on a pointer read through a map (`MEM_{}`), which this verifier does not model", tag.to_ascii_uppercase()),
            )),
            Ok(btf_access::Walked::Ptr { ty: pty, untrusted, .. }) => Ok(RegVal::BtfPtr {
                ty: pty,
                off: 0,
                trust: if untrusted {
                    BtfTrust::Untrusted
                } else {
                    BtfTrust::Plain
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn read(src: &str, kernel: KernelVersion) -> Result<State, (Rule, String)> {
        let one = One::new(src).kernel(kernel);
        let mut st = state(&[(1, RegVal::MapPtr { map: 0 })]);
        match one.apply(&mut st) {
            Ok(_) => Ok(st),
            Err(err) => Err((err.rule, err.message)),
        }
    }

    const K618: KernelVersion = KernelVersion::new(6, 18);

    #[test]
    fn number_fields_of_struct_bpf_map_read_as_numbers_of_the_access_size() {
        // max_entries (u32 at 76).
        let st = read("r0 = *(u32 *)(r1 + 76)\nexit", K618).unwrap();
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
        // Inside the u8 array `sha` (selftest: read at offset 1, size 4).
        let st = read("r0 = *(u32 *)(r1 + 1)\nexit", K618).unwrap();
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(4)));
        // 8 bytes at the start of sha.
        let st = read("r0 = *(u64 *)(r1 + 0)\nexit", K618).unwrap();
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        // One byte of `frozen`.
        let st = read("r0 = *(u8 *)(r1 + 257)\nexit", K618).unwrap();
        assert_eq!(*reg(&st, 0), scalar(Scalar::of_size(1)));
    }

    #[test]
    fn other_reads_of_a_map_pointer_are_refused() {
        let refused = |src: &str, k| read(src, k).unwrap_err();
        // Straddling two fields (excl ends at 36).
        let (rule, msg) = refused("r0 = *(u32 *)(r1 + 34)\nexit", K618);
        assert_eq!(rule, Rule::MemoryAccess);
        assert!(
            msg.contains("access beyond the end of member excl"),
            "{msg}"
        );
        // The hole after excl.
        let (_, msg) = refused("r0 = *(u32 *)(r1 + 36)\nexit", K618);
        assert!(
            msg.ends_with("struct bpf_map has no field at offset 36"),
            "{msg}"
        );
        // A pointer field.
        let (_, msg) = refused("r0 = *(u64 *)(r1 + 40)\nexit", K618);
        assert!(msg.contains("`ops`"), "{msg}");
        // Negative, past the structure, sign-extending.
        let (_, msg) = refused("r0 = *(u64 *)(r1 - 8)\nexit", K618);
        assert!(msg.ends_with("invalid negative access: off=-8"), "{msg}");
        let (_, msg) = refused("r0 = *(u32 *)(r1 + 296)\nexit", K618);
        assert!(msg.contains("past struct bpf_map"), "{msg}");
        // A sign-extending load of a number field (max_entries) reads a sign-extended number.
        let st = read("r0 = *(s32 *)(r1 + 76)\nexit", K618).unwrap();
        assert_eq!(*reg(&st, 0), scalar(scalar_of(4, true)));
        let st = read("r0 = *(s8 *)(r1 + 257)\nexit", K618).unwrap();
        assert_eq!(reg(&st, 0).clone(), scalar(Scalar::srange(-128, 127)));
        let (_, msg) = refused("r0 = *(s32 *)(r1 + 40)\nexit", K618);
        assert!(msg.contains("`ops`"), "{msg}");
        // An older target has another layout.
        let (_, msg) = refused("r0 = *(u32 *)(r1 + 76)\nexit", KernelVersion::DEFAULT);
        assert!(msg.contains("6.18 and later only"), "{msg}");
        // Writes stay refused.
        let mut st = state(&[(1, RegVal::MapPtr { map: 0 }), (2, konst(0))]);
        let (rule, _) = One::new("*(u32 *)(r1 + 76) = r2\nexit")
            .kernel(K618)
            .refused(&mut st);
        assert_eq!(rule, Rule::MemoryAccess);
    }

    /// `struct bpf_map_ops { u64 f; }`, `struct bpf_map { u64 sha; const struct bpf_map_ops
    /// *ops; u32 max_entries; struct bpf_map_ops __rcu *r; }` (32 bytes) and `struct bpf_array
    /// { struct bpf_map map; u32 elem_size; }` (40 bytes): (btf, id of bpf_map_ops).
    fn kernel() -> (std::rc::Rc<crate::btf::Btf>, u32) {
        use crate::btf::{Btf, Kind, Member, Type};
        let m = |name: &str, ty: u32, byte: u32| Member {
            name: name.into(),
            ty,
            bit_offset: byte * 8,
            bitfield_size: 0,
        };
        let mut b = Btf::new();
        let u32_ = b.push(Type::int("u32", 4, false));
        let u64_ = b.push(Type::int("u64", 8, false));
        let ops = b.push(Type::new(
            "bpf_map_ops",
            Kind::Struct {
                size: 8,
                members: vec![m("f", u64_, 0)],
            },
        ));
        let ops_ptr = b.push(Type::new("", Kind::Ptr(ops)));
        let rcu = b.push(Type::new("rcu", Kind::TypeTag(ops)));
        let rcu_ptr = b.push(Type::new("", Kind::Ptr(rcu)));
        let map = b.push(Type::new(
            "bpf_map",
            Kind::Struct {
                size: 32,
                members: vec![
                    m("sha", u64_, 0),
                    m("ops", ops_ptr, 8),
                    m("max_entries", u32_, 16),
                    m("r", rcu_ptr, 24),
                ],
            },
        ));
        b.push(Type::new(
            "bpf_array",
            Kind::Struct {
                size: 40,
                members: vec![m("map", map, 0), m("elem_size", u32_, 32)],
            },
        ));
        (std::rc::Rc::new(b), ops)
    }

    #[test]
    fn with_the_kernels_btf_the_map_structure_is_walked() {
        let (b, ops) = kernel();
        let run = |src: &str, kernel: KernelVersion| {
            let one = One::new(src).kernel(kernel).vmlinux(std::rc::Rc::clone(&b));
            let mut st = state(&[(1, RegVal::MapPtr { map: 0 })]);
            one.apply(&mut st)
                .map(|_| *reg(&st, 0))
                .map_err(|e| e.message)
        };
        // A pointer member read whole: a plain BTF pointer to its structure, for any target.
        let plain = RegVal::BtfPtr {
            ty: ops,
            off: 0,
            trust: BtfTrust::Plain,
        };
        assert_eq!(run("r0 = *(u64 *)(r1 + 8)\nexit", K618), Ok(plain));
        assert_eq!(
            run("r0 = *(u64 *)(r1 + 8)\nexit", KernelVersion::DEFAULT),
            Ok(plain)
        );
        // The map type's own field, past struct bpf_map.
        assert_eq!(
            run("r0 = *(u32 *)(r1 + 32)\nexit", K618),
            Ok(scalar(Scalar::of_size(4)))
        );
        // Part of a pointer, past the structure, negative, a tagged pointer: refused.
        let err = run("r0 = *(u32 *)(r1 + 12)\nexit", K618).unwrap_err();
        assert!(
            err.ends_with(
                "cannot access ptr member ops with moff 8 in struct bpf_map with off 12 size 4"
            ),
            "{err}"
        );
        let err = run("r0 = *(u32 *)(r1 + 40)\nexit", K618).unwrap_err();
        assert!(
            err.ends_with("access beyond struct bpf_array at off 40 size 4"),
            "{err}"
        );
        let err = run("r0 = *(u64 *)(r1 - 8)\nexit", K618).unwrap_err();
        assert!(err.ends_with("invalid negative access: off=-8"), "{err}");
        let err = run("r0 = *(u64 *)(r1 + 24)\nexit", K618).unwrap_err();
        assert!(err.contains("`__rcu` pointer"), "{err}");
    }

    #[test]
    fn without_the_btf_a_pointer_member_asks_for_it() {
        let mut st = state(&[(1, RegVal::MapPtr { map: 0 })]);
        let err = One::new("r0 = *(u64 *)(r1 + 40)\nexit")
            .kernel(K618)
            .apply(&mut st)
            .unwrap_err();
        assert!(crate::verifier::needs_vmlinux(&err), "{err}");
        let err = One::new("r0 = *(u32 *)(r1 + 296)\nexit")
            .kernel(K618)
            .apply(&mut st)
            .unwrap_err();
        assert!(crate::verifier::needs_vmlinux(&err), "{err}");
        // A number field needs no BTF; a hole is refused outright.
        One::new("r0 = *(u32 *)(r1 + 76)\nexit")
            .kernel(K618)
            .next(&mut st);
        let err = One::new("r0 = *(u32 *)(r1 + 36)\nexit")
            .kernel(K618)
            .apply(&mut st)
            .unwrap_err();
        assert!(!crate::verifier::needs_vmlinux(&err), "{err}");
    }

    #[test]
    fn the_fields_are_in_order_and_inside_the_structure() {
        for w in FIELDS.windows(2) {
            assert!(
                w[0].off + w[0].size <= w[1].off,
                "{} / {}",
                w[0].name,
                w[1].name
            );
        }
        let last = FIELDS.last().unwrap();
        assert!(last.off + last.size <= BPF_MAP_SIZE);
    }
}
