//! The `attach` subcommand: load a program and attach it to an interface, alone or as a
//! component of libxdp's multi-program dispatcher.
//!
//! ```text
//! ebpf-dsl attach prog.o --iface eth0 [--mode native] [--multiprog [--priority 20]
//!     [--chain-call pass,drop]] [--pin [PATH]]
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use xsk_runtime::attach::{AttachMethod, AttachOptions, XdpAttachment, XdpMode};
use xsk_runtime::multiprog::{self, action_names, MultiprogOptions};
use xsk_runtime::program::LoadOptions;

use crate::kernel_cmds::{assemble_and_load, parse_common, Common};
use crate::out::outln;
use crate::CliError;

/// The arguments of `attach`.
#[derive(Debug)]
pub struct AttachArgs {
    common: Common,
    iface: String,
    mode: XdpMode,
    multiprog: Option<Multiprog>,
    pin: Option<String>,
}

/// `--multiprog` with what the command line says (the rest comes from the object).
#[derive(Debug)]
struct Multiprog {
    priority: Option<u32>,
    chain_call: Option<u32>,
}

/// Checks the arguments of `attach`.
pub fn parse_attach(o: crate::cli::AttachOpts) -> Result<AttachArgs, CliError> {
    let mode = XdpMode::from_name(&o.mode).ok_or_else(|| {
        CliError::Usage(format!(
            "--mode {}: expected auto, native (drv), skb (generic) or hw",
            o.mode
        ))
    })?;
    if o.iface.is_empty() {
        return Err(CliError::Usage("--iface needs an interface name".into()));
    }
    let multiprog = if o.multiprog {
        let chain_call = o
            .chain_call
            .as_deref()
            .map(MultiprogOptions::actions_from_names)
            .transpose()
            .map_err(|e| CliError::Usage(format!("--chain-call: {e}")))?;
        Some(Multiprog {
            priority: o.priority,
            chain_call,
        })
    } else {
        None
    };
    Ok(AttachArgs {
        common: parse_common(o.common, None, false)?,
        iface: o.iface,
        mode,
        multiprog,
        pin: o.pin,
    })
}

/// The run configuration an ELF object declares for `function` (`.xdp_run_config`).
fn object_run_config(file: &str, function: &str) -> Option<MultiprogOptions> {
    let bytes = std::fs::read(file).ok()?;
    if !crate::elf_cmds::is_elf(&bytes) {
        return None;
    }
    let obj = ebpf_dsl::elf::object_btf(&bytes).ok()??;
    multiprog::run_config(&obj.btf, function)
}

/// `attach`: load, attach, report; then hold until SIGINT/SIGTERM and detach, or leave it
/// attached (`--pin`).
pub fn attach(a: AttachArgs) -> Result<ExitCode, CliError> {
    let loaded = match assemble_and_load(&a.common, LoadOptions::default())? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let name = loaded
        .program_names()
        .next()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Io("no program was loaded".into()))?;
    let prog = loaded
        .program(&name)
        .map_err(|e| CliError::Io(e.to_string()))?;
    let method = match &a.multiprog {
        Some(m) => {
            let mut o = object_run_config(&a.common.file, &name).unwrap_or_default();
            if let Some(p) = m.priority {
                o.priority = p;
            }
            if let Some(c) = m.chain_call {
                o.chain_call_actions = c;
            }
            AttachMethod::Multiprog(o)
        }
        // A pin path holds a bpf_link; leaving it attached without one needs netlink.
        None => match a.pin.as_deref() {
            Some("") => AttachMethod::Netlink,
            Some(_) => AttachMethod::Link,
            None => AttachMethod::Auto,
        },
    };
    let opts = AttachOptions {
        mode: a.mode,
        method,
    };
    let mut att = XdpAttachment::attach_by_name(prog, &a.iface, opts)
        .map_err(|e| CliError::Io(e.to_string()))?;
    match att.method() {
        AttachMethod::Multiprog(o) => {
            outln!(
                "attached `{name}` to {} as a multiprog component (program id {}, priority {}, \
                 chain-call {})",
                a.iface,
                att.program_id(),
                o.priority,
                action_names(o.chain_call_actions).join(",")
            )?;
            if let Ok(Some(st)) = multiprog::status(att.ifindex()) {
                outln!(
                    "dispatcher: program id {} ({:?} mode), run order:",
                    st.dispatcher_id,
                    st.mode
                )?;
                for c in &st.components {
                    outln!(
                        "  {} prio {:<4} {:<16} id {:<6} chain-call {}",
                        c.slot,
                        c.priority,
                        c.name,
                        c.id,
                        action_names(c.chain_call_actions).join(",")
                    )?;
                }
            }
        }
        m => outln!(
            "attached `{name}` to {} (program id {}, {:?})",
            a.iface,
            att.program_id(),
            m
        )?,
    }
    match a.pin.as_deref() {
        Some("") => {
            att.leave_attached()
                .map_err(|e| CliError::Io(e.to_string()))?;
            outln!("left attached")?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(path) => {
            att.pin(path).map_err(|e| CliError::Io(e.to_string()))?;
            outln!("pinned at {path}; it stays attached")?;
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| CliError::Io(format!("installing the signal handler: {e}")))?;
    }
    outln!("holding it; Ctrl-C detaches")?;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
    }
    att.detach().map_err(|e| CliError::Io(e.to_string()))?;
    outln!("detached")?;
    Ok(ExitCode::SUCCESS)
}
