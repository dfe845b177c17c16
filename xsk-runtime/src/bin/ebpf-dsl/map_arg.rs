//! The `--map` option shared by `check`, `load` and `run`: a map the program names, described
//! on the command line.

use std::borrow::Cow;

use ebpf_dsl::{MapSpec, MapType};

use crate::CliError;

/// The syntax, for usage and error messages.
pub const MAP_ARG_SYNTAX: &str = "NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES]";

/// Parses `NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES]` (sizes in bytes, entries default 1),
/// e.g. `xsks:xskmap:4:4:64`. The form `NAME=TYPE,KEY,VALUE[,MAX]` is accepted too.
pub fn parse_map_arg(s: &str) -> Result<MapSpec, CliError> {
    let bad = |why: &str| {
        CliError::Usage(format!(
            "--map `{s}`: {why}; expected {MAP_ARG_SYNTAX}, e.g. xsks:xskmap:4:4:64"
        ))
    };
    let parts: Vec<&str> = match s.split_once('=') {
        Some((name, rest)) => std::iter::once(name).chain(rest.split(',')).collect(),
        None => s.split(':').collect(),
    };
    let (name, t, k, v, n) = match parts.as_slice() {
        [name, t, k, v] => (*name, *t, *k, *v, None),
        [name, t, k, v, n] => (*name, *t, *k, *v, Some(*n)),
        _ => return Err(bad("wrong number of fields")),
    };
    if name.is_empty() {
        return Err(bad("the map name is empty"));
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
        flags: 0,
    })
}
