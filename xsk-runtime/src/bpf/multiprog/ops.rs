//! The protocol's operations: read the dispatcher on an interface, generate a new one for a set
//! of components, pin it, swap it in atomically, unpin the old one.

use std::cmp::Ordering;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ebpf_dsl::ProgramType;

use super::bpffs;
use super::component::{link, Source};
use super::config::{DispatcherConfig, DISPATCHER_RETVAL, MAX_PROGS};
use super::dispatcher::{load_dispatcher, Dispatcher, BPF_F_RDONLY_PROG, DISPATCHER_NAME};
use super::MultiprogOptions;
use crate::bpf::attach::XdpMode;
use crate::bpf::maps::Map;
use crate::bpf::program::{Program, BPF_F_XDP_HAS_FRAGS};
use crate::error::{Error, Result};
use crate::sys::{bpf as sysbpf, ext, netlink};

/// Attempts of a read-build-swap cycle that lost a race with another writer.
const MAX_RETRY: u32 = 10;

/// One component of a dispatcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentInfo {
    /// Its slot (`prog<N>`).
    pub slot: usize,
    /// The program's name.
    pub name: String,
    /// The program's kernel id.
    pub id: u32,
    /// Its run priority.
    pub priority: u32,
    /// Its chain-call actions (without the dispatcher's own bit 31).
    pub chain_call_actions: u32,
    /// It was added with `BPF_F_XDP_HAS_FRAGS`.
    pub frags: bool,
}

/// The libxdp dispatcher on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiprogStatus {
    /// The dispatcher program's id.
    pub dispatcher_id: u32,
    /// Where it runs.
    pub mode: XdpMode,
    /// Its configuration.
    pub config: DispatcherConfig,
    /// Its components, in run order.
    pub components: Vec<ComponentInfo>,
}

/// A component of a dispatcher being read or built.
#[derive(Debug)]
struct Entry {
    /// An EXT program already loaded (re-linked), or what to load as one.
    prog: Option<Program>,
    source: Option<Arc<Source>>,
    name: String,
    priority: u32,
    actions: u32,
    frags: bool,
    load_time: u64,
    insn_count: usize,
}

impl Entry {
    /// A second entry for the same loaded program (to link it into a new dispatcher).
    fn relink(&self) -> Result<Entry> {
        Ok(Entry {
            prog: self.prog.as_ref().map(Program::try_clone).transpose()?,
            source: self.source.clone(),
            name: self.name.clone(),
            ..*self
        })
    }

    fn loaded(prog: Program, priority: u32, actions: u32, frags: bool) -> Result<Entry> {
        let info = sysbpf::prog_info(prog.fd())?;
        Ok(Entry {
            name: prog.name().to_owned(),
            prog: Some(prog),
            source: None,
            priority,
            actions,
            frags,
            load_time: info.load_time,
            insn_count: 0,
        })
    }
}

/// libxdp's run order (`cmp_xdp_programs`): priority, name, loaded before not loaded, size of
/// unloaded ones, tag, load time.
fn run_order(a: &Entry, b: &Entry) -> Ordering {
    a.priority
        .cmp(&b.priority)
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| b.prog.is_some().cmp(&a.prog.is_some()))
        .then_with(|| match (&a.prog, &b.prog) {
            (None, None) => a.insn_count.cmp(&b.insn_count),
            (Some(x), Some(y)) => x.tag().cmp(&y.tag()),
            _ => Ordering::Equal,
        })
        .then_with(|| a.load_time.cmp(&b.load_time))
}

/// The dispatcher on an interface, with its components.
struct Existing {
    dispatcher: Program,
    mode_flags: u32,
    mode: XdpMode,
    config: DispatcherConfig,
    entries: Vec<Entry>,
    ids: Vec<u32>,
    pin_dir: PathBuf,
}

/// The program attached (not offloaded) to `ifindex` and its mode flags.
fn attached_prog(netns: Option<BorrowedFd<'_>>, ifindex: u32) -> Result<Option<(u32, u32)>> {
    let q = netlink::query_xdp(netns, ifindex).map_err(|e| Error::Attach {
        iface: format!("ifindex {ifindex}"),
        op: "RTM_GETLINK(IFLA_XDP)",
        errno: e.errno,
        kernel_message: e.message,
        hint: None,
    })?;
    let single = |m: u8| if q.attached == m { q.prog_id } else { 0 };
    let drv = if q.drv_prog_id != 0 {
        q.drv_prog_id
    } else {
        single(1)
    };
    let skb = if q.skb_prog_id != 0 {
        q.skb_prog_id
    } else {
        single(2)
    };
    Ok(if drv != 0 {
        Some((drv, netlink::XDP_FLAGS_DRV_MODE))
    } else if skb != 0 {
        Some((skb, netlink::XDP_FLAGS_SKB_MODE))
    } else {
        None
    })
}

fn not_dispatcher(id: u32, name: &str, why: &str) -> Error {
    Error::io_hint(
        "multiprog attach",
        libc::EBUSY,
        format!(
            "program {id} (`{name}`) attached to the interface is not a libxdp dispatcher \
             ({why}); it was attached alone, so it cannot be joined: detach it first \
             (`xdp-loader unload IFACE --all` or `ip link set dev IFACE xdp off`)"
        ),
    )
}

/// Reads the dispatcher attached to `ifindex` (None: nothing attached). A program that is not
/// a version-2 dispatcher is an error (EBUSY), as in libxdp.
fn read_existing(
    netns: Option<BorrowedFd<'_>>,
    ifindex: u32,
    dir: &Path,
) -> Result<Option<Existing>> {
    let Some((id, mode_flags)) = attached_prog(netns, ifindex)? else {
        return Ok(None);
    };
    let dispatcher = match Program::from_id(id) {
        Ok(p) => p,
        // Gone since the query: nothing attached any more, or a new one; the caller retries.
        Err(e) if e.errno() == Some(libc::ENOENT) => return Err(race()),
        Err(e) => return Err(e),
    };
    let mut map_ids = [0u32; 1];
    let info = ext::prog_info_full(dispatcher.fd(), &mut map_ids)
        .map_err(|e| Error::io("BPF_OBJ_GET_INFO_BY_FD(prog)", e))?;
    let name = dispatcher.name().to_owned();
    if name != DISPATCHER_NAME {
        return Err(not_dispatcher(id, &name, "its name is not xdp_dispatcher"));
    }
    if info.btf_id == 0 || info.nr_map_ids != 1 {
        return Err(not_dispatcher(id, &name, "no BTF, or not exactly one map"));
    }
    let map = Map::from_id(map_ids[0])?;
    if map.key_size() != 4
        || map.max_entries() != 1
        || map.flags() & BPF_F_RDONLY_PROG == 0
        || map.value_size() < 2
    {
        return Err(not_dispatcher(
            id,
            &name,
            "its map is not a dispatcher config",
        ));
    }
    let value = map
        .lookup(&0u32.to_ne_bytes())?
        .ok_or_else(|| not_dispatcher(id, &name, "its config map is empty"))?;
    let config = DispatcherConfig::decode(&value)?;
    let pin_dir = bpffs::dispatcher_dir(dir, ifindex, id);
    let mut entries = Vec::new();
    let mut ids = Vec::new();
    {
        let _lock = bpffs::lock(dir)?;
        if !pin_dir.is_dir() {
            return Err(not_dispatcher(
                id,
                &name,
                &format!("{} does not exist", pin_dir.display()),
            ));
        }
        for i in 0..usize::from(config.num_progs_enabled) {
            let p = Program::from_pinned(pin_dir.join(format!("prog{i}-prog")))?;
            ids.push(p.id());
            entries.push(Entry::loaded(
                p,
                config.run_prios[i],
                config.chain_call_actions[i] & !(1 << DISPATCHER_RETVAL),
                config.program_flags[i] & BPF_F_XDP_HAS_FRAGS != 0,
            )?);
        }
    }
    Ok(Some(Existing {
        dispatcher,
        mode_flags,
        mode: if mode_flags == netlink::XDP_FLAGS_SKB_MODE {
            XdpMode::Generic
        } else {
            XdpMode::Driver
        },
        config,
        entries,
        ids,
        pin_dir,
    }))
}

fn race() -> Error {
    Error::io_hint(
        "multiprog",
        libc::EAGAIN,
        "the XDP program on the interface changed while we read it",
    )
}

/// A dispatcher built for a set of components, each linked into its slot.
struct Built {
    dispatcher: Dispatcher,
    /// Per slot: link and EXT program.
    slots: Vec<(OwnedFd, Program)>,
}

/// Sorts `entries` into run order and makes the dispatcher configuration for them: every
/// slot's chain-call actions with bit [`DISPATCHER_RETVAL`], its priority and frags flag; the
/// dispatcher itself does frags only if every component does.
fn plan(entries: &mut [Entry]) -> Result<DispatcherConfig> {
    if entries.is_empty() || entries.len() > MAX_PROGS {
        return Err(Error::invalid(format!(
            "a dispatcher holds 1 to {MAX_PROGS} programs, {} asked for",
            entries.len()
        )));
    }
    entries.sort_by(run_order);
    let mut config = DispatcherConfig::new();
    config.num_progs_enabled = entries.len() as u8;
    config.is_xdp_frags = u8::from(entries.iter().all(|e| e.frags));
    for (i, e) in entries.iter().enumerate() {
        config.chain_call_actions[i] = e.actions | 1 << DISPATCHER_RETVAL;
        config.run_prios[i] = e.priority;
        config.program_flags[i] = if e.frags { BPF_F_XDP_HAS_FRAGS } else { 0 };
    }
    Ok(config)
}

/// Loads a dispatcher for `entries` (sorted into run order here) and links each into its slot;
/// entries with a source are loaded as EXT programs first.
fn generate(mut entries: Vec<Entry>) -> Result<Built> {
    let config = plan(&mut entries)?;
    let dispatcher = load_dispatcher(&config)?;
    let mut slots = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let btf_id = dispatcher.slot_btf_ids[i];
        let prog = match (e.prog, e.source) {
            (Some(p), _) => p,
            (None, Some(s)) => s.load_ext(&dispatcher.program, btf_id)?,
            (None, None) => return Err(Error::invalid("a component has no program")),
        };
        let l = link(&prog, &dispatcher.program, btf_id)?;
        slots.push((l, prog));
    }
    Ok(Built { dispatcher, slots })
}

fn pin_built(dir: &Path, ifindex: u32, b: &Built) -> Result<PathBuf> {
    let pin_dir = bpffs::dispatcher_dir(dir, ifindex, b.dispatcher.program.id());
    let slots: Vec<(&OwnedFd, &Program)> = b.slots.iter().map(|(l, p)| (l, p)).collect();
    let _lock = bpffs::lock(dir)?;
    bpffs::pin_all(&pin_dir, &slots)?;
    Ok(pin_dir)
}

fn unpin(dir: &Path, pin_dir: &Path, n: usize) {
    if let Ok(_lock) = bpffs::lock(dir) {
        bpffs::unpin_all(pin_dir, n);
    }
}

fn swap_error(ifindex: u32, e: netlink::NlError) -> Error {
    Error::Attach {
        iface: format!("ifindex {ifindex}"),
        op: "RTM_SETLINK(IFLA_XDP) of the dispatcher",
        errno: e.errno,
        kernel_message: e.message,
        hint: None,
    }
}

/// Installs `built` on `ifindex` in place of `old` (or where nothing is, with
/// `XDP_FLAGS_UPDATE_IF_NOEXIST` and `mode`): pin, swap, unpin the old one. `Ok(false)` when it
/// lost a race (the caller starts over).
fn install(
    netns: Option<BorrowedFd<'_>>,
    ifindex: u32,
    dir: &Path,
    built: &Built,
    old: Option<&Existing>,
    mode: XdpMode,
) -> Result<bool> {
    let pin_dir = pin_built(dir, ifindex, built)?;
    let fd = built.dispatcher.program.raw_fd();
    let r = match old {
        Some(o) => netlink::set_xdp(
            netns,
            ifindex,
            fd,
            o.mode_flags,
            Some(o.dispatcher.raw_fd()),
        ),
        None => netlink::set_xdp(
            netns,
            ifindex,
            fd,
            mode.flags() | netlink::XDP_FLAGS_UPDATE_IF_NOEXIST,
            None,
        ),
    };
    if let Err(e) = r {
        unpin(dir, &pin_dir, built.slots.len());
        if matches!(e.errno, libc::EEXIST | libc::EBUSY) {
            return Ok(false);
        }
        return Err(swap_error(ifindex, e));
    }
    if let Some(o) = old {
        unpin(dir, &o.pin_dir, o.entries.len().max(MAX_PROGS));
    }
    Ok(true)
}

/// Adds `prog` (an XDP program this process loaded, or an EXT component) to the dispatcher on
/// `ifindex`, creating one if the interface has no XDP program. Returns the component's EXT
/// program.
pub(crate) fn attach_component(
    netns: Option<BorrowedFd<'_>>,
    ifindex: u32,
    mode: XdpMode,
    prog: &Program,
    opts: MultiprogOptions,
) -> Result<Program> {
    if mode == XdpMode::Hardware {
        return Err(Error::invalid(
            "multi-program dispatchers do not run offloaded (hardware mode)",
        ));
    }
    let (source, loaded) = match (prog.prog_type(), prog.source()) {
        (Some(ProgramType::Ext), _) => (None, Some(prog.try_clone()?)),
        (_, Some(s)) => (Some(s.clone()), None),
        _ => {
            return Err(Error::invalid(format!(
                "program `{}` cannot join a dispatcher: it must be an XDP program loaded by \
                 this process (its instructions are loaded again as an freplace program) or an \
                 freplace component",
                prog.name()
            )))
        }
    };
    let dir = bpffs::state_dir()?;
    for _ in 0..MAX_RETRY {
        let old = match read_existing(netns, ifindex, &dir) {
            Err(e) if e.errno() == Some(libc::EAGAIN) => continue,
            r => r?,
        };
        if let Some(o) = &old {
            if mode != XdpMode::Auto && mode != o.mode {
                return Err(Error::invalid(format!(
                    "the dispatcher on the interface runs in {:?} mode, {mode:?} was asked for",
                    o.mode
                )));
            }
        }
        let mut entries = Vec::new();
        if let Some(o) = &old {
            for e in &o.entries {
                entries.push(e.relink()?);
            }
        }
        let ours = Entry {
            frags: source.as_ref().is_some_and(|s| s.frags()),
            insn_count: source.as_ref().map_or(0, |s| s.insns.len()),
            name: prog.name().to_owned(),
            prog: loaded.as_ref().map(Program::try_clone).transpose()?,
            source: source.clone(),
            priority: opts.priority,
            actions: opts.chain_call_actions & !(1 << DISPATCHER_RETVAL),
            load_time: u64::MAX,
        };
        entries.push(ours);
        let old_ids: Vec<u32> = old.as_ref().map(|o| o.ids.clone()).unwrap_or_default();
        let built = generate(entries)?;
        if install(netns, ifindex, &dir, &built, old.as_ref(), mode)? {
            let ours = built
                .slots
                .into_iter()
                .map(|(_, p)| p)
                .find(|p| !old_ids.contains(&p.id()))
                .ok_or_else(|| Error::invalid("our component is missing from the dispatcher"))?;
            return Ok(ours);
        }
    }
    Err(Error::io_hint(
        "multiprog attach",
        libc::EBUSY,
        "the interface's XDP program kept changing while we built a dispatcher",
    ))
}

/// Removes component `id` from the dispatcher on `ifindex`: a new dispatcher with the others,
/// or none if it was the last. Nothing to do if it is not there.
pub(crate) fn detach_component(netns: Option<BorrowedFd<'_>>, ifindex: u32, id: u32) -> Result<()> {
    let dir = bpffs::state_dir()?;
    for _ in 0..MAX_RETRY {
        let old = match read_existing(netns, ifindex, &dir) {
            Err(e) if e.errno() == Some(libc::EAGAIN) => continue,
            // Someone replaced the dispatcher with a lone program: ours is gone already.
            Err(e) if e.errno() == Some(libc::EBUSY) => return Ok(()),
            r => r?,
        };
        let Some(mut old) = old else { return Ok(()) };
        let Some(pos) = old.ids.iter().position(|&i| i == id) else {
            return Ok(());
        };
        if old.entries.len() == 1 {
            match netlink::set_xdp(
                netns,
                ifindex,
                -1,
                old.mode_flags,
                Some(old.dispatcher.raw_fd()),
            ) {
                Ok(()) => {
                    unpin(&dir, &old.pin_dir, MAX_PROGS);
                    return Ok(());
                }
                Err(e) if matches!(e.errno, libc::EEXIST | libc::EBUSY) => continue,
                Err(e) if e.errno == libc::ENODEV => return Ok(()),
                Err(e) => return Err(swap_error(ifindex, e)),
            }
        }
        let mut entries = std::mem::take(&mut old.entries);
        entries.remove(pos);
        let built = generate(entries)?;
        if install(netns, ifindex, &dir, &built, Some(&old), XdpMode::Auto)? {
            return Ok(());
        }
    }
    Err(Error::io_hint(
        "multiprog detach",
        libc::EBUSY,
        "the interface's XDP program kept changing while we rebuilt its dispatcher",
    ))
}

/// The libxdp dispatcher on interface `ifindex` of the calling thread's namespace: `None` if no
/// XDP program is attached, an error (EBUSY) if the program attached is not a dispatcher.
pub fn status(ifindex: u32) -> Result<Option<MultiprogStatus>> {
    let dir = bpffs::state_dir()?;
    let Some(e) = read_existing(None, ifindex, &dir)? else {
        return Ok(None);
    };
    let components = e
        .entries
        .iter()
        .zip(&e.ids)
        .enumerate()
        .map(|(slot, (x, &id))| ComponentInfo {
            slot,
            name: x.name.clone(),
            id,
            priority: x.priority,
            chain_call_actions: x.actions,
            frags: x.frags,
        })
        .collect();
    Ok(Some(MultiprogStatus {
        dispatcher_id: e.dispatcher.id(),
        mode: e.mode,
        config: e.config,
        components,
    }))
}

/// Checks that this kernel lets a component join a dispatcher: loads a one-slot dispatcher and
/// an `XDP_PASS` freplace program, and links it into `prog0`. Nothing is attached anywhere.
pub fn probe() -> Result<()> {
    let insns = vec![
        ebpf_dsl::Insn::new(0xb7, 0, 0, 0, 2),
        ebpf_dsl::Insn::new(0x95, 0, 0, 0, 0),
    ];
    let spec = crate::bpf::program::spec_from_insns("xdp_probe", ProgramType::Xdp, insns);
    let p = Program::load(&spec, &[])?;
    let source = p
        .source()
        .cloned()
        .ok_or_else(|| Error::invalid("the probe program kept no source"))?;
    let mut c = DispatcherConfig::new();
    c.num_progs_enabled = 1;
    c.chain_call_actions[0] = 1 << super::XDP_PASS | 1 << DISPATCHER_RETVAL;
    let d = load_dispatcher(&c)?;
    let ext = source.load_ext(&d.program, d.slot_btf_ids[0])?;
    let _link = link(&ext, &d.program, d.slot_btf_ids[0])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, priority: u32, frags: bool, insns: usize) -> Entry {
        Entry {
            prog: None,
            source: None,
            name: name.into(),
            priority,
            actions: 1 << super::super::XDP_PASS,
            frags,
            load_time: 0,
            insn_count: insns,
        }
    }

    #[test]
    fn plan_sorts_like_libxdp_and_fills_the_config() {
        let mut e = vec![
            entry("b", 50, true, 3),
            entry("a", 50, true, 9),
            entry("z", 10, false, 1),
            entry("a", 50, true, 2),
        ];
        let c = plan(&mut e).unwrap();
        let order: Vec<(&str, usize)> = e.iter().map(|x| (x.name.as_str(), x.insn_count)).collect();
        assert_eq!(order, [("z", 1), ("a", 2), ("a", 9), ("b", 3)]);
        assert_eq!(c.num_progs_enabled, 4);
        assert_eq!(c.run_prios[..4], [10, 50, 50, 50]);
        assert_eq!(c.chain_call_actions[0], 1 << 2 | 1 << 31);
        assert_eq!(c.program_flags[..4], [0, 32, 32, 32]);
        assert_eq!(c.is_xdp_frags, 0, "one component without frags");
        let mut all = vec![entry("a", 1, true, 1)];
        assert_eq!(plan(&mut all).unwrap().is_xdp_frags, 1);
        assert!(plan(&mut []).is_err());
        let mut many: Vec<Entry> = (0..11).map(|i| entry("x", i, false, 1)).collect();
        assert!(plan(&mut many).is_err());
    }
}
