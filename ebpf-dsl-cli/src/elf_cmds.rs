//! ELF objects in the CLI: `disasm OBJ.o [--section NAME]`, `asm FILE --elf`, and `load`/`run`
//! of an object's program.

use std::process::ExitCode;

use ebpf_dsl::elf::{self, Object};
use ebpf_dsl::ProgramType;

use crate::map_arg::MapArgs;
use crate::out::errln;
use crate::CliError;

/// Whether `bytes` are an ELF file.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// The CLI's refusal of the entry points in `section` (all for `None`) that the ELF reader
/// could not express ([`Object::unexpressed`]: a kfunc the target kernel has, not modelled),
/// naming the first; `None` when every selected entry point was read. The object's other
/// programs stay usable one at a time (`--section`).
fn unexpressed(obj: &Object, shown: &str, section: Option<&str>) -> Option<String> {
    let u = obj.unexpressed_in(section).next()?;
    Some(format!(
        "{shown}: program `{}` of section `{}` cannot be read: {}",
        u.function, u.section, u.error
    ))
}

/// The sections and functions of `obj`, for messages.
fn available(obj: &Object) -> String {
    let v: Vec<String> = obj
        .programs
        .iter()
        .map(|p| format!("{} ({})", p.section, p.function))
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// `disasm OBJ.o [--section NAME] [--type T] [--btf FILE]`: every program of the object (or of section
/// NAME) as text that `asm` takes back, with the maps it uses as `.map` declarations (global
/// data with its initial contents, `init=HEX`); `--type` is the type of the sections whose
/// name gives none; `--btf` the target BTF its CO-RE relocations are resolved against.
pub fn disasm_object(
    bytes: &[u8],
    shown: &str,
    section: Option<&str>,
    prog_type: Option<ProgramType>,
    btf: Option<&str>,
) -> Result<ExitCode, CliError> {
    let mut read = match prog_type {
        Some(t) => elf::read_object_as(bytes, t),
        None => elf::read_object(bytes),
    };
    // An object with CO-RE relocations is read again for the target's BTF, when given.
    if let (Err(e), Some(path)) = (&read, btf) {
        if e.reason.contains("CO-RE relocation") {
            read = elf::read_object_for(bytes, prog_type, &target_btf(path)?);
        }
    }
    let obj = match read {
        Ok(o) => o,
        Err(e) => {
            errln!("ebpf-dsl: {shown}: not a valid eBPF ELF object: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(why) = unexpressed(&obj, shown, section) {
        errln!("ebpf-dsl: {why}");
        return Ok(ExitCode::from(1));
    }
    let progs: Vec<_> = obj.programs_in(section).collect();
    if progs.is_empty() {
        errln!(
            "ebpf-dsl: {shown}: no program {}; the object has: {}",
            section.map_or("at all".to_string(), |s| format!("in section `{s}`")),
            available(&obj)
        );
        return Ok(ExitCode::from(1));
    }
    let object_btf = elf::object_btf(bytes)
        .ok()
        .flatten()
        .filter(|b| b.kernel_refusal().is_none());
    let locks = object_btf
        .as_ref()
        .map(|b| b.spin_locks())
        .unwrap_or_default();
    let timers = object_btf.as_ref().map(|b| b.timers()).unwrap_or_default();
    let mut text = String::new();
    for (i, p) in progs.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!(
            "# section {}, function {}\n",
            p.section, p.function
        ));
        // The initial slots of the maps it uses (`.values`): the text does not carry them.
        for sl in obj
            .slots
            .iter()
            .filter(|sl| p.spec.maps.iter().any(|m| m.name == sl.map))
        {
            text.push_str(&format!(
                "# initial slot {}[{}] = {} (not carried by the text: the object's loader \
                 fills it)\n",
                sl.map, sl.index, sl.value
            ));
        }
        match elf::program_listing_specials(
            &p.spec,
            &obj.data,
            Some(&p.section),
            &locks,
            &timers,
            &p.globals,
        ) {
            Ok(t) => text.push_str(&t),
            Err(e) => {
                errln!("ebpf-dsl: {shown}: section `{}`: {e}", p.section);
                return Ok(ExitCode::from(1));
            }
        }
    }
    crate::out::stdout_bytes(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The running kernel's BTF, against which `load` and `run` resolve an object's CO-RE
/// relocations.
const RUNNING_BTF: &str = "/sys/kernel/btf/vmlinux";

/// Whether reading an object failed only for want of the target kernel's BTF (a CO-RE
/// relocation, which [`elf::read_object_for`] resolves).
fn needs_target_btf(e: &elf::ElfError) -> bool {
    e.reason.contains("CO-RE relocation") && e.reason.contains("target kernel's BTF")
}

/// The program of object `bytes` to load: the only one, or the one `--section` names (by
/// section or function name), as its (section, function). An object with CO-RE relocations
/// is read for the running kernel's BTF.
pub fn object_choice(
    bytes: &[u8],
    shown: &str,
    section: Option<&str>,
    unknown: Option<ProgramType>,
) -> Result<(String, String), CliError> {
    let obj = match unknown {
        Some(t) => elf::read_object_as(bytes, t),
        None => elf::read_object(bytes),
    };
    // An object with CO-RE relocations is read for the running kernel's BTF, the kernel the
    // program goes into (the loader resolves them against the same BTF).
    let obj = match obj {
        Err(e) if needs_target_btf(&e) => {
            let vmlinux = target_btf(RUNNING_BTF)?;
            elf::read_object_for(bytes, unknown, &vmlinux)
        }
        other => other,
    }
    .map_err(|e| CliError::Io(format!("{shown}: {e}")))?;
    if let Some(why) = unexpressed(&obj, shown, section) {
        return Err(CliError::Io(why));
    }
    let progs: Vec<_> = obj.programs_in(section).collect();
    match progs.as_slice() {
        [p] => Ok((p.section.clone(), p.function.clone())),
        [] => Err(CliError::Io(format!(
            "{shown}: no program{}; the object has: {}",
            section.map_or(String::new(), |s| format!(" in section `{s}`")),
            available(&obj)
        ))),
        _ => Err(CliError::Usage(format!(
            "{shown} has {} programs; choose one with --section NAME: {}",
            progs.len(),
            available(&obj)
        ))),
    }
}

/// The options of `asm --elf`.
#[derive(Debug)]
pub struct ElfOpts {
    /// `--type` (default: the `.section`'s type, else xdp).
    pub prog_type: Option<ProgramType>,
    /// `--map` (the source's `.map` and `# --map` lines are added to a copy).
    pub maps: MapArgs,
    /// `--license`.
    pub license: String,
}

/// A program name from a file name: its stem, `[A-Za-z0-9_]`, 15 characters.
pub fn program_name(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty() && file != "-")
        .unwrap_or_else(|| "prog".into());
    stem.chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .take(15)
        .collect()
}

/// `asm FILE --elf`: the assembled program as an object, with its maps described by `--map`
/// and the source's `.map` and `# --map` lines (`map_args`), its global data (`init=`) and
/// its source `lines` (`.BTF.ext` line_info).
pub fn elf_bytes(
    program: ebpf_dsl::asm::Assembled,
    lines: Vec<ebpf_dsl::btf::SourceLine>,
    file: &str,
    opts: &ElfOpts,
    map_args: &MapArgs,
) -> Result<Vec<u8>, CliError> {
    map_args.print_warnings();
    let mut program = program;
    map_args.rename(&mut program.relocations);
    let maps = map_args.specs();
    let missing: Vec<String> = program
        .relocations
        .iter()
        .map(|r| r.symbol.to_string())
        .filter(|s| !maps.iter().any(|m| m.name_str() == s))
        .collect();
    if !missing.is_empty() {
        return Err(CliError::Usage(format!(
            "an object declares every map: describe {} with --map {} (or a `{}` line)",
            missing.join(", "),
            crate::map_arg::MAP_ARG_SYNTAX,
            ebpf_dsl::asm::mapdecl::MAP_DIRECTIVE_SYNTAX
        )));
    }
    let data = std::mem::take(&mut program.data);
    let section = program.section.take();
    let globals = std::mem::take(&mut program.globals);
    let prog_type = text_program_type(section.as_deref(), opts.prog_type)?;
    let mut spec =
        program.into_program_spec(program_name(file), prog_type, opts.license.clone(), maps);
    spec.lines = lines.into();
    let mut obj = Object::from_programs(&[spec]).map_err(|e| CliError::Usage(e.to_string()))?;
    if let [p] = obj.programs.as_mut_slice() {
        if let Some(s) = section {
            p.section = s;
        }
        // `.global_func`: written global with their prototypes, read back as such.
        p.globals = globals;
    }
    obj.data = data;
    elf::write_object(&obj).map_err(|e| CliError::Usage(e.to_string()))
}

/// The program type of a text program in ELF section `section` (its `.section`, if any) with
/// `--type` `given`: the section's type (`xdp.frags` → xdp, ...), which `--type` must not
/// contradict; a legacy name with no type (`xdp_pass`, what `disasm OBJ.o --type T` prints
/// for one) and no section at all: `--type`, default xdp; a section of a program type this
/// tool does not load (`kprobe/...`) is an error.
pub fn text_program_type(
    section: Option<&str>,
    given: Option<ProgramType>,
) -> Result<ProgramType, CliError> {
    let Some(s) = section else {
        return Ok(given.unwrap_or(ProgramType::Xdp));
    };
    match (elf::program_type_for_section(s), given) {
        (Some(t), Some(g)) if t != g => Err(CliError::Usage(format!(
            "`.section {s}` is a section of {t} programs, but --type is {g}"
        ))),
        (Some(t), _) => Ok(t),
        (None, g) if !elf::is_other_program_section(s) => Ok(g.unwrap_or(ProgramType::Xdp)),
        _ => Err(CliError::Usage(format!(
            "`.section {s}` names no section of a program type this tool loads (xdp, \
             xdp.frags, xdp/devmap, xdp/cpumap, tc, classifier, action, socket, ...)"
        ))),
    }
}

/// The load options a text program's `.section` asks for, added to `opts`:
/// `BPF_F_XDP_HAS_FRAGS` for `xdp.frags`, the expected attach type of `xdp/devmap` and
/// `xdp/cpumap` (as for an object's section).
pub fn section_load_options(
    section: Option<&str>,
    mut opts: xsk_runtime::program::LoadOptions,
) -> xsk_runtime::program::LoadOptions {
    if let Some(s) = section {
        let by = xsk_runtime::bpf::object::object_load_options(s);
        opts.prog_flags |= by.prog_flags;
        opts.expected_attach_type = opts.expected_attach_type.or(by.expected_attach_type);
    }
    opts
}

/// The bytes of `file` if it is an ELF object (`None` for stdin, unreadable files and text).
pub fn read_object_file(file: &str) -> Option<Vec<u8>> {
    if file == "-" {
        return None;
    }
    std::fs::read(file).ok().filter(|b| is_elf(b))
}

/// How `check OBJ.o` runs (`--no-verify`, `--kernel`, `--section`, `--type`).
#[derive(Debug)]
pub struct CheckObject {
    /// Run the static verifier (not `--no-verify`).
    pub verify: bool,
    /// `--kernel`.
    pub kernel: ebpf_dsl::verifier::KernelVersion,
    /// `--section`: only the programs of this section (or with this function name).
    pub section: Option<String>,
    /// `--type`: the type of the program sections whose name gives none, and of the
    /// `--section` named even if its name is another program type's (`sk_skb` loaded by tc).
    pub unknown_type: Option<ProgramType>,
    /// `--btf`: the target kernel's BTF file, for CO-RE relocations and `.ksyms` externs
    /// (read only when the object has either).
    pub btf: Option<String>,
    /// `--module-btf`: the target kernel's modules' BTF, directories or files
    /// ([`target_modules`]).
    pub module_btf: Vec<String>,
    /// `--kallsyms`: the target kernel's symbol names ([`target_kallsyms`]).
    pub kallsyms: Option<String>,
    /// `--kconfig`: the target kernel's configuration file, for `__kconfig` externs.
    pub kconfig: Option<String>,
    /// `--stats`: print the verifier's statistics after each verified program.
    pub stats: bool,
    /// `--warm`: verify each program once, untimed, before the timed run.
    pub warm: bool,
    /// `--trace-prune FILE`: where the pruning traces go.
    pub trace_prune: Option<String>,
    /// `--dump-states FILE`: where the states go.
    pub dump_states: Option<String>,
    /// `--strict-alignment`: verify as loads with `BPF_F_STRICT_ALIGNMENT`.
    pub strict_alignment: bool,
    /// `--interpreter`: verify for a kernel without the JIT
    /// (`ebpf_dsl::verifier::VerifyInput::interpreter`).
    pub interpreter: bool,
    /// `--device-bound`: verify as a device-bound load
    /// (`ebpf_dsl::verifier::VerifyInput::xdp_dev_bound`).
    pub device_bound: bool,
    /// `--unavailable-helpers`: helpers the target kernel withholds.
    pub unavailable: crate::unavailable::Unavailable,
    /// `--possible-cpus`: the target machine's CPU count
    /// (`ebpf_dsl::verifier::VerifyInput::possible_cpus`), if given.
    pub possible_cpus: Option<u32>,
}

/// `--trace-prune FILE`: the pruning traces of the programs verified (see
/// `ebpf_dsl::verifier::trace`), written to FILE by [`Traces::write`].
pub struct Traces {
    file: Option<String>,
    text: String,
    /// `--dump-states FILE`, and the states of each program (by name; a program verified
    /// again keeps its last walk's).
    states: Option<(String, Vec<(String, String)>)>,
}

impl Traces {
    /// Traces for `--trace-prune` and `--dump-states`, if given.
    pub fn new(file: Option<String>, states: Option<String>) -> Traces {
        Traces {
            file,
            text: String::new(),
            states: states.map(|f| (f, Vec::new())),
        }
    }

    /// Verifies `input` trusting `trust`, tracing it (as program `name`) if asked for.
    pub fn verify(
        &mut self,
        input: &ebpf_dsl::verifier::VerifyInput,
        trust: &ebpf_dsl::verifier::Trust,
        name: &str,
    ) -> Result<ebpf_dsl::verifier::Report, Vec<ebpf_dsl::verifier::VerifierError>> {
        if let Some((_, dumps)) = &mut self.states {
            // Only watching: the verdict is the ordinary walk's below.
            let (_, text) = ebpf_dsl::verifier::trace::verify_dumped(input, trust);
            dumps.retain(|(n, _)| n != name);
            dumps.push((name.to_string(), text));
        }
        if self.file.is_none() {
            return ebpf_dsl::verifier::verify_trusting(input, trust);
        }
        let (verdict, trace) = ebpf_dsl::verifier::trace::verify_traced(input, trust, true);
        self.text.push_str(&format!("## {name}\n"));
        self.text.push_str(&trace.render());
        verdict
    }

    /// Writes the traces to the file (nothing without `--trace-prune`).
    pub fn write(&self) -> Result<(), CliError> {
        if let Some((f, dumps)) = &self.states {
            let mut text = String::new();
            for (name, d) in dumps {
                text.push_str(&format!("## {name}\n"));
                text.push_str(d);
            }
            std::fs::write(f, text).map_err(|e| CliError::Io(format!("--dump-states {f}: {e}")))?;
        }
        match &self.file {
            Some(f) => std::fs::write(f, &self.text)
                .map_err(|e| CliError::Io(format!("--trace-prune {f}: {e}"))),
            None => Ok(()),
        }
    }
}

/// The BTF file `path` (`--btf`), decoded.
pub fn target_btf(path: &str) -> Result<ebpf_dsl::btf::Btf, CliError> {
    target_btf_raw(path).map(|(b, _)| b)
}

/// [`target_btf`], with the file's bytes (the base of the modules' split BTF).
fn target_btf_raw(path: &str) -> Result<(ebpf_dsl::btf::Btf, Vec<u8>), CliError> {
    let raw = std::fs::read(path).map_err(|e| CliError::Io(format!("--btf {path}: {e}")))?;
    let btf = ebpf_dsl::btf::Btf::decode(&raw)
        .map_err(|e| CliError::Io(format!("--btf {path}: not BTF: {e}")))?;
    Ok((btf, raw))
}

/// Where the running kernel publishes its BTF: vmlinux's and one file per loaded module.
const SYS_BTF: &str = "/sys/kernel/btf";

/// The target kernel's symbol names: `--kallsyms FILE`, else /proc/kallsyms when the target's
/// BTF (`btf`) is the running kernel's, else none.
pub fn target_kallsyms(
    given: Option<&str>,
    btf: Option<&str>,
) -> Result<Option<ebpf_dsl::btf::Kallsyms>, CliError> {
    let running = btf.is_some_and(|b| {
        std::path::Path::new(b)
            .canonicalize()
            .is_ok_and(|p| p == std::path::Path::new(SYS_BTF).join("vmlinux"))
    });
    let path = match given {
        Some(p) => p,
        None if running => ebpf_dsl::btf::KALLSYMS_PATH,
        None => return Ok(None),
    };
    std::fs::read_to_string(path)
        .map(|t| Some(ebpf_dsl::btf::Kallsyms::parse(&t)))
        .map_err(|e| CliError::Io(format!("--kallsyms {path}: {e}")))
}

/// The module BTFs of the target whose vmlinux BTF is the file `btf` (bytes `base`), and where
/// they came from: each `--module-btf` (a directory: every file in it but `vmlinux`; a file:
/// one module, named after the file), else the other files of /sys/kernel/btf when `btf` is
/// /sys/kernel/btf/vmlinux (the running kernel's loaded modules, as libbpf finds them), else
/// none. A file that is not split BTF over `base` is an error naming it.
pub fn target_modules(
    btf: &str,
    base: &[u8],
    given: &[String],
) -> Result<(Vec<ebpf_dsl::btf::SplitBtf>, String), CliError> {
    use ebpf_dsl::btf::SplitBtf;
    let bad = |e: String| CliError::Io(format!("--module-btf: {e}"));
    let running = std::path::Path::new(btf)
        .canonicalize()
        .is_ok_and(|p| p == std::path::Path::new(SYS_BTF).join("vmlinux"));
    let dirs: Vec<String> = if !given.is_empty() {
        given.to_vec()
    } else if running {
        vec![SYS_BTF.to_string()]
    } else {
        return Ok((Vec::new(), "no --module-btf".into()));
    };
    let mut out = Vec::new();
    for d in &dirs {
        let path = std::path::Path::new(d);
        if path.is_dir() {
            out.extend(SplitBtf::read_dir(path, base).map_err(bad)?);
        } else {
            let bytes = std::fs::read(path).map_err(|e| bad(format!("{d}: {e}")))?;
            let name = path
                .file_name()
                .map_or(d.clone(), |n| n.to_string_lossy().into_owned());
            out.push(SplitBtf::decode(&name, &bytes, base).map_err(|e| bad(format!("{d}: {e}")))?);
        }
    }
    let from = format!("modules' BTF from {}", dirs.join(", "));
    Ok((out, from))
}

/// What `__kconfig` externs get: the `--kernel` version and the `--kconfig` file's text (none
/// without it). The patch level is the one of the file's `# Linux/ARCH X.Y.Z Kernel
/// Configuration` header when its X.Y is the `--kernel` version, else 0 (the `--kernel`
/// release's own patch level first, when it names one).
fn target_kconfig(how: &CheckObject) -> Result<elf::Kconfig, CliError> {
    let config = match &how.kconfig {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::Io(format!("--kconfig {path}: {e}")))?,
        None => String::new(),
    };
    let (major, minor) = (u32::from(how.kernel.major), u32::from(how.kernel.minor));
    Ok(elf::Kconfig {
        version: (
            major,
            minor,
            how.kernel
                .patch_level()
                .map(u32::from)
                .or_else(|| config_patch(&config, major, minor))
                .unwrap_or(0),
        ),
        config,
    })
}

/// The patch level in a kernel configuration's `# Linux/ARCH X.Y.Z Kernel Configuration`
/// header, when its X.Y is `major.minor`.
fn config_patch(config: &str, major: u32, minor: u32) -> Option<u32> {
    let line = config
        .lines()
        .take(8)
        .find(|l| l.starts_with("# Linux/") && l.ends_with(" Kernel Configuration"))?;
    let version = line.split(' ').nth(2)?;
    let mut it = version.split(|c: char| !c.is_ascii_digit());
    let mut n = || it.next().and_then(|s| s.parse::<u32>().ok());
    (n()? == major && n()? == minor).then_some(())?;
    n()
}

/// `--stats`: the verifier's figures, worded as the kernel's BPF_LOG_STATS lines.
pub fn stats_line(r: &ebpf_dsl::verifier::Report, took: std::time::Duration) -> String {
    format!(
        "verification time {} usec; processed {} insns, {} states, {} pruned, stack depth {}",
        took.as_micros(),
        r.insns_processed,
        r.states,
        r.pruned,
        r.stack_depth
    )
}

/// `check OBJ.o`: every program of the object (or of `--section`) through the static
/// verifier (with the object's maps, type and license); findings name the section and the
/// instruction. An object with no program to check is an error listing what it has.
pub fn check_object(bytes: &[u8], shown: &str, how: &CheckObject) -> Result<ExitCode, CliError> {
    let kconfig = target_kconfig(how)?;
    // An object with `.ksyms` externs (kfuncs, `__ksym` variables) is read for the target's
    // BTF and its modules', when given, as libbpf always resolves them: first, libbpf's
    // refusal of an extern (a strong kfunc the kernel lacks, an incompatible prototype) is
    // the verdict on every program of the object.
    let ksyms = elf::ksyms(bytes).unwrap_or_default();
    // The target's BTF, decoded when first needed: for the externs, CO-RE relocations, and
    // for programs reading kernel structures (`verifier::needs_vmlinux`).
    let mut vmlinux: Option<ebpf_dsl::btf::Btf> = None;
    // `--section S --type T`: S is read as a program of type T even where its name is that of
    // another program type (tc's `bpf obj FILE sec sk_skb` loads a classifier from `sk_skb`).
    let as_unknown = how
        .section
        .as_deref()
        .filter(|_| how.unknown_type.is_some());
    let plain = |btf| elf::ReadOptions {
        unknown: how.unknown_type,
        btf,
        kconfig: Some(&kconfig),
        section_as_unknown: as_unknown,
        ..elf::ReadOptions::default()
    };
    let mut read = match (&how.btf, ksyms.is_empty()) {
        (Some(path), false) => {
            let (btf, raw) = target_btf_raw(path)?;
            let (modules, from) = target_modules(path, &raw, &how.module_btf)?;
            let resolved = elf::resolve_ksyms(bytes, &btf, &modules);
            if let Some(why) = resolved.ok().and_then(|r| r.refusal()) {
                errln!(
                    "ebpf-dsl: {shown}: refused before any program loads: {why} (BTF from \
                     {path}; {from})"
                );
                return Ok(ExitCode::from(1));
            }
            let opts = elf::ReadOptions {
                unknown: how.unknown_type,
                btf: Some(&btf),
                modules: &modules,
                kconfig: Some(&kconfig),
                section_as_unknown: as_unknown,
            };
            let read = elf::read_object_with(bytes, &opts);
            vmlinux = Some(btf);
            read
        }
        _ => elf::read_object_with(bytes, &plain(None)),
    };
    // An object with CO-RE relocations is read again for the target's BTF, when given.
    if let (Err(e), Some(path), true) = (&read, &how.btf, ksyms.is_empty()) {
        if e.reason.contains("CO-RE relocation") {
            let btf = vmlinux.insert(target_btf(path)?);
            read = elf::read_object_with(bytes, &plain(Some(btf)));
        }
    }
    let mut obj = match read {
        Ok(o) => o,
        Err(e) => {
            errln!("ebpf-dsl: {shown}: not a valid eBPF ELF object: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    // Where map values hold a `bpf_spin_lock` (their BTF value types); an unreadable `.BTF`
    // gives none, so `bpf_spin_lock` is refused (never wrongly accepted).
    // A BTF the kernel refuses (`BPF_BTF_LOAD`) is dropped by libbpf, which loads the object
    // without it: then no map value has a lock, a timer or a kptr, and no local type exists.
    let object_btf = elf::object_btf(bytes)
        .ok()
        .flatten()
        .filter(|b| b.kernel_refusal().is_none());
    let spin_locks = object_btf
        .as_ref()
        .map(|b| b.spin_locks())
        .unwrap_or_default();
    // Where map values hold a `bpf_timer`, likewise (none: the timer helpers are refused).
    let timers = object_btf.as_ref().map(|b| b.timers()).unwrap_or_default();
    let kptrs = object_btf.as_ref().map(|b| b.kptrs()).unwrap_or_default();
    // The program's own types (allocated objects, `__kptr` fields of map values).
    let program_types = object_btf.as_ref().map(|b| b.program_types());
    let section = how.section.as_deref();
    if let Some(why) = unexpressed(&obj, shown, section) {
        errln!("ebpf-dsl: {why}");
        return Ok(ExitCode::from(1));
    }
    if obj.programs_in(section).next().is_none() {
        let skipped = if obj.skipped.is_empty() {
            String::new()
        } else {
            format!(
                "; sections of other or unknown program types: {} (give the type of an \
                 unknown one with --type, of another one with --section NAME --type)",
                obj.skipped.join(", ")
            )
        };
        errln!(
            "ebpf-dsl: {shown}: no program {} to check; the object has: {}{skipped}",
            section.map_or("at all".to_string(), |s| format!("in section `{s}`")),
            available(&obj)
        );
        return Ok(ExitCode::from(1));
    }
    // The other programs of the object are dropped before verifying (as libbpf loads each
    // program by itself): their instructions and source lines are freed, and the heap they
    // took is there for the verification's tables.
    obj.keep_programs_in(section);
    let progs: Vec<_> = obj.programs.iter().collect();
    let mut failed = false;
    let mut traces = Traces::new(how.trace_prune.clone(), how.dump_states.clone());
    // The BTF decoded after a first verification asked for it.
    let vmlinux_late = std::cell::OnceCell::new();
    // The symbol names, read when a program loads a kernel variable by its BTF id.
    let kallsyms = std::cell::OnceCell::new();
    for p in progs {
        let s = &p.spec;
        if how.verify {
            // The maps as a loader creates them (a perf event array of 0 entries gets one per
            // CPU, a ring buffer's value type is dropped, its size rounded up as libbpf
            // does): the shape whose creation the verifier checks. The CPU count is any:
            // nothing verified depends on it.
            let maps: Vec<_> = s
                .maps
                .iter()
                .map(|m| loader_sized(ebpf_dsl::elf::loaded_shape(m, 1), how.kernel))
                .collect();
            let mut input = ebpf_dsl::verifier::VerifyInput {
                insns: &s.insns,
                prog_type: s.prog_type,
                relocations: &s.relocations,
                maps: &maps,
                license: &s.license,
                kernel: how.kernel,
                expected_attach_type: p.expected_attach_type(),
                // Global data: a loader freezes `.rodata` before the program loads.
                data: &obj.data,
                spin_locks: &spin_locks,
                timers: &timers,
                kptrs: &kptrs,
                // Functions whose BTF `FUNC` is global: verified once, as by the kernel.
                globals: &p.globals,
                // libbpf passes `.BTF.ext` func_info with the program when the object has it.
                func_info: p.func_info.as_deref(),
                vmlinux: vmlinux.as_ref(),
                kallsyms: None,
                program_types: program_types.as_ref(),
                strict_alignment: how.strict_alignment,
                interpreter: how.interpreter,
                xdp_dev_bound: how.device_bound,
                unavailable_helpers: how.unavailable.for_type(s.prog_type)?,
                possible_cpus: how.possible_cpus,
            };
            if s.insns.iter().any(|i| i.is_ld_imm64() && i.src() == 3) {
                let k = kallsyms.get_or_init(|| {
                    target_kallsyms(how.kallsyms.as_deref(), how.btf.as_deref())
                        .map_err(|e| e.to_string())
                });
                input.kallsyms = k.as_ref().map_err(|e| CliError::Io(e.clone()))?.as_ref();
            }
            let name = format!("{} ({})", p.section, p.function);
            // `--stats`' verification time: the verifier's work alone, as the kernel's (which
            // has its BTF decoded at boot): not the late decoding of `--btf` below.
            let trust = ebpf_dsl::verifier::Trust::none();
            if how.warm {
                let _ = ebpf_dsl::verifier::verify_trusting(&input, &trust);
                ebpf_dsl::verifier::forget_memos();
            }
            let started = std::time::Instant::now();
            let mut decoding = std::time::Duration::ZERO;
            let mut verdict = traces.verify(&input, &trust, &name);
            // Refused for want of the kernel's BTF: verified again with it, when given (the
            // same walk up to where it was missing).
            let wants = |v: &Result<_, Vec<ebpf_dsl::verifier::VerifierError>>| matches!(v, Err(errs) if errs.first().is_some_and(ebpf_dsl::verifier::needs_vmlinux));
            if let (true, None, Some(path)) = (wants(&verdict), &input.vmlinux, &how.btf) {
                let btf = match vmlinux_late.get() {
                    Some(b) => b,
                    None => {
                        let decoded = std::time::Instant::now();
                        let b = target_btf(path)?;
                        decoding = decoded.elapsed();
                        vmlinux_late.get_or_init(|| b)
                    }
                };
                input.vmlinux = Some(btf);
                verdict = traces.verify(&input, &trust, &name);
            }
            let took = started.elapsed().saturating_sub(decoding);
            traces.write()?;
            if let (true, Ok(r)) = (how.stats, &verdict) {
                crate::out::outln!("{}", stats_line(r, took))?;
            }
            if let Err(errs) = verdict {
                for e in errs.iter().take(ebpf_dsl::asm::MAX_SHOWN) {
                    errln!(
                        "{shown}: section `{}` ({}): error: {e}",
                        p.section,
                        p.function
                    );
                }
                failed = true;
                continue;
            }
        }
        crate::out::outln!(
            "{shown}: section `{}` ({}): ok, {} instructions",
            p.section,
            p.function,
            s.insns.len()
        )?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A map the object declares with 0 entries where its type needs some (xdp-bench's per-CPU
/// counters, cilium/ebpf programs whose Go side sets `MaxEntries`): its loader sizes it at run
/// time, and the kernel refuses 0. It is verified as if it held 1 entry, the one size every
/// loader's choice includes (an array's key 0 is in bounds in all of them), with a warning.
fn loader_sized(
    mut m: ebpf_dsl::MapSpec,
    kernel: ebpf_dsl::verifier::KernelVersion,
) -> ebpf_dsl::MapSpec {
    if m.max_entries == 0 {
        if let Err(e) = m.creation_check(kernel) {
            if e.attr == ebpf_dsl::verifier::MapAttr::MaxEntries {
                errln!(
                    "ebpf-dsl: warning: map `{}` ({}) has max_entries 0 in the object: the kernel refuses to create it so, its loader must size it before the load; verified as if it held 1 entry",
                    m.name,
                    m.map_type
                );
                m.max_entries = 1;
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::config_patch;

    #[test]
    fn the_patch_level_comes_from_a_matching_config_header() {
        let c = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.18.44 Kernel Configuration\n#\nCONFIG_HZ=1000\n";
        assert_eq!(config_patch(c, 6, 18), Some(44));
        // Another kernel's configuration, or none: no patch level.
        assert_eq!(config_patch(c, 6, 12), None);
        assert_eq!(config_patch("CONFIG_HZ=1000\n", 6, 18), None);
    }

    #[test]
    fn a_map_of_0_entries_is_verified_as_holding_1() {
        use ebpf_dsl::{MapSpec, MapType};
        let k = ebpf_dsl::verifier::KernelVersion::new(6, 18);
        let spec = |t, key, value, n| MapSpec {
            name: "m".into(),
            map_type: t,
            key_size: key,
            value_size: value,
            max_entries: n,
            flags: 0,
            btf: None,
            inner: None,
        };
        assert_eq!(
            super::loader_sized(spec(MapType::LruHash, 4, 8, 0), k).max_entries,
            1
        );
        assert_eq!(
            super::loader_sized(spec(MapType::Array, 4, 8, 0), k).max_entries,
            1
        );
        assert_eq!(
            super::loader_sized(spec(MapType::Array, 4, 8, 7), k).max_entries,
            7
        );
        // A local storage takes 0 entries (and only 0): left as it is.
        let mut storage = spec(MapType::SkStorage, 4, 8, 0);
        storage.flags = 1;
        assert_eq!(super::loader_sized(storage, k).max_entries, 0);
    }
}
