//! The [`Loader`]: creates a set of maps and programs together — maps first, then each
//! program relocated against them and loaded — and hands back handles by name ([`Loaded`]).

use std::collections::BTreeMap;

use ebpf_dsl::{MapSpec, ProgramSpec};

use super::maps::{Map, MapSelector, MapSource};
use super::program::{relocate, LoadOptions, Program};
use crate::error::{Error, Result};

/// Creates maps and loads programs together: the one-call setup of a set of specs.
///
/// Initial slots of prog arrays and maps of maps ([`Loader::slots`]) are filled as libbpf
/// fills an object's `.values`: maps of maps once the maps exist, prog arrays once the
/// programs are loaded.
///
/// Maps are collected from [`Loader::map`] and from each program's [`ProgramSpec::maps`]
/// (what `defprogram!` lists); two specs of the same name must be identical. Existing maps can
/// be shared with [`Loader::use_map`] (e.g. an XSKMAP made by another loader).
///
/// ```no_run
/// # fn f(spec: ebpf_dsl::ProgramSpec) -> xsk_runtime::Result<()> {
/// use xsk_runtime::{Loader, maps::XskMap};
/// let loaded = Loader::new().program(spec).load()?;
/// let xsks: XskMap = loaded.map("xsks")?;
/// let prog = loaded.program("udp")?;
/// # let _ = (xsks, prog); Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Loader {
    maps: Vec<MapSpec>,
    existing: Vec<Map>,
    programs: Vec<ProgramSpec>,
    opts: BTreeMap<String, LoadOptions>,
    /// Initial contents of global-data maps ([`Loader::object`], [`Loader::data`]).
    pub(super) data: Vec<ebpf_dsl::spec::GlobalData>,
    /// Key/value types of an object's BTF-defined maps ([`Loader::object_bytes`]).
    pub(super) object_btf: Vec<ebpf_dsl::elf::ObjectBtf>,
    /// The names of the maps given with [`Loader::use_map`].
    existing_names: Vec<String>,
    /// Initial slots of prog arrays and maps of maps ([`Loader::slots`], [`Loader::object`]).
    pub(super) slots: Vec<ebpf_dsl::spec::MapSlot>,
}

/// What [`Loader::load`] made: maps and programs by name.
#[derive(Debug)]
pub struct Loaded {
    maps: BTreeMap<String, Map>,
    programs: BTreeMap<String, Program>,
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Adds a map to create (a [`MapSpec`] or a `defmap!` item).
    pub fn map(mut self, spec: impl Into<MapSpec>) -> Loader {
        self.maps.push(spec.into());
        self
    }

    /// Uses an existing map for relocations naming it, instead of creating one.
    pub fn use_map(mut self, map: Map) -> Loader {
        self.existing_names.push(map.name().to_owned());
        self.existing.push(map);
        self
    }

    /// Adds a program (and the maps its spec lists).
    pub fn program(mut self, spec: ProgramSpec) -> Loader {
        self.maps.extend(spec.maps.iter().cloned());
        self.programs.push(spec);
        self
    }

    /// Adds initial contents for a map (an array map's value of key 0, e.g. a text program's
    /// `.map .rodata ... init=HEX`, [`ebpf_dsl::asm::Assembled::data`]): written right after
    /// the map is created, before any program loads; a read-only one is frozen then.
    ///
    /// The static verifier relies on this ([`ebpf_dsl::verifier::VerifyInput::data`]): it
    /// takes the bytes of read-only contents as known, as the kernel does for a frozen map. So
    /// [`Loader::load`] refuses contents for a map it does not create (one given with
    /// [`Loader::use_map`], or no map of that name), rather than leave it unwritten and
    /// unfrozen.
    pub fn data(mut self, data: impl IntoIterator<Item = ebpf_dsl::spec::GlobalData>) -> Loader {
        self.data.extend(data);
        self
    }

    /// Adds initial slots of prog arrays and maps of maps ([`ebpf_dsl::spec::MapSlot`], an
    /// object's `.values = { [i] = &x }`), filled as libbpf fills them: a map of maps' slots
    /// with their maps' fds once every map is created, before any program loads; a prog
    /// array's slots with their programs' fds once every program is loaded. The maps must be
    /// ones this loader creates, the programs ones it loads; each failure (a name not found,
    /// the kernel refusing the update) is an [`Error::InitialSlot`].
    pub fn slots(mut self, slots: impl IntoIterator<Item = ebpf_dsl::spec::MapSlot>) -> Loader {
        self.slots.extend(slots);
        self
    }

    /// Adds BTF for maps (key and value types by map name, [`ebpf_dsl::elf::ObjectBtf`]): the
    /// maps it names are created with their types, e.g. the value of a text program's
    /// `.map ... spin_lock=OFFSET timer=OFFSET` ([`ebpf_dsl::elf::ObjectBtf::for_specials`]),
    /// which the kernel needs to know where the lock and the timer are.
    pub fn map_btf(mut self, btf: ebpf_dsl::elf::ObjectBtf) -> Loader {
        self.object_btf.push(btf);
        self
    }

    /// Adds a program with load options.
    pub fn program_with(mut self, spec: ProgramSpec, opts: LoadOptions) -> Loader {
        self.opts.insert(spec.name.to_string(), opts);
        self.program(spec)
    }

    /// Creates every map, relocates and loads every program. On error, whatever was created is
    /// closed again.
    pub fn load(self) -> Result<Loaded> {
        let mut maps: BTreeMap<String, Map> = BTreeMap::new();
        let mut specs: BTreeMap<String, &MapSpec> = BTreeMap::new();
        for m in self.existing {
            maps.insert(m.name().to_owned(), m);
        }
        for spec in &self.maps {
            let name = spec.name_str().to_owned();
            if let Some(prev) = specs.get(&name) {
                if *prev != spec {
                    return Err(Error::invalid(format!(
                        "two different specs for map `{name}`: {prev:?} and {spec:?}"
                    )));
                }
                continue;
            }
            specs.insert(name.clone(), spec);
            if maps.contains_key(&name) {
                continue;
            }
            let typed = self.object_btf.iter().find_map(|o| {
                let t = o
                    .maps
                    .iter()
                    .find(|t| t.map == name && t.key + t.value != 0)?;
                Some((&o.btf, t.key, t.value))
            });
            // A map of maps' inner template with the inner definition's types, as libbpf.
            let inner_typed = self.object_btf.iter().find_map(|o| {
                let t = o
                    .maps
                    .iter()
                    .find(|t| t.map == name && t.inner.0 + t.inner.1 != 0)?;
                Some((&o.btf, t.inner.0, t.inner.1))
            });
            let map = Map::create_typed(spec, typed, inner_typed)?;
            // Global data: contents written (and `.rodata` frozen) before any program loads.
            if let Some(d) = self.data.iter().find(|d| d.map == name) {
                init_data(&map, d)?;
            }
            maps.insert(name, map);
        }
        check_data_written(&self.data, &specs, &self.existing_names)?;
        super::slots::fill_map_slots(&self.slots, &maps, &self.existing_names)?;
        let mut programs = BTreeMap::new();
        let default_opts = LoadOptions::default();
        for spec in &self.programs {
            let opts = self.opts.get(spec.name.as_ref()).unwrap_or(&default_opts);
            let insns = relocate(spec, |sym| maps.get(sym))?;
            let p = Program::load_insns_lines(
                &spec.name,
                spec.prog_type,
                &spec.license,
                &insns,
                &spec.lines,
                opts,
            )?;
            if programs.insert(spec.name.to_string(), p).is_some() {
                return Err(Error::invalid(format!(
                    "two programs are named `{}`",
                    spec.name
                )));
            }
        }
        super::slots::fill_prog_slots(&self.slots, &maps, &self.existing_names, &programs)?;
        Ok(Loaded { maps, programs })
    }
}

impl Loaded {
    /// A map's handle; a new handle (duplicated fd) each call. `which` is a `defmap!` item
    /// (`loaded.map(&COUNTS)`: the handle's type follows from the item's, see
    /// [`crate::maps::typed`]) or a name (`loaded.map::<T>("counts")`: `T` is [`Map`] or a
    /// typed view such as [`XskMap`](crate::maps::XskMap), checked against the map at run time).
    pub fn map<T>(&self, which: impl MapSelector<T>) -> Result<T> {
        which.select(self)
    }

    /// The untyped map `name`, borrowed.
    pub fn map_ref(&self, name: &str) -> Result<&Map> {
        self.maps.get(name).ok_or_else(|| Error::NotFound {
            kind: "map",
            name: name.into(),
        })
    }

    /// The program `name`.
    pub fn program(&self, name: &str) -> Result<&Program> {
        self.programs.get(name).ok_or_else(|| Error::NotFound {
            kind: "program",
            name: name.into(),
        })
    }

    /// Takes program `name` out of the collection.
    pub fn take_program(&mut self, name: &str) -> Result<Program> {
        self.programs.remove(name).ok_or_else(|| Error::NotFound {
            kind: "program",
            name: name.into(),
        })
    }

    /// The names of the maps.
    pub fn map_names(&self) -> impl Iterator<Item = &str> {
        self.maps.keys().map(String::as_str)
    }

    /// The names of the programs.
    pub fn program_names(&self) -> impl Iterator<Item = &str> {
        self.programs.keys().map(String::as_str)
    }
}

impl MapSource for Loaded {
    fn map_ref(&self, name: &str) -> Result<&Map> {
        Loaded::map_ref(self, name)
    }
}

/// Every map `data` gives contents for is one this loader creates (`created`), so that the
/// contents are written and, when read-only, frozen before any program loads.
fn check_data_written(
    data: &[ebpf_dsl::spec::GlobalData],
    created: &BTreeMap<String, &MapSpec>,
    existing: &[String],
) -> Result<()> {
    for d in data {
        if existing.contains(&d.map) {
            return Err(Error::invalid(format!(
                "initial contents are given for map `{}`, which is an existing map (use_map): \
                 this loader neither writes nor freezes it",
                d.map
            )));
        }
        if !created.contains_key(&d.map) {
            return Err(Error::invalid(format!(
                "initial contents are given for map `{}`, but no map of that name is created",
                d.map
            )));
        }
    }
    Ok(())
}

/// Writes a global-data map's initial contents (key 0) and freezes it when read-only.
fn init_data(map: &Map, d: &ebpf_dsl::spec::GlobalData) -> Result<()> {
    if d.bytes.iter().any(|&b| b != 0) {
        map.update(&0u32.to_ne_bytes(), &d.bytes, Default::default())?;
    }
    if d.read_only {
        map.freeze()?;
    }
    Ok(())
}
