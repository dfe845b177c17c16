//! Loading an ELF object ([`ebpf_dsl::elf::Object`], e.g. a clang-compiled `.o`) with the
//! [`Loader`]: its maps and programs are added as if given one by one, its global data
//! (`.data`, `.rodata`, `.bss`, ...) is written into the maps right after they are created,
//! BTF-defined maps take their key/value types from the object's `.BTF`
//! ([`Loader::object_bytes`]), `.rodata` maps are frozen (`BPF_MAP_FREEZE`) before any program is loaded, and programs of
//! `xdp.frags` sections are loaded with [`BPF_F_XDP_HAS_FRAGS`] and those of `xdp/devmap` /
//! `xdp/cpumap` with their expected attach type, as libbpf does; a perf event array declared
//! with 0 entries gets one per possible CPU (libbpf's sizing). An object's CO-RE relocations
//! are resolved against the running kernel's BTF and its `__kconfig` externs get the running
//! kernel's values in a frozen `.kconfig` map ([`super::target`]), as libbpf does; its kfuncs
//! and `__ksym` variables are looked up in the running kernel's BTF and its loaded modules'
//! ([`ebpf_dsl::elf::resolve_ksyms`]), and the object is refused, as by libbpf, when one
//! cannot be resolved. The initial slots of its prog arrays and maps of maps
//! (`.values = { [i] = &x }`, [`Object::slots`]) are filled as libbpf fills them
//! ([`Loader::slots`]), the programs they name loaded too.

use ebpf_dsl::elf::{object_btf, ElfProgram, Object, KCONFIG_MAP};
use ebpf_dsl::spec::MapSpec;
use ebpf_dsl::ProgramType;

use super::loader::Loader;
use super::program::{LoadOptions, BPF_F_XDP_HAS_FRAGS};
use crate::error::{Error, Result};

/// The load options libbpf gives a program of ELF section `section`: `prog_flags` =
/// [`BPF_F_XDP_HAS_FRAGS`] for `xdp.frags` and `xdp.frags/...`, `expected_attach_type` =
/// `BPF_XDP_DEVMAP` / `BPF_XDP_CPUMAP` for `xdp/devmap` / `xdp/cpumap` (and their `xdp.frags/`
/// forms), the defaults otherwise.
pub fn object_load_options(section: &str) -> LoadOptions {
    let frags = section == "xdp.frags" || section.starts_with("xdp.frags/");
    LoadOptions {
        prog_flags: if frags { BPF_F_XDP_HAS_FRAGS } else { 0 },
        // `xdp/devmap`, `xdp/cpumap`: the programs of map entries, as libbpf loads them.
        expected_attach_type: ebpf_dsl::spec::expected_attach_type_of_section(section),
        ..LoadOptions::default()
    }
}

/// `m` as the loaders of such objects create it ([`ebpf_dsl::elf::loaded_shape`]), with one
/// perf event array entry per possible CPU of this machine.
fn sized(m: &MapSpec) -> MapSpec {
    ebpf_dsl::elf::loaded_shape(m, crate::sys::possible_cpus().unwrap_or(0))
}

impl Loader {
    /// Adds every program and map of `obj`, with the initial contents of its global data (see
    /// the module docs). Programs are named by their [`ebpf_dsl::ProgramSpec::name`] in
    /// [`Loaded`](super::loader::Loaded).
    pub fn object(self, obj: &Object) -> Loader {
        self.object_with(obj, |_| true, LoadOptions::default())
    }

    /// [`Loader::object`] with only the programs `keep` accepts, and those the object's
    /// prog-array slots name ([`Object::slots`], filled after the load as libbpf fills them),
    /// each loaded with `opts` (its `prog_flags` or-ed with those [`object_load_options`]
    /// gives its section). Every map, all global data and every initial slot of the object
    /// are still added.
    pub fn object_with(
        mut self,
        obj: &Object,
        keep: impl Fn(&ElfProgram) -> bool,
        opts: LoadOptions,
    ) -> Loader {
        for m in &obj.maps {
            self = self.map(sized(m));
        }
        // The programs the object's prog-array slots name load too: libbpf fails the load of
        // an object whose slot names a program it did not load.
        let in_slot = |p: &ElfProgram| {
            obj.slots
                .iter()
                .any(|s| s.value == ebpf_dsl::spec::SlotValue::Program(p.spec.name.to_string()))
        };
        for p in obj.programs.iter().filter(|p| keep(p) || in_slot(p)) {
            let mut o = opts.clone();
            let by_section = object_load_options(&p.section);
            o.prog_flags |= by_section.prog_flags;
            o.expected_attach_type = o.expected_attach_type.or(by_section.expected_attach_type);
            // The functions the object's BTF declares global stay global, as with libbpf.
            if o.globals.is_empty() {
                o.globals.clone_from(&p.globals);
            }
            let mut spec = p.spec.clone();
            spec.maps = spec.maps.iter().map(sized).collect::<Vec<_>>().into();
            self = self.program_with(spec, o);
        }
        self.data.extend(obj.data.iter().cloned());
        self.slots.extend(obj.slots.iter().cloned());
        self
    }

    /// [`Loader::object`] of the object in `bytes`; its BTF-defined maps are created with the
    /// key/value types of its `.BTF` (so `bpftool map dump` shows their fields). A malformed
    /// object is [`Error::InvalidArgument`] naming the section and offset.
    pub fn object_bytes(self, bytes: &[u8]) -> Result<Loader> {
        self.object_bytes_with(bytes, |_| true, LoadOptions::default())
    }

    /// [`Loader::object_bytes`] with only the programs `keep` accepts, loaded with `opts` (see
    /// [`Loader::object_with`]): e.g. the one program of a section the `ebpf-dsl` CLI loads.
    pub fn object_bytes_with(
        self,
        bytes: &[u8],
        keep: impl Fn(&ElfProgram) -> bool,
        opts: LoadOptions,
    ) -> Result<Loader> {
        self.object_bytes_as(bytes, None, keep, opts)
    }

    /// [`Loader::object_bytes_with`], with the program sections whose name gives no type (the
    /// legacy names: `xdp_pass`, `filter`, `classifier_ingress`, ...) read as programs of type
    /// `unknown` when given ([`ebpf_dsl::elf::read_object_as`]; libbpf's `bpf_program__set_type`).
    pub fn object_bytes_as(
        self,
        bytes: &[u8],
        unknown: Option<ProgramType>,
        keep: impl Fn(&ElfProgram) -> bool,
        opts: LoadOptions,
    ) -> Result<Loader> {
        let bad = |e: ebpf_dsl::elf::ElfError| Error::invalid(format!("ELF object: {e}"));
        // An object with `.ksyms` externs (kfuncs, `__ksym` variables) is read for the running
        // kernel's BTF and its modules', as libbpf resolves them before loading anything: one
        // libbpf cannot resolve refuses the object.
        let (mut btf, mut kconfig) = (None, None);
        let mut modules: &[ebpf_dsl::btf::SplitBtf] = &[];
        if !ebpf_dsl::elf::ksyms(bytes).map_err(bad)?.is_empty() {
            let vmlinux = super::target::running_kernel_btf()?;
            modules = super::target::running_kernel_modules()?;
            let r = ebpf_dsl::elf::resolve_ksyms(bytes, vmlinux, modules).map_err(bad)?;
            if let Some(why) = r.refusal() {
                return Err(Error::invalid(format!("ELF object: {why}")));
            }
            btf = Some(vmlinux);
        }
        let read_for = |btf, kconfig: Option<&ebpf_dsl::elf::Kconfig>| {
            let opts = ebpf_dsl::elf::ReadOptions {
                unknown,
                btf,
                modules,
                kconfig,
                section_as_unknown: None,
            };
            ebpf_dsl::elf::read_object_with(bytes, &opts)
        };
        // Read as is; an object with `__kconfig` externs or CO-RE relocations is read again
        // for the running kernel (its configuration, its BTF), as libbpf always does.
        let mut read = read_for(btf, None);
        for _ in 0..2 {
            match &read {
                Err(e) if e.section.as_deref() == Some(KCONFIG_MAP) && kconfig.is_none() => {
                    kconfig = Some(super::target::running_kconfig()?);
                }
                Err(e) if e.reason.contains("CO-RE relocation") && btf.is_none() => {
                    btf = Some(super::target::running_kernel_btf()?);
                }
                _ => break,
            }
            read = read_for(btf, kconfig.as_ref());
        }
        let obj = read.map_err(bad)?;
        // An entry point the reader could not express (a kfunc not modelled) is refused for
        // the whole object, as the reader did before it kept the others: which programs
        // `keep` takes is known only per read program.
        if let Some(u) = obj.unexpressed.first() {
            return Err(bad(u.error.clone()));
        }
        let mut l = self.object_with(&obj, keep, opts);
        l.object_btf.extend(object_btf(bytes).map_err(bad)?);
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebpf_dsl::spec::MapType;

    fn perf(key_size: u32, value_size: u32, max_entries: u32) -> MapSpec {
        MapSpec {
            name: "perf_map".into(),
            map_type: MapType::PerfEventArray,
            key_size,
            value_size,
            max_entries,
            flags: 0,
            btf: None,
            inner: None,
        }
    }

    #[test]
    fn perf_event_array_sizes_default_to_four_bytes() {
        // srv6ptf_ebpfagent's legacy definition: `.key_size = sizeof(int), .value_size = 0`.
        let m = sized(&perf(4, 0, 1024));
        assert_eq!((m.key_size, m.value_size, m.max_entries), (4, 4, 1024));
        // Declared with its type alone: sizes and one entry per possible CPU.
        let m = sized(&perf(0, 0, 0));
        assert_eq!((m.key_size, m.value_size), (4, 4));
        assert_eq!(
            Ok(m.max_entries),
            crate::sys::possible_cpus().map_err(|_| ())
        );
        // A wrong size stays for the kernel to refuse, as cilium/ebpf refuses it.
        let m = sized(&perf(8, 16, 2));
        assert_eq!((m.key_size, m.value_size, m.max_entries), (8, 16, 2));
    }

    #[test]
    fn ring_buffer_values_are_zero_bytes() {
        let mut m = perf(0, 48, 1 << 20);
        m.map_type = MapType::Ringbuf;
        let s = sized(&m);
        assert_eq!((s.key_size, s.value_size, s.max_entries), (0, 0, 1 << 20));
    }

    #[test]
    fn other_maps_keep_their_sizes() {
        let mut m = perf(0, 0, 0);
        m.map_type = MapType::Array;
        assert_eq!(sized(&m), m);
    }
}
