//! The special fields of a map value or of a program's allocated object, found in BTF as the
//! kernel's `btf_parse_fields` finds them: `bpf_spin_lock`, `bpf_timer`, the graph roots and
//! nodes (`bpf_rb_root`, `bpf_rb_node`, `bpf_list_head`, `bpf_list_node`), `bpf_refcount`,
//! the other kernel-managed structs, and the `__kptr` pointers (a pointer whose target is
//! type-tagged `kptr`, `kptr_untrusted` or `percpu_kptr`). Such bytes are never read or
//! written by plain loads and stores, except a kptr, through `bpf_kptr_xchg`.

use super::*;

/// The structs the kernel manages inside a value (`btf_get_field_type`).
const SPECIAL_STRUCTS: [&str; 11] = [
    "bpf_spin_lock",
    "bpf_res_spin_lock",
    "bpf_timer",
    "bpf_wq",
    "bpf_task_work",
    "bpf_rb_root",
    "bpf_rb_node",
    "bpf_list_head",
    "bpf_list_node",
    "bpf_refcount",
    "bpf_workqueue",
];

/// What a special field is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// One of the kernel-managed structs (its name: `bpf_spin_lock`, `bpf_rb_node`, ...).
    Managed(&'static str),
    /// A `bpf_rb_root` (`list`: a `bpf_list_head`) whose `__contains(TYPE, FIELD)` tag names
    /// the struct of its nodes and their node member.
    GraphRoot {
        /// A list head rather than a tree root.
        list: bool,
        /// The nodes' struct type id (in the same BTF).
        value: u32,
        /// The byte offset of the node member in that struct.
        node_offset: u32,
    },
    /// A `__kptr` (8 bytes): a pointer the program only moves with `bpf_kptr_xchg`.
    Kptr {
        /// The pointed-to struct's type id in the same BTF (0: a forward declaration).
        target: u32,
        /// Tagged `kptr` (referenced), rather than `kptr_untrusted` or `percpu_kptr`.
        referenced: bool,
        /// Tagged `percpu_kptr`.
        percpu: bool,
    },
}

/// One special field: its bytes and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SpecialField {
    /// Byte offset in the value.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// What it is.
    pub kind: FieldKind,
}

/// The special fields of one value type, or why the kernel would give it none.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct SpecialFields {
    /// The fields, by offset.
    pub fields: Vec<SpecialField>,
}

impl SpecialFields {
    /// The field that overlaps bytes `lo..hi`, if any.
    pub fn overlapping(&self, lo: i64, hi: i64) -> Option<&SpecialField> {
        self.fields
            .iter()
            .find(|f| lo < i64::from(f.offset) + i64::from(f.size) && i64::from(f.offset) < hi)
    }

    /// The kptr field at exactly `offset`, if any.
    pub fn kptr_at(&self, offset: i64) -> Option<&SpecialField> {
        self.fields
            .iter()
            .find(|f| i64::from(f.offset) == offset && matches!(f.kind, FieldKind::Kptr { .. }))
    }

    /// True if it has a field of the managed struct `name` (graph roots included).
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| match f.kind {
            FieldKind::Managed(n) => n == name,
            FieldKind::GraphRoot { list, .. } => {
                name == if list { "bpf_list_head" } else { "bpf_rb_root" }
            }
            FieldKind::Kptr { .. } => false,
        })
    }

    /// The graph root field at exactly `offset`, if any.
    pub fn root_at(&self, offset: i64) -> Option<&SpecialField> {
        self.fields.iter().find(|f| {
            i64::from(f.offset) == offset && matches!(f.kind, FieldKind::GraphRoot { .. })
        })
    }
}

/// A program's own BTF (an ELF object's `.BTF`) as the verifier needs it: the types of the
/// objects it allocates (`bpf_obj_new`), and which type is the value of which map, for the
/// `__kptr` fields of map values (`bpf_kptr_xchg`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProgramTypes {
    /// The program's BTF.
    pub btf: Btf,
    /// Map name ([`crate::spec::MapSpec::name_str`]) and the id of its value type in
    /// [`ProgramTypes::btf`].
    pub values: Vec<(String, u32)>,
}

impl ProgramTypes {
    /// The value type of the map named `map`, if known.
    pub fn value_of(&self, map: &str) -> Option<u32> {
        self.values.iter().find(|(m, _)| m == map).map(|(_, v)| *v)
    }
}

/// The static name of the special struct `name`, if it is one.
fn special_name(name: &str) -> Option<&'static str> {
    SPECIAL_STRUCTS.iter().copied().find(|s| *s == name)
}

impl Btf {
    /// The special fields of type `id` (a struct, a union or a `DATASEC`, after typedefs and
    /// qualifiers), nested structs and arrays of them included. `Err` with the reason when the
    /// layout is one this crate does not model (a special field in an array, in a union, at
    /// a bit offset, nested deeper than the kernel's limit): a caller then refuses what
    /// depends on it rather than guess.
    pub fn special_fields(&self, id: u32) -> Result<SpecialFields, String> {
        let mut out = SpecialFields::default();
        let id = self.under_mods(id).ok_or("a broken type reference")?;
        match self.get(id).map(|t| &t.kind) {
            Some(Kind::Datasec { vars, .. }) => {
                for v in vars {
                    let ty = match self.get(v.ty).map(|t| &t.kind) {
                        Some(Kind::Var { ty, .. }) => *ty,
                        _ => v.ty,
                    };
                    let before = out.fields.len();
                    if let Some(k) = self.under_mods(ty).and_then(|p| self.kptr_of(p)) {
                        out.fields.push(SpecialField {
                            offset: v.offset,
                            size: 8,
                            kind: k,
                        });
                        continue;
                    }
                    self.collect_special(ty, v.offset, 0, &mut out.fields)?;
                    self.check_roots(&mut out.fields[before..], v.ty, -1)?;
                }
            }
            _ => self.collect_special(id, 0, 0, &mut out.fields)?,
        }
        out.fields.sort_by_key(|f| f.offset);
        Ok(out)
    }

    /// Skips typedefs and qualifiers (not type tags).
    fn under_mods(&self, mut id: u32) -> Option<u32> {
        for _ in 0..32 {
            match self.get(id)?.kind {
                Kind::Typedef(n) | Kind::Volatile(n) | Kind::Const(n) | Kind::Restrict(n) => id = n,
                _ => return Some(id),
            }
        }
        None
    }

    /// The kptr a pointer member of type `ptr` is (its tag and target), if it is one.
    fn kptr_of(&self, ptr: u32) -> Option<FieldKind> {
        let Some(Kind::Ptr(to)) = self.get(ptr).map(|t| &t.kind) else {
            return None;
        };
        let mut id = *to;
        let mut tag = None;
        for _ in 0..32 {
            let t = self.get(id)?;
            match t.kind {
                Kind::TypeTag(n) => {
                    if matches!(t.name.as_str(), "kptr" | "kptr_untrusted" | "percpu_kptr") {
                        tag = Some(t.name.clone());
                    }
                    id = n;
                }
                Kind::Typedef(n) | Kind::Volatile(n) | Kind::Const(n) | Kind::Restrict(n) => id = n,
                _ => break,
            }
        }
        let tag = tag?;
        let target = match self.get(id).map(|t| &t.kind) {
            Some(Kind::Struct { .. }) => id,
            _ => 0,
        };
        Some(FieldKind::Kptr {
            target,
            referenced: tag != "kptr_untrusted",
            percpu: tag == "percpu_kptr",
        })
    }

    /// Adds the special fields of type `id` placed at byte `base`.
    fn collect_special(
        &self,
        id: u32,
        base: u32,
        depth: u32,
        out: &mut Vec<SpecialField>,
    ) -> Result<(), String> {
        if depth > 8 {
            return Err("structs nested deeper than 8 levels".into());
        }
        let Some(id) = self.under_mods(id) else {
            return Err("a broken type reference".into());
        };
        let Some(t) = self.get(id) else {
            return Ok(());
        };
        match &t.kind {
            Kind::Struct { size, members } => {
                if let Some(name) = special_name(&t.name) {
                    out.push(SpecialField {
                        offset: base,
                        size: *size,
                        kind: FieldKind::Managed(name),
                    });
                    return Ok(());
                }
                for (i, m) in members.iter().enumerate() {
                    let before = out.len();
                    let at = base
                        .checked_add(m.bit_offset / 8)
                        .ok_or_else(|| format!("a member of `{}` beyond 4 GiB", t.name))?;
                    if let Some(k) = self.under_mods(m.ty).and_then(|p| self.kptr_of(p)) {
                        out.push(SpecialField {
                            offset: at,
                            size: 8,
                            kind: k,
                        });
                    } else {
                        self.collect_special(m.ty, at, depth + 1, out)?;
                    }
                    if out.len() > before && (m.bit_offset % 8 != 0 || m.bitfield_size != 0) {
                        return Err(format!("a special field at a bit offset in `{}`", t.name));
                    }
                    self.check_roots(&mut out[before..], id, i as i32)?;
                }
                Ok(())
            }
            Kind::Union { members, .. } => {
                let mut inner = Vec::new();
                for m in members {
                    if self
                        .under_mods(m.ty)
                        .and_then(|p| self.kptr_of(p))
                        .is_some()
                    {
                        inner.push(());
                    }
                    let mut sub = Vec::new();
                    self.collect_special(m.ty, base, depth + 1, &mut sub)?;
                    if !sub.is_empty() {
                        inner.push(());
                    }
                }
                if inner.is_empty() {
                    Ok(())
                } else {
                    Err(format!("a special field in union `{}`", t.name))
                }
            }
            Kind::Array { elem, nelems, .. } => {
                // An array of special fields (`struct bpf_rb_root roots[2]`): each element is
                // one (the kernel's `btf_find_field` repeats them, at most 64 here).
                let mut sub = Vec::new();
                if let Some(k) = self.under_mods(*elem).and_then(|p| self.kptr_of(p)) {
                    sub.push(SpecialField {
                        offset: 0,
                        size: 8,
                        kind: k,
                    });
                } else {
                    self.collect_special(*elem, 0, depth + 1, &mut sub)?;
                }
                if sub.is_empty() {
                    return Ok(());
                }
                let size = self.size_of(*elem).ok_or("an array of unsized elements")?;
                if *nelems > 64 {
                    return Err("an array of more than 64 special fields".into());
                }
                for i in 0..*nelems {
                    for f in &sub {
                        let offset = i
                            .checked_mul(size)
                            .and_then(|d| d.checked_add(base)?.checked_add(f.offset))
                            .ok_or("an array of special fields beyond 4 GiB")?;
                        out.push(SpecialField {
                            offset,
                            ..f.clone()
                        });
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The kernel's `btf_parse_graph_root` for the fields just found for one member or
    /// variable (`owner`, `component`): a `bpf_rb_root` / `bpf_list_head` needs a
    /// `__contains(TYPE, FIELD)` tag naming a struct of this BTF whose member FIELD is a
    /// `bpf_rb_node` / `bpf_list_node`; otherwise the kernel's record of the whole value is an
    /// error, and the map has no special field at all (not even its lock).
    fn check_roots(
        &self,
        found: &mut [SpecialField],
        owner: u32,
        component: i32,
    ) -> Result<(), String> {
        for f in found {
            let (list, node) = match f.kind {
                FieldKind::Managed("bpf_rb_root") => (false, "bpf_rb_node"),
                FieldKind::Managed("bpf_list_head") => (true, "bpf_list_node"),
                _ => continue,
            };
            let Some((ty, field)) = self.contains_tag(owner, component) else {
                return Err("a graph root without a __contains(type, field) tag".into());
            };
            let value = self.find(&ty, 4);
            let node_offset = value.and_then(|v| match &self.get(v)?.kind {
                Kind::Struct { members, .. } => members
                    .iter()
                    .find(|m| m.name == field)
                    .filter(|m| {
                        m.bit_offset % 8 == 0
                            && self
                                .under_mods(m.ty)
                                .and_then(|n| self.get(n))
                                .is_some_and(|n| n.name == node)
                    })
                    .map(|m| m.bit_offset / 8),
                _ => None,
            });
            let (Some(value), Some(node_offset)) = (value, node_offset) else {
                return Err(format!(
                    "a graph root that contains `{ty}`'s `{field}`, which this BTF has not as a {node} (`struct {ty}` is missing or its member is not one)"
                ));
            };
            f.kind = FieldKind::GraphRoot {
                list,
                value,
                node_offset,
            };
        }
        Ok(())
    }

    /// Why the kernel refuses this BTF as a program's (`BPF_BTF_LOAD`, its
    /// `btf_parse_struct_metas`), if it does: a struct holding a lock, a graph root or node or
    /// a `bpf_refcount` must have a valid record (at most one lock and one refcount, graph
    /// roots whose `__contains` names a node, not both a list node and an rb node without a
    /// refcount), and no cycle of ownership (`btf_check_ownership_depth`: roots own their
    /// node types, kptrs their targets; at most 8 deep). libbpf then loads the
    /// object without any BTF ("BTF is optional, ignoring"): no map has special fields and
    /// `bpf_obj_new` is refused ("requires prog BTF"), so a caller drops the BTF too.
    pub fn kernel_refusal(&self) -> Option<String> {
        const PARSED: [&str; 7] = [
            "bpf_spin_lock",
            "bpf_res_spin_lock",
            "bpf_list_head",
            "bpf_list_node",
            "bpf_rb_root",
            "bpf_rb_node",
            "bpf_refcount",
        ];
        // (struct, the structs it owns)
        let mut owners: Vec<(u32, Vec<u32>)> = Vec::new();
        for (i, t) in self.types.iter().enumerate() {
            let id = i as u32 + 1;
            let Kind::Struct { .. } = t.kind else {
                continue;
            };
            if special_name(&t.name).is_some() {
                continue;
            }
            let f = match self.special_fields(id) {
                Ok(f) => f,
                Err(why) => {
                    // Only structs with a field the kernel parses at load time matter.
                    let mut any = Vec::new();
                    let _ = self.collect_special(id, 0, 0, &mut any);
                    if any.iter().any(|f| {
                        matches!(f.kind, FieldKind::Managed(n) if PARSED.contains(&n))
                            || matches!(f.kind, FieldKind::GraphRoot { .. })
                    }) || why.contains("graph root")
                    {
                        return Some(format!("struct {}: {why}", t.name));
                    }
                    continue;
                }
            };
            let count = |n: &str| {
                f.fields
                    .iter()
                    .filter(|x| match x.kind {
                        FieldKind::Managed(m) => m == n,
                        _ => false,
                    })
                    .count()
            };
            if count("bpf_spin_lock") + count("bpf_res_spin_lock") > 1 {
                return Some(format!(
                    "struct {} holds more than one bpf_spin_lock",
                    t.name
                ));
            }
            if count("bpf_refcount") > 1 {
                return Some(format!(
                    "struct {} holds more than one bpf_refcount",
                    t.name
                ));
            }
            if count("bpf_refcount") == 0 && count("bpf_list_node") > 0 && count("bpf_rb_node") > 0
            {
                return Some(format!(
                    "struct {} holds both a bpf_list_node and a bpf_rb_node but no bpf_refcount",
                    t.name
                ));
            }
            // What it owns: its roots' node types, the program types its kptrs point to.
            let owned: Vec<u32> = f
                .fields
                .iter()
                .filter_map(|x| match x.kind {
                    FieldKind::GraphRoot { value, .. } => Some(value),
                    FieldKind::Kptr {
                        target,
                        referenced: true,
                        ..
                    } if target != 0 => Some(target),
                    _ => None,
                })
                .collect();
            owners.push((id, owned));
        }
        // `btf_check_ownership_depth`: the ownership chains among these structs are acyclic
        // and at most 8 deep (-ELOOP otherwise).
        fn depth(owners: &[(u32, Vec<u32>)], id: u32, left: u32) -> Option<u32> {
            if left == 0 {
                return None;
            }
            let Some((_, owned)) = owners.iter().find(|(o, _)| *o == id) else {
                return Some(0);
            };
            let mut max = 0;
            for v in owned {
                if owners.iter().any(|(o, _)| o == v) {
                    max = max.max(depth(owners, *v, left - 1)?);
                }
            }
            (max < left).then_some(max + 1)
        }
        for (id, _) in &owners {
            if depth(&owners, *id, 8).is_none() {
                return Some(format!(
                    "struct {} is in a cycle of ownership (roots, kptrs) or one deeper than 8 (the kernel: btf_check_ownership_depth)",
                    self.get(*id).map_or("?", |t| t.name.as_str())
                ));
            }
        }
        None
    }

    /// The `contains:TYPE:FIELD` declaration tag (`__contains(TYPE, FIELD)`) on member or
    /// variable `component` of type `id`, if any: (TYPE, FIELD).
    pub fn contains_tag(&self, id: u32, component: i32) -> Option<(String, String)> {
        self.types.iter().find_map(|t| match t.kind {
            Kind::DeclTag { ty, component_idx } if ty == id && component_idx == component => {
                let rest = t.name.strip_prefix("contains:")?;
                let (a, b) = rest.split_once(':')?;
                Some((a.to_string(), b.to_string()))
            }
            _ => None,
        })
    }
}

#[cfg(test)]
#[path = "special_tests.rs"]
mod tests;
