//! A component's run configuration from its object's BTF (libxdp's `.xdp_run_config`): a
//! `DATASEC .xdp_run_config` with a `VAR _<function>` of an anonymous struct whose members are
//! `priority` and the names of the chain-call actions (`XDP_PASS`, ...), each encoded like a
//! libbpf map attribute: a pointer to an array whose element count is the value.

use ebpf_dsl::btf::{Btf, Kind, Types};

use super::{action_by_name, MultiprogOptions};

/// The section libxdp reads.
pub const RUN_CONFIG_SECTION: &str = ".xdp_run_config";

/// The element count of the array a member points to (`__uint(name, N)`).
fn uint_member(btf: &Btf, ty: u32) -> Option<u32> {
    let Kind::Ptr(n) = &btf.get(btf.skip_mods(ty)?)?.kind else {
        return None;
    };
    match &btf.get(*n)?.kind {
        Kind::Array { nelems, .. } => Some(*nelems),
        _ => None,
    }
}

/// The run configuration of XDP function `function` in `btf`, if its object declares one
/// (`None`: no `.xdp_run_config` entry for it; libxdp then uses priority 50 and `XDP_PASS`).
/// Members that are not `priority` or an XDP action are ignored, as libxdp does.
pub fn run_config(btf: &Btf, function: &str) -> Option<MultiprogOptions> {
    let want = format!("_{function}");
    let vars = btf.types.iter().find_map(|t| match &t.kind {
        Kind::Datasec { vars, .. } if t.name == RUN_CONFIG_SECTION => Some(vars),
        _ => None,
    })?;
    let var = vars.iter().find_map(|v| {
        let t = btf.get(v.ty)?;
        match &t.kind {
            Kind::Var { ty, .. } if t.name == want => Some(*ty),
            _ => None,
        }
    })?;
    let Kind::Struct { members, .. } = &btf.get(var)?.kind else {
        return None;
    };
    let mut o = MultiprogOptions {
        chain_call_actions: 0,
        ..MultiprogOptions::default()
    };
    for m in members {
        let Some(v) = uint_member(btf, m.ty) else {
            continue;
        };
        if m.name == "priority" {
            o.priority = v;
        } else if let Some(a) = action_by_name(&m.name) {
            if v != 0 {
                o.chain_call_actions |= 1 << a;
            }
        }
    }
    if o.chain_call_actions == 0 {
        o.chain_call_actions = MultiprogOptions::default().chain_call_actions;
    }
    Some(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebpf_dsl::btf::{Linkage, Member, Type, VarSecInfo};

    /// The BTF of `struct { __uint(priority, 10); __uint(XDP_PASS, 1); __uint(XDP_DROP, 1); }
    /// XDP_RUN_CONFIG(my_xdp_func);` as protocol.org shows it.
    #[test]
    fn reads_protocol_org_example() {
        let mut b = Btf::new();
        let int = b.add(Type::int("int", 4, true));
        let idx = b.add(Type::int("__ARRAY_SIZE_TYPE__", 4, false));
        let arr = |b: &mut Btf, n| {
            let a = b.add(Type::new(
                "",
                Kind::Array {
                    elem: int,
                    index: idx,
                    nelems: n,
                },
            ));
            b.add(Type::new("", Kind::Ptr(a)))
        };
        let p10 = arr(&mut b, 10);
        let p1 = arr(&mut b, 1);
        let member = |name: &str, ty, at| Member {
            name: name.into(),
            ty,
            bit_offset: at,
            bitfield_size: 0,
        };
        let st = b.add(Type::new(
            "",
            Kind::Struct {
                size: 24,
                members: vec![
                    member("priority", p10, 0),
                    member("XDP_PASS", p1, 64),
                    member("XDP_DROP", p1, 128),
                ],
            },
        ));
        let var = b.add(Type::new(
            "_my_xdp_func",
            Kind::Var {
                ty: st,
                linkage: Linkage::Global,
            },
        ));
        b.add(Type::new(
            RUN_CONFIG_SECTION,
            Kind::Datasec {
                size: 0,
                vars: vec![VarSecInfo {
                    ty: var,
                    offset: 0,
                    size: 24,
                }],
            },
        ));
        let o = run_config(&b, "my_xdp_func").unwrap();
        assert_eq!(o.priority, 10);
        assert_eq!(o.chain_call_actions, 0b110);
        assert!(run_config(&b, "other").is_none());
    }
}
