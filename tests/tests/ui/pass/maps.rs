//! `defmap!` in all its forms, and two programs sharing maps from another module. Doc
//! comments are kept on the expanded items (`missing_docs` is denied).
#![deny(missing_docs)]
use ebpf_dsl::{MapType, ProgramType};
use ebpf_dsl_macros::{defmap, defprogram};

/// The maps, in their own module.
pub mod maps {
    use ebpf_dsl_macros::defmap;

    /// Capacity of the flow table.
    pub const FLOWS_MAX: u32 = 1 << 14;

    /// A flow key.
    #[repr(C)]
    pub struct FlowKey {
        /// Source address.
        pub saddr: u32,
        /// Destination address.
        pub daddr: u32,
        /// Ports.
        pub ports: u32,
    }

    defmap! {
        /// AF_XDP sockets by RX queue.
        pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
        /// Per-flow packet counts.
        pub FLOWS: lru_hash(key = FlowKey, value = u64, max_entries = FLOWS_MAX, flags = BPF_F_NO_COMMON_LRU);
        /// Events to user space.
        pub EVENTS: ringbuf(max_entries = 256 * 1024);
        /// Per-CPU statistics.
        pub STATS: percpu_array(value = [u64; 4], max_entries = 1);
        /// Redirect targets, with a program per entry.
        pub DEVS: devmap(value_size = 8, max_entries = 8);
        /// Redirect targets by ifindex.
        pub(crate) DEVS_BY_IFINDEX: devmap_hash(max_entries = 8, name = "devs_by_if");
        /// CPUs for redirect.
        pub CPUS: cpumap(value = u32, max_entries = 2, flags = BPF_F_NUMA_NODE);
        /// Tail calls.
        pub JUMP_TABLE: prog_array(max_entries = 4, name = "jmp_table");
        /// A plain hash.
        pub ADDRS: hash(key = [u8; 6], value = u32, max_entries = 128, flags = BPF_F_NO_PREALLOC);
        /// A plain percpu hash.
        pub PERCPU: percpu_hash(key_size = 4, value_size = 8, max_entries = 16);
    }
}

use maps::{DEVS, XSKS};

defmap! {
    /// Local, private, with a raw flag value.
    COUNTER: array(key = u32, value = u64, max_entries = 1, flags = 0x80);
}

defprogram! {
    /// Redirects to a device.
    pub TO_DEV: xdp(name = "to_dev") {
        r2 = 0;
        r1 = DEVS ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }

    /// Redirects to a socket, using a path to the map.
    pub TO_XSK: xdp {
        r2 = *(u32 *)(r1 + 16);
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }

    /// A tc classifier (sched_cls) that passes everything (TC_ACT_OK).
    pub TC_OK: sched_cls {
        r0 = 0;
        exit;
    }
}

fn main() {
    assert_eq!(maps::XSKS.map_type, MapType::Xskmap);
    assert_eq!(maps::FLOWS.key_size, 12);
    assert_eq!(maps::FLOWS.max_entries, 16384);
    assert_eq!(maps::FLOWS.flags, 2);
    assert_eq!(maps::EVENTS.max_entries, 262144);
    assert_eq!((maps::EVENTS.key_size, maps::EVENTS.value_size), (0, 0));
    assert_eq!(maps::STATS.value_size, 32);
    assert_eq!(maps::STATS.key_size, 4);
    assert_eq!(maps::DEVS.value_size, 8);
    assert_eq!(maps::DEVS_BY_IFINDEX.name_str(), "devs_by_if");
    assert_eq!(maps::CPUS.flags, 4);
    assert_eq!(maps::JUMP_TABLE.map_type, MapType::ProgArray);
    assert_eq!(maps::ADDRS.key_size, 6);
    assert_eq!(maps::PERCPU.map_type, MapType::PercpuHash);
    assert_eq!(COUNTER.flags, 0x80);
    assert_eq!(TO_DEV.maps.as_ref(), &[DEVS]);
    assert_eq!(TO_DEV.relocations[0].symbol, "devs");
    assert_eq!(TO_XSK.maps.as_ref(), &[XSKS]);
    assert_eq!(TC_OK.prog_type, ProgramType::SchedCls);
}
