//! A program read from an object as assembler text: the disassembler's listing (labels for
//! jumps and subprogram calls) with each map load written by name (`r1 = stats ll`,
//! `r2 = map_value(.data, 8) ll`), so that `asm` with the same maps gives the same bytes.

use crate::disasm::disassemble;
use crate::isa::decode::{decode_indexed, DecodeError};
use crate::spec::{GlobalData, ProgramSpec, RelocKind};

/// The text of `spec`: a comment naming the program, one `.map` declaration per map it uses
/// ([`crate::asm::mapdecl`], flags included), then the instructions (see the module docs).
pub fn program_listing(spec: &ProgramSpec) -> Result<String, DecodeError> {
    program_listing_data(spec, &[])
}

/// [`program_listing`] with the initial contents of the maps `data` gives (an object's
/// [`Object::data`](super::Object::data)) as `init=HEX` on their `.map` declarations
/// ([`crate::asm::map_directive_init`]), so `asm` gives the same global data back.
pub fn program_listing_data(
    spec: &ProgramSpec,
    data: &[GlobalData],
) -> Result<String, DecodeError> {
    program_listing_in(spec, data, None)
}

/// [`program_listing_data`] of a program of ELF section `section`: when that is not the plain
/// section of its type ([`super::section_for_program_type`]: `xdp.frags`, `xdp/devmap`, ...),
/// a `.section NAME` line ([`crate::asm::section`]) after the first comment keeps it, so `asm`
/// gives back the section, and with it the load flags and expected attach type.
pub fn program_listing_in(
    spec: &ProgramSpec,
    data: &[GlobalData],
    section: Option<&str>,
) -> Result<String, DecodeError> {
    program_listing_locks(spec, data, section, &[])
}

/// [`program_listing_in`] with `spin_lock=OFFSET` on the `.map` declarations of the maps whose
/// value holds a `struct bpf_spin_lock` (an object's
/// [`ObjectBtf::spin_locks`](super::ObjectBtf::spin_locks)), so that the text keeps the lock.
pub fn program_listing_locks(
    spec: &ProgramSpec,
    data: &[GlobalData],
    section: Option<&str>,
    locks: &[crate::btf::MapSpinLock],
) -> Result<String, DecodeError> {
    program_listing_globals(spec, data, section, locks, &[])
}

/// [`program_listing_locks`] with a `.global_func LABEL(ARGS)` line
/// ([`crate::asm::globaldecl`]) for each of `globals` (an object's
/// [`ElfProgram::globals`](super::ElfProgram::globals)) whose prototype the directive can
/// express, naming the label the listing gives its first instruction, so that the text keeps
/// it global (one it cannot express stays static in the text).
pub fn program_listing_globals(
    spec: &ProgramSpec,
    data: &[GlobalData],
    section: Option<&str>,
    locks: &[crate::btf::MapSpinLock],
    globals: &[crate::btf::GlobalFunc],
) -> Result<String, DecodeError> {
    program_listing_specials(spec, data, section, locks, &[], globals)
}

/// [`program_listing_globals`] with `timer=OFFSET` on the `.map` declarations of the maps
/// whose value holds a `struct bpf_timer` (an object's
/// [`ObjectBtf::timers`](super::ObjectBtf::timers)), so that the text keeps the timer.
pub fn program_listing_specials(
    spec: &ProgramSpec,
    data: &[GlobalData],
    section: Option<&str>,
    locks: &[crate::btf::MapSpinLock],
    timers: &[crate::btf::MapTimer],
    globals: &[crate::btf::GlobalFunc],
) -> Result<String, DecodeError> {
    let body = disassemble(&spec.insns)?;
    let slots: Vec<usize> = decode_indexed(&spec.insns)?
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let mut out = format!(
        "# program {} ({}), license {:?}\n",
        spec.name, spec.prog_type, spec.license
    );
    if let Some(s) = section.filter(|s| super::section_for_program_type(spec.prog_type) != Some(*s))
    {
        out.push_str(&crate::asm::section_directive(s));
        out.push('\n');
    }
    for m in spec.maps.iter() {
        match data.iter().find(|d| d.map == *m.name) {
            Some(d) => {
                out.push_str(&crate::asm::map_directive_init(m, &d.bytes));
                // Read-only contents are frozen when loaded (and known to the verifier): an
                // all-zero `.rodata` keeps an `init=` so that the text says so too.
                if d.read_only && d.bytes.iter().all(|&b| b == 0) {
                    out.push_str(" init=00");
                }
            }
            None => out.push_str(&crate::asm::map_directive(m)),
        }
        if let Some(l) = locks.iter().find(|l| l.map == *m.name) {
            out.push_str(&format!(" spin_lock={}", l.offset));
        }
        if let Some(t) = timers.iter().find(|t| t.map == *m.name) {
            out.push_str(&format!(" timer={}", t.offset));
        }
        out.push('\n');
    }
    let header = out.len();
    let mut labels: Vec<(usize, &str)> = Vec::new();
    let mut k = 0;
    for line in body.lines() {
        if !line.starts_with('\t') {
            if let (Some(name), Some(&s)) = (line.strip_suffix(':'), slots.get(k)) {
                labels.push((s, name));
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let slot = slots.get(k).copied();
        k += 1;
        let reloc = slot.and_then(|s| spec.relocations.iter().find(|r| r.insn_index == s));
        match reloc {
            Some(r) => {
                let dst = spec.insns[r.insn_index].dst();
                match r.kind {
                    RelocKind::MapFd => out.push_str(&format!("\tr{dst} = {} ll\n", r.symbol)),
                    RelocKind::MapValue { offset } => out.push_str(&format!(
                        "\tr{dst} = map_value({}, {offset:#x}) ll\n",
                        r.symbol
                    )),
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    let mut directives = String::new();
    // (An exception callback the program does not contain, at slot 0, has no text.)
    for g in globals.iter().filter(|g| g.insn != 0) {
        let label = labels.iter().find(|(s, _)| *s == g.insn as usize);
        if let Some(d) =
            label.and_then(|(_, l)| crate::asm::globaldecl::global_func_directive(g, l))
        {
            directives.push_str(&d);
            directives.push('\n');
        }
    }
    out.insert_str(header, &directives);
    Ok(out)
}
