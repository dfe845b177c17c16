//! What `ebpf-dsl run FILE --vm ...` does, as a library function the CLI calls: assemble the
//! text (or take a program read from an ELF object), run it in the VM on a packet or on raw
//! memory, and format the result the way the CLI prints it (`r0 = 0x...` first, the maps'
//! contents last).

use super::{render_trace, Map, SkbInput, Vm, XdpInput};
use crate::spec::{MapSpec, MapType, ProgramSpec, ProgramType};

/// What `run --vm` prints besides the result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CliOutput {
    /// First, every executed instruction with the registers it changed.
    pub trace: bool,
    /// Leave out the maps' contents after the run ([`render_maps`]).
    pub no_maps: bool,
}

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

/// The contents of `maps` after a run, one line per element, keys and values in hex as they
/// lie in memory: `map NAME: KEY -> VALUE`. Arrays show only their non-zero elements, other
/// maps every element present; per-CPU maps give each CPU's value (`cpu0 VALUE, cpu1 VALUE`);
/// ring buffers list their records (`map NAME: record N -> BYTES`). Empty maps print nothing.
pub fn render_maps(maps: &[Map]) -> String {
    let mut out = String::new();
    for m in maps {
        let name = m.name();
        for (i, r) in m.records().iter().enumerate() {
            out.push_str(&format!("map {name}: record {i} -> {}\n", hex(r)));
        }
        let array = matches!(m.spec().map_type, MapType::Array | MapType::PercpuArray);
        for k in m.keys() {
            let Some(values) = m.lookup_percpu(&k) else {
                continue;
            };
            if array && values.iter().all(|v| v.iter().all(|&b| b == 0)) {
                continue;
            }
            let value = if m.is_percpu() {
                values
                    .iter()
                    .enumerate()
                    .map(|(cpu, v)| format!("cpu{cpu} {}", hex(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                values.first().map(|v| hex(v)).unwrap_or_default()
            };
            out.push_str(&format!("map {name}: {} -> {value}\n", hex(&k)));
        }
    }
    out
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
    let out = CliOutput {
        trace,
        no_maps: false,
    };
    run_text(file, text, maps, input, false, out)
}

/// [`run_cli`] (or with `unchecked`, [`run_cli_unchecked`]) printing what `out` asks for.
pub fn run_text(
    file: &str,
    text: &str,
    maps: &[MapSpec],
    input: &CliInput,
    unchecked: bool,
    out: CliOutput,
) -> Result<String, String> {
    let a = if unchecked {
        crate::asm::assemble_unchecked(text).map_err(|mut d| {
            crate::asm::add_suggestions(text, &mut d);
            crate::Error::from(d).with_source(text).render(file)
        })?
    } else {
        crate::assemble(text).map_err(|e| e.render(file))?
    };
    let spec = ProgramSpec {
        name: "cli".into(),
        prog_type: ProgramType::Xdp,
        license: "GPL".into(),
        insns: a.insns.into(),
        relocations: a.relocations.into(),
        maps: maps.to_vec().into(),
        lines: Default::default(),
    };
    run_spec(file, &spec, &a.data, input, out)
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
    let out = CliOutput {
        trace,
        no_maps: false,
    };
    run_text(file, text, maps, input, true, out)
}

/// Runs `spec` (assembled, or read from an ELF object with its maps) in the VM on `input` and
/// returns what the CLI prints: the trace if asked, `r0 = 0x...`, for packets the action, the
/// output packet and the redirect target, `bpf_trace_printk` lines, then the maps' contents
/// ([`render_maps`]) unless `out.no_maps`. A packet input's program type replaces the spec's.
/// `data` (global data: an ELF object's [`crate::elf::Object::data`], or a text program's
/// `.map ... init=HEX` bytes, [`crate::asm::Assembled::data`]) is stored in its maps before the
/// run, as a loader does.
pub fn run_spec(
    file: &str,
    spec: &ProgramSpec,
    data: &[crate::elf::GlobalData],
    input: &CliInput,
    out: CliOutput,
) -> Result<String, String> {
    let trace = out.trace;
    let no_maps = out.no_maps;
    let mut spec = spec.clone();
    if let CliInput::Packet { prog_type, .. } = input {
        spec.prog_type = *prog_type;
    }
    let err = |e: super::VmError| format!("{file}: error: {e}");
    let mut vm = Vm::new(&spec).map_err(err)?.trace(trace);
    for d in data {
        if let Some(m) = vm.map_mut(d.map.as_str()) {
            let mut value = d.bytes.clone();
            value.resize(m.spec().value_size as usize, 0);
            m.update(&0u32.to_le_bytes(), &value, super::BPF_ANY)
                .map_err(|e| format!("{file}: error: global data `{}`: {e}", d.map))?;
        }
    }
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
    if !no_maps {
        out.push_str(&render_maps(vm.maps()));
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
    fn maps_are_printed_after_the_run_unless_asked_not_to() {
        let maps = [
            MapSpec {
                name: "counts".into(),
                map_type: MapType::Array,
                key_size: 4,
                value_size: 8,
                max_entries: 4,
                flags: 0,
                btf: None,
                inner: None,
            },
            MapSpec {
                name: "pc".into(),
                map_type: MapType::PercpuHash,
                key_size: 2,
                value_size: 4,
                max_entries: 4,
                flags: 0,
                btf: None,
                inner: None,
            },
        ];
        let text = "r1 = 2\n*(u32 *)(r10 - 4) = r1\nr1 = 0\n*(u64 *)(r10 - 16) = r1\n\
                    r1 = counts ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\n\
                    call bpf_map_update_elem\n\
                    r1 = 0x0201\n*(u16 *)(r10 - 18) = r1\nr1 = 7\n*(u32 *)(r10 - 24) = r1\n\
                    r1 = pc ll\nr2 = r10\nr2 += -18\nr3 = r10\nr3 += -24\nr4 = 0\n\
                    call bpf_map_update_elem\nr0 = 0\nexit";
        // counts[2] = 0 (an array's zero elements are not shown); pc[0x0102] = 7 on CPU 0.
        let out = run_cli("t.s", text, &maps, &CliInput::Mem(vec![]), false).unwrap();
        assert_eq!(out, "r0 = 0x0\nmap pc: 0102 -> cpu0 07000000\n");
        let quiet = CliOutput {
            trace: false,
            no_maps: true,
        };
        let out = run_text("t.s", text, &maps, &CliInput::Mem(vec![]), false, quiet).unwrap();
        assert_eq!(out, "r0 = 0x0\n");
    }

    #[test]
    fn render_maps_shows_non_zero_array_elements_and_every_cpu() {
        let spec = |name: &str, t, k, v| MapSpec {
            name: name.to_string().into(),
            map_type: t,
            key_size: k,
            value_size: v,
            max_entries: 4,
            flags: 0,
            btf: None,
            inner: None,
        };
        let mut a = Map::new(&spec("a", MapType::Array, 4, 2), 1);
        a.update(&3u32.to_le_bytes(), &[0xab, 0xcd], 0).unwrap();
        let mut p = Map::new(&spec("p", MapType::PercpuArray, 4, 1), 2);
        p.update_on(&1u32.to_le_bytes(), &[5], 0, Some(1)).unwrap();
        let h = Map::new(&spec("h", MapType::Hash, 1, 1), 1);
        assert_eq!(
            render_maps(&[a, p, h]),
            "map a: 03000000 -> abcd\nmap p: 01000000 -> cpu0 00, cpu1 05\n"
        );
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
