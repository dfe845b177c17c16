//! Tests of the VM through its API: instructions, calls, errors, maps, helpers, trace.

use super::*;
use crate::spec::MapType;

fn spec(text: &str, maps: &[MapSpec]) -> ProgramSpec {
    spec_from_text("t", text, maps).unwrap_or_else(|e| panic!("{}", e.render("t.s")))
}

fn mem_run(text: &str, mem: &mut [u8]) -> Result<u64, VmError> {
    Vm::new(&spec(text, &[])).unwrap().run_mem(mem)
}

fn map(name: &'static str, t: MapType, k: u32, v: u32, n: u32) -> MapSpec {
    MapSpec {
        name: name.into(),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: n,
        flags: 0,
        btf: None,
        inner: None,
    }
}

#[test]
fn arithmetic_and_memory() {
    let mut m = [1, 2, 3, 4, 0, 0, 0, 0];
    let r = mem_run(
        "r0 = *(u32 *)(r1 + 0)\n*(u16 *)(r1 + 4) = 0x1234\nr0 += r2\nexit",
        &mut m,
    )
    .unwrap();
    assert_eq!(r, 0x0403_0201 + 8);
    assert_eq!(m[4..6], [0x34, 0x12]);
}

#[test]
fn load_acquire_and_store_release_move_memory() {
    let mut m = [0xff, 2, 3, 4, 0, 0, 0, 0];
    let r = mem_run(
        "w0 = load_acquire((u8 *)(r1 + 0))\nw3 = 0x1234\nstore_release((u16 *)(r1 + 4), w3)\nexit",
        &mut m,
    )
    .unwrap();
    assert_eq!(r, 0xff);
    assert_eq!(m[4..6], [0x34, 0x12]);
}

#[test]
fn out_of_bounds_load_is_a_precise_error() {
    let mut m = [0u8; 4];
    let e = mem_run("r0 = *(u32 *)(r1 + 2)\nexit", &mut m).unwrap_err();
    assert_eq!(e.pc, 0);
    match e.kind {
        VmErrorKind::OutOfBounds {
            size: 4,
            write: false,
            region: Some((RegionName::Memory, ..)),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    let e = mem_run("r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit", &mut m).unwrap_err();
    assert!(matches!(
        e.kind,
        VmErrorKind::OutOfBounds { region: None, .. }
    ));
    let e = mem_run("*(u64 *)(r10 + 0) = 1\nexit", &mut m).unwrap_err();
    assert!(e.to_string().contains("the stack of frame 0"), "{e}");
}

#[test]
fn local_calls_get_their_own_stack_and_keep_callee_saved() {
    let text = "
        r6 = 7
        *(u64 *)(r10 - 8) = 5
        call f
        r0 += r6
        r1 = *(u64 *)(r10 - 8)
        r0 += r1
        exit
    f:
        *(u64 *)(r10 - 8) = 100
        r6 = 1000
        r0 = *(u64 *)(r10 - 8)
        exit
    ";
    assert_eq!(mem_run(text, &mut []).unwrap(), 100 + 7 + 5);
}

#[test]
fn endless_loops_hit_the_step_limit() {
    let s = spec("l:\ngoto l\nexit", &[]);
    let e = Vm::new(&s)
        .unwrap()
        .step_limit(1000)
        .run_mem(&mut [])
        .unwrap_err();
    assert_eq!(e.kind, VmErrorKind::StepLimit { limit: 1000 });
}

#[test]
fn trace_lists_changed_registers() {
    let s = spec("r0 = 2\nr1 = r0\nexit", &[]);
    let mut vm = Vm::new(&s).unwrap().trace(true);
    vm.run_mem(&mut []).unwrap();
    let t = vm.last_trace();
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].changed, vec![(0, 2)]);
    assert_eq!(t[1].changed, vec![(1, 2)]);
    assert!(render_trace(t).contains("r1 = r0"), "{}", render_trace(t));
}

const COUNT: &str = "
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = counts ll
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
out:
    r0 = XDP_PASS
    exit
";

#[test]
fn maps_are_shared_with_the_test() {
    for t in [MapType::Array, MapType::Hash, MapType::LruHash] {
        let counts = map("counts", t, 4, 8, 4);
        let s = spec(COUNT, std::slice::from_ref(&counts));
        let mut vm = Vm::new(&s)
            .unwrap()
            .with_entry(&counts, &0u32.to_le_bytes(), &41u64.to_le_bytes())
            .unwrap();
        let out = vm.run_xdp(&[0; 64]).unwrap();
        assert_eq!(out.action, Some(XdpAction::Pass));
        assert_eq!(out.packet, vec![0; 64]);
        let v = vm
            .map(&counts)
            .unwrap()
            .lookup(&0u32.to_le_bytes())
            .unwrap();
        assert_eq!(v, 42u64.to_le_bytes(), "{t}");
    }
}

#[test]
fn percpu_maps_count_on_the_chosen_cpu() {
    let counts = map("counts", MapType::PercpuArray, 4, 8, 1);
    let s = spec(COUNT, std::slice::from_ref(&counts));
    let mut vm = Vm::new(&s).unwrap().cpus(4).on_cpu(2);
    vm.run_xdp(&[0; 64]).unwrap();
    let vals = vm
        .map(&counts)
        .unwrap()
        .lookup_percpu(&0u32.to_le_bytes())
        .unwrap();
    assert_eq!(vals.len(), 4);
    assert_eq!(vals[2], 1u64.to_le_bytes());
    assert_eq!(vals[0], 0u64.to_le_bytes());
}

#[test]
fn redirect_to_xsk_records_the_target() {
    let xsks = map("xsks", MapType::Xskmap, 4, 4, 8);
    let s = spec(
        "r2 = *(u32 *)(r1 + 16)\nr1 = xsks ll\nr3 = XDP_PASS\ncall bpf_redirect_map\nexit",
        std::slice::from_ref(&xsks),
    );
    let mut vm = Vm::new(&s).unwrap();
    let input = XdpInput::new(vec![0; 60]).queue(3);
    let out = vm.run_xdp_input(&input).unwrap();
    assert_eq!(out.action, Some(XdpAction::Pass));
    assert_eq!(out.redirect, None);
    vm.map_mut(&xsks)
        .unwrap()
        .update(&3u32.to_le_bytes(), &9u32.to_le_bytes(), BPF_ANY)
        .unwrap();
    let out = vm.run_xdp_input(&input).unwrap();
    assert_eq!(out.action, Some(XdpAction::Redirect));
    assert_eq!(
        out.redirect,
        Some(Redirect::Map {
            map: "xsks".into(),
            key: 3
        })
    );
}

#[test]
fn adjust_head_changes_the_output_packet() {
    let s = spec(
        "
        r6 = r1
        r2 = -4
        call bpf_xdp_adjust_head
        if r0 != 0 goto bad
        r2 = *(u32 *)(r6 + 0)
        r3 = *(u32 *)(r6 + 4)
        r4 = r2
        r4 += 4
        if r4 > r3 goto bad
        *(u32 *)(r2 + 0) = 0x44332211
        r0 = XDP_TX
        exit
    bad:
        r0 = XDP_ABORTED
        exit
    ",
        &[],
    );
    let out = Vm::new(&s).unwrap().run_xdp(&[9; 20]).unwrap();
    assert_eq!(out.action, Some(XdpAction::Tx));
    assert_eq!(out.packet.len(), 24);
    assert_eq!(out.packet[..5], [0x11, 0x22, 0x33, 0x44, 9]);
}

#[test]
fn the_borrowed_view_is_the_owned_outcome() {
    // Moves data 4 bytes back (headroom), writes there, and grows the metadata: the view
    // must show exactly what the owned outcome copies, run after run.
    let s = spec(
        "
        r6 = r1
        r2 = -4
        call bpf_xdp_adjust_head
        r2 = -8
        r1 = r6
        call bpf_xdp_adjust_meta
        r2 = *(u32 *)(r6 + 0)
        r3 = *(u32 *)(r6 + 4)
        r4 = r2
        r4 += 4
        if r4 > r3 goto bad
        *(u32 *)(r2 + 0) = 0x44332211
        r0 = XDP_TX
        exit
    bad:
        r0 = XDP_ABORTED
        exit
    ",
        &[],
    );
    let mut vm = Vm::new(&s).unwrap();
    for len in [20usize, 60, 14] {
        let pkt: Vec<u8> = (0..len as u8).collect();
        let owned = vm.run_xdp(&pkt).unwrap();
        let view = vm.run_xdp_ref(&pkt).unwrap();
        assert_eq!(view.to_outcome(), owned);
        assert_eq!(view.packet.len(), len + 4);
        assert_eq!(view.meta.len(), 8);
        assert_eq!(view.packet[..4], [0x11, 0x22, 0x33, 0x44]);
    }
}

#[test]
fn packet_access_past_data_end_is_an_error() {
    let s = spec("r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 14)\nexit", &[]);
    let e = Vm::new(&s).unwrap().run_xdp(&[0; 14]).unwrap_err();
    assert_eq!(e.pc, 1);
    assert!(e.to_string().contains("the packet"), "{e}");
}

#[test]
fn clock_random_printk_and_ringbuf() {
    let rb = map("rb", MapType::Ringbuf, 0, 0, 4096);
    let s = spec(
        r#"
        call bpf_ktime_get_ns
        r6 = r0
        call bpf_get_prandom_u32
        r7 = r0
        *(u64 *)(r10 - 8) = r6
        r1 = rb ll
        r2 = r10
        r2 += -8
        r3 = 8
        r4 = 0
        call bpf_ringbuf_output
        r1 = 0x64253d74
        *(u64 *)(r10 - 16) = r1
        r1 = r10
        r1 += -16
        r2 = 5
        *(u8 *)(r10 - 12) = 0
        r3 = 42
        call bpf_trace_printk
        r1 = rb ll
        r2 = 4
        r3 = 0
        call bpf_ringbuf_reserve
        if r0 == 0 goto out
        *(u32 *)(r0 + 0) = r7
        r1 = r0
        r2 = 0
        call bpf_ringbuf_submit
    out:
        r0 = 2
        exit
    "#,
        std::slice::from_ref(&rb),
    );
    let mut vm = Vm::new(&s).unwrap().clock(5000, 0).seed(7);
    vm.run_xdp(&[0; 20]).unwrap();
    let recs = vm.map(&rb).unwrap().records();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0], 5000u64.to_le_bytes());
    let first_random = Env {
        rng: 7,
        ..Env::default()
    }
    .next_random();
    assert_eq!(recs[1], first_random.to_le_bytes());
    assert_eq!(vm.printk(), ["t=42"]);
}

#[test]
fn tail_calls_switch_programs() {
    let jmp = map("jmp", MapType::ProgArray, 4, 4, 4);
    let main = spec(
        "r2 = jmp ll\nr3 = 1\ncall bpf_tail_call\nr0 = XDP_DROP\nexit",
        std::slice::from_ref(&jmp),
    );
    let target = spec("r0 = XDP_TX\nexit", &[]);
    let mut vm = Vm::new(&main).unwrap();
    assert_eq!(vm.run_xdp(&[0; 20]).unwrap().action, Some(XdpAction::Drop));
    vm.set_tail_call(&jmp, 1, &target).unwrap();
    assert_eq!(vm.run_xdp(&[0; 20]).unwrap().action, Some(XdpAction::Tx));
}

#[test]
fn fib_lookup_uses_the_test_table() {
    let s = spec(
        "
        r6 = r1
        r1 = 0
        *(u64 *)(r10 - 64) = r1
        *(u64 *)(r10 - 56) = r1
        *(u64 *)(r10 - 48) = r1
        *(u64 *)(r10 - 40) = r1
        *(u64 *)(r10 - 32) = r1
        *(u64 *)(r10 - 24) = r1
        *(u64 *)(r10 - 16) = r1
        *(u64 *)(r10 - 8) = r1
        *(u8 *)(r10 - 64) = 2
        *(u32 *)(r10 - 32) = 0x0302010a
        r1 = r6
        r2 = r10
        r2 += -64
        r3 = 64
        r4 = 0
        call bpf_fib_lookup
        if r0 != 0 goto out
        r0 = *(u32 *)(r10 - 56)
    out:
        exit
    ",
        &[],
    );
    let mut vm = Vm::new(&s).unwrap();
    assert_eq!(vm.run_xdp(&[0; 20]).unwrap().r0, 4);
    let mut vm = Vm::new(&s).unwrap().route(FibRoute {
        prefix: vec![10, 1, 0, 0],
        prefix_len: 16,
        ifindex: 12,
        smac: [1; 6],
        dmac: [2; 6],
    });
    assert_eq!(vm.run_xdp(&[0; 20]).unwrap().r0, 12);
}

fn typed(text: &str, pt: crate::ProgramType) -> ProgramSpec {
    ProgramSpec {
        prog_type: pt,
        ..spec(text, &[])
    }
}

fn ipv4_frame() -> Vec<u8> {
    let mut f = vec![0u8; 42];
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[22] = 64; // TTL
    f[23] = 17; // UDP
    f
}

#[test]
fn tc_program_marks_and_rewrites_with_checksum_update() {
    let s = typed(
        "
        r6 = r1
        r2 = *(u32 *)(r6 + 76)
        r3 = *(u32 *)(r6 + 80)
        r4 = r2
        r4 += 34
        if r4 > r3 goto out
        r7 = *(u16 *)(r2 + 22)
        r8 = r7
        r8 += -1
        *(u16 *)(r2 + 22) = r8
        r1 = r6
        r2 = 24
        r3 = r7
        r4 = r8
        r5 = 2
        call bpf_l3_csum_replace
        r1 = 0x42
        *(u32 *)(r6 + 8) = r1
    out:
        r0 = 0
        exit
    ",
        crate::ProgramType::SchedCls,
    );
    let mut vm = Vm::new(&s).unwrap();
    let out = vm.run_skb(&SkbInput::new(ipv4_frame())).unwrap();
    assert_eq!(out.r0, 0);
    assert_eq!(out.mark, 0x42);
    assert_eq!(out.packet[22], 63);
    // The header checksum was 0 for TTL 64: the update adds 0x0100 to the complement.
    assert_eq!(out.packet[24..26], [0x01, 0x00]);
}

#[test]
fn socket_filter_ld_abs_and_out_of_packet_returns_zero() {
    let s = typed(
        "r6 = r1\nr0 = *(u8 *)skb[9]\nr7 = r0\nr0 = *(u16 *)skb[27]\nr0 += r7\nexit",
        crate::ProgramType::SocketFilter,
    );
    let mut vm = Vm::new(&s).unwrap();
    assert_eq!(vm.run_skb(&SkbInput::new(ipv4_frame())).unwrap().r0, 0);
    let s = typed(
        "r6 = r1\nr0 = *(u8 *)skb[9]\nexit",
        crate::ProgramType::SocketFilter,
    );
    let mut vm = Vm::new(&s).unwrap();
    assert_eq!(vm.run_skb(&SkbInput::new(ipv4_frame())).unwrap().r0, 17);
}

/// Random instruction streams (whatever decodes) never make the VM panic: every run ends with
/// a result or an error.
#[test]
fn random_programs_never_panic() {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let maps = [
        map("m", MapType::Hash, 4, 8, 4),
        map("a", MapType::Array, 4, 8, 4),
    ];
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..3_000 {
        let n = 1 + next() % 24;
        let mut insns: Vec<crate::Insn> = Vec::new();
        while (insns.len() as u64) < n {
            // Random slots until one decodes (ld_imm64 with its second half).
            let r = next();
            let imm = match r % 4 {
                0 => (r >> 8) as i32 % 16,
                1 => (r >> 8) as i32,
                2 => {
                    [1, 2, 5, 6, 7, 8, 12, 23, 26, 28, 44, 51, 54, 65, 130][(r >> 8) as usize % 15]
                }
                _ => -((r >> 8) as i32 % 600),
            };
            let (src_max, off) = if r & (1 << 40) != 0 {
                (2, 0)
            } else {
                (11, ((r >> 32) % 24) as i16 - 12)
            };
            let i = crate::Insn::new(
                (r >> 16) as u8,
                ((r >> 24) % 11) as u8,
                ((r >> 28) % src_max) as u8,
                off,
                imm,
            );
            let slots = if i.code == 0x18 {
                vec![i, crate::Insn::new(0, 0, 0, 0, (r >> 44) as i32)]
            } else {
                vec![i]
            };
            if crate::decode::decode(&slots).is_ok() {
                insns.extend(slots);
            }
        }
        insns.push(crate::Insn::new(0x95, 0, 0, 0, 0));
        let spec = ProgramSpec {
            name: "fuzz".into(),
            prog_type: crate::ProgramType::Xdp,
            license: "GPL".into(),
            insns: insns.into(),
            relocations: Vec::new().into(),
            maps: maps.to_vec().into(),
            lines: Default::default(),
        };
        let packet: Vec<u8> = (0..(14 + next() % 80)).map(|_| next() as u8).collect();
        let vm = Vm::new(&spec).unwrap().step_limit(2_000);
        let mut vm = vm.map_fd(1, &maps[0]).map_fd(2, &maps[1]);
        match vm.run_xdp(&packet) {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
        let _ = vm.run_mem(&mut packet.clone());
        let mut vm = Vm::new(&ProgramSpec {
            prog_type: crate::ProgramType::SchedCls,
            ..spec
        })
        .unwrap()
        .step_limit(2_000)
        .trace(true);
        let _ = vm.run_skb(&SkbInput::new(packet));
    }
    // Both outcomes happen: the programs really run (and some really fail, with an error).
    assert!(
        ok > 100 && failed > 100,
        "{ok} ran to exit, {failed} failed"
    );
}

/// The fast path (no trace) and the general path (trace mode) give the same result, the same
/// error at the same instruction, the same memory and the same maps, on random instruction
/// streams over every opcode (with raw memory and with a packet).
#[test]
fn fast_and_general_paths_agree_on_random_programs() {
    let mut x: u64 = 0x0bad_cafe_dead_beef;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let maps = [map("a", MapType::Array, 4, 8, 4)];
    let mut compared = 0;
    for round in 0..4_000 {
        let n = 2 + next() % 30;
        let mut insns: Vec<crate::Insn> = Vec::new();
        while (insns.len() as u64) < n {
            let r = next();
            let imm = match r % 3 {
                0 => (r >> 8) as i32 % 70,
                1 => (r >> 8) as i32,
                _ => -((r >> 8) as i32 % 70).abs(),
            };
            // Memory operands near the stack top, the raw memory and the packet.
            let off = ((r >> 32) % 40) as i16 - 20;
            let i = crate::Insn::new(
                (r >> 16) as u8,
                ((r >> 24) % 11) as u8,
                ((r >> 28) % 11) as u8,
                if (r >> 16) as u8 & 7 == 5 || (r >> 16) as u8 & 7 == 6 {
                    (off % 6).abs()
                } else {
                    off
                },
                imm,
            );
            let slots = if i.code == 0x18 {
                vec![i, crate::Insn::new(0, 0, 0, 0, (r >> 44) as i32)]
            } else {
                vec![i]
            };
            if crate::decode::decode(&slots).is_ok() && i.code != 0x85 && i.code != 0x8d {
                insns.extend(slots);
            }
        }
        insns.push(crate::Insn::new(0x95, 0, 0, 0, 0));
        let spec = ProgramSpec {
            name: "fuzz".into(),
            prog_type: crate::ProgramType::Xdp,
            license: "GPL".into(),
            insns: insns.into(),
            relocations: Vec::new().into(),
            maps: maps.to_vec().into(),
            lines: Default::default(),
        };
        let limit = 1 + next() % 200;
        let vm = |trace| {
            Vm::new(&spec)
                .unwrap()
                .step_limit(limit)
                .trace(trace)
                .map_fd(1, &maps[0])
        };
        let mem: Vec<u8> = (0..(next() % 48)).map(|_| next() as u8).collect();
        let (mut fast, mut slow) = (vm(false), vm(true));
        let (mut m1, mut m2) = (mem.clone(), mem.clone());
        let r1 = fast.run_mem(&mut m1);
        let r2 = slow.run_mem(&mut m2);
        assert_eq!(r1, r2, "round {round}: raw memory");
        assert_eq!(m1, m2, "round {round}: raw memory contents");
        let packet: Vec<u8> = (0..(14 + next() % 60)).map(|_| next() as u8).collect();
        let (p1, p2) = (fast.run_xdp(&packet), slow.run_xdp(&packet));
        assert_eq!(p1, p2, "round {round}: XDP");
        // A second run on the same VMs: what the first left behind (stack, headroom) is gone.
        assert_eq!(fast.run_xdp(&packet), p2, "round {round}: second XDP run");
        for (a, b) in fast.maps().iter().zip(slow.maps()) {
            assert_eq!(a.keys(), b.keys());
            for k in a.keys() {
                assert_eq!(a.lookup(&k), b.lookup(&k), "round {round}: map contents");
            }
        }
        compared += 1;
    }
    assert_eq!(compared, 4_000);
}

/// The instruction budget stops a program at the same instruction in the fast path (which
/// charges whole straight runs) and in the general path (one instruction at a time), for
/// every limit around the program's length.
#[test]
fn step_limit_is_exact_in_the_fast_path() {
    let s = spec(
        "r0 = 0\nr1 = 5\nl:\nr0 += r1\nr2 = r0\nr2 &= 3\nr1 -= 1\nif r1 != 0 goto l\n\
         call bpf_get_prandom_u32\nr0 = 1\nr3 = 0x100000000 ll\nr0 += 2\nexit",
        &[],
    );
    let total = 2 + 5 * 5 + 5;
    for limit in 0..=total + 2 {
        let run = |trace| {
            Vm::new(&s)
                .unwrap()
                .step_limit(limit)
                .trace(trace)
                .run_mem(&mut [])
        };
        let (fast, slow) = (run(false), run(true));
        assert_eq!(fast, slow, "limit {limit}");
        assert_eq!(fast.is_ok(), limit >= total, "limit {limit}: {fast:?}");
    }
}

/// What a run wrote to the stack and, after `bpf_xdp_adjust_head`, to the headroom reads as
/// zero in the next run (the VM zeroes only what was written).
#[test]
fn the_next_run_sees_a_zeroed_stack_and_headroom() {
    // Run 1 (r6 = the first packet byte = 1): write the stack and 16 bytes of headroom.
    // Run 2 (first byte 2): read them back as r0.
    let s = spec(
        "r6 = r1\nr2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\nr4 = r2\nr4 += 1\n\
         if r4 > r3 goto out\nr7 = *(u8 *)(r2 + 0)\nif r7 != 1 goto read\n\
         r1 = -1\n*(u64 *)(r10 - 8) = r1\n*(u64 *)(r10 - 512) = r1\n\
         r1 = r6\nr2 = -16\ncall bpf_xdp_adjust_head\n\
         r2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\nr4 = r2\nr4 += 16\nif r4 > r3 goto out\n\
         r1 = -1\n*(u64 *)(r2 + 0) = r1\n*(u64 *)(r2 + 8) = r1\nr0 = 0\nexit\n\
         read:\nr1 = r6\nr2 = -16\ncall bpf_xdp_adjust_head\n\
         r2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\nr4 = r2\nr4 += 16\nif r4 > r3 goto out\n\
         r0 = *(u64 *)(r2 + 0)\nr1 = *(u64 *)(r2 + 8)\nr0 |= r1\nr1 = *(u64 *)(r10 - 8)\n\
         r0 |= r1\nr1 = *(u64 *)(r10 - 512)\nr0 |= r1\nexit\nout:\nr0 = 99\nexit",
        &[],
    );
    let mut vm = Vm::new(&s).unwrap();
    let mut first = vec![0u8; 40];
    first[0] = 1;
    let o = vm.run_xdp(&first).unwrap();
    assert_eq!(o.r0, 0);
    assert_eq!(&o.packet[..16], &[0xff; 16]);
    let mut second = vec![0u8; 40];
    second[0] = 2;
    assert_eq!(vm.run_xdp(&second).unwrap().r0, 0);
}

/// The fused pairs (copy-then-add, add-then-compare) give what the two instructions give, at
/// the edges of unsigned comparison and wrap-around, and a jump onto the second slot of a
/// pair runs that slot alone.
#[test]
fn fused_pairs_match_the_general_path() {
    for cond in ["==", "!=", ">", ">=", "<", "<="] {
        for (start, add, cmp) in [
            (0i64, 1i32, 3i32),
            (5, -1, 0),
            (-2, 1, -1),
            (-1, 1, 0),
            (7, -2147483648, 7),
            (0, 2147483647, -5),
        ] {
            let text = format!(
                "r0 = 0\nr3 = {start} ll\nr2 = r1\nr2 += 3\ngoto +2\n\
                 l:\nr0 += 1\nif r0 > 20 goto out\nr3 += {add}\nif r3 {cond} {cmp} goto l\n\
                 r0 += r3\nr3 -= 1\nif r3 {cond} {cmp} goto +0\nout:\nr0 += r2\nexit"
            );
            let s = spec(&text, &[]);
            let run = |trace| Vm::new(&s).unwrap().trace(trace).run_mem(&mut [0; 8]);
            assert_eq!(run(false), run(true), "{text}");
        }
    }
}

/// The program of [`the_borrowed_view_is_the_owned_outcome`]: moves `data` 4 bytes back,
/// grows the metadata by 8, writes the first 4 packet bytes; `XDP_ABORTED` if a step fails.
const ADJUST_AND_WRITE: &str = "
    r6 = r1
    r2 = -4
    call bpf_xdp_adjust_head
    if r0 != 0 goto bad
    r2 = -8
    r1 = r6
    call bpf_xdp_adjust_meta
    if r0 != 0 goto bad
    r2 = *(u32 *)(r6 + 0)
    r3 = *(u32 *)(r6 + 4)
    r4 = r2
    r4 += 4
    if r4 > r3 goto bad
    *(u32 *)(r2 + 0) = 0x44332211
    r0 = XDP_TX
    exit
bad:
    r0 = XDP_ABORTED
    exit
";

/// An in-place run on a fresh frame gives exactly what a copy-in run gives (action, packet,
/// metadata, redirect); the frame keeps what the program did, so the next run starts from the
/// adjusted packet; `refill` starts afresh.
#[test]
fn a_frame_run_in_place_is_the_copy_in_run() {
    let s = spec(ADJUST_AND_WRITE, &[]);
    let mut vm = Vm::new(&s).unwrap();
    let mut other = Vm::new(&s).unwrap();
    let pkt: Vec<u8> = (0..40u8).collect();
    let mut frame = XdpFrame::new(&pkt);
    assert_eq!(frame.packet(), &pkt[..]);
    assert!(frame.meta().is_empty());
    let owned = other.run_xdp(&pkt).unwrap();
    assert_eq!(vm.run_xdp_frame(&mut frame).unwrap().to_outcome(), owned);
    assert_eq!(frame.packet(), &owned.packet[..]);
    assert_eq!(frame.meta(), &owned.meta[..]);
    // In place, like the kernel's repeated test run: the second run adjusts again.
    let again = vm.run_xdp_frame(&mut frame).unwrap();
    assert_eq!(again.action, Some(XdpAction::Tx));
    assert_eq!(again.packet.len(), pkt.len() + 8);
    assert_eq!(again.meta.len(), 16);
    frame.refill(&pkt);
    assert_eq!(frame.packet(), &pkt[..]);
    assert!(frame.meta().is_empty());
    assert_eq!(vm.run_xdp_frame(&mut frame).unwrap().to_outcome(), owned);
    // The VM's own buffer is untouched by frame runs: copy-in runs still match a fresh VM.
    assert_eq!(vm.run_xdp(&pkt).unwrap(), owned);
    frame.packet_mut()[4] = 0xee;
    assert_eq!(frame.packet()[4], 0xee);
}

/// Queue and interface come from the frame; a redirect is reported as in a copy-in run; an
/// error is the copy-in run's error and leaves the frame's packet in the frame.
#[test]
fn a_frame_run_reports_redirects_and_errors() {
    let xsks = map("xsks", MapType::Xskmap, 4, 4, 8);
    let s = spec(
        "r2 = *(u32 *)(r1 + 16)\nr1 = xsks ll\nr3 = XDP_PASS\ncall bpf_redirect_map\nexit",
        std::slice::from_ref(&xsks),
    );
    let mut vm = Vm::new(&s)
        .unwrap()
        .with_entry(&xsks, &3u32.to_le_bytes(), &9u32.to_le_bytes())
        .unwrap();
    let mut frame = XdpFrame::new(&[0; 60]);
    assert_eq!(vm.run_xdp_frame(&mut frame).unwrap().redirect, None);
    frame.rx_queue_index = 3;
    let v = vm.run_xdp_frame(&mut frame).unwrap();
    assert_eq!(v.action, Some(XdpAction::Redirect));
    assert_eq!(
        v.redirect,
        Some(&Redirect::Map {
            map: "xsks".into(),
            key: 3
        })
    );

    let s = spec("r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 14)\nexit", &[]);
    let mut vm = Vm::new(&s).unwrap();
    let want = vm.run_xdp(&[7; 14]).unwrap_err();
    let mut frame = XdpFrame::new(&[7; 14]);
    let e = vm.run_xdp_frame(&mut frame).unwrap_err();
    assert_eq!(e, want);
    assert_eq!(frame.packet(), &[7; 14]);
    assert_eq!(vm.run_xdp(&[7; 15]).unwrap().r0, 7);
}
