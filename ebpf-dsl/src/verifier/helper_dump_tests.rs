//! The helper table as the verifier reads it, written as JSON for
//! `tools/helper-protos/check.py`, which compares it with the kernel's own prototypes:
//!
//! ```text
//! HELPER_PROTOS_DUMP=out.json cargo test -p ebpf-dsl --lib helper_table_dump
//! ```
//!
//! One object per helper id: the table's prototype (arguments and return kind as the Rust
//! names, the families, GPL-only, changes packet data), `pkt_access`, the argument registers
//! not demanded exact (`deps::anything_args`), the families the kernel offers it to
//! (`offered`), and the families the verifier lets call it at each target release listed (the
//! row's families, the release gates of `offered_since`, the per-family prototype of
//! `family_proto`).

use super::helpers;
use super::transfer::{family_proto, offered, offered_since};
use crate::isa::helpers::{avail, HELPERS};
use crate::verifier::KernelVersion;

const FAMILIES: [(&str, u8); 3] = [
    ("xdp", avail::XDP),
    ("socket_filter", avail::SOCK),
    ("tc", avail::TC),
];

fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn families(bits: u8) -> String {
    let names: Vec<String> = FAMILIES
        .iter()
        .filter(|(_, b)| bits & b != 0)
        .map(|(n, _)| json_str(n))
        .collect();
    format!("[{}]", names.join(","))
}

/// The families whose programs may call helper `id` on target `kernel`, and the argument
/// kinds they see (by family).
fn callable(id: i32, kernel: KernelVersion) -> (u8, Vec<(&'static str, String)>) {
    let mut bits = 0;
    let mut args = Vec::new();
    let Some(p) = helpers::proto(id) else {
        return (0, args);
    };
    for (name, f) in FAMILIES {
        let q = family_proto(p, f, kernel);
        if q.avail & f == 0 {
            continue;
        }
        if offered_since(id, f).is_some_and(|since| kernel < since) {
            continue;
        }
        bits |= f;
        let a: Vec<String> = q.args.iter().map(|a| json_str(&format!("{a:?}"))).collect();
        args.push((name, format!("[{}]", a.join(","))));
    }
    (bits, args)
}

/// The helper table as `tools/helper-protos/check.py` reads it: written to the file
/// `HELPER_PROTOS_DUMP` names, else only checked.
#[test]
fn helper_table_dump() {
    let targets = [
        ("6.1", KernelVersion::new(6, 1)),
        ("6.6", KernelVersion::new(6, 6)),
        ("6.12", KernelVersion::new(6, 12)),
        ("6.18", KernelVersion::new(6, 18)),
    ];
    let mut rows = Vec::new();
    for h in HELPERS.iter() {
        let id = h.id as i32;
        let mut f = vec![
            format!("\"id\":{id}"),
            format!("\"name\":{}", json_str(h.name)),
        ];
        let special = helpers::special_arg_count(id);
        let modelled = if h.proto.is_some() {
            "table"
        } else if special.is_some() {
            "special"
        } else {
            "no"
        };
        f.push(format!("\"modelled\":{}", json_str(modelled)));
        if let Some(p) = h.proto {
            let a: Vec<String> = p.args.iter().map(|a| json_str(&format!("{a:?}"))).collect();
            f.push(format!("\"args\":[{}]", a.join(",")));
            f.push(format!("\"ret\":{}", json_str(&format!("{:?}", p.ret))));
            f.push(format!("\"avail\":{}", families(p.avail)));
            f.push(format!("\"gpl_only\":{}", p.gpl_only));
            f.push(format!("\"changes_pkt\":{}", p.changes_pkt));
        }
        if let Some(n) = special {
            f.push(format!("\"special_args\":{n}"));
        }
        f.push(format!("\"pkt_access\":{}", helpers::pkt_access(id)));
        let any = super::deps::anything_args(id, false);
        let regs: Vec<String> = (1..=5)
            .filter(|r| any & (1 << r) != 0)
            .map(|r| r.to_string())
            .collect();
        f.push(format!("\"anything_regs\":[{}]", regs.join(",")));
        f.push(format!("\"offered\":{}", families(offered(id))));
        let mut at = Vec::new();
        for (name, k) in targets {
            let (bits, args) = callable(id, k);
            let by_family: Vec<String> = args
                .iter()
                .map(|(fam, a)| format!("{}:{a}", json_str(fam)))
                .collect();
            at.push(format!(
                "{}:{{\"families\":{},\"args\":{{{}}}}}",
                json_str(name),
                families(bits),
                by_family.join(",")
            ));
        }
        f.push(format!("\"callable\":{{{}}}", at.join(",")));
        rows.push(format!("{{{}}}", f.join(",")));
    }
    let json = format!("[\n{}\n]\n", rows.join(",\n"));
    assert!(json.contains("\"name\":\"bpf_map_lookup_elem\""), "{json}");
    if let Some(path) = std::env::var_os("HELPER_PROTOS_DUMP") {
        std::fs::write(&path, json).expect("writable HELPER_PROTOS_DUMP");
    }
}
