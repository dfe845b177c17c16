//! The `asm` and `check` subcommands.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ebpf_dsl::asm::{self, Diagnostic, LineIndex};

use crate::map_arg::MapArgs;
use crate::out::{errln, outln};
use crate::CliError;

/// Reads `file` (`-` is stdin) as UTF-8 text.
pub fn read_source(file: &str) -> Result<String, CliError> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::Io(format!("cannot read stdin: {e}")))?;
        return Ok(s);
    }
    let bytes =
        std::fs::read(file).map_err(|e| CliError::Io(format!("cannot read {file}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        CliError::Io(format!(
            "{file} is not UTF-8 text (byte {}): assembly source is text; for raw bytes use `disasm`",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// `src` with its kernel type facts by name (`btf_id(struct X)`, `offsetof(struct X, m)`,
/// `sizeof(struct X)`: [`asm::resolve_btf_names`]) replaced by their numbers in the BTF at
/// `btf` (default: the running kernel's, `/sys/kernel/btf/vmlinux`); unchanged when it uses
/// none. `Ok(Err(code))`: diagnostics were reported.
pub fn resolve_kernel_names(
    src: String,
    file: &str,
    btf: Option<&str>,
) -> Result<Result<String, ExitCode>, CliError> {
    if !asm::uses_btf_names(&src) {
        return Ok(Ok(src));
    }
    let path = btf.unwrap_or("/sys/kernel/btf/vmlinux");
    let vmlinux = crate::elf_cmds::target_btf(path).map_err(|e| {
        CliError::Io(format!(
            "{}: the text names kernel types (btf_id / offsetof / sizeof), resolved against the kernel's BTF: {e}",
            display_name(file)
        ))
    })?;
    match asm::resolve_btf_names(&src, &vmlinux) {
        Ok(s) => Ok(Ok(s)),
        Err(diags) => {
            report(&diags, &src, file);
            Ok(Err(ExitCode::from(1)))
        }
    }
}

/// The name to show for `file` in messages (`<stdin>` for `-`).
pub fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

/// Prints the diagnostics (at most [`asm::MAX_SHOWN`], then `... and N more`), rendered
/// against the source (with a "did you mean" for a misspelt helper or constant), to stderr,
/// plus a count. Linear in the source and the number of diagnostics.
pub fn report(diags: &[Diagnostic], src: &str, file: &str) {
    let file = display_name(file);
    let mut diags = diags.to_vec();
    let shown = diags.len().min(asm::MAX_SHOWN);
    asm::add_suggestions(src, &mut diags[..shown]);
    errln!("{}", asm::render_all(&diags, src, file, asm::MAX_SHOWN));
    errln!(
        "{file}: {} error{}",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
}

/// The arguments of `asm`.
#[derive(Debug)]
pub struct AsmArgs {
    file: String,
    out: Option<String>,
    unchecked: bool,
    /// `--elf` and its options.
    elf: Option<crate::elf_cmds::ElfOpts>,
}

/// Checks `asm FILE [-o OUT] [--unchecked]` beyond its syntax: without `-o`, the output must
/// not be the source itself.
pub fn parse_asm(o: crate::cli::AsmOpts) -> Result<AsmArgs, CliError> {
    let crate::cli::AsmOpts {
        file,
        out,
        unchecked,
        elf,
        prog_type,
        maps: map_args,
        license,
    } = o;
    let elf = if elf {
        let mut maps = MapArgs::default();
        for m in &map_args {
            maps.push(m)?;
        }
        Some(crate::elf_cmds::ElfOpts {
            prog_type,
            maps,
            license,
        })
    } else {
        None
    };
    if out.is_none()
        && file != "-"
        && default_output(Path::new(&file), elf.is_some()) == Path::new(&file)
    {
        return Err(CliError::Usage(format!(
            "asm: the output would be {file} itself (the source already ends in .bin or .o); name the output with -o"
        )));
    }
    Ok(AsmArgs {
        file,
        out,
        unchecked,
        elf,
    })
}

/// `asm FILE [-o OUT] [--unchecked]`
pub fn asm(args: AsmArgs) -> Result<ExitCode, CliError> {
    let AsmArgs {
        file,
        out,
        unchecked,
        elf,
    } = args;
    let src = read_source(&file)?;
    let result = if unchecked {
        asm::assemble_unchecked(&src)
    } else {
        asm::assemble(&src)
    };
    let program = match result {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, &src, &file);
            return Ok(ExitCode::from(1));
        }
    };
    let shown = display_name(&file);
    if let Some(opts) = &elf {
        let mut maps = opts.maps.clone();
        maps.add_from_source(&src)?;
        let lines = asm::text_lines(&program, &src, &file);
        drop(src);
        let bytes = crate::elf_cmds::elf_bytes(program, lines, &file, opts, &maps)?;
        let out = out.unwrap_or_else(|| {
            if file == "-" {
                "-".into()
            } else {
                default_output(Path::new(&file), true)
                    .to_string_lossy()
                    .into_owned()
            }
        });
        return write_out(&out, &bytes, |n| {
            format!("{shown}: ELF object, {n} bytes -> {out}")
        });
    }
    drop(src);
    for r in &program.relocations {
        errln!(
            "{shown}: note: instruction {} references map `{}`; its fd is left 0 for a loader to fill",
            r.insn_index, r.symbol
        );
    }
    let bytes = program.to_bytes();
    drop(program);
    let out = out.unwrap_or_else(|| {
        if file == "-" {
            "-".into()
        } else {
            default_output(Path::new(&file), false)
                .to_string_lossy()
                .into_owned()
        }
    });
    write_out(&out, &bytes, |n| {
        format!("{shown}: {} instructions, {n} bytes -> {out}", n / 8)
    })
}

/// Writes `bytes` to `out` (`-` is stdout), then the summary line to stderr.
fn write_out(
    out: &str,
    bytes: &[u8],
    summary: impl Fn(usize) -> String,
) -> Result<ExitCode, CliError> {
    if out == "-" {
        crate::out::stdout_bytes(bytes)?;
    } else {
        std::fs::write(out, bytes).map_err(|e| CliError::Io(format!("cannot write {out}: {e}")))?;
        errln!("{}", summary(bytes.len()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `prog.s` -> `prog.bin` (`prog.o` with `--elf`).
fn default_output(file: &Path, elf: bool) -> PathBuf {
    file.with_extension(if elf { "o" } else { "bin" })
}

/// The arguments of `check`.
#[derive(Debug)]
pub struct CheckArgs {
    file: String,
    /// `--type`, when given (a text file defaults to xdp).
    prog_type: Option<ebpf_dsl::ProgramType>,
    maps: MapArgs,
    license: String,
    verify: bool,
    /// The kernel version the static verifier may assume (`--kernel`).
    kernel: ebpf_dsl::verifier::KernelVersion,
    /// `--section`, for an ELF object.
    section: Option<String>,
    /// `--btf`: the target kernel's BTF file (an ELF object's CO-RE relocations, the layouts
    /// of kernel structures read through BTF pointers).
    btf: Option<String>,
    /// `--module-btf`, for an ELF object: its modules' BTF (directories or files).
    module_btf: Vec<String>,
    /// `--kallsyms`: the target kernel's symbol names.
    kallsyms: Option<String>,
    /// `--kconfig`, for an ELF object: the target kernel's configuration file.
    kconfig: Option<String>,
    /// `--stats`: print the verifier's statistics.
    stats: bool,
    /// `--warm`: one untimed verification before the timed one.
    warm: bool,
    /// `--trace-prune FILE`.
    trace_prune: Option<String>,
    /// `--dump-states FILE`.
    dump_states: Option<String>,
    /// `--strict-alignment`: verify as a load with `BPF_F_STRICT_ALIGNMENT`.
    strict_alignment: bool,
    /// `--interpreter`: verify for a kernel without the JIT.
    interpreter: bool,
    /// `--device-bound`: verify as a device-bound XDP load.
    device_bound: bool,
    /// `--unavailable-helpers`: helpers the target kernel withholds.
    unavailable: crate::unavailable::Unavailable,
    /// `--possible-cpus`: the target machine's CPU count, if given.
    possible_cpus: Option<u32>,
}

/// Builds the arguments of `check FILE [--type T] [--map ...]... [--license L] [--kernel V]
/// [--no-verify]`: the `--map` descriptions (each name once).
pub fn parse_check(o: crate::cli::CheckOpts) -> Result<CheckArgs, CliError> {
    let mut maps = MapArgs::default();
    for m in &o.maps {
        maps.push(m)?;
    }
    Ok(CheckArgs {
        file: o.file,
        prog_type: o.prog_type,
        maps,
        license: o.license,
        verify: !o.no_verify,
        kernel: o.kernel,
        section: o.section,
        btf: o.btf,
        module_btf: o.module_btf,
        kallsyms: o.kallsyms,
        kconfig: o.kconfig,
        stats: o.stats,
        warm: o.warm,
        trace_prune: o.trace_prune,
        dump_states: o.dump_states,
        strict_alignment: o.strict_alignment,
        interpreter: o.interpreter,
        device_bound: o.device_bound,
        unavailable: o.unavailable_helpers.unwrap_or_default(),
        possible_cpus: o.possible_cpus,
    })
}

/// `check FILE [--type xdp|socket_filter|sched_cls|sched_act] [--map NAME:TYPE:KEY:VALUE[:MAX]]...
/// [--license L] [--no-verify]`: the assembler's checks, then the static verifier
/// (`ebpf_dsl::verifier`), whose findings point at the offending statement. The verifier needs
/// the type and sizes of every map the program names (`--map xsks:xskmap:4:4`); without them it
/// is skipped with a note.
pub fn check(args: CheckArgs) -> Result<ExitCode, CliError> {
    let CheckArgs {
        file,
        prog_type,
        mut maps,
        license,
        verify,
        kernel,
        section,
        btf,
        module_btf,
        kallsyms,
        kconfig,
        stats,
        warm,
        trace_prune,
        dump_states,
        strict_alignment,
        interpreter,
        device_bound,
        unavailable,
        possible_cpus,
    } = args;
    if let Some(bytes) = crate::elf_cmds::read_object_file(&file) {
        let how = crate::elf_cmds::CheckObject {
            verify,
            kernel,
            section,
            unknown_type: prog_type,
            btf,
            module_btf,
            kallsyms,
            kconfig,
            stats,
            warm,
            trace_prune,
            dump_states,
            strict_alignment,
            interpreter,
            device_bound,
            unavailable,
            possible_cpus,
        };
        return crate::elf_cmds::check_object(&bytes, &file, &how);
    }
    if let Some(s) = &section {
        return Err(CliError::Usage(format!(
            "--section {s} is for ELF objects; {file} is assembly source"
        )));
    }
    // Kernel types by name: resolved against `--btf` (or the running kernel's BTF).
    let src = match resolve_kernel_names(read_source(&file)?, &file, btf.as_deref())? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    maps.add_from_source(&src)?;
    maps.print_warnings();
    let mut p = match asm::assemble(&src) {
        Ok(p) => p,
        Err(diags) => {
            report(&diags, &src, &file);
            return Ok(ExitCode::from(1));
        }
    };
    let name = display_name(&file);
    let prog_type = crate::elf_cmds::text_program_type(p.section.as_deref(), prog_type)?;
    maps.rename(&mut p.relocations);
    maps.rename_data(&mut p.data);
    // Spin locks of `.map ... spin_lock=` and of `--map ...:spin_lock=`.
    let mut spin_locks = std::mem::take(&mut p.spin_locks);
    spin_locks.extend(maps.spin_locks());
    let maps = maps.specs();
    if verify {
        let missing: Vec<&str> = p
            .relocations
            .iter()
            .map(|r| r.symbol.as_ref())
            .filter(|s| !maps.iter().any(|m| m.name_str() == *s))
            .collect();
        if !missing.is_empty() {
            errln!(
                "{name}: note: the static verifier was skipped: describe the maps with --map {} (missing: {})",
                crate::map_arg::MAP_ARG_SYNTAX,
                missing.join(", ")
            );
        } else {
            // `load` and `elf` pass the text's source lines, hence BTF function info for every
            // function (each returning `int`): the kernel judges a subprogram's tail call with it
            // and a legacy packet load's.
            let func_info = ebpf_dsl::btf::loader_func_info(&p.insns, &p.globals);
            let mut input = ebpf_dsl::verifier::VerifyInput {
                insns: &p.insns,
                prog_type,
                relocations: &p.relocations,
                maps: &maps,
                license: &license,
                kernel,
                expected_attach_type: p
                    .section
                    .as_deref()
                    .and_then(ebpf_dsl::spec::expected_attach_type_of_section),
                // `init=` contents: `load` writes them and freezes the `rdonly_prog` ones.
                data: &p.data,
                spin_locks: &spin_locks,
                // Timers of `.map ... timer=`.
                timers: &p.timers,
                kptrs: &[],
                // `.global_func` declarations.
                globals: &p.globals,
                func_info: Some(&func_info),
                // `--btf`: decoded only if the program reads through BTF pointers (below).
                vmlinux: None,
                kallsyms: None,
                program_types: None,
                strict_alignment,
                interpreter,
                xdp_dev_bound: device_bound,
                unavailable_helpers: unavailable.for_type(prog_type)?,
                possible_cpus,
            };
            // A kernel variable loaded by its BTF id: the target's symbol names.
            let syms;
            if p.insns.iter().any(|i| i.is_ld_imm64() && i.src() == 3) {
                syms = crate::elf_cmds::target_kallsyms(kallsyms.as_deref(), btf.as_deref())?;
                input.kallsyms = syms.as_ref();
            }
            // `trust_*` labels: see `ebpf_dsl::verifier::trust`.
            let trust = ebpf_dsl::verifier::Trust::from_labels(&p.labels);
            if let (true, Ok(t)) = (warm, &trust) {
                let _ = ebpf_dsl::verifier::verify_trusting(&input, t);
                ebpf_dsl::verifier::forget_memos();
            }
            let started = std::time::Instant::now();
            let mut traces = crate::elf_cmds::Traces::new(trace_prune, dump_states);
            let mut verdict = trust
                .clone()
                .map_err(|e| vec![e])
                .and_then(|t| traces.verify(&input, &t, name));
            // Refused for want of the kernel's BTF: verified again with `--btf`'s (the same
            // walk up to where it was missing).
            let vmlinux;
            if let (Err(errs), Some(path), Ok(t)) = (&verdict, &btf, &trust) {
                if errs.first().is_some_and(ebpf_dsl::verifier::needs_vmlinux) {
                    vmlinux = crate::elf_cmds::target_btf(path)?;
                    input.vmlinux = Some(&vmlinux);
                    verdict = traces.verify(&input, t, name);
                }
            }
            traces.write()?;
            if let (true, Ok(r)) = (stats, &verdict) {
                outln!("{}", crate::elf_cmds::stats_line(r, started.elapsed()))?;
            }
            if let Err(errs) = verdict {
                let index = LineIndex::new(&src);
                for e in errs.iter().take(asm::MAX_SHOWN) {
                    errln!(
                        "{}",
                        render_verifier_error(e, &src, &index, name, &p.slot_spans)
                    );
                    if e.rule == ebpf_dsl::verifier::Rule::Unsupported {
                        errln!("  = help: `check --no-verify` keeps the structural checks and skips the static verifier");
                    }
                }
                if let Some(more) = asm::diag::more_line(errs.len(), asm::MAX_SHOWN, name) {
                    errln!("{more}");
                }
                errln!(
                    "{name}: {} error{}",
                    errs.len(),
                    if errs.len() == 1 { "" } else { "s" }
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    outln!("{name}: ok, {} instructions", p.insns.len())?;
    Ok(ExitCode::SUCCESS)
}

/// `file:line:col: error: message [rule]` and the source line with a caret, like the
/// assembler's diagnostics.
fn render_verifier_error(
    e: &ebpf_dsl::verifier::VerifierError,
    src: &str,
    index: &LineIndex,
    file: &str,
    spans: &[Option<ebpf_dsl::Span>],
) -> String {
    let located = spans
        .get(e.insn_index)
        .copied()
        .flatten()
        .and_then(|span| Some((span, index.line_col(src, span.start)?)));
    let Some((span, (line_no, col))) = located else {
        return format!(
            "{file}: error: instruction {}: {} [{}]",
            e.insn_index, e.message, e.rule
        );
    };
    let (line_start, line_end) = index.line_bounds(src, line_no);
    let width = src
        .get(span.start..span.end.clamp(span.start, line_end))
        .map_or(1, |s| s.chars().count())
        .max(1);
    let (text, caret_col, width) =
        asm::diag::line_window(src.get(line_start..line_end).unwrap_or(""), col, width);
    format!(
        "{file}:{line_no}:{col}: error: {} [{}]\n  {text}\n  {}{}",
        e.message,
        e.rule,
        " ".repeat(caret_col - 1),
        "^".repeat(width)
    )
}
