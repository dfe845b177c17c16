//! The `disasm` subcommand: raw program bytes to assembly text that reassembles (with
//! `ebpf-dsl asm`) to the same bytes.

use std::io::Read;
use std::process::ExitCode;

use ebpf_dsl::disasm::disassemble_bytes;

use crate::out::errln;
use crate::CliError;

/// `disasm FILE [--section NAME] [--type T] [--btf FILE]` (an ELF object goes to
/// [`crate::elf_cmds::disasm_object`]).
pub fn disasm(
    file: &str,
    section: Option<&str>,
    prog_type: Option<ebpf_dsl::ProgramType>,
    btf: Option<&str>,
) -> Result<ExitCode, CliError> {
    let bytes = read_bytes(file)?;
    let shown = crate::asm_cmds::display_name(file);
    if bytes.is_empty() {
        errln!("ebpf-dsl: {shown} is empty: there is no instruction to disassemble");
        return Ok(ExitCode::from(1));
    }
    if crate::elf_cmds::is_elf(&bytes) {
        return crate::elf_cmds::disasm_object(&bytes, shown, section, prog_type, btf);
    }
    if let Some(b) = btf {
        errln!("ebpf-dsl: --btf {b} is for ELF objects; {shown} is raw program bytes");
        return Ok(ExitCode::from(1));
    }
    if let Some(s) = section {
        errln!("ebpf-dsl: --section {s} is for ELF objects; {shown} is raw program bytes");
        return Ok(ExitCode::from(1));
    }
    if let Some(t) = prog_type {
        errln!("ebpf-dsl: --type {t} is for ELF objects; {shown} is raw program bytes");
        return Ok(ExitCode::from(1));
    }
    match disassemble_bytes(&bytes) {
        Ok(text) => {
            crate::out::stdout_bytes(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("ebpf-dsl: {shown}: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// Reads `file` (`-` is stdin) as bytes.
fn read_bytes(file: &str) -> Result<Vec<u8>, CliError> {
    if file == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| CliError::Io(format!("cannot read stdin: {e}")))?;
        return Ok(b);
    }
    std::fs::read(file).map_err(|e| CliError::Io(format!("cannot read {file}: {e}")))
}
