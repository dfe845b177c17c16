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
//! (the per-type fields), sign-extending loads, and any such read for a target kernel before
//! 6.18, whose `struct bpf_map` has another layout.
//!
//! The layout is the one of Linux 6.18 on x86_64 with `CONFIG_SECURITY` and `CONFIG_MEMCG`
//! (Debian's and most distributions' configuration), read from `/sys/kernel/btf/vmlinux`:
//! 6.18 put a 32-byte `sha` and a `u32 excl` before `ops`.

use super::*;

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
const LAYOUT_SINCE: KernelVersion = KernelVersion::new(6, 18);

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
            format!("offset {off} is past struct bpf_map ({BPF_MAP_SIZE} bytes); the fields of the map type's own structure are not modelled by this verifier")
        } else {
            format!("struct bpf_map has no field at offset {off}")
        });
    };
    if !fd.number {
        return Some(format!(
            "offset {off} is in `{}` (bytes {}..{}), a pointer or structure member of struct bpf_map: reading it gives a kernel pointer (PTR_TO_BTF_ID), which this verifier does not model",
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
        if self.input.kernel < LAYOUT_SINCE {
            return Err(e(pc, Rule::MemoryAccess, format!(
                "{what}: reading fields of its struct {ty} is modelled for target kernels 6.18 and later only (the layout of struct bpf_map differs before; the target is {})",
                self.input.kernel
            )));
        }
        if sx {
            return Err(e(pc, Rule::MemoryAccess, format!(
                "{what}: sign-extending loads of its struct {ty} fields are not modelled by this verifier"
            )));
        }
        if let Some(why) = check_read(off, n as i32) {
            return Err(e(
                pc,
                Rule::MemoryAccess,
                format!("{what} (struct {ty}): {why}"),
            ));
        }
        Ok(RegVal::Scalar(scalar_of(n, false)))
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
        let (_, msg) = refused("r0 = *(s32 *)(r1 + 76)\nexit", K618);
        assert!(msg.contains("sign-extending"), "{msg}");
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
