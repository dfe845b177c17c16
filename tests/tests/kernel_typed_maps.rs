//! Typed maps by their `defmap!` item, per-CPU maps and the ring buffer consumer, against the
//! real kernel (issue 16 items 1-3).
//!
//! - `loaded.map(&ITEM)` hands out the handle the item's type names (checked by the compiler
//!   in this file: each handle is bound to an explicitly typed variable), and the handles see
//!   what the programs wrote (`BPF_PROG_TEST_RUN`); an `XskInterface` with a custom program
//!   (in a veth sandbox of its own; no packets sent) hands out that program's maps the same way.
//! - Per-CPU maps: one value per possible CPU, values of 12 bytes in 16-byte slots (the
//!   kernel's 8-byte rounding) read back exactly, sums over the CPUs.
//! - The ring buffer: a producer thread runs programs using `bpf_ringbuf_output` and
//!   `bpf_ringbuf_reserve`/`submit`/`discard` thousands of times on a one-page ring while this
//!   thread consumes (the output program and the reader loop are xsk_testkit::seqring's, shared
//!   with the async test, the examples and the benchmark); every record carries a sequence number, and the consumer must see each
//!   submitted one exactly once, in order, and no discarded one.
//!
//! Needs root (CAP_BPF); skipped with a message otherwise, unless `CI=true`.

use xsk_testkit::kernel_tests;

use std::thread;
use std::time::Duration;

use ebpf_dsl_macros::{defmap, defprogram};
use xsk_runtime::maps::{Array, HashMap, Map, UpdateFlags, XskMap};
use xsk_runtime::percpu::{PerCpuArray, PerCpuHashMap};
use xsk_runtime::pod::Pod;
use xsk_runtime::ringbuf::RingBuf;
use xsk_runtime::socket::{BindMode, SocketConfig};
use xsk_runtime::umem::UmemConfig;
use xsk_runtime::xsk::{RedirectProgram, XskInterfaceConfig};
use xsk_runtime::{Error, Loader, Program, XskInterface};
use xsk_testkit::netns::VethPair;
use xsk_testkit::seqring::{self, ProduceOptions, SeqProducer, SEQ_EVENTS, SEQ_OUT};

/// A flow key with no padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FlowKey {
    addr: u32,
    port: u32,
}
// SAFETY: two u32 fields, no padding, every bit pattern valid.
unsafe impl Pod for FlowKey {}

/// A 12-byte per-CPU value: 16-byte slots in the kernel's per-CPU layout.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Stats {
    packets: u32,
    bytes: u32,
    drops: u32,
}
// SAFETY: three u32 fields, no padding, every bit pattern valid.
unsafe impl Pod for Stats {}

/// Bytes of the test rings (`max_entries` below, a literal so that `defprogram!`'s verifier
/// sees it): one page, the smallest the kernel accepts, so that the producer wraps around it
/// many times and fills it.
const RING: u32 = 4096;

defmap! {
    /// Packets seen by COUNT.
    COUNTS: array(key = u32, value = u64, max_entries = 2);
    /// Flows (written from user space only).
    FLOWS: hash(key = FlowKey, key_size = 8, value = u64, max_entries = 16);
    /// Packets seen by COUNT, per CPU.
    PCPU: percpu_array(key = u32, value = u64, max_entries = 1);
    /// 12-byte values per CPU.
    PCPU_STATS: percpu_hash(key = u32, value = Stats, value_size = 12, max_entries = 8, name = "pcpu_stats");
    /// Sockets (only to prove the handle type).
    XSKS: xskmap(key = u32, value = u32, max_entries = 4);
    /// Sized only: stays a `Map`.
    RAW: array(key_size = 4, value_size = 8, max_entries = 1);
    /// The reserve/submit/discard ring and its producer's state.
    RES_RING: ringbuf(max_entries = 4096);
    RES_SEQ: array(key = u32, value = [u64; 2], max_entries = 1);
    /// XskInterface's XSKMAP, as a custom program names it (the interface makes it, sized to
    /// its queues).
    XSK_MAP: xskmap(key = u32, value = u32, max_entries = 64, name = "xsks");
    /// Packets seen by XSK_COUNT.
    XSK_COUNTS: array(key = u32, value = u64, max_entries = 1);
    /// The name of the shared producer's SEQ_STATE with another value type.
    SEQ_STATE_AS_U64: array(key = u32, value = u64, max_entries = 1, name = "seq_state");
    /// Never loaded.
    ELSEWHERE: array(key = u32, value = u32, max_entries = 1);
}

defprogram! {
    /// COUNTS[0] += 1 (atomic), PCPU[0] += 1 (this CPU's slot), and names the other maps.
    COUNT: xdp {
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = COUNTS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r1 = 1;
        lock *(u64 *)(r0 + 0) += r1;
        r2 = r10;
        r2 += -4;
        r1 = PCPU ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r1 = *(u64 *)(r0 + 0);
        r1 += 1;
        *(u64 *)(r0 + 0) = r1;
        r1 = FLOWS ll;
        r1 = PCPU_STATS ll;
        r1 = XSKS ll;
        r1 = RAW ll;
    out:
        r0 = XDP_PASS;
        exit;
    }

    /// Reserves a 16-byte record {seq, 3 * seq} per run; discards it when seq % 3 == 0,
    /// submits it otherwise. The sequence number advances on every successful reserve.
    RB_RESERVE: xdp {
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = RES_SEQ ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r6 = r0;
        r1 = RES_RING ll;
        r2 = 16;
        r3 = 0;
        call bpf_ringbuf_reserve;
        if r0 == 0 goto full;
        r7 = *(u64 *)(r6 + 0);
        *(u64 *)(r0 + 0) = r7;
        r8 = r7;
        r8 *= 3;
        *(u64 *)(r0 + 8) = r8;
        r8 = r7;
        r8 += 1;
        *(u64 *)(r6 + 0) = r8;
        r1 = r0;
        r2 = 0;
        r7 %= 3;
        if r7 == 0 goto discard;
        call bpf_ringbuf_submit;
        goto out;
    discard:
        call bpf_ringbuf_discard;
        goto out;
    full:
        r1 = 1;
        lock *(u64 *)(r6 + 8) += r1;
    out:
        r0 = XDP_PASS;
        exit;
    }
}

defprogram! {
    /// Counts every packet in XSK_COUNTS, then redirects it to the socket of its queue.
    XSK_COUNT: xdp {
        r6 = r1;
        r1 = 0;
        *(u32 *)(r10 - 4) = r1;
        r2 = r10;
        r2 += -4;
        r1 = XSK_COUNTS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto redirect;
        r1 = 1;
        lock *(u64 *)(r0 + 0) += r1;
    redirect:
        r2 = *(u32 *)(r6 + 16);
        r1 = XSK_MAP ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }
}

const PACKET: [u8; 64] = [0; 64];

fn typed_handles_by_item() {
    let loaded = Loader::new().program(COUNT).load().unwrap();
    // The annotations are the test: each must be the type `loaded.map(&ITEM)` has.
    let counts: Array<u64> = loaded.map(&COUNTS).unwrap();
    let flows: HashMap<FlowKey, u64> = loaded.map(&FLOWS).unwrap();
    let pcpu: PerCpuArray<u64> = loaded.map(&PCPU).unwrap();
    let stats: PerCpuHashMap<u32, Stats> = loaded.map(&PCPU_STATS).unwrap();
    let _xsks: XskMap = loaded.map(&XSKS).unwrap();
    let raw: Map = loaded.map(&RAW).unwrap();
    assert_eq!(raw.value_size(), 8);

    let prog = loaded.program("count").unwrap();
    prog.test_run(&PACKET, 37).unwrap();
    assert_eq!(counts.get(0).unwrap(), 37);
    let per_cpu = pcpu.get(0).unwrap();
    assert_eq!(per_cpu.len(), pcpu.cpus());
    assert_eq!(
        per_cpu.sum(),
        37,
        "every run counted on some CPU: {per_cpu:?}"
    );
    assert_eq!(pcpu.sum(0).unwrap(), 37);

    // Written from user space, read back through the other handle of the same map.
    let key = FlowKey {
        addr: 0x0a00_0001,
        port: 53,
    };
    flows.insert(&key, &9, UpdateFlags::Any).unwrap();
    let by_name: HashMap<FlowKey, u64> = loaded.map("flows").unwrap();
    assert_eq!(by_name.get(&key).unwrap(), Some(9));
    // By name, the run-time check still refuses a wrong type.
    assert!(matches!(
        loaded.map::<HashMap<FlowKey, u32>>("flows"),
        Err(Error::MapMismatch { .. })
    ));

    // Per-CPU 12-byte values: a distinct value on every CPU survives the 16-byte slots.
    let n = stats.cpus();
    let values: Vec<Stats> = (0..n as u32)
        .map(|c| Stats {
            packets: c + 1,
            bytes: 100 * (c + 1),
            drops: 7,
        })
        .collect();
    stats.insert(&5, &values, UpdateFlags::Any).unwrap();
    let back = stats.get(&5).unwrap().unwrap();
    assert_eq!(&*back, &values[..]);
    let total = back.fold(Stats::default(), |a, s| Stats {
        packets: a.packets + s.packets,
        bytes: a.bytes + s.bytes,
        drops: a.drops + s.drops,
    });
    let sum_1_to_n = (n * (n + 1) / 2) as u32;
    assert_eq!(
        total,
        Stats {
            packets: sum_1_to_n,
            bytes: 100 * sum_1_to_n,
            drops: 7 * n as u32
        }
    );
    stats
        .insert_all(
            &6,
            &Stats {
                packets: 1,
                bytes: 2,
                drops: 3,
            },
            UpdateFlags::Any,
        )
        .unwrap();
    assert!(stats.get(&6).unwrap().unwrap().iter().all(|s| s.bytes == 2));
    assert!(
        stats
            .insert(&7, &values[..n - 1], UpdateFlags::Any)
            .is_err(),
        "one value per CPU"
    );
    let mut keys: Vec<u32> = stats.keys().map(Result::unwrap).collect();
    keys.sort_unstable();
    assert_eq!(keys, [5, 6]);
    pcpu.set_all(0, &0).unwrap();
    assert_eq!(pcpu.sum(0).unwrap(), 0);

    // An item whose map this Loaded does not have.
    assert!(matches!(
        loaded.map(&ELSEWHERE),
        Err(Error::NotFound { .. })
    ));
}

fn xsk_interface_hands_out_the_programs_maps() {
    let pair = VethPair::builder()
        .tag("tmaps")
        .build()
        .expect("build the veth sandbox");
    let name = pair.left.name.clone();
    let config = XskInterfaceConfig {
        program: RedirectProgram::Custom(XSK_COUNT),
        umem: UmemConfig {
            frame_size: 2048,
            frame_count: 256,
            ..Default::default()
        },
        socket: SocketConfig {
            rx_size: 64,
            tx_size: 64,
            fill_size: 64,
            completion_size: 64,
            mode: BindMode::Copy,
            ..Default::default()
        },
        ..Default::default()
    };
    let xsk = pair
        .left
        .run(|| XskInterface::open(&name, &config))
        .expect("enter the namespace")
        .expect("open XskInterface with the custom program");
    let counts: Array<u64> = xsk.map(&XSK_COUNTS).unwrap();
    let xsks: XskMap = xsk.map(&XSK_MAP).unwrap();
    assert_eq!(
        xsks.len(),
        1,
        "the interface's own XSKMAP, one slot per queue"
    );
    xsk.program().test_run(&PACKET, 5).unwrap();
    assert_eq!(counts.get(0).unwrap(), 5);
    assert!(xsk.loaded().map_names().any(|n| n == "xsk_counts"));
}

/// The shared reader loop (xsk_testkit::seqring) with this file's bounds: `calls` test-run
/// calls of `repeat` runs each on another thread while `consume` reads `ring`; returns when
/// the producer is done and the ring is drained.
fn produce_while_consuming(
    prog: &Program,
    ring: &mut RingBuf,
    calls: u64,
    repeat: u32,
    consume: impl FnMut(&[u8]),
) {
    let opts = ProduceOptions {
        calls,
        repeat,
        ..Default::default()
    };
    seqring::produce_while_consuming(prog, ring, &opts, consume).unwrap();
    assert_eq!(ring.pending_bytes(), 0);
}

fn record(r: &[u8]) -> (u64, u64) {
    assert_eq!(r.len(), 16, "records are 16 bytes");
    seqring::parse(r).unwrap()
}

fn ringbuf_output_no_loss_no_duplicate() {
    let (producer, mut ring) = SeqProducer::load(RING).unwrap();
    let mut next = 0u64;
    produce_while_consuming(producer.program(), &mut ring, 200, 500, |r| {
        let (s, check) = record(r);
        assert_eq!(s, next, "records in order, none lost or repeated");
        assert_eq!(check, 3 * s, "record {s} intact");
        next += 1;
    });
    let (produced, drops) = producer.counts().unwrap();
    assert_eq!(next, produced, "every record the program put in was read");
    assert_eq!(
        produced + drops,
        200 * 500,
        "every run either wrote or counted a drop"
    );
    println!("bpf_ringbuf_output: {produced} records read, {drops} runs found the ring full");
}

fn ringbuf_reserve_submit_discard() {
    let mut loaded = Loader::new().program(RB_RESERVE).load().unwrap();
    let mut ring: RingBuf = loaded.map(&RES_RING).unwrap();
    let seq: Array<[u64; 2]> = loaded.map(&RES_SEQ).unwrap();
    let prog = loaded.take_program("rb_reserve").unwrap();
    let mut expect = 1u64; // 0 is discarded
    let mut read = 0u64;
    produce_while_consuming(&prog, &mut ring, 200, 500, |r| {
        let (s, check) = record(r);
        assert_ne!(s % 3, 0, "discarded record {s} was handed out");
        assert_eq!(
            s, expect,
            "submitted records in order, none lost or repeated"
        );
        assert_eq!(check, 3 * s);
        expect = if (s + 1) % 3 == 0 { s + 2 } else { s + 1 };
        read += 1;
    });
    let [reserved, drops] = seq.get(0).unwrap();
    assert_eq!(
        read,
        reserved - reserved.div_ceil(3),
        "every submitted record was read"
    );
    assert_eq!(reserved + drops, 200 * 500);
    println!(
        "bpf_ringbuf_reserve: {reserved} reserved, {read} submitted and read, {} discarded \
         and skipped, {drops} runs found the ring full",
        reserved - read
    );
}

fn ringbuf_blocking_and_nonblocking_reads() {
    let mut loaded = Loader::new().program(SEQ_OUT).load().unwrap();
    let mut ring: RingBuf = loaded.map(&SEQ_EVENTS).unwrap();
    let prog = loaded.take_program("seq_out").unwrap();
    // Empty: the non-blocking read has nothing, the blocking one times out.
    assert!(ring.next().unwrap().is_none());
    assert!(ring
        .next_timeout(Some(Duration::from_millis(20)))
        .unwrap()
        .is_none());
    assert_eq!(
        ring.poll(Some(Duration::from_millis(20)), |_| ()).unwrap(),
        0
    );
    // A record written while the consumer sleeps in epoll_wait wakes it.
    let producer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        prog.test_run(&PACKET, 3).unwrap();
        prog
    });
    let first = ring
        .next_timeout(Some(Duration::from_secs(30)))
        .unwrap()
        .map(|r| record(&r));
    assert_eq!(first, Some((0, 0)));
    let prog = producer.join().unwrap();
    // The other two, without waiting; the record is borrowed in place until dropped.
    {
        let r = ring.next().unwrap().unwrap();
        assert_eq!(record(&r), (1, 3));
    }
    assert_eq!(ring.next().unwrap().map(|r| record(&r)), Some((2, 6)));
    assert!(ring.next().unwrap().is_none());
    prog.test_run(&PACKET, 1).unwrap();
    assert_eq!(
        ring.pending_bytes(),
        24,
        "one 8-byte header and 16 bytes of data"
    );
    let mut seen = Vec::new();
    assert_eq!(ring.consume(|r| seen.push(record(r))).unwrap(), 1);
    assert_eq!(seen, [(3, 9)]);
}

fn ringbuf_by_name_and_bad_maps() {
    let loaded = Loader::new().program(SEQ_OUT).load().unwrap();
    let ring: RingBuf = loaded.map("seq_events").unwrap();
    assert_eq!(ring.size(), u64::from(RING));
    assert!(matches!(
        loaded.map::<RingBuf>("seq_state"),
        Err(Error::MapMismatch { .. })
    ));
    // An item of the same name but another value type is refused, not mistyped.
    assert!(matches!(
        loaded.map(&SEQ_STATE_AS_U64),
        Err(Error::MapMismatch { .. })
    ));
    assert!(RingBuf::create("rb_bad_size", 3000).is_err());
    let own = RingBuf::create("rb_own", 8192).unwrap();
    assert_eq!(own.pending_bytes(), 0);
}

/// A BPF arena (`BPF_MAP_TYPE_ARENA`, 2 pages, `BPF_F_MMAPABLE`): the reference kernel
/// (6.18.44 as deployed here) refuses every arena with EPERM, even to root; the error then
/// says so. A kernel that creates it passes too (the runtime has no arena support beyond
/// creating the map: no mmap, no `map_extra`), with a note.
fn arena_map_creation_or_its_hint() {
    let spec = ebpf_dsl::MapSpec {
        name: "arena".into(),
        map_type: ebpf_dsl::MapType::Arena,
        key_size: 0,
        value_size: 0,
        max_entries: 2,
        flags: 1 << 10,
        btf: None,
        inner: None,
    };
    match Map::create(&spec) {
        Ok(m) => eprintln!("note: this kernel creates arena maps ({})", m.name()),
        Err(Error::MapOp { errno, hint, .. }) if errno == libc::EPERM => {
            let hint = hint.expect("a hint");
            assert!(hint.contains("refuses BPF arenas"), "{hint}");
        }
        // A kernel without arenas (its BTF's enum bpf_map_type says so; 6.9): EINVAL, and
        // the hint says the type is unknown.
        Err(Error::MapOp { errno, hint, .. })
            if errno == libc::EINVAL
                && xsk_runtime::maps::kernel_knows_map_type(ebpf_dsl::MapType::Arena)
                    == Some(false) =>
        {
            println!("branch: this kernel does not know arena maps (its BTF)");
            let hint = hint.expect("a hint");
            assert!(
                hint.contains("this kernel does not know the arena map type"),
                "{hint}"
            );
        }
        Err(e) => panic!("unexpected error creating an arena: {e}"),
    }
}

kernel_tests! {
    privileged: [
        arena_map_creation_or_its_hint,
        typed_handles_by_item,
        xsk_interface_hands_out_the_programs_maps,
        ringbuf_output_no_loss_no_duplicate,
        ringbuf_reserve_submit_discard,
        ringbuf_blocking_and_nonblocking_reads,
        ringbuf_by_name_and_bad_maps,
    ],
}
