//! The `asm` and `check` subcommands.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ebpf_dsl::asm::{self, Diagnostic};

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

/// The name to show for `file` in messages (`<stdin>` for `-`).
pub fn display_name(file: &str) -> &str {
    if file == "-" {
        "<stdin>"
    } else {
        file
    }
}

/// Prints every diagnostic, rendered against the source, to stderr, plus a count.
pub fn report(diags: &[Diagnostic], src: &str, file: &str) {
    let file = display_name(file);
    for d in diags {
        eprintln!("{}", d.render(src, file));
    }
    eprintln!(
        "{file}: {} error{}",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
}

/// `asm FILE [-o OUT] [--unchecked]`
pub fn asm(args: &[String]) -> Result<ExitCode, CliError> {
    let mut file = None;
    let mut out = None;
    let mut unchecked = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" => {
                let Some(o) = it.next() else {
                    return Err(CliError::Usage("`-o` needs a file name".into()));
                };
                out = Some(o.clone());
            }
            "--unchecked" => unchecked = true,
            s if s.starts_with('-') && s != "-" => {
                return Err(CliError::Usage(format!("asm: unknown option `{s}`")))
            }
            s if file.is_none() => file = Some(s.to_string()),
            s => return Err(CliError::Usage(format!("asm: unexpected argument `{s}`"))),
        }
    }
    let Some(file) = file else {
        return Err(CliError::Usage(
            "asm: which file? (`asm FILE [-o OUT]`)".into(),
        ));
    };
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
    for r in &program.relocations {
        eprintln!(
            "{shown}: note: instruction {} references map `{}`; its fd is left 0 for a loader to fill",
            r.insn_index, r.symbol
        );
    }
    let bytes = program.to_bytes();
    let out = out.unwrap_or_else(|| {
        if file == "-" {
            "-".into()
        } else {
            default_output(Path::new(&file))
                .to_string_lossy()
                .into_owned()
        }
    });
    if out == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::Io(format!("cannot write to stdout: {e}")))?;
    } else {
        std::fs::write(&out, &bytes)
            .map_err(|e| CliError::Io(format!("cannot write {out}: {e}")))?;
        eprintln!(
            "{file}: {} instructions, {} bytes -> {out}",
            bytes.len() / 8,
            bytes.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `prog.s` -> `prog.bin`.
fn default_output(file: &Path) -> PathBuf {
    file.with_extension("bin")
}

/// `check FILE`
pub fn check(args: &[String]) -> Result<ExitCode, CliError> {
    let [file] = args else {
        return Err(CliError::Usage(
            "check: expected exactly one FILE (`check FILE`)".into(),
        ));
    };
    let src = read_source(file)?;
    match asm::assemble(&src) {
        Ok(p) => {
            println!("{}: ok, {} instructions", display_name(file), p.insns.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(diags) => {
            report(&diags, &src, file);
            Ok(ExitCode::from(1))
        }
    }
}
