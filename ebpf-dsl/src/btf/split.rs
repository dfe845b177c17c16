//! Split BTF: a kernel module's BTF (`/sys/kernel/btf/MODULE`) is a blob over vmlinux's, its
//! own types numbered after vmlinux's last one and its own string offsets following
//! vmlinux's string table. [`SplitBtf`] keeps the own types; [`SplitBtf::over`] looks types up
//! in both, as [`Types`] does for a plain [`Btf`].

use super::*;

/// Types by id: a [`Btf`], or a module's [`SplitBtf`] over its base ([`SplitView`]).
pub trait Types {
    /// The type with this id (`None` for 0, `void`, and for ids past the end).
    fn type_by_id(&self, id: u32) -> Option<&Type>;

    /// `id` under its typedefs and modifiers (`const`, `volatile`, `restrict`, type tags), as
    /// libbpf's `skip_mods_and_typedefs`: 0 (`void`) stays 0; `None` for an id that does not
    /// exist or a chain of more than 64 of them (a loop in a broken blob).
    fn skip_mods(&self, mut id: u32) -> Option<u32> {
        for _ in 0..64 {
            if id == 0 {
                return Some(0);
            }
            match &self.type_by_id(id)?.kind {
                Kind::Typedef(n)
                | Kind::Const(n)
                | Kind::Volatile(n)
                | Kind::Restrict(n)
                | Kind::TypeTag(n) => id = *n,
                _ => return Some(id),
            }
        }
        None
    }
}

impl Types for Btf {
    fn type_by_id(&self, id: u32) -> Option<&Type> {
        self.get(id)
    }
}

/// A module's BTF, split over its base (vmlinux): [`SplitBtf::types`]`[i]` has id
/// [`SplitBtf::base_types`]` + i + 1`, and ids up to `base_types` are the base's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitBtf {
    /// The module's name (the file's name under `/sys/kernel/btf`), for messages.
    pub name: String,
    /// How many types the base has.
    pub base_types: u32,
    /// The module's own types.
    pub types: Vec<Type>,
}

impl SplitBtf {
    /// Reads the split BTF blob `bytes` of module `name` over the base blob `base` (the bytes
    /// of `/sys/kernel/btf/vmlinux`): the base's types are counted and its strings used for
    /// the names, not decoded. Malformed blobs (either) are an error naming the offset.
    pub fn decode(name: &str, bytes: &[u8], base: &[u8]) -> Result<SplitBtf, BtfError> {
        let (base_types, base_strings) = decode::base_of(base)?;
        SplitBtf::decode_over(name, bytes, base_types, base_strings)
    }

    /// [`SplitBtf::decode`] over a base of `base_types` types and string table
    /// `base_strings` (read once for many modules).
    pub(crate) fn decode_over(
        name: &str,
        bytes: &[u8],
        base_types: u32,
        base_strings: &[u8],
    ) -> Result<SplitBtf, BtfError> {
        Ok(SplitBtf {
            name: name.to_string(),
            base_types,
            types: decode::decode_split(bytes, base_types, base_strings)?,
        })
    }

    /// Reads the BTF of every module in directory `dir` (each file but `vmlinux`, in name
    /// order: `/sys/kernel/btf` lists vmlinux and one file per loaded module with BTF), split
    /// over `base` (the bytes of vmlinux's BTF). An unreadable or malformed file is an error
    /// naming it.
    pub fn read_dir(dir: &std::path::Path, base: &[u8]) -> Result<Vec<SplitBtf>, String> {
        let (base_types, base_strings) =
            decode::base_of(base).map_err(|e| format!("the base BTF: {e}"))?;
        let mut names = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries {
            let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name != "vmlinux" && e.path().is_file() {
                names.push(name);
            }
        }
        names.sort();
        names
            .iter()
            .map(|name| {
                let path = dir.join(name);
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                SplitBtf::decode_over(name, &bytes, base_types, base_strings)
                    .map_err(|e| format!("{}: {e}", path.display()))
            })
            .collect()
    }

    /// The id of the module's own type named `name` of kind number `kind` (libbpf's
    /// `btf__find_by_name_kind_own`), if any.
    pub fn find_own(&self, name: &str, kind: u32) -> Option<u32> {
        self.types
            .iter()
            .position(|t| t.name == name && t.kind.number() == kind)
            .map(|i| self.base_types + i as u32 + 1)
    }

    /// The module's types with its base's (`base` is the base it was decoded over).
    pub fn over<'a>(&'a self, base: &'a Btf) -> SplitView<'a> {
        SplitView { base, split: self }
    }
}

/// A [`SplitBtf`] with its base: every id resolves, the base's or the module's.
#[derive(Clone, Copy, Debug)]
pub struct SplitView<'a> {
    /// The base (vmlinux).
    pub base: &'a Btf,
    /// The module.
    pub split: &'a SplitBtf,
}

impl Types for SplitView<'_> {
    fn type_by_id(&self, id: u32) -> Option<&Type> {
        if id <= self.split.base_types {
            self.base.get(id)
        } else {
            self.split
                .types
                .get((id - self.split.base_types - 1) as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `skip_mods` goes under typedefs, qualifiers and type tags, keeps `void` as 0, and ends
    /// on an id that does not exist or on a cycle (a broken blob) with `None`.
    #[test]
    fn skip_mods_walks_under_modifiers_and_stops_on_broken_chains() {
        let mut b = Btf::new();
        let int = b.add(Type::int("int", 4, true));
        let c = b.add(Type::new("", Kind::Const(int)));
        let td = b.add(Type::new("u", Kind::Typedef(c)));
        let tag = b.add(Type::new("user", Kind::TypeTag(td)));
        assert_eq!(b.skip_mods(tag), Some(int));
        assert_eq!(b.skip_mods(int), Some(int));
        let to_void = b.add(Type::new("", Kind::Volatile(0)));
        assert_eq!(b.skip_mods(to_void), Some(0));
        assert_eq!(b.skip_mods(0), Some(0));
        let dangling = b.add(Type::new("d", Kind::Typedef(999)));
        assert_eq!(b.skip_mods(dangling), None);
        let next = b.types.len() as u32 + 1;
        let a = b.add(Type::new("a", Kind::Typedef(next + 1)));
        b.add(Type::new("b", Kind::Restrict(a)));
        assert_eq!(b.skip_mods(a), None);
    }

    /// A base of two types and a module of two over it, encoded by hand as the kernel lays
    /// split BTF out: own ids from 3, own string offsets after the base's table.
    fn blobs() -> (Vec<u8>, Vec<u8>) {
        let mut base = Btf::new();
        let int = base.add(Type::int("int", 4, true));
        base.add(Type::new("base_fn_proto_ret", Kind::Ptr(int)));
        let base_bytes = base.encode();
        let (n, strings) = decode::base_of(&base_bytes).unwrap();
        assert_eq!(n, 2);
        let base_len = strings.len() as u32;
        // The module's own strings: "\0mod_kfunc\0x\0".
        let own_strings = b"\0mod_kfunc\0x\0".to_vec();
        let name = base_len + 1;
        let param = base_len + 11;
        let mut types = Vec::new();
        let mut w = |v: u32| types.extend_from_slice(&v.to_le_bytes());
        // [3] FUNC_PROTO (int x) returning int.
        w(0);
        w((13 << 24) | 1);
        w(int);
        w(param);
        w(int);
        // [4] FUNC 'mod_kfunc' global -> [3].
        w(name);
        w((12 << 24) | 1);
        w(3);
        let mut blob = Vec::new();
        blob.extend_from_slice(&BTF_MAGIC.to_le_bytes());
        blob.push(BTF_VERSION);
        blob.push(0);
        for v in [
            24u32,
            0,
            types.len() as u32,
            types.len() as u32,
            own_strings.len() as u32,
        ] {
            blob.extend_from_slice(&v.to_le_bytes());
        }
        blob.extend_from_slice(&types);
        blob.extend_from_slice(&own_strings);
        (base_bytes, blob)
    }

    #[test]
    fn split_btf_numbers_its_types_after_the_base_and_names_them_from_both_tables() {
        let (base_bytes, blob) = blobs();
        let base = Btf::decode(&base_bytes).unwrap();
        let m = SplitBtf::decode("mod", &blob, &base_bytes).unwrap();
        assert_eq!(m.base_types, 2);
        assert_eq!(m.types.len(), 2);
        assert_eq!(m.find_own("mod_kfunc", 12), Some(4));
        // Only the module's own types are searched.
        assert_eq!(m.find_own("int", 1), None);
        let v = m.over(&base);
        let Kind::Func { proto, .. } = v.type_by_id(4).unwrap().kind else {
            panic!("not a FUNC")
        };
        let Kind::FuncProto { ret, params } = &v.type_by_id(proto).unwrap().kind else {
            panic!("not a FUNC_PROTO")
        };
        assert_eq!(params[0].name, "x");
        assert_eq!(v.type_by_id(*ret).unwrap().name, "int");
        assert_eq!(v.type_by_id(5), None);
    }

    #[test]
    fn a_split_type_referring_past_the_module_is_an_error() {
        let (base_bytes, mut blob) = blobs();
        // FUNC [4] -> type 9.
        let at = 24 + 5 * 4 + 2 * 4;
        blob[at..at + 4].copy_from_slice(&9u32.to_le_bytes());
        let e = SplitBtf::decode("mod", &blob, &base_bytes).unwrap_err();
        assert!(
            e.message
                .contains("refers to type 9, but there are 4 types"),
            "{e}"
        );
        // A plain decode of it fails too: its strings are not its own.
        assert!(Btf::decode(&blob).is_err());
    }

    #[test]
    fn the_running_kernels_modules_decode_over_vmlinux() {
        let dir = std::path::Path::new("/sys/kernel/btf");
        let Ok(base) = std::fs::read(dir.join("vmlinux")) else {
            eprintln!("skipped: no /sys/kernel/btf/vmlinux");
            return;
        };
        let mods = SplitBtf::read_dir(dir, &base).unwrap();
        let (n, _) = decode::base_of(&base).unwrap();
        assert_eq!(n as usize, Btf::decode(&base).unwrap().types.len());
        assert!(mods.iter().all(|m| m.base_types == n));
    }
}
