//! Maps declared in the text itself, with the facts of `defmap!`:
//!
//! ```text
//! .map NAME TYPE key=KEY_SIZE value=VALUE_SIZE [max_entries=N] [flags=FLAG|FLAG...] [init=HEX]
//!      [inner=TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]]]
//! ```
//!
//! `inner=` gives a map of maps (`array_of_maps`, `hash_of_maps`, which need it, with
//! `value=4`: a map fd) the shape of the maps it holds ([`MapSpec::inner`]), in the form of
//! the command line's `--map`: `.map routes hash_of_maps key=4 value=4 max_entries=16
//! inner=array:4:8:64`.
//!
//! `spin_lock=OFFSET` says that the value holds a `struct bpf_spin_lock` at byte OFFSET (a
//! multiple of 4; hash and array maps): the static verifier then models `bpf_spin_lock` /
//! `bpf_spin_unlock` on it ([`Assembled::spin_locks`](super::Assembled)), and a loader creates
//! the map with BTF describing the value as bytes around the lock, which the kernel needs to
//! know where the lock is: `.map flows hash key=4 value=16 max_entries=64 spin_lock=0`.
//!
//! `timer=OFFSET` likewise says that the value holds a 16-byte `struct bpf_timer` at byte
//! OFFSET (a multiple of 8; hash, LRU hash and array maps, the kernel's `map_check_btf`):
//! the verifier models the timer helpers on it ([`Assembled::timers`](super::Assembled)) and a
//! loader creates the map with BTF saying where the timer is, without which the kernel refuses
//! `bpf_timer_init` ("map '...' has to have BTF in order to use bpf_timer"):
//! `.map frags lru_hash key=16 value=32 max_entries=64 timer=16`.
//!
//! e.g. `.map xsks xskmap key=4 value=4 max_entries=64` or
//! `.map .rodata array key=4 value=16 flags=rdonly_prog`. TYPE is a [`MapType`] name
//! (`array`, `hash`, `xskmap`, `percpu_array`, ...); sizes are in bytes; `max_entries`
//! defaults to 1; FLAGS are map-creation flags by name, with or without `BPF_F_`, in any case,
//! or numbers (`no_prealloc|0x400`). NAME follows the kernel's object-name rule (at most 15
//! characters of `[A-Za-z0-9_.]`). Each name is declared once; a declaration is a statement of
//! its own (the end of the line or `;` ends it).
//!
//! `init=HEX` gives an `array` map its initial contents: the value of key 0, as hex digits,
//! two per byte, in memory order (`init=2a000000` is the little-endian `u32` 42); a shorter
//! value is padded with zeros. This is how a text program carries global data:
//! `.map .rodata array key=4 value=8 flags=rdonly_prog init=2a00000007000000` is clang's
//! `const int a = 42, b = 7;`. The loader writes the value after creating the map (and
//! freezes a map with `rdonly_prog`, as libbpf freezes `.rodata`); `asm --elf` writes it as
//! the contents of the data section of that name (`.data`, `.rodata`, ...: only those carry
//! contents in an object); `disasm OBJ.o` prints an object's data sections this way (trailing
//! zeros left out), so they go round.
//!
//! The parser turns each declaration into an [`ItemKind::Map`](crate::ir::ItemKind::Map);
//! [`resolve`](super::resolve()) (so [`assemble`](super::assemble) too) gives the declarations
//! in [`Assembled::maps`](super::Assembled) and their contents in
//! [`Assembled::data`](super::Assembled), and
//! [`Assembled::into_program_spec`](super::Assembled::into_program_spec) adds the maps to the
//! spec's maps; the disassembler of objects prints them in this form ([`map_directive`],
//! [`map_directive_init`]).
//!
//! ```
//! let a = ebpf_dsl::asm::assemble(
//!     ".map xsks xskmap key=4 value=4 max_entries=64\nr1 = xsks ll\nr0 = 2\nexit\n",
//! ).unwrap();
//! assert_eq!(a.maps[0].name_str(), "xsks");
//! assert_eq!(a.maps[0].max_entries, 64);
//! assert_eq!(
//!     ebpf_dsl::asm::map_directive(&a.maps[0]),
//!     ".map xsks xskmap key=4 value=4 max_entries=64"
//! );
//! ```

use std::borrow::Cow;

use super::diag::{DiagKind, Diagnostic};
use super::lexer::{Lexer, Tok};
use crate::ir::{MapDecl, Span};
use crate::spec::{GlobalData, InnerMap, MapSpec, MapType, MAP_FLAG_NAMES};

/// The directive's word.
pub const MAP_DIRECTIVE: &str = ".map";

/// The syntax, for messages.
pub const MAP_DIRECTIVE_SYNTAX: &str =
    ".map NAME TYPE key=KEY_SIZE value=VALUE_SIZE [max_entries=N] [flags=FLAG|...] [init=HEX] [inner=TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]]] [spin_lock=OFFSET] [timer=OFFSET]";

/// The `.map` declarations of `src`, in source order, and an error for each malformed or
/// repeated one (with its span). Statements that are not `.map` are not looked at (the
/// assembler reports their errors).
pub fn declared_maps(src: &str) -> (Vec<MapSpec>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(src);
    let mut toks = Vec::new();
    let mut lex_errs = Vec::new();
    let mut maps: Vec<MapSpec> = Vec::new();
    let mut errs = Vec::new();
    while lexer.next_statement(&mut toks, &mut lex_errs) {
        let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
            continue;
        };
        if first.tok != Tok::Ident(MAP_DIRECTIVE) {
            continue;
        }
        let span = Span::new(first.span.start, last.span.end);
        let text = src.get(first.span.end..last.span.end).unwrap_or("");
        match parse_map_declaration(text).map(|d| d.spec) {
            Ok(m) if maps.iter().any(|o| o.name == m.name) => errs.push(Diagnostic::new(
                DiagKind::Syntax,
                Some(span),
                format!("map `{}` is declared twice; declare each map once", m.name),
            )),
            Ok(m) => maps.push(m),
            Err(why) => errs.push(Diagnostic::new(
                DiagKind::Syntax,
                Some(span),
                format!("{why}; expected {MAP_DIRECTIVE_SYNTAX}"),
            )),
        }
    }
    (maps, errs)
}

/// Parses what follows `.map`: `NAME TYPE key=.. value=.. [max_entries=..] [flags=..]`, the
/// map's facts ([`parse_map_declaration`] also gives its `init=` contents).
pub fn parse_map_decl(text: &str) -> Result<MapSpec, String> {
    parse_map_declaration(text).map(|d| d.spec)
}

/// Parses what follows `.map`, `init=HEX` included: the map and its initial contents
/// (checked: an `array` map, at most one value long).
pub fn parse_map_declaration(text: &str) -> Result<MapDecl, String> {
    let mut init = None;
    let mut spin_lock = None;
    let mut timer = None;
    let mut rest = Vec::new();
    for w in text.split_whitespace() {
        if let Some(off) = w.strip_prefix("timer=") {
            if timer.is_some() {
                return Err("`timer` is given twice".into());
            }
            timer = Some(parse_u32(off).ok_or_else(|| {
                format!("`timer={off}`: `{off}` is not the byte offset of the timer in the value")
            })?);
            continue;
        }
        if let Some(off) = w.strip_prefix("spin_lock=") {
            if spin_lock.is_some() {
                return Err("`spin_lock` is given twice".into());
            }
            spin_lock = Some(parse_u32(off).ok_or_else(|| {
                format!(
                    "`spin_lock={off}`: `{off}` is not the byte offset of the lock in the value"
                )
            })?);
            continue;
        }
        match w.strip_prefix("init=") {
            Some(_) if init.is_some() => return Err("`init` is given twice".into()),
            Some(hex) => init = Some(parse_hex(hex)?),
            None => rest.push(w),
        }
    }
    let spec = parse_map_facts(&rest.join(" "))?;
    if let Some(bytes) = &init {
        GlobalData::for_map(&spec, bytes)?;
    }
    if let Some(off) = spin_lock {
        check_spin_lock(&spec, off)?;
    }
    if let Some(off) = timer {
        check_timer(&spec, off, spin_lock)?;
    }
    Ok(MapDecl {
        spec,
        init,
        spin_lock,
        timer,
    })
}

/// `timer=OFFSET`: a 16-byte `struct bpf_timer` at a multiple of 8 inside the value of a hash,
/// LRU hash or array map (the map types the kernel's `map_check_btf` lets hold a timer), not
/// over the value's spin lock.
pub fn check_timer(spec: &MapSpec, off: u32, spin_lock: Option<u32>) -> Result<(), String> {
    if !matches!(
        spec.map_type,
        MapType::Hash | MapType::LruHash | MapType::Array
    ) {
        return Err(format!(
            "`timer={off}`: a bpf_timer can only be in the value of a hash, lru_hash or array map, not of a {}",
            spec.map_type
        ));
    }
    if !off.is_multiple_of(8) || off as u64 + 16 > spec.value_size as u64 {
        return Err(format!(
            "`timer={off}`: the 16-byte timer must sit at a multiple of 8 inside the {}-byte value",
            spec.value_size
        ));
    }
    if let Some(l) = spin_lock.filter(|&l| l + 4 > off && l < off + 16) {
        return Err(format!(
            "`timer={off}`: the timer (bytes {off}..{}) overlaps the spin lock at {l}",
            off + 16
        ));
    }
    Ok(())
}

/// `spin_lock=OFFSET`: a 4-byte aligned lock inside the value of a hash or array map (the map
/// types these programs may lock a value of; the kernel refuses a lock in others).
pub fn check_spin_lock(spec: &MapSpec, off: u32) -> Result<(), String> {
    if !matches!(spec.map_type, MapType::Hash | MapType::Array) {
        return Err(format!(
            "`spin_lock={off}`: a bpf_spin_lock can only be in the value of a hash or array map, not of a {}",
            spec.map_type
        ));
    }
    if !off.is_multiple_of(4) || off as u64 + 4 > spec.value_size as u64 {
        return Err(format!(
            "`spin_lock={off}`: the 4-byte lock must sit at a multiple of 4 inside the {}-byte value",
            spec.value_size
        ));
    }
    Ok(())
}

/// `HEX` of `init=HEX`: two hex digits per byte.
fn parse_hex(hex: &str) -> Result<Vec<u8>, String> {
    let bad = || {
        format!("`init={hex}`: the initial contents are hex digits, two per byte, in memory order (e.g. init=2a000000)")
    };
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn parse_map_facts(text: &str) -> Result<MapSpec, String> {
    let mut words = text.split_whitespace();
    let name = words.next().ok_or("`.map` without a map name")?;
    crate::names::check_obj_name(name).map_err(|e| format!("map name `{name}`: {e}"))?;
    let ty = words
        .next()
        .ok_or_else(|| format!("map `{name}` without a type (e.g. array, hash, xskmap)"))?;
    let map_type = MapType::from_name(ty).ok_or_else(|| format!("unknown map type `{ty}`"))?;
    let (mut key, mut value, mut max_entries, mut flags) = (None, None, None, None);
    let mut inner = None;
    for w in words {
        let (k, v) = w
            .split_once('=')
            .ok_or_else(|| format!("`{w}` is not FIELD=VALUE"))?;
        if k == "inner" {
            if inner.is_some() {
                return Err("`inner` is given twice".into());
            }
            inner = Some(parse_inner_map(v)?);
            continue;
        }
        let num = || parse_u32(v).ok_or_else(|| format!("`{k}={v}`: `{v}` is not a 32-bit number"));
        let slot = match k {
            "key" => &mut key,
            "value" => &mut value,
            "max_entries" => &mut max_entries,
            "flags" => &mut flags,
            _ => {
                return Err(format!(
                    "unknown field `{k}` (key, value, max_entries, flags, init, inner)"
                ))
            }
        };
        if slot.is_some() {
            return Err(format!("`{k}` is given twice"));
        }
        *slot = Some(if k == "flags" {
            parse_map_flags(v)?
        } else {
            num()?
        });
    }
    let spec = MapSpec {
        name: Cow::Owned(name.to_string()),
        map_type,
        key_size: key.ok_or_else(|| format!("map `{name}` without key=KEY_SIZE"))?,
        value_size: value.ok_or_else(|| format!("map `{name}` without value=VALUE_SIZE"))?,
        max_entries: max_entries.unwrap_or(1),
        flags: flags.unwrap_or(0),
        btf: None,
        inner,
    };
    check_inner(&spec)?;
    Ok(spec)
}

/// The syntax of an inner map, for messages.
pub const INNER_MAP_SYNTAX: &str = "TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]]";

/// Parses the shape of a map of maps' inner maps, `TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES[:FLAGS]]`
/// (`array:4:8:64`; entries default to 1; FLAGS as in [`parse_map_flags`]).
///
/// ```
/// use ebpf_dsl::MapType;
/// let i = ebpf_dsl::asm::parse_inner_map("array:4:8:64").unwrap();
/// assert_eq!((i.map_type, i.key_size, i.value_size, i.max_entries), (MapType::Array, 4, 8, 64));
/// assert!(ebpf_dsl::asm::parse_inner_map("array_of_maps:4:4").is_err());
/// ```
pub fn parse_inner_map(s: &str) -> Result<InnerMap, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(3..=5).contains(&parts.len()) {
        return Err(format!(
            "inner map `{s}`: wrong number of fields; expected {INNER_MAP_SYNTAX}, e.g. array:4:8:64"
        ));
    }
    let map_type = MapType::from_name(parts[0])
        .ok_or_else(|| format!("inner map `{s}`: unknown map type `{}`", parts[0]))?;
    let num = |what: &str, v: &str| {
        parse_u32(v).ok_or_else(|| format!("inner map `{s}`: {what} `{v}` is not a 32-bit number"))
    };
    let inner = InnerMap {
        map_type,
        key_size: num("KEY_SIZE", parts[1])?,
        value_size: num("VALUE_SIZE", parts[2])?,
        max_entries: match parts.get(3) {
            Some(n) => num("MAX_ENTRIES", n)?,
            None => 1,
        },
        flags: match parts.get(4) {
            Some(f) => parse_map_flags(f)?,
            None => 0,
        },
    };
    inner.check().map_err(|e| format!("inner map `{s}`: {e}"))?;
    Ok(inner)
}

/// A map of maps needs its inner map's shape and a 4-byte value (a map fd); other maps take
/// none.
pub fn check_inner(spec: &MapSpec) -> Result<(), String> {
    let name = spec.name_str();
    match (spec.map_type, spec.inner) {
        (MapType::ArrayOfMaps | MapType::HashOfMaps, None) => Err(format!(
            "map `{name}` is a {} and needs the shape of the maps it holds: add inner={INNER_MAP_SYNTAX}",
            spec.map_type
        )),
        (MapType::ArrayOfMaps | MapType::HashOfMaps, Some(_)) if spec.value_size != 4 => {
            Err(format!(
                "map `{name}` is a {}: its values are map fds, value=4 (not {})",
                spec.map_type, spec.value_size
            ))
        }
        (MapType::ArrayOfMaps | MapType::HashOfMaps, Some(_)) => Ok(()),
        (t, Some(_)) => Err(format!(
            "map `{name}` is a {t}, not a map of maps (array_of_maps, hash_of_maps): it takes no inner="
        )),
        (_, None) => Ok(()),
    }
}

/// An inner map's shape in the form [`parse_inner_map`] reads.
pub fn inner_map_text(inner: &InnerMap) -> String {
    let mut s = format!(
        "{}:{}:{}:{}",
        inner.map_type, inner.key_size, inner.value_size, inner.max_entries
    );
    if inner.flags != 0 {
        s.push(':');
        s.push_str(&flags_text(inner.flags));
    }
    s
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Parses `|`-separated map flags: names from [`MAP_FLAG_NAMES`] with or without their
/// `BPF_F_` prefix, in any case, or numbers (decimal or `0x` hexadecimal).
///
/// ```
/// assert_eq!(ebpf_dsl::asm::parse_map_flags("rdonly_prog|0x400"), Ok(0x480));
/// assert!(ebpf_dsl::asm::parse_map_flags("nosuch").is_err());
/// ```
pub fn parse_map_flags(s: &str) -> Result<u32, String> {
    let mut flags = 0u32;
    for part in s.split('|').map(str::trim) {
        let upper = part.to_ascii_uppercase();
        let name = upper.strip_prefix("BPF_F_").unwrap_or(&upper);
        let named = MAP_FLAG_NAMES
            .iter()
            .find(|(n, _)| n.strip_prefix("BPF_F_") == Some(name))
            .map(|(_, v)| *v);
        match parse_u32(part).or(named) {
            Some(v) => flags |= v,
            None => {
                let known: Vec<String> = MAP_FLAG_NAMES
                    .iter()
                    .map(|(n, _)| n.trim_start_matches("BPF_F_").to_ascii_lowercase())
                    .collect();
                return Err(format!(
                    "unknown map flag `{part}` (known: {}, or a number)",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(flags)
}

/// `spec` as a `.map` declaration ([`parse_map_decl`] takes it back): flags by name, unknown
/// bits as a hexadecimal number.
pub fn map_directive(spec: &MapSpec) -> String {
    let mut s = format!(
        "{MAP_DIRECTIVE} {} {} key={} value={} max_entries={}",
        spec.name, spec.map_type, spec.key_size, spec.value_size, spec.max_entries
    );
    if spec.flags != 0 {
        s.push_str(&format!(" flags={}", flags_text(spec.flags)));
    }
    if let Some(inner) = &spec.inner {
        s.push_str(&format!(" inner={}", inner_map_text(inner)));
    }
    s
}

/// Flags by name (`no_prealloc|zero_seed`), unknown bits as a hexadecimal number.
fn flags_text(flags: u32) -> String {
    crate::spec::map_flag_names(flags)
        .iter()
        .map(|n| n.trim_start_matches("BPF_F_").to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("|")
}

/// [`map_directive`] with the map's initial contents as `init=HEX`, trailing zero bytes left
/// out (none at all when every byte is zero); [`parse_map_declaration`] takes it back.
///
/// ```
/// let spec = ebpf_dsl::asm::parse_map_decl(".rodata array key=4 value=8 flags=rdonly_prog").unwrap();
/// assert_eq!(
///     ebpf_dsl::asm::map_directive_init(&spec, &[42, 0, 0, 0, 0, 0, 0, 0]),
///     ".map .rodata array key=4 value=8 max_entries=1 flags=rdonly_prog init=2a"
/// );
/// ```
pub fn map_directive_init(spec: &MapSpec, init: &[u8]) -> String {
    let mut s = map_directive(spec);
    let used = init.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    if used > 0 {
        s.push_str(" init=");
        for b in &init[..used] {
            s.push_str(&format!("{b:02x}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_lock_offsets_are_declared_checked_and_listed() {
        let d =
            parse_map_declaration("flows hash key=4 value=16 max_entries=8 spin_lock=8").unwrap();
        assert_eq!(d.spin_lock, Some(8));
        assert_eq!(d.spec.value_size, 16);
        assert_eq!(
            parse_map_declaration("a array key=4 value=8")
                .unwrap()
                .spin_lock,
            None
        );
        for (bad, why) in [
            ("f hash key=4 value=16 spin_lock=6", "multiple of 4"),
            (
                "f hash key=4 value=16 spin_lock=16",
                "inside the 16-byte value",
            ),
            (
                "f percpu_hash key=4 value=16 spin_lock=0",
                "hash or array map",
            ),
            ("f hash key=4 value=16 spin_lock=x", "not the byte offset"),
            (
                "f hash key=4 value=16 spin_lock=0 spin_lock=4",
                "given twice",
            ),
        ] {
            let e = parse_map_declaration(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let a = crate::asm::assemble(
            ".map flows hash key=4 value=16 max_entries=8 spin_lock=4\nr0 = 2\nexit\n",
        )
        .unwrap();
        assert_eq!(
            a.spin_locks,
            vec![crate::btf::MapSpinLock {
                map: "flows".into(),
                offset: 4
            }]
        );
    }

    #[test]
    fn timer_offsets_are_declared_checked_and_listed() {
        let d =
            parse_map_declaration("frags lru_hash key=16 value=32 max_entries=8 timer=16").unwrap();
        assert_eq!((d.timer, d.spin_lock), (Some(16), None));
        let d = parse_map_declaration("t array key=4 value=24 spin_lock=0 timer=8").unwrap();
        assert_eq!((d.timer, d.spin_lock), (Some(8), Some(0)));
        for (bad, why) in [
            ("f hash key=4 value=32 timer=4", "multiple of 8"),
            ("f hash key=4 value=24 timer=16", "inside the 24-byte value"),
            (
                "f percpu_array key=4 value=16 timer=0",
                "hash, lru_hash or array",
            ),
            ("f hash key=4 value=16 timer=x", "not the byte offset"),
            ("f hash key=4 value=32 timer=0 timer=16", "given twice"),
            (
                "f hash key=4 value=32 spin_lock=8 timer=0",
                "overlaps the spin lock at 8",
            ),
        ] {
            let e = parse_map_declaration(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let a = crate::asm::assemble(
            ".map frags lru_hash key=16 value=32 max_entries=8 timer=16\nr0 = 2\nexit\n",
        )
        .unwrap();
        assert_eq!(
            a.timers,
            vec![crate::btf::MapTimer {
                map: "frags".into(),
                offset: 16
            }]
        );
    }

    #[test]
    fn round_trip_and_errors() {
        let m = parse_map_decl("stats percpu_hash key=4 value=16 max_entries=128 flags=no_prealloc|BPF_F_ZERO_SEED|0x100000").unwrap();
        assert_eq!(m.map_type, MapType::PercpuHash);
        assert_eq!((m.key_size, m.value_size, m.max_entries), (4, 16, 128));
        assert_eq!(m.flags, 1 | (1 << 6) | 0x100000);
        let text = map_directive(&m);
        assert_eq!(
            text,
            ".map stats percpu_hash key=4 value=16 max_entries=128 flags=no_prealloc|zero_seed|0x100000"
        );
        assert_eq!(parse_map_decl(&text[5..]).unwrap(), m);
        for (bad, why) in [
            ("", "without a map name"),
            ("x", "without a type"),
            ("x nosuch key=4 value=4", "unknown map type"),
            ("x array value=4", "without key="),
            ("x array key=4", "without value="),
            ("x array key=4 value=4 size=3", "unknown field `size`"),
            ("x array key=4 key=4 value=4", "given twice"),
            ("x array key=four value=4", "not a 32-bit number"),
            ("x array key=4 value=4 flags=bogus", "unknown map flag"),
            ("sixteen_chars_xx array key=4 value=4", "at most 15"),
            ("x-y array key=4 value=4", "map name"),
        ] {
            let e = parse_map_decl(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn maps_of_maps() {
        let m = parse_map_decl("routes hash_of_maps key=4 value=4 max_entries=16 inner=array:4:8:64:no_prealloc|0x100000").unwrap();
        let inner = m.inner.unwrap();
        assert_eq!(
            (
                inner.map_type,
                inner.key_size,
                inner.value_size,
                inner.max_entries,
                inner.flags
            ),
            (MapType::Array, 4, 8, 64, 1 | 0x100000)
        );
        let text = map_directive(&m);
        assert_eq!(
            text,
            ".map routes hash_of_maps key=4 value=4 max_entries=16 inner=array:4:8:64:no_prealloc|0x100000"
        );
        assert_eq!(parse_map_decl(&text[5..]).unwrap(), m);
        let short = parse_map_decl("o array_of_maps key=4 value=4 inner=hash:4:4").unwrap();
        assert_eq!(short.inner.unwrap().max_entries, 1);
        for (bad, why) in [
            (
                "o array_of_maps key=4 value=4",
                "needs the shape of the maps it holds",
            ),
            ("o array_of_maps key=4 value=8 inner=array:4:4", "value=4"),
            ("o array key=4 value=4 inner=array:4:4", "not a map of maps"),
            (
                "o array_of_maps key=4 value=4 inner=array:4",
                "wrong number of fields",
            ),
            (
                "o array_of_maps key=4 value=4 inner=nosuch:4:4",
                "unknown map type",
            ),
            (
                "o array_of_maps key=4 value=4 inner=array:x:4",
                "not a 32-bit number",
            ),
            (
                "o array_of_maps key=4 value=4 inner=hash_of_maps:4:4",
                "nest one level",
            ),
            (
                "o array_of_maps key=4 value=4 inner=array:4:4 inner=array:4:4",
                "given twice",
            ),
        ] {
            let e = parse_map_decl(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn initial_contents() {
        let d =
            parse_map_declaration(".rodata array key=4 value=8 flags=rdonly_prog init=2a00000007")
                .unwrap();
        assert_eq!(d.init.as_deref(), Some(&[42, 0, 0, 0, 7][..]));
        let text = map_directive_init(&d.spec, &[42, 0, 0, 0, 7, 0, 0, 0]);
        assert_eq!(
            text,
            ".map .rodata array key=4 value=8 max_entries=1 flags=rdonly_prog init=2a00000007"
        );
        assert_eq!(parse_map_declaration(&text[5..]).unwrap(), d);
        // All zeros: no init at all.
        assert_eq!(map_directive_init(&d.spec, &[0; 8]), map_directive(&d.spec));
        for (bad, why) in [
            (".data array key=4 value=4 init=2", "two per byte"),
            (".data array key=4 value=4 init=zz", "two per byte"),
            (".data array key=4 value=4 init=", "two per byte"),
            (".data array key=4 value=4 init=0x2a", "two per byte"),
            (
                ".data array key=4 value=2 init=010203",
                "do not fit its 2-byte value",
            ),
            ("h hash key=4 value=4 init=01", "for array maps"),
            (".data array key=4 value=4 init=01 init=02", "given twice"),
        ] {
            let e = parse_map_declaration(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    /// `parse` + `resolve`, `assemble` and `assemble_unchecked` all give the declarations and
    /// their contents; a repeated or malformed one is an error with its span from each.
    #[test]
    fn every_entry_point_gives_the_declarations() {
        let src = ".map .rodata array key=4 value=8 flags=rdonly_prog init=2a\n.map h hash key=4 value=4\nr1 = map_value(.rodata, 0) ll\nr0 = *(u32 *)(r1 + 0)\nexit\n";
        let via_parse = crate::asm::resolve(&crate::asm::parse(src).unwrap()).unwrap();
        let via_assemble = crate::asm::assemble(src).unwrap();
        let via_unchecked = crate::asm::assemble_unchecked(src).unwrap();
        for a in [&via_parse, &via_assemble, &via_unchecked] {
            let names: Vec<&str> = a.maps.iter().map(|m| m.name_str()).collect();
            assert_eq!(names, [".rodata", "h"]);
            assert_eq!(a.data.len(), 1);
            assert_eq!(a.data[0].map, ".rodata");
            assert_eq!(a.data[0].bytes, [42, 0, 0, 0, 0, 0, 0, 0]);
            assert!(a.data[0].read_only);
            assert_eq!(a.insns.len(), 4);
        }
        assert_eq!(via_parse, via_assemble);
        let twice = ".map a array key=4 value=4\n.map a array key=4 value=4\nr0 = 0\nexit\n";
        let e = crate::asm::resolve(&crate::asm::parse(twice).unwrap()).unwrap_err();
        assert!(e[0].message.contains("declared twice"), "{e:?}");
        let e = crate::asm::assemble(twice).unwrap_err();
        assert_eq!(e[0].span, Some(Span::new(27, 53)), "{e:?}");
        let e = crate::asm::parse(".map x array key=4 value=4 init=1\nr0 = 0\nexit").unwrap_err();
        assert!(e[0].message.contains("two per byte"), "{e:?}");
        assert_eq!(e[0].span, Some(Span::new(0, 33)));
        // The builder takes a declaration item too.
        let item = crate::ir::Item::new(crate::ir::ItemKind::Map(Box::new(
            parse_map_declaration("cfg array key=4 value=4 init=05").unwrap(),
        )));
        let a = crate::asm::resolve(&[item, crate::isa::insn::Insn::new(0x95, 0, 0, 0, 0).into()])
            .unwrap();
        assert_eq!(a.data[0].bytes, [5, 0, 0, 0]);
        assert!(!a.data[0].read_only);
    }

    #[test]
    fn declarations_in_a_source() {
        let src = "# maps\n.map a array key=4 value=8 // comment\n.map b hash key=8 value=8 max_entries=16\nr0 = 0\nexit\n";
        let (maps, errs) = declared_maps(src);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(maps.len(), 2);
        assert_eq!(maps[0].value_size, 8);
        assert_eq!(maps[1].max_entries, 16);
        let (maps, errs) =
            declared_maps(".map a array key=4 value=8\n.map a array key=4 value=8\n");
        assert_eq!(maps.len(), 1);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("declared twice"), "{errs:?}");
    }
}
