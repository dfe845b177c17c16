//! Runtime pieces against the real kernel: the veth sandbox and the feature probe. (They were
//! in-crate `#[cfg(test)]` tests; here the harness reports them ignored, with the reason, when
//! they may not run.)

use xsk_testkit::kernel_tests;

use xsk_runtime::features::Features;
use xsk_testkit::netns::{VethPair, LEFT_IPV4, RIGHT_IPV4};

fn veth_pair_traffic_and_cleanup() {
    let pair = VethPair::builder()
        .tag("selftest")
        .queues(2)
        .build()
        .unwrap();
    let (lname, rname) = (
        pair.left.ns.name().to_owned(),
        pair.right.ns.name().to_owned(),
    );
    assert!(pair.left.ifindex > 0 && pair.right.ifindex > 0);
    let rx = pair
        .left
        .run(|| std::net::UdpSocket::bind((LEFT_IPV4, 0)).unwrap())
        .unwrap();
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let port = rx.local_addr().unwrap().port();
    pair.right
        .run(move || {
            let s = std::net::UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
            s.send_to(b"ping", (LEFT_IPV4, port)).unwrap();
        })
        .unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(from.ip(), std::net::IpAddr::V4(RIGHT_IPV4));
    // The host namespace does not see the interfaces.
    assert!(xsk_runtime::os::if_nametoindex(&pair.left.name).is_err());
    drop(rx);
    drop(pair);
    let list = xsk_testkit::netns::ip(&["netns", "list"]).unwrap();
    assert!(!list.contains(&lname) && !list.contains(&rname), "{list}");
}

fn this_kernel_has_everything() {
    let f = Features::probe();
    let table = f.to_string();
    eprintln!("{table}");
    // Kernel 6.18 (this machine and CI) has every feature of the table.
    for (name, _, p) in f.rows() {
        assert!(p.available, "{name}: {}\n{table}", p.detail);
    }
    assert!(table.contains("bpf_link for XDP"));
}

kernel_tests! {
    privileged: [veth_pair_traffic_and_cleanup, this_kernel_has_everything],
}
