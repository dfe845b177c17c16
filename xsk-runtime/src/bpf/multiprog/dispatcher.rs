//! The version-2 dispatcher program, built here instruction by instruction with its BTF: the
//! main function `xdp_dispatcher`, ten global slot functions `prog0`..`prog9` (and libxdp's
//! `compat_test`) of type `int (struct xdp_md *ctx)`, all in the program's `func_info`, so
//! freplace programs can target the slots by BTF id and libxdp finds them by name.
//!
//! What it does is libxdp's dispatcher: for slot `i` below `num_progs_enabled`, call `prog<i>`
//! and continue only if bit `ret` of `chain_call_actions[i]` is set; otherwise return `ret`.
//! After the last slot, return `XDP_PASS`. A slot function not replaced returns
//! [`DISPATCHER_RETVAL`] (always a chain-call action); it calls `bpf_xdp_adjust_tail(ctx, 0)`
//! so that components that change packet data may replace it (Linux 6.13 checks that).
//! The configuration is read from a frozen `BPF_F_RDONLY_PROG` array map, so the verifier
//! treats it as constants and prunes the slots not in use.

use std::os::fd::{AsFd, OwnedFd};

use ebpf_dsl::btf::{Btf, BtfExt, ExtSection, FuncInfo, Kind, Linkage, Member, Param, Type};
use ebpf_dsl::{Insn, MapSpec, MapType, ProgramType};

use super::config::{DispatcherConfig, DISPATCHER_RETVAL, MAX_PROGS};
use crate::bpf::maps::Map;
use crate::bpf::program::{LoadOptions, Program, BPF_F_XDP_HAS_FRAGS};
use crate::error::{Error, Result};
use crate::sys::bpf::ProgBtf;

/// The dispatcher program's name (libxdp recognises a dispatcher by it).
pub const DISPATCHER_NAME: &str = "xdp_dispatcher";
/// The configuration map's name (libbpf's name for the object's `.rodata`).
pub const CONFIG_MAP_NAME: &str = "xdp_disp.rodata";
/// `BPF_F_RDONLY_PROG`: programs may only read the map.
pub const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_FUNC_xdp_adjust_tail`.
const BPF_FUNC_XDP_ADJUST_TAIL: i32 = 65;
const XDP_PASS: i32 = 2;

/// Adds `int`, `struct xdp_md` and `int (struct xdp_md *ctx)`; returns the `FUNC_PROTO` id.
pub(crate) fn add_xdp_proto(btf: &mut Btf) -> u32 {
    let int = btf.add(Type::int("int", 4, true));
    let uint = btf.add(Type::int("unsigned int", 4, false));
    let u32_t = btf.add(Type::new("__u32", Kind::Typedef(uint)));
    let fields = [
        "data",
        "data_end",
        "data_meta",
        "ingress_ifindex",
        "rx_queue_index",
        "egress_ifindex",
    ];
    let md = btf.add(Type::new(
        "xdp_md",
        Kind::Struct {
            size: 24,
            members: fields
                .iter()
                .enumerate()
                .map(|(i, f)| Member {
                    name: (*f).into(),
                    ty: u32_t,
                    bit_offset: 32 * i as u32,
                    bitfield_size: 0,
                })
                .collect(),
        },
    ));
    let ptr = btf.add(Type::new("", Kind::Ptr(md)));
    btf.add(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: vec![Param {
                name: "ctx".into(),
                ty: ptr,
            }],
        },
    ))
}

fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn::new(code, dst, src, off, imm)
}

/// The instructions, with the configuration map's fd in the `ld_imm64`; and the first slot of
/// each slot function (`prog0`..`prog9`, then `compat_test`).
fn instructions(map_fd: i32) -> (Vec<Insn>, Vec<u32>) {
    let mut v = vec![
        insn(0xbf, 6, 1, 0, 0), // r6 = r1
        insn(0x18, 8, 2, 0, map_fd),
        insn(0, 0, 0, 0, 0),    // r8 = map_value(conf, 0)
        insn(0x71, 7, 8, 2, 0), // r7 = *(u8 *)(r8 + 2): num_progs_enabled
    ];
    // Each slot: 8 instructions; calls and jumps are patched once the layout is known.
    let mut calls = Vec::new();
    let mut to_out = Vec::new();
    let mut to_ret = Vec::new();
    for i in 0..MAX_PROGS {
        to_out.push(v.len());
        v.push(insn(0xa5, 7, 0, 0, i as i32 + 1)); // if r7 < i + 1 goto out
        v.push(insn(0xbf, 1, 6, 0, 0)); // r1 = r6
        calls.push(v.len());
        v.push(insn(0x85, 0, 1, 0, 0)); // call prog<i>
        v.push(insn(0x61, 1, 8, 4 + 4 * i as i16, 0)); // r1 = chain_call_actions[i]
        v.push(insn(0xbc, 2, 0, 0, 0)); // w2 = w0
        v.push(insn(0x7c, 1, 2, 0, 0)); // w1 >>= w2
        v.push(insn(0x54, 1, 0, 0, 1)); // w1 &= 1
        to_ret.push(v.len());
        v.push(insn(0x16, 1, 0, 0, 0)); // if w1 == 0 goto ret
    }
    // libxdp keeps a call to compat_test (an freplace target for its kernel probe).
    to_out.push(v.len());
    v.push(insn(0xa5, 7, 0, 0, MAX_PROGS as i32 + 1));
    v.push(insn(0xbf, 1, 6, 0, 0));
    calls.push(v.len());
    v.push(insn(0x85, 0, 1, 0, 0));
    let out = v.len();
    v.push(insn(0xb7, 0, 0, 0, XDP_PASS)); // out: r0 = XDP_PASS
    v.push(insn(0x95, 0, 0, 0, 0));
    let ret = v.len();
    v.push(insn(0x95, 0, 0, 0, 0)); // ret: return the slot's verdict
    let mut starts = Vec::new();
    for i in 0..=MAX_PROGS {
        starts.push(v.len() as u32);
        let last = i == MAX_PROGS;
        v.push(insn(0xb7, 0, 0, 0, 0)); // r0 = XDP_ABORTED
        v.push(insn(0x15, 1, 0, if last { 1 } else { 3 }, 0)); // if !ctx return
        if !last {
            v.push(insn(0xb7, 2, 0, 0, 0)); // r2 = 0
            v.push(insn(0x85, 0, 0, 0, BPF_FUNC_XDP_ADJUST_TAIL));
        }
        v.push(insn(0xb7, 0, 0, 0, DISPATCHER_RETVAL as i32));
        v.push(insn(0x95, 0, 0, 0, 0));
    }
    for (c, s) in calls.iter().zip(&starts) {
        v[*c].imm = *s as i32 - (*c as i32 + 1);
    }
    for j in to_out {
        v[j].off = (out as i64 - (j as i64 + 1)) as i16;
    }
    for j in to_ret {
        v[j].off = (ret as i64 - (j as i64 + 1)) as i16;
    }
    (v, starts)
}

/// The dispatcher's BTF and `func_info`; `slot_ids[i]` is the `FUNC` id of `prog<i>`.
fn btf(starts: &[u32]) -> (Btf, BtfExt, Vec<u32>) {
    let mut btf = Btf::new();
    let proto = add_xdp_proto(&mut btf);
    let func = |btf: &mut Btf, name: &str| {
        btf.push(Type::new(
            name,
            Kind::Func {
                proto,
                linkage: Linkage::Global,
            },
        ))
    };
    let main = func(&mut btf, DISPATCHER_NAME);
    let mut records = vec![FuncInfo {
        insn: 0,
        type_id: main,
    }];
    let mut slot_ids = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let name = if i < MAX_PROGS {
            format!("prog{i}")
        } else {
            "compat_test".to_owned()
        };
        let id = func(&mut btf, &name);
        if i < MAX_PROGS {
            slot_ids.push(id);
        }
        records.push(FuncInfo {
            insn: s,
            type_id: id,
        });
    }
    let ext = BtfExt {
        func_info: vec![ExtSection {
            name: "xdp".into(),
            records,
        }],
        ..BtfExt::default()
    };
    (btf, ext, slot_ids)
}

/// A loaded dispatcher: the program, its configuration map, and the BTF ids of its slots.
#[derive(Debug)]
pub struct Dispatcher {
    /// The `xdp_dispatcher` program.
    pub program: Program,
    /// The frozen configuration map.
    pub config_map: Map,
    /// The configuration it was loaded with.
    pub config: DispatcherConfig,
    /// `FUNC` ids of `prog0`..`prog9` in its BTF: the freplace targets.
    pub slot_btf_ids: Vec<u32>,
}

/// Creates the configuration map (written, then frozen) and loads the dispatcher for
/// `config`, with `BPF_F_XDP_HAS_FRAGS` when `config.is_xdp_frags` is set.
pub fn load_dispatcher(config: &DispatcherConfig) -> Result<Dispatcher> {
    if usize::from(config.num_progs_enabled) > MAX_PROGS {
        return Err(Error::invalid(format!(
            "a dispatcher has {MAX_PROGS} slots, {} asked for",
            config.num_progs_enabled
        )));
    }
    let map = Map::create(&MapSpec {
        name: CONFIG_MAP_NAME.into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: super::config::CONFIG_SIZE as u32,
        max_entries: 1,
        flags: BPF_F_RDONLY_PROG,
        btf: None,
        inner: None,
    })?;
    map.update(&0u32.to_ne_bytes(), &config.encode(), Default::default())?;
    map.freeze()?;
    let (insns, starts) = instructions(map.raw_fd());
    let (btf, ext, slot_btf_ids) = btf(&starts);
    let records = btf.encode_for_load(&ext);
    let btf_fd: OwnedFd = crate::sys::btf::btf_load(&records.btf, &mut []).map_err(|e| {
        Error::io_hint(
            "BPF_BTF_LOAD",
            e,
            "the dispatcher needs BTF (slot functions are freplace targets by BTF id)",
        )
    })?;
    // `expected_attach_type` BPF_XDP, as libbpf gives libxdp's dispatcher (section "xdp"): an
    // freplace component remembers its first target's attach type and the kernel re-links it
    // only into a dispatcher with the same one (`saved_dst_attach_type`, EINVAL otherwise), so
    // libxdp's and our dispatchers must agree for components to move between them.
    let opts = LoadOptions {
        expected_attach_type: Some(crate::sys::bpf::BPF_XDP),
        prog_flags: if config.is_xdp_frags != 0 {
            BPF_F_XDP_HAS_FRAGS
        } else {
            0
        },
        ..LoadOptions::default()
    };
    let program = Program::load_raw(
        DISPATCHER_NAME,
        ProgramType::Xdp,
        "GPL",
        &insns,
        Some(ProgBtf {
            fd: btf_fd.as_fd(),
            func_info: &records.func_info,
            line_info: &[],
        }),
        &opts,
        None,
    )?;
    Ok(Dispatcher {
        program,
        config_map: map,
        config: *config,
        slot_btf_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jumps_and_calls_land_on_function_starts() {
        let (v, starts) = instructions(3);
        assert_eq!(starts.len(), MAX_PROGS + 1);
        let fs = ebpf_dsl::btf::function_starts(&v);
        assert_eq!(fs[0], 0);
        assert_eq!(&fs[1..], &starts[..]);
        // Every jump in the main function stays inside it.
        for (i, x) in v[..starts[0] as usize].iter().enumerate() {
            if matches!(x.code, 0xa5 | 0x16) {
                let t = i as i64 + 1 + i64::from(x.off);
                assert!(t > i as i64 && t < i64::from(starts[0]), "insn {i}");
            }
        }
        let (btf, ext, ids) = btf(&starts);
        assert_eq!(ids.len(), MAX_PROGS);
        assert_eq!(ext.func_info[0].records.len(), MAX_PROGS + 2);
        assert_eq!(btf.get(ids[3]).unwrap().name, "prog3");
    }
}
