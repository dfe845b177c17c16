//! The examples' real XDP programs (`xsk_examples::programs`) in `ebpf_dsl::vm` and in the
//! kernel (`BPF_PROG_TEST_RUN`) on the same packets: the return value, the output packet and
//! the counters must agree after every run (a per-CPU counter as the sum over CPUs, the VM
//! running on one CPU). The XSKMAPs stay empty on both sides (user space can neither fill one
//! without sockets nor read one), so the redirecting programs take their fallback. Needs root;
//! skipped with a message otherwise unless `CI=true`.

use xsk_testkit::kernel_tests;

use ebpf_dsl::vm::Vm;
use ebpf_dsl::{MapType, ProgramSpec};
use xsk_examples::programs;

fn packets() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut x: u64 = 0x5eed;
    for len in [14usize, 33, 34, 42, 60, 64, 128, 1500] {
        for proto in [17u8, 6, 1] {
            let mut p: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            if len >= 34 {
                p[12..14].copy_from_slice(&[0x08, 0x00]);
                p[14] = 0x45;
                p[23] = proto;
            }
            if len >= 42 {
                // The UDP destination port of `udp_port_program(4242)` on some of them.
                if proto == 17 && len % 2 == 0 {
                    p[36..38].copy_from_slice(&4242u16.to_be_bytes());
                }
            }
            out.push(p);
        }
    }
    out
}

fn sum_u64(bytes: &[u8]) -> u64 {
    bytes
        .chunks_exact(8)
        .map(|c| u64::from_ne_bytes(c.try_into().unwrap_or_default()))
        .sum()
}

fn compare(spec: &ProgramSpec) {
    let loaded = xsk_runtime::Loader::new()
        .program(spec.clone())
        .load()
        .unwrap_or_else(|e| panic!("{}: the kernel refuses it: {e}", spec.name));
    let prog = loaded.program(&spec.name).expect("the program");
    let mut vm = Vm::new(spec).expect("the VM takes it");
    for (i, p) in packets().iter().enumerate() {
        let k = prog.test_run(p, 1).expect("BPF_PROG_TEST_RUN");
        let v = vm
            .run_xdp(p)
            .unwrap_or_else(|e| panic!("{} packet {i}: {e}", spec.name));
        assert_eq!(k.retval as u64, v.r0, "{} packet {i}: r0", spec.name);
        let mut out = v.meta.clone();
        out.extend_from_slice(&v.packet);
        assert_eq!(k.data_out, out, "{} packet {i}: output packet", spec.name);
        for m in spec.maps.iter().filter(|m| m.map_type != MapType::Xskmap) {
            let km = loaded.map_ref(m.name_str()).expect("the kernel map");
            let key = 0u32.to_ne_bytes();
            let kv = km.lookup(&key).expect("lookup").unwrap_or_default();
            let vv = vm
                .map(m)
                .expect("the VM map")
                .lookup(&key)
                .unwrap_or_default();
            assert_eq!(
                sum_u64(&kv),
                sum_u64(vv),
                "{} packet {i}: map {}",
                spec.name,
                m.name_str()
            );
        }
    }
}

fn examples_programs_match_the_kernel() {
    compare(&programs::UDP_ONLY);
    compare(&programs::REDIRECT_ALL);
    compare(&programs::PKTGEN_TX);
    compare(&programs::SINK_DROP);
    compare(&programs::udp_port_program(4242).expect("builds"));
    compare(&programs::redirect_program(1).expect("builds"));
}

kernel_tests! {
    privileged: [examples_programs_match_the_kernel],
}
