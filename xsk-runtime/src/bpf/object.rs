//! Loading an ELF object ([`ebpf_dsl::elf::Object`], e.g. a clang-compiled `.o`) with the
//! [`Loader`]: its maps and programs are added as if given one by one, its global data
//! (`.data`, `.rodata`, `.bss`, ...) is written into the maps right after they are created,
//! BTF-defined maps take their key/value types from the object's `.BTF`
//! ([`Loader::object_bytes`]), `.rodata` maps are frozen (`BPF_MAP_FREEZE`) before any program is loaded, and programs of
//! `xdp.frags` sections are loaded with [`BPF_F_XDP_HAS_FRAGS`], as libbpf does.

use ebpf_dsl::elf::{object_btf, read_object, Object};

use super::loader::Loader;
use super::program::{LoadOptions, BPF_F_XDP_HAS_FRAGS};
use crate::error::{Error, Result};

/// The load options libbpf gives a program of ELF section `section`: `prog_flags` =
/// [`BPF_F_XDP_HAS_FRAGS`] for `xdp.frags` and `xdp.frags/...`, the defaults otherwise.
pub fn object_load_options(section: &str) -> LoadOptions {
    let frags = section == "xdp.frags" || section.starts_with("xdp.frags/");
    LoadOptions {
        prog_flags: if frags { BPF_F_XDP_HAS_FRAGS } else { 0 },
        ..LoadOptions::default()
    }
}

impl Loader {
    /// Adds every program and map of `obj`, with the initial contents of its global data (see
    /// the module docs). Programs are named by their [`ebpf_dsl::ProgramSpec::name`] in
    /// [`Loaded`](super::loader::Loaded).
    pub fn object(mut self, obj: &Object) -> Loader {
        for m in &obj.maps {
            self = self.map(m.clone());
        }
        for p in &obj.programs {
            let opts = object_load_options(&p.section);
            self = if opts.prog_flags != 0 {
                self.program_with(p.spec.clone(), opts)
            } else {
                self.program(p.spec.clone())
            };
        }
        self.data.extend(obj.data.iter().cloned());
        self
    }

    /// [`Loader::object`] of the object in `bytes`; its BTF-defined maps are created with the
    /// key/value types of its `.BTF` (so `bpftool map dump` shows their fields). A malformed
    /// object is [`Error::InvalidArgument`] naming the section and offset.
    pub fn object_bytes(self, bytes: &[u8]) -> Result<Loader> {
        let bad = |e: ebpf_dsl::elf::ElfError| Error::invalid(format!("ELF object: {e}"));
        let obj = read_object(bytes).map_err(bad)?;
        let mut l = self.object(&obj);
        l.object_btf.extend(object_btf(bytes).map_err(bad)?);
        Ok(l)
    }
}
