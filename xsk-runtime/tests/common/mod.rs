//! Shared helpers of the kernel tests.
#![allow(dead_code)]

use std::borrow::Cow;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

use ebpf_dsl::{MapSpec, MapType, ProgramSpec, ProgramType};

mod packet;
#[allow(unused_imports)] // not every test file sends frames
pub use packet::udp_frame;

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
        btf: None,
        inner: None,
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
        btf: None,
        inner: None,
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

/// Removes a bpffs pin (or any file) when dropped, so a test that fails half-way leaves no pin
/// behind.
pub struct RemoveOnDrop(pub std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Loads the ELF object at `obj` with libbpf (`bpftool prog load`), pinned under
/// `/sys/fs/bpf/xsk-test-NAME-PID` for the call only; panics with bpftool's message if libbpf
/// or the kernel refuses it.
#[allow(dead_code)]
pub fn bpftool_loads(obj: &std::path::Path, name: &str) {
    let pin = format!("/sys/fs/bpf/xsk-test-{name}-{}", std::process::id());
    let _cleanup = RemoveOnDrop(pin.clone().into());
    xsk_runtime::pin::ensure_bpffs(std::path::Path::new("/sys/fs/bpf")).unwrap();
    let out = std::process::Command::new("bpftool")
        .args(["prog", "load"])
        .arg(obj)
        .arg(&pin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bpftool prog load of our object: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
