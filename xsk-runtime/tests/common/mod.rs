//! Shared helpers of the kernel tests.
#![allow(dead_code)]

use std::borrow::Cow;
use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use ebpf_dsl::{MapSpec, MapType, ProgramSpec, ProgramType};

/// Skips (returns) with a printed reason when not root and CI != "true".
#[macro_export]
macro_rules! need_root {
    () => {
        if !xsk_runtime::netns::privileged_test_should_run(module_path!()) {
            return;
        }
    };
}

/// Assembles `src` into a program spec, panicking with the diagnostics.
pub fn asm(name: &'static str, src: &str, maps: Vec<MapSpec>) -> ProgramSpec {
    match ebpf_dsl::asm::assemble(src) {
        Ok(a) => a.into_program_spec(name, ProgramType::Xdp, "GPL", maps),
        Err(d) => panic!("assembling {name}: {d:?}"),
    }
}

/// A u64 array map spec.
pub fn counters(name: &'static str, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: n,
        flags: 0,
    }
}

/// An XSKMAP spec.
pub fn xskmap(name: &'static str, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: n,
        flags: 0,
    }
}

/// Receives datagrams on `sock` until `want` arrived or `limit` passed; returns the payloads.
pub fn recv_up_to(sock: &UdpSocket, want: usize, limit: Duration) -> Vec<Vec<u8>> {
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    while got.len() < want && start.elapsed() < limit {
        if let Ok(n) = sock.recv(&mut buf) {
            got.push(buf[..n].to_vec());
        }
    }
    got
}

/// An Ethernet + IPv4 + UDP frame (IPv4 checksum filled, UDP checksum 0).
pub fn udp_frame(
    src_mac: [u8; 6],
    dst_mac: [u8; 6],
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst_mac);
    f.extend_from_slice(&src_mac);
    f.extend_from_slice(&0x0800u16.to_be_bytes());
    let total = (20 + 8 + payload.len()) as u16;
    let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    let mut sum: u32 = 0;
    for c in ip.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let csum = !(sum as u16);
    ip[10..12].copy_from_slice(&csum.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&0u16.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Removes a bpffs pin (or any file) when dropped, so a test that fails half-way leaves no pin
/// behind.
pub struct RemoveOnDrop(pub std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
