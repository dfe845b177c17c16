//! The `.section NAME` directive: the ELF section of the program a text gives, the way libbpf
//! names it (`SEC("xdp.frags")`, `SEC("xdp/devmap")`, ...), so that what the section name says
//! beyond the program type survives a trip through text.
//!
//! ```text
//! .section xdp/devmap
//! r0 = *(u32 *)(r1 + 16)      # egress_ifindex: only a devmap program may read it
//! ...
//! ```
//!
//! The name is one word, optionally in double quotes, not starting with `.` (`.maps`, `.data`,
//! `.text` hold no program of their own: they are an error); what follows a `,` is ignored (the
//! flags of `clang -S` output, `.section "xdp.frags","ax",@progbits`). A program has one
//! section: the directive may stand anywhere, and naming two different sections is an error.
//! The directive emits no instruction; [`resolve()`](crate::asm::resolve()) puts the name in
//! [`Assembled::section`](crate::asm::Assembled::section). What the tools do with it:
//!
//! - the program type follows from the name (`xdp`, `xdp.frags`, `xdp/...` are XDP; `tc`,
//!   `classifier/...` sched_cls; ...: [`crate::elf::program_type_for_section`]), and a
//!   `--type` that says otherwise is an error;
//! - `xdp.frags` and `xdp.frags/...` load with `BPF_F_XDP_HAS_FRAGS` (multi-buffer packets);
//! - `xdp/devmap` / `xdp/cpumap` (and their `xdp.frags/` forms) load with the expected attach
//!   type `BPF_XDP_DEVMAP` / `BPF_XDP_CPUMAP`
//!   ([`crate::spec::expected_attach_type_of_section`]), which the static verifier also takes;
//! - `asm --elf` writes the program in that section, and `disasm OBJ.o` prints the directive for
//!   every program whose section is not the plain one of its type
//!   ([`crate::elf::program_listing_in`]).

/// The directive's syntax, for error messages.
pub const SECTION_DIRECTIVE_SYNTAX: &str = ".section NAME";

/// The section name of the text after `.section` (see the module docs): one word of
/// printable characters, optionally quoted, anything after a `,` ignored.
pub fn parse_section_name(text: &str) -> Result<String, String> {
    let first = text.split(',').next().unwrap_or("").trim();
    let name = match first.strip_prefix('"') {
        Some(rest) => rest
            .strip_suffix('"')
            .ok_or_else(|| format!("unterminated section name `{first}`"))?,
        None => first,
    };
    if name.is_empty() {
        return Err("the section name is missing".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '"' || *c == '#')
    {
        return Err(format!("a section name has no {c:?}: `{name}`"));
    }
    Ok(name.to_string())
}

/// The directive for section `name`: `.section NAME`.
pub fn section_directive(name: &str) -> String {
    format!(".section {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_errors() {
        assert_eq!(parse_section_name(" xdp.frags ").unwrap(), "xdp.frags");
        assert_eq!(parse_section_name("xdp/devmap").unwrap(), "xdp/devmap");
        assert_eq!(
            parse_section_name("\"xdp.frags\",\"ax\",@progbits").unwrap(),
            "xdp.frags"
        );
        assert!(parse_section_name("").is_err());
        assert!(parse_section_name("\"xdp").is_err());
        assert!(parse_section_name("xdp devmap").is_err());
        let d = section_directive("xdp/cpumap");
        assert_eq!(
            parse_section_name(d.strip_prefix(".section").unwrap()).unwrap(),
            "xdp/cpumap"
        );
    }

    #[test]
    fn the_program_keeps_its_section() {
        let a = crate::asm::assemble(".section xdp.frags\nr0 = 2\nexit").unwrap();
        assert_eq!(a.section.as_deref(), Some("xdp.frags"));
        assert_eq!(a.insns.len(), 2);
        let a =
            crate::asm::assemble("r0 = 2\n.section xdp/devmap\nexit\n.section xdp/devmap").unwrap();
        assert_eq!(a.section.as_deref(), Some("xdp/devmap"));
        assert_eq!(crate::asm::assemble("r0 = 2\nexit").unwrap().section, None);
        let e = crate::asm::assemble(".section xdp\n.section xdp.frags\nr0 = 2\nexit").unwrap_err();
        assert!(e[0].message.contains("two sections"), "{}", e[0].message);
        let e = crate::asm::assemble(".section\nr0 = 2\nexit").unwrap_err();
        assert!(e[0].message.contains("missing"), "{}", e[0].message);
    }
}
