//! libxdp's multi-program protocol against the real kernel and xdp-tools: our dispatcher's
//! layout and verdicts, `xdp-loader` recognising it, a lone program refusing to be joined,
//! and, where the kernel allows freplace programs, xdp-filter and our program sharing one
//! interface in priority order, either side detaching without disturbing the other. The
//! xdp-tools commands run inside the sandbox namespace (`ip netns exec`), with a private bpffs
//! (`LIBXDP_BPFFS`) mounted for each test and removed after it.

use xsk_testkit::harness::unsupported_here;
use xsk_testkit::kernel_tests;

mod common;

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use common::{asm, recv_up_to, udp_frame};
use ebpf_dsl::{MapSpec, MapType};
use xsk_runtime::attach::{query, AttachMethod, AttachOptions, XdpAttachment, XdpMode};
use xsk_runtime::maps::Array;
use xsk_runtime::multiprog::{
    self, load_dispatcher, DispatcherConfig, MultiprogOptions, DISPATCHER_RETVAL,
};
use xsk_runtime::{Loader, Program};
use xsk_testkit::netns::{VethPair, LEFT_IPV4, LEFT_MAC, RIGHT_IPV4, RIGHT_MAC};

/// The tests share `LIBXDP_BPFFS` (process-wide): one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// A private bpffs for libxdp's state, named in `LIBXDP_BPFFS` while it lives.
struct Bpffs {
    dir: PathBuf,
    _serial: std::sync::MutexGuard<'static, ()>,
}

impl Bpffs {
    fn new(tag: &str) -> Bpffs {
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let dir = std::env::temp_dir().join(format!("xsk-mp-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        run("mount", &["-t", "bpf", "bpf", dir.to_str().unwrap()]);
        std::env::set_var("LIBXDP_BPFFS", &dir);
        Bpffs {
            dir,
            _serial: serial,
        }
    }
}

impl Drop for Bpffs {
    fn drop(&mut self) {
        std::env::remove_var("LIBXDP_BPFFS");
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs an xdp-tools command inside namespace `ns` (LIBXDP_BPFFS is inherited).
fn in_ns(ns: &str, args: &[&str]) -> (bool, String) {
    let mut a = vec!["netns", "exec", ns];
    a.extend_from_slice(args);
    let out = Command::new("ip").args(&a).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn tools_present() -> bool {
    let ok = Command::new("xdp-loader")
        .arg("help")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "xdp-loader (xdp-tools) is not installed, and CI installs it"
        );
        unsupported_here("xdp-loader (xdp-tools) is not installed");
    }
    ok
}

fn frame(dport: u16) -> Vec<u8> {
    udp_frame(
        LEFT_MAC, RIGHT_MAC, LEFT_IPV4, RIGHT_IPV4, 9, dport, &[0; 18],
    )
}

fn dispatcher_layout_and_verdicts() {
    let mut c = DispatcherConfig::new();
    let d = load_dispatcher(&c).unwrap();
    assert_eq!(d.program.name(), "xdp_dispatcher");
    assert_eq!(d.config_map.value_size(), 124);
    assert_eq!(d.config_map.key_size(), 4);
    assert_eq!(d.config_map.max_entries(), 1);
    assert_ne!(d.config_map.flags() & (1 << 7), 0, "BPF_F_RDONLY_PROG");
    let value = d.config_map.lookup(&0u32.to_ne_bytes()).unwrap().unwrap();
    assert_eq!(value, c.encode().to_vec());
    assert_eq!(&value[..2], &[236, 2]);
    // Frozen: user space cannot change it any more.
    assert!(d
        .config_map
        .update(&0u32.to_ne_bytes(), &value, Default::default())
        .is_err());
    // No slot in use: XDP_PASS.
    let pkt = frame(7777);
    assert_eq!(d.program.test_run(&pkt, 1).unwrap().retval, 2);
    // Three slots whose stubs return 31: with bit 31 a chain-call action, all run, then PASS;
    // without it in slot 0, slot 0's return code (31) is the verdict.
    c.num_progs_enabled = 3;
    for i in 0..3 {
        c.chain_call_actions[i] = 1 << DISPATCHER_RETVAL;
    }
    let d = load_dispatcher(&c).unwrap();
    assert_eq!(d.program.test_run(&pkt, 1).unwrap().retval, 2);
    c.chain_call_actions[0] = 1 << 2;
    let d = load_dispatcher(&c).unwrap();
    assert_eq!(
        d.program.test_run(&pkt, 1).unwrap().retval,
        DISPATCHER_RETVAL
    );
    assert_eq!(d.slot_btf_ids.len(), 10);
    // With every slot's program frags-aware, the dispatcher is loaded with the frags flag.
    c.is_xdp_frags = 1;
    let d = load_dispatcher(&c).unwrap();
    assert_eq!(d.config.is_xdp_frags, 1);
    c.num_progs_enabled = 11;
    assert!(load_dispatcher(&c).is_err());
}

/// libxdp reads our dispatcher: `xdp-loader status` lists the component in its slot with the
/// priority and chain-call actions of our configuration, and `xdp-loader unload --all`
/// removes our pin directory, which it only does for a dispatcher it understood. Without
/// freplace (refused by some kernels) the slot holds a plain XDP program pinned where a
/// component goes: the dispatcher never calls it, but libxdp and [`multiprog::status`] read
/// the state all the same.
fn xdp_loader_recognises_our_dispatcher() {
    if !tools_present() {
        return;
    }
    let pair = VethPair::builder().tag("mprec").build().unwrap();
    let fs = Bpffs::new("rec");
    let mut c = DispatcherConfig::new();
    c.num_progs_enabled = 1;
    c.run_prios[0] = 33;
    c.chain_call_actions[0] = 1 << 1 | 1 << 2 | 1 << DISPATCHER_RETVAL;
    let d = load_dispatcher(&c).unwrap();
    let slot = Program::load(&asm("slot_zero", "r0 = XDP_PASS\nexit", vec![]), &[]).unwrap();
    let pin_dir =
        fs.dir
            .join("xdp")
            .join(format!("dispatch-{}-{}", pair.left.ifindex, d.program.id()));
    std::fs::create_dir_all(&pin_dir).unwrap();
    slot.pin(pin_dir.join("prog0-prog")).unwrap();
    slot.pin(pin_dir.join("prog0-link")).unwrap();
    let att = pair
        .left
        .run(|| {
            XdpAttachment::attach(
                &d.program,
                pair.left.ifindex,
                AttachOptions {
                    mode: XdpMode::Driver,
                    method: AttachMethod::Netlink,
                },
            )
        })
        .unwrap()
        .unwrap();
    let st = pair
        .left
        .run(|| multiprog::status(pair.left.ifindex))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(st.dispatcher_id, d.program.id());
    assert_eq!(st.mode, XdpMode::Driver);
    assert_eq!(st.components.len(), 1);
    assert_eq!(st.components[0].name, "slot_zero");
    assert_eq!(st.components[0].priority, 33);
    assert_eq!(st.components[0].chain_call_actions, 0b110);
    assert_eq!(st.components[0].id, slot.id());
    let (ok, status) = in_ns(
        pair.left.ns.name(),
        &["xdp-loader", "status", &pair.left.name],
    );
    assert!(ok, "{status}");
    let line = status
        .lines()
        .find(|l| l.contains("slot_zero"))
        .unwrap_or_else(|| panic!("xdp-loader does not list our slot: {status}"));
    assert!(status.contains("xdp_dispatcher"), "{status}");
    assert!(line.contains("33"), "{line}");
    assert!(line.contains(&slot.id().to_string()), "{line}");
    assert!(
        line.contains("XDP_PASS") && line.contains("XDP_DROP"),
        "{line}"
    );
    let (ok, out) = in_ns(
        pair.left.ns.name(),
        &["xdp-loader", "unload", &pair.left.name, "--all"],
    );
    assert!(ok, "{out}");
    assert!(
        !pin_dir.exists(),
        "libxdp did not unpin our dispatcher: {out}"
    );
    let q = pair.left.run(|| query(pair.left.ifindex)).unwrap().unwrap();
    assert!(q.is_empty());
    drop(att);
}

/// A program attached alone cannot be joined: a clear EBUSY naming it.
fn a_lone_program_is_not_joined() {
    let pair = VethPair::builder().tag("mplone").build().unwrap();
    let _fs = Bpffs::new("lone");
    let lone = Program::load(&asm("lone", "r0 = XDP_PASS\nexit", vec![]), &[]).unwrap();
    let ours = Program::load(&asm("ours", "r0 = XDP_PASS\nexit", vec![]), &[]).unwrap();
    pair.left
        .run(|| {
            let _a = lone.attach_xdp(&pair.left.name).unwrap();
            let opts = AttachOptions {
                mode: XdpMode::Auto,
                method: AttachMethod::Multiprog(MultiprogOptions::default()),
            };
            let e = XdpAttachment::attach(&ours, pair.left.ifindex, opts).unwrap_err();
            assert_eq!(e.errno(), Some(EBUSY), "{e}");
            assert!(e.to_string().contains("not a libxdp dispatcher"), "{e}");
            assert!(e.to_string().contains("lone"), "{e}");
            // Our status view says the same.
            assert!(multiprog::status(pair.left.ifindex).is_err());
        })
        .unwrap();
}

/// `EBUSY`.
const EBUSY: i32 = 16;

/// Counts UDP packets to port 7777 (slot 0) and 7778 (slot 1); passes everything.
const COUNT_PORTS: &str = "
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 38
    if r4 > r3 goto out
    r4 = *(u8 *)(r2 + 23)
    if r4 != IPPROTO_UDP goto out
    r4 = *(u16 *)(r2 + 36)
    if r4 == 0x611e goto p7777
    if r4 == 0x621e goto p7778
    goto out
p7777:
    r1 = map_value(ports, 0) ll
    goto count
p7778:
    r1 = map_value(ports, 8) ll
count:
    r2 = 1
    lock *(u64 *)(r1 + 0) += r2
out:
    r0 = XDP_PASS
    exit";

fn ports_spec() -> MapSpec {
    MapSpec {
        name: "ports".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    }
}

/// `None` if the kernel takes freplace programs; else why the interop part cannot run.
fn freplace_refused() -> Option<String> {
    multiprog::probe().err().map(|e| {
        format!(
            "this kernel refuses freplace (BPF_PROG_TYPE_EXT) programs, which libxdp and we \
             need to run several XDP programs on one interface ({e}); xdp-filter falls back to \
             loading alone here too"
        )
    })
}

/// Sends `n7777` datagrams to port 7777 and `n7778` to 7778 and returns how many 7778 ones
/// arrived (and whether any 7777 one did).
fn traffic(pair: &VethPair, n7777: u8, n7778: u8) -> (usize, usize) {
    let (s7777, s7778) = pair
        .left
        .run(|| {
            (
                UdpSocket::bind((LEFT_IPV4, 7777)).unwrap(),
                UdpSocket::bind((LEFT_IPV4, 7778)).unwrap(),
            )
        })
        .unwrap();
    pair.right
        .run(|| {
            let s = UdpSocket::bind((RIGHT_IPV4, 0)).unwrap();
            for i in 0..n7777 {
                s.send_to(&[i; 16], (LEFT_IPV4, 7777)).unwrap();
            }
            for i in 0..n7778 {
                s.send_to(&[i; 16], (LEFT_IPV4, 7778)).unwrap();
            }
        })
        .unwrap();
    let got7778 = recv_up_to(&s7778, n7778.into(), Duration::from_secs(5)).len();
    let got7777 = recv_up_to(&s7777, n7777.into(), Duration::from_millis(600)).len();
    (got7777, got7778)
}

fn status_of(pair: &VethPair) -> String {
    let (ok, s) = in_ns(
        pair.left.ns.name(),
        &["xdp-loader", "status", &pair.left.name],
    );
    assert!(ok, "{s}");
    s
}

/// (a) xdp-filter first, ours joins at priority 20 (after xdp-filter's 10): both listed,
/// xdp-filter drops port 7777 before we see it, we count 7778; (c) unloading xdp-filter leaves
/// ours counting, and everything passes.
fn we_join_xdp_filter_then_it_leaves() {
    if !tools_present() {
        return;
    }
    if let Some(why) = freplace_refused() {
        return unsupported_here(why);
    }
    let pair = VethPair::builder().tag("mpjoin").build().unwrap();
    let _fs = Bpffs::new("join");
    let ns = pair.left.ns.name().to_owned();
    let (ok, out) = in_ns(
        &ns,
        &["xdp-filter", "load", &pair.left.name, "-m", "native"],
    );
    assert!(ok, "{out}");
    let (ok, out) = in_ns(&ns, &["xdp-filter", "port", "7777"]);
    assert!(ok, "{out}");
    let loaded = Loader::new()
        .program(asm("count_ports", COUNT_PORTS, vec![ports_spec()]))
        .load()
        .unwrap();
    let prog = loaded.program("count_ports").unwrap();
    let att = pair
        .left
        .run(|| {
            XdpAttachment::attach(
                prog,
                pair.left.ifindex,
                AttachOptions {
                    mode: XdpMode::Auto,
                    method: AttachMethod::Multiprog(MultiprogOptions::with_priority(20)),
                },
            )
        })
        .unwrap()
        .unwrap();
    let s = status_of(&pair);
    assert!(s.contains("xdp_dispatcher"), "{s}");
    assert!(s.contains("xdpfilt_"), "{s}");
    assert!(s.contains("count_ports"), "{s}");
    let st = pair
        .left
        .run(|| multiprog::status(pair.left.ifindex))
        .unwrap()
        .unwrap()
        .unwrap();
    let names: Vec<&str> = st.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{st:?}");
    assert!(names[0].starts_with("xdpfilt_"), "{st:?}");
    assert_eq!(names[1], "count_ports");
    assert_eq!(st.components[1].priority, 20);
    assert_eq!(st.components[1].id, att.program_id());

    let counts: Array<[u64; 2]> = loaded.map("ports").unwrap();
    let (got7777, got7778) = traffic(&pair, 10, 5);
    assert_eq!(got7778, 5);
    assert_eq!(got7777, 0, "xdp-filter should drop port 7777");
    let [c7777, c7778] = counts.get(0).unwrap();
    assert_eq!(c7777, 0, "xdp-filter runs first: we never see 7777");
    assert_eq!(c7778, 5);

    // A third component at priority 5 runs before xdp-filter: it sees port 7777 too.
    let first = Loader::new()
        .program(asm("count_first", COUNT_PORTS, vec![ports_spec()]))
        .load()
        .unwrap();
    let att_first = pair
        .left
        .run(|| {
            XdpAttachment::attach(
                first.program("count_first").unwrap(),
                pair.left.ifindex,
                AttachOptions {
                    mode: XdpMode::Auto,
                    method: AttachMethod::Multiprog(MultiprogOptions::with_priority(5)),
                },
            )
        })
        .unwrap()
        .unwrap();
    let st = pair
        .left
        .run(|| multiprog::status(pair.left.ifindex))
        .unwrap()
        .unwrap()
        .unwrap();
    let names: Vec<&str> = st.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{st:?}");
    assert_eq!(names[0], "count_first");
    assert!(names[1].starts_with("xdpfilt_"), "{st:?}");
    assert_eq!(names[2], "count_ports");
    let first_counts: Array<[u64; 2]> = first.map("ports").unwrap();
    let (got7777, got7778) = traffic(&pair, 4, 2);
    assert_eq!((got7777, got7778), (0, 2));
    assert_eq!(
        first_counts.get(0).unwrap(),
        [4, 2],
        "priority 5 sees everything"
    );
    assert_eq!(
        counts.get(0).unwrap(),
        [0, 7],
        "priority 20 never sees 7777"
    );
    att_first.detach().unwrap();

    // (c) xdp-filter leaves: ours keeps running alone in a new dispatcher.
    let (ok, out) = in_ns(&ns, &["xdp-filter", "unload", &pair.left.name]);
    assert!(ok, "{out}");
    let s = status_of(&pair);
    assert!(s.contains("count_ports") && !s.contains("xdpfilt_"), "{s}");
    let (got7777, got7778) = traffic(&pair, 3, 2);
    assert_eq!((got7777, got7778), (3, 2));
    let [c7777, c7778] = counts.get(0).unwrap();
    assert_eq!((c7777, c7778), (3, 9));
    att.detach().unwrap();
    assert!(pair
        .left
        .run(|| query(pair.left.ifindex))
        .unwrap()
        .unwrap()
        .is_empty());
}

/// (b) ours first (we create the dispatcher), xdp-filter joins through libxdp; (c) we leave and
/// xdp-filter keeps filtering.
fn xdp_filter_joins_ours_then_we_leave() {
    if !tools_present() {
        return;
    }
    let pair = VethPair::builder().tag("mpfirst").build().unwrap();
    let fs = Bpffs::new("first");
    if let Some(why) = freplace_refused() {
        // Where the kernel refuses freplace, attaching fails cleanly: a clear EPERM, nothing
        // attached, nothing pinned. That much is checked; the test still reports itself as not
        // run, because its subject (xdp-filter joining ours) could not happen.
        let loaded = Loader::new()
            .program(asm("count_ports", COUNT_PORTS, vec![ports_spec()]))
            .load()
            .unwrap();
        let prog = loaded.program("count_ports").unwrap();
        let e = pair
            .left
            .run(|| {
                XdpAttachment::attach(
                    prog,
                    pair.left.ifindex,
                    AttachOptions {
                        mode: XdpMode::Driver,
                        method: AttachMethod::Multiprog(MultiprogOptions::default()),
                    },
                )
            })
            .unwrap()
            .unwrap_err();
        assert_eq!(e.errno(), Some(1), "{e}");
        assert!(e.to_string().contains("freplace"), "{e}");
        assert!(pair
            .left
            .run(|| query(pair.left.ifindex))
            .unwrap()
            .unwrap()
            .is_empty());
        let pins: Vec<_> = std::fs::read_dir(fs.dir.join("xdp")).unwrap().collect();
        assert!(pins.is_empty(), "{pins:?}");
        return unsupported_here(format!("{why} (the clean refusal was checked)"));
    }
    let ns = pair.left.ns.name().to_owned();
    let loaded = Loader::new()
        .program(asm("count_ports", COUNT_PORTS, vec![ports_spec()]))
        .load()
        .unwrap();
    let prog = loaded.program("count_ports").unwrap();
    let att = pair
        .left
        .run(|| {
            XdpAttachment::attach(
                prog,
                pair.left.ifindex,
                AttachOptions {
                    mode: XdpMode::Driver,
                    method: AttachMethod::Multiprog(MultiprogOptions::with_priority(20)),
                },
            )
        })
        .unwrap()
        .unwrap();
    let s = status_of(&pair);
    assert!(
        s.contains("xdp_dispatcher") && s.contains("count_ports"),
        "{s}"
    );
    let (ok, out) = in_ns(
        &ns,
        &["xdp-filter", "load", &pair.left.name, "-m", "native"],
    );
    assert!(ok, "{out}");
    let (ok, out) = in_ns(&ns, &["xdp-filter", "port", "7777"]);
    assert!(ok, "{out}");
    let s = status_of(&pair);
    assert!(s.contains("xdpfilt_") && s.contains("count_ports"), "{s}");
    let counts: Array<[u64; 2]> = loaded.map("ports").unwrap();
    let (got7777, got7778) = traffic(&pair, 4, 3);
    assert_eq!((got7777, got7778), (0, 3));
    assert_eq!(counts.get(0).unwrap(), [0, 3]);
    // We leave; xdp-filter still drops 7777.
    att.detach().unwrap();
    let s = status_of(&pair);
    assert!(s.contains("xdpfilt_") && !s.contains("count_ports"), "{s}");
    let (got7777, got7778) = traffic(&pair, 4, 3);
    assert_eq!((got7777, got7778), (0, 3));
    assert_eq!(
        counts.get(0).unwrap(),
        [0, 3],
        "we are gone: no more counts"
    );
    let (ok, out) = in_ns(&ns, &["xdp-filter", "unload", &pair.left.name]);
    assert!(ok, "{out}");
}

/// xdp-filter's own object declares priority 10 and XDP_PASS in `.xdp_run_config`; we read it.
fn run_config_of_xdp_filters_object() {
    let path = "/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o";
    let Ok(bytes) = std::fs::read(path) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{path} (xdp-tools) is missing, and CI installs it"
        );
        return unsupported_here(format!("{path} (xdp-tools) is not installed"));
    };
    let obj = ebpf_dsl::elf::object_btf(&bytes).unwrap().unwrap();
    let o = multiprog::run_config(&obj.btf, "xdpfilt_alw_all").unwrap();
    assert_eq!(o.priority, 10);
    assert_eq!(o.chain_call_actions, 1 << multiprog::XDP_PASS);
    assert!(multiprog::run_config(&obj.btf, "no_such_function").is_none());
}

kernel_tests! {
    privileged: [
        dispatcher_layout_and_verdicts,
        xdp_loader_recognises_our_dispatcher,
        a_lone_program_is_not_joined,
        we_join_xdp_filter_then_it_leaves,
        xdp_filter_joins_ours_then_we_leave,
    ],
    plain: [run_config_of_xdp_filters_object],
}
