//! What `ebpf-dsl run FILE --vm ...` does, as a library function the CLI calls: assemble the
//! text, run it in the VM on a packet or on raw memory, and format the result the way the
//! CLI prints it (`r0 = 0x...` first).

use super::{render_trace, SkbInput, Vm, XdpInput};
use crate::spec::{MapSpec, ProgramSpec, ProgramType};

/// The input of a VM run from the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliInput {
    /// `--type T --packet HEX`: an XDP packet, or a frame for tc / socket-filter programs.
    Packet {
        /// The program type (`xdp`, `sched_cls`, `sched_act`, `socket_filter`).
        prog_type: ProgramType,
        /// The packet bytes.
        bytes: Vec<u8>,
    },
    /// `--mem HEX`: raw memory, `r1` = its address, `r2` = its length (the bpf_conformance
    /// convention).
    Mem(Vec<u8>),
}

/// Parses hex bytes: pairs of hex digits, with optional spaces, colons and a `0x` prefix
/// (`"0a0b"`, `"0x0a 0b"`, `"0a:0b"`). An empty string is no bytes.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let digits: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "hex input has an odd number of digits ({})",
            digits.len()
        ));
    }
    digits
        .chunks(2)
        .map(|p| {
            let pair: String = p.iter().collect();
            u8::from_str_radix(&pair, 16).map_err(|_| format!("`{pair}` is not a hex byte"))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Assembles `text` (read from `file`, named in errors), declares `maps`, runs it in the VM on
/// `input` and returns what the CLI prints: with `trace`, every executed instruction first;
/// then `r0 = 0x...`, and for packets the action, the output packet in hex and the redirect
/// target. Errors come back rendered (`file:line:col: error: ...`, or the VM's error with the
/// instruction index), for the CLI to print and exit 1.
pub fn run_cli(
    file: &str,
    text: &str,
    maps: &[MapSpec],
    input: &CliInput,
    trace: bool,
) -> Result<String, String> {
    let a = crate::assemble(text).map_err(|e| e.render(file))?;
    run_assembled(file, a, maps, input, trace)
}

/// [`run_cli`] without the assembler's structural checks (`ebpf-dsl run --vm --unchecked`):
/// anything LLVM encodes runs, e.g. the ISA-defined programs the kernel's verifier refuses
/// (shifts by out-of-range constants, `callx`) that the conformance suite holds.
pub fn run_cli_unchecked(
    file: &str,
    text: &str,
    maps: &[MapSpec],
    input: &CliInput,
    trace: bool,
) -> Result<String, String> {
    let a = crate::asm::assemble_unchecked(text).map_err(|mut d| {
        crate::asm::add_suggestions(text, &mut d);
        crate::Error::from(d).with_source(text).render(file)
    })?;
    run_assembled(file, a, maps, input, trace)
}

fn run_assembled(
    file: &str,
    a: crate::asm::Assembled,
    maps: &[MapSpec],
    input: &CliInput,
    trace: bool,
) -> Result<String, String> {
    let prog_type = match input {
        CliInput::Packet { prog_type, .. } => *prog_type,
        CliInput::Mem(_) => ProgramType::Xdp,
    };
    let spec = ProgramSpec {
        name: "cli".into(),
        prog_type,
        license: "GPL".into(),
        insns: a.insns.into(),
        relocations: a.relocations.into(),
        maps: maps.to_vec().into(),
        lines: Default::default(),
    };
    let err = |e: super::VmError| format!("{file}: error: {e}");
    let mut vm = Vm::new(&spec).map_err(err)?.trace(trace);
    let mut out = String::new();
    let body = match input {
        CliInput::Mem(bytes) => {
            let mut mem = bytes.clone();
            let r0 = vm.run_mem(&mut mem);
            out.push_str(&render_trace(vm.last_trace()));
            format!("r0 = {:#x}\n", r0.map_err(err)?)
        }
        CliInput::Packet {
            prog_type: ProgramType::Xdp,
            bytes,
        } => {
            let o = vm.run_xdp_input(&XdpInput::new(bytes.clone()));
            out.push_str(&render_trace(vm.last_trace()));
            let o = o.map_err(err)?;
            let mut s = format!("r0 = {:#x}\n", o.r0);
            match o.action {
                Some(a) => s.push_str(&format!("action: {}\n", a.name())),
                None => s.push_str("action: none (the kernel treats it as XDP_ABORTED)\n"),
            }
            if !o.meta.is_empty() {
                s.push_str(&format!(
                    "metadata ({} bytes): {}\n",
                    o.meta.len(),
                    hex(&o.meta)
                ));
            }
            s.push_str(&format!(
                "packet out ({} bytes): {}\n",
                o.packet.len(),
                hex(&o.packet)
            ));
            match o.redirect {
                Some(super::Redirect::Ifindex(i)) => {
                    s.push_str(&format!("redirect: ifindex {i}\n"))
                }
                Some(super::Redirect::Map { map, key }) => {
                    s.push_str(&format!("redirect: map {map} key {key}\n"))
                }
                None => {}
            }
            s
        }
        CliInput::Packet { bytes, .. } => {
            let o = vm.run_skb(&SkbInput::new(bytes.clone()));
            out.push_str(&render_trace(vm.last_trace()));
            let o = o.map_err(err)?;
            format!(
                "r0 = {:#x}\npacket out ({} bytes): {}\nmark: {:#x}\n",
                o.r0,
                o.packet.len(),
                hex(&o.packet),
                o.mark
            )
        }
    };
    out.push_str(&body);
    for line in vm.printk() {
        out.push_str(&format!("trace_printk: {line}\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex("0x0a 0B:ff").unwrap(), vec![0x0a, 0x0b, 0xff]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
        assert!(parse_hex("abc").unwrap_err().contains("odd"));
        assert!(parse_hex("zz").unwrap_err().contains("`zz`"));
    }

    #[test]
    fn mem_run_prints_r0() {
        let out = run_cli(
            "t.s",
            "r0 = *(u16 *)(r1 + 0)\nr0 += r2\nexit",
            &[],
            &CliInput::Mem(vec![0x11, 0x22]),
            false,
        )
        .unwrap();
        assert_eq!(out, "r0 = 0x2213\n");
    }

    #[test]
    fn xdp_run_prints_action_and_packet_and_trace() {
        let input = CliInput::Packet {
            prog_type: ProgramType::Xdp,
            bytes: vec![0xab; 14],
        };
        let out = run_cli("t.s", "r0 = XDP_TX\nexit", &[], &input, true).unwrap();
        assert!(
            out.contains("r0 = 0x3\naction: XDP_TX\npacket out (14 bytes): abab"),
            "{out}"
        );
        assert!(out.starts_with("    0: r0 = 0x3"), "{out}");
    }

    #[test]
    fn errors_are_rendered() {
        let e = run_cli("t.s", "r0 = \nexit", &[], &CliInput::Mem(vec![]), false).unwrap_err();
        assert!(e.starts_with("t.s:1:"), "{e}");
        let e = run_cli(
            "t.s",
            "r0 = *(u64 *)(r1 + 0)\nexit",
            &[],
            &CliInput::Mem(vec![1]),
            false,
        )
        .unwrap_err();
        assert!(e.contains("insn 0") && e.contains("out of bounds"), "{e}");
    }
}
