//! The `--map` option shared by `check`, `load` and `run`: a map the program names, described
//! on the command line.

use std::borrow::Cow;

use ebpf_dsl::spec::BPF_OBJ_NAME_MAX;
use ebpf_dsl::{MapSpec, MapType, Relocation};

use crate::out::errln;
use crate::CliError;

/// The `--map` options of one command line: each map's spec (with the name the kernel keeps,
/// at most [`BPF_OBJ_NAME_MAX`] characters) and the name the program uses for it.
#[derive(Clone, Debug, Default)]
pub struct MapArgs {
    /// (name in the program, spec with the kernel's name).
    maps: Vec<(String, MapSpec)>,
    /// Warnings for the user (names truncated), printed when the command runs.
    warnings: Vec<String>,
    /// `:spin_lock=OFFSET`: where a map's value holds a `struct bpf_spin_lock` (kernel names).
    locks: Vec<ebpf_dsl::btf::MapSpinLock>,
}

impl MapArgs {
    /// Parses one `--map` value and adds it. The same name twice is an error; a name longer
    /// than 15 characters is truncated for the kernel, as libbpf does, with a warning (two
    /// names that truncate to the same one are an error).
    pub fn push(&mut self, arg: &str) -> Result<(), CliError> {
        let (arg, lock) = split_spin_lock(arg)?;
        let mut spec = parse_map_arg(arg)?;
        if let Some(off) = lock {
            ebpf_dsl::asm::check_spin_lock(&spec, off)
                .map_err(|why| CliError::Usage(format!("--map `{arg}`: {why}")))?;
        }
        let full = spec.name_str().to_string();
        if self.maps.iter().any(|(f, _)| *f == full) {
            return Err(CliError::Usage(format!(
                "--map `{full}` is given twice; describe each map once"
            )));
        }
        let short = truncate_name(&full);
        if short != full {
            if let Some((other, _)) = self.maps.iter().find(|(_, m)| m.name_str() == short) {
                return Err(CliError::Usage(format!(
                    "--map `{full}` and `{other}` have the same first {BPF_OBJ_NAME_MAX} characters \
                     (`{short}`), the part of a map name the kernel keeps; rename one"
                )));
            }
            self.warnings.push(format!(
                "ebpf-dsl: warning: map name `{full}` is longer than {BPF_OBJ_NAME_MAX} characters; \
                 the kernel keeps `{short}` (as libbpf does)"
            ));
            spec.name = Cow::Owned(short.to_string());
        }
        if let Some(offset) = lock {
            self.locks.push(ebpf_dsl::btf::MapSpinLock {
                map: spec.name_str().to_string(),
                offset,
            });
        }
        self.maps.push((full, spec));
        Ok(())
    }

    /// The maps given with `:spin_lock=OFFSET` (kernel names): the verifier's
    /// `VerifyInput::spin_locks`, and the BTF a loader creates those maps with.
    pub fn spin_locks(&self) -> Vec<ebpf_dsl::btf::MapSpinLock> {
        self.locks.clone()
    }

    /// Adds the maps the source declares in `# --map NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES]`
    /// comment lines and `.map NAME TYPE key=.. value=..` directives (what `disasm` of an ELF
    /// object prints; the assembler reports malformed ones), except those the command line
    /// already describes (the command line wins).
    pub fn add_from_source(&mut self, src: &str) -> Result<(), CliError> {
        for m in ebpf_dsl::asm::declared_maps(src).0 {
            let name = m.name_str().to_string();
            if !self.maps.iter().any(|(f, _)| *f == name) {
                self.maps.push((name, m));
            }
        }
        for (n, line) in src.lines().enumerate() {
            let Some(decl) = line.trim_start().strip_prefix("# --map ") else {
                continue;
            };
            let arg = decl.split_whitespace().next().unwrap_or("");
            let name = arg.split([':', '=']).next().unwrap_or("");
            if self.maps.iter().any(|(f, _)| f == name) {
                continue;
            }
            self.push(arg)
                .map_err(|e| CliError::Usage(format!("line {}: `# --map {arg}`: {e}", n + 1)))?;
        }
        Ok(())
    }

    /// The specs, with the kernel's names.
    pub fn specs(&self) -> Vec<MapSpec> {
        self.maps.iter().map(|(_, m)| m.clone()).collect()
    }

    /// The specs, with the names the program uses (for the VM, which has no name limit).
    pub fn program_specs(&self) -> Vec<MapSpec> {
        self.maps
            .iter()
            .map(|(f, m)| MapSpec {
                name: Cow::Owned(f.clone()),
                ..m.clone()
            })
            .collect()
    }

    /// The warnings [`MapArgs::push`] collected.
    #[cfg(test)]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Prints the warnings (to stderr).
    pub fn print_warnings(&self) {
        for w in &self.warnings {
            errln!("{w}");
        }
    }

    /// Renames the program's references to a truncated map to the kernel's name, so that the
    /// loader and the verifier find it.
    pub fn rename(&self, relocations: &mut [Relocation]) {
        for r in relocations {
            if let Some((_, m)) = self.maps.iter().find(|(f, _)| *f == r.symbol) {
                r.symbol = m.name.clone();
            }
        }
    }

    /// Renames the initial contents (`init=`) of a truncated map to the kernel's name, so that
    /// the loader writes (and freezes) them and the verifier finds them.
    pub fn rename_data(&self, data: &mut [ebpf_dsl::spec::GlobalData]) {
        for d in data {
            if let Some((_, m)) = self.maps.iter().find(|(f, _)| *f == d.map) {
                d.map = m.name_str().to_string();
            }
        }
    }
}

/// The first [`BPF_OBJ_NAME_MAX`] bytes of `name` (cut on a character boundary).
pub fn truncate_name(name: &str) -> &str {
    let mut end = name.len().min(BPF_OBJ_NAME_MAX);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// The syntax, for usage and error messages.
pub const MAP_ARG_SYNTAX: &str =
    "NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES][:FLAGS][:inner=TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]]][:spin_lock=OFFSET]";

/// `ARG` without a trailing `:spin_lock=OFFSET` (`,spin_lock=` in the `=` form), and the
/// offset: the map's value holds a `struct bpf_spin_lock` there.
fn split_spin_lock(arg: &str) -> Result<(&str, Option<u32>), CliError> {
    let Some(at) = arg.find(":spin_lock=").or_else(|| arg.find(",spin_lock=")) else {
        return Ok((arg, None));
    };
    let off = &arg[at + ":spin_lock=".len()..];
    let off = off.parse::<u32>().map_err(|_| {
        CliError::Usage(format!(
            "--map `{arg}`: `spin_lock={off}` is not the byte offset of the lock in the value (it comes last)"
        ))
    })?;
    Ok((&arg[..at], Some(off)))
}

/// Parses `NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES][:FLAGS]` (sizes in bytes, entries
/// default 1; FLAGS are `|`-separated map-creation flags, by name with or without `BPF_F_`,
/// in any case, or as numbers: `rdonly_prog`, `BPF_F_NO_PREALLOC|0x400`), e.g.
/// `xsks:xskmap:4:4:64`. The form `NAME=TYPE,KEY,VALUE[,MAX[,FLAGS]]` is accepted too. A map
/// of maps ends with the shape of the maps it holds, `:inner=TYPE:KEY_SIZE:VALUE_SIZE[:MAX[:FLAGS]]`
/// (`,inner=...` in the second form): `routes:hash_of_maps:4:4:16:inner=array:4:8:64`.
pub fn parse_map_arg(s: &str) -> Result<MapSpec, CliError> {
    let bad = |why: &str| {
        CliError::Usage(format!(
            "--map `{s}`: {why}; expected {MAP_ARG_SYNTAX}, e.g. xsks:xskmap:4:4:64"
        ))
    };
    // `...:inner=SHAPE` (or `,inner=SHAPE`): the rest of the value is the inner map's shape.
    let (s_outer, inner) = match s.find(":inner=").or_else(|| s.find(",inner=")) {
        Some(at) => {
            let shape = &s[at + ":inner=".len()..];
            let inner = ebpf_dsl::asm::parse_inner_map(shape).map_err(|why| bad(&why))?;
            (&s[..at], Some(inner))
        }
        None => (s, None),
    };
    let s_full = s;
    let s = s_outer;
    let parts: Vec<&str> = match s.split_once('=') {
        Some((name, rest)) => std::iter::once(name).chain(rest.split(',')).collect(),
        None => s.split(':').collect(),
    };
    let (name, t, k, v, n) = match parts.as_slice() {
        [name, t, k, v] => (*name, *t, *k, *v, None),
        [name, t, k, v, n] => (*name, *t, *k, *v, Some(*n)),
        [name, t, k, v, n, _] => (*name, *t, *k, *v, Some(*n)),
        _ => return Err(bad("wrong number of fields")),
    };
    let flags = match parts.get(5) {
        Some(f) => parse_map_flags(f).map_err(|why| bad(&why))?,
        None => 0,
    };
    if name.is_empty() {
        return Err(bad("the map name is empty"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Err(bad(
            "a map name has only ASCII letters, digits, `_` and `.` (the kernel's rule)",
        ));
    }
    let map_type =
        MapType::from_name(t.trim()).ok_or_else(|| bad(&format!("unknown map type `{t}`")))?;
    let num = |field: &str, x: &str| {
        x.trim()
            .parse::<u32>()
            .map_err(|_| bad(&format!("{field} `{x}` is not a number")))
    };
    Ok(MapSpec {
        name: Cow::Owned(name.to_owned()),
        map_type,
        key_size: num("KEY_SIZE", k)?,
        value_size: num("VALUE_SIZE", v)?,
        max_entries: match n {
            Some(n) => num("MAX_ENTRIES", n)?,
            None => 1,
        },
        flags,
        btf: None,
        inner,
    })
    .and_then(|spec| {
        ebpf_dsl::asm::check_inner(&spec).map_err(|why| {
            CliError::Usage(format!(
                "--map `{s_full}`: {why}; expected {MAP_ARG_SYNTAX}"
            ))
        })?;
        Ok(spec)
    })
}

/// Parses `|`-separated map flags ([`ebpf_dsl::asm::parse_map_flags`]): names from
/// [`ebpf_dsl::spec::MAP_FLAG_NAMES`] with or without their `BPF_F_` prefix, in any case, or numbers (decimal or `0x` hexadecimal).
pub fn parse_map_flags(s: &str) -> Result<u32, String> {
    ebpf_dsl::asm::parse_map_flags(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_may_say_where_its_lock_is() {
        let mut m = MapArgs::default();
        m.push("flows:hash:4:16:8:spin_lock=8").unwrap();
        m.push("cfg=array,4,8,1,0,spin_lock=0").unwrap();
        m.push("plain:hash:4:8").unwrap();
        let locks: Vec<(String, u32)> = m
            .spin_locks()
            .into_iter()
            .map(|l| (l.map, l.offset))
            .collect();
        assert_eq!(locks, [("flows".into(), 8), ("cfg".into(), 0)]);
        assert_eq!(m.specs()[0].value_size, 16);
        for (bad, why) in [
            ("f:hash:4:16:8:spin_lock=6", "multiple of 4"),
            ("f:percpu_hash:4:16:8:spin_lock=0", "hash or array"),
            ("f:hash:4:16:spin_lock=x", "not the byte offset"),
        ] {
            let e = MapArgs::default().push(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn maps_of_maps_take_an_inner_shape() {
        for arg in [
            "routes:hash_of_maps:4:4:16:inner=array:4:8:64",
            "routes=hash_of_maps,4,4,16,inner=array:4:8:64",
        ] {
            let m = parse_map_arg(arg).unwrap();
            assert_eq!(
                (m.map_type, m.value_size, m.max_entries),
                (MapType::HashOfMaps, 4, 16)
            );
            let i = m.inner.unwrap();
            assert_eq!(
                (i.map_type, i.key_size, i.value_size, i.max_entries),
                (MapType::Array, 4, 8, 64)
            );
        }
        let m = parse_map_arg("o:array_of_maps:4:4:2:no_prealloc:inner=hash:4:4:8:no_prealloc");
        let m = m.unwrap();
        assert_eq!((m.flags, m.inner.unwrap().flags), (1, 1));
        for (bad, why) in [
            ("o:array_of_maps:4:4:2", "needs the shape"),
            ("o:array:4:4:2:inner=array:4:4", "not a map of maps"),
            (
                "o:array_of_maps:4:4:2:inner=array:4",
                "wrong number of fields",
            ),
            (
                "o:array_of_maps:4:4:2:inner=array_of_maps:4:4",
                "nest one level",
            ),
        ] {
            let e = parse_map_arg(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
