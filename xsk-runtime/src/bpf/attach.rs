//! Attaching XDP programs to interfaces: bpf_link first, netlink (`IFLA_XDP`) as the fallback;
//! atomic replace; detach; query.
//!
//! - With a **bpf_link** (`BPF_LINK_CREATE`, attach type `BPF_XDP`, kernel 5.9) the attachment
//!   belongs to the link's file descriptor: when the process exits or is killed, the kernel
//!   detaches the program. Nobody else can replace it through netlink.
//! - With **netlink** (`RTM_SETLINK` + `IFLA_XDP`, kernel 4.8) the attachment stays until it is
//!   removed, even after the process is gone; [`XdpAttachment`] removes it on drop, but a
//!   SIGKILL leaves it behind. We always attach with `XDP_FLAGS_UPDATE_IF_NOEXIST` so another
//!   program is never silently replaced, and detach/replace with `XDP_FLAGS_REPLACE` plus the
//!   expected fd (kernel 5.7) so we only ever remove our own program.
//!
//! - With **multiprog** ([`AttachMethod::Multiprog`], [`crate::bpf::multiprog`]) the program
//!   joins libxdp's dispatcher on the interface as an freplace component, next to programs
//!   loaded by `xdp-loader`, `xdp-filter` or any libxdp user; the dispatcher is attached through
//!   netlink and pinned in bpffs, as libxdp does, and detaching removes only our component.
//!
//! Modes: [`XdpMode::Generic`] (`XDP_FLAGS_SKB_MODE`, any interface, after the skb is built),
//! [`XdpMode::Driver`] (`XDP_FLAGS_DRV_MODE`, native, in the driver; veth has it),
//! [`XdpMode::Hardware`] (`XDP_FLAGS_HW_MODE`, offloaded), [`XdpMode::Auto`] (no flag: the
//! kernel uses the driver mode if the driver has one, else generic).
//!
//! Interface names and indexes are those of the calling thread's network namespace (see
//! `xsk_testkit::netns::NetNs::run`); the attachment remembers the namespace, so it may be
//! replaced, detached or dropped from any thread.

use std::borrow::Cow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;

use crate::bpf::program::Program;
use crate::error::{generic_hint, Error, Result};
use crate::sys::{self, bpf as sysbpf, netlink};

/// Where an XDP program runs (`XDP_FLAGS_*_MODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum XdpMode {
    /// No mode flag: native if the driver supports it, else generic.
    #[default]
    Auto,
    /// `XDP_FLAGS_SKB_MODE` (kernel 4.12): generic XDP, works on every interface, slower.
    Generic,
    /// `XDP_FLAGS_DRV_MODE`: native XDP in the driver (kernel 4.8, per driver).
    Driver,
    /// `XDP_FLAGS_HW_MODE`: offloaded to the NIC (few NICs, e.g. Netronome).
    Hardware,
}

impl XdpMode {
    /// The `XDP_FLAGS_*_MODE` bit.
    pub fn flags(self) -> u32 {
        match self {
            XdpMode::Auto => 0,
            XdpMode::Generic => netlink::XDP_FLAGS_SKB_MODE,
            XdpMode::Driver => netlink::XDP_FLAGS_DRV_MODE,
            XdpMode::Hardware => netlink::XDP_FLAGS_HW_MODE,
        }
    }

    /// Parses `auto`, `skb`/`generic`, `drv`/`native`/`driver`, `hw`/`offload`/`hardware`.
    pub fn from_name(s: &str) -> Option<XdpMode> {
        Some(match s.to_ascii_lowercase().as_str() {
            "auto" => XdpMode::Auto,
            "skb" | "generic" => XdpMode::Generic,
            "drv" | "native" | "driver" => XdpMode::Driver,
            "hw" | "offload" | "hardware" => XdpMode::Hardware,
            _ => return None,
        })
    }
}

/// How to attach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum AttachMethod {
    /// bpf_link, falling back to netlink if the kernel has no XDP links (then the program
    /// survives a SIGKILL, see [`Netlink`](AttachMethod::Netlink);
    /// [`XdpAttachment::method`] tells which was used).
    #[default]
    Auto,
    /// bpf_link only (kernel 5.9): the kernel detaches the program when the process ends,
    /// however it ends.
    Link,
    /// libxdp's multi-program dispatcher ([`crate::bpf::multiprog`]): the program joins the
    /// dispatcher on the interface (`xdp-loader`, `xdp-filter` and other libxdp users see it
    /// and keep running), with this priority and these chain-call actions; a dispatcher is
    /// created where the interface has no program. It stays pinned in bpffs after the process
    /// ends unless detached (dropping the handle detaches it).
    Multiprog(crate::bpf::multiprog::MultiprogOptions),
    /// netlink `IFLA_XDP` only. The attachment belongs to the interface, not the process:
    /// dropping the [`XdpAttachment`] removes it, but a process killed by SIGKILL (or one that
    /// crashes or calls `exit` without dropping it) leaves the program attached until someone
    /// removes it (`ip link set dev IFACE xdp off`, or [`force_detach`]). Inside a
    /// network-namespace sandbox (`xsk_testkit::netns`) it goes with the namespace.
    Netlink,
}

/// Options of [`XdpAttachment::attach`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttachOptions {
    /// The mode.
    pub mode: XdpMode,
    /// The method.
    pub method: AttachMethod,
}

#[derive(Debug)]
enum Kind {
    Link(OwnedFd),
    Netlink,
    Multiprog(crate::bpf::multiprog::MultiprogOptions),
}

/// An XDP program attached to an interface; detached on drop (unless pinned, see
/// [`XdpAttachment::pin`]).
#[derive(Debug)]
pub struct XdpAttachment {
    kind: Kind,
    ifindex: u32,
    iface: String,
    mode: XdpMode,
    prog: OwnedFd,
    prog_id: u32,
    netns: OwnedFd,
    detached: bool,
    pinned: bool,
}

fn iface_label(ifindex: u32) -> String {
    match sys::if_indextoname(ifindex) {
        Ok(n) => format!("{n} (ifindex {ifindex})"),
        Err(_) => format!("ifindex {ifindex}"),
    }
}

fn attach_error(
    iface: &str,
    ifindex: u32,
    op: &'static str,
    errno: i32,
    kernel_message: Option<String>,
    mode: XdpMode,
    netns: Option<BorrowedFd<'_>>,
) -> Error {
    let hint: Option<Cow<'static, str>> = match errno {
        libc::EBUSY | libc::EEXIST => {
            let who = netlink::query_xdp(netns, ifindex)
                .ok()
                .map(|q| {
                    let id = [q.prog_id, q.drv_prog_id, q.skb_prog_id, q.hw_prog_id]
                        .into_iter()
                        .find(|&i| i != 0)
                        .unwrap_or(0);
                    format!(" (program id {id})")
                })
                .unwrap_or_default();
            Some(Cow::Owned(format!(
                "another XDP program is already attached{who}, by someone else or in another mode; \
                 see `ip link show dev IFACE` or `bpftool net`; detach it first \
                 (`ip link set dev IFACE xdp off`, or end the process holding its bpf_link), or \
                 replace your own attachment with XdpAttachment::replace"
            )))
        }
        libc::EOPNOTSUPP => Some(Cow::Owned(format!(
            "the driver does not support XDP in {mode:?} mode; XdpMode::Generic works on every \
             interface (slower)"
        ))),
        libc::EINVAL if mode == XdpMode::Hardware => Some(Cow::Borrowed(
            "hardware offload is only supported by a few NICs, and needs a program loaded for \
             that device (LoadOptions::offload_ifindex)",
        )),
        libc::ENODEV => Some(Cow::Borrowed(
            "no interface has this index in this network namespace; list them with `ip -br link`",
        )),
        libc::ERANGE => Some(Cow::Borrowed(
            "the MTU is too large for native XDP on this driver; lower it or use generic mode",
        )),
        _ => generic_hint(op, errno).map(Cow::Borrowed),
    };
    Error::Attach {
        iface: iface.to_owned(),
        op,
        errno,
        kernel_message,
        hint,
    }
}

fn current_netns() -> Result<OwnedFd> {
    sys::open_readonly(Path::new("/proc/thread-self/ns/net"))
}

impl XdpAttachment {
    /// Attaches `prog` to the interface named `iface` (in the calling thread's namespace).
    pub fn attach_by_name(prog: &Program, iface: &str, opts: AttachOptions) -> Result<Self> {
        let ifindex = sys::if_nametoindex(iface)?;
        XdpAttachment::attach(prog, ifindex, opts)
    }

    /// Attaches `prog` to interface `ifindex` (in the calling thread's namespace).
    pub fn attach(prog: &Program, ifindex: u32, opts: AttachOptions) -> Result<Self> {
        let iface = match sys::if_indextoname(ifindex) {
            Ok(n) => format!("{n} (ifindex {ifindex})"),
            Err(_) => {
                return Err(Error::UnknownInterface {
                    name: format!("ifindex {ifindex}"),
                })
            }
        };
        let netns = current_netns()?;
        if let AttachMethod::Multiprog(m) = opts.method {
            let ext = crate::bpf::multiprog::attach_component(
                Some(netns.as_fd()),
                ifindex,
                opts.mode,
                prog,
                m,
            )
            .map_err(|e| match e {
                Error::Attach { .. } => e,
                e => Error::Attach {
                    iface: iface.clone(),
                    op: "multiprog attach",
                    errno: e.errno().unwrap_or(libc::EINVAL),
                    kernel_message: None,
                    hint: Some(Cow::Owned(
                        e.hint().map_or_else(|| e.to_string(), str::to_owned),
                    )),
                },
            })?;
            return Ok(XdpAttachment {
                kind: Kind::Multiprog(m),
                ifindex,
                iface,
                mode: opts.mode,
                prog_id: ext.id(),
                prog: sys::dup(ext.fd())?,
                netns,
                detached: false,
                pinned: false,
            });
        }
        let prog_fd = sys::dup(prog.fd())?;
        let kind = 'attached: {
            let mut link_err = None;
            if opts.method != AttachMethod::Netlink {
                match sysbpf::link_create(prog.fd(), ifindex, sysbpf::BPF_XDP, opts.mode.flags()) {
                    Ok(link) => break 'attached Kind::Link(link),
                    Err(e) => {
                        // Kernels without XDP links say EINVAL (unknown attach type) or E2BIG;
                        // anything else is the real answer.
                        let fallback = opts.method == AttachMethod::Auto
                            && matches!(e, libc::EINVAL | libc::E2BIG | libc::ENOSYS);
                        if !fallback {
                            return Err(attach_error(
                                &iface,
                                ifindex,
                                "BPF_LINK_CREATE(BPF_XDP)",
                                e,
                                None,
                                opts.mode,
                                Some(netns.as_fd()),
                            ));
                        }
                        link_err = Some(e);
                    }
                }
            }
            let flags = opts.mode.flags() | netlink::XDP_FLAGS_UPDATE_IF_NOEXIST;
            netlink::set_xdp(Some(netns.as_fd()), ifindex, prog.raw_fd(), flags, None).map_err(
                |e| {
                    let mut msg = e.message;
                    if let Some(le) = link_err {
                        let note = format!(
                            "(bpf_link attach failed first with {})",
                            crate::error::errno_name(le)
                        );
                        msg = Some(msg.map_or(note.clone(), |m| format!("{m} {note}")));
                    }
                    attach_error(
                        &iface,
                        ifindex,
                        "RTM_SETLINK(IFLA_XDP)",
                        e.errno,
                        msg,
                        opts.mode,
                        Some(netns.as_fd()),
                    )
                },
            )?;
            Kind::Netlink
        };
        Ok(XdpAttachment {
            kind,
            ifindex,
            iface,
            mode: opts.mode,
            prog: prog_fd,
            prog_id: prog.id(),
            netns,
            detached: false,
            pinned: false,
        })
    }

    /// The interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The mode asked for.
    pub fn mode(&self) -> XdpMode {
        self.mode
    }

    /// The method that was used: [`AttachMethod::Link`] or [`AttachMethod::Netlink`].
    pub fn method(&self) -> AttachMethod {
        match self.kind {
            Kind::Link(_) => AttachMethod::Link,
            Kind::Netlink => AttachMethod::Netlink,
            Kind::Multiprog(m) => AttachMethod::Multiprog(m),
        }
    }

    /// The id of the program attached through this handle (in multiprog mode: the freplace
    /// component in the dispatcher, as `xdp-loader status` lists it).
    pub fn program_id(&self) -> u32 {
        self.prog_id
    }

    /// The bpf_link's kernel id, for link attachments (`bpftool link`).
    pub fn link_id(&self) -> Option<u32> {
        match &self.kind {
            Kind::Link(fd) => sysbpf::link_info(fd.as_fd()).ok().map(|i| i.id),
            Kind::Netlink | Kind::Multiprog(_) => None,
        }
    }

    /// Swaps in `new` atomically: `BPF_LINK_UPDATE` with the expected old program (kernel 5.9),
    /// or `IFLA_XDP` with `XDP_FLAGS_REPLACE` and the expected fd (kernel 5.7). Fails (EEXIST /
    /// EPERM) if someone else's program is attached now.
    pub fn replace(&mut self, new: &Program) -> Result<()> {
        let new_fd = sys::dup(new.fd())?;
        match &self.kind {
            Kind::Link(link) => {
                sysbpf::link_update(link.as_fd(), new.fd(), Some(self.prog.as_fd())).map_err(
                    |e| {
                        attach_error(
                            &self.iface,
                            self.ifindex,
                            "BPF_LINK_UPDATE",
                            e,
                            None,
                            self.mode,
                            Some(self.netns.as_fd()),
                        )
                    },
                )?
            }
            Kind::Multiprog(_) => {
                return Err(Error::invalid(
                    "a multiprog component cannot be swapped in place: detach it and attach the \
                     new program (libxdp has no atomic replace of one component either)",
                ))
            }
            Kind::Netlink => netlink::set_xdp(
                Some(self.netns.as_fd()),
                self.ifindex,
                new.raw_fd(),
                self.mode.flags(),
                Some(self.prog.as_raw_fd()),
            )
            .map_err(|e| {
                attach_error(
                    &self.iface,
                    self.ifindex,
                    "RTM_SETLINK(IFLA_XDP, XDP_FLAGS_REPLACE)",
                    e.errno,
                    e.message,
                    self.mode,
                    Some(self.netns.as_fd()),
                )
            })?,
        }
        self.prog = new_fd;
        self.prog_id = new.id();
        Ok(())
    }

    /// Detaches now, reporting errors (drop detaches too, silently).
    pub fn detach(mut self) -> Result<()> {
        self.detach_inner()
    }

    fn detach_inner(&mut self) -> Result<()> {
        if self.detached {
            return Ok(());
        }
        self.detached = true;
        match &self.kind {
            Kind::Link(link) => match sysbpf::link_detach(link.as_fd()) {
                // Before kernel 5.9 there is no BPF_LINK_DETACH: closing the fd detaches.
                Ok(()) | Err(libc::EINVAL) | Err(libc::EOPNOTSUPP) => Ok(()),
                // ENOLINK: already detached (the interface went away).
                Err(libc::ENOLINK) => Ok(()),
                Err(e) => Err(attach_error(
                    &self.iface,
                    self.ifindex,
                    "BPF_LINK_DETACH",
                    e,
                    None,
                    self.mode,
                    Some(self.netns.as_fd()),
                )),
            },
            Kind::Multiprog(_) => crate::bpf::multiprog::detach_component(
                Some(self.netns.as_fd()),
                self.ifindex,
                self.prog_id,
            ),
            Kind::Netlink => match netlink::set_xdp(
                Some(self.netns.as_fd()),
                self.ifindex,
                -1,
                self.mode.flags(),
                Some(self.prog.as_raw_fd()),
            ) {
                Ok(()) => Ok(()),
                // The interface is gone: nothing left to detach.
                Err(e) if e.errno == libc::ENODEV => Ok(()),
                Err(e) => Err(attach_error(
                    &self.iface,
                    self.ifindex,
                    "RTM_SETLINK(IFLA_XDP off)",
                    e.errno,
                    e.message,
                    self.mode,
                    Some(self.netns.as_fd()),
                )),
            },
        }
    }
}

impl XdpAttachment {
    /// Pins the bpf_link at `path` on a bpffs (kernel 5.9), so the program stays attached after
    /// this process exits; dropping this handle then no longer detaches. Remove the pin
    /// ([`crate::bpf::pin::unpin`]) and close every handle to detach, or call
    /// [`XdpAttachment::detach`]. Netlink attachments have no link to pin (EINVAL). A multiprog
    /// component is pinned by its dispatcher already; this pins its program at `path` too.
    pub fn pin(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if let Kind::Multiprog(_) = self.kind {
            // The dispatcher's own pins keep the component attached; this pin is one more
            // reference to the component program.
            let c = sys::path_cstring(path)?;
            sysbpf::obj_pin(self.prog.as_fd(), &c).map_err(|e| {
                Error::io_hint(
                    "BPF_OBJ_PIN(prog)",
                    e,
                    format!("pinning {}", path.display()),
                )
            })?;
            self.pinned = true;
            return Ok(());
        }
        let Kind::Link(link) = &self.kind else {
            return Err(Error::invalid(
                "only bpf_link attachments can be pinned (this one was made through netlink, \
                 which stays attached on its own)",
            ));
        };
        let c = sys::path_cstring(path)?;
        sysbpf::obj_pin(link.as_fd(), &c).map_err(|e| {
            Error::io_hint(
                "BPF_OBJ_PIN(link)",
                e,
                format!(
                    "could not pin at {} (it must be on a bpffs, see pin::ensure_bpffs, and not exist)",
                    path.display()
                ),
            )
        })?;
        self.pinned = true;
        Ok(())
    }

    /// Leaves the program attached after this handle is gone: netlink attachments stay on the
    /// interface, multiprog components in libxdp's pinned dispatcher (remove them with
    /// `xdp-loader unload IFACE --id ID`). A bpf_link needs a pin instead
    /// ([`XdpAttachment::pin`]): EINVAL.
    pub fn leave_attached(mut self) -> Result<()> {
        if let Kind::Link(_) = self.kind {
            return Err(Error::invalid(
                "a bpf_link attachment ends with its last fd: pin it (XdpAttachment::pin) to \
                 keep it",
            ));
        }
        self.pinned = true;
        Ok(())
    }

    /// Opens an XDP bpf_link pinned at `path`. The handle does not detach on drop (the pin
    /// keeps it); [`XdpAttachment::detach`] and [`XdpAttachment::replace`] work. Interface
    /// names in errors refer to the calling thread's namespace.
    pub fn from_pinned(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let c = sys::path_cstring(path)?;
        let link = sysbpf::obj_get(&c, 0).map_err(|e| {
            Error::io_hint(
                "BPF_OBJ_GET(link)",
                e,
                format!("nothing usable is pinned at {}", path.display()),
            )
        })?;
        let info = sysbpf::link_info(link.as_fd())?;
        if info.link_type != sysbpf::BPF_LINK_TYPE_XDP {
            return Err(Error::invalid(format!(
                "{} is a bpf_link of type {}, not an XDP link",
                path.display(),
                info.link_type
            )));
        }
        let prog = Program::from_id(info.prog_id)?;
        Ok(XdpAttachment {
            kind: Kind::Link(link),
            ifindex: info.xdp_ifindex,
            iface: iface_label(info.xdp_ifindex),
            mode: XdpMode::Auto,
            prog: sys::dup(prog.fd())?,
            prog_id: info.prog_id,
            netns: current_netns()?,
            detached: false,
            pinned: true,
        })
    }
}

impl Drop for XdpAttachment {
    fn drop(&mut self) {
        if !self.pinned {
            let _ = self.detach_inner();
        }
    }
}

/// What `IFLA_XDP_ATTACHED` says is on an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttachedMode {
    /// `XDP_ATTACHED_NONE`.
    None,
    /// `XDP_ATTACHED_DRV`: native.
    Driver,
    /// `XDP_ATTACHED_SKB`: generic.
    Generic,
    /// `XDP_ATTACHED_HW`: offloaded.
    Hardware,
    /// `XDP_ATTACHED_MULTI`: programs in several modes at once.
    Multi,
}

/// What is attached to an interface (`RTM_GETLINK` → `IFLA_XDP`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XdpQuery {
    /// The summary.
    pub attached: AttachedMode,
    /// The driver-mode program id (0: none).
    pub driver_prog_id: u32,
    /// The generic-mode program id (0: none).
    pub generic_prog_id: u32,
    /// The offloaded program id (0: none).
    pub hw_prog_id: u32,
}

impl XdpQuery {
    /// The ids of every attached program.
    pub fn program_ids(&self) -> Vec<u32> {
        [self.driver_prog_id, self.generic_prog_id, self.hw_prog_id]
            .into_iter()
            .filter(|&i| i != 0)
            .collect()
    }

    /// True if no XDP program is attached.
    pub fn is_empty(&self) -> bool {
        self.attached == AttachedMode::None
    }
}

/// Asks the kernel what XDP programs interface `ifindex` (in the calling thread's namespace)
/// has, in every mode.
pub fn query(ifindex: u32) -> Result<XdpQuery> {
    let q = netlink::query_xdp(None, ifindex).map_err(|e| Error::Attach {
        iface: iface_label(ifindex),
        op: "RTM_GETLINK(IFLA_XDP)",
        errno: e.errno,
        kernel_message: e.message,
        hint: (e.errno == libc::ENODEV).then_some(Cow::Borrowed(
            "no interface has this index in this network namespace; list them with `ip -br link`",
        )),
    })?;
    let attached = match q.attached {
        0 => AttachedMode::None,
        1 => AttachedMode::Driver,
        2 => AttachedMode::Generic,
        3 => AttachedMode::Hardware,
        _ => AttachedMode::Multi,
    };
    let mut r = XdpQuery {
        attached,
        driver_prog_id: q.drv_prog_id,
        generic_prog_id: q.skb_prog_id,
        hw_prog_id: q.hw_prog_id,
    };
    // With a single program the kernel sends only IFLA_XDP_PROG_ID.
    if q.prog_id != 0 {
        match attached {
            AttachedMode::Driver => r.driver_prog_id = q.prog_id,
            AttachedMode::Generic => r.generic_prog_id = q.prog_id,
            AttachedMode::Hardware => r.hw_prog_id = q.prog_id,
            _ => {}
        }
    }
    Ok(r)
}

/// Removes whatever XDP program is attached to `ifindex` in `mode` through netlink (like
/// `ip link set dev IFACE xdp off`). A program held by a bpf_link cannot be removed this way
/// (EBUSY): the link's owner must close it.
pub fn force_detach(ifindex: u32, mode: XdpMode) -> Result<()> {
    netlink::set_xdp(None, ifindex, -1, mode.flags(), None).map_err(|e| {
        attach_error(
            &iface_label(ifindex),
            ifindex,
            "RTM_SETLINK(IFLA_XDP off)",
            e.errno,
            e.message,
            mode,
            None,
        )
    })
}

impl Program {
    /// Attaches this XDP program to interface `iface` of the calling thread's namespace with the
    /// default options (bpf_link, falling back to netlink; auto mode).
    pub fn attach_xdp(&self, iface: &str) -> Result<XdpAttachment> {
        XdpAttachment::attach_by_name(self, iface, AttachOptions::default())
    }
}
