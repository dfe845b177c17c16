//! The `disasm` subcommand: raw program bytes to assembly text that reassembles (with
//! `ebpf-dsl asm`) to the same bytes.

use std::io::{Read, Write};
use std::process::ExitCode;

use ebpf_dsl::disasm::disassemble_bytes;

use crate::CliError;

/// `disasm FILE`.
pub fn disasm(args: &[String]) -> Result<ExitCode, CliError> {
    let file = match args {
        [f] => f.as_str(),
        [] => return Err(CliError::Usage("disasm: missing FILE".into())),
        _ => {
            return Err(CliError::Usage(format!(
                "disasm takes one FILE, got {} arguments",
                args.len()
            )))
        }
    };
    let bytes = read_bytes(file)?;
    if bytes.starts_with(b"\x7fELF") {
        eprintln!(
            "ebpf-dsl: {file} is an ELF object, not raw program bytes; extract the program's \
             section first, e.g. `llvm-objcopy-19 -O binary --only-section=xdp {file} prog.bin`"
        );
        return Ok(ExitCode::from(1));
    }
    match disassemble_bytes(&bytes) {
        Ok(text) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| CliError::Io(format!("cannot write to stdout: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("ebpf-dsl: {file}: {e}");
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
