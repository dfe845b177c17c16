//! The part of a [`Btf`] some types need: e.g. a map's key and value types out of a clang
//! object's `.BTF`, to create the map with them without loading the whole object's BTF.

use std::collections::BTreeMap;

use super::*;

/// The type ids `kind` refers to, mutably.
fn refs_mut(kind: &mut Kind) -> Vec<&mut u32> {
    match kind {
        Kind::Ptr(id)
        | Kind::Typedef(id)
        | Kind::Volatile(id)
        | Kind::Const(id)
        | Kind::Restrict(id)
        | Kind::TypeTag(id)
        | Kind::Func { proto: id, .. }
        | Kind::Var { ty: id, .. }
        | Kind::DeclTag { ty: id, .. } => vec![id],
        Kind::Array { elem, index, .. } => vec![elem, index],
        Kind::Struct { members, .. } | Kind::Union { members, .. } => {
            members.iter_mut().map(|m| &mut m.ty).collect()
        }
        Kind::FuncProto { ret, params } => std::iter::once(ret)
            .chain(params.iter_mut().map(|p| &mut p.ty))
            .collect(),
        Kind::Datasec { vars, .. } => vars.iter_mut().map(|v| &mut v.ty).collect(),
        Kind::Int { .. }
        | Kind::Enum { .. }
        | Kind::Enum64 { .. }
        | Kind::Fwd { .. }
        | Kind::Float { .. } => Vec::new(),
    }
}

impl Btf {
    /// The types `roots` need (themselves and every type they refer to, in their original
    /// order) as a new [`Btf`], and each root's id in it (0 stays 0). `None` when a reference
    /// points past the end of `self`.
    pub fn subset(&self, roots: &[u32]) -> Option<(Btf, Vec<u32>)> {
        let mut seen: BTreeMap<u32, u32> = BTreeMap::new();
        let mut stack: Vec<u32> = roots.iter().copied().filter(|&r| r != 0).collect();
        while let Some(id) = stack.pop() {
            if seen.contains_key(&id) {
                continue;
            }
            let mut kind = self.get(id)?.kind.clone();
            seen.insert(id, 0);
            stack.extend(
                refs_mut(&mut kind)
                    .into_iter()
                    .map(|r| *r)
                    .filter(|&r| r != 0),
            );
        }
        for (i, v) in seen.values_mut().enumerate() {
            *v = i as u32 + 1;
        }
        let mut types = Vec::with_capacity(seen.len());
        for &id in seen.keys() {
            let mut t = self.get(id)?.clone();
            for r in refs_mut(&mut t.kind) {
                if *r != 0 {
                    *r = seen[r];
                }
            }
            types.push(t);
        }
        let ids = roots
            .iter()
            .map(|r| if *r == 0 { 0 } else { seen[r] })
            .collect();
        Some((Btf::from_types(types), ids))
    }
}
