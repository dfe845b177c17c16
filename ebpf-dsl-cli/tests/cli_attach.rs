//! `ebpf-dsl attach` in a sandbox namespace: holding a program until SIGINT, leaving it
//! attached with `--pin`, `--multiprog` refusing to join a lone program, and (where the kernel
//! allows freplace programs) joining xdp-filter's dispatcher so `xdp-loader status` lists both.
//! The commands run inside the namespace with `ip netns exec`, with a private bpffs in
//! `LIBXDP_BPFFS` for libxdp's state.

use xsk_testkit::kernel_tests;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xsk_testkit::netns::NetNs;

mod support;

fn write_src(name: &str, text: &str) -> PathBuf {
    support::write_file("attach", name, text)
}

/// A namespace with a veth pair inside (both ends up), and a private bpffs.
struct Sandbox {
    ns: NetNs,
    bpffs: PathBuf,
}

impl Sandbox {
    fn new(tag: &str) -> Sandbox {
        let ns = NetNs::new(tag).unwrap();
        ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"])
            .unwrap();
        ns.ip(&["link", "set", "va", "up"]).unwrap();
        ns.ip(&["link", "set", "vb", "up"]).unwrap();
        let bpffs = std::env::temp_dir().join(format!("ebpf-dsl-bpffs-{}", ns.name()));
        std::fs::create_dir_all(&bpffs).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "bpf", "bpf"])
            .arg(&bpffs)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mounting a bpffs at {}", bpffs.display());
        Sandbox { ns, bpffs }
    }

    /// `ip netns exec NS PROGRAM ARGS` with LIBXDP_BPFFS set.
    fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", self.ns.name(), program])
            .args(args)
            .env("LIBXDP_BPFFS", &self.bpffs);
        c
    }

    fn run(&self, program: &str, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(program, args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ebpf_dsl(&self, args: &[&str]) -> (i32, String, String) {
        self.run(env!("CARGO_BIN_EXE_ebpf-dsl"), args)
    }

    fn has_xdp(&self) -> bool {
        self.ns
            .ip(&["link", "show", "dev", "va"])
            .unwrap()
            .contains("prog/xdp")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.bpffs).status();
        let _ = std::fs::remove_dir(&self.bpffs);
    }
}

fn attach_holds_until_sigint() {
    let sb = Sandbox::new("cliatt");
    let f = write_src("hold.s", "r0 = XDP_PASS\nexit\n");
    let mut child = sb
        .cmd(
            env!("CARGO_BIN_EXE_ebpf-dsl"),
            &[
                "attach",
                f.to_str().unwrap(),
                "--iface",
                "va",
                "--mode",
                "native",
            ],
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let start = Instant::now();
    while !text.contains("holding it") && start.elapsed() < Duration::from_secs(20) {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        text.push_str(&line);
    }
    assert!(text.contains("attached `hold` to va"), "{text}");
    assert!(sb.has_xdp(), "not attached while held");
    let ok = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(status.success(), "{text}{rest}");
    assert!(rest.contains("detached"), "{rest}");
    assert!(!sb.has_xdp(), "still attached after Ctrl-C");
}

fn attach_pin_leaves_it_and_multiprog_refuses_a_lone_program() {
    let sb = Sandbox::new("clipin");
    let f = write_src("lone.s", "r0 = XDP_PASS\nexit\n");
    let (code, out, err) = sb.ebpf_dsl(&["attach", f.to_str().unwrap(), "--iface", "va", "--pin"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("left attached"), "{out}");
    assert!(sb.has_xdp());
    let g = write_src("joiner.s", "r0 = XDP_PASS\nexit\n");
    let (code, out, err) = sb.ebpf_dsl(&[
        "attach",
        g.to_str().unwrap(),
        "--iface",
        "va",
        "--multiprog",
        "--priority",
        "5",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("not a libxdp dispatcher"), "{err}");
    assert!(err.contains("`lone`"), "{err}");
    // Bad usage: --priority without --multiprog, an unknown action.
    let (code, _, err) = sb.ebpf_dsl(&[
        "attach",
        g.to_str().unwrap(),
        "--iface",
        "va",
        "--priority",
        "5",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = sb.ebpf_dsl(&[
        "attach",
        g.to_str().unwrap(),
        "--iface",
        "va",
        "--multiprog",
        "--chain-call",
        "sideways",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown XDP action `sideways`"), "{err}");
}

fn attach_multiprog_joins_xdp_filter() {
    if let Err(e) = xsk_runtime::multiprog::probe() {
        return xsk_testkit::harness::unsupported_here(format!(
            "this kernel refuses freplace programs, which libxdp and we need ({e})"
        ));
    }
    let sb = Sandbox::new("climp");
    let (code, out, err) = sb.run("xdp-filter", &["load", "va", "-m", "native"]);
    assert_eq!(code, 0, "{out}{err}");
    let f = write_src("joined.s", "r0 = XDP_PASS\nexit\n");
    let (code, out, err) = sb.ebpf_dsl(&[
        "attach",
        f.to_str().unwrap(),
        "--iface",
        "va",
        "--multiprog",
        "--priority",
        "20",
        "--pin",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as a multiprog component"), "{out}");
    let (code, status, err) = sb.run("xdp-loader", &["status", "va"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        status.contains("xdpfilt_") && status.contains("joined"),
        "{status}"
    );
    let (code, out, err) = sb.run("xdp-loader", &["unload", "va", "--all"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!sb.has_xdp());
}

kernel_tests! {
    privileged: [
        attach_holds_until_sigint,
        attach_pin_leaves_it_and_multiprog_refuses_a_lone_program,
        attach_multiprog_joins_xdp_filter,
    ],
}
