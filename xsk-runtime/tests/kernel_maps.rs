//! Maps against the real kernel: every typed wrapper, update flags, iteration, batches, and the
//! XSKMAP semantics of the kernel documentation.

use xsk_testkit::kernel_tests;

use std::borrow::Cow;

use ebpf_dsl::{MapSpec, MapType};
use xsk_runtime::maps::{Array, CpuMap, DevMap, HashMap, Map, ProgArray, UpdateFlags, XskMap};
use xsk_runtime::Error;

fn spec(name: &'static str, t: MapType, k: u32, v: u32, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: n,
        flags: 0,
        btf: None,
        inner: None,
    }
}

fn untyped_map_create_update_flags_lookup_delete_iterate() {
    let m = Map::create(&spec("t_hash", MapType::Hash, 4, 8, 16)).unwrap();
    assert_eq!(m.name(), "t_hash");
    assert_eq!(m.map_type(), Some(MapType::Hash));
    assert_eq!((m.key_size(), m.value_size(), m.max_entries()), (4, 8, 16));
    assert!(m.id() > 0);
    let k = 7u32.to_ne_bytes();
    assert_eq!(m.lookup(&k).unwrap(), None);
    // BPF_EXIST on a missing key: ENOENT.
    let e = m.update(&k, &[1; 8], UpdateFlags::Exist).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
    m.update(&k, &[1; 8], UpdateFlags::NoExist).unwrap();
    // BPF_NOEXIST on a present key: EEXIST.
    let e = m.update(&k, &[2; 8], UpdateFlags::NoExist).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    assert!(e.to_string().contains("t_hash"), "{e}");
    m.update(&k, &[3; 8], UpdateFlags::Exist).unwrap();
    m.update(&5u32.to_ne_bytes(), &[4; 8], UpdateFlags::Any)
        .unwrap();
    assert_eq!(m.lookup(&k).unwrap(), Some(vec![3; 8]));
    let mut keys: Vec<u32> = m
        .keys()
        .map(|k| u32::from_ne_bytes(k.unwrap().try_into().unwrap()))
        .collect();
    keys.sort();
    assert_eq!(keys, vec![5, 7]);
    assert!(m.delete(&k).unwrap());
    assert!(!m.delete(&k).unwrap());
    // Wrong sizes never reach the kernel.
    let e = m.update(&[0; 3], &[0; 8], UpdateFlags::Any).unwrap_err();
    assert!(matches!(e, Error::MapMismatch { .. }), "{e}");
    let e = m.lookup(&[0; 8]).unwrap_err();
    assert!(matches!(e, Error::MapMismatch { .. }), "{e}");
}

fn create_errors_have_hints() {
    let e = Map::create(&spec("bad_xsk", MapType::Xskmap, 8, 4, 4)).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    assert!(e.to_string().contains("xskmap"), "{e}");
    let e = Map::create(&spec("this_name_is_too_long", MapType::Array, 4, 4, 1)).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
}

fn array_typed() {
    let a: Array<u64> = Array::create("t_array", 4).unwrap();
    assert_eq!(a.len(), 4);
    assert_eq!(a.get(3).unwrap(), 0);
    a.set(2, &0xdead_beef_u64).unwrap();
    assert_eq!(a.get(2).unwrap(), 0xdead_beef);
    assert!(matches!(
        a.get(4).unwrap_err(),
        Error::InvalidArgument { .. }
    ));
    // A typed view with the wrong value type is refused.
    let m = a.into_map();
    let e = Array::<u32>::try_from(m.try_clone().unwrap()).unwrap_err();
    assert!(e.to_string().contains("value size is 8"), "{e}");
    let e = HashMap::<u32, u64>::try_from(m).unwrap_err();
    assert!(e.to_string().contains("is a array map"), "{e}");
    // Batch lookup on an array.
    let a: Array<[u8; 4]> = Array::create("t_arr2", 3).unwrap();
    a.set(1, &[1, 2, 3, 4]).unwrap();
    let all = a.map().lookup_batch(2, false).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].1, vec![1, 2, 3, 4]);
}

fn hash_typed_and_batches() {
    let h: HashMap<[u8; 6], u32> = HashMap::create("t_hmap", 64).unwrap();
    h.insert(&[1; 6], &10, UpdateFlags::Any).unwrap();
    assert_eq!(h.get(&[1; 6]).unwrap(), Some(10));
    assert_eq!(h.get(&[2; 6]).unwrap(), None);
    let entries: Vec<([u8; 6], u32)> = (0..40u8).map(|i| ([i, 0, 0, 0, 0, 9], i as u32)).collect();
    assert_eq!(h.insert_batch(&entries, UpdateFlags::Any).unwrap(), 40);
    let mut got = h.entries_batch(7).unwrap();
    got.sort();
    assert_eq!(got.len(), 41);
    assert_eq!(h.keys().count(), 41);
    let del: Vec<[u8; 6]> = entries.iter().map(|e| e.0).collect();
    assert_eq!(h.remove_batch(&del).unwrap(), 40);
    assert!(h.remove(&[1; 6]).unwrap());
    assert_eq!(h.keys().count(), 0);
}

fn devmap_cpumap_progarray() {
    let d = DevMap::create("t_devmap", 4).unwrap();
    assert_eq!(d.get(0).unwrap(), None);
    d.set(0, 1, None).unwrap(); // loopback is ifindex 1 in the host namespace
    assert_eq!(d.get(0).unwrap(), Some(1));
    assert!(d.remove(0).unwrap());
    let c = CpuMap::create("t_cpumap").unwrap();
    c.set(0, 192).unwrap();
    assert_eq!(c.get(0).unwrap(), Some(192));
    assert!(c.remove(0).unwrap());
    let p = ProgArray::create("t_progs", 4).unwrap();
    assert_eq!(p.get_id(0).unwrap(), None);
    // A non-program fd is refused.
    let e = p.set(0, d.map().fd()).unwrap_err();
    assert!(e.errno().is_some(), "{e}");
}

fn xskmap_semantics_without_socket() {
    let x = XskMap::create("t_xsks", 4).unwrap();
    // Not a socket at all.
    let e = x.set(0, x.map().fd()).unwrap_err();
    let s = e.to_string();
    eprintln!("not a socket: {s}");
    assert!(s.contains("AF_XDP"), "{s}");
    // A socket, but not AF_XDP.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    use std::os::fd::AsFd;
    let e = x.set(1, udp.as_fd()).unwrap_err();
    eprintln!("UDP socket: {e}");
    assert!(e.to_string().contains("AF_XDP"), "{e}");
    // User space cannot read an XSKMAP.
    let e = x.get(0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
    assert!(
        e.to_string().contains("does not let user space read"),
        "{e}"
    );
    // Deleting works (the kernel does not tell an empty slot from a full one) ...
    x.remove(0).unwrap();
    // SAFETY: plain socket(2) call; the fd is wrapped right away.
    let raw = unsafe { libc::socket(libc::AF_XDP, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    assert!(
        raw >= 0,
        "socket(AF_XDP): {}",
        std::io::Error::last_os_error()
    );
    use std::os::fd::FromRawFd;
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let xsk = unsafe { std::os::fd::OwnedFd::from_raw_fd(raw) };
    // An AF_XDP socket that is not bound (no rings, no UMEM). Kernels 4.18 to 5.9 refused it
    // with EOPNOTSUPP (`xsk_is_setup_for_bpf_map`: RX ring and UMEM must be set up); since
    // 5.10 the kernel accepts any AF_XDP socket and the redirect drops packets until the
    // socket is bound (it checks the socket's bound state per packet).
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut v = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let version = (v.next().unwrap_or(0), v.next().unwrap_or(0));
    match x.set(0, xsk.as_fd()) {
        Ok(()) => assert!(
            version >= (5, 10),
            "kernel {version:?} accepted an unbound AF_XDP socket"
        ),
        Err(e) => {
            assert!(version < (5, 10), "kernel {version:?} refused: {e}");
            assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
            assert!(e.to_string().contains("bind it"), "{e}");
        }
    }
    x.remove(0).unwrap();
}

fn xskmap_with_a_bound_socket() {
    use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
    use xsk_runtime::umem::{Umem, UmemConfig};
    use xsk_testkit::netns::VethPair;
    let pair = VethPair::builder().tag("xskmap").queues(2).build().unwrap();
    let x = XskMap::create("t_xsks_bound", 2).unwrap();
    // The socket lives in the namespace it is created in: make and bind it there.
    let (umem, socks) = pair
        .left
        .run(|| {
            let (umem, _free) = Umem::new(&UmemConfig {
                frame_size: 2048,
                frame_count: 64,
                ..Default::default()
            })
            .unwrap();
            let cfg = SocketConfig {
                rx_size: 32,
                tx_size: 32,
                fill_size: 32,
                completion_size: 32,
                mode: BindMode::Copy,
                ..Default::default()
            };
            let s0 = XskSocket::bind(&umem, pair.left.ifindex, 0, &cfg).unwrap();
            let s1 = XskSocket::bind(&umem, pair.left.ifindex, 1, &cfg).unwrap();
            (umem, vec![s0, s1])
        })
        .unwrap();
    // Key = queue index, value = the socket's fd.
    x.set(0, socks[0].fd()).unwrap();
    x.set(1, socks[1].fd()).unwrap();
    // Replacing a slot is allowed.
    x.set(0, socks[1].fd()).unwrap();
    // Still unreadable from user space, with the explanation.
    let e = x.get(1).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EOPNOTSUPP), "{e}");
    // Out of range.
    let e = x.set(2, socks[0].fd()).unwrap_err();
    assert!(e.errno().is_some(), "{e}");
    x.remove(0).unwrap();
    x.remove(1).unwrap();
    drop(socks);
    drop(umem);
}

kernel_tests! {
    privileged: [
        untyped_map_create_update_flags_lookup_delete_iterate,
        create_errors_have_hints,
        array_typed,
        hash_typed_and_batches,
        devmap_cpumap_progarray,
        xskmap_semantics_without_socket,
        xskmap_with_a_bound_socket,
    ],
}
