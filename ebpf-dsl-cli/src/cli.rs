//! The command line, declared with `clap` (derive): one struct per subcommand, whose doc
//! comments are its `--help`. Values with a syntax of their own (program types, kernel
//! versions, hex packets, repeat counts) go through the value parsers below, which give the
//! CLI's own messages; what needs several options at once (two `--map` with the same name, an
//! output that would overwrite the source) is checked when the subcommand's arguments are
//! built (`parse_*` in the subcommand modules).

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;
use ebpf_dsl::verifier::KernelVersion;
use ebpf_dsl::ProgramType;

use crate::values::MAX_REPEAT;

/// What `ebpf-dsl --help` ends with.
const AFTER_HELP: &str = "\
At most 100 errors are printed (then `... and N more errors`). A --map NAME longer than 15
characters is truncated for the kernel (as libbpf does), with a warning.

Exit status: 0 success, 1 errors in the program, 2 bad usage or I/O failure (also when stdout
is closed by its reader, quietly).";

/// The help of `--map`.
const MAP_HELP: &str =
    "A map the program names: NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES][:FLAGS], e.g. \
                        xsks:xskmap:4:4:64 or cfg:array:4:8:1:rdonly_prog (repeat for each map; \
                        FLAGS: map-creation flags joined by |; a map of maps ends with \
                        :inner=TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]], the maps it holds)";

/// Assemble, check, disassemble, load and test-run eBPF programs written in the LLVM / kernel
/// pseudo-C syntax.
#[derive(Debug, Parser)]
#[command(name = "ebpf-dsl", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Sub,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Assemble FILE to raw instruction bytes (8 bytes a slot, little endian).
    ///
    /// The structural checks run first (as in `check`); --unchecked encodes anything LLVM would
    /// encode. FILE `-` reads stdin (and writes to stdout unless -o is given).
    Asm(AsmOpts),
    /// Report every error in FILE with file:line:col: the assembler's structural checks, then
    /// the static verifier.
    ///
    /// Describe the maps the program names with --map so the verifier knows their types and
    /// sizes (without them it is skipped, with a note). Exit status 1 if there is an error.
    Check(CheckOpts),
    /// Print the raw program in FILE as assembly that `asm` reassembles to the same bytes.
    ///
    /// FILE holds 8 bytes a slot, little endian, as `asm` writes it; `-` reads stdin. Jump
    /// targets get labels. Invalid instructions, and an empty input, are errors (exit status 1).
    Disasm(DisasmOpts),
    /// Assemble FILE and load it into the running kernel; print the verifier's verdict.
    ///
    /// Needs root, or CAP_BPF + CAP_NET_ADMIN. The verifier's log is printed on rejection
    /// (always with --log; every instruction's state with --verbose). Maps the program names
    /// (`r1 = xsks ll`) are created from --map, e.g. --map xsks:xskmap:4:4:64. Exit status 1
    /// if the verifier rejects the program.
    Load(LoadOpts),
    /// Load FILE and run it in the kernel on a packet (BPF_PROG_TEST_RUN), or with --vm in
    /// ebpf-dsl's own VM, without root and without the kernel.
    ///
    /// Prints the action, the output packet in hex and the kernel's ns per run averaged over
    /// --repeat runs. Needs root, or CAP_BPF + CAP_NET_ADMIN. With --vm: `r0 = 0x...`, and for
    /// a --packet the action, the output packet and the redirect; --mem HEX runs on raw memory
    /// instead (r1 = its address, r2 = its length, as bpf_conformance does); --trace prints
    /// every executed instruction with the registers it changed.
    Run(RunOpts),
    /// Load FILE and attach it to an interface as an XDP program; hold it until Ctrl-C (then
    /// detach), or leave it attached with --pin.
    ///
    /// With --multiprog the program joins libxdp's multi-program dispatcher on the interface
    /// (xdp-loader, xdp-filter and other libxdp users keep running and see it in
    /// `xdp-loader status`), in --priority order (lower runs first; default: the object's
    /// .xdp_run_config, else 50); its --chain-call actions run the next program. Needs root,
    /// a bpffs at /sys/fs/bpf (or LIBXDP_BPFFS) and a kernel that allows freplace programs.
    Attach(AttachOpts),
    /// Print what the running kernel supports for XDP and AF_XDP, each feature asked of it
    /// (never read off its version), and the helpers it withholds from each program type
    /// though its release has them (a kernel built or patched without them), which
    /// `check --unavailable-helpers running` gives the static verifier. Needs root.
    Features,
    /// Print a completion script for SHELL to stdout.
    ///
    /// For example: `ebpf-dsl completions bash > /etc/bash_completion.d/ebpf-dsl`, or
    /// `ebpf-dsl completions zsh > ~/.zfunc/_ebpf-dsl`.
    Completions(CompletionsOpts),
}

/// `asm FILE [-o OUT] [--unchecked]`.
#[derive(Debug, Args)]
pub struct AsmOpts {
    /// The assembly source (`-` for stdin).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Where to write the bytes: defaults to FILE with the extension .bin; `-` is stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub out: Option<String>,
    /// Skip the structural checks: encode anything LLVM would encode.
    #[arg(long)]
    pub unchecked: bool,
    /// Write a relocatable ELF object (default OUT: FILE with the extension .o) that bpftool,
    /// ip and libbpf load, instead of raw bytes.
    #[arg(long)]
    pub elf: bool,
    /// With --elf: the program type (xdp, sched_cls, sched_act, socket_filter) [default: the
    /// type of the source's `.section`, else xdp].
    #[arg(long = "type", value_name = "T", value_parser = program_type, requires = "elf")]
    pub prog_type: Option<ProgramType>,
    /// With --elf: the maps the program names (`--map`, see [`MAP_HELP`]), written to `.maps`.
    #[arg(long = "map", value_name = "MAP", help = MAP_HELP, requires = "elf")]
    pub maps: Vec<String>,
    /// With --elf: the license section's string.
    #[arg(long, value_name = "L", default_value = "GPL", requires = "elf")]
    pub license: String,
}

/// `check FILE [--type T] [--map ...]... [--license L] [--kernel V] [--no-verify]`.
#[derive(Debug, Args)]
pub struct CheckOpts {
    /// The assembly source, or an ELF object (every program in it is checked) (`-` for stdin).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The program type (xdp, socket_filter, sched_cls, sched_act, ...) [default: xdp]. For an
    /// ELF object: the type of the program sections whose name gives none (`xdp_pass`,
    /// `filter`, ...), as `bpf_program__set_type` in libbpf, and of the `--section` named even
    /// where its name is another program type's (tc's `bpf obj FILE sec sk_skb`).
    #[arg(long = "type", value_name = "T", value_parser = program_type)]
    pub prog_type: Option<ProgramType>,
    /// The maps the program names (`--map`, see [`MAP_HELP`]).
    #[arg(long = "map", value_name = "MAP", help = MAP_HELP)]
    pub maps: Vec<String>,
    /// The program's license (GPL-only helpers need a GPL-compatible one).
    #[arg(long, value_name = "L", default_value = "GPL")]
    pub license: String,
    /// The kernel version the verifier may assume (what it adds), e.g. 6.12 (the stable line
    /// as audited, with its backports) or a release such as 6.1.130 (without the backports
    /// that came after it); 6.1 or later (the verifier's rules are audited down to 6.1: an
    /// older target is refused, load the program on that kernel to have its own verifier
    /// check it).
    #[arg(long, value_name = "V", default_value_t = KernelVersion::DEFAULT, value_parser = kernel_version)]
    pub kernel: KernelVersion,
    /// Helpers the target kernel withholds from the program's type though its --kernel
    /// release has them (a kernel built or patched without them): ids or names,
    /// comma-separated (`54,bpf_xdp_adjust_meta`), or `running` to ask the running kernel
    /// (root: one `call N` load per helper, as `bpftool feature probe` does). A reached call
    /// of one is refused, as that kernel refuses it.
    #[arg(long, value_name = "IDS|running", value_parser = crate::unavailable::Unavailable::parse)]
    pub unavailable_helpers: Option<crate::unavailable::Unavailable>,
    /// The number of CPUs the target machine may bring online (its nr_cpu_ids), or `running`
    /// for this machine's (/sys/devices/system/cpu/possible). From 6.12 the kernel bounds
    /// bpf_get_smp_processor_id's result by it; without it the CPU number is only known to
    /// fit in 32 bits, as on a machine of any size.
    #[arg(long, value_name = "N|running", value_parser = possible_cpus)]
    pub possible_cpus: Option<u32>,
    /// Skip the static verifier (the assembler's checks only).
    #[arg(long)]
    pub no_verify: bool,
    /// Verify as a load with BPF_F_STRICT_ALIGNMENT: every load and store must be aligned to
    /// its size (packet pointers as if the packet started 2 bytes past an aligned address, the
    /// kernel's NET_IP_ALIGN), not only stack accesses and atomics; `load
    /// --strict-alignment` passes the flag to the kernel.
    #[arg(long)]
    pub strict_alignment: bool,
    /// Verify for a kernel that runs programs in its interpreter (no JIT,
    /// `net.core.bpf_jit_enable = 0`): each function's stack counts in 32-byte units in the
    /// call-chain limit of 512 bytes, not the JIT's 16 (targets 6.12 and later).
    #[arg(long)]
    pub interpreter: bool,
    /// Verify as a device-bound XDP load (BPF_F_XDP_DEV_BOUND_ONLY with prog_ifindex), the
    /// only one in which the kernel takes the XDP metadata kfuncs (bpf_xdp_metadata_rx_*):
    /// without it a program calling one is refused, as a plain load is by the kernel.
    #[arg(long)]
    pub device_bound: bool,
    /// For an ELF object: only the programs of this section (or with this function name).
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// The target kernel's BTF (e.g. /sys/kernel/btf/vmlinux), against which an ELF object's
    /// CO-RE relocations (`ptr->field` through vmlinux.h types, bitfields,
    /// bpf_core_field_exists, bpf_core_type_id_kernel, bpf_core_enum_value, ...) are resolved
    /// as libbpf resolves them, in which the kfuncs and `__ksym` variables the object declares
    /// are looked up (then in the modules' BTF, see --module-btf): a strong kfunc the kernel
    /// lacks, or whose prototype libbpf finds incompatible, is libbpf's refusal of the whole
    /// object, reported as a rejection (exit status 1); and from which the verifier takes the
    /// layouts of kernel structures read through BTF pointers (bpf_cast_to_kern_ctx,
    /// bpf_rdonly_cast, the bpf_skc_to_* casts).
    #[arg(long, value_name = "FILE")]
    pub btf: Option<String>,
    /// With --btf: the BTF of the target kernel's loaded modules (split BTF over --btf's), where
    /// kfuncs vmlinux lacks are looked up as libbpf does: a directory (every file in it but
    /// `vmlinux`, as /sys/kernel/btf) or one module's file; repeatable. Default: the other
    /// files of /sys/kernel/btf when --btf is /sys/kernel/btf/vmlinux, else none.
    #[arg(long = "module-btf", value_name = "DIR_OR_FILE")]
    pub module_btf: Vec<String>,
    /// The target kernel's symbol names (/proc/kallsyms format): a kernel variable or function
    /// loaded by its BTF id (a typed `__ksym` variable, `ld_pseudo rN, 3, btf_id(var NAME)`)
    /// loads only if the kernel finds its address by name, and a kernel built without
    /// CONFIG_KALLSYMS_ALL finds no variable's. Default: /proc/kallsyms when --btf is
    /// /sys/kernel/btf/vmlinux, else none (such a program is refused as not checkable).
    #[arg(long, value_name = "FILE")]
    pub kallsyms: Option<String>,
    /// For an ELF object with `__kconfig` externs: the target kernel's configuration
    /// (`CONFIG_X=...` lines, as in /boot/config-$(uname -r); for /proc/config.gz give
    /// `<(zcat /proc/config.gz)`), whose values the externs get in a frozen `.kconfig` map as
    /// libbpf gives them. LINUX_KERNEL_VERSION is the --kernel version, with its patch level if
    /// it names a release (6.1.130), else the one of the file's `# Linux/ARCH X.Y.Z Kernel
    /// Configuration` header if X.Y matches (else 0). Without
    /// it, weak CONFIG_ externs are 0 and strong ones are an error.
    #[arg(long, value_name = "FILE")]
    pub kconfig: Option<String>,
    /// After each verified program, print the verifier's statistics as the kernel's
    /// BPF_LOG_STATS does: the verification time (the verifier alone, in microseconds) and
    /// the instructions processed, states stored and paths pruned.
    #[arg(long)]
    pub stats: bool,
    /// With --stats: verify each program once, untimed, before the timed run. The time then
    /// leaves out what only a process's first verification pays (the verifier's code and
    /// tables reaching the CPU's caches for the first time, lazily built tables; the memo
    /// tables are emptied in between, so the timed run computes all the first one did): the time a
    /// long-lived process verifying many programs sees (the proc macros in one compilation, a
    /// loader daemon), as the kernel's verifier is resident code. Without it (the default) the
    /// time is a fresh process's first verification.
    #[arg(long, requires = "stats")]
    pub warm: bool,
    /// Write what the verifier's pruning did to FILE (for comparing with the kernel's
    /// `log_level 2` log): per instruction the times processed, checkpoints stored, paths
    /// pruned, failed comparisons and dropped checkpoints, then every event at a prune point
    /// (each checkpoint, prune, miss with the first location that differed, and each
    /// checkpoint's live and precise locations once explored). One `## NAME` part per program.
    #[arg(long, value_name = "FILE")]
    pub trace_prune: Option<String>,
    /// Write every abstract state the verifier reaches to FILE, one JSON line per instruction
    /// processed (for comparing with the kernel's `log_level 2` states:
    /// tools/state-compare/). The states come from a second walk with exact pruning (no
    /// liveness or precision); the verdict stays the ordinary walk's. One `## NAME` part per
    /// program.
    #[arg(long, value_name = "FILE")]
    pub dump_states: Option<String>,
}

/// `disasm FILE`.
#[derive(Debug, Args)]
pub struct DisasmOpts {
    /// The raw program bytes, or an ELF object (`.o`, e.g. from clang -target bpf) (`-` for
    /// stdin).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// For an ELF object: only the programs of this section (or with this function name).
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// For an ELF object: the program type of the sections whose name gives none
    /// (`xdp_pass`, `filter`, ...), as `bpf_program__set_type` in libbpf.
    #[arg(long = "type", value_name = "T", value_parser = program_type)]
    pub prog_type: Option<ProgramType>,
    /// For an ELF object with CO-RE relocations: the target kernel's BTF (e.g.
    /// /sys/kernel/btf/vmlinux), against which they are resolved as libbpf does (as `check
    /// --btf`): the listing has the target's offsets and values.
    #[arg(long, value_name = "FILE")]
    pub btf: Option<String>,
}

/// The options `load` and `run` share.
#[derive(Debug, Args)]
pub struct KernelOpts {
    /// The assembly source, or an ELF object (`.o`: its maps come from the object) (`-` for
    /// stdin).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// For an ELF object with several programs: the section (or function name) to load.
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// The maps the program names, created before the load (`--map`, see [`MAP_HELP`]).
    #[arg(long = "map", value_name = "MAP", help = MAP_HELP)]
    pub maps: Vec<String>,
}

/// `load FILE [--type T] [--map ...]... [--log] [--verbose]`.
#[derive(Debug, Args)]
pub struct LoadOpts {
    /// FILE and the maps.
    #[command(flatten)]
    pub common: KernelOpts,
    /// The program type (xdp, socket_filter, sched_cls, ...); defaults to xdp.
    #[arg(short = 't', long = "type", value_name = "T", value_parser = program_type)]
    pub prog_type: Option<ProgramType>,
    /// Print the verifier's log also when it accepts the program.
    #[arg(long)]
    pub log: bool,
    /// Print the verifier's state at every instruction (implies --log).
    #[arg(long)]
    pub verbose: bool,
    /// Load with BPF_F_STRICT_ALIGNMENT in prog_flags (the kernel then checks the alignment
    /// of every load and store; `check --strict-alignment` verifies the same way).
    #[arg(long)]
    pub strict_alignment: bool,
}

/// `attach FILE --iface IF [--mode M] [--multiprog [--priority N] [--chain-call A,...]]
/// [--pin [PATH]]`.
#[derive(Debug, Args)]
pub struct AttachOpts {
    /// FILE and the maps.
    #[command(flatten)]
    pub common: KernelOpts,
    /// The interface (in the current network namespace).
    #[arg(long, value_name = "IF")]
    pub iface: String,
    /// XDP mode: auto, native (drv), skb (generic).
    #[arg(long, value_name = "M", default_value = "auto")]
    pub mode: String,
    /// Join libxdp's multi-program dispatcher instead of attaching alone.
    #[arg(long)]
    pub multiprog: bool,
    /// With --multiprog: the run priority (lower runs first).
    #[arg(long, value_name = "N", requires = "multiprog")]
    pub priority: Option<u32>,
    /// With --multiprog: the return codes that run the next program (comma-separated:
    /// aborted, drop, pass, tx, redirect; default pass).
    #[arg(long = "chain-call", value_name = "A,...", requires = "multiprog")]
    pub chain_call: Option<String>,
    /// Leave the program attached and exit. With PATH, pin it there (a bpf_link, or the
    /// multiprog component's program); without, netlink / libxdp's own pins keep it.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
    pub pin: Option<String>,
}

/// `run FILE --type T --packet HEX [--repeat N] [--map ...]...`.
#[derive(Debug, Args)]
pub struct RunOpts {
    /// FILE and the maps.
    #[command(flatten)]
    pub common: KernelOpts,
    /// The program type (required), e.g. xdp.
    #[arg(short = 't', long = "type", value_name = "T", value_parser = program_type)]
    pub prog_type: Option<ProgramType>,
    /// The packet (required), in hex: pairs of 0-9 a-f, with `:`, `-` or spaces between them
    /// if you like, an optional leading 0x; at least 14 bytes for xdp.
    #[arg(long, value_name = "HEX", value_parser = hex_packet)]
    pub packet: Option<Packet>,
    /// Run the program N times and average the kernel's time (at most 100000000).
    #[arg(long, value_name = "N", default_value = "1", value_parser = repeat_count)]
    pub repeat: u32,
    /// Run in ebpf-dsl's VM (no root, no kernel) instead of the kernel.
    #[arg(long)]
    pub vm: bool,
    /// With --vm, instead of --packet: raw memory in hex; r1 = its address, r2 = its length.
    #[arg(long, value_name = "HEX", value_parser = hex_packet, requires = "vm", conflicts_with = "packet")]
    pub mem: Option<Packet>,
    /// With --vm: print every executed instruction with the registers it changed.
    #[arg(long, requires = "vm")]
    pub trace: bool,
    /// With --vm: skip the assembler's structural checks (run anything LLVM encodes, e.g. the
    /// shifts by out-of-range constants the ISA defines and the kernel refuses).
    #[arg(long, requires = "vm")]
    pub unchecked: bool,
    /// With --vm: do not print the maps' contents after the run (by default every non-empty
    /// element, `map NAME: KEY -> VALUE` in hex).
    #[arg(long, requires = "vm")]
    pub no_maps: bool,
}

/// The bytes of `--packet` (a type of its own: clap reads `Vec<u8>` as many values).
#[derive(Clone, Debug)]
pub struct Packet(pub Vec<u8>);

/// `completions SHELL`.
#[derive(Debug, Args)]
pub struct CompletionsOpts {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// `--type`: a program type by its kernel name.
fn program_type(s: &str) -> Result<ProgramType, String> {
    ProgramType::from_name(s)
        .ok_or_else(|| format!("unknown program type `{s}` (e.g. xdp, sched_cls, socket_filter)"))
}

/// `--kernel`: a version such as 6.12 (the stable line as audited) or a release such as
/// 6.1.130, 6.1 or later ([`KernelVersion::OLDEST`]).
fn kernel_version(s: &str) -> Result<KernelVersion, String> {
    let v = KernelVersion::parse(s).ok_or_else(|| {
        format!("--kernel `{s}` is not a version like 6.12 (the stable line as audited) or a release like 6.1.130")
    })?;
    v.check_supported()?;
    Ok(v)
}

/// `--possible-cpus`: a count of 1 or more, or `running` (this machine's possible CPUs).
fn possible_cpus(s: &str) -> Result<u32, String> {
    if s == "running" {
        return xsk_runtime::os::possible_cpus()
            .map_err(|e| format!("--possible-cpus running: reading this machine's CPUs: {e}"));
    }
    match s.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "--possible-cpus `{s}` is neither a count of CPUs (1 or more) nor `running`"
        )),
    }
}

/// `--packet`: hex bytes.
fn hex_packet(s: &str) -> Result<Packet, String> {
    crate::values::parse_hex(s).map(Packet).map_err(|e| {
        let m = e.to_string();
        m.strip_prefix("--packet: ").map(str::to_owned).unwrap_or(m)
    })
}

/// `--repeat`: a count up to [`MAX_REPEAT`].
fn repeat_count(v: &str) -> Result<u32, String> {
    let repeat: u32 = v
        .parse()
        .map_err(|_| format!("--repeat `{v}` is not a number from 1 to {MAX_REPEAT}"))?;
    if repeat > MAX_REPEAT {
        return Err(format!(
            "--repeat {repeat} is above {MAX_REPEAT}: the kernel would run the program \
             for minutes without a word; averages settle long before"
        ));
    }
    Ok(repeat)
}

/// Where to read more, after a usage line.
const MORE: &str = "`ebpf-dsl --help` lists the commands; `ebpf-dsl COMMAND --help` explains one.";

/// The usage line of subcommand `sub` (or of the tool, if `sub` is none or not a subcommand),
/// as `usage: ebpf-dsl ...`, with where to read more.
pub fn usage(sub: Option<&str>) -> String {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let rendered = match sub.and_then(|s| cmd.find_subcommand_mut(s)) {
        Some(c) => c.render_usage().to_string(),
        None => cmd.render_usage().to_string(),
    };
    format!("{}\n\n{MORE}", lowercase_usage(&rendered))
}

/// A clap error as the CLI's usage message: without clap's `error: ` prefix (the tool adds
/// `ebpf-dsl: `), always with a usage line (`usage: ...`, of subcommand `sub` if clap shows
/// none) and where to read more.
pub fn clap_message(e: &clap::Error, sub: Option<&str>) -> String {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let text = text.replace("For more information, try '--help'.", "");
    let text = lowercase_usage(text.trim_end());
    if text.contains("\nusage: ") {
        format!("{text}\n\n{MORE}")
    } else {
        format!("{text}\n\n{}", usage(sub))
    }
}

/// `Usage: ` at the start of a line becomes `usage: `.
fn lowercase_usage(text: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix("Usage: ") {
            Some(rest) => format!("usage: {rest}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_declaration_is_consistent() {
        super::Cli::command().debug_assert();
    }

    /// A full command line of every subcommand reaches its arguments (clap checks the types of
    /// the derive's fields only when a value is read).
    #[test]
    fn every_subcommand_parses_a_full_command_line() {
        use crate::{parse_args, Command};
        let parse = |xs: &[&str]| {
            let v: Vec<String> = xs.iter().map(|s| s.to_string()).collect();
            match parse_args(&v) {
                Ok(c) => c,
                Err(e) => panic!("{xs:?}: {e}"),
            }
        };
        let m = "--map=xsks:xskmap:4:4:64";
        assert!(matches!(
            parse(&["asm", "p.s", "-o", "p.bin", "--unchecked"]),
            Command::Asm(_)
        ));
        assert!(matches!(
            parse(&[
                "check",
                "p.s",
                "--type",
                "sched_cls",
                m,
                "--license",
                "MIT",
                "--kernel",
                "6.12",
                "--no-verify"
            ]),
            Command::Check(_)
        ));
        assert!(matches!(
            parse(&["disasm", "-"]),
            Command::Disasm(_, None, None, None)
        ));
        assert!(matches!(
            parse(&["disasm", "p.o", "--section", "xdp"]),
            Command::Disasm(_, Some(s), None, None) if s == "xdp"
        ));
        assert!(matches!(
            parse(&["load", "p.s", "-t", "xdp", m, "--log", "--verbose"]),
            Command::Load(_)
        ));
        assert!(matches!(
            parse(&["run", "p.s", "-t", "xdp", "--packet", "00:11", "--repeat", "7", m]),
            Command::Run(_)
        ));
        assert!(matches!(parse(&["features"]), Command::Features));
        for shell in ["bash", "zsh", "fish"] {
            assert!(matches!(
                parse(&["completions", shell]),
                Command::Completions(_)
            ));
        }
        for help in [
            &["--help"][..],
            &["help"],
            &["help", "run"],
            &["run", "--help"],
            &["-V"],
        ] {
            assert!(
                matches!(parse(help), Command::Help(t) if !t.is_empty()),
                "{help:?}"
            );
        }
    }

    #[test]
    fn usage_lines_name_the_tool_and_the_subcommand() {
        let u = super::usage(Some("check"));
        assert!(u.starts_with("usage: ebpf-dsl check "), "{u}");
        assert!(super::usage(None).starts_with("usage: ebpf-dsl "));
    }
}
